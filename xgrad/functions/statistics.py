"""Statistics over axes: prod, var, std.

``prod``'s gradient is the product of the other elements, computed from
running products from both ends rather than ``prod / x``, so it is exact
where ``x`` holds zeros.
"""

from __future__ import annotations

import math
from typing import Any

from .._inputs import operand
from ..core import Function, Variable
from .arrangement import flip
from .complex_numbers import conj_of
from .cumulative import cumulative_prod, filled, with_dtype
from .elementwise import where
from .indexing import get_item
from .reduction import mean
from .shape import broadcast_to, concat, normalize_axes, reshape, transpose


def _spread(gy: Variable, x: Variable, axes: tuple[int, ...]) -> Variable:
    """The gradient of a reduction over ``axes`` broadcast back to ``x``'s shape."""
    kept = tuple(1 if i in axes else n for i, n in enumerate(x.shape))
    return broadcast_to(reshape(gy, kept), x.shape)


class Prod(Function):
    def __init__(self, axes: tuple[int, ...], keepdims: bool) -> None:
        self.axes, self.keepdims = axes, keepdims

    def forward(self, x):
        return self.xp.prod(x, axis=self.axes, keepdims=self.keepdims)

    def backward(self, gy):
        x = conj_of(self.inputs[0], self.backend)  # complex: conj of the co-factors
        return _spread(gy, x, self.axes) * _others(x, self.axes)


def _others(x: Variable, axes: tuple[int, ...]) -> Variable:
    """Each element's product of the others in its reduction over ``axes``.

    The reduced axes go last as one axis of length N; element k's
    co-factor is ``prod_{j<k} x_j * prod_{j>k} x_j``: exclusive running
    products from the front and from the back.
    """
    kept = tuple(a for a in range(x.ndim) if a not in axes)
    order = kept + axes
    lined = transpose(x, order) if order != tuple(range(x.ndim)) else x
    lead = tuple(x.shape[a] for a in kept)
    size = math.prod(x.shape[a] for a in axes)
    rows = reshape(lined, (*lead, size))
    last = rows.ndim - 1

    def exclusive(v: Variable) -> Variable:  # prod_{j<k} v_j: 1, then running products
        if size < 2:  # (NumPy's include_initial is several times slower than this)
            return filled(v, last, size, 1.0)
        running = cumulative_prod(
            get_item(v, (Ellipsis, slice(0, size - 1))), axis=last
        )
        return concat([filled(v, last, 1, 1.0), running], axis=last)

    others = exclusive(rows) * flip(exclusive(flip(rows, axis=last)), axis=last)
    others = reshape(others, tuple(lined.shape))
    if order == tuple(range(x.ndim)):
        return others
    return transpose(others, tuple(order.index(a) for a in range(x.ndim)))


def prod(
    x: Any,
    /,
    *,
    axis: int | tuple[int, ...] | None = None,
    dtype: Any = None,
    keepdims: bool = False,
) -> Variable:
    """Product over ``axis`` (None: every element); the empty product is 1.

    ``dtype`` casts ``x`` first (the gradient comes back in ``x``'s dtype).
    The gradient of each element is the product of the others, exact where
    ``x`` has zeros (a single zero gets the product of the rest; with two
    zeros every gradient is 0).
    """
    x = with_dtype(operand(x, "prod"), dtype)
    return Prod(normalize_axes(axis, x.ndim, "prod"), keepdims)(x)


class _Moment(Function):
    domain = "real floating"

    def __init__(
        self, axes: tuple[int, ...], correction: float, keepdims: bool
    ) -> None:
        self.axes, self.correction, self.keepdims = axes, correction, keepdims

    def _scale(self, x: Variable) -> float:
        """``1 / (N - correction)``; NaN where no degrees of freedom are left."""
        dof = math.prod(x.shape[a] for a in self.axes) - self.correction
        return 1.0 / dof if dof > 0 else math.nan

    def _variance(self, x: Any) -> Any:
        xp, axes, keepdims = self.xp, self.axes, self.keepdims
        if math.prod(x.shape) == 0:  # nothing to average: NaN wherever a value is asked
            return xp.sum(x, axis=axes, keepdims=keepdims) * math.nan
        if x.ndim == 0:  # PyTorch's var of a 0-d array drops a NaN: ask of one element
            one = xp.var(xp.reshape(x, (1,)), correction=self.correction)
            return xp.reshape(one, ())
        return xp.var(x, axis=axes, correction=self.correction, keepdims=keepdims)

    def _centered(self, x: Variable) -> Variable:
        return x - mean(x, self.axes, keepdims=True)


class Var(_Moment):
    def forward(self, x):
        return self._variance(x)

    def backward(self, gy):
        (x,) = self.inputs  # d/dx_k sum_j (x_j - mean)^2 = 2 (x_k - mean)
        return _spread(gy, x, self.axes) * self._centered(x) * (2.0 * self._scale(x))


class Std(_Moment):
    def forward(self, x):
        return self.xp.sqrt(self._variance(x))  # not every std takes a float correction

    def backward(self, gy):
        (x,) = self.inputs  # d std = d var / (2 std); 0 where std is 0 (constant x)
        y = self.outputs[0]()
        assert y is not None  # backward runs while the output lives
        safe = where(y.data > 0, y, 1.0)
        return _spread(gy / safe, x, self.axes) * self._centered(x) * self._scale(x)


def var(
    x: Any,
    /,
    *,
    axis: int | tuple[int, ...] | None = None,
    correction: float = 0.0,
    keepdims: bool = False,
) -> Variable:
    """Variance over ``axis``: ``sum((x - mean)**2) / (N - correction)``.

    ``correction=1`` gives the unbiased sample variance (NumPy's ``ddof``).
    Where ``N - correction <= 0`` the variance is undefined (NumPy returns
    inf or NaN, with a warning) and so is its gradient: NaN.
    """
    x = operand(x, "var")
    return Var(normalize_axes(axis, x.ndim, "var"), correction, keepdims)(x)


def std(
    x: Any,
    /,
    *,
    axis: int | tuple[int, ...] | None = None,
    correction: float = 0.0,
    keepdims: bool = False,
) -> Variable:
    """Standard deviation over ``axis``, the square root of :func:`var`.

    Where every element is the same the standard deviation is 0, a kink,
    and its gradient is 0 (the subgradient of a norm at zero), not NaN.
    """
    x = operand(x, "std")
    return Std(normalize_axes(axis, x.ndim, "std"), correction, keepdims)(x)
