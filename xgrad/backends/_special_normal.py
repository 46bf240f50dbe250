"""The error-function family from array-API standard functions alone.

Everything rests on two accurate pieces: ``erf`` for small arguments
(``_erf``) and the scaled complementary error function
``erfcx(z) = exp(z^2) erfc(z)`` for ``z >= 1/2``, which varies slowly, so
rounding its argument costs almost nothing. There ``erfcx`` is a Taylor
polynomial about 0.825, 1.625 or 2.375 (``_special_tables``) below 2.75 and
the even contraction of the continued fraction of ``erfc`` beyond:

    erfcx(z) = 2z/sqrt(pi) / (2z^2 + 1 - 1*2 / (2z^2 + 5 - 3*4 / (2z^2 + 9 - ...))).

The factor ``exp(-z^2)`` that turns it into ``erfc`` is where the digits go:
``z * z`` rounds, and ``exp`` multiplies that rounding by ``z^2``
(700 units in the last place at ``z = 26``). :func:`exp_square` splits ``z``
into a short head whose square is exact and a tail, as Cephes' ``expx2``
does. ``ndtr`` and ``log_ndtr`` take ``exp(-x^2/2)`` from ``x`` itself, so
the rounding of ``x / sqrt(2)`` never reaches an exponent. The inverses
solve by Halley's method from a rough start: ``erf(x) = y`` for ``|y| <= 1/2``,
``log erfc(z) = log c`` beyond, whose residual keeps its digits in the tails.
"""

from __future__ import annotations

import math
from typing import Any

from . import _erf
from ._special_tables import ERFCX_AT_0_825, ERFCX_AT_1_625, ERFCX_AT_2_375

SQRT_PI = math.sqrt(math.pi)
SQRT_2 = math.sqrt(2.0)
_PIECES = ((0.4, 1.25, 0.825, ERFCX_AT_0_825), (1.25, 2.0, 1.625, ERFCX_AT_1_625),
           (2.0, 2.75, 2.375, ERFCX_AT_2_375))  # fmt: skip
_FRACTION_FROM = 2.75
_ASYMPTOTIC_FROM = 1e8  # erfcx(z) = 1/(sqrt(pi) z) to the last bit beyond
_SMALL = 0.5  # erfc = 1 - erf below, erfcx above


def is_double(x: Any, xp: Any) -> bool:
    """Whether ``x`` has float64's precision (float32 takes shorter series)."""
    return xp.finfo(x.dtype).eps < 1e-10


def horner(coefficients: tuple[float, ...], h: Any) -> Any:
    """``sum_k coefficients[k] * h**k`` by Horner's rule."""
    total = coefficients[-1] * h + coefficients[-2]
    for c in coefficients[-3::-1]:
        total = total * h + c
    return total


def exp_square(xp: Any, x: Any, scale: float) -> Any:
    """``exp(scale * x**2)`` for ``|x| <= 64`` and ``scale`` a power of two, with
    ``x**2`` carried exactly: ``x = head + tail``, ``head`` a multiple of 1/64."""
    head = xp.trunc(x * 64.0) / 64.0  # at most 12 bits: head * head is exact
    tail = x - head  # exact; same sign as x, so head**2 <= x**2 (no early overflow)
    return xp.exp((head * head) * scale) * xp.exp((tail * (x + head)) * scale)


def erfcx_right(xp: Any, z: Any) -> Any:
    """``erfcx(z)`` for ``z >= 0.4`` (smaller ``z`` is clamped to 0.4)."""
    double = is_double(z, xp)
    z = xp.maximum(z, _PIECES[0][0])
    result = 0.0
    for low, high, center, coefficients in _PIECES:
        h = xp.clip(z, low, high) - center  # exact: center/2 <= z <= 2 center
        terms = coefficients if double else coefficients[:12]
        result = xp.where((z >= low) & (z < high), horner(terms, h), result)
    big = xp.clip(z, _FRACTION_FROM, _ASYMPTOTIC_FROM)
    t = 2.0 * big * big
    fraction = t + (81.0 if double else 33.0)
    for k in range(20 if double else 8, 0, -1):
        fraction = t + (4 * k - 3) - ((2 * k - 1) * (2 * k)) / fraction
    tail = xp.where(
        z < _ASYMPTOTIC_FROM, (2.0 / SQRT_PI) * big / fraction, (1.0 / SQRT_PI) / z
    )
    return xp.where(z < _FRACTION_FROM, result, tail)


def _overflow_at(xp: Any, x: Any, factor: float) -> float:
    """The ``|x|`` beyond which ``factor * exp(x**2)`` overflows ``x``'s dtype."""
    return math.sqrt(math.log(float(xp.finfo(x.dtype).max) / factor)) * 0.99999


def erfcx(xp: Any, x: Any) -> Any:
    """``exp(x**2) * erfc(x)``, overflowing to ``inf`` only where it must (x < -26.6)."""
    limit = _overflow_at(xp, x, 2.0)
    left = xp.clip(x, -limit, _SMALL)
    grown = exp_square(xp, left, 1.0)
    middle = grown * (1.0 - _erf.erf(xp, left))
    far_left = 2.0 * grown - erfcx_right(xp, -left)
    small = xp.where(left > -_SMALL, middle, far_left)
    small = xp.where(x < -limit, xp.inf, small)
    return xp.where(x >= _SMALL, erfcx_right(xp, x), small)


def erfc(xp: Any, x: Any) -> Any:
    """``1 - erf(x)``, to a few units in the last place for every ``x``."""
    a = xp.clip(xp.abs(x), _SMALL, 40.0)  # erfc(40) is 0 in every float format
    tail = exp_square(xp, a, -1.0) * erfcx_right(xp, a)
    middle = 1.0 - _erf.erf(xp, xp.clip(x, -_SMALL, _SMALL))
    return xp.where(x >= _SMALL, tail, xp.where(x <= -_SMALL, 2.0 - tail, middle))


def _normal_tail(xp: Any, x: Any) -> Any:
    """``ndtr(-|x|)`` for ``|x| >= 1/sqrt(2)``: ``exp(-x^2/2) erfcx(|x|/sqrt 2) / 2``."""
    a = xp.clip(xp.abs(x), _SMALL * SQRT_2, 40.0)
    return 0.5 * exp_square(xp, a, -0.5) * erfcx_right(xp, a / SQRT_2)


def ndtr(xp: Any, x: Any) -> Any:
    """The standard normal distribution function."""
    edge = _SMALL * SQRT_2
    tail = _normal_tail(xp, x)
    middle = 0.5 + 0.5 * _erf.erf(xp, xp.clip(x, -edge, edge) / SQRT_2)
    return xp.where(x <= -edge, tail, xp.where(x >= edge, 1.0 - tail, middle))


def log_ndtr(xp: Any, x: Any) -> Any:
    """``log(ndtr(x))``: ``-x^2/2 + log(erfcx(-x/sqrt 2)/2)`` far left, where
    ``ndtr`` underflows; ``log1p(-ndtr(-x))`` right, where it rounds to 1."""
    edge = _SMALL * SQRT_2
    limit = math.sqrt(float(xp.finfo(x.dtype).max))  # x * x overflows beyond
    left = xp.clip(x, -limit, -edge)
    far_left = xp.log(0.5 * erfcx_right(xp, -left / SQRT_2)) - 0.5 * (left * left)
    far_left = xp.where(x < -limit, -xp.inf, far_left)
    right = xp.log1p(-_normal_tail(xp, x))
    middle = xp.log(ndtr(xp, xp.clip(x, -edge, edge)))
    return xp.where(x <= -edge, far_left, xp.where(x >= edge, right, middle))


def _erfinv_small(xp: Any, y: Any) -> Any:
    """``erfinv(y)`` for ``|y| <= 1/2``: two Halley steps on ``erf(x) = y`` from
    the Taylor series' first three terms (within 2e-3)."""
    y = xp.clip(y, -_SMALL, _SMALL)
    u = y * y
    x = (SQRT_PI / 2) * y * (1.0 + u * (math.pi / 12 + u * (7 * math.pi**2 / 480)))
    for _ in range(2 if is_double(y, xp) else 1):
        step = (_erf.erf(xp, x) - y) / ((2.0 / SQRT_PI) * xp.exp(-(x * x)))
        x = x - step / (1.0 + x * step)
    return x


def _erfcinv_tail(xp: Any, c: Any) -> Any:
    """``z`` with ``erfc(z) = c`` for ``0 < c <= 1/2`` (``z >= 0.47``): Halley's
    method on ``g(z) = -z^2 + log erfcx(z) - log c``, whose derivative
    ``-2 / (sqrt(pi) erfcx(z))`` neither overflows nor underflows."""
    tiny = float(xp.finfo(c.dtype).smallest_normal) * float(xp.finfo(c.dtype).eps)
    c = xp.clip(c, tiny, _SMALL)
    log_c = xp.log(c)
    t = xp.sqrt(-log_c)  # erfc(z) ~ exp(-z^2) / (sqrt(pi) z): one fixed-point step
    z = xp.sqrt(xp.maximum(t * t - xp.log(SQRT_PI * t), 0.2))
    for _ in range(4 if is_double(c, xp) else 3):
        scaled = erfcx_right(xp, z)
        g = xp.log(scaled) - z * z - log_c
        step = g * (-(SQRT_PI / 2) * scaled)  # g / g'
        z = z - step / (1.0 + step * (z - 1.0 / (SQRT_PI * scaled)))
    return z


def erfinv(xp: Any, y: Any) -> Any:
    """The inverse of ``erf`` on [-1, 1]: ``+-inf`` at ``+-1``, NaN outside."""
    a = xp.abs(y)
    tail = _erfcinv_tail(xp, 1.0 - a)  # 1 - |y| is exact for |y| >= 1/2
    tail = xp.where(a == 1.0, xp.inf, xp.where(a > 1.0, xp.nan, tail))
    return xp.where(a <= _SMALL, _erfinv_small(xp, y), xp.sign(y) * tail)


def ndtri(xp: Any, p: Any) -> Any:
    """The inverse of ``ndtr`` on [0, 1]: ``sqrt(2) erfinv(2p - 1)`` in the
    middle (``2p - 1`` is exact), ``-sqrt(2) erfcinv(2 min(p, 1 - p))`` beyond."""
    q = xp.minimum(p, 1.0 - p)  # exact for p >= 1/2
    tail = -SQRT_2 * _erfcinv_tail(xp, 2.0 * q)
    tail = xp.where(q == 0.0, -xp.inf, xp.where(q < 0.0, xp.nan, tail))
    tail = xp.where(p > 0.5, -tail, tail)
    middle = SQRT_2 * _erfinv_small(xp, 2.0 * p - 1.0)
    return xp.where((p >= 0.25) & (p <= 0.75), middle, tail)
