"""Operators on Variables of two dtypes promote as the array API standard says.

PyTorch's own operators let a 0-d array of a wider dtype take the other
array's dtype (``int16 0-d + int8`` gives int8, ``float64 0-d * float32``
gives float32); the standard, NumPy and xgrad give the wider dtype, on every
backend, with or without a gradient.
"""

from __future__ import annotations

import operator

import numpy as np
import pytest

import xgrad
from xgrad import Variable

ARITHMETIC = {
    "+": operator.add,
    "-": operator.sub,
    "*": operator.mul,
    "**": operator.pow,
    "//": operator.floordiv,
    "%": operator.mod,
}
BITWISE = {"&": operator.and_, "|": operator.or_, "^": operator.xor}
COMPARISONS = {"<": operator.lt, "==": operator.eq, ">=": operator.ge}


@pytest.mark.parametrize("symbol", [*ARITHMETIC, *BITWISE])
def test_a_wider_0d_integer_array_sets_the_dtype(symbol, backend, to_backend):
    xa = xgrad.array_api.namespace(backend)
    small = Variable(to_backend(np.array([1, 2, 3], dtype=np.int8)))
    wide = Variable(to_backend(np.array(2, dtype=np.int16)))
    op = {**ARITHMETIC, **BITWISE}[symbol]
    for a, b in ((small, wide), (wide, small)):
        assert op(a, b).dtype == xa.int16, f"int8 {symbol} int16: {op(a, b).dtype}"


@pytest.mark.parametrize("symbol", ["+", "-", "*", "/", "**"])
def test_a_wider_0d_float_array_sets_the_dtype_and_gets_its_gradient(
    symbol, backend, to_backend
):
    xa = xgrad.array_api.namespace(backend)
    if not backend.has_float64():
        pytest.skip(f"{backend.name}: no float64 on this device")
    op = {**ARITHMETIC, "/": operator.truediv}[symbol]
    x = Variable(to_backend(np.array([0.5, 1.5], dtype=np.float32)))
    c = Variable(to_backend(np.array(1.25)))
    y = op(x, c)
    assert y.dtype == xa.float64
    expected = op(np.array([0.5, 1.5], dtype=np.float32), np.array(1.25))
    np.testing.assert_allclose(backend.to_numpy(y.data), expected, rtol=1e-15)
    xgrad.functions.sum(y).backward()
    a, b = np.array([0.5, 1.5]), 1.25
    dx, dc = SLOPES[symbol](a, b)  # of sum(x op c), in float64
    np.testing.assert_allclose(backend.to_numpy(x.grad.data), dx, rtol=1e-6)
    np.testing.assert_allclose(backend.to_numpy(c.grad.data), np.sum(dc), rtol=1e-6)


SLOPES = {  # (d/dx, d/dc) of x op c, elementwise
    "+": lambda x, c: (np.ones_like(x), np.ones_like(x)),
    "-": lambda x, c: (np.ones_like(x), -np.ones_like(x)),
    "*": lambda x, c: (c + 0 * x, x),
    "/": lambda x, c: (1 / c + 0 * x, -x / c**2),
    "**": lambda x, c: (c * x ** (c - 1), x**c * np.log(x)),
}


@pytest.mark.parametrize("symbol", list(COMPARISONS))
def test_comparisons_of_two_dtypes_compare_values(symbol, backend, to_backend):
    small = Variable(to_backend(np.array([1, 2, 3], dtype=np.int8)))
    wide = Variable(to_backend(np.array(300, dtype=np.int16)))  # no int8 holds it
    got = backend.to_numpy(COMPARISONS[symbol](small, wide).data)
    want = COMPARISONS[symbol](np.array([1, 2, 3], dtype=np.int8), np.int16(300))
    np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize(
    ("left", "right"),
    [("float32", "float32"), ("float32", "float64"), ("int32", "int64")],
)
def test_the_backend_matmul_promotes_two_dtypes(left, right, backend, to_backend):
    """The backend's ``matmul`` (the one op code calls) gives the standard's
    result dtype; PyTorch's own ``matmul`` refuses two dtypes."""
    xp = backend.xp
    a = to_backend(np.arange(6).reshape(2, 3).astype(left))
    b = to_backend(np.arange(3).reshape(3, 1).astype(right))
    got = xp.matmul(a, b)
    assert got.dtype == xp.result_type(a.dtype, b.dtype)
    expected = np.arange(6).reshape(2, 3) @ np.arange(3).reshape(3, 1)
    np.testing.assert_array_equal(xgrad.cuda.as_numpy(got), expected)
