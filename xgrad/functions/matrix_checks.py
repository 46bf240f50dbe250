"""Input rules and constant matrices shared by the linear-algebra functions.

The rules raise an error that names the function, the shape or dtype it got
and the fix; :class:`MatrixFunction` states them once for the functions of
stacks of matrices. The constants (identity, triangle masks) are arrays the
gradients multiply by without differentiating them.
"""

from __future__ import annotations

from typing import Any, ClassVar

from ..backends import Backend
from ..core import Function, Variable
from ..domains import kind


class MatrixFunction(Function):
    """A function of real matrices, stacks ``(..., M, N)`` (``square``: M == N).

    Integer input becomes floating; complex input is refused by name, since
    the gradients are those of real matrices.
    """

    domain = "floating"
    square: ClassVar[bool] = True

    def check(self, *xs: Any) -> None:
        for x in xs:
            refuse_complex(self.backend, x, self.function_name)
        rule = stack_of_square if self.square else stack_of_matrices
        rule(xs[0], self.function_name)


def refuse_complex(backend: Backend, x: Any, op: str) -> None:
    """Refuse complex ``x``: xgrad differentiates real linear algebra only."""
    if kind(backend, x.dtype) == "complex floating":
        raise TypeError(
            f"{op}: got complex input (dtype {x.dtype}, shape {tuple(x.shape)}); "
            f"xgrad's linear algebra takes real matrices (its gradients are those "
            f"of real functions): pass the real and imaginary parts as real arrays"
        )


def stack_of_matrices(x: Any, op: str) -> None:
    """Refuse ``x`` unless it is a matrix or a stack of them, ``(..., M, N)``."""
    if x.ndim < 2:
        raise ValueError(
            f"{op}: wants a matrix or a stack of matrices, shape (..., M, N), got "
            f"shape {tuple(x.shape)}; reshape a vector into a matrix first "
            f"(F.reshape(x, (1, -1)))"
        )


def stack_of_square(x: Any, op: str) -> None:
    """Refuse ``x`` unless it is a stack of square matrices, ``(..., M, M)``."""
    stack_of_matrices(x, op)
    if x.shape[-1] != x.shape[-2]:
        raise ValueError(
            f"{op}: wants square matrices, shape (..., M, M), got shape "
            f"{tuple(x.shape)}; for a rectangular matrix use F.pinv or F.svd"
        )


def batch_shape(op: str, *shapes: tuple[int, ...]) -> tuple[int, ...]:
    """The broadcast of the stack axes (all but the last two) of ``shapes``."""
    stacks = [tuple(s[:-2]) for s in shapes]
    ndim = max(len(s) for s in stacks)
    out = []
    for axis in range(-ndim, 0):
        lengths = {s[axis] for s in stacks if len(s) >= -axis} - {1}
        if len(lengths) > 1:
            raise ValueError(
                f"{op}: the stack axes of shapes {' and '.join(map(str, shapes))} "
                f"do not broadcast ({' against '.join(map(str, stacks))}); make "
                f"them equal or 1"
            )
        out.append(lengths.pop() if lengths else 1)
    return tuple(out)


def identity(backend: Backend, like: Any, n: int) -> Variable:
    """The ``n`` by ``n`` identity in the dtype and on the device of array
    ``like``, as a constant."""
    xp, device = backend.xp, backend.device_of(like)
    return Variable(xp.eye(n, dtype=like.dtype, device=device))


def lower(backend: Backend, like: Any, n: int, diagonal: float) -> Variable:
    """A constant mask: 1 below the diagonal, ``diagonal`` on it, 0 above."""
    xp, device = backend.xp, backend.device_of(like)
    ones = xp.ones((n, n), dtype=like.dtype, device=device)
    eye = xp.eye(n, dtype=like.dtype, device=device)
    return Variable(xp.tril(ones, k=-1) + diagonal * eye)
