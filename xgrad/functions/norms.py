"""Norms of vectors and matrices: vector_norm and matrix_norm.

``vector_norm`` is one Function whose forward pass is the standard's
``linalg.vector_norm``; its gradient is 0 wherever the norm is 0 (a zero
vector), where the norm has no derivative and 0 is the standard subgradient,
as in PyTorch. ``matrix_norm`` is composed of xgrad functions (sums of
absolute values, singular values, maxima), so its gradients follow theirs.
"""

from __future__ import annotations

import math
from typing import Any

from .._inputs import operand
from ..core import Function, Variable
from .decompositions import svdvals
from .elementwise import abs, where
from .matrix_checks import refuse_complex, stack_of_matrices
from .reduction import max, min, sum
from .shape import normalize_axes, reshape

_MATRIX_ORDS = ("fro", "nuc", 1, -1, 2, -2, math.inf, -math.inf)


def _kept(shape: tuple[int, ...], axes: tuple[int, ...]) -> tuple[int, ...]:
    return tuple(1 if i in axes else n for i, n in enumerate(shape))


class VectorNorm(Function):
    domain = "floating"
    function_name = "vector_norm"

    def __init__(self, axes: tuple[int, ...], keepdims: bool, ord: float) -> None:
        self.axes, self.keepdims, self.ord = axes, keepdims, ord

    def check(self, x: Any) -> None:
        refuse_complex(self.backend, x, "vector_norm")

    def forward(self, x):
        norm = self.backend.linalg("vector_norm")
        return norm(x, axis=self.axes, keepdims=self.keepdims, ord=self.ord)

    def backward(self, gy):
        (x,) = self.inputs
        xp, p, kept = self.xp, self.ord, _kept(x.shape, self.axes)
        y = reshape(self.outputs[0](), kept)
        gy = reshape(gy, kept)
        sign = Variable(xp.sign(x.data))
        if p == 0:  # a count of nonzeros: piecewise constant
            return Variable(xp.zeros_like(x.data))
        if p in (math.inf, -math.inf):  # the extreme elements share the gradient
            won = xp.astype(xp.abs(x.data) == y.data, x.dtype)
            return (
                gy * sign * Variable(won / xp.sum(won, axis=self.axes, keepdims=True))
            )
        if p == 1:
            return gy * sign
        safe = where(y.data == 0, 1.0, y)  # a zero norm: a zero gradient, not 0/0
        if p == 2:
            return gy * x / safe
        ratio = where(x.data == 0, 1.0, abs(x) / safe)  # 0 ** (p - 1) may be inf
        return gy * sign * ratio ** (p - 1)  # d|x|_p/dx = sign(x) (|x|/|x|_p)^(p-1)


def vector_norm(
    x: Any,
    /,
    *,
    axis: int | tuple[int, ...] | None = None,
    keepdims: bool = False,
    ord: float = 2,
) -> Variable:
    """The ``ord``-norm of the vectors along ``axis`` (all axes when None).

    ``ord`` is any real number or ``inf``/``-inf``, as in the standard: 2 the
    Euclidean length, 1 the sum of absolute values, ``inf`` the largest
    absolute value, 0 the count of nonzeros (a zero gradient), other ``p``
    ``sum(|x|**p) ** (1/p)``. A tuple ``axis`` takes the norm over those axes
    together, as of one flattened vector.

    The gradient is 0 for a zero vector (no NaN), as in PyTorch; for
    ``inf``/``-inf`` tied extreme elements share it equally.
    """
    x = operand(x, "vector_norm")
    if isinstance(ord, bool) or not isinstance(ord, int | float):
        raise TypeError(
            f"vector_norm: ord must be a real number or inf, got "
            f"{type(ord).__name__} {ord!r}; matrix norms ('fro', 'nuc') are "
            f"F.matrix_norm's"
        )
    axes = normalize_axes(axis, x.ndim, "vector_norm")
    if x.ndim == 0:  # a scalar: a vector of one (not every library takes 0-d)
        return reshape(VectorNorm((0,), False, ord)(reshape(x, (1,))), ())
    return VectorNorm(axes, keepdims, ord)(x)


def matrix_norm(
    x: Any, /, *, keepdims: bool = False, ord: float | str = "fro"
) -> Variable:
    """The ``ord``-norm of each matrix of a stack ``(..., M, N)``.

    ``"fro"``: the square root of the sum of squares; ``"nuc"``: the sum of
    the singular values; 2 and -2: the largest and smallest singular value;
    1 and -1: the largest and smallest column sum of absolute values; ``inf``
    and ``-inf``: the same for rows. ``keepdims`` keeps the two matrix axes
    with length 1.

    Built from :func:`vector_norm`, :func:`svdvals`, :func:`max` and
    :func:`min`, so gradients follow theirs: 0 at a zero matrix for
    ``"fro"``, shared equally by tied columns, rows or singular values.
    """
    x = operand(x, "matrix_norm")
    stack_of_matrices(x, "matrix_norm")
    if ord not in _MATRIX_ORDS or isinstance(ord, bool):
        raise ValueError(
            f"matrix_norm: ord must be one of 'fro', 'nuc', 1, -1, 2, -2, inf, "
            f"-inf, got {ord!r}; vector norms of other orders are "
            f"F.vector_norm(x, axis=(-2, -1), ord=...)"
        )
    if ord == "fro":
        return vector_norm(x, axis=(-2, -1), keepdims=keepdims)
    extreme = max if ord in (1, 2, math.inf, "nuc") else min
    if ord in ("nuc", 2, -2):
        values = svdvals(x)
        norm = sum(values, axis=-1) if ord == "nuc" else extreme(values, axis=-1)
    else:  # 1, -1: over the rows of each column; inf, -inf: along each row
        norm = extreme(sum(abs(x), axis=-2 if ord in (1, -1) else -1), axis=-1)
    return reshape(norm, (*norm.shape, 1, 1)) if keepdims else norm
