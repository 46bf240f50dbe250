"""GELU, the transformer's activation, with its gradient as one fused op.

``gelu``'s derivative written with xgrad functions is some twenty
element-wise ops, each a pass over the activation (the widest array of a
transformer block). ``GeluGrad`` computes ``gy * gelu'(x)`` in one op, its
temporaries updated in place (:mod:`.inplace`), and its own backward gives
the second derivative in closed form, so every higher order follows, as
``LinearGrad`` and ``TanhGrad`` do.
"""

from __future__ import annotations

import math
from typing import Any

from ..core import Function, Variable
from .elementwise import exp, tanh
from .temporaries import multiply_into

_SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)  # k
_GELU_CUBIC = 0.044715  # c, the tanh approximation's coefficient
_SQRT_HALF = math.sqrt(0.5)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)


def _tanh_inner(x: Any) -> Any:
    """``k (x + c x^3)``, the tanh approximation's argument, as ``x (k + k c x^2)``."""
    u = x * x
    u *= _SQRT_2_OVER_PI * _GELU_CUBIC
    u += _SQRT_2_OVER_PI
    u *= x
    return u


class GELU(Function):
    """``x * Phi(x)`` with the normal distribution's ``Phi``; ``tanh``: its
    approximation ``0.5 x (1 + tanh(k (x + c x^3)))``, ``k = sqrt(2/pi)``,
    ``c = 0.044715``."""

    domain = "real floating"
    function_name = "gelu"

    def __init__(self, approximate: str) -> None:
        self.approximate = approximate

    def forward(self, x):
        if self.approximate == "tanh":
            y = self.xp.tanh(_tanh_inner(x))
        else:
            y = self.backend.erf(x * _SQRT_HALF)
        y += 1.0
        y *= x
        y *= 0.5
        return y

    def backward(self, gy):
        return GeluGrad(self.approximate)(self.inputs[0], gy)


class GeluGrad(Function):
    """``gy * gelu'(x)``, gelu's gradient, as one op.

    Exact: ``gelu'(x) = Phi(x) + x phi(x)`` with ``phi`` the normal density.
    Tanh approximation: with ``t = tanh(k (x + c x^3))`` and
    ``a = k (1 + 3 c x^2)``, ``gelu'(x) = 0.5 (1 + t) (1 + x a (1 - t))``.
    """

    domain = "real floating"
    function_name = "gelu"

    def __init__(self, approximate: str) -> None:
        self.approximate = approximate

    def forward(self, x, gy):
        if self.approximate == "tanh":
            slope = _tanh_slope(self.xp, x)
        else:
            slope = _exact_slope(self.backend, x)
        return multiply_into(slope, gy)

    def backward(self, ggx):
        x, gy = self.inputs
        gx = ggx * gy * _second(x, self.approximate) if self.needs_grad(0) else None
        ggy = GeluGrad(self.approximate)(x, ggx) if self.needs_grad(1) else None
        return gx, ggy


def _tanh_slope(xp: Any, x: Any) -> Any:
    """``0.5 (1 + t) (1 + x a (1 - t))``: two arrays, updated in place.

    ``u`` becomes the slope; ``t`` becomes ``t - 1``, then ``1 + t`` by adding
    2, a sum without rounding (its error is that of ``t - 1``, a unit in the
    last place of 1, as ``t``'s own).
    """
    slope = _tanh_inner(x)  # u = k x (1 + c x^2)
    t = xp.tanh(slope)
    slope *= 1.5 / _SQRT_2_OVER_PI  # v = x a / (2 k) = (3 u - 2 k x) / (2 k)
    slope -= x
    t -= 1.0  # -(1 - t)
    slope *= t
    slope -= 0.5 / _SQRT_2_OVER_PI  # -(v (1 - t) + 1 / (2 k))
    t += 2.0  # 1 + t
    slope *= t
    slope *= -_SQRT_2_OVER_PI  # k (1 + t) (v (1 - t) + 1 / (2 k))
    return slope


def _exact_slope(backend: Any, x: Any) -> Any:
    """``Phi(x) + x phi(x)``, ``phi`` the normal density, updated in place."""
    slope = backend.erf(x * _SQRT_HALF)
    slope += 1.0
    slope *= 0.5
    density = x * x
    density *= -0.5
    density = backend.xp.exp(density)
    density *= x
    density *= _INV_SQRT_2PI
    slope += density
    return slope


def _second(x: Variable, approximate: str) -> Variable:
    """``gelu''(x)`` with xgrad functions, so it can be differentiated again."""
    if approximate == "tanh":
        # gelu'' = (1 - t^2) (a - x t a^2 + 3 k c x^2), a = k (1 + 3 c x^2)
        x2 = x * x
        t = tanh(_SQRT_2_OVER_PI * x * (1.0 + _GELU_CUBIC * x2))
        a = _SQRT_2_OVER_PI * (1.0 + 3.0 * _GELU_CUBIC * x2)
        cubic = 3.0 * _SQRT_2_OVER_PI * _GELU_CUBIC
        return (1.0 - t * t) * (a - x * t * a * a + cubic * x2)
    # gelu'' = phi(x) (2 - x^2)
    x2 = x * x
    return exp(-0.5 * x2) * _INV_SQRT_2PI * (2.0 - x2)


def gelu(x: Any, approximate: str = "none") -> Variable:
    """The Gaussian error linear unit ``x * Phi(x)``, as PyTorch's ``gelu``.

    ``approximate="tanh"`` gives the tanh approximation (GPT-2's), cheaper
    where the backend has no native ``erf``. The gradient is one fused op
    whose own backward gives the second derivative, and so every order.
    """
    if approximate not in ("none", "tanh"):
        raise ValueError(
            f"gelu: approximate must be 'none' or 'tanh', got {approximate!r}"
        )
    return GELU(approximate)(x)
