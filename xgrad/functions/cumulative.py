"""Running totals and their inverse: cumulative_sum, cumulative_prod, diff.

Every gradient here is written without dividing by ``x``, so it is exact
where ``x`` holds zeros (a running product through a zero still depends on
every factor before it).
"""

from __future__ import annotations

from typing import Any

from .._inputs import operand
from ..core import Function, Variable
from .arithmetic import add, mul
from .arrangement import flip, single_axis
from .complex_numbers import conj_of
from .indexing import get_item
from .shape import concat
from .transfer import Cast


def with_dtype(x: Variable, dtype: Any) -> Variable:
    """``x`` in ``dtype`` (None: as it is)."""
    return x if dtype is None or dtype == x.dtype else Cast(dtype)(x)


def _along(axis: int, part: slice) -> tuple[Any, ...]:
    """The key ``x[..., part, ...]`` with ``part`` on ``axis``."""
    return (slice(None),) * axis + (part, Ellipsis)


def filled(like: Variable, axis: int, length: int, value: float) -> Variable:
    """A constant of ``like``'s shape, dtype and device, ``length`` long on ``axis``."""
    xp, backend = like.backend.xp, like.backend
    shape = (*like.shape[:axis], length, *like.shape[axis + 1 :])
    return Variable(
        xp.full(shape, value, dtype=like.dtype, device=backend.device_of(like.data))
    )


def _running_axis(x: Variable, axis: int | None, op: str) -> int:
    """The one axis of a running total: required unless ``x`` is 1-D."""
    if x.ndim == 0:
        raise ValueError(
            f"{op}: got a 0-d input, which has no axis to run along; reshape it to (1,)"
        )
    if axis is None:
        if x.ndim != 1:
            raise ValueError(
                f"{op}: axis=None needs a 1-D x, got shape {tuple(x.shape)}; pass axis="
            )
        return 0
    return single_axis(axis, x.ndim, op)


class CumulativeSum(Function):
    def __init__(self, axis: int, include_initial: bool) -> None:
        self.axis, self.include_initial = axis, include_initial

    def forward(self, x):
        return self.xp.cumulative_sum(
            x, axis=self.axis, include_initial=self.include_initial
        )

    def backward(self, gy):
        if self.include_initial:  # the leading 0 depends on nothing
            gy = get_item(gy, _along(self.axis, slice(1, None)))
        # x_k counts in every total from k on: the running sum from the end
        return flip(
            CumulativeSum(self.axis, False)(flip(gy, axis=self.axis)), axis=self.axis
        )


def cumulative_sum(
    x: Any,
    /,
    *,
    axis: int | None = None,
    dtype: Any = None,
    include_initial: bool = False,
) -> Variable:
    """Running sums along ``axis`` (which 1-D input may leave out).

    ``include_initial`` puts the empty sum, 0, first, so the result is one
    longer along ``axis``. ``dtype`` casts ``x`` first (the gradient comes
    back in ``x``'s dtype).
    """
    x = operand(x, "cumulative_sum")
    axis = _running_axis(x, axis, "cumulative_sum")
    return CumulativeSum(axis, include_initial)(with_dtype(x, dtype))


class CumulativeProd(Function):
    def __init__(self, axis: int, include_initial: bool) -> None:
        self.axis, self.include_initial = axis, include_initial

    def forward(self, x):
        return self.xp.cumulative_prod(
            x, axis=self.axis, include_initial=self.include_initial
        )

    def backward(self, gy):
        # y_i = prod_{j<=i} x_j, so dL/dx_k = before_k * after_k with
        # before_k = prod_{j<k} x_j and after_k = sum_{i>=k} gy_i prod_{k<j<=i} x_j,
        # which obeys after_k = gy_k + x_{k+1} after_{k+1}: no division by x.
        x = conj_of(self.inputs[0], self.backend)  # complex: conj of each factor
        y, axis, n = self.outputs[0](), self.axis, x.shape[self.axis]
        y = conj_of(y, self.backend)  # type: ignore[arg-type]  # y lives
        if n == 0:
            return filled(x, axis, 0, 0.0)
        if self.include_initial:  # y starts with the empty product, 1
            before = get_item(y, _along(axis, slice(0, n)))
            gy = get_item(gy, _along(axis, slice(1, None)))
        else:
            head = get_item(y, _along(axis, slice(0, n - 1)))
            before = concat([filled(x, axis, 1, 1.0), head], axis=axis)
        return before * suffix_scan(_shift_back(x, 1, axis), gy, axis)


def _shift_back(v: Variable, s: int, axis: int) -> Variable:
    """``w_k = v_{k+s}``, zero past the end along ``axis``."""
    n = v.shape[axis]
    if s >= n:
        return filled(v, axis, n, 0.0)
    head = get_item(v, _along(axis, slice(s, None)))
    return concat([head, filled(v, axis, s, 0.0)], axis=axis)


def suffix_scan(a: Variable, b: Variable, axis: int) -> Variable:
    """``r`` with ``r_k = b_k + a_k r_{k+1}`` (``r`` zero past the end) along ``axis``.

    A linear recurrence, solved by doubling: after the step with stride
    ``s``, ``b_k`` sums the first ``2s`` terms and ``a_k`` is the product of
    the next ``2s`` coefficients. log2(n) steps of xgrad ops, so it is
    differentiable again, and exact when ``a`` holds zeros.
    """
    s, n = 1, a.shape[axis]
    while s < n:
        b = add(b, mul(a, _shift_back(b, s, axis)))
        a = mul(a, _shift_back(a, s, axis))
        s *= 2
    return b


def cumulative_prod(
    x: Any,
    /,
    *,
    axis: int | None = None,
    dtype: Any = None,
    include_initial: bool = False,
) -> Variable:
    """Running products along ``axis`` (which 1-D input may leave out).

    ``include_initial`` puts the empty product, 1, first. The gradient is
    computed without dividing by ``x``, so it is exact where ``x`` has zeros:
    a zero's own gradient is the product of the factors around it.
    """
    x = operand(x, "cumulative_prod")
    axis = _running_axis(x, axis, "cumulative_prod")
    return CumulativeProd(axis, include_initial)(with_dtype(x, dtype))


class Diff(Function):
    def __init__(self, axis: int) -> None:
        self.axis = axis

    def forward(self, x):
        return self.xp.diff(x, axis=self.axis)

    def backward(self, gy):
        # y_k = x_{k+1} - x_k, so dL/dx_k = gy_{k-1} - gy_k, with gy zero outside
        zero = filled(gy, self.axis, 1, 0.0)
        return -Diff(self.axis)(concat([zero, gy, zero], axis=self.axis))


def diff(
    x: Any,
    /,
    *,
    axis: int = -1,
    n: int = 1,
    prepend: Any = None,
    append: Any = None,
) -> Variable:
    """The ``n``-th forward difference along ``axis``: ``x[1:] - x[:-1]``, ``n`` times.

    ``prepend`` and ``append`` (arrays or Variables, the same shape as ``x``
    off ``axis``) are joined to ``x`` first, and get their gradients too;
    with ``n=0`` the result is that joined array (the standard's rule:
    NumPy's ``diff`` then returns ``x`` alone).
    """
    x = operand(x, "diff")
    if x.ndim == 0:
        raise ValueError("diff: got a 0-d input, which has no axis to difference along")
    axis = single_axis(axis, x.ndim, "diff")
    if not isinstance(n, int) or n < 0:
        raise ValueError(
            f"diff: n={n!r} must be an int >= 0 (the number of differences)"
        )
    if x.backend.xp.isdtype(x.dtype, "bool"):
        raise TypeError("diff: got bool input; cast it first: xp.astype(x, xp.int64)")
    parts = [p for p in (prepend, x, append) if p is not None]
    y = concat(parts, axis=axis) if len(parts) > 1 else x
    for _ in range(n):
        if y.shape[axis] == 0:
            break
        y = Diff(axis)(y)
    return y if n else y[...]
