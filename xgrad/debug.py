"""Debugging the engine: anomaly detection, gradient hooks, and the switch they share.

While nothing is on, ``core._debug`` is None and the engine pays one check
per Function call and one per backward pass. While a hook, or an anomaly or
profiling state, is alive anywhere it is :data:`_ENGINE`, whose slow paths
read this context's state from a ContextVar: ``detect_anomaly()`` and
``profile()`` in one thread or asyncio task never reach another, while
gradient hooks belong to their Variable and act in every context.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import itertools
import threading
import time
import weakref
from collections.abc import Callable, Iterator
from typing import Any, Self

from . import backprop, core
from .anomaly import AnomalyError, backward_error, call_site, forward_error, nonfinite
from .core import Function, Variable, as_variable

__all__ = [
    "AnomalyError",
    "HookHandle",
    "detect_anomaly",
    "is_anomaly_enabled",
    "set_debug",
]

_clock = time.perf_counter
_lock = threading.RLock()  # guards the counts below and core._debug
_current: contextvars.ContextVar[_State | None] = contextvars.ContextVar(
    "xgrad_debug", default=None
)
_live_states = 0
_hooks: dict[int, dict[int, Callable[[Variable], Any]]] = {}  # id(Variable) ->
_ends: dict[int, weakref.finalize] = {}  # ... and what drops them when it dies
_keys = itertools.count()


def _update() -> None:
    """Route the engine through here while a state or a hook is alive (hold _lock)."""
    core._debug = _ENGINE if _live_states or _hooks else None


# -- the per-context state -------------------------------------------------------
class _State:
    """What is on in one context: anomaly detection and the active profiles.

    A state lives as long as some context (a thread's, a task's copy) or a
    token holds it, and is counted meanwhile. Call stacks are per thread, for
    a context copied into another thread.
    """

    __slots__ = ("__weakref__", "anomaly", "local", "profiles")

    def __init__(self, anomaly: bool, profiles: tuple[Any, ...]) -> None:
        self.anomaly = anomaly
        self.profiles = profiles
        self.local = threading.local()
        _count_state(+1)
        weakref.finalize(self, _count_state, -1).atexit = False

    def stack(self) -> list[list[Any]]:
        """Running forwards and backwards: ``[function, phase, time in callees]``."""
        try:
            return self.local.stack
        except AttributeError:
            self.local.stack = []
            return self.local.stack

    # call() calls the Function again; intercept() lets that inner call through.
    def intercept(self, f: Function) -> bool:
        if getattr(self.local, "inside", None) is f:
            self.local.inside = None
            return False
        return True

    def call(self, f: Function, inputs: tuple[Any, ...]) -> Any:
        stack = self.stack()
        if self.anomaly:
            f._xgrad_site = call_site(stack)  # type: ignore[attr-defined]
        entry = [f, "forward", 0.0]
        stack.append(entry)
        self.local.inside = f
        start = _clock()
        try:
            outputs = f(*inputs)
        finally:
            self.local.inside = None
            self._record(stack, entry, _clock() - start)
        if self.anomaly:
            for i, y in enumerate(outputs if isinstance(outputs, list) else [outputs]):
                bad = nonfinite(y.data)
                if bad:
                    raise forward_error(f, inputs, i, bad, stack)
        return outputs

    def backward(
        self, f: Function, backward: Callable[..., Any], gys: list[Any]
    ) -> Any:
        stack = self.stack()
        entry = [f, "backward", 0.0]
        stack.append(entry)
        start = _clock()
        try:
            gxs = backward(*gys)
        finally:
            self._record(stack, entry, _clock() - start)
        if self.anomaly:
            for i, gx in enumerate(_as_tuple(gxs)):
                bad = None if gx is None else nonfinite(as_variable(gx).data)
                if bad:
                    raise backward_error(f, i, bad, None)
        return gxs

    def _record(self, stack: list[list[Any]], entry: list[Any], seconds: float) -> None:
        stack.pop()
        if stack:
            stack[-1][2] += seconds
        for p in self.profiles:  # self time: callees are in their own rows
            p._add(type(entry[0]), entry[1], seconds - entry[2])


def _count_state(change: int) -> None:
    global _live_states
    with _lock:
        _live_states += change
        _update()


def _set_state(anomaly: bool, profiles: tuple[Any, ...]) -> contextvars.Token[Any]:
    state = _State(anomaly, profiles) if anomaly or profiles else None
    return _current.set(state)


def _profiles() -> tuple[Any, ...]:
    state = _current.get()
    return () if state is None else state.profiles


@contextlib.contextmanager
def detect_anomaly(enabled: bool = True) -> Iterator[None]:
    """Raise :class:`AnomalyError` at the first NaN or Inf, forward or backward.

    Inside the block every Function call records where it was called from and
    checks its outputs, and every backward checks the gradients it returns;
    the error names the Function, its inputs' shapes, dtypes, backend and
    device, and the source line of the forward call. Only this thread or task
    is affected. ``detect_anomaly(False)`` turns it off inside a block.

    Examples
    --------
    >>> import numpy as np, xgrad, xgrad.functions as F
    >>> x = xgrad.Variable(np.array([0.0]))
    >>> with xgrad.detect_anomaly():
    ...     F.sqrt(x).backward()  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    xgrad.anomaly.AnomalyError: the backward of Sqrt produced Inf...
    """
    token = _set_state(bool(enabled), _profiles())
    try:
        yield
    finally:
        _current.reset(token)


def set_debug(enabled: bool) -> None:
    """Turn anomaly detection on or off in this context until changed again.

    The spelling without a ``with`` block, for a whole script or notebook.
    """
    _set_state(bool(enabled), _profiles())


def is_anomaly_enabled() -> bool:
    """Whether anomaly detection is on in this context."""
    state = _current.get()
    return state is not None and state.anomaly


def _as_tuple(gxs: Any) -> tuple[Any, ...]:
    if type(gxs) is tuple:
        return gxs
    return tuple(gxs) if isinstance(gxs, list) else (gxs,)


# -- gradient hooks -----------------------------------------------------------------
class HookHandle:
    """Returned by :meth:`Variable.register_hook`; ``remove()`` takes the hook off.

    Also a context manager: the hook is removed when the block ends.
    """

    __slots__ = ("_key", "_ref")

    def __init__(self, x: Variable, key: int) -> None:
        self._ref = weakref.ref(x)
        self._key = key

    def remove(self) -> None:
        x = self._ref()
        with _lock:
            hooks = None if x is None else _hooks.get(id(x))
            if hooks is None:
                return
            hooks.pop(self._key, None)
            if not hooks:
                del _hooks[id(x)]
                _ends.pop(id(x)).detach()
                _update()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.remove()


def register_hook(self: Variable, hook: Callable[[Variable], Any]) -> HookHandle:
    """Call ``hook(grad)`` once this Variable's gradient in a backward pass is whole.

    ``hook`` gets the gradient (a Variable) and returns None to keep it or a
    Variable of the same shape to replace it. It runs once per pass, on the
    sum of that pass's contributions: for a Variable made by a Function, just
    before that Function's backward uses it (a replacement flows upstream);
    for a leaf, at the end, before it is added to ``.grad``. Under
    ``create_graph=True`` what the hook computes is differentiable.

    Returns
    -------
    HookHandle
        ``handle.remove()`` takes the hook off (also a context manager).

    Examples
    --------
    >>> import numpy as np
    >>> import xgrad
    >>> x = xgrad.Variable(np.array(3.0))
    >>> handle = x.register_hook(lambda g: g * 10)
    >>> (x * x).backward()
    >>> x.grad
    variable(60.0)
    >>> handle.remove()
    """
    if not callable(hook):
        raise TypeError(
            f"register_hook: expected a function grad -> Variable | None, "
            f"got {type(hook).__name__}"
        )
    key = id(self)
    with _lock:
        hooks = _hooks.get(key)
        if hooks is None:
            hooks = _hooks[key] = {}
            _ends[key] = weakref.finalize(self, _forget, key)
            _ends[key].atexit = False
        n = next(_keys)
        hooks[n] = hook
        _update()
    return HookHandle(self, n)


Variable.register_hook = register_hook  # type: ignore[attr-defined]  # as operators


def _forget(key: int) -> None:
    """A hooked Variable died: drop its hooks."""
    with _lock:
        del _hooks[key], _ends[key]
        _update()


def _run_hooks(x: Variable, grad: Variable) -> Variable:
    for hook in list(_hooks.get(id(x), {}).values()):
        out = hook(grad)
        if out is None:
            continue
        out = as_variable(out)
        if tuple(out.shape) != tuple(grad.shape):
            raise ValueError(
                f"gradient hook {getattr(hook, '__qualname__', hook)!r} returned "
                f"shape {out.shape} for a gradient of shape {grad.shape}; a hook "
                f"must keep the gradient's shape"
            )
        grad = out
    return grad


# -- the engine's slow paths ------------------------------------------------------------
class _Engine:
    """What ``core._debug`` holds while any debugging is on anywhere."""

    def __init__(self) -> None:
        self.local = threading.local()

    def intercept(self, f: Function) -> bool:
        state = _current.get()
        return state is not None and state.intercept(f)

    def call(self, f: Function, inputs: tuple[Any, ...]) -> Any:
        return _current.get().call(f, inputs)  # type: ignore[union-attr]

    def intercept_pass(self, start: Function) -> bool:
        if getattr(self.local, "start", None) is start:  # our own call: plain path
            self.local.start = None
            return False
        return _current.get() is not None or bool(_hooks)

    def backpropagate(self, start: Function, retain_grad: bool) -> None:
        """Run ``backprop.backpropagate`` with every Function's backward instrumented."""
        run = _Pass(start, _current.get())
        wrapped = run.instrument()
        self.local.start = start
        try:
            backprop.backpropagate(start, retain_grad)
        finally:
            self.local.start = None
            for f in wrapped:
                del f.backward
        run.finish()


_ENGINE = _Engine()


class _Pass:
    """One backward pass on the slow path: hooks, timing and checks.

    Each Function of the graph gets an instance attribute ``backward`` that
    wraps its own for the pass. A hooked Variable's gradient from this pass is
    held apart from any older ``.grad`` until it is complete: for a Variable
    made by a Function, when that Function's backward is next (every consumer
    has run); for a leaf, at the end. Then the hooks see it, and their result
    is added to ``.grad``.
    """

    __slots__ = ("pending", "start", "state")

    def __init__(self, start: Function, state: _State | None) -> None:
        self.start = start
        self.state = state
        self.pending: dict[int, tuple[Variable, Variable | None]] = {}

    def instrument(self) -> list[Function]:
        wrapped, seen, todo = [], {start := self.start}, [start]
        while todo:
            f = todo.pop()
            if "backward" not in f.__dict__:  # else another pass has it
                f.backward = functools.partial(self.backward, f, f.backward)
                wrapped.append(f)
            for x in f.inputs:
                if x.creator is not None and x.creator not in seen:
                    seen.add(x.creator)
                    todo.append(x.creator)
        return wrapped

    def backward(self, f: Function, backward: Callable[..., Any], *gys: Any) -> Any:
        grads = list(gys)
        for i, ref in enumerate(f.outputs):
            y = ref()
            if y is None or id(y) not in _hooks:
                continue
            held = self.pending.pop(id(y), None)
            if held is not None:
                self._settle(y, held[1])
                grads[i] = y.grad
            elif f is self.start and y.grad is not None:  # the seed
                y.grad = grads[i] = _run_hooks(y, y.grad)
        state = self.state
        gxs = backward(*grads) if state is None else state.backward(f, backward, grads)
        gxs = _as_tuple(gxs)
        for x, gx in zip(f.inputs, gxs, strict=False):
            if gx is not None and id(x) in _hooks and id(x) not in self.pending:
                self.pending[id(x)] = (x, x.grad)  # hold older .grad apart
                x.grad = None
        return gxs

    def finish(self) -> None:
        """Run the hooks of the leaves, whose gradients are now complete."""
        for x, prior in self.pending.values():
            self._settle(x, prior)
        self.pending.clear()

    @staticmethod
    def _settle(x: Variable, prior: Variable | None) -> None:
        if x.grad is None:
            x.grad = prior
            return
        grad = _run_hooks(x, x.grad)
        x.grad = grad if prior is None else prior + grad
