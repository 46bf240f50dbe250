"""Special functions: log1p, expm1 and erf, accurate where the naive forms are not."""

from __future__ import annotations

import math
from typing import Any

from ..core import Function, Variable
from .complex_numbers import conj_of
from .elementwise import exp
from .guarded import guarded_div


class Log1p(Function):
    domain = "floating"  # integers become floating (xgrad.domains)

    def forward(self, x):
        return self.xp.log1p(x)

    def backward(self, gy):
        return guarded_div(gy, 1.0 + conj_of(self.inputs[0], self.backend))


class Expm1(Function):
    domain = "floating"

    def forward(self, x):
        return self.xp.expm1(x)

    def backward(self, gy):
        y = conj_of(self.outputs[0](), self.backend)  # type: ignore[arg-type]  # y lives
        return gy * (y + 1.0)  # d/dx (e^x - 1) = e^x


class Erf(Function):
    domain = "real floating"

    def forward(self, x):
        return self.backend.erf(x)  # the standard has no erf: see backends/_erf.py

    def backward(self, gy):
        (x,) = self.inputs
        return gy * (2.0 / math.sqrt(math.pi)) * exp(-(x * x))


def log1p(x: Any) -> Variable:
    """Elementwise ``log(1 + x)``, accurate for ``x`` near 0 where ``log(1 + x)``
    loses every digit."""
    return Log1p()(x)


def expm1(x: Any) -> Variable:
    """Elementwise ``exp(x) - 1``, accurate for ``x`` near 0."""
    return Expm1()(x)


def erf(x: Any) -> Variable:
    """The error function ``2/sqrt(pi) * integral_0^x exp(-t^2) dt``, elementwise.

    Computed by the backend: PyTorch's own, elsewhere from standard functions
    to within a few float64 rounding steps of ``math.erf``, tails included.
    """
    return Erf()(x)
