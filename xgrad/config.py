"""The switchboard: whether graphs are recorded and whether a model trains.

``Config.enable_backprop`` and ``Config.train`` read like DeZero's class
attributes, but each lives in a :class:`contextvars.ContextVar`, so a
``no_grad()`` block in one thread or asyncio task never leaks into another.
"""

from __future__ import annotations

import contextlib
import contextvars
from typing import Any

_SETTINGS: dict[str, contextvars.ContextVar[Any]] = {
    "enable_backprop": contextvars.ContextVar("enable_backprop", default=True),
    "train": contextvars.ContextVar("train", default=True),
    "max_ties": contextvars.ContextVar("max_ties", default="split"),
}
_VARIABLES = tuple(_SETTINGS.values())
#: Read on every Function call; kept as a module global for speed.
enable_backprop = _SETTINGS["enable_backprop"]


class _ConfigMeta(type):
    def __getattr__(cls, name: str) -> Any:
        try:
            return _SETTINGS[name].get()
        except KeyError:
            raise AttributeError(
                f"Config has no setting {name!r}; the settings are {sorted(_SETTINGS)}"
            ) from None

    def __setattr__(cls, name: str, value: Any) -> None:
        if name not in _SETTINGS:
            raise AttributeError(
                f"Config has no setting {name!r}; the settings are {sorted(_SETTINGS)}"
            )
        _SETTINGS[name].set(value)


class Config(metaclass=_ConfigMeta):
    """Global-looking, context-local settings.

    Attributes
    ----------
    enable_backprop : bool
        Record the computational graph (default True).
    train : bool
        Training mode, read by dropout and batch normalisation (default True).
    max_ties : {"split", "all"}
        How ``F.max``/``F.min`` share the gradient among tied extrema:
        ``"split"`` (default, as PyTorch and JAX) divides it equally, so it
        sums to the upstream gradient; ``"all"`` gives each tie the whole
        gradient, as DeZero does.
    """


# The tokens of the blocks open in this context, innermost first, as a linked
# list ``(token, rest)``: one block object may be entered in many threads or
# tasks at once (a decorator, a shared ``no_grad()``), each exiting its own.
_OPEN: contextvars.ContextVar[Any] = contextvars.ContextVar("xgrad_open", default=None)


class using_config(contextlib.ContextDecorator):  # DeZero's name
    """Set ``Config.<name>`` to ``value`` inside a ``with`` block (or a decorated call).

    A small class rather than a generator: optimizers enter ``no_grad()``
    every step, and this costs two method calls instead of contextlib's
    generator machinery. One block may be entered again, nested, or from
    several threads and asyncio tasks at once.

    Examples
    --------
    >>> import xgrad
    >>> with xgrad.using_config("train", False):
    ...     print(xgrad.Config.train)
    False
    """

    __slots__ = ("_value", "_var")

    def __init__(self, name: str, value: Any) -> None:
        try:
            self._var = _SETTINGS[name]
        except KeyError:
            raise AttributeError(
                f"using_config: no setting {name!r}; the settings are "
                f"{sorted(_SETTINGS)}"
            ) from None
        self._value = value

    def __enter__(self) -> None:
        _OPEN.set((self._var.set(self._value), _OPEN.get()))

    def __exit__(self, *exc: object) -> None:
        token, rest = _OPEN.get()
        _OPEN.set(rest)
        self._var.reset(token)


def no_grad() -> contextlib.AbstractContextManager[None]:
    """Run without recording the graph: for inference and parameter updates."""
    return using_config("enable_backprop", False)


def test_mode() -> contextlib.AbstractContextManager[None]:
    """Run with ``Config.train = False``, so dropout and batch norm act as at test."""
    return using_config("train", False)


test_mode.__test__ = False  # type: ignore[attr-defined]  # not a pytest test


def settings() -> tuple[Any, ...]:
    """Every setting's value in this context, in a fixed order (``xgrad.jit``
    keys its recordings by them)."""
    return tuple([var.get() for var in _VARIABLES])
