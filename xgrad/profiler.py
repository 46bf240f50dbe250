"""Where the time goes: calls and time per Function type, forward and backward.

Examples
--------
>>> import numpy as np
>>> import xgrad
>>> import xgrad.functions as F
>>> x = xgrad.Variable(np.ones(3))
>>> with xgrad.profile() as p:
...     F.sum(F.tanh(x)).backward()
>>> p.stats["Tanh"].forward_calls, p.stats["Tanh"].backward_calls
(1, 1)
>>> print(p)  # doctest: +SKIP
"""

from __future__ import annotations

import contextlib
import dataclasses
import time
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from . import observing

if TYPE_CHECKING:
    from .variable import Variable

__all__ = ["FunctionStats", "Profile", "ProfileObserver", "profile"]


@dataclasses.dataclass
class FunctionStats:
    """Calls and seconds of one Function type.

    Times are *self* times: a Function's forward or backward excludes the
    Functions it calls, which have their own rows (``Tanh``'s backward calls
    ``TanhGrad``), so the rows add up to the time spent in Functions.
    """

    name: str
    forward_calls: int = 0
    forward_time: float = 0.0
    backward_calls: int = 0
    backward_time: float = 0.0

    @property
    def calls(self) -> int:
        return self.forward_calls + self.backward_calls

    @property
    def total_time(self) -> float:
        return self.forward_time + self.backward_time


class Profile:
    """What :func:`profile` recorded; ``print(p)`` shows :meth:`table`.

    Attributes
    ----------
    wall_time : float
        Seconds the ``with`` block took (so far, while it runs).
    """

    def __init__(self) -> None:
        self._by_type: dict[type, FunctionStats] = {}
        self._start = time.perf_counter()
        self._end: float | None = None

    def _add(self, cls: type, phase: str, seconds: float) -> None:
        entry = self._by_type.get(cls)
        if entry is None:
            entry = self._by_type[cls] = FunctionStats(cls.__name__)
            if any(
                s.name == cls.__name__ for c, s in self._by_type.items() if c is not cls
            ):
                entry.name = f"{cls.__module__}.{cls.__qualname__}"
        if phase == "forward":
            entry.forward_calls += 1
            entry.forward_time += seconds
        else:
            entry.backward_calls += 1
            entry.backward_time += seconds

    @property
    def wall_time(self) -> float:
        end = time.perf_counter() if self._end is None else self._end
        return end - self._start

    @property
    def stats(self) -> dict[str, FunctionStats]:
        """Function name -> :class:`FunctionStats`, longest total time first."""
        rows = sorted(self._by_type.values(), key=lambda s: -s.total_time)
        return {s.name: dataclasses.replace(s) for s in rows}

    def table(self, limit: int | None = None) -> str:
        """A table of calls and self times per Function, longest total first."""
        rows = list(self.stats.values())
        total = sum(s.total_time for s in rows) or 1.0
        width = max([8, *(len(s.name) for s in rows)])
        head = f"{'Function':<{width}}  {'fwd calls':>9} {'fwd time':>10}  "
        head += f"{'bwd calls':>9} {'bwd time':>10}  {'total':>10} {'%':>5}"
        lines = [head, "-" * len(head)]
        for s in rows[:limit]:
            lines.append(
                f"{s.name:<{width}}  {s.forward_calls:>9} {_fmt(s.forward_time):>10}  "
                f"{s.backward_calls:>9} {_fmt(s.backward_time):>10}  "
                f"{_fmt(s.total_time):>10} {100 * s.total_time / total:>5.1f}"
            )
        lines.append("-" * len(head))
        fwd = sum(s.forward_time for s in rows)
        bwd = sum(s.backward_time for s in rows)
        lines.append(
            f"{'all':<{width}}  {sum(s.forward_calls for s in rows):>9} {_fmt(fwd):>10}  "
            f"{sum(s.backward_calls for s in rows):>9} {_fmt(bwd):>10}  "
            f"{_fmt(fwd + bwd):>10}"
        )
        lines.append(
            f"self times (callees in their own rows); wall time {_fmt(self.wall_time)}"
        )
        return "\n".join(lines)

    __str__ = table

    def __repr__(self) -> str:
        return (
            f"<Profile: {len(self._by_type)} Function types, "
            f"{sum(s.calls for s in self._by_type.values())} calls>"
        )


def _fmt(seconds: float) -> str:
    if seconds >= 1.0:
        return f"{seconds:.3f} s"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.3f} ms"
    return f"{seconds * 1e6:.1f} µs"


class ProfileObserver(observing.Observer):
    """The engine observer that adds each call's self time to a :class:`Profile`."""

    def __init__(self, profile: Profile) -> None:
        self.profile = profile

    def forward_postprocess(
        self,
        call: observing.Call,
        inputs: tuple[Any, ...],
        outputs: Variable | list[Variable],
    ) -> None:
        self._add(call)

    def backward_postprocess(
        self,
        call: observing.Call,
        grads: list[Variable | None],
        grad_inputs: tuple[Any, ...],
    ) -> None:
        self._add(call)

    def _add(self, call: observing.Call) -> None:
        seconds = call.seconds - call.callee_seconds  # callees have their own rows
        self.profile._add(type(call.function), call.phase, seconds)


@contextlib.contextmanager
def profile() -> Iterator[Profile]:
    """Record calls and time per Function type inside a ``with`` block.

    Forward and backward are counted separately; times are self times (see
    :class:`FunctionStats`). Only this thread or task is recorded; a nested
    ``profile()`` records into both. Anomaly detection, if on, stays on.
    Backward calls are counted under ``backward()`` and every transform of
    :mod:`xgrad.functional` alike.

    Examples
    --------
    >>> import numpy as np, xgrad, xgrad.functions as F
    >>> with xgrad.profile() as p:
    ...     F.sum(F.exp(xgrad.Variable(np.ones(3)))).backward()
    >>> e = p.stats["Exp"]
    >>> e.forward_calls, e.backward_calls
    (1, 1)
    """
    p = Profile()
    with observing.observe(ProfileObserver(p)):
        try:
            yield p
        finally:
            p._end = time.perf_counter()
