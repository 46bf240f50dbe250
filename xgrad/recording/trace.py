"""One recording of a step: made by :func:`record`, run by :func:`replay`.

:func:`record` runs the step on Traced stand-ins of its arguments and state
(:mod:`.state`), with an observer that binds each Variable the step's
Functions meet; the calls become one compiled function (:mod:`.calls`).
:func:`replay` feeds that function the arguments' and the bindings' arrays
and writes the final state back. A :class:`Trace` also knows when it fits
(:meth:`Trace.fits`): the state's shapes, which state exists, and the
Python numbers a replay would not read again.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from .. import hooks, observing
from .._compat import is_array_api_obj
from .._errors import FINISHED_RECORDING, JitError
from ..core import Parameter, Variable
from ..layers import Layer
from ..optimizer_base import Optimizer
from .buffers import donatable
from .calls import Recording, compile_replay
from .graphs import GraphPlan
from .host import recording_in, user_line
from .shapes import value_shapes
from .state import (
    Adopter,
    Binding,
    Bindings,
    DataBinding,
    GradBinding,
    existing_variables,
    optimizer_guards,
    reach,
)
from .traced import Traced, traced_in

__all__ = ["Trace", "rebuild", "record", "replay"]


class Trace:
    """One recording, compiled: its bindings, guards and replay function."""

    def __init__(self) -> None:
        self.bindings: list[tuple[Binding, Traced | None, bool]] = []  # initial, input?
        self.guards: list[tuple[Any, str, Any]] = []
        self.expected: list[Any] = []  # (shape, dtype) or None per binding
        self.output: Any = None  # the step's result, with Traced leaves
        self.replay: Callable[[list[Any]], list[Any]] | None = None
        self.graphs: GraphPlan | None = None  # xgrad.jit(graphs=True)
        self.written: list[Any] = []
        self.n_outputs = 0
        self.checked = False  # by check=True, once
        # Bindings of the gradients the step drops unread (cleargrads): let go
        # before a replay, or donated to the calls that make their successors
        # (binding index -> the (shape, dtype) such an array must have).
        self.released: list[int] = []
        self.donated: dict[int, tuple[Any, Any]] = {}
        # (binding index, argument index): bindings of Variable arguments,
        # whose owner is each call's own argument.
        self.arguments: list[tuple[int, int]] = []
        # Indices of the bindings whose values are inputs of the replay.
        self.bound_inputs: list[int] = []
        # Each binding's read and write, looked up once (a replay's glue runs
        # cold, after the array work has filled the caches).
        self.readers: list[Callable[[], Any]] = []
        self.writers: list[Callable[[Any], None]] = []

    def point_at(self, leaves: list[Any]) -> None:
        """Make the bindings of Variable arguments those of this call's."""
        for i, position in self.arguments:
            self.bindings[i][0].owner = leaves[position]

    def fits(self, leaves: list[Any]) -> list[Any] | None:
        """The state this recording reads, one value per binding, if it fits
        this call's arguments and the state now; otherwise None."""
        self.point_at(leaves)
        values = [read() for read in self.readers]
        for value, expected, last in zip(
            values, self.expected, self.written, strict=True
        ):
            if value is last:  # what the previous replay wrote: unchanged
                continue
            if value is None or expected is None:
                if value is not expected:
                    return None
            elif (value.shape, value.dtype) != expected:
                return None
        for obj, name, value in self.guards:
            if getattr(obj, name) != value:
                return None
        return values


def rebuild(obj: Any, leaf: Callable[[Any], Any]) -> Any:
    """``obj`` with every array and Variable replaced by ``leaf(it)``, in the
    order :func:`_signature` met them."""
    kind = type(obj)
    if isinstance(obj, tuple) and hasattr(obj, "_fields"):  # a namedtuple
        return kind(*(rebuild(x, leaf) for x in obj))
    if isinstance(obj, tuple | list):
        return kind(rebuild(x, leaf) for x in obj)
    if isinstance(obj, dict):
        new = copy.copy(obj)  # the same kind of dict (OrderedDict, defaultdict)
        new.update({k: rebuild(v, leaf) for k, v in obj.items()})
        return new
    if isinstance(obj, Variable) or is_array_api_obj(obj):
        return leaf(obj)
    return obj


def record(
    fn: Callable[..., Any], args: Any, kwargs: Any, graphs: bool = False
) -> tuple[Trace, Any]:
    """Run ``fn`` on Traced arrays; its trace (compiled) and its result
    (with ``graphs``, runs of its calls are captured as graphs)."""
    recording, trace = Recording(), Trace()
    late = False

    def install(binding: Binding) -> None:
        value = binding.read()
        if value is None or late:
            trace.bindings.append((binding, None, False))
        elif isinstance(value, Traced):  # shared (one gradient for two inputs)
            trace.bindings.append((binding, value, False))
        else:
            traced = recording.input(value)
            binding.install(traced)
            trace.bindings.append((binding, traced, True))

    bindings = Bindings(install)
    position = 0

    def as_input(x: Any) -> Any:
        nonlocal position
        data = x._data if isinstance(x, Variable) else x
        traced = recording.input(data)
        position += 1
        if not isinstance(x, Variable):
            return traced
        x._data = traced
        # The argument's own data and gradient: bound, their owner the
        # Variable of each call (Trace.point_at).
        for binding in (DataBinding(x), GradBinding(x)):
            trace.arguments.append((len(trace.bindings), position - 1))
            bindings.add(binding)
        return x

    targs, tkwargs = rebuild((args, kwargs), as_input)
    guarded: set[int] = set()

    def report_optimizer(optimizer: Optimizer) -> None:
        if id(optimizer) not in guarded:
            guarded.add(id(optimizer))
            trace.guards += optimizer_guards(optimizer)

    for obj in reach(fn, args):
        if isinstance(obj, Layer):
            bindings.adopt_layer(obj)
        elif isinstance(obj, Parameter):
            bindings.adopt(obj)
        elif isinstance(obj, Optimizer):
            report_optimizer(obj)
    trace.guards.append((hooks, "version", hooks.version))
    recording.adopt = bindings.adopt
    recording.report_layer = bindings.adopt_layer
    recording.report_optimizer = report_optimizer
    adopter = Adopter(bindings, existing_variables())
    try:
        with recording_in(recording), observing.observe(adopter):
            result = fn(*targs, **tkwargs)
        late = True
        bindings.adopt_new_state()
    finally:
        finals = [binding.read() for binding, _, _ in trace.bindings]
        recording.close()
        for (binding, initial, _), final in zip(trace.bindings, finals, strict=True):
            binding.write(final.value if isinstance(final, Traced) else final)
            if isinstance(initial, Traced):
                binding.restore(initial.value)
    outputs: list[Any] = []
    grads: list[Any] = []

    def collect(x: Any) -> Any:
        outputs.append(_traced_of(x))
        grad = x.grad if isinstance(x, Variable) else None
        grads.append(None if grad is None else grad._data)  # retain_grad
        return x

    trace.output = rebuild(result, collect)
    trace.n_outputs = len(outputs)
    slots = [*outputs, *finals, *grads]
    recording.shapes = value_shapes(recording)  # buffers, constants, checks
    if graphs:
        trace.graphs = GraphPlan(recording, slots)
        trace.replay = trace.graphs.compile()
    else:
        donors = {  # a new gradient may go into the old one the step drops
            final.index: initial.index
            for (binding, initial, is_input), final in zip(
                trace.bindings, finals, strict=True
            )
            if isinstance(binding, GradBinding)
            and is_input  # its own input, not one shared with another binding
            and isinstance(initial, Traced)
            and isinstance(final, Traced)
            and _expected(final) == _expected(initial)
        }
        trace.replay = compile_replay(recording, slots, donors=donors)
    dead = trace.replay.dead_inputs  # type: ignore[attr-defined]
    donated = trace.replay.donated_inputs  # type: ignore[attr-defined]
    trace.released = [
        i
        for i, (binding, initial, is_input) in enumerate(trace.bindings)
        if isinstance(binding, GradBinding)
        and initial is not None
        and is_input
        and initial.index in dead
    ]
    trace.bound_inputs = [i for i, (_, _, inp) in enumerate(trace.bindings) if inp]
    trace.readers = [binding.read for binding, _, _ in trace.bindings]
    trace.writers = [binding.write for binding, _, _ in trace.bindings]
    trace.expected = [_expected(initial) for _, initial, _ in trace.bindings]
    trace.donated = {
        i: trace.expected[i]
        for i in trace.released
        if (initial := trace.bindings[i][1]) is not None and initial.index in donated
    }
    trace.written = [
        binding.read() if _expected(final) == expected else _NEVER
        for (binding, _, _), final, expected in zip(
            trace.bindings, finals, trace.expected, strict=True
        )
    ]
    values = [x.value if isinstance(x, Traced) else x for x in [*outputs, *grads]]
    _forget_values(recording)
    n = len(outputs)
    return trace, results(trace, values[:n], values[n:])


_NEVER = object()


def _traced_of(x: Any) -> Any:
    return x._data if isinstance(x, Variable) else x


def _expected(x: Any) -> Any:
    if x is None:
        return None
    value = x.value if isinstance(x, Traced) else x
    return (value.shape, value.dtype)


class Replayed(Variable):
    """A result of a replay: its array, with no graph behind it."""

    __slots__ = ()

    def backward(self, retain_grad: bool = False, create_graph: bool = False) -> None:
        raise JitError(
            f"xgrad.jit: backward() on the result of a replayed call, at "
            f"{user_line()}: a replay keeps no graph, so the gradient would reach "
            f"nothing. Call backward() inside the jitted function (and return the "
            f"gradients you need), or jit the whole training step"
        )


class _Forgotten:
    """The value of a recorded array once its recording ended: any use of
    the array (one kept past the step) raises."""

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):  # Python's own questions (doctest, copy, ...)
            raise AttributeError(name)
        raise JitError(FINISHED_RECORDING)


_FORGOTTEN = _Forgotten()


def _forget_values(recording: Recording) -> None:
    """Drop the arrays of the recording run: a replay (or a graph plan) needs
    only the slots, and every intermediate array of that run, last step's
    gradients among them, would otherwise live as long as the recording."""
    for traced in recording.inputs:
        traced.value = _FORGOTTEN
    for _, args, kwargs, outputs in recording.entries:
        for traced in traced_in((args, kwargs, outputs)):
            traced.value = _FORGOTTEN


def results(trace: Trace, values: list[Any], grads: list[Any]) -> Any:
    """The step's result rebuilt from output values: Variables with no graph
    (with the ``.grad`` the step left them, as ``retain_grad`` does)."""
    if isinstance(trace.output, Variable):  # most steps: the loss alone
        return _replayed(values[0], grads[0])
    it, grad_it = iter(values), iter(grads)

    def leaf(x: Any) -> Any:
        value, grad = next(it), next(grad_it)
        return _replayed(value, grad) if isinstance(x, Variable) else value

    return rebuild(trace.output, leaf)


def _replayed(value: Any, grad: Any) -> Replayed:
    out = Replayed(value)
    if grad is not None:
        out.grad = Variable(grad)
    return out


def replay(trace: Trace, leaves: list[Any], state: list[Any]) -> Any:
    """Run ``trace`` on this call's arguments (``leaves``) and the bound state
    read by :meth:`Trace.fits`; write the final state back; return the step's
    result."""
    written, donated = trace.written, trace.donated
    for i in trace.released:  # as cleargrads() would, before the first call
        trace.bindings[i][0].write(None)
        if written[i] is not _NEVER:
            written[i] = None
        expected = donated.get(i)
        # Called just so: donatable counts the references of this call shape.
        if expected is None or not donatable(state[i], expected):
            state[i] = None  # let go now (or passed as None: no donation)
    inputs = [x._data if isinstance(x, Variable) else x for x in leaves]
    inputs += [state[i] for i in trace.bound_inputs]
    state.clear()  # the caller's list too: the replay alone holds the inputs
    if trace.graphs is not None and trace.graphs.stale:  # a call refused a graph
        trace.replay = trace.graphs.compile()
    values = trace.replay(inputs)  # type: ignore[misc]
    n, m = trace.n_outputs, len(trace.bindings)
    for i, write in enumerate(trace.writers):
        value = values[n + i]
        write(value)
        if written[i] is not _NEVER:
            written[i] = value
    return results(trace, values[:n], values[n + m :])
