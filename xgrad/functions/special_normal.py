"""The error function's family: erfc, erfcx, erfinv and the standard normal's
distribution function ndtr, its logarithm log_ndtr and its inverse ndtri.

Values come from the backend (:attr:`Backend.special`): a library's own
where it is accurate, elsewhere standard functions to within a few units in
the last place, tails included, so ``log_ndtr(-1e5)`` and ``ndtri(1e-300)``
are right where ``log(ndtr(x))`` and a naive inverse are not.
"""

from __future__ import annotations

import math
from typing import Any

from ..core import Function, Variable
from .elementwise import exp, where
from .guarded import guarded_mul

_TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)
_SQRT_2PI = math.sqrt(2.0 * math.pi)


class Erfc(Function):
    domain = "real floating"

    def forward(self, x):
        return self.backend.special.erfc(x)

    def backward(self, gy):
        (x,) = self.inputs
        return gy * -_TWO_OVER_SQRT_PI * exp(-(x * x))  # d/dx erfc = -2/sqrt(pi) e^-x^2


class Erfcx(Function):
    domain = "real floating"

    def forward(self, x):
        return self.backend.special.erfcx(x)

    def backward(self, gy):
        (x,) = self.inputs
        y = self.outputs[0]()
        return gy * (2.0 * x * y - _TWO_OVER_SQRT_PI)


class Erfinv(Function):
    domain = "real floating"

    def forward(self, x):
        return self.backend.special.erfinv(x)

    def backward(self, gy):
        y = self.outputs[0]()
        return guarded_mul(gy, (math.sqrt(math.pi) / 2) * exp(y * y))  # type: ignore[operator]


class Ndtr(Function):
    domain = "real floating"

    def forward(self, x):
        return self.backend.special.ndtr(x)

    def backward(self, gy):
        (x,) = self.inputs
        return gy * exp(-0.5 * (x * x)) / _SQRT_2PI  # the normal density


class Ndtri(Function):
    domain = "real floating"

    def forward(self, p):
        return self.backend.special.ndtri(p)

    def backward(self, gy):
        y = self.outputs[0]()
        return guarded_mul(gy, _SQRT_2PI * exp(0.5 * (y * y)))  # type: ignore[operator]  # 1 / density


class LogNdtr(Function):
    domain = "real floating"

    def forward(self, x):
        return self.backend.special.log_ndtr(x)

    def backward(self, gy):
        (x,) = self.inputs
        # density / ndtr: left of 0 as sqrt(2/pi) / erfcx(-x/sqrt(2)), with no 0/0
        # where both underflow; right of it as it stands, where erfcx(-x/sqrt 2)
        # would overflow. Each branch sees only its own side (no inf in either pass).
        left = x.data < 0
        xl, xr = where(left, x, 0.0), where(left, 0.0, x)
        inner = (_TWO_OVER_SQRT_PI / math.sqrt(2.0)) / erfcx(xl * -math.sqrt(0.5))
        outer = exp(-0.5 * (xr * xr)) / (_SQRT_2PI * ndtr(xr))
        return gy * where(left, inner, outer)


def erfc(x: Any) -> Variable:
    """``1 - erf(x)``, keeping its digits where ``erf`` rounds to 1 (``erfc(10)``
    is 2e-45)."""
    return Erfc()(x)


def erfcx(x: Any) -> Variable:
    """The scaled complementary error function ``exp(x**2) * erfc(x)``: finite
    and smooth for large ``x``, where ``erfc`` underflows; ``inf`` below about -26.6."""
    return Erfcx()(x)


def erfinv(x: Any) -> Variable:
    """The inverse of ``erf`` on [-1, 1]: ``+-inf`` at ``+-1`` (gradient ``inf``),
    NaN outside. Accurate next to ±1, where ``1 - |x|`` is all that is left."""
    return Erfinv()(x)


def ndtr(x: Any) -> Variable:
    """The standard normal distribution function ``(1 + erf(x / sqrt(2))) / 2``,
    with its left tail down to the smallest float (``ndtr(-37)`` is 5.7e-300)."""
    return Ndtr()(x)


def ndtri(p: Any) -> Variable:
    """The inverse of ``ndtr``: the ``p``-quantile of the standard normal.
    ``-inf`` and ``inf`` at 0 and 1 (gradient ``inf``), NaN outside [0, 1]."""
    return Ndtri()(p)


def log_ndtr(x: Any) -> Variable:
    """``log(ndtr(x))``, finite for every finite ``x`` (about ``-x**2 / 2`` far
    left, where ``ndtr`` underflows) and keeping its digits near 0 (``x`` large),
    where ``ndtr`` rounds to 1. Its gradient, ``density / ndtr``, is computed
    as ``sqrt(2/pi) / erfcx(-x / sqrt(2))``, so it never divides 0 by 0."""
    return LogNdtr()(x)
