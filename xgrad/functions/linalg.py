"""Matrix products: matmul (1-D, 2-D, batched, broadcast) and linear."""

from __future__ import annotations

from typing import Any

from ..core import Function, Variable, as_input
from .shape import matrix_transpose, reshape, sum_to


class MatMul(Function):
    """``x @ W`` for inputs of two or more dimensions (batch axes broadcast)."""

    def forward(self, x, W):
        return self.xp.matmul(x, W)

    def backward(self, gy):
        x, W = self.inputs
        gx = sum_to(gy @ matrix_transpose(W), x.shape) if self.needs_grad(0) else None
        gW = sum_to(matrix_transpose(x) @ gy, W.shape) if self.needs_grad(1) else None
        return gx, gW


def matmul(x: Any, W: Any) -> Variable:
    """Matrix product with NumPy's rules: a 1-D operand is a row or a column.

    Examples
    --------
    >>> import numpy as np, xgrad.functions as F
    >>> F.matmul(np.ones((4, 2, 3)), np.ones((3, 5))).shape
    (4, 2, 5)
    """
    x, W = as_input(x), as_input(W)
    if x.ndim == 0 or W.ndim == 0:
        raise ValueError(
            f"matmul: operands must have at least one dimension, got shapes "
            f"{x.shape} and {W.shape}; use * for scalars"
        )
    if x.shape[-1] != W.shape[-2 if W.ndim > 1 else 0]:
        raise ValueError(
            f"matmul: shapes {x.shape} and {W.shape} do not line up: the last "
            f"axis of the first must equal the "
            f"{'second-to-last' if W.ndim > 1 else 'only'} axis of the second"
        )
    if x.ndim == 1 and W.ndim == 1:
        return reshape(MatMul()(reshape(x, (1, -1)), reshape(W, (-1, 1))), ())
    if x.ndim == 1:
        y = MatMul()(reshape(x, (1, -1)), W)
        return reshape(y, y.shape[:-2] + y.shape[-1:])
    if W.ndim == 1:
        return reshape(MatMul()(x, reshape(W, (-1, 1))), x.shape[:-1])
    return MatMul()(x, W)


dot = matmul


class Linear(Function):
    def forward(self, x, W, b=None):
        y = self.xp.matmul(x, W)
        return y if b is None else y + b

    def backward(self, gy):
        x, W = self.inputs[:2]
        gx = gy @ W.T if self.needs_grad(0) else None  # data needs no gradient
        gW = x.T @ gy if self.needs_grad(1) else None
        if len(self.inputs) == 2:
            return gx, gW
        return gx, gW, sum_to(gy, self.inputs[2].shape)


def linear(x: Any, W: Any, b: Any = None) -> Variable:
    """``x @ W + b`` for a batch ``x`` of shape (N, in) and ``W`` of shape (in, out)."""
    x, W = as_input(x), as_input(W)
    if x.ndim != 2 or W.ndim != 2 or x.shape[1] != W.shape[0]:
        raise ValueError(
            f"linear: expected x of shape (N, in) and W of shape (in, out), got "
            f"x {x.shape} and W {W.shape}"
        )
    return Linear()(x, W) if b is None else Linear()(x, W, b)


def linear_simple(x: Any, W: Any, b: Any = None) -> Variable:
    """The book's ``linear`` built from ``matmul`` and ``+`` (step 43)."""
    t = matmul(x, W)
    return t if b is None else t + b
