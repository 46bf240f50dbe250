"""One recording of a step: made by :func:`record`, run by :func:`replay`.

:func:`record` runs the step on Traced stand-ins of its arguments and state
(:mod:`.state`), with an observer that binds each Variable the step's
Functions meet; the calls become one compiled function (:mod:`.calls`).
:func:`replay` feeds that function the arguments' and the bindings' arrays
and writes the final state back. A :class:`Trace` also knows when it fits
(:meth:`Trace.holds`): the state's shapes, which state exists, and the
Python numbers a replay would not read again.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

from .. import observing
from .._compat import is_array_api_obj
from .._errors import JitError
from ..core import Parameter, Variable
from ..layers import Layer
from ..optimizer_base import Optimizer
from .calls import Recording, compile_replay
from .host import recording_in, user_line
from .state import Binding, Bindings, DataBinding, GradBinding, reach
from .traced import Traced

__all__ = ["Trace", "rebuild", "record", "replay"]


class Trace:
    """One recording, compiled: its bindings, guards and replay function."""

    def __init__(self) -> None:
        self.bindings: list[tuple[Binding, Traced | None, bool]] = []  # initial, input?
        self.finals: list[Any] = []  # final value (Traced, constant, None) per binding
        self.guards: list[tuple[Any, str, Any]] = []
        self.expected: list[Any] = []  # (shape, dtype) or None per binding
        self.output: Any = None  # the step's result, with Traced leaves
        self.replay: Callable[[list[Any]], list[Any]] | None = None
        self.written: list[Any] = []
        self.n_outputs = 0
        self.checked = False  # by check=True, once
        # Gradients the step drops unread (cleargrads): let go before a replay.
        self.released: list[Binding] = []

    def holds(self) -> bool:
        """Whether this recording fits the state as it is now."""
        for (binding, _, _), expected, last in zip(
            self.bindings, self.expected, self.written, strict=True
        ):
            value = binding.read()
            if value is last:  # what the previous replay wrote: unchanged
                continue
            if value is None or expected is None:
                if value is not expected:
                    return False
            elif (value.shape, value.dtype) != expected:
                return False
        return all(getattr(obj, name) == value for obj, name, value in self.guards)


def rebuild(obj: Any, leaf: Callable[[Any], Any]) -> Any:
    """``obj`` with every array and Variable replaced by ``leaf(it)``, in the
    order :func:`_signature` met them."""
    kind = type(obj)
    if kind in (tuple, list):
        return kind(rebuild(x, leaf) for x in obj)
    if kind is dict:
        return {k: rebuild(v, leaf) for k, v in obj.items()}
    if isinstance(obj, Variable) or is_array_api_obj(obj):
        return leaf(obj)
    return obj


class _Adopter(observing.Observer):
    """Binds the Variables a step's Functions meet that hold real arrays."""

    def __init__(self, bindings: Bindings) -> None:
        self.bindings = bindings

    def forward_preprocess(self, call: observing.Call, inputs: tuple[Any, ...]) -> None:
        for x in inputs:
            if isinstance(x, Variable) and not isinstance(x._data, Traced | None):
                if isinstance(x, Parameter):
                    self.bindings.adopt(x)
                else:
                    self.bindings.add(DataBinding(x))

    def backward_preprocess(
        self, call: observing.Call, grads: list[Variable | None]
    ) -> None:
        for x in call.function.inputs:
            if x.requires_grad and not isinstance(x._data, Traced | None):
                raise JitError(
                    f"xgrad.jit: the backward pass reaches "
                    f"{type(call.function).__name__}, made before this call (a "
                    f"graph kept from an earlier step, such as recurrent state "
                    f"not cut), at {user_line()}. A replay cannot reach an earlier "
                    f"call's graph: cut it with unchain_backward() after backward, "
                    f"as truncated backpropagation does"
                )


def record(fn: Callable[..., Any], args: Any, kwargs: Any) -> tuple[Trace, Any]:
    """Run ``fn`` on Traced arrays; its trace (compiled) and its result."""
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

    restore: list[tuple[Variable, Any]] = []

    def as_input(x: Any) -> Any:
        data = x._data if isinstance(x, Variable) else x
        traced = recording.input(data)
        if isinstance(x, Variable):
            restore.append((x, data))
            x._data = traced
            return x
        return traced

    targs, tkwargs = rebuild((args, kwargs), as_input)
    bindings = Bindings(install)
    for obj in reach(fn, args):
        if isinstance(obj, Layer):
            bindings.adopt_layer(obj)
        elif isinstance(obj, Parameter):
            bindings.adopt(obj)
        elif isinstance(obj, Optimizer):
            trace.guards += _optimizer_guards(obj)
    recording.adopt = bindings.adopt
    try:
        with recording_in(recording), observing.observe(_Adopter(bindings)):
            result = fn(*targs, **tkwargs)
        late = True
        bindings.adopt_new_state()
    finally:
        finals = [binding.read() for binding, _, _ in trace.bindings]
        recording.close()
        for binding, final in zip(
            [b for b, _, _ in trace.bindings], finals, strict=True
        ):
            binding.write(final.value if isinstance(final, Traced) else final)
        for variable, data in restore:
            variable._data = data
    outputs: list[Any] = []

    def collect(x: Any) -> Any:
        outputs.append(_traced_of(x))
        return x

    trace.output = rebuild(result, collect)
    trace.n_outputs = len(outputs)
    trace.replay = compile_replay(recording, [*outputs, *finals])
    dead = trace.replay.dead_inputs  # type: ignore[attr-defined]
    trace.released = [
        binding
        for binding, initial, is_input in trace.bindings
        if isinstance(binding, GradBinding)
        and initial is not None
        and is_input
        and initial.index in dead
    ]
    trace.expected = [_expected(initial) for _, initial, _ in trace.bindings]
    trace.written = [
        binding.read() if _expected(final) == expected else _NEVER
        for (binding, _, _), final, expected in zip(
            trace.bindings, finals, trace.expected, strict=True
        )
    ]
    values = [x.value if isinstance(x, Traced) else x for x in outputs]
    return trace, results(trace, values)


_NEVER = object()


def _traced_of(x: Any) -> Any:
    return x._data if isinstance(x, Variable) else x


def _expected(x: Any) -> Any:
    if x is None:
        return None
    value = x.value if isinstance(x, Traced) else x
    return (value.shape, value.dtype)


def results(trace: Trace, values: list[Any]) -> Any:
    """The step's result rebuilt from output values: Variables with no graph."""
    it = iter(values)
    return rebuild(
        trace.output,
        lambda x: Variable(next(it)) if isinstance(x, Variable) else next(it),
    )


def replay(trace: Trace, leaves: list[Any]) -> Any:
    inputs = [x._data if isinstance(x, Variable) else x for x in leaves]
    inputs += [binding.read() for binding, _, is_input in trace.bindings if is_input]
    for binding in trace.released:  # as cleargrads() would, early
        binding.write(None)
    values = trace.replay(inputs)  # type: ignore[misc]
    n = trace.n_outputs
    finals = values[n:]
    for (binding, _, _), value in zip(trace.bindings, finals, strict=True):
        binding.write(value)
    written = trace.written
    for i, value in enumerate(finals):
        if written[i] is not _NEVER:
            written[i] = value
    return results(trace, values[:n])


def _optimizer_guards(optimizer: Optimizer) -> list[tuple[Any, str, Any]]:
    """Python numbers a replay would not read again: a change records anew."""
    owners: list[Any] = list(optimizer.hooks)
    if not getattr(optimizer, "replayable", False):
        owners.append(optimizer)
        warnings.warn(
            f"xgrad.jit: {type(optimizer).__name__} reads its hyperparameters in "
            f"update_one, so a change of any of them (its step count t included) "
            f"records the step again; see docs/jit.md for a replayable optimizer",
            stacklevel=4,
        )
    return [
        (owner, name, value)
        for owner in owners
        for name, value in vars(owner).items()
        if isinstance(value, int | float) and not isinstance(value, bool)
    ]
