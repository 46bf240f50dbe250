"""``gammaln``, ``digamma`` and ``polygamma`` from array-API standard functions alone.

Each is a series near the middle of the positive axis, the recurrence
``f(x + 1) = f(x) + ...`` to reach it, an asymptotic (Stirling) series for
large ``x`` and the reflection formula for ``x < 0``:

- ``gammaln``: ``log Gamma(2 + z) = (1 - euler) z + sum_k (-1)^k (zeta(k) - 1)/k z^k``
  for ``|z| <= 1/2``, written about 0, 1 and 2 so that the zeros at 1 and 2
  keep every digit (``z = x - 1`` and ``x - 2`` are exact);
- ``digamma``: its Taylor series about its positive root 1.4616..., so the
  values next to the root keep their relative accuracy too;
- ``polygamma(n, x) = (-1)^(n+1) n! zeta(n + 1, x)``: the Hurwitz zeta sum
  up to ``x + m >= 12 + 2n``, then its Euler-Maclaurin tail; for ``x < 0``
  the ``n``-th derivative of the reflection ``pi cot(pi x)``, a polynomial
  in ``cot(pi x)`` built once per ``n``.
"""

from __future__ import annotations

import functools
import math
from fractions import Fraction
from typing import Any

import numpy as np

from ._special_normal import horner, is_double
from ._special_tables import DIGAMMA_AT_ROOT, DIGAMMA_ROOT, LGAMMA_AT_2

_STIRLING_FROM = 10.0  # the asymptotic series below needs at most 10 terms from here
_HALF_LOG_2PI_MINUS_HALF = 0.5 * math.log(2 * math.pi) - 0.5


@functools.cache
def bernoulli(count: int) -> tuple[Fraction, ...]:
    """The Bernoulli numbers ``B_2, B_4, ..., B_2count``, exactly."""
    b = [Fraction(1)]
    for m in range(1, 2 * count + 1):
        b.append(
            -sum((math.comb(m + 1, k) * b[k] for k in range(m)), Fraction(0)) / (m + 1)
        )
    return tuple(b[2 : 2 * count + 1 : 2])


def _pole_free(xp: Any, x: Any) -> tuple[Any, Any]:
    """``(r, pole)``: ``r = x - round(x)`` in [-1/2, 1/2] (exact), and where ``x``
    is an integer (``r`` set to 1/4 there, and kept normal elsewhere, so that
    ``1 / tan(pi r)`` stays finite)."""
    finite = xp.where(xp.isinf(x), 0.5, x)  # inf - round(inf) would be NaN
    r = finite - xp.round(finite)
    pole = r == 0.0
    tiny = float(xp.finfo(x.dtype).smallest_normal)
    r = xp.where(xp.abs(r) < tiny, xp.copysign(xp.full_like(r, tiny), r), r)
    return xp.where(pole, 0.25, r), pole


def _gammaln_positive(xp: Any, x: Any) -> Any:
    """``log Gamma(x)`` for ``x > 0``."""
    double = is_double(x, xp)
    tiny = float(xp.finfo(x.dtype).smallest_normal)
    series = LGAMMA_AT_2 if double else LGAMMA_AT_2[:14]
    # 0 < x < 2.5: log Gamma(x) = S(z) - log1p(z) [shift 0, 1] - log(x) [shift 0]
    near = xp.clip(x, tiny, 2.5)
    shift = xp.minimum(xp.floor(near + 0.5), 2.0)  # 0, 1 or 2
    z = near - shift
    small = horner(series, z) - xp.where(shift < 2.0, xp.log1p(z), 0.0)
    small = small - xp.where(shift < 1.0, xp.log(near), 0.0)
    # 2.5 <= x < 10: log Gamma(x) = log Gamma(r) + log((x - 1)(x - 2)...(r))
    r, product = xp.clip(x, 2.5, _STIRLING_FROM), 1.0
    for _ in range(8):
        high = r >= 2.5
        product = xp.where(high, product * (r - 1.0), product)
        r = xp.where(high, r - 1.0, r)
    middle = horner(series, r - 2.0) + xp.log(product)
    # x >= 10: Stirling, (x - 1/2)(log x - 1) + log(2 pi)/2 - 1/2 + sum_k c_k / x^(2k-1)
    limit = float(xp.finfo(x.dtype).max) / math.log(float(xp.finfo(x.dtype).max))
    big = xp.clip(x, _STIRLING_FROM, limit)
    terms = [float(b / (2 * k * (2 * k - 1))) for k, b in enumerate(bernoulli(10), 1)]
    u = 1.0 / big
    stirling = (big - 0.5) * (xp.log(big) - 1.0) + _HALF_LOG_2PI_MINUS_HALF
    stirling = stirling + u * horner(tuple(terms if double else terms[:4]), u * u)
    stirling = xp.where(x > limit, xp.inf, stirling)
    return xp.where(x < 2.5, small, xp.where(x < _STIRLING_FROM, middle, stirling))


def gammaln(xp: Any, x: Any) -> Any:
    """``log |Gamma(x)|``: ``+inf`` at 0 and the negative integers."""
    r, pole = _pole_free(xp, x)
    negative = xp.minimum(x, 0.0)
    reflected = math.log(math.pi) - xp.log(xp.abs(xp.sin(math.pi * r)))
    reflected = reflected - _gammaln_positive(xp, 1.0 - negative)
    reflected = xp.where(pole, xp.inf, reflected)
    return xp.where(x > 0.0, _gammaln_positive(xp, x), reflected)


def _digamma_positive(xp: Any, x: Any) -> Any:
    """``digamma(x)`` for ``x > 0``."""
    double = is_double(x, xp)
    root_hi, root_lo = DIGAMMA_ROOT
    if not double:  # the head must be exact in float32 too, or x - head rounds
        root_hi, root_lo = (
            float(np.float32(root_hi)),
            (root_hi - float(np.float32(root_hi))) + root_lo,
        )
    series = DIGAMMA_AT_ROOT if double else DIGAMMA_AT_ROOT[:20]
    tiny = float(xp.finfo(x.dtype).smallest_normal)
    # 0 < x < 1: digamma(x) = digamma(x + 1) - 1/x, the series at x + 1 - root
    low = xp.clip(x, tiny, 1.0)
    small = horner(series, (low - (root_hi - 1.0)) - root_lo) - 1.0 / low
    # 1 <= x < 10: digamma(x) = digamma(r) + 1/(x - 1) + ... + 1/r, 1 <= r < 2
    r, total = xp.clip(x, 1.0, _STIRLING_FROM), 0.0
    for _ in range(8):
        high = r >= 2.0
        total = xp.where(high, total + 1.0 / xp.maximum(r - 1.0, 1.0), total)
        r = xp.where(high, r - 1.0, r)
    middle = horner(series, (r - root_hi) - root_lo) + total
    # x >= 10: log x - 1/(2x) - sum_k B_2k / (2k x^2k)
    big = xp.clip(x, _STIRLING_FROM, None)
    terms = [0.0] + [float(b / (2 * k)) for k, b in enumerate(bernoulli(9), 1)]
    u = 1.0 / big
    large = xp.log(big) - 0.5 * u - horner(tuple(terms if double else terms[:5]), u * u)
    return xp.where(x < 1.0, small, xp.where(x < _STIRLING_FROM, middle, large))


def digamma(xp: Any, x: Any) -> Any:
    """``d/dx log Gamma(x)``: ``-inf`` at 0 (SciPy's value), NaN at the negative
    integers, ``digamma(1 - x) - pi / tan(pi x)`` elsewhere below 0."""
    r, pole = _pole_free(xp, x)
    negative = xp.minimum(x, 0.0)
    reflected = _digamma_positive(xp, 1.0 - negative) - math.pi / xp.tan(math.pi * r)
    reflected = xp.where(pole & (x == 0.0), -xp.inf, xp.where(pole, xp.nan, reflected))
    return xp.where(x > 0.0, _digamma_positive(xp, x), reflected)


@functools.cache
def cot_derivative(n: int) -> tuple[int, ...]:
    """Coefficients ``p[k]`` with ``d^n/dx^n cot(pi x) = pi^n sum_k p[k] cot(pi x)^k``."""
    p = [0, 1]  # cot itself
    for _ in range(n):
        dp = [k * p[k] for k in range(1, len(p))] + [0, 0]  # d/dc, then * -(1 + c^2)
        p = [-(dp[k] + (dp[k - 2] if k >= 2 else 0)) for k in range(len(dp))]
    return tuple(p)


def _polygamma_positive(xp: Any, n: int, x: Any) -> Any:
    """``polygamma(n, x)`` for ``n >= 1`` and ``x > 0``."""
    s = n + 1.0
    start = 12.0 + 2.0 * n
    most = float(xp.finfo(x.dtype).max) / (2 * math.factorial(n))
    floor = most ** (-1.0 / s) * 1.01  # n! x^-s is finite above
    y, total = xp.clip(x, floor, None), 0.0
    for _ in range(int(start)):
        low = y < start
        total = xp.where(low, total + y**-s, total)
        y = xp.where(low, y + 1.0, y)
    # zeta(s, y) ~ y^(1-s)/(s-1) + y^-s/2 + sum_j B_2j/(2j)! s(s+1)...(s+2j-2) y^(1-s-2j)
    terms, rising = [0.0], 1.0
    for j, b in enumerate(bernoulli(10 if is_double(x, xp) else 4), 1):
        rising *= (s + 2 * j - 3) * (s + 2 * j - 2) if j > 1 else s
        terms.append(float(b) / math.factorial(2 * j) * rising)
    tail = y ** (1.0 - s) * (
        1.0 / (s - 1.0) + 0.5 / y + horner(tuple(terms), (1.0 / y) ** 2)
    )
    value = (-1.0) ** (n + 1) * math.factorial(n) * (total + tail)
    return xp.where(x < floor, (-1.0) ** (n + 1) * xp.inf, value)


def polygamma(xp: Any, n: int, x: Any) -> Any:
    """The ``n``-th derivative of ``digamma`` (``n >= 1``); at 0 and the negative
    integers ``+inf`` for odd ``n`` (both sides agree), NaN for even ``n``."""
    r, pole = _pole_free(xp, x)
    c = xp.cos(math.pi * r) / xp.sin(math.pi * r)
    # |c| beyond this makes the cot part (about n! pi^(n+1) |c|^(n+1)) overflow
    limit = float(xp.finfo(x.dtype).max) / (4 * math.factorial(n) * math.pi ** (n + 1))
    limit = limit ** (1.0 / (n + 1))
    cot_part = math.pi ** (n + 1) * horner(
        (*cot_derivative(n), 0), xp.clip(c, -limit, limit)
    )
    cot_part = xp.where(xp.abs(c) > limit, cot_part * xp.inf, cot_part)
    reflected = (-1.0) ** n * _polygamma_positive(xp, n, 1.0 - xp.minimum(x, 0.0))
    reflected = xp.where(pole, xp.inf if n % 2 else xp.nan, reflected - cot_part)
    return xp.where(x > 0.0, _polygamma_positive(xp, n, x), reflected)
