"""Elementwise functions: exp, log, trigonometry, sqrt, abs, Clip, maximum, where.

``clip`` itself, with number or array bounds, is in clipping.py.
"""

from __future__ import annotations

from typing import Any

from .._errors import broadcast_advice
from ..core import Function, Variable
from .complex_numbers import conj_of, is_complex
from .guarded import guarded_div
from .shape import sum_to


def _constant(x: Any) -> Variable:
    """An array the gradient multiplies by but does not differentiate (a mask)."""
    return Variable(x)


class Exp(Function):
    domain = "floating"

    def forward(self, x):
        return self.xp.exp(x)

    def backward(self, gy):
        y = conj_of(self.outputs[0](), self.backend)  # type: ignore[arg-type]  # y lives
        return gy * y  # exp' = exp


class Log(Function):
    domain = "floating"

    def forward(self, x):
        return self.xp.log(x)

    def backward(self, gy):
        return guarded_div(gy, conj_of(self.inputs[0], self.backend))


class Sin(Function):
    domain = "floating"

    def forward(self, x):
        return self.xp.sin(x)

    def backward(self, gy):
        return gy * cos(conj_of(self.inputs[0], self.backend))


class Cos(Function):
    domain = "floating"

    def forward(self, x):
        return self.xp.cos(x)

    def backward(self, gy):
        return gy * -sin(conj_of(self.inputs[0], self.backend))


class Tan(Function):
    domain = "floating"

    def forward(self, x):
        return self.xp.tan(x)

    def backward(self, gy):
        y = conj_of(self.outputs[0](), self.backend)  # type: ignore[arg-type]  # y lives
        return gy * (1.0 + y * y)  # d/dx tan(x) = 1 + tan(x)**2


class Tanh(Function):
    domain = "floating"

    def forward(self, x):
        return self.xp.tanh(x)

    def backward(self, gy):
        y = self.outputs[0]()
        if is_complex(y, self.backend):  # type: ignore[arg-type]  # y lives
            y = conj_of(y, self.backend)  # type: ignore[arg-type]  # y lives
            return gy * (1.0 - y * y)  # composed: TanhGrad is real-only
        return TanhGrad()(y, gy)


class TanhGrad(Function):
    """``gy * (1 - y**2)``, tanh's gradient from its output ``y``, as one op
    (for real ``y``: a complex one composes the formula, with ``conj(y)``).

    One call instead of three makes tanh's backward cheap; this op's own
    backward gives tanh's higher derivatives.
    """

    def forward(self, y, gy):
        return gy * (1.0 - y * y)

    def backward(self, ggx):
        y, gy = self.inputs
        return ggx * gy * (-2.0 * y), ggx * (1.0 - y * y)


class Sqrt(Function):
    domain = "floating"

    def forward(self, x):
        return self.xp.sqrt(x)

    def backward(self, gy):
        y = conj_of(self.outputs[0](), self.backend)  # type: ignore[arg-type]  # y lives
        return guarded_div(gy, 2.0 * y)  # infinite at 0, as the derivative is


class Abs(Function):
    def forward(self, x):
        return self.xp.abs(x)

    def backward(self, gy):
        (x,) = self.inputs
        if is_complex(x, self.backend):  # gy * z / |z|, 0 at 0
            r = self.outputs[0]()
            safe = r + _constant(self.xp.astype(r.data == 0, r.dtype))  # type: ignore[operator, union-attr]  # r lives
            return gy * x / safe
        return gy * _constant(self.xp.sign(x.data))  # 0 at x == 0


class Square(Function):
    def forward(self, x):
        return x * x

    def backward(self, gy):
        return 2.0 * conj_of(self.inputs[0], self.backend) * gy


class Clip(Function):
    domain = "real"

    def __init__(self, x_min: float | None, x_max: float | None) -> None:
        self.x_min, self.x_max = x_min, x_max

    def forward(self, x):
        # maximum, then minimum: array-api-compat's clip costs some 40 times more
        # on NumPy, and array-api-strict's refuses min > max (max wins here)
        xp, lo, hi = self.xp, self.x_min, self.x_max
        if lo is None and hi is None:
            return xp.asarray(x, copy=True)
        y = x if lo is None else xp.maximum(x, lo)
        return y if hi is None else xp.minimum(y, hi)

    def backward(self, gy):
        (x,) = self.inputs
        lo = -float("inf") if self.x_min is None else self.x_min
        hi = float("inf") if self.x_max is None else self.x_max
        inside = (x.data >= lo) & (x.data <= hi)
        return gy * _constant(self.xp.astype(inside, x.dtype))


class _Extremum(Function):
    """maximum/minimum: the gradient goes to the winner, split evenly on ties."""

    def explain(self, xs: tuple[Any, ...]) -> str:
        return broadcast_advice(*(tuple(x.shape) for x in xs))

    def backward(self, gy):
        x0, x1 = self.inputs
        xp = self.xp
        y = self.outputs[0]()
        share0 = xp.astype(x0.data == y.data, gy.dtype)  # type: ignore[union-attr]  # outputs live while backward runs
        share1 = xp.astype(x1.data == y.data, gy.dtype)  # type: ignore[union-attr]  # outputs live while backward runs
        total = share0 + share1
        return (
            sum_to(gy * _constant(share0 / total), x0.shape),
            sum_to(gy * _constant(share1 / total), x1.shape),
        )


class Maximum(_Extremum):
    domain = "real"

    def forward(self, x0, x1):
        return self.xp.maximum(x0, x1)


class Minimum(_Extremum):
    domain = "real"

    def forward(self, x0, x1):
        return self.xp.minimum(x0, x1)


class Where(Function):
    def __init__(self, condition: Any) -> None:
        self.condition = condition

    def forward(self, x0, x1):
        return self.xp.where(self.condition, x0, x1)

    def explain(self, xs: tuple[Any, ...]) -> str:
        return broadcast_advice(*(tuple(x.shape) for x in (self.condition, *xs)))

    def backward(self, gy):
        x0, x1 = self.inputs
        zero = 0.0
        return (
            sum_to(where(self.condition, gy, zero), x0.shape),
            sum_to(where(self.condition, zero, gy), x1.shape),
        )


def exp(x: Any) -> Variable:
    """Elementwise ``e ** x``."""
    return Exp()(x)


def log(x: Any) -> Variable:
    """Elementwise natural logarithm."""
    return Log()(x)


def sin(x: Any) -> Variable:
    """Elementwise sine."""
    return Sin()(x)


def cos(x: Any) -> Variable:
    """Elementwise cosine."""
    return Cos()(x)


def tan(x: Any) -> Variable:
    """Elementwise tangent."""
    return Tan()(x)


def tanh(x: Any) -> Variable:
    """Elementwise hyperbolic tangent."""
    return Tanh()(x)


def sqrt(x: Any) -> Variable:
    """Elementwise square root; its gradient at 0 is ``inf``."""
    return Sqrt()(x)


def abs(x: Any) -> Variable:
    """Elementwise absolute value; its gradient at 0 is 0 (a subgradient)."""
    return Abs()(x)


def square(x: Any) -> Variable:
    """Elementwise ``x * x``."""
    return Square()(x)


def maximum(x0: Any, x1: Any) -> Variable:
    """Elementwise larger of two arrays; tied elements share the gradient equally."""
    return Maximum()(x0, x1)


def minimum(x0: Any, x1: Any) -> Variable:
    """Elementwise smaller of two arrays; tied elements share the gradient equally."""
    return Minimum()(x0, x1)


def where(condition: Any, x0: Any, x1: Any) -> Variable:
    """``x0`` where ``condition`` holds, else ``x1``; ``condition`` is a boolean array."""
    if isinstance(condition, Variable):
        condition = condition.data
    return Where(condition)(x0, x1)
