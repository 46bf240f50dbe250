"""``xgrad.jit``: run a step eagerly once, record it once, then replay it.

See docs/jit.md. A :class:`Jitted` function keeps, per signature of its
arguments (shapes, dtypes, devices and backends of arrays; values of other
arguments; ``Config.train`` and ``enable_backprop``), up to ``max_traces``
recordings. The first call of a signature runs eagerly (lazy layers and
optimizer state come into being), the second records, the later ones replay
the recording whose guards hold (the state's shapes, which state exists,
hyperparameters that a replay would not read again).
"""

from __future__ import annotations

import functools
import threading
import warnings
from collections.abc import Callable
from typing import Any

from .. import backends, observing
from ..config import Config, enable_backprop
from ..core import Parameter, Variable
from ..layers import Layer
from ..optimizer_base import Optimizer
from .._errors import JitError
from .host import current, recording_in
from .calls import Recording, compile_replay
from .state import Binding, Bindings, DataBinding, reach
from .traced import Traced

__all__ = ["Jitted", "jit"]


def jit(
    fn: Callable[..., Any] | None = None, *, max_traces: int = 8, check: bool = False
) -> Any:
    """Trace ``fn`` once and replay it: ``@xgrad.jit`` on a training step.

    Parameters
    ----------
    fn : callable
        The step. It takes arrays, Variables and any other values, and
        returns Variables, arrays, or tuples, lists and dicts of them.
    max_traces : int
        Recordings kept per signature; beyond them a call runs eagerly.
    check : bool
        Run the first replay side by side with an eager call and raise
        :class:`JitError` if they differ (a debugging aid; slow).
    """
    if fn is None:
        return functools.partial(jit, max_traces=max_traces, check=check)
    return Jitted(fn, max_traces=max_traces, check=check)


class _Trace:
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


class Jitted:
    """A jitted function (:func:`jit`); call it as ``fn`` itself."""

    def __init__(self, fn: Callable[..., Any], max_traces: int, check: bool) -> None:
        self.fn, self.max_traces, self.check = fn, max_traces, check
        self._cache: dict[Any, list[Any]] = {}  # signature -> [calls, traces]
        self._lock = threading.RLock()
        functools.update_wrapper(self, fn)  # type: ignore[arg-type]

    @property
    def source(self) -> list[str]:
        """The replay code of every recording (for reading and debugging)."""
        return [t.replay.source for _, traces in self._cache.values() for t in traces]

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if current() is not None:  # inside another recording: part of it
            return self.fn(*args, **kwargs)
        leaves: list[Any] = []
        key = _signature((args, kwargs), leaves)
        if key is None:  # a lazy backend (Dask): nothing to gain
            return self.fn(*args, **kwargs)
        with self._lock:
            entry = self._cache.setdefault(key, [0, []])
            entry[0] += 1
            for trace in entry[1]:
                if trace.holds():
                    return _replay(trace, leaves)
            if entry[0] == 1 or len(entry[1]) >= self.max_traces:
                return self.fn(*args, **kwargs)  # warm-up, or too many variants
            trace, result = _record(self.fn, args, kwargs)
            entry[1].append(trace)
            return result


def _signature(obj: Any, leaves: list[Any]) -> Any:
    """A hashable key of the arguments; their arrays appended to ``leaves``."""
    parts: list[Any] = [Config.train, enable_backprop.get()]
    pending = [obj]
    while pending:
        x = pending.pop()
        kind = type(x)
        if kind in (tuple, list):
            parts.append((kind, len(x)))
            pending += reversed(x)
        elif kind is dict:
            parts.append((kind, tuple(x)))
            pending += reversed(list(x.values()))
        elif isinstance(x, Variable) or hasattr(x, "__array_namespace__"):
            data = x._data if isinstance(x, Variable) else x
            backend = backends.of(data)
            if backend.lazy:
                return None
            device = backend.device_of(data) if backend.multi_device else None
            parts.append(
                (type(x), type(data), data.shape, str(data.dtype), str(device))
            )
            leaves.append(x)
        elif isinstance(x, Layer | Optimizer) or not _hashable(x):
            parts.append(("id", id(x)))
        else:
            parts.append(x)
    return tuple(parts)


def _hashable(x: Any) -> bool:
    try:
        hash(x)
    except TypeError:
        return False
    return True


def _rebuild(obj: Any, leaf: Callable[[Any], Any]) -> Any:
    """``obj`` with every array and Variable replaced by ``leaf(it)``, in the
    order :func:`_signature` met them."""
    kind = type(obj)
    if kind in (tuple, list):
        return kind(_rebuild(x, leaf) for x in obj)
    if kind is dict:
        return {k: _rebuild(v, leaf) for k, v in obj.items()}
    if isinstance(obj, Variable) or hasattr(obj, "__array_namespace__"):
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


def _record(fn: Callable[..., Any], args: Any, kwargs: Any) -> tuple[_Trace, Any]:
    """Run ``fn`` on Traced arrays; its trace (compiled) and its result."""
    recording, trace = Recording(), _Trace()
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

    targs, tkwargs = _rebuild((args, kwargs), as_input)
    bindings = Bindings(install)
    for obj in reach(fn, args):
        if isinstance(obj, Layer):
            bindings.adopt_layer(obj)
        elif isinstance(obj, Parameter):
            bindings.adopt(obj)
        else:
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
    trace.output = _rebuild(result, lambda x: outputs.append(_traced_of(x)) or x)
    trace.n_outputs = len(outputs)
    trace.replay = compile_replay(recording, [*outputs, *finals])
    trace.expected = [_expected(initial) for _, initial, _ in trace.bindings]
    trace.written = [
        binding.read() if _expected(final) == expected else _NEVER
        for (binding, _, _), final, expected in zip(
            trace.bindings, finals, trace.expected, strict=True
        )
    ]
    values = [x.value if isinstance(x, Traced) else x for x in outputs]
    return trace, _results(trace, values)


_NEVER = object()


def _traced_of(x: Any) -> Any:
    return x._data if isinstance(x, Variable) else x


def _expected(x: Any) -> Any:
    if x is None:
        return None
    value = x.value if isinstance(x, Traced) else x
    return (value.shape, value.dtype)


def _results(trace: _Trace, values: list[Any]) -> Any:
    """The step's result rebuilt from output values: Variables with no graph."""
    it = iter(values)
    return _rebuild(
        trace.output,
        lambda x: Variable(next(it)) if isinstance(x, Variable) else next(it),
    )


def _replay(trace: _Trace, leaves: list[Any]) -> Any:
    inputs = [x._data if isinstance(x, Variable) else x for x in leaves]
    inputs += [binding.read() for binding, _, is_input in trace.bindings if is_input]
    values = trace.replay(inputs)  # type: ignore[misc]
    n = trace.n_outputs
    finals = values[n:]
    for (binding, _, _), value in zip(trace.bindings, finals, strict=True):
        binding.write(value)
    written = trace.written
    for i, value in enumerate(finals):
        if written[i] is not _NEVER:
            written[i] = value
    return _results(trace, values[:n])


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
