"""add, sub, mul, div, neg, pow, and the Variable operators built on them.

Binary ops broadcast like the array API; their backward sums each gradient
back to its input's shape (``sum_to``).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .._errors import broadcast_advice
from .._inputs import floating
from ..core import Function, Variable
from ..operators import OPS
from . import (
    complex_numbers,
    elementwise,
    indexing,
    linalg,
    logic,
    reduction,
    rounding,
    shape,
    transfer,
    writes,
)
from .complex_numbers import conj_of
from .elementwise import log
from .guarded import guarded_div, guarded_mul
from .shape import sum_to


class _Binary(Function):
    """Two inputs that broadcast; remembers their shapes for the backward pass.

    The forwards use the library's operator when both dtypes are one (the
    common case: nothing extra to pay) and the standard's function when they
    differ, whose promotion array-api-compat mends where the operator's
    differs (PyTorch gives ``int16 0-d + int8`` the dtype int8).
    """

    def explain(self, xs: tuple[Any, ...]) -> str:
        return broadcast_advice(*(tuple(x.shape) for x in xs))

    def reduce(self, gx0: Variable, gx1: Variable) -> tuple[Variable, Variable]:
        x0, x1 = self.inputs
        return sum_to(gx0, x0.shape), sum_to(gx1, x1.shape)


def conjugates(f: Function) -> tuple[Variable, Variable]:
    """``f``'s two inputs, conjugated where complex (xgrad.functions.complex_numbers)."""
    x0, x1 = f.inputs
    return conj_of(x0, f.backend), conj_of(x1, f.backend)


class Add(_Binary):
    def forward(self, x0, x1):
        return x0 + x1 if x0.dtype is x1.dtype else self.xp.add(x0, x1)

    def backward(self, gy):
        return self.reduce(gy, gy)


class Sub(_Binary):
    def forward(self, x0, x1):
        return x0 - x1 if x0.dtype is x1.dtype else self.xp.subtract(x0, x1)

    def backward(self, gy):
        return self.reduce(gy, -gy)


class Mul(_Binary):
    def forward(self, x0, x1):
        return x0 * x1 if x0.dtype is x1.dtype else self.xp.multiply(x0, x1)

    def backward(self, gy):
        x0, x1 = conjugates(self)
        return self.reduce(gy * x1, gy * x0)


class Div(_Binary):
    domain = "floating"  # true division: integers become floating

    def forward(self, x0, x1):
        return x0 / x1 if x0.dtype is x1.dtype else self.xp.divide(x0, x1)

    def backward(self, gy):
        x0, x1 = conjugates(self)
        gx0 = guarded_div(gy, x1)  # 0 where gy is 0, where x1 is 0 too
        y = self.outputs[0]()
        # d(x0/x1)/dx1 = -x0 / x1**2 = -gx0 * y (conjugated: x0, x1 are)
        y = x0 / x1 if y is None else conj_of(y, self.backend)
        return self.reduce(gx0, -guarded_mul(gx0, y))


class Neg(Function):
    def forward(self, x):
        return -x

    def backward(self, gy):
        return -gy


class Pow(Function):
    """``x ** c`` for a constant Python number ``c``."""

    def __init__(self, c: complex) -> None:
        self.c = c

    def forward(self, x):
        c = self.c  # int ** negative int: floating, as with `/`
        kind = None if isinstance(c, int) and c < 0 else type(c)
        return floating(self.backend, x, kind) ** c

    def backward(self, gy):
        x = conj_of(self.inputs[0], self.backend)
        c = self.c.conjugate()
        if c == 0:  # x ** 0 is 1 everywhere: a zero slope, at x = 0 too (not 0 * inf)
            return gy * 0.0
        # Infinite at 0 for c < 1; and for any c NaN where x is (a 0/0 that
        # the caller overwrites, as StandardScaler's variance update does):
        # a zero upstream gradient gives 0 there either way.
        return guarded_mul(gy, c * x ** (c - 1))


class Power(_Binary):
    """``x0 ** x1`` where the exponent is an array too."""

    def forward(self, x0, x1):
        return x0**x1 if x0.dtype is x1.dtype else self.xp.pow(x0, x1)

    def backward(self, gy):
        x0, x1 = conjugates(self)
        # 0 ** 0 sits on x ** 0, constant in x: slope 0, not 0 * 0 ** -1. Only
        # there take x ** 0 for x ** -1 (the factor x1 is 0 either way); the
        # exponent's slope of this term, 1 / x, is infinite there anyway.
        both_zero = (x1.data == 0) & (x0.data == 0)
        slope = x1 * x0 ** (x1 - 1 + self.xp.astype(both_zero, x1.dtype))
        gx0 = guarded_mul(gy, slope)  # infinite at x0 = 0 for x1 < 1
        if not self.needs_grad(1):  # a data exponent: no log of a negative base
            return sum_to(gx0, x0.shape), None
        y = self.outputs[0]()
        y = None if y is None else conj_of(y, self.backend)
        # 0 ** t is constant in t where it is defined, so its slope is 0, not
        # 0 * log(0): take the log of 1 there instead of 0.
        zero_base = self.xp.astype(x0.data == 0, x0.dtype)
        gx1 = guarded_mul(gy, (y if y is not None else x0**x1) * log(x0 + zero_base))
        return self.reduce(gx0, gx1)


class AddConstant(Function):
    """``x + c`` for a Python number ``c``: one input, no broadcasting to undo."""

    def __init__(self, c: complex) -> None:
        self.c = c

    def forward(self, x):
        return floating(self.backend, x, type(self.c)) + self.c

    def backward(self, gy):
        return gy


class MulConstant(AddConstant):
    def forward(self, x):
        return floating(self.backend, x, type(self.c)) * self.c

    def backward(self, gy):
        return gy * self.c.conjugate()


class SubFromConstant(AddConstant):
    def forward(self, x):
        return self.c - floating(self.backend, x, type(self.c))

    def backward(self, gy):
        return -gy


class DivConstant(AddConstant):
    domain = "floating"

    def forward(self, x):
        return x / self.c

    def backward(self, gy):
        return gy / self.c.conjugate()


class DivIntoConstant(AddConstant):
    domain = "floating"

    def forward(self, x):
        return self.c / x

    def backward(self, gy):
        x, y = self.inputs[0], self.outputs[0]()
        x, y = conj_of(x, self.backend), conj_of(y, self.backend)  # type: ignore[arg-type]  # y lives
        return guarded_mul(gy, -y / x)  # d(c/x)/dx = -c/x**2 = -y/x


def constant(c: Any) -> complex | None:
    """``c`` as a Python number if it is a scalar constant, else None.

    Python numbers stay weak in every library (``float32 * 2.0`` is float32);
    NumPy scalars (``np.float64(2.0)``) are treated the same way.
    """
    cls = type(c)
    if cls is float or cls is int:
        return c
    if cls is Variable or hasattr(c, "__array_namespace__"):
        return None
    if isinstance(c, np.generic) and c.dtype.kind in "biufc":
        return c.item()
    if isinstance(c, int | float | complex):
        return c
    return None


def add(x0: Any, x1: Any) -> Variable:
    """``x0 + x1`` with broadcasting."""
    if type(x0) is Variable and type(x1) is Variable:  # the common case first
        return Add()(x0, x1)
    if (c := constant(x1)) is not None:
        return AddConstant(c)(x0)
    if (c := constant(x0)) is not None:
        return AddConstant(c)(x1)
    return Add()(x0, x1)


def sub(x0: Any, x1: Any) -> Variable:
    """``x0 - x1`` with broadcasting."""
    if type(x0) is Variable and type(x1) is Variable:  # the common case first
        return Sub()(x0, x1)
    if (c := constant(x1)) is not None:
        return AddConstant(-c)(x0)
    if (c := constant(x0)) is not None:
        return SubFromConstant(c)(x1)
    return Sub()(x0, x1)


def rsub(x0: Any, x1: Any) -> Variable:
    """``x1 - x0``: the reflected form, for ``2.0 - x``."""
    return sub(x1, x0)


def mul(x0: Any, x1: Any) -> Variable:
    """``x0 * x1`` with broadcasting."""
    if type(x0) is Variable and type(x1) is Variable:  # the common case first
        return Mul()(x0, x1)
    if (c := constant(x1)) is not None:
        return MulConstant(c)(x0)
    if (c := constant(x0)) is not None:
        return MulConstant(c)(x1)
    return Mul()(x0, x1)


def div(x0: Any, x1: Any) -> Variable:
    """``x0 / x1`` with broadcasting."""
    if type(x0) is Variable and type(x1) is Variable:  # the common case first
        return Div()(x0, x1)
    if (c := constant(x1)) is not None:
        return DivConstant(c)(x0)
    if (c := constant(x0)) is not None:
        return DivIntoConstant(c)(x1)
    return Div()(x0, x1)


def rdiv(x0: Any, x1: Any) -> Variable:
    """``x1 / x0``: the reflected form, for ``1.0 / x``."""
    return div(x1, x0)


def neg(x: Any) -> Variable:
    """``-x``."""
    return Neg()(x)


def pow(x: Any, c: Any) -> Variable:
    """``x ** c``; ``c`` may be a Python number or, differentiably, an array."""
    if (k := constant(c)) is not None:
        return Pow(k)(x)
    return Power()(x, c)


def rpow(x: Any, c: Any) -> Variable:
    """``c ** x``: the reflected form, for ``2 ** x``."""
    return Power()(c, x)


def setup_variable() -> None:
    """Connect Variable's operators and array methods to these functions.

    DeZero's name (book step 23). The methods are in the Variable class
    (:class:`xgrad.operators.Operators`); they forward through
    :data:`xgrad.operators.OPS`, which this fills. xgrad calls it on import;
    calling it again changes nothing.
    """
    OPS.__dict__.update(
        add=add,
        sub=sub,
        rsub=rsub,
        mul=mul,
        div=div,
        rdiv=rdiv,
        neg=neg,
        pow=pow,
        rpow=rpow,
        matmul=linalg.matmul,
        get_item=indexing.get_item,
        floordiv=rounding.floor_divide,
        mod=rounding.remainder,
        abs=elementwise.abs,
        positive=_positive,
        binary=logic.binary,
        unary=logic.unary,
        matrix_transpose=shape.matrix_transpose,
        real=complex_numbers.real,
        to_device=transfer.move,
        setitem=writes.setitem,
        inplace=writes.inplace,
        reshape=shape.reshape,
        transpose=shape.transpose,
        sum=reduction.sum,
        mean=reduction.mean,
        max=reduction.max,
        min=reduction.min,
    )


def _positive(x: Any) -> Variable:
    """``+x``: a new Variable equal to ``x``, on the tape."""
    return shape.Identity()(x)
