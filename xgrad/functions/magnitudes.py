"""Magnitudes and signs: hypot, copysign, reciprocal, with the array API
standard's signatures.

``hypot`` is the library's, which scales by the larger input and so never
overflows where the result fits (``hypot(3e30, 4e30)`` in float32 is
``5e30``, where ``sqrt(x1**2 + x2**2)`` is ``inf``).
"""

from __future__ import annotations

from typing import Any

from ..core import Constant, Function, Variable
from .binary import Broadcasting, zero_gradient
from .complex_numbers import conj_of
from .guarded import guarded_mul

__all__ = ["copysign", "hypot", "reciprocal"]


class Hypot(Broadcasting):
    domain = "real floating"  # integers become floating (xgrad.domains)

    def forward(self, x1, x2):
        return self.xp.hypot(x1, x2)

    def backward(self, gy):
        x1, x2 = self.inputs
        y = self.outputs[0]()
        # d/dx1 = x1 / y, d/dx2 = x2 / y; at the origin (y == 0) divide by 1
        # instead, giving 0: the subgradient of a norm at 0, as PyTorch's norm.
        safe = y + Constant(self.xp.astype(y.data == 0, y.dtype))  # type: ignore[union-attr]  # y lives
        g = gy / safe
        return self.reduce(g * x1, g * x2)


class Copysign(Broadcasting):
    domain = "real floating"

    def forward(self, x1, x2):
        return self.xp.copysign(x1, x2)

    def backward(self, gy):
        x1, x2 = self.inputs
        xp = self.xp
        a, b = x1.data, x2.data
        # d/dx1 = +1 where x1 already has x2's sign, -1 where it is flipped; 0 at
        # x1 == 0, the kink of |x1| (as abs and PyTorch's copysign); the sign of
        # x2 is piecewise constant: 0.
        kept = xp.astype(xp.signbit(a) == xp.signbit(b), a.dtype)
        slope = (2 * kept - 1) * xp.astype(a != 0, a.dtype)
        gx2 = zero_gradient(self, x2) if x2.requires_grad else None
        return self.reduce(gy * Constant(slope), None)[0], gx2


class Reciprocal(Function):
    domain = "floating"

    def forward(self, x):
        return 1.0 / x

    def backward(self, gy):
        y = conj_of(self.outputs[0](), self.backend)  # type: ignore[arg-type]  # y lives
        return -guarded_mul(gy, y * y)  # d/dx (1/x) = -1/x**2 = -y**2


def hypot(x1: Any, x2: Any, /) -> Variable:
    """``sqrt(x1**2 + x2**2)`` elementwise, without overflow or underflow.

    Inputs broadcast, and either may be a Python scalar. The gradient
    ``(x1, x2) / hypot(x1, x2)`` is 0 at the origin (a subgradient, as for the
    norm of a zero vector).
    """
    return Hypot()(x1, x2)


def copysign(x1: Any, x2: Any, /) -> Variable:
    """``|x1|`` with the sign of ``x2`` (its sign bit: ``-0.0`` counts as negative).

    Inputs broadcast, and either may be a Python scalar. The gradient with
    respect to ``x1`` is ±1 (-1 where the sign flips) and 0 at ``x1 == 0``;
    with respect to ``x2`` it is 0.
    """
    return Copysign()(x1, x2)


def reciprocal(x: Any, /) -> Variable:
    """``1 / x`` elementwise; the gradient ``-1 / x**2`` is infinite at 0."""
    return Reciprocal()(x)
