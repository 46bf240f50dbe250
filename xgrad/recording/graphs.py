"""CUDA graphs for a replay (``xgrad.jit(fn, graphs=True)``): runs of calls
captured once, then launched whole.

A library that can capture the work it queues into a graph offers a
:class:`Capture` (``Backend.graph_capture()``; CuPy's stream capture). The
replay is then planned in *segments*: each run of at least :data:`MIN_CALLS`
consecutive calls that a graph may hold becomes one call of a
:class:`Segment`, which captures its calls the first time and launches the
graph after that. Every other call runs as in a plain replay, between the
graphs: host calls (their Python must run), calls on Python numbers from host
calls (a graph would keep one step's number), calls of another library, and
calls the capture refuses (CuPy captures no cuBLAS call, so no matrix
product, and no call that reads a value on the host).

A graph reads and writes fixed arrays, which is what the rules below keep
right:

- Inputs are *borrowed* (the graph reads the array it was captured with) as
  long as each replay passes that same array (a parameter updated in place,
  an earlier graph's output); an input that comes as a new array once is
  *owned* from then on: copied into the graph's own array before each launch.
- No call in a segment writes into an array the segment did not make, so a
  graph never writes into its inputs.
- An output the step keeps (a result, state, a gradient) or hands to a host
  call, directly or through a view, is copied out after each launch: the next
  launch overwrites the graph's arrays. The others are read by later calls
  of the same replay, before that.
- A segment whose outputs share memory with each other, or with the copy of
  an owned input, is refused: a copy would part what the step keeps together.
- A call that fails while capturing is marked; the segment runs plainly this
  once, and the next replay is planned without that call in a graph.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from .._errors import JitError
from .buffers import is_in_place_operator
from .calls import Recording, compile_replay
from .segment import Segment
from .traced import Traced, traced_in

__all__ = ["MIN_CALLS", "Capture", "GraphPlan", "plan"]

#: Fewer calls than this are launched as they are: a graph would save less
#: than the copies around it cost.
MIN_CALLS = 3

Entry = tuple[Any, tuple[Any, ...], dict[str, Any], Any]


class Capture(Protocol):
    """What a library offers for graphs (``Backend.graph_capture()``)."""

    def capturable(self, fn: Any) -> bool:
        """Whether a call of ``fn`` may be captured at all."""

    def fresh(self, fn: Any) -> bool:
        """Whether ``fn`` returns new arrays (never a view of an argument)."""

    def capture(
        self, run: Callable[[list[Any]], list[Any]], inputs: list[Any]
    ) -> tuple[Any, list[Any]]:
        """``run(inputs)`` captured, not run: the graph and its output arrays."""

    def launch(self, graph: Any) -> None:
        """Run ``graph`` after the work queued so far."""

    def copy(self, x: Any) -> Any:
        """A new array equal to ``x``."""

    def copy_into(self, target: Any, x: Any) -> None:
        """Write ``x`` into ``target``."""

    def shares_memory(self, a: Any, b: Any) -> bool:
        """Whether ``a`` and ``b`` may share memory."""


def _slots(obj: Any) -> list[int]:
    return [t.index for t in traced_in(obj)]


#: Backend methods that read values on the host (checks that raise): a graph
#: cannot hold them, since nothing runs while it is captured.
_HOST_READS = frozenset({"assert_in_range", "assert_valid"})


def _capturable(entry: Entry, backend: Any, capture: Capture) -> bool:
    fn, args, kwargs, outputs = entry
    if getattr(fn, "__name__", None) in _HOST_READS or not capture.capturable(fn):
        return False
    found = [*traced_in((args, kwargs)), *traced_in(outputs)]
    return all(t._backend is backend for t in found)


def plan(
    entries: list[Entry],
    hosts: set[int],
    backend: Any,
    capture: Capture,
    refused: set[int],
) -> list[tuple[int, int]]:
    """The ``(start, stop)`` entry ranges to capture: runs of at least
    :data:`MIN_CALLS` calls that a graph may hold, each writing only into
    arrays its run made (not into an input, nor a view of one)."""
    runs: list[tuple[int, int]] = []
    start: int | None = None
    own: set[int] = set()  # slots the run made, no view of an input among them
    for i, entry in enumerate(entries):
        if (
            i in refused
            or i in hosts
            or not _capturable(entry, backend, capture)
            or not _written(entry) <= own  # writes into an array from before
        ):
            if start is not None and i - start >= MIN_CALLS:
                runs.append((start, i))
            start, own = None, set()
            continue
        if start is None:
            start = i
        _, args, kwargs, outputs = entry
        if _fresh(capture, entry) or set(_slots((args, kwargs))) <= own:
            own.update(_slots(outputs))
    if start is not None and len(entries) - start >= MIN_CALLS:
        runs.append((start, len(entries)))
    return runs


def _fresh(capture: Capture, entry: Entry) -> bool:
    """Whether a call's outputs are new arrays: a fresh function, no ``out=``."""
    fn, args, kwargs, outputs = entry
    return capture.fresh(fn) and not set(_slots(outputs)) & set(_slots((args, kwargs)))


def _written(entry: Entry) -> set[int]:
    """The slots a call writes into: an in-place operator's or ``out=``
    target (its output is one of its arguments), a ``x[k] = v`` target."""
    fn, args, kwargs, outputs = entry
    arguments = set(_slots((args, kwargs)))
    if outputs is None:
        return set(_slots(args[:1])) if args else set()
    return {s for s in _slots(outputs) if s in arguments} | (
        set(_slots(args[:1])) if is_in_place_operator(fn) else set()
    )


def segment_io(
    entries: list[Entry],
    span: tuple[int, int],
    keep: set[int],
    hosts: set[int],
    capture: Capture,
) -> tuple[list[int], list[int], list[bool]]:
    """A run's input slots, output slots and which outputs to copy out."""
    start, stop = span
    inputs: list[int] = []
    made: set[int] = set()
    for _, args, kwargs, outputs in entries[start:stop]:
        for s in _slots((args, kwargs)):
            if s not in made and s not in inputs:
                inputs.append(s)
        made.update(_slots(outputs))
    later: set[int] = set()
    for _, args, kwargs, _ in entries[stop:]:
        later.update(_slots((args, kwargs)))
    outputs = sorted(s for s in made if s in later or s in keep)
    copy_out = [_escapes(entries, stop, s, keep, hosts, capture) for s in outputs]
    return inputs, outputs, copy_out


def _escapes(
    entries: list[Entry],
    stop: int,
    slot: int,
    keep: set[int],
    hosts: set[int],
    capture: Capture,
) -> bool:
    """Whether ``slot``, or a view of it, is kept or reaches a host call."""
    aliases = {slot}
    for i in range(stop, len(entries)):
        _, args, kwargs, outputs = entries[i]
        if not aliases.intersection(_slots((args, kwargs))):
            continue
        if i in hosts:
            return True
        if not _fresh(capture, entries[i]):  # may hand back a view, or write
            aliases.update(_slots(outputs))
    return bool(aliases & keep)


def graph_capture(recording: Recording) -> tuple[Any, Any]:
    """The backend of the step's arrays and its graph capture; JitError if none."""
    found = {id(t._backend): t._backend for t in recording.inputs if t._backend}
    for backend in found.values():
        capture = getattr(backend, "graph_capture", lambda: None)()
        if capture is not None:
            return backend, capture
    names = sorted(b.name for b in found.values()) or ["no library"]
    raise JitError(
        f"xgrad.jit(graphs=True): the step's arrays are of {', '.join(names)}, "
        f"which captures no graphs (CuPy on an NVIDIA GPU does); leave graphs "
        f"off for a plain replay"
    )


class GraphPlan:
    """The replay of one recording with its segments as graphs.

    :meth:`compile` makes the replay function: the recording's calls, with
    each run that :func:`plan` finds replaced by one call of its
    :class:`~.segment.Segment`. A call that fails while captured is refused
    (:meth:`refuse`); the next replay is compiled again without it.
    """

    def __init__(self, recording: Recording, results: list[Any]) -> None:
        self.recording, self.results = recording, results
        self.backend, self.capture = graph_capture(recording)
        self.keep = {t.index for t in results if isinstance(t, Traced)}
        # Where a shape that follows values begins (the checked calls among
        # them): a graph would keep the length it was captured with. A later
        # call reading such an array is captured again for each length it meets.
        self.refused: set[int] = set(recording.shapes.sources)
        self.stale = False
        self._segments: dict[tuple[int, int], Segment] = {}
        self.by_slot = {t.index: t for t in recording.inputs}
        for _, args, kwargs, outputs in recording.entries:
            self.by_slot.update(
                (t.index, t) for t in traced_in((args, kwargs, outputs))
            )

    def refuse(self, indices: list[int]) -> None:
        self.refused.update(indices)
        self.stale = True

    def compile(self) -> Callable[[list[Any]], list[Any]]:
        self.stale = False
        entries, hosts = self.recording.entries, self.recording.host_entries
        runs = plan(entries, hosts, self.backend, self.capture, self.refused)
        planned: list[Entry] = []
        done = 0
        for span in runs:
            segment = self._segments.get(span)
            if segment is None:
                io = segment_io(entries, span, self.keep, hosts, self.capture)
                own = list(enumerate(entries))[span[0] : span[1]]
                segment = self._segments[span] = Segment(
                    own, io, self.capture, self.refuse
                )
            ins = tuple(self.by_slot[s] for s in segment.inputs)
            outs = tuple(self.by_slot[s] for s in segment.outputs)
            planned += [*entries[done : span[0]], (segment, ins, {}, outs)]
            done = span[1]
        planned += entries[done:]
        return compile_replay(self.recording, self.results, planned)
