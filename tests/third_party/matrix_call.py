"""One row of the third-party matrix: a library call made into a scalar loss.

Each row names the library and the call as the docs' table does, a loss (a
small function of Variables, written as a user would write it, that returns
a 0-d Variable), the float64 inputs it is differentiated at, and what to
expect: a gradient that agrees with central differences, or a named error
(or a Python float) because the call leaves the tape on purpose.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

PASSES = "passes"


@dataclass(frozen=True)
class Refused:
    """The call cannot be differentiated here; ``why`` says what it does.

    ``error`` is raised (matching ``match``): the call hands the data to
    NumPy, writes into the user's leaf, or mixes devices. When ``error`` is
    None the call returns a plain Python float (a metric that calls
    ``float()``), which carries no gradient.
    """

    why: str
    error: type[BaseException] | None = None
    match: str = ""


@dataclass(frozen=True)
class KnownBug:
    """A wrong gradient being fixed elsewhere: a strict xfail naming the fix."""

    reason: str


Outcome = str | Refused | KnownBug


@dataclass(frozen=True)
class Call:
    library: str
    call: str
    loss: Callable[..., Any]
    inputs: tuple[np.ndarray, ...]
    expect: Outcome = PASSES
    #: a different outcome on some backends, by backend name
    expect_on: Mapping[str, Outcome] = field(default_factory=dict)
    rtol: float = 1e-5
    atol: float = 1e-7
    #: how close the value on Variables is to the same loss on NumPy arrays
    value_rtol: float = 1e-10
    #: a RuntimeWarning NumPy gives the library's own arithmetic (a 0/0 it
    #: overwrites), as it does on plain NumPy arrays: the message, ignored
    numpy_warns: str | None = None

    @property
    def id(self) -> str:
        return f"{self.library}:{self.call}"

    def outcome(self, backend: str) -> Outcome:
        return self.expect_on.get(backend, self.expect)


_rng = np.random.default_rng(20261206)


def normal(*shape: int, scale: float = 1.0) -> np.ndarray:
    """Standard normal float64 data (one fixed stream, so the table is stable)."""
    return _rng.standard_normal(shape) * scale


def positive(*shape: int, low: float = 0.5, high: float = 2.0) -> np.ndarray:
    """Float64 data in [low, high): for logs, means of positives, distributions."""
    return _rng.uniform(low, high, shape)


def namespace(x: Any) -> Any:
    """The array namespace of ``x``, as array-API code finds it."""
    return x.__array_namespace__()


def weighted(y):
    """A scalar that weighs every entry differently, so no gradient cancels."""
    xp = namespace(y)
    w = xp.reshape(xp.arange(1.0, y.size + 1.0, device=y.device), y.shape)
    return xp.sum(y * w) / y.size + xp.sum(y**2) / 7.0
