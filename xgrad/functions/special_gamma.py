"""The gamma function's logarithm and its derivatives: gammaln, digamma, polygamma.

Values come from the backend (:attr:`Backend.special`), to within a few
units in the last place on the positive axis (next to gammaln's zeros at 1
and 2 and digamma's root at 1.4616 too). ``polygamma(n, x)`` is the ``n``-th
derivative of ``digamma``, so derivatives of any order chain on.
"""

from __future__ import annotations

import operator
from typing import Any

from ..core import Function, Variable


class Gammaln(Function):
    domain = "real floating"

    def forward(self, x):
        return self.backend.special.gammaln(x)

    def backward(self, gy):
        (x,) = self.inputs
        return gy * digamma(x)  # d/dx log|Gamma(x)| = digamma(x), for x < 0 too


class Digamma(Function):
    domain = "real floating"

    def forward(self, x):
        return self.backend.special.digamma(x)

    def backward(self, gy):
        (x,) = self.inputs
        return gy * polygamma(1, x)


class Polygamma(Function):
    """The ``n``-th derivative of digamma, ``n >= 1`` (``n = 0`` is :class:`Digamma`)."""

    domain = "real floating"

    def __init__(self, n: int) -> None:
        self.n = n

    def forward(self, x):
        return self.backend.special.polygamma(self.n, x)

    def backward(self, gy):
        (x,) = self.inputs
        return gy * polygamma(self.n + 1, x)


def gammaln(x: Any) -> Variable:
    """``log |Gamma(x)|``, elementwise: ``inf`` at 0 and the negative integers
    (the poles), finite where ``Gamma`` itself overflows (``x > 171``)."""
    return Gammaln()(x)


def digamma(x: Any) -> Variable:
    """``d/dx log Gamma(x)``: ``-inf`` at 0, NaN at the negative integers (poles
    whose sides disagree), as SciPy."""
    return Digamma()(x)


def polygamma(n: int, x: Any) -> Variable:
    """The ``n``-th derivative of ``digamma`` at ``x``, for an integer ``n >= 0``
    (``polygamma(0, x)`` is ``digamma(x)``; 1 gives the trigamma function).

    At 0 and the negative integers: ``inf`` for odd ``n`` (both sides go to
    ``+inf``), NaN for even ``n``. ``n`` is a constant, not differentiated.
    """
    try:
        order = operator.index(n)
    except TypeError:
        raise TypeError(
            f"polygamma: the order n must be a Python integer, got "
            f"{type(n).__name__} {n!r}; pass int(n)"
        ) from None
    if order < 0:
        raise ValueError(f"polygamma: the order n must be >= 0, got {order}")
    return Digamma()(x) if order == 0 else Polygamma(order)(x)
