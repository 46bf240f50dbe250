"""One recording of a step: made by :func:`record`, run by :meth:`Trace.run`.

:func:`record` runs the step on Traced stand-ins of its arguments and state
(:mod:`.state`), with an observer that binds each Variable the step's
Functions meet; the calls become one compiled function (:mod:`.calls`).
:meth:`Trace.run` feeds that function the arguments' and the bindings'
arrays and writes the final state back, and :meth:`Trace.fits` says whether
the recording fits a call: the state's shapes, which state exists, and the
Python numbers a replay would not read again (both written as code for the
recording, :mod:`.glue`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .. import hooks, observing
from .._errors import FINISHED_RECORDING, JitError
from ..core import Parameter, Variable
from ..layers import Layer
from ..optimizer_base import Optimizer
from .buffers import memory_order
from .calls import Recording, compile_replay
from .glue import MISS, NEVER, compile_glue, rebuild, results
from .graphs import GraphPlan
from .host import recording_in
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

__all__ = ["MISS", "Trace", "record"]


class Trace:
    """One recording, compiled: its bindings, guards and replay function."""

    def __init__(self) -> None:
        self.bindings: list[tuple[Binding, Traced | None, bool]] = []  # initial, input?
        self.guards: list[tuple[Any, str, Any]] = []
        # Per binding: (shape, dtype, memory order), or None (_expected).
        self.expected: list[Any] = []
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
        # (argument index, Variable): Variables passed as arguments that the
        # step also reaches otherwise (its model's Parameters, updated by its
        # optimizer; a Variable of its closure): a replay serves those only.
        self.pinned: list[tuple[int, Variable]] = []
        # Indices of the bindings whose values are inputs of the replay.
        self.bound_inputs: list[int] = []
        self._fits: Callable[[list[Any]], bool] | None = None  # by compile_glue
        #: ``run(leaves)``: replay on this call's arguments and the state now,
        #: write the final state back, return the step's result; :data:`MISS`
        #: where it does not fit. The glue's own function (no method between).
        self.run: Callable[[list[Any]], Any] = _not_compiled

    def point_at(self, leaves: list[Any]) -> None:
        """Make the bindings of Variable arguments those of this call's."""
        for i, position in self.arguments:
            self.bindings[i][0].owner = leaves[position]

    def fits(self, leaves: list[Any]) -> bool:
        """Whether this recording fits this call's arguments (``leaves``) and
        the state now; the bindings of Variable arguments become this call's."""
        self.point_at(leaves)
        return self._fits(leaves)  # type: ignore[misc]


def _not_compiled(leaves: list[Any]) -> Any:
    raise AssertionError("a trace runs once record() has compiled its glue")


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
    # Per array argument: None, or for a Variable the position of its first
    # occurrence among the arguments (``step(x, x)``: one Variable, one graph).
    variables: list[int | None] = []
    argument_variables: dict[int, tuple[Variable, int]] = {}  # id -> it, position

    def as_input(x: Any) -> Any:
        data = x._data if isinstance(x, Variable) else x
        met = argument_variables.get(id(x))
        if met is not None:  # its input slot goes unused: the step reads the first
            data = data.value
        traced = recording.input(data)
        if not isinstance(x, Variable):
            variables.append(None)
            return traced
        if met is None:
            x._data = traced
            met = argument_variables[id(x)] = (x, len(variables))
        variables.append(met[1])
        return x

    targs, tkwargs = rebuild((args, kwargs), as_input)
    # The Variable arguments' own data and gradients: bound once every
    # argument is an input (the replay takes the arguments' arrays first,
    # then the bound state), their owner the Variable of each call (the glue
    # reads them from the call's own).
    for x, position in argument_variables.values():
        for own in (DataBinding(x), GradBinding(x)):
            trace.arguments.append((len(trace.bindings), position))
            bindings.add(own)
    guarded: set[int] = set()

    def report_optimizer(optimizer: Optimizer) -> None:
        if id(optimizer) not in guarded:
            guarded.add(id(optimizer))
            trace.guards += optimizer_guards(optimizer)

    elsewhere = _reached_variables(fn, args)
    trace.pinned = [
        (position, x)
        for x, position in argument_variables.values()
        if id(x) in elsewhere
    ]
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
    trace.expected = [_expected(initial) for _, initial, _ in trace.bindings]
    trace.donated = {
        i: trace.expected[i]
        for i in trace.released
        if (initial := trace.bindings[i][1]) is not None and initial.index in donated
    }
    trace.written = [
        binding.read() if _expected(final) == expected else NEVER
        for (binding, _, _), final, expected in zip(
            trace.bindings, finals, trace.expected, strict=True
        )
    ]
    trace._fits, trace.run = compile_glue(trace, variables)
    values = [x.value if isinstance(x, Traced) else x for x in [*outputs, *grads]]
    _forget_values(recording)
    n = len(outputs)
    return trace, results(trace.output, values[:n], values[n:])


def _reached_variables(fn: Callable[..., Any], args: Any) -> set[int]:
    """The ids of the Variables ``fn`` reaches besides its array arguments:
    in its closure, its globals and ``self``, and the Parameters of the
    layers (and of the optimizers' targets) it reaches."""
    found: set[int] = set()
    for obj in reach(fn, rebuild(args, lambda _: None)):
        if isinstance(obj, Layer):
            found.update(id(p) for p in obj.params())
        elif isinstance(obj, Variable):
            found.add(id(obj))
    return found


def _traced_of(x: Any) -> Any:
    return x._data if isinstance(x, Variable) else x


def _expected(x: Any) -> Any:
    """What a bound array must be for the replay to fit: its shape, dtype and
    memory order (a NumPy replay writes into arrays laid out as the
    recording's: a Parameter given a Fortran-ordered array between calls is
    recorded anew, as an argument in another order is)."""
    if x is None:
        return None
    value = x.value if isinstance(x, Traced) else x
    return (value.shape, value.dtype, memory_order(value))


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
