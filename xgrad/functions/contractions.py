"""Products and diagonals of vectors and matrices: vecdot, tensordot, outer,
cross, diagonal and trace.

``diagonal`` is a Function pair (the diagonal and its transpose, which puts
a vector on a diagonal); the products are composed of xgrad's elementwise
products, sums, reshapes and ``matmul``, so every derivative follows.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Sequence
from typing import Any

from .._inputs import operand
from ..core import Function, Variable
from .complex_numbers import conj_of
from .indexing import get_item
from .linalg import matmul
from .matrix_checks import stack_of_matrices
from .reduction import sum
from .shape import reshape, stack, transpose


class Diagonal(Function):
    function_name = "diagonal"

    def __init__(self, offset: int) -> None:
        self.offset = offset

    def forward(self, x):
        return self.backend.linalg("diagonal")(x, offset=self.offset)

    def backward(self, gy):
        (x,) = self.inputs
        m, n = x.shape[-2:]
        return DiagonalGrad(self.offset, (m, n))(gy)


class DiagonalGrad(Function):
    """The vectors ``g (..., L)`` laid on diagonal ``offset`` of zero matrices
    ``(..., M, N)``: the transpose of :class:`Diagonal`."""

    def __init__(self, offset: int, matrix: tuple[int, int]) -> None:
        self.offset, self.matrix = offset, matrix

    def forward(self, g):
        xp, (m, n), k = self.xp, self.matrix, self.offset
        device = self.backend.device_of(g)
        # Element i of the diagonal sits in row i (k >= 0) or column i (k < 0):
        # pad g to that axis's length and keep it only where the eye has its 1s.
        length = m if k >= 0 else n
        pad = xp.zeros(
            (*g.shape[:-1], length - g.shape[-1]), dtype=g.dtype, device=device
        )
        g = xp.concat([g, pad], axis=-1)
        rows = xp.arange(m, device=device)[:, None]  # not xp.eye(m, n, k=k): Dask's
        cols = xp.arange(n, device=device)[None, :]  # breaks for k != 0 with m != n
        eye = xp.astype(cols - rows == k, g.dtype)
        return (g[..., :, None] if k >= 0 else g[..., None, :]) * eye

    def backward(self, ggy):
        return Diagonal(self.offset)(ggy)


def diagonal(x: Any, /, *, offset: int = 0) -> Variable:
    """The diagonal ``offset`` of each matrix of a stack ``(..., M, N)``.

    ``offset > 0`` is above the main diagonal, ``offset < 0`` below; the
    result is ``(..., L)`` with ``L`` the length of that diagonal (0 when it
    lies outside the matrix). The gradient puts the upstream gradient back on
    that diagonal, zero elsewhere.
    """
    x = operand(x, "diagonal")
    stack_of_matrices(x, "diagonal")
    return Diagonal(operator.index(offset))(x)


def trace(x: Any, /, *, offset: int = 0, dtype: Any = None) -> Variable:
    """The sum of diagonal ``offset`` of each matrix of a stack ``(..., M, N)``.

    ``dtype``, the standard's option for the accumulator, must be None or the
    input's floating dtype here (xgrad keeps dtypes; cast before for another).
    """
    x = operand(x, "trace")
    if dtype is not None and dtype != x.dtype:
        raise TypeError(
            f"trace: dtype={dtype} differs from the input's {x.dtype}; xgrad keeps "
            f"the input's dtype: cast the input first (xp.astype)"
        )
    return sum(diagonal(x, offset=offset), axis=-1)


def vecdot(x1: Any, x2: Any, /, *, axis: int = -1) -> Variable:
    """The dot products of the vectors along ``axis`` of ``x1`` and ``x2``.

    The other axes broadcast; ``axis`` (negative, counted from the end of
    the broadcast shape, as in the standard) must have one length in both.
    A complex ``x1`` is conjugated, as the standard says.
    """
    x1, x2 = operand(x1, "vecdot", 0), operand(x2, "vecdot", 1)
    axis = _vector_axis(x1, x2, axis, "vecdot")
    return sum(conj_of(x1, x1.backend) * x2, axis=axis)  # the standard conjugates x1


def outer(x1: Any, x2: Any, /) -> Variable:
    """The outer product ``x1[i] * x2[j]`` of two vectors, shape ``(M, N)``."""
    x1, x2 = operand(x1, "outer", 0), operand(x2, "outer", 1)
    if x1.ndim != 1 or x2.ndim != 1:
        raise ValueError(
            f"outer: wants two vectors, got shapes {x1.shape} and {x2.shape}; "
            f"flatten them first (F.flatten), or use broadcasting for stacks"
        )
    return reshape(x1, (-1, 1)) * reshape(x2, (1, -1))


def cross(x1: Any, x2: Any, /, *, axis: int = -1) -> Variable:
    """The cross products of the 3-vectors along ``axis`` of ``x1`` and ``x2``.

    The other axes broadcast; ``axis`` must have length 3 in both.
    """
    x1, x2 = operand(x1, "cross", 0), operand(x2, "cross", 1)
    axis = _vector_axis(x1, x2, axis, "cross")
    if x1.shape[axis] != 3:
        raise ValueError(
            f"cross: wants vectors of length 3 along axis {axis}, got shapes "
            f"{x1.shape} and {x2.shape}; pick the axis of length 3 (axis=...)"
        )
    after = (slice(None),) * (-axis - 1)  # the axes right of ``axis``
    a = [get_item(x1, (..., i, *after)) for i in range(3)]
    b = [get_item(x2, (..., i, *after)) for i in range(3)]
    parts = [
        a[(i + 1) % 3] * b[(i + 2) % 3] - a[(i + 2) % 3] * b[(i + 1) % 3]
        for i in range(3)
    ]
    return stack(parts, axis=axis)


def _vector_axis(x1: Variable, x2: Variable, axis: Any, op: str) -> int:
    """``axis`` of a vector product as a negative int, checked against both."""
    ndim = min(x1.ndim, x2.ndim)
    axis = operator.index(axis)
    if ndim == 0 or not -ndim <= axis < ndim:
        raise ValueError(
            f"{op}: axis {axis} is out of range for shapes {x1.shape} and "
            f"{x2.shape}; pass an axis from {-ndim} to -1"
        )
    axis = axis - ndim if axis >= 0 else axis
    if x1.shape[axis] != x2.shape[axis]:
        raise ValueError(
            f"{op}: the vectors along axis {axis} have lengths {x1.shape[axis]} "
            f"and {x2.shape[axis]} (shapes {x1.shape} and {x2.shape}); they must "
            f"be equal: vectors do not broadcast"
        )
    return axis


def tensordot(
    x1: Any,
    x2: Any,
    /,
    *,
    axes: int | tuple[Sequence[int], Sequence[int]] = 2,
) -> Variable:
    """Sum the products of ``x1`` and ``x2`` over pairs of axes.

    ``axes=n`` pairs the last ``n`` axes of ``x1`` with the first ``n`` of
    ``x2``; ``axes=(a1, a2)`` pairs ``a1[i]`` with ``a2[i]``. The result has
    the free axes of ``x1`` then those of ``x2``. Computed as one
    :func:`matmul` of the two inputs transposed and reshaped into matrices.
    """
    x1, x2 = operand(x1, "tensordot", 0), operand(x2, "tensordot", 1)
    a1, a2 = _paired_axes(x1, x2, axes)
    free1 = [i for i in range(x1.ndim) if i not in a1]
    free2 = [i for i in range(x2.ndim) if i not in a2]
    kept1, kept2 = [x1.shape[i] for i in free1], [x2.shape[i] for i in free2]
    inner = math.prod(x1.shape[i] for i in a1)
    left = reshape(transpose(x1, (*free1, *a1)), (math.prod(kept1), inner))
    right = reshape(transpose(x2, (*a2, *free2)), (inner, math.prod(kept2)))
    return reshape(matmul(left, right), (*kept1, *kept2))


def _paired_axes(x1: Variable, x2: Variable, axes: Any) -> tuple[list[int], list[int]]:
    """The contracted axes of ``tensordot``, as two lists of non-negative ints."""
    if isinstance(axes, int):
        if not 0 <= axes <= min(x1.ndim, x2.ndim):
            raise ValueError(
                f"tensordot: axes={axes} is more axes than shapes {x1.shape} and "
                f"{x2.shape} have (or negative); pass 0 to {min(x1.ndim, x2.ndim)}"
            )
        a1, a2 = list(range(x1.ndim - axes, x1.ndim)), list(range(axes))
    else:
        a1, a2 = (_axes_of(x, seq) for x, seq in zip((x1, x2), axes, strict=True))
    lengths1, lengths2 = [x1.shape[i] for i in a1], [x2.shape[i] for i in a2]
    if lengths1 != lengths2 or len(set(a1)) != len(a1) or len(set(a2)) != len(a2):
        raise ValueError(
            f"tensordot: axes {a1} of shape {x1.shape} and {a2} of shape {x2.shape} "
            f"do not pair up (lengths {lengths1} and {lengths2}); paired axes must "
            f"have equal lengths, each named once"
        )
    return a1, a2


def _axes_of(x: Variable, axes: Sequence[int]) -> list[int]:
    """``axes`` of ``x`` (negatives allowed) as non-negative ints."""
    found = [operator.index(a) for a in axes]
    if not all(-x.ndim <= a < x.ndim for a in found):
        raise ValueError(
            f"tensordot: axes {list(axes)} are out of range for shape {x.shape}; "
            f"pass axes from {-x.ndim} to {x.ndim - 1}"
        )
    return [a % x.ndim for a in found]
