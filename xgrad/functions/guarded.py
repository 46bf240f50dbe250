"""Products with an upstream gradient that stay zero where it is zero.

A function whose derivative is infinite somewhere (``1 / x`` at 0, ``log``
at 0, ``sqrt`` at 0, ``asin`` at ±1, ``x ** 0.5`` at 0) would give
``0 * inf = NaN`` in its backward pass where the upstream gradient is 0. That
happens whenever the function's output is overwritten or unused there:
scikit-learn's ``StandardScaler`` divides by a scale that may be 0 and
then replaces those entries (``xp.where(scale == 0, x, x / scale)``), so
``where`` hands the division a zero gradient for them, and the whole
gradient would turn NaN (the "double where" problem of PyTorch and JAX).

Those backwards multiply or divide by their derivative with
:func:`guarded_mul` and :func:`guarded_div`: ``gy * slope`` and
``gy / denominator`` everywhere, except that a zero ``gy`` gives 0 whatever
the slope (a zero gradient has nothing to scale). Both are ordinary
Functions, linear in ``gy``, so second derivatives (and ``jvp``'s
double-backward trick, which differentiates at ``gy = 0``) stay right. Ops
with finite derivatives keep the plain product: they pay nothing.
"""

from __future__ import annotations

from typing import Any

from ..core import Variable
from .binary import Broadcasting
from .complex_numbers import conj_of

__all__ = ["guarded_div", "guarded_mul"]


class GuardedMul(Broadcasting):
    """``gy * slope``, and 0 where ``gy`` is 0 (even against ``inf`` or NaN)."""

    def forward(self, gy, slope):
        # the slope, read as gy (that is, 0) where gy is 0: no inf or NaN
        # meets a zero
        safe = self.xp.where(gy == 0.0, gy, slope)
        return gy * safe if gy.dtype is safe.dtype else self.xp.multiply(gy, safe)

    def backward(self, g):
        gy, slope = self.inputs
        gy, slope = conj_of(gy, self.backend), conj_of(slope, self.backend)
        # d/dgy is the slope (guarded again); d/dslope is gy, finite; both
        # conjugated for complex data (docs/complex.md)
        return self.reduce(
            guarded_mul(g, slope) if self.needs_grad(0) else None,
            g * gy if self.needs_grad(1) else None,
        )


class GuardedDiv(Broadcasting):
    """``gy / denominator``, and 0 where ``gy`` is 0 (even where the
    denominator is 0)."""

    domain = "floating"  # true division, as Div: integers become floating

    def forward(self, gy, denominator):
        # the denominator, read as 1 where gy is 0: no 0 / 0, no warning
        safe = self.xp.where(gy == 0, 1, denominator)  # ints: any dtype takes them
        return gy / safe if gy.dtype is safe.dtype else self.xp.divide(gy, safe)

    def backward(self, g):
        gy, denominator = self.inputs
        denominator = conj_of(denominator, self.backend)  # complex: conjugated
        if not self.needs_grad(1):
            return self.reduce(guarded_div(g, denominator), None)
        q = self.outputs[0]()  # the quotient, conjugated below as d is
        if q is None:
            q = guarded_div(conj_of(gy, self.backend), denominator)
        else:
            q = conj_of(q, self.backend)
        # d(gy / d)/dd = -(gy / d) / d: zero where g or the quotient is
        gd = -guarded_div(guarded_mul(g, q), denominator)
        gg = guarded_div(g, denominator) if self.needs_grad(0) else None
        return self.reduce(gg, gd)


def guarded_mul(gy: Any, slope: Any) -> Variable:
    """``gy * slope`` with broadcasting, but 0 wherever ``gy`` is 0, whatever
    ``slope`` holds there: for backwards whose slope can be infinite."""
    return GuardedMul()(gy, slope)


def guarded_div(gy: Any, denominator: Any) -> Variable:
    """``gy / denominator`` with broadcasting, but 0 wherever ``gy`` is 0,
    whatever ``denominator`` holds there: for backwards that divide by a
    value that can be 0."""
    return GuardedDiv()(gy, denominator)
