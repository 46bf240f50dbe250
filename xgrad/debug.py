"""Debugging switches: anomaly detection on and off, per thread or task.

``detect_anomaly()`` and ``set_debug(True)`` register an
:class:`~xgrad.anomaly.AnomalyObserver` with the engine in this context only
(:mod:`xgrad.observing`), so the checks run under ``backward()``, every
transform and ``recompute`` alike, and never reach another thread or asyncio
task. Gradient hooks (:mod:`xgrad.hooks`) and the profiler
(:mod:`xgrad.profiler`) are observers too.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from . import observing
from .anomaly import AnomalyError, AnomalyObserver
from .hooks import HookHandle

__all__ = [
    "AnomalyError",
    "HookHandle",
    "detect_anomaly",
    "is_anomaly_enabled",
    "set_debug",
]


def _with_anomaly(enabled: bool) -> tuple[observing.Observer, ...]:
    """This context's observers with anomaly detection turned on or off.

    The anomaly observer goes first, so its checks run after every other
    observer has seen a call (a profile still counts the call that raised).
    """
    others = tuple(o for o in observing.observers() if type(o) is not AnomalyObserver)
    return (AnomalyObserver(), *others) if enabled else others


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
    token = observing.set_observers(_with_anomaly(bool(enabled)))
    try:
        yield
    finally:
        observing.reset_observers(token)


def set_debug(enabled: bool) -> None:
    """Turn anomaly detection on or off in this context until changed again.

    The spelling without a ``with`` block, for a whole script or notebook.
    """
    observing.set_observers(_with_anomaly(bool(enabled)))


def is_anomaly_enabled() -> bool:
    """Whether anomaly detection is on in this context."""
    return any(type(o) is AnomalyObserver for o in observing.observers())
