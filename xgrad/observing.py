"""Observers: the one place where debugging tools plug into the engine.

An :class:`Observer` is told before and after every Function's forward and
backward, and sees each gradient once it is complete in a backward pass (the
model is Chainer's ``FunctionHook``). Anomaly detection, the profiler and
gradient hooks are observers; so is anything a user writes. The engine
(``Function.__call__`` and :func:`xgrad.backprop.run`) calls them, so they
act the same under ``backward()``, every transform of
:mod:`xgrad.functional` and :func:`xgrad.recompute`: nothing patches a
Function.

Observers registered with :func:`observe` belong to one context (a thread or
an asyncio task, through a ContextVar); gradient hooks belong to their
Variable and act in every context (:mod:`xgrad.hooks`). While none is
registered anywhere, :data:`active` is False and the engine pays one check
per Function call and one per backward pass.

Examples
--------
>>> import numpy as np, xgrad, xgrad.functions as F
>>> class CountBackward(Observer):
...     def __init__(self):
...         self.names = []
...     def backward_postprocess(self, call, grads, grad_inputs):
...         self.names.append(type(call.function).__name__)
>>> counter = CountBackward()
>>> with observe(counter):
...     F.sum(F.exp(xgrad.Variable(np.ones(2)))).backward()
>>> counter.names
['Sum', 'Exp']
"""

from __future__ import annotations

import contextlib
import contextvars
import threading
import time
import weakref
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, Self

if TYPE_CHECKING:
    from .function import Function
    from .variable import Variable

__all__ = ["Call", "Observer", "active", "observe", "observers"]

#: Whether any observer is registered anywhere: the engine's one fast-path check.
active = False

_lock = threading.RLock()
_live_sets = 0  # observer tuples alive in some context
_global: list[Observer] = []  # observers of every context (gradient hooks)
_current: contextvars.ContextVar[_Set | None] = contextvars.ContextVar(
    "xgrad_observers", default=None
)
_calls = threading.local()  # each thread's stack of running Calls


class Call:
    """One observed forward or backward of a Function, as observers see it.

    Attributes
    ----------
    function : Function
        The Function running.
    phase : {"forward", "backward"}
        Which of its two methods.
    seconds : float
        How long the method ran (set before the ``*_postprocess`` calls).
    callee_seconds : float
        The part of ``seconds`` spent in observed calls it made (the ops a
        backward runs), so ``seconds - callee_seconds`` is its self time.
    """

    __slots__ = ("callee_seconds", "function", "phase", "seconds")

    def __init__(self, function: Function, phase: str) -> None:
        self.function = function
        self.phase = phase
        self.seconds = 0.0
        self.callee_seconds = 0.0

    def __repr__(self) -> str:
        return f"<Call {type(self.function).__name__}.{self.phase}>"


class Observer:
    """Base class of engine observers; every method does nothing by default.

    ``call`` is the :class:`Call` record; ``inputs``/``outputs`` are the
    Variables of a forward, ``grads`` the gradients a backward receives (one
    per output, None where an output got none) and ``grad_inputs`` the tuple
    it returned. A method may raise to stop the computation there.
    """

    def forward_preprocess(self, call: Call, inputs: tuple[Any, ...]) -> None:
        """Before ``call.function.forward`` runs."""

    def forward_postprocess(
        self, call: Call, inputs: tuple[Any, ...], outputs: Variable | list[Variable]
    ) -> None:
        """After it ran; ``outputs`` is what the call returns."""

    def backward_preprocess(self, call: Call, grads: list[Variable | None]) -> None:
        """Before ``call.function.backward`` runs."""

    def backward_postprocess(
        self,
        call: Call,
        grads: list[Variable | None],
        grad_inputs: tuple[Any, ...],
    ) -> None:
        """After it ran."""

    def gradient(self, variable: Variable, grad: Variable) -> Variable | None:
        """``variable``'s gradient in this pass is complete: None keeps it, a
        Variable of the same shape replaces it (for everything upstream)."""
        return None


class _Set:
    """The observers of one context, counted while any context holds them."""

    __slots__ = ("__weakref__", "observers")

    def __init__(self, observers: tuple[Observer, ...]) -> None:
        self.observers = observers
        _count(+1)
        weakref.finalize(self, _count, -1).atexit = False


def _update() -> None:
    """Recompute :data:`active` (hold ``_lock``)."""
    global active
    active = _live_sets > 0 or bool(_global)


def _count(change: int) -> None:
    global _live_sets
    with _lock:
        _live_sets += change
        _update()


def observers() -> tuple[Observer, ...]:
    """The observers of this context, outermost first (global ones excluded)."""
    found = _current.get()
    return () if found is None else found.observers


def set_observers(items: tuple[Observer, ...]) -> contextvars.Token[Any]:
    """Make ``items`` this context's observers; the token undoes it."""
    return _current.set(_Set(items) if items else None)


def reset_observers(token: contextvars.Token[Any]) -> None:
    _current.reset(token)


@contextlib.contextmanager
def observe(observer: Observer) -> Iterator[Observer]:
    """Register ``observer`` in this context (thread or task) inside a block."""
    token = set_observers((*observers(), observer))
    try:
        yield observer
    finally:
        _current.reset(token)


def add_global(observer: Observer) -> None:
    """Register ``observer`` in every context until :func:`remove_global`."""
    with _lock:
        _global.append(observer)
        _update()


def remove_global(observer: Observer) -> None:
    with _lock:
        _global.remove(observer)
        _update()


def _everyone() -> tuple[Observer, ...]:
    return (*_global, *observers())


def _stack() -> list[Call]:
    try:
        return _calls.stack
    except AttributeError:
        _calls.stack = []
        return _calls.stack


def running() -> list[Call]:
    """This thread's observed calls in progress, innermost last."""
    return list(_stack())


class _Running:
    """Keep ``call`` on this thread's stack while it runs, however it ends, and
    add its time to its caller's ``callee_seconds``."""

    __slots__ = ("call", "stack", "started")

    def __init__(self, call: Call) -> None:
        self.call = call
        self.stack = _stack()
        self.started = 0.0

    def __enter__(self) -> Self:
        self.stack.append(self.call)
        return self

    def start(self) -> None:
        self.started = time.perf_counter()

    def stop(self) -> None:
        self.call.seconds = time.perf_counter() - self.started

    def __exit__(self, *exc: object) -> None:
        if self.started and not self.call.seconds:  # raised while running
            self.stop()
        self.stack.pop()
        if self.stack:
            self.stack[-1].callee_seconds += self.call.seconds


def forward(function: Function, inputs: tuple[Any, ...]) -> Any:
    """``function(*inputs)`` with this context's observers told (the slow path)."""
    everyone = observers()  # gradient hooks (global) ignore forwards
    if not everyone:
        return function(*inputs, _observed=True)
    call = Call(function, "forward")
    with _Running(call) as running_call:
        for o in everyone:
            o.forward_preprocess(call, inputs)
        running_call.start()
        outputs = function(*inputs, _observed=True)
        running_call.stop()
        for o in reversed(everyone):
            o.forward_postprocess(call, inputs, outputs)
    return outputs


class Dispatch:
    """The observers of one backward pass, as :func:`xgrad.backprop.run` calls them."""

    __slots__ = ("everyone",)

    def __init__(self, everyone: tuple[Observer, ...]) -> None:
        self.everyone = everyone

    def backward(self, function: Function, grads: list[Variable | None]) -> Any:
        call = Call(function, "backward")
        with _Running(call) as running_call:
            for o in self.everyone:
                o.backward_preprocess(call, grads)
            running_call.start()
            grad_inputs = function.backward(*grads)
            running_call.stop()
            as_tuple = as_grad_tuple(grad_inputs)
            for o in reversed(self.everyone):
                o.backward_postprocess(call, grads, as_tuple)
        return grad_inputs

    def gradient(self, variable: Variable, grad: Variable) -> Variable:
        for o in self.everyone:
            replaced = o.gradient(variable, grad)
            if replaced is not None:
                grad = replaced
        return grad


def as_grad_tuple(grad_inputs: Any) -> tuple[Any, ...]:
    """What a backward returned, as a tuple (it may return one gradient or a list)."""
    if type(grad_inputs) is tuple:
        return grad_inputs
    return tuple(grad_inputs) if isinstance(grad_inputs, list) else (grad_inputs,)


def dispatch() -> Dispatch | None:
    """The observers a backward pass starting now must call, or None."""
    if not active:
        return None
    everyone = _everyone()
    return Dispatch(everyone) if everyone else None


def gradient(variable: Variable, grad: Variable) -> Variable:
    """Tell every observer that ``variable``'s gradient is complete (a transform's
    argument, which the pass reached through a node standing for it)."""
    found = dispatch()
    return grad if found is None else found.gradient(variable, grad)
