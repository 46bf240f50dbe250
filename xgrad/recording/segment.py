"""One run of a replay's calls as a graph: :class:`Segment` (see :mod:`.graphs`).

A segment runs its calls as Python only while it captures them, or plainly
where the capture failed; later calls launch the graph. Its inputs are
borrowed (the array captured with) until one comes as a new array, then
owned (copied into the graph's own array before each launch); the outputs
the step keeps are copied out after each launch, since the next overwrites
them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from .traced import Traced, replace_traced

if TYPE_CHECKING:
    from .graphs import Capture, Entry

__all__ = ["Refused", "Segment", "interpret"]


class Refused(Exception):
    """A call failed while its segment was captured (``index``: its entry)."""

    def __init__(self, index: int) -> None:
        super().__init__(index)
        self.index = index


def interpret(
    entries: list[tuple[int, Entry]],
    inputs: list[int],
    values: list[Any],
    outputs: list[int],
    capturing: bool = False,
) -> list[Any]:
    """Run ``entries`` on ``values`` of the ``inputs`` slots; the ``outputs``'.

    A segment runs this while it is captured (a failing call is then
    :class:`Refused`), or plainly where a capture failed: a launch runs the
    graph, not Python.
    """
    env = dict(zip(inputs, values, strict=True))

    def value(traced: Traced) -> Any:
        return env[traced.index]

    for index, (fn, args, kwargs, result_slots) in entries:
        try:
            result = fn(*replace_traced(args, value), **replace_traced(kwargs, value))
        except Exception as error:
            if not capturing:
                raise
            raise Refused(index) from error
        _bind(result_slots, result, env)
    return [env[s] for s in outputs]


def _bind(outputs: Any, result: Any, env: dict[int, Any]) -> None:
    if isinstance(outputs, Traced):
        env[outputs.index] = result
    elif type(outputs) in (tuple, list):
        for o, r in zip(outputs, result, strict=True):
            _bind(o, r, env)
    elif type(outputs) is dict:
        for k, o in outputs.items():
            _bind(o, result[k], env)


class Segment:
    """One run of a replay's calls as a graph: captured at its first call
    (and again when a borrowed input comes as a new array), launched after."""

    def __init__(
        self,
        entries: list[tuple[int, Entry]],
        io: tuple[list[int], list[int], list[bool]],
        capture: Capture,
        refuse: Callable[[list[int]], None],
    ) -> None:
        self.entries, self.capture, self.refuse = entries, capture, refuse
        self.inputs, self.outputs, self.copy_out = io
        self.owned = [False] * len(self.inputs)
        self.graph: Any = None
        self.static: list[Any] = []
        self.results: list[Any] = []
        self.copy_now: list[bool] = []  # copy_out, less views of borrowed inputs

    def __call__(self, *values: Any) -> list[Any]:
        if self.graph is not None and self._fits(values):
            for i, owned in enumerate(self.owned):
                if owned:
                    self.capture.copy_into(self.static[i], values[i])
            self.capture.launch(self.graph)
            return self._outputs()
        return self._capture(list(values))

    def _fits(self, values: tuple[Any, ...]) -> bool:
        """Whether every borrowed input is the array captured (one that is
        not is owned from now on) and every owned one has its copy's shape
        and dtype (a host call's array need not); else capture again."""
        fits = True
        for i, owned in enumerate(self.owned):
            value, static = values[i], self.static[i]
            if not owned and value is not static:
                self.owned[i], fits = True, False
            elif owned and (value.shape, value.dtype) != (static.shape, static.dtype):
                fits = False
        return fits

    def _capture(self, values: list[Any]) -> list[Any]:
        copy = self.capture.copy
        static = [copy(v) if o else v for v, o in zip(values, self.owned, strict=True)]

        def run(arrays: list[Any], capturing: bool = True) -> list[Any]:
            return interpret(self.entries, self.inputs, arrays, self.outputs, capturing)

        try:
            graph, results = self.capture.capture(run, static)
        except Refused as refused:
            self.refuse([refused.index])
            return run(values, False)  # this once, plainly
        except Exception:  # noqa: BLE001  (the library gave up on the whole capture)
            self.refuse([index for index, _ in self.entries])
            return run(values, False)
        if self._overlapping(results, static):
            self.refuse([index for index, _ in self.entries])
            return run(values, False)
        self.graph, self.static, self.results = graph, static, results
        # An output that is (a view of) a borrowed input is that array itself,
        # as in the eager step: a graph never writes there, so no copy.
        shares = self.capture.shares_memory
        borrowed = [x for x, o in zip(static, self.owned, strict=True) if not o]
        self.copy_now = [
            copy and not any(shares(r, b) for b in borrowed if hasattr(b, "shape"))
            for r, copy in zip(results, self.copy_out, strict=True)
        ]
        self.capture.launch(graph)
        return self._outputs()

    def _overlapping(self, results: list[Any], static: list[Any]) -> bool:
        shares = self.capture.shares_memory
        owned = [x for x, o in zip(static, self.owned, strict=True) if o]
        pairs = [
            (a, b) for i, a in enumerate(results) for b in [*results[i + 1 :], *owned]
        ]
        return any(shares(a, b) for a, b in pairs if hasattr(b, "shape"))

    def _outputs(self) -> list[Any]:
        copy = self.capture.copy
        return [
            copy(x) if c else x
            for x, c in zip(self.results, self.copy_now, strict=True)
        ]
