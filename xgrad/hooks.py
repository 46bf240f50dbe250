"""Gradient hooks: ``Variable.register_hook(fn)`` looks at or replaces a gradient.

Hooks belong to their Variable and act in every thread. While any hook is
registered, one global :class:`~xgrad.observing.Observer` runs them when the
engine reports a Variable's gradient complete: once per backward pass that
computes it, under ``backward()``, every transform and ``recompute`` alike.
"""

from __future__ import annotations

import itertools
import threading
import weakref
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Self

from . import observing

if TYPE_CHECKING:
    from .variable import Variable

__all__ = ["HookHandle", "register_hook"]

_lock = threading.RLock()
_hooks: dict[int, dict[int, Callable[[Variable], Any]]] = {}  # id(Variable) -> hooks
_ends: dict[int, weakref.finalize] = {}  # ... and what drops them when it dies
_keys = itertools.count()
#: Counts every hook added or removed: xgrad.jit records again when it moves.
version = 0


class _RunHooks(observing.Observer):
    """The global observer that calls each Variable's hooks on its gradient."""

    def gradient(self, variable: Variable, grad: Variable) -> Variable | None:
        hooks = _hooks.get(id(variable))
        if not hooks:
            return None
        for hook in list(hooks.values()):
            out = hook(grad)
            if out is None:
                continue
            if not hasattr(out, "creator"):  # an array: the gradient's type
                out = type(grad)(out)
            if tuple(out.shape) != tuple(grad.shape):
                raise ValueError(
                    f"gradient hook {getattr(hook, '__qualname__', hook)!r} returned "
                    f"shape {tuple(out.shape)} for a gradient of shape "
                    f"{tuple(grad.shape)}; a hook must keep the gradient's shape"
                )
            grad = out
        return grad


_OBSERVER = _RunHooks()


def _changed(before: bool) -> None:
    """Register the observer when the first hook comes, drop it after the last."""
    global version
    version += 1
    if before and not _hooks:
        observing.remove_global(_OBSERVER)
    elif not before and _hooks:
        observing.add_global(_OBSERVER)


class HookHandle:
    """Returned by ``Variable.register_hook``; ``remove()`` takes the hook off.

    Also a context manager: the hook is removed when the block ends.
    """

    __slots__ = ("_key", "_ref")

    def __init__(self, x: Variable, key: int) -> None:
        self._ref = weakref.ref(x)
        self._key = key

    def remove(self) -> None:
        """Take the hook off (a second call does nothing)."""
        x = self._ref()
        with _lock:
            hooks = None if x is None else _hooks.get(id(x))
            if hooks is None or self._key not in hooks:
                return
            del hooks[self._key]
            if not hooks:
                del _hooks[id(x)]
                _ends.pop(id(x)).detach()
            _changed(
                before=True
            )  # counts the change; drops the observer after the last

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.remove()


def register_hook(x: Variable, hook: Callable[[Variable], Any]) -> HookHandle:
    """Call ``hook(grad)`` each time a backward pass completes ``x``'s gradient.

    See ``Variable.register_hook``, which calls this.
    """
    if not callable(hook):
        raise TypeError(
            f"register_hook: expected a function grad -> Variable | None, "
            f"got {type(hook).__name__}"
        )
    key = id(x)
    with _lock:
        had = bool(_hooks)
        hooks = _hooks.get(key)
        if hooks is None:
            hooks = _hooks[key] = {}
            _ends[key] = weakref.finalize(x, _forget, key)
            _ends[key].atexit = False
        n = next(_keys)
        hooks[n] = hook
        _changed(before=had)
    return HookHandle(x, n)


def _forget(key: int) -> None:
    """A hooked Variable died: drop its hooks."""
    with _lock:
        del _hooks[key], _ends[key]
        _changed(before=True)
