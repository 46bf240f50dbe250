"""Matrix products: matmul (1-D, 2-D, batched, broadcast) and linear."""

from __future__ import annotations

from typing import Any

from .._inputs import operand
from ..core import Function, Variable
from .complex_numbers import conj_of, is_complex
from .shape import broadcast_to, matrix_transpose, reshape, sum_to, sum_to_array
from .temporaries import add_into


def _product(xp: Any, a: Any, b: Any) -> Any:
    """``a @ b`` with mixed float dtypes cast to their common one first, as NumPy's
    ``dot`` does: its ``matmul`` of mixed dtypes skips BLAS and sums in another
    order, so DeZero's (and the book's) numbers would differ in the last digit."""
    if a.dtype != b.dtype:
        common = xp.result_type(a, b)
        a, b = xp.astype(a, common, copy=False), xp.astype(b, common, copy=False)
    return xp.matmul(a, b)


class MatMul(Function):
    """``x @ W`` for inputs of two or more dimensions (batch axes broadcast)."""

    function_name = "matmul"

    def check(self, x: Any, W: Any) -> None:
        if x.ndim < 2 or W.ndim < 2:
            raise ValueError(
                f"matmul: MatMul takes arrays of two or more dimensions, got shapes "
                f"{tuple(x.shape)} and {tuple(W.shape)}; F.matmul also takes 1-D"
            )
        _check_matmul(tuple(x.shape), tuple(W.shape))

    def forward(self, x, W):
        return _product(self.xp, x, W)

    def backward(self, gy):
        x, W = self.inputs  # shapes already checked: MatMul, not the matmul wrapper
        x, W = conj_of(x, self.backend), conj_of(W, self.backend)
        gx = MatMul()(gy, matrix_transpose(W)) if self.needs_grad(0) else None
        gW = MatMul()(matrix_transpose(x), gy) if self.needs_grad(1) else None
        return (
            None if gx is None else sum_to(gx, x.shape),
            None if gW is None else sum_to(gW, W.shape),
        )


def matmul(x: Any, W: Any) -> Variable:
    """Matrix product with NumPy's rules: a 1-D operand is a row or a column.

    Examples
    --------
    >>> import numpy as np, xgrad.functions as F
    >>> F.matmul(np.ones((4, 2, 3)), np.ones((3, 5))).shape
    (4, 2, 5)
    """
    x, W = operand(x, "matmul", 0), operand(W, "matmul", 1)  # 1-D: reshaped
    if x.ndim == 0 or W.ndim == 0:
        raise ValueError(
            f"matmul: operands must have at least one dimension, got shapes "
            f"{x.shape} and {W.shape}; use * for scalars"
        )
    _check_matmul(x.shape, W.shape)
    if x.ndim == 1 and W.ndim == 1:
        return reshape(MatMul()(reshape(x, (1, -1)), reshape(W, (-1, 1))), ())
    if x.ndim == 1:
        y = MatMul()(reshape(x, (1, -1)), W)
        return reshape(y, y.shape[:-2] + y.shape[-1:])
    if W.ndim == 1:
        return reshape(MatMul()(x, reshape(W, (-1, 1))), x.shape[:-1])
    return MatMul()(x, W)


dot = matmul


def _check_matmul(x: tuple[int, ...], W: tuple[int, ...]) -> None:
    """``x @ W`` lines up (NumPy's rules, 1-D included) and the batch axes broadcast."""
    inner = W[-2 if len(W) > 1 else 0]
    if x[-1] != inner:
        raise ValueError(
            f"matmul: shapes {x} and {W} do not line up: the last axis of the "
            f"first ({x[-1]}) must equal the "
            f"{'second-to-last' if len(W) > 1 else 'only'} axis of the second "
            f"({inner}); transpose or reshape one of them"
        )
    if not _broadcastable(x[:-2], W[:-2]):
        raise ValueError(
            f"matmul: the batch axes of shapes {x} and {W} do not broadcast "
            f"({x[:-2]} against {W[:-2]}); make them equal or 1 (F.reshape, "
            f"F.broadcast_to)"
        )


class Linear(Function):
    function_name = "linear"

    def check(self, x: Any, W: Any, b: Any = None) -> None:
        """x (N, in), W (in, out), b broadcasting to (N, out)."""
        xs, Ws = tuple(x.shape), tuple(W.shape)
        if len(xs) != 2 or len(Ws) != 2 or xs[1] != Ws[0]:
            hint = (
                "flatten x first (F.flatten, F.reshape)"
                if len(xs) != 2
                else "x's last axis must equal W's first: transpose W or reshape x"
            )
            raise ValueError(
                f"linear: expected x of shape (N, in) and W of shape (in, out), got "
                f"x {xs} and W {Ws}; {hint}"
            )
        if b is None:
            return
        bs = tuple(b.shape)
        if len(bs) > 2 or not _broadcastable(bs, (xs[0], Ws[1])):
            raise ValueError(
                f"linear: bias b of shape {bs} does not fit x {xs} @ W {Ws} = "
                f"{(xs[0], Ws[1])}; b should have shape ({Ws[1]},), one value per "
                f"output"
            )

    def forward(self, x, W, b=None):
        y = _product(self.xp, x, W)
        return y if b is None else add_into(y, b)  # y is ours: the bias in place

    def backward(self, gy):
        inputs = self.inputs
        wants = tuple([self.needs_grad(i) for i in range(len(inputs))])  # data: none
        if not any(wants):
            return (None,) * len(inputs)
        bias_shape = tuple(inputs[2].shape) if len(inputs) == 3 else None
        if any(is_complex(v, self.backend) for v in inputs):
            return self._complex_grads(gy, wants, bias_shape)
        grads = LinearGrad(wants, bias_shape)(inputs[0], inputs[1], gy)
        found = iter(grads if isinstance(grads, list) else [grads])
        return tuple([next(found) if want else None for want in wants])

    def _complex_grads(self, gy: Variable, wants: Any, bias_shape: Any) -> Any:
        """``gy conj(W)^T``, ``conj(x)^T gy`` and ``gy`` summed to the bias, composed
        (LinearGrad's fused backward is for real numbers)."""
        x, W = (conj_of(v, self.backend) for v in self.inputs[:2])
        gx = MatMul()(gy, matrix_transpose(W)) if wants[0] else None
        gW = MatMul()(matrix_transpose(x), gy) if wants[1] else None
        gb = sum_to(gy, bias_shape) if len(wants) == 3 and wants[2] else None
        return (gx, gW, gb)[: len(wants)]


class LinearGrad(Function):
    """The wanted ones of linear's gradients, ``gy W^T``, ``x^T gy`` and ``gy``
    summed to the bias's shape, as one op (one node instead of five).

    Its backward, from the same products, gives the higher derivatives.
    """

    def __init__(self, wants: tuple[bool, ...], bias_shape: Any) -> None:
        self.wants = (*wants, False)[:3]  # x, W, b (False: no bias)
        self.bias_shape = bias_shape

    def forward(self, x, W, gy):
        xp, (want_x, want_W, want_b) = self.xp, self.wants
        out = []
        if want_x:
            out.append(_product(xp, gy, xp.matrix_transpose(W)))
        if want_W:
            out.append(_product(xp, xp.matrix_transpose(x), gy))
        if want_b:
            out.append(sum_to_array(xp, gy, self.bias_shape))
        return tuple(out)

    def backward(self, *ggs):
        found = iter(ggs)
        ggx, ggW, ggb = (next(found) if w else None for w in self.wants)
        x, W, gy = self.inputs
        terms = [
            MatMul()(ggx, W) if ggx is not None else None,  # d<ggx, gy W^T>/dgy
            MatMul()(x, ggW) if ggW is not None else None,  # d<ggW, x^T gy>/dgy
            broadcast_to(ggb, gy.shape) if ggb is not None else None,
        ]
        ggy = None
        for term in terms:
            if term is not None:
                ggy = term if ggy is None else ggy + term
        gx = MatMul()(gy, matrix_transpose(ggW)) if ggW is not None else None
        gW = MatMul()(matrix_transpose(ggx), gy) if ggx is not None else None
        return gx, gW, ggy


def linear(x: Any, W: Any, b: Any = None) -> Variable:
    """``x @ W + b`` for a batch ``x`` of shape (N, in) and ``W`` of shape (in, out).

    Parameters
    ----------
    x : Variable or array
        Inputs, shape (N, in).
    W : Variable or array
        Weights, shape (in, out).
    b : Variable, array or None, default None
        Bias, shape (out,) or broadcastable to (N, out); None for no bias.

    Returns
    -------
    Variable
        Shape (N, out).

    Raises
    ------
    ValueError
        If ``x`` is not 2-D or its last axis differs from ``W``'s first.
    """
    return Linear()(x, W) if b is None else Linear()(x, W, b)


def _broadcastable(a: tuple[int, ...], b: tuple[int, ...]) -> bool:
    """Whether shapes ``a`` and ``b`` broadcast together (array-API rules)."""
    return all(m == n or 1 in (m, n) for m, n in zip(a[::-1], b[::-1], strict=False))


def linear_simple(x: Any, W: Any, b: Any = None) -> Variable:
    """The book's ``linear`` built from ``matmul`` and ``+`` (step 43)."""
    t = matmul(x, W)
    return t if b is None else t + b
