"""``x log y`` and the entropy terms, with SciPy's conventions at 0:
xlogy, xlog1py, entr, rel_entr.

``xlogy(0, y)`` is 0 for every ``y`` but NaN, so ``sum(p * log(p))`` over a
distribution with zeros is finite; the gradients follow the same rule: where
``x == 0`` and ``log(y)`` is ``-inf`` both gradients are 0, never a 0 * inf
NaN (for ``y > 0`` they are the derivatives, ``log(y)`` and ``x / y = 0``). Where the value is ``inf`` (``rel_entr`` outside its
domain) or ``-inf`` (``entr`` of a negative number), the function is a
constant, and its gradient 0.
"""

from __future__ import annotations

from typing import Any

from .._errors import broadcast_advice
from ..core import Function, Variable
from .elementwise import log, where
from .guarded import guarded_mul
from .shape import sum_to
from .special import log1p


class _XLog(Function):
    """``x * g(y)``, 0 where ``x == 0`` (unless ``y`` is NaN); ``g`` is log or log1p."""

    domain = ("real floating", "real floating")
    edge = 0.0  # where g(y) is -inf: y == edge; g(y) is NaN below it

    def g_array(self, y: Any) -> Any:
        """``g`` of an array, in ``forward``."""
        raise NotImplementedError

    def g(self, y: Variable) -> Variable:
        """``g`` of a Variable, in ``backward`` (differentiable again)."""
        raise NotImplementedError

    def explain(self, xs: tuple[Any, ...]) -> str:
        return broadcast_advice(*(tuple(x.shape) for x in xs))

    def forward(self, x, y):
        xp = self.xp
        zero = (x == 0) & ~xp.isnan(y)
        inside = y > self.edge
        g = self.g_array(xp.where(inside, y, self.edge + 1.0))
        g = xp.where(inside, g, xp.where(y == self.edge, -xp.inf, xp.nan * g))
        return xp.where(zero, 0.0, xp.where(zero, 1.0, x) * g)

    def backward(self, gy):
        x, y = self.inputs
        xp, low = self.xp, y.data <= self.edge  # g(y) is -inf (y == edge) or NaN
        safe = where(low, self.edge + 1.0, y)  # finite g, g' and g'' in both passes
        # there: 0 where x == 0 (the convention), else the limits -inf and x * inf
        infinite = xp.full_like(x.data, xp.inf)
        at_edge = y.data == self.edge
        edge_dx = xp.where(x.data == 0, 0.0, xp.where(at_edge, -infinite, xp.nan))
        edge_dy = xp.where(
            x.data == 0, 0.0, xp.where(at_edge, xp.copysign(infinite, x.data), xp.nan)
        )
        dx = where(low, edge_dx, self.g(safe))
        dy = where(low, edge_dy, x / (safe - self.edge))  # g'(y) = 1 / (y - edge)
        return sum_to(guarded_mul(gy, dx), x.shape), sum_to(
            guarded_mul(gy, dy), y.shape
        )


class XLogY(_XLog):
    def g_array(self, y):
        return self.xp.log(y)

    def g(self, y):
        return log(y)


class XLog1pY(_XLog):
    edge = -1.0

    def g_array(self, y):
        return self.xp.log1p(y)

    def g(self, y):
        return log1p(y)


class Entr(Function):
    domain = "real floating"

    def forward(self, x):
        xp = self.xp
        positive = x > 0
        safe = xp.where(positive, x, 1.0)
        value = xp.where(positive, -safe * xp.log(safe), 0.0)
        return xp.where(positive | (x == 0), value, xp.where(x < 0, -xp.inf, x))

    def backward(self, gy):
        (x,) = self.inputs
        positive, xp = x.data > 0, self.xp
        slope = -(log(where(positive, x, 1.0)) + 1.0)
        # at 0 the one-sided derivative, +inf; below 0 (value -inf) nothing
        edge = xp.where(x.data == 0, xp.inf, xp.zeros_like(x.data))
        return guarded_mul(gy, where(positive, slope, edge))


class RelEntr(Function):
    domain = ("real floating", "real floating")

    def explain(self, xs: tuple[Any, ...]) -> str:
        return broadcast_advice(*(tuple(x.shape) for x in xs))

    def forward(self, x, y):
        xp = self.xp
        inside = (x > 0) & (y > 0)
        xs, ys = xp.where(inside, x, 1.0), xp.where(inside, y, 1.0)
        near = xp.abs(xs - ys) <= 0.5 * ys  # log1p keeps the digits of x/y near 1
        ratio = xp.where(near, xp.log1p((xs - ys) / ys), xp.log(xs) - xp.log(ys))
        outside = xp.where(
            xp.isnan(x) | xp.isnan(y), xp.nan, xp.zeros_like(ratio) + xp.inf
        )
        outside = xp.where((x == 0) & (y >= 0), 0.0, outside)
        return xp.where(inside, x * ratio, outside)

    def backward(self, gy):
        x, y = self.inputs
        inside = (x.data > 0) & (y.data > 0)
        xs, ys = where(inside, x, 1.0), where(inside, y, 1.0)
        # at x == 0 < y the one-sided derivative in x is -inf; elsewhere outside, 0
        xp = self.xp
        edge = xp.where((x.data == 0) & (y.data > 0), -xp.inf, xp.zeros_like(x.data))
        dx = where(inside, log(xs) - log(ys) + 1.0, edge)
        dy = where(inside, -xs / ys, 0.0)
        return sum_to(guarded_mul(gy, dx), x.shape), sum_to(
            guarded_mul(gy, dy), y.shape
        )


def xlogy(x: Any, y: Any, /) -> Variable:
    """``x * log(y)``, and 0 where ``x == 0`` (unless ``y`` is NaN), broadcasting.

    The gradients are ``log(y)`` and ``x / y``; both 0 where ``x == y == 0``
    (SciPy's convention for the value, carried to its derivatives; PyTorch
    gives the ``x`` gradient 0 wherever ``x == 0``, even where ``log(y)`` is finite).
    """
    return XLogY()(x, y)


def xlog1py(x: Any, y: Any, /) -> Variable:
    """``x * log1p(y)``, and 0 where ``x == 0`` (unless ``y`` is NaN), broadcasting;
    gradients ``log1p(y)`` and ``x / (1 + y)``, both 0 where ``x == 0, y == -1``."""
    return XLog1pY()(x, y)


def entr(x: Any) -> Variable:
    """The entropy term ``-x log x`` for ``x > 0``, 0 at 0, ``-inf`` below.

    Gradient ``-(1 + log x)``; at 0 its one-sided limit ``+inf``; 0 below 0.
    """
    return Entr()(x)


def rel_entr(x: Any, y: Any, /) -> Variable:
    """The relative entropy term ``x log(x / y)`` for ``x, y > 0``; 0 where
    ``x == 0`` and ``y >= 0``; ``inf`` elsewhere (SciPy's conventions).

    Gradients ``log(x / y) + 1`` and ``-x / y`` inside; at ``x == 0 < y``
    ``-inf`` (the one-sided limit) and 0; 0 where the value is ``inf``.
    """
    return RelEntr()(x, y)
