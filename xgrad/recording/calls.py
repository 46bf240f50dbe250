"""A recording: the flat list of calls a step made, and its replay as code.

Every call on a :class:`~xgrad.jit.traced.Traced` array, through a recording
namespace or backend, or of a :func:`~xgrad.recording.host.host` function, runs
for real and becomes one entry ``(function, args, kwargs, outputs)`` whose
arguments name slots (the arrays of earlier entries or the step's inputs)
or hold constants. :func:`compile_replay` turns the entries into one Python
function of the input slots, straight-line code with each slot deleted after
its last use, so a replay costs the array calls and little more.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

import numpy as np

from .. import backends
from .._errors import FINISHED_RECORDING, JitError
from ..array_check import ARRAY_TYPES
from .buffers import donated_outputs, reusable_outputs, reused_operands
from .codegen import Source, name_of, slots_of
from .folding import folded_results
from .fusing import fused_entries
from .host import recording_in
from .shapes import ShapeChanged, ValueShapes
from .traced import RecordingBackend, Traced, replace_traced, traced_in

__all__ = ["Recording", "compile_replay"]

_PYTHON_NUMBERS = frozenset({int, float, complex, bool})


class Recording:
    """The calls of one step being recorded, with the Traced arrays they made."""

    def __init__(self) -> None:
        self.entries: list[tuple[Any, tuple[Any, ...], dict[str, Any], Any]] = []
        self.host_entries: set[int] = set()  # the entries of host calls
        self.sized_hosts: set[int] = set()  # ... whose shapes follow arguments
        self.shapes_read: set[int] = set()  # slots whose shape Python read
        #: Shapes that follow values (.shapes), found once the step has run.
        self.shapes = ValueShapes(set(), [], {})
        self.inputs: list[Traced] = []
        self.closed = False
        self._count = itertools.count()
        self._proxies: dict[int, RecordingBackend] = {}
        # One Traced class per recording and library: the registry maps it to
        # the recording proxy of that library's backend.
        self.traced_types: dict[int, type[Traced]] = {}
        #: Told of each Parameter an optimizer updates, each optimizer that
        #: updates and each Layer called (set by xgrad.jit).
        self.adopt: Callable[[Any], None] = lambda param: None
        self.report_optimizer: Callable[[Any], None] = lambda optimizer: None
        self.report_layer: Callable[[Any], None] = lambda layer: None

    # -- slots
    def backend_for(self, real: Any) -> RecordingBackend:
        proxy = self._proxies.get(id(real))
        if proxy is None:
            proxy = self._proxies[id(real)] = RecordingBackend(real, self)
        return proxy

    def new(self, value: Any, backend: Any) -> Traced:
        kind = self.traced_types.get(id(backend))
        if kind is None:
            kind = self.traced_types[id(backend)] = type(
                "Traced", (Traced,), {"__slots__": ()}
            )
            if backend is not None:  # a lifted Python number has no library
                backends.BY_TYPE[kind] = self.backend_for(backend)  # type: ignore[assignment]
        return kind(value, next(self._count), self, backend)

    def close(self) -> None:
        """End the recording: its arrays refuse further use, the registry forgets them."""
        self.closed = True
        for kind in self.traced_types.values():
            backends.BY_TYPE.pop(kind, None)
            ARRAY_TYPES.discard(kind)

    def input(self, value: Any) -> Traced:
        """A Traced input of the step (an argument's array, a state array)."""
        if type(value) in _PYTHON_NUMBERS:
            traced = self.new(value, None)
        else:
            traced = self.new(value, backends.of(value))
        self.inputs.append(traced)
        return traced

    def is_array(self, x: Any, backend: Any) -> bool:
        if backend is None:
            return False
        return isinstance(x, np.generic) or (hasattr(x, "shape") and backend.owns(x))

    def unwrap(self, obj: Any) -> Any:
        """``obj`` with each Traced replaced by its value."""
        return replace_traced(obj, self._value_of)

    def _value_of(self, traced: Traced) -> Any:
        self._check_open(traced)
        return traced.value

    def _check_open(self, traced: Traced) -> None:
        if traced._recording is not self or self.closed:
            raise JitError(FINISHED_RECORDING)

    # -- calls
    def call_function(self, fn: Any, backend: Any, *args: Any, **kwargs: Any) -> Any:
        """Record ``fn(*args, **kwargs)``; results of ``backend`` become Traced
        (with ``backend`` None, any array does, in its own library)."""
        if backend is None:
            return self.call(fn, args, kwargs, None, any_array=True)
        return self.call(fn, args, kwargs, backend)

    def call_method(
        self, caller: Any, traced: Traced, *args: Any, **kwargs: Any
    ) -> Any:
        return self.call(caller, (traced, *args), kwargs, traced._backend)

    def call(
        self,
        fn: Any,
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
        backend: Any,
        into: Traced | None = None,
        any_array: bool = False,
    ) -> Any:
        """Run ``fn`` on the real values and record it when it touches the step."""
        result = fn(*self.unwrap(args), **self.unwrap(kwargs))
        found = list(traced_in((args, kwargs)))
        if backend is None:  # arithmetic of Python numbers lifted from the host
            backend = next((t._backend for t in found if t._backend), None)
            any_array = any_array or backend is None
        numbers = any(type(t.value) in _PYTHON_NUMBERS for t in found)
        if into is None:  # out= through a namespace: a write into that array
            into = _out_argument(fn, args, kwargs)
        if into is not None and result is into.value:  # written in place
            self.entries.append((fn, args, kwargs, into))
            return into
        outputs = self._wrap(result, backend, numbers, any_array)
        if outputs is _STATIC and _is_size(result):  # y.numel(), torch.numel(y)
            self.shapes_read.update(t.index for t in found)
        if outputs is not _STATIC and (found or _contains_traced(_plain(outputs))):
            self.entries.append((fn, args, kwargs, _plain(outputs)))
            return outputs
        if result is None and found:  # a write: setitem, scatter into
            self.entries.append((fn, args, kwargs, None))
        return result

    def host_call(
        self, fn: Callable[..., Any], args: Any, kwargs: Any, sized: bool = False
    ) -> Any:
        """Run a :func:`host` function and record it, its results as inputs to
        come (``sized``: their shapes are those its arguments ask for)."""
        raw_args, raw_kwargs = self.unwrap(args), self.unwrap(kwargs)
        with recording_in(None):  # what it does inside is its own
            result = fn(*raw_args, **raw_kwargs)
        backend = next((t._backend for t in traced_in((args, kwargs))), None)
        outputs = self._wrap(result, backend, numbers=True, any_array=True)
        if outputs is _STATIC:
            outputs = result
        self.host_entries.add(len(self.entries))
        if sized:
            self.sized_hosts.add(len(self.entries))
        outputs_ = _plain(outputs)
        self.entries.append(
            (fn, args, kwargs, outputs_ if _contains_traced(outputs_) else None)
        )
        return outputs

    def _wrap(
        self, result: Any, backend: Any, numbers: bool, any_array: bool = False
    ) -> Any:
        """``result`` with arrays (and lifted numbers) as new Traced; _STATIC if none.

        A NumPy scalar (``np.float64`` is a ``float`` too) is an array here.
        A Python number or bool is static unless it came from lifted numbers:
        then it is Traced too, so a branch on it is refused, not baked.
        """
        if isinstance(result, np.generic):
            return self.new(result, backend or backends.get("numpy"))
        if type(result) in _PYTHON_NUMBERS:
            return self.new(result, None) if numbers else _STATIC
        if any_array and hasattr(result, "shape") and hasattr(result, "dtype"):
            return self.new(result, backends.of(result))
        if self.is_array(result, backend):
            return self.new(result, backend)
        if isinstance(result, tuple | list):  # namedtuples, torch.return_types
            items = [self._wrap(x, backend, numbers, any_array) for x in result]
            if all(x is _STATIC for x in items):
                return _STATIC
            items = [
                r if x is _STATIC else x for r, x in zip(result, items, strict=True)
            ]
            make = getattr(type(result), "_make", type(result))  # a namedtuple's
            return make(items)
        if type(result) is dict:
            wrapped = {
                k: self._wrap(v, backend, numbers, any_array) for k, v in result.items()
            }
            if all(x is _STATIC for x in wrapped.values()):
                return _STATIC
            return {k: result[k] if x is _STATIC else x for k, x in wrapped.items()}
        return _STATIC


_STATIC: Any = object()


def _out_argument(fn: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    """The Traced a call writes its result into (``out=``, or a ufunc's
    positional output), or None."""
    out = kwargs.get("out")
    if out is None and isinstance(fn, np.ufunc) and len(args) > fn.nin:
        out = args[fn.nin]
    if type(out) is tuple and len(out) == 1:
        out = out[0]
    return out if isinstance(out, Traced) else None


def _is_size(result: Any) -> bool:
    """Whether a call's static result may be a shape or a size read from its
    arrays (an int, a tuple of ints such as ``torch.Size``)."""
    if isinstance(result, tuple):
        return all(type(d) is int for d in result)
    return type(result) is int


def _plain(outputs: Any) -> Any:
    """A call's outputs as recorded: a namedtuple (``unique_counts``) or
    PyTorch's ``return_types`` (``sort``) as a tuple, read by index."""
    return tuple(outputs) if isinstance(outputs, tuple) else outputs


def _contains_traced(obj: Any) -> bool:
    return next(traced_in(obj), None) is not None


def compile_replay(
    recording: Recording,
    results: list[Traced | None],
    entries: list[Any] | None = None,
    donors: dict[int, int] | None = None,
) -> Callable[[list[Any]], list[Any]]:
    """The replay: a function of the input values returning ``results``' values.

    ``results`` are the slots the caller needs at the end (outputs of the step,
    final state); each other slot is deleted after its last use, so a replay
    holds no more arrays than the step needs at each moment. ``entries``, when
    given, replace the recording's (its runs as graphs, :mod:`.graphs`, made
    again after the recording forgot its values); the replay then keeps no
    buffers and no results of its own (:mod:`.folding`). ``donors``: result slot -> input
    slot whose array the result may be written into (:mod:`.buffers`); the
    caller passes that input as the array or as None.
    """
    own_buffers = entries is None
    entries = recording.entries if entries is None else entries
    source = Source()
    guards = {id(recording.entries[i]): g for i, g in recording.shapes.guards.items()}
    changed = source.constant(ShapeChanged)
    lines: list[str] = []
    inputs = [f"s{t.index}" for t in recording.inputs]
    if inputs:
        lines.append(f"    {', '.join(inputs)}, = inputs")
    keep = {t.index for t in results if isinstance(t, Traced)}
    # Arrays whose shape may change take no buffer and are made at every replay.
    varying = recording.shapes.varying if own_buffers else set()
    if own_buffers:  # NumPy's product with a mask, without the cast
        entries = fused_entries(entries, varying)
    uses = [{t.index for t in traced_in((a, k))} for _, a, k, _ in entries]
    last_use = {slot: i for i, used in enumerate(uses) for slot in used}
    # Inputs nothing reads (gradients cleargrads() drops) go at once, or when donated.
    dead_inputs = [
        t.index
        for t in recording.inputs
        if t.index not in last_use and t.index not in keep
    ]
    folded = folded_results(entries, keep, varying) if own_buffers else {}
    buffers = reusable_outputs(entries, keep | varying, folded) if own_buffers else {}
    given_up = {
        r: d for r, d in (donors or {}).items() if d in dead_inputs and r not in varying
    }
    donated = donated_outputs(entries, given_up, buffers) if own_buffers else {}
    skipped = {*folded, *donated}
    reused = (
        reused_operands(entries, keep, varying, buffers, skipped) if own_buffers else {}
    )
    into = {i: (u, source.constant(b)) for i, (u, b) in buffers.items()}
    for i, (ufunc, slot) in donated.items():  # read as out=: not dead at the start
        into[i] = (ufunc, f"s{slot}")
        uses[i].add(slot)
        last_use[slot] = i
    into.update((i, (ufunc, f"s{slot}")) for i, (ufunc, slot) in reused.items())
    if inputs:
        lines.append("    inputs.clear()")
    if unread := [s for s in dead_inputs if s not in last_use]:
        lines.append(f"    del {', '.join(f's{s}' for s in unread)}")
    for i, (fn, args, kwargs, outputs) in enumerate(entries):
        positional = [source.expr(a) for a in args]
        keywords = [f"{k}={source.expr(v)}" for k, v in kwargs.items()]
        if i in into:  # NumPy: into a buffer of its own or a donated array
            fn, out = into[i]
            keywords.append(f"out={out}")
        if i in folded:  # the recording run's result, named for the reader
            call = f"{source.constant(folded[i])}  # made once: {name_of(fn)}"
        else:
            call = source.call(fn, positional, keywords)
        targets = slots_of(outputs)
        if not targets:
            lines.append(f"    {call}")
        elif len(targets) == 1 and targets[0][1] == "":
            name = f"s{targets[0][0]}"
            in_place = i not in folded and source.in_place(
                name, fn, positional, keywords
            )
            lines.append(f"    {in_place or f'{name} = {call}'}")
        else:
            lines.append(f"    _r = {call}")
            lines += [f"    s{slot} = _r{path}" for slot, path in targets]
        for slot, shape in guards.get(id(entries[i]), ()):
            lines.append(
                f"    if s{slot}.shape != {source.expr(tuple(shape))}: raise {changed}"
            )
        made = {slot for slot, _ in targets}
        dead = sorted(
            s for s in uses[i] | made if last_use.get(s, -1) <= i and s not in keep
        )
        if dead:
            lines.append(f"    del {', '.join(f's{s}' for s in dead)}")
    returned = [
        f"s{t.index}" if isinstance(t, Traced) else source.expr(t) for t in results
    ]
    lines.append(f"    return [{', '.join(returned)}]")
    text = "def replay(inputs):\n" + "\n".join(lines) + "\n"
    namespace = dict(source.constants)
    # The code is made here from slot numbers and constant names, never from
    # user strings: compiling it is how a replay runs without interpretation.
    exec(compile(text, "<xgrad.jit replay>", "exec"), namespace)  # noqa: S102
    replay = namespace["replay"]
    replay.source = text  # for debugging: xgrad.jit(...).source
    replay.dead_inputs = frozenset(dead_inputs)
    replay.donated_inputs = frozenset(slot for _, slot in donated.values())
    return replay
