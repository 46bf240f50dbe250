"""Gathering by index: take, take_along_axis, and sort built on them.

A gather's gradient is a scatter: each picked element's gradient is added
back where it was picked from, so an index picked twice gets the sum of both
(``GetItemGrad`` with ``Backend.scatter_add``, as for ``x[key]``).
"""

from __future__ import annotations

import math
from typing import Any

from .._inputs import data_like, operand
from ..core import Function, Variable
from .indexing import GetItemGrad
from .shape import normalize_axes


class Take(Function):
    def __init__(self, indices: Any, axis: int) -> None:
        self.indices, self.axis = indices, axis

    def forward(self, x):
        return self.xp.take(x, self.indices, axis=self.axis)

    def explain(self, xs: tuple[Any, ...]) -> str:
        n = xs[0].shape[self.axis]
        return (
            f"take: indices along axis {self.axis} (length {n}) must lie in [-{n}, {n})"
        )

    def backward(self, gy):
        key = (slice(None),) * self.axis + (self.indices, Ellipsis)
        return GetItemGrad(key, tuple(self.inputs[0].shape))(gy)


def take(x: Any, indices: Any, /, *, axis: int | None = None) -> Variable:
    """Elements of ``x`` at the 1-D integer ``indices`` along ``axis``.

    ``axis`` may be left out for a 1-D ``x`` only (the standard's rule);
    flatten first for NumPy's flat indexing (``take(F.reshape(x, (-1,)), i)``).
    Indices may repeat; their gradients add up.
    """
    x = operand(x, "take")
    if axis is None:
        if x.ndim != 1:
            raise ValueError(
                f"take: axis=None needs a 1-D x, got shape {tuple(x.shape)}; pass "
                f"axis=, or flatten first: take(F.reshape(x, (-1,)), indices)"
            )
        axis = 0
    axis = normalize_axes(axis, x.ndim, "take")[0]
    indices = _integer_array(indices, x, axis, "take")
    if indices.ndim != 1:
        raise ValueError(
            f"take: indices must be 1-D, got shape {tuple(indices.shape)}; for "
            f"indices of any shape use take_along_axis or x[...]"
        )
    return Take(indices, axis)(x)


def _integer_array(indices: Any, x: Variable, axis: int, op: str) -> Any:
    """``indices`` as integers on ``x``'s backend and device, each in ``[-n, n)``
    for the length ``n`` of ``axis`` (some libraries read out of bounds silently).

    The check runs now on eager libraries and when the graph runs on lazy ones.
    """
    indices = data_like(indices, x.data)
    if not x.backend.xp.isdtype(indices.dtype, "integral"):
        raise TypeError(
            f"{op}: indices must be integers, got dtype {indices.dtype}; convert "
            f"them with xp.astype(indices, xp.int64)"
        )
    shape = tuple(x.shape)  # now: the message may be made later (a replay)
    n = shape[axis]
    if math.prod(indices.shape) == 0:
        return indices

    def out_of_range(lo: float, hi: float) -> IndexError:
        return IndexError(
            f"{op}: indices along axis {axis} of x (shape {shape}) must lie "
            f"in [{-n}, {n}); got values from {int(lo)} to {int(hi)}"
        )

    return x.backend.assert_in_range(indices, -n, n, out_of_range)


class TakeAlongAxis(Function):
    def __init__(self, indices: Any, axis: int) -> None:
        self.indices, self.axis = indices, axis

    def forward(self, x):
        return self.xp.take_along_axis(x, self.indices, axis=self.axis)

    def explain(self, xs: tuple[Any, ...]) -> str:
        return (
            f"take_along_axis: x (shape {tuple(xs[0].shape)}) and indices (shape "
            f"{tuple(self.indices.shape)}) must have one number of axes and broadcast "
            f"off axis {self.axis}, whose indices must lie in [-n, n)"
        )

    def backward(self, gy):
        x = self.inputs[0]
        return GetItemGrad(self._key(x.shape), tuple(x.shape))(gy)

    def _key(self, shape: tuple[int, ...]) -> tuple[Any, ...]:
        """``x[key]`` is the forward's result: an arange on every other axis."""
        xp, ndim = self.xp, len(shape)
        device = self.backend.device_of(self.indices)
        key = []
        for d, n in enumerate(shape):
            if d == self.axis:
                key.append(self.indices)
            else:
                along = xp.arange(n, device=device)
                key.append(
                    xp.reshape(along, tuple(n if i == d else 1 for i in range(ndim)))
                )
        return tuple(key)


def take_along_axis(x: Any, indices: Any, /, *, axis: int = -1) -> Variable:
    """Pick elements of ``x`` along ``axis`` by ``indices`` of the same number of
    axes (``x[i, indices[i, j]]`` for ``axis=1``); the other axes broadcast.

    The indices of ``argsort`` sort ``x`` this way. Repeated indices add their
    gradients into the same element.
    """
    x = operand(x, "take_along_axis")
    indices = data_like(indices, x.data)
    shape = tuple(indices.shape)
    if len(shape) != x.ndim or x.ndim == 0:
        raise ValueError(
            f"take_along_axis: x has shape {tuple(x.shape)} and indices "
            f"{shape}; they need the same number of axes (at least one): "
            f"F.expand_dims the indices"
        )
    axis = normalize_axes(axis, x.ndim, "take_along_axis")[0]
    indices = _integer_array(indices, x, axis, "take_along_axis")
    return TakeAlongAxis(indices, axis)(x)


def sort(
    x: Any, /, *, axis: int = -1, descending: bool = False, stable: bool = True
) -> Variable:
    """``x`` sorted along ``axis`` (ascending unless ``descending``).

    Built as ``take_along_axis(x, argsort(x))``: the gradient of each sorted
    element goes back to where the element came from. Tied elements are kept
    in their order (``stable``), so each keeps its own gradient. NaN sorts
    last, as in NumPy.
    """
    x = operand(x, "sort")
    if x.ndim == 0:
        raise ValueError(
            "sort: got a 0-d input, which has no axis to sort; reshape it to (1,)"
        )
    axis = normalize_axes(axis, x.ndim, "sort")[0]
    xp = x.backend.xp
    if xp.isdtype(x.dtype, "complex floating"):
        raise TypeError(
            f"sort: got complex input {x.dtype}, which has no order; sort xp.real(x) or xp.abs(x)"
        )
    order = xp.argsort(x.data, axis=axis, descending=descending, stable=stable)
    return TakeAlongAxis(order, axis)(x)
