"""Rounding and division with remainder: floor, ceil, round, trunc, sign,
remainder, floor_divide, with the array API standard's signatures.

Integer input keeps its dtype (``floor`` of an int64 array is that int64
array), as the standard requires; bool is refused. The step functions are
differentiable with a zero gradient everywhere, at their jumps too, as in
PyTorch: training code can pass through them without a special case.
"""

from __future__ import annotations

from typing import Any

from ..core import Constant, Function, Variable
from ..domains import kind
from .binary import Broadcasting, zero_gradient
from .complex_numbers import conj_of, is_complex
from .elementwise import abs as abs_

__all__ = ["ceil", "floor", "floor_divide", "remainder", "round", "sign", "trunc"]


class _Step(Function):
    """A function constant between jumps: its gradient is zero."""

    domain = "real numeric"  # integers kept, bool and complex refused

    def backward(self, gy):
        return zero_gradient(self, self.inputs[0])


class Floor(_Step):
    def forward(self, x):
        return self.xp.floor(x)


class Ceil(_Step):
    def forward(self, x):
        return self.xp.ceil(x)


class Trunc(_Step):
    def forward(self, x):
        return self.xp.trunc(x)


class Round(_Step):
    domain = "numeric"  # complex rounds both parts: still piecewise constant

    def forward(self, x):
        return self.xp.round(x)


class Sign(_Step):
    domain = "numeric"

    def forward(self, x):
        return self.xp.sign(x)

    def backward(self, gy):
        (x,) = self.inputs
        if is_complex(x, self.backend):  # x / |x|: smooth, but for a jump at 0
            return _phase_gradient(self, x, gy)
        return zero_gradient(self, x)


def _phase_gradient(f: Function, z: Variable, gw: Variable) -> Variable:
    """The gradient of ``w = z / |z|``: ``(gw - conj(gw) * w**2) / (2 |z|)``,
    and 0 at ``z == 0`` (as PyTorch's ``sgn``)."""
    r = abs_(z)
    at_zero = f.xp.astype(r.data == 0, r.dtype)
    safe = r + Constant(at_zero)
    w = z / safe
    g = (gw - conj_of(gw, f.backend) * w * w) / (2.0 * safe)
    return g * Constant(1.0 - at_zero)


class _Division(Broadcasting):
    """Floor division and its remainder, on integers or real floats. An integer
    array meeting a floating one (a Python float among them) becomes floating,
    as in NumPy and PyTorch; the standard leaves the mix undefined."""

    domain = "real numeric"

    def quotient(self, a: Any, b: Any) -> Any:
        """``floor(a / b)`` as ``floor_divide`` computes it (the q of ``a = q*b + r``)."""
        return self.xp.floor_divide(*self.same_kind(a, b))

    def same_kind(self, a: Any, b: Any) -> tuple[Any, Any]:
        kinds = kind(self.backend, a.dtype), kind(self.backend, b.dtype)
        if kinds == ("integral", "real floating"):
            return self.xp.astype(a, b.dtype), b
        if kinds == ("real floating", "integral"):
            return a, self.xp.astype(b, a.dtype)
        return a, b


class Remainder(_Division):
    def forward(self, x1, x2):
        return self.xp.remainder(*self.same_kind(x1, x2))

    def backward(self, gy):
        x1, x2 = self.inputs
        # x1 - q * x2 with q = floor_divide(x1, x2), constant between its jumps
        q = self.quotient(x1.data, x2.data) if x2.requires_grad else None
        return self.reduce(gy, None if q is None else -gy * Constant(q))


class FloorDivide(_Division):
    def forward(self, x1, x2):
        return self.quotient(x1, x2)

    def backward(self, gy):
        return tuple(
            zero_gradient(self, x) if x.requires_grad else None for x in self.inputs
        )


def floor(x: Any, /) -> Variable:
    """The largest integer-valued number ``<= x``, elementwise; integers as they are.

    Gradient 0 (at the jumps too).
    """
    return Floor()(x)


def ceil(x: Any, /) -> Variable:
    """The smallest integer-valued number ``>= x``, elementwise; integers as they are.

    Gradient 0 (at the jumps too).
    """
    return Ceil()(x)


def trunc(x: Any, /) -> Variable:
    """``x`` rounded towards zero, elementwise; integers as they are. Gradient 0."""
    return Trunc()(x)


def round(x: Any, /) -> Variable:
    """``x`` rounded to the nearest integer-valued number, halves to even
    (``round(2.5) == 2``); integers as they are. Gradient 0."""
    return Round()(x)


def sign(x: Any, /) -> Variable:
    """-1, 0 or 1 by the sign of ``x`` (NaN for NaN; ``x / |x|`` for complex),
    in ``x``'s dtype. Gradient 0 for real input; for complex input that of
    ``x / |x|``, 0 at 0 (as PyTorch's ``sgn``)."""
    return Sign()(x)


def remainder(x1: Any, x2: Any, /) -> Variable:
    """``x1 - floor_divide(x1, x2) * x2``: the remainder with the sign of ``x2``
    (Python's ``%``), elementwise; integers stay integers.

    Inputs broadcast, and either may be a Python scalar. Gradients: 1 with
    respect to ``x1`` and ``-floor_divide(x1, x2)`` with respect to ``x2``
    (PyTorch's), away from the jumps where ``x1 / x2`` is an integer.
    """
    return Remainder()(x1, x2)


def floor_divide(x1: Any, x2: Any, /) -> Variable:
    """``floor(x1 / x2)`` elementwise (Python's ``//``); integers stay integers.

    Inputs broadcast, and either may be a Python scalar. Gradient 0.
    """
    return FloorDivide()(x1, x2)
