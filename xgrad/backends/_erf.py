"""The error function from array-API standard functions alone.

The standard (and NumPy) has no ``erf``, so :meth:`Backend.erf` defaults to
this: on ``|x| <= 2.5`` the everywhere-positive series

    erf(x) = 2/sqrt(pi) * x * exp(-x^2) * sum_n (2 x^2)^n / (1 * 3 * ... * (2n + 1)),

summed by Horner's rule with no cancellation, and beyond it the continued
fraction of ``erfc``, evaluated from a fixed depth,

    erfc(x) = exp(-x^2) / sqrt(pi) / (x + (1/2) / (x + 1 / (x + (3/2) / (x + ...)))),

which converges fast for large ``x``. The term counts give float64 results
within a few units in the last place of ``math.erf`` (tests/test_special_functions.py);
float32 inputs take fewer terms. Libraries with a native erf (PyTorch) override
:meth:`Backend.erf`.
"""

from __future__ import annotations

import math
from typing import Any

SPLIT = 2.5  # the series below, the continued fraction above
# (series terms, continued-fraction depth) for float64 and for float32
_TERMS = {True: (36, 26), False: (24, 8)}
_ONE_AT = 30.0  # erfc(30) < 1e-392: erf is 1 in every float format beyond
_TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)
_SQRT_PI = math.sqrt(math.pi)


def erf(xp: Any, x: Any) -> Any:
    """``erf(x)`` elementwise for a real floating array ``x`` of namespace ``xp``."""
    series_terms, depth = _TERMS[xp.finfo(x.dtype).eps < 1e-10]
    a = xp.abs(x)
    small = xp.minimum(a, SPLIT)  # each branch sees only its own range: no overflow
    x2 = small * small
    total = xp.ones_like(x)
    for n in range(series_terms, 0, -1):
        total = 1.0 + (2.0 / (2 * n + 1)) * x2 * total
    series = _TWO_OVER_SQRT_PI * small * xp.exp(-x2) * total
    large = xp.minimum(xp.maximum(a, SPLIT), _ONE_AT)  # no overflow in large**2
    fraction = large
    for k in range(depth, 0, -1):
        fraction = large + (k / 2) / fraction
    tail = 1.0 - xp.exp(-large * large) / (_SQRT_PI * fraction)
    return xp.sign(x) * xp.where(a <= SPLIT, series, tail)
