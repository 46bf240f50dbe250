"""Inverses and determinants of stacks of matrices: solve, inv, det, slogdet,
pinv and matrix_power.

Each forward pass calls the standard's ``linalg`` extension through the
backend (``backend.linalg(name)``); each backward pass is written with xgrad
functions on the outputs, so second derivatives come free. The gradients
are Giles's ("Collected matrix derivative results", 2008) and, for pinv,
Golub and Pereyra's (1973).
"""

from __future__ import annotations

import operator
from typing import Any

from .._inputs import operand
from ..core import Variable
from .linalg import matmul
from .linalg_results import SlogdetResult
from .matrix_checks import MatrixFunction, batch_shape, identity, stack_of_square
from .shape import broadcast_to, matrix_transpose, reshape, sum_to


def _inverse_transpose(x: Variable) -> Variable:
    """``X^-T``, the gradient of ``log|det X|``; refuses a singular ``X``."""
    return matrix_transpose(inv(x))


class Inv(MatrixFunction):
    function_name = "inv"

    def forward(self, x):
        return self.backend.linalg("inv")(x)

    def backward(self, gy):
        y = matrix_transpose(self.outputs[0]())
        return -matmul(matmul(y, gy), y)  # d(X^-1) = -X^-1 dX X^-1


class Solve(MatrixFunction):
    function_name = "solve"

    def check(self, a: Any, b: Any) -> None:
        super().check(a, b)
        if b.ndim < 2 or b.shape[-2] != a.shape[-1]:
            raise ValueError(
                f"solve: x2 of shape {tuple(b.shape)} does not fit x1 of shape "
                f"{tuple(a.shape)}: x2 must be (..., {a.shape[-1]}, K), or a "
                f"vector of length {a.shape[-1]}"
            )

    def forward(self, a, b):
        xp, stack = self.xp, batch_shape("solve", tuple(a.shape), tuple(b.shape))
        a = xp.broadcast_to(a, (*stack, *a.shape[-2:]))  # one stack shape: no
        b = xp.broadcast_to(b, (*stack, *b.shape[-2:]))  # library guesses vectors
        return self.backend.linalg("solve")(a, b)

    def backward(self, gx):
        a, b = self.inputs
        x = self.outputs[0]()
        gb = Solve()(matrix_transpose(a), gx)  # A^T gB = gX
        ga = -matmul(gb, matrix_transpose(x))
        return sum_to(ga, a.shape), sum_to(gb, b.shape)


class Det(MatrixFunction):
    function_name = "det"

    def forward(self, x):
        return self.backend.linalg("det")(x)

    def backward(self, gy):
        (x,) = self.inputs
        scale = reshape(gy * self.outputs[0](), (*gy.shape, 1, 1))
        return scale * _inverse_transpose(x)  # d det X = det X tr(X^-1 dX)


class Slogdet(MatrixFunction):
    function_name = "slogdet"

    def forward(self, x):
        sign, logabsdet = self.backend.linalg("slogdet")(x)
        return sign, logabsdet

    def backward(self, gsign, glogabsdet):
        if glogabsdet is None:  # the sign is piecewise constant: no gradient
            return None
        (x,) = self.inputs
        scale = reshape(glogabsdet, (*glogabsdet.shape, 1, 1))
        return scale * _inverse_transpose(x)  # d log|det X| = tr(X^-1 dX)


class Pinv(MatrixFunction):
    function_name = "pinv"
    square = False

    def __init__(self, rtol: float | None) -> None:
        self.rtol = rtol

    def forward(self, x):
        return self.backend.linalg("pinv")(x, rtol=self.rtol)

    def backward(self, g):
        (a,) = self.inputs
        p = self.outputs[0]()
        pt, gt = matrix_transpose(p), matrix_transpose(g)
        # -P^T G P^T + (I - A P) G^T P P^T + P^T P G^T (I - P A), P = pinv(A)
        outside_range = matmul(gt, matmul(p, pt))
        outside_range = outside_range - matmul(a, matmul(p, outside_range))
        outside_rows = matmul(matmul(pt, p), gt)
        outside_rows = outside_rows - matmul(matmul(outside_rows, p), a)
        return -matmul(matmul(pt, g), pt) + outside_range + outside_rows


def solve(x1: Any, x2: Any, /) -> Variable:
    """The solution ``X`` of ``x1 @ X = x2`` for a stack of square ``x1``.

    ``x1`` is ``(..., M, M)``; ``x2`` is ``(..., M, K)``, or a vector of
    length ``M`` (then the result is a vector). The stack axes broadcast.
    Gradients: ``gx2 = solve(x1^T, gX)`` and ``gx1 = -gx2 X^T``. A singular
    ``x1`` raises the library's ``LinAlgError``.

    Examples
    --------
    >>> import numpy as np, xgrad.functions as F
    >>> F.solve(np.array([[2.0, 0.0], [0.0, 4.0]]), np.array([2.0, 2.0]))
    variable([1.  0.5])
    """
    x1, x2 = operand(x1, "solve", 0), operand(x2, "solve", 1)
    if x2.ndim == 1:  # a vector: a one-column matrix, then back
        column = Solve()(x1, reshape(x2, (-1, 1)))
        return reshape(column, column.shape[:-1])
    return Solve()(x1, x2)


def inv(x: Any, /) -> Variable:
    """The inverse of each square matrix of a stack ``(..., M, M)``.

    The gradient is ``-X^-T gY X^-T``. A singular matrix raises the
    library's ``LinAlgError``.
    """
    return Inv()(x)


def det(x: Any, /) -> Variable:
    """The determinant of each square matrix of a stack ``(..., M, M)``.

    The gradient is ``det(X) X^-T``: it needs an invertible ``X``; at a
    singular one the inverse raises ``LinAlgError`` (no silent NaN).
    """
    return Det()(x)


def slogdet(x: Any, /) -> SlogdetResult:
    """The sign and the log of the absolute value of the determinant.

    Returns the named tuple ``(sign, logabsdet)`` of the standard. Only
    ``logabsdet`` is differentiable (its gradient is ``X^-T``); ``sign`` is
    piecewise constant, with a zero gradient. More accurate than
    ``log(abs(det(x)))`` where the determinant under- or overflows.
    """
    sign, logabsdet = Slogdet()(x)
    return SlogdetResult(sign, logabsdet)


def pinv(x: Any, /, *, rtol: float | None = None) -> Variable:
    """The Moore-Penrose pseudo-inverse of each matrix of a stack ``(..., M, N)``.

    Singular values at or below ``rtol`` times the largest count as zero
    (default: ``max(M, N)`` times the dtype's machine epsilon, the standard's
    rule). The gradient is Golub and Pereyra's; it holds where the rank does
    not change nearby (not on a singular value that sits at the cut-off).
    """
    return Pinv(rtol)(x)


def matrix_power(x: Any, n: int, /) -> Variable:
    """``x`` multiplied by itself ``n`` times, for a stack of square matrices.

    ``n = 0`` gives the identity (with a zero gradient); a negative ``n``
    raises the inverse to ``-n``. Computed by repeated squaring with
    :func:`matmul` and :func:`inv`, so every derivative follows.
    """
    x = operand(x, "matrix_power")
    stack_of_square(x, "matrix_power")
    try:
        n = operator.index(n)
    except TypeError:
        raise TypeError(
            f"matrix_power: n must be an int, got {type(n).__name__} {n!r}; pass int(n)"
        ) from None
    if n == 0:
        eye = identity(x.backend, x.data, x.shape[-1])
        return x * 0.0 + broadcast_to(eye, x.shape)
    base, n = (inv(x), -n) if n < 0 else (x, n)
    result = None
    while n:
        if n & 1:
            result = base if result is None else matmul(result, base)
        n >>= 1
        if n:
            base = matmul(base, base)
    return result  # type: ignore[return-value]  # n > 0 here: set at least once
