"""Logarithms in other bases and ``logaddexp``, with the array API standard's
signatures.

``logaddexp`` is the library's, computed as ``max + log1p(exp(-|x1 - x2|))``,
so that ``logaddexp(1000, 1000)`` is ``1000 + log(2)``, not ``inf``.
"""

from __future__ import annotations

import math
from typing import Any

from ..core import Function, Variable
from .binary import Broadcasting
from .complex_numbers import conj_of
from .elementwise import exp, where
from .guarded import guarded_div

__all__ = ["log10", "log2", "logaddexp"]

LN2 = math.log(2.0)
LN10 = math.log(10.0)


class Log2(Function):
    domain = "floating"  # integers become floating (xgrad.domains)

    def forward(self, x):
        return self.xp.log2(x)

    def backward(self, gy):
        x = conj_of(self.inputs[0], self.backend)  # holomorphic: conj(f'(x))
        return guarded_div(gy, x * LN2)


class Log10(Function):
    domain = "floating"

    def forward(self, x):
        return self.xp.log10(x)

    def backward(self, gy):
        x = conj_of(self.inputs[0], self.backend)  # holomorphic: conj(f'(x))
        return guarded_div(gy, x * LN10)


class Logaddexp(Broadcasting):
    domain = "real floating"

    def forward(self, x1, x2):
        return self.xp.logaddexp(x1, x2)

    def backward(self, gy):
        x1, x2 = self.inputs
        a, b = x1.data, x2.data
        # d/dx1 = exp(x1 - y) = sigmoid(x1 - x2) = exp(-logaddexp(0, x2 - x1)),
        # the last form accurate to the last digit in the tails (1e-300, not 0),
        # and d/dx2 likewise. Where both are the same infinity the difference
        # is inf - inf: take it as 0, so each gets half the gradient (the limit
        # along x1 == x2).
        same_infinity = (a == b) & self.xp.isinf(a)
        d = where(same_infinity, 0.0, x1) - where(same_infinity, 0.0, x2)
        return self.reduce(gy * exp(-logaddexp(0.0, -d)), gy * exp(-logaddexp(0.0, d)))


def log2(x: Any, /) -> Variable:
    """Elementwise base-2 logarithm; gradient ``1 / (x * log(2))``, infinite at 0."""
    return Log2()(x)


def log10(x: Any, /) -> Variable:
    """Elementwise base-10 logarithm; gradient ``1 / (x * log(10))``, infinite at 0."""
    return Log10()(x)


def logaddexp(x1: Any, x2: Any, /) -> Variable:
    """``log(exp(x1) + exp(x2))`` elementwise, without overflow or underflow.

    Inputs broadcast, and either may be a Python scalar. The gradients are
    ``sigmoid(x1 - x2)`` and ``sigmoid(x2 - x1)``, accurate in their tails:
    finite everywhere, and half each where both inputs are the same infinity.
    """
    return Logaddexp()(x1, x2)
