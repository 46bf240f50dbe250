"""The modified Bessel functions ``i0`` and ``i1`` from standard functions alone.

For ``|x| < 20`` (8 in float32), Kummer's form

    I_nu(x) = (x/2)^nu / nu! * exp(-x) * M(nu + 1/2, 2 nu + 1, 2x),

whose confluent hypergeometric series ``M(a, b, y) = sum_k (a)_k / ((b)_k k!) y^k``
has only positive terms and an exact argument ``2x`` (the power series in
``x^2/4`` would round ``x * x`` and lose ``x/2`` units in the last place to
it). Beyond, the asymptotic series

    I_nu(x) = exp(x) / sqrt(2 pi x) * sum_k (-1)^k prod_{j<=k} (4 nu^2 - (2j - 1)^2) / (k! (8x)^k),

whose smallest term is below 1e-17 from ``x = 20`` on. ``exp(x)`` is taken
in two halves, so values up to the largest float do not overflow early.
"""

from __future__ import annotations

import math
from typing import Any

from ._special_normal import is_double

# (Kummer below, its terms, asymptotic terms) for float64 and for float32
_SETTINGS = {True: (20.0, 100, 28), False: (8.0, 42, 14)}


def _kummer(y: Any, a: float, b: float, terms: int) -> Any:
    """``M(a, b, y)`` by Horner's rule on the ratios of its successive terms."""
    total = 1.0 + ((a + terms - 1) / ((b + terms - 1) * terms)) * y
    for k in range(terms - 1, 0, -1):
        total = 1.0 + ((a + k - 1) / ((b + k - 1) * k)) * y * total
    return total


def _asymptotic(xp: Any, a: Any, nu: int, terms: int, overflow: float) -> Any:
    u = 1.0 / (8.0 * a)
    total = 1.0 + u * (-(4 * nu * nu - (2 * terms - 1) ** 2) / terms)
    for k in range(terms - 1, 0, -1):
        total = 1.0 + (-(4 * nu * nu - (2 * k - 1) ** 2) / k) * u * total
    half = xp.exp(0.5 * xp.minimum(a, overflow))
    value = half * (half * (total / xp.sqrt((2 * math.pi) * a)))
    return xp.where(a > overflow, xp.inf, value)


def _overflow_at(xp: Any, x: Any) -> float:
    """The ``x`` beyond which ``i0(x)``, about ``exp(x) / sqrt(2 pi x) (1 + 1/(8x))``,
    overflows ``x``'s dtype (``i1`` is smaller)."""
    log_max, a = math.log(float(xp.finfo(x.dtype).max)), 700.0
    for _ in range(8):  # Newton on log i0(a) = log_max
        excess = a - 0.5 * math.log(2 * math.pi * a) + math.log1p(0.125 / a) - log_max
        a -= excess / (1 - 0.5 / a)
    return a * (1 - 4 * float(xp.finfo(x.dtype).eps))


def _bessel(xp: Any, x: Any, nu: int) -> Any:
    split, series_terms, asymptotic_terms = _SETTINGS[is_double(x, xp)]
    a = xp.abs(x)
    small = xp.minimum(a, split)
    series = xp.exp(-small) * _kummer(2.0 * small, nu + 0.5, 2 * nu + 1.0, series_terms)
    if nu == 1:
        series = (0.5 * small) * series
    large = xp.maximum(a, split)
    tail = _asymptotic(xp, large, nu, asymptotic_terms, _overflow_at(xp, x))
    return xp.where(a < split, series, tail)


def i0(xp: Any, x: Any) -> Any:
    """The modified Bessel function of the first kind of order 0 (even)."""
    return _bessel(xp, x, 0)


def i1(xp: Any, x: Any) -> Any:
    """The modified Bessel function of the first kind of order 1 (odd)."""
    return xp.sign(x) * _bessel(xp, x, 1)
