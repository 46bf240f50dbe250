"""Inverse trigonometric and hyperbolic functions: acos, asin, atan, atan2,
acosh, asinh, atanh, sinh, cosh, with the array API standard's signatures.

Forward values (and the standard's special cases: ``atan2``'s signed zeros
and infinities, NaN outside a domain) come from the library. Derivatives are
written in forms that stay accurate where the naive ones lose digits:
``(1 - x) * (1 + x)`` for ``1 - x**2`` near ±1, ``hypot`` for ``x**2 + 1``.
Complex input gets the gradient ``gy * conj(f'(x))`` (docs/complex.md).
"""

from __future__ import annotations

from typing import Any

from ..core import Constant, Function, Variable
from .binary import Broadcasting
from .complex_numbers import conj_of, is_complex
from .elementwise import sqrt
from .guarded import guarded_div
from .magnitudes import hypot

__all__ = [
    "acos",
    "acosh",
    "asin",
    "asinh",
    "atan",
    "atan2",
    "atanh",
    "cosh",
    "sinh",
]


class Acos(Function):
    domain = "floating"  # integers become floating (xgrad.domains)

    def forward(self, x):
        return self.xp.acos(x)

    def backward(self, gy):
        x = conj_of(self.inputs[0], self.backend)  # holomorphic: conj(f'(x))
        return -guarded_div(gy, sqrt((1.0 - x) * (1.0 + x)))  # -1 / sqrt(1 - x**2)


class Asin(Function):
    domain = "floating"

    def forward(self, x):
        return self.xp.asin(x)

    def backward(self, gy):
        x = conj_of(self.inputs[0], self.backend)  # holomorphic: conj(f'(x))
        return guarded_div(gy, sqrt((1.0 - x) * (1.0 + x)))  # 1 / sqrt(1 - x**2)


class Atan(Function):
    domain = "floating"

    def forward(self, x):
        return self.xp.atan(x)

    def backward(self, gy):
        x = conj_of(self.inputs[0], self.backend)  # holomorphic: conj(f'(x))
        return gy / (1.0 + x * x)


class Atan2(Broadcasting):
    domain = "real floating"

    def forward(self, x1, x2):
        return self.xp.atan2(x1, x2)

    def backward(self, gy):
        x1, x2 = self.inputs
        # d/dx1 = x2 / r**2, d/dx2 = -x1 / r**2 with r = hypot(x1, x2), as
        # (x2 / r) / r so that r**2 neither overflows nor underflows; 0 at the
        # origin (where the angle jumps), not 0 / 0.
        r = hypot(x1, x2)
        r = r + Constant(self.xp.astype(r.data == 0, r.dtype))
        g = gy / r
        return self.reduce(g * (x2 / r), -g * (x1 / r))


class Sinh(Function):
    domain = "floating"

    def forward(self, x):
        return self.xp.sinh(x)

    def backward(self, gy):
        x = conj_of(self.inputs[0], self.backend)  # holomorphic: conj(f'(x))
        return gy * cosh(x)


class Cosh(Function):
    domain = "floating"

    def forward(self, x):
        return self.xp.cosh(x)

    def backward(self, gy):
        x = conj_of(self.inputs[0], self.backend)  # holomorphic: conj(f'(x))
        return gy * sinh(x)


class Acosh(Function):
    domain = "floating"

    def forward(self, x):
        return self.xp.acosh(x)

    def backward(self, gy):
        x = conj_of(self.inputs[0], self.backend)  # holomorphic: conj(f'(x))
        return guarded_div(gy, sqrt(x - 1.0) * sqrt(x + 1.0))  # 1 / sqrt(x**2 - 1)


class Asinh(Function):
    domain = "floating"

    def forward(self, x):
        return self.xp.asinh(x)

    def backward(self, gy):
        x = conj_of(self.inputs[0], self.backend)  # holomorphic: conj(f'(x))
        if is_complex(x, self.backend):  # hypot is real-only
            return gy / sqrt(x * x + 1.0)
        return gy / hypot(x, 1.0)  # 1 / sqrt(x**2 + 1), no overflow


class Atanh(Function):
    domain = "floating"

    def forward(self, x):
        return self.xp.atanh(x)

    def backward(self, gy):
        x = conj_of(self.inputs[0], self.backend)  # holomorphic: conj(f'(x))
        return guarded_div(gy, (1.0 - x) * (1.0 + x))  # 1 / (1 - x**2)


def acos(x: Any, /) -> Variable:
    """Elementwise inverse cosine, in ``[0, pi]``.

    NaN outside ``[-1, 1]``; the gradient ``-1 / sqrt(1 - x**2)`` is ``-inf``
    at ±1 and NaN outside. Complex input gives values, not gradients.
    """
    return Acos()(x)


def asin(x: Any, /) -> Variable:
    """Elementwise inverse sine, in ``[-pi/2, pi/2]``.

    NaN outside ``[-1, 1]``; the gradient ``1 / sqrt(1 - x**2)`` is ``inf`` at
    ±1 and NaN outside. Complex input gives values, not gradients.
    """
    return Asin()(x)


def atan(x: Any, /) -> Variable:
    """Elementwise inverse tangent, in ``(-pi/2, pi/2)``; gradient ``1 / (1 + x**2)``."""
    return Atan()(x)


def atan2(x1: Any, x2: Any, /) -> Variable:
    """The angle of the point ``(x2, x1)``, in ``[-pi, pi]``: ``atan(x1 / x2)`` in
    the right quadrant (note the order: ``x1`` is the y-coordinate).

    Inputs broadcast, and either may be a Python scalar. Signed zeros and
    infinities follow the standard (the library's ``atan2``). The gradient
    ``(x2, -x1) / (x1**2 + x2**2)`` has no overflow for large inputs and is 0
    at the origin, where the angle is not continuous.
    """
    return Atan2()(x1, x2)


def sinh(x: Any, /) -> Variable:
    """Elementwise hyperbolic sine; gradient ``cosh(x)``."""
    return Sinh()(x)


def cosh(x: Any, /) -> Variable:
    """Elementwise hyperbolic cosine; gradient ``sinh(x)``."""
    return Cosh()(x)


def acosh(x: Any, /) -> Variable:
    """Elementwise inverse hyperbolic cosine, for ``x >= 1``.

    NaN below 1; the gradient ``1 / sqrt(x**2 - 1)`` is ``inf`` at 1 and NaN
    below. Complex input gives values, not gradients.
    """
    return Acosh()(x)


def asinh(x: Any, /) -> Variable:
    """Elementwise inverse hyperbolic sine; gradient ``1 / sqrt(x**2 + 1)``,
    computed without overflow for large ``x``."""
    return Asinh()(x)


def atanh(x: Any, /) -> Variable:
    """Elementwise inverse hyperbolic tangent, for ``-1 < x < 1``.

    ±inf at ±1 and NaN outside; the gradient ``1 / (1 - x**2)`` is ``inf`` at
    ±1 (and finite outside, as PyTorch's). Complex input gives values, not
    gradients.
    """
    return Atanh()(x)
