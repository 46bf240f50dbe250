"""Reductions: sum, mean/average, max, min, logsumexp."""

from __future__ import annotations

import math
from typing import Any

from .._inputs import operand
from ..config import Config
from ..core import Function, Variable
from .elementwise import exp, log
from .shape import broadcast_to, normalize_axes, reshape


def _kept_shape(shape: tuple[int, ...], axes: tuple[int, ...]) -> tuple[int, ...]:
    """The shape of a reduction with ``keepdims=True``."""
    return tuple(1 if i in axes else n for i, n in enumerate(shape))


class Sum(Function):
    def __init__(self, axes: tuple[int, ...], keepdims: bool) -> None:
        self.axes, self.keepdims = axes, keepdims

    def forward(self, x):
        return self.xp.sum(x, axis=self.axes, keepdims=self.keepdims)

    def backward(self, gy):
        x = self.inputs[0]
        gy = reshape(gy, _kept_shape(x.shape, self.axes))
        return broadcast_to(gy, x.shape)


def sum(x: Any, axis: Any = None, keepdims: bool = False) -> Variable:
    """Sum over ``axis`` (None, an int or a tuple; negatives count from the end).

    Parameters
    ----------
    x : Variable or array
        Input of any shape.
    axis : int, tuple of int or None, default None
        Axes to sum over; None sums everything.
    keepdims : bool, default False
        Keep the summed axes with length 1, so the result broadcasts against ``x``.

    Returns
    -------
    Variable
        The sum; its gradient broadcasts back to ``x``'s shape.
    """
    x = operand(x, "sum")
    return Sum(normalize_axes(axis, x.ndim, "sum"), keepdims)(x)


def average(x: Any, axis: Any = None, keepdims: bool = False) -> Variable:
    """Arithmetic mean over ``axis``."""
    x = operand(x, "average")
    axes = normalize_axes(axis, x.ndim, "average")
    count = math.prod(x.shape[a] for a in axes)
    return sum(x, axes, keepdims) * (1.0 / count if count else float("nan"))


mean = average


class _Extremum(Function):
    def __init__(self, axes: tuple[int, ...], keepdims: bool) -> None:
        self.axes, self.keepdims = axes, keepdims

    def backward(self, gy):
        x = self.inputs[0]
        xp = self.xp
        kept = _kept_shape(x.shape, self.axes)
        y = xp.reshape(self.outputs[0]().data, kept)  # type: ignore[union-attr]  # outputs live while backward runs
        winners = xp.astype(x.data == y, gy.dtype)
        if Config.max_ties == "split":
            winners = winners / xp.sum(winners, axis=self.axes, keepdims=True)
        return broadcast_to(reshape(gy, kept), x.shape) * Variable(winners)


class Max(_Extremum):
    domain = "real"

    def forward(self, x):
        return self.xp.max(x, axis=self.axes, keepdims=self.keepdims)


class Min(_Extremum):
    domain = "real"

    def forward(self, x):
        return self.xp.min(x, axis=self.axes, keepdims=self.keepdims)


def max(x: Any, axis: Any = None, keepdims: bool = False) -> Variable:
    """Largest element over ``axis``.

    Tied maxima share the gradient equally, so it sums to the upstream
    gradient; ``using_config("max_ties", "all")`` gives each tie all of it,
    as DeZero does.

    Parameters
    ----------
    x : Variable or array
        Input of any shape.
    axis : int, tuple of int or None, default None
        Axes to reduce; None reduces everything.
    keepdims : bool, default False
        Keep the reduced axes with length 1.

    Returns
    -------
    Variable
        The maxima.
    """
    x = operand(x, "max")
    return Max(_nonempty_axes(x, axis, "max"), keepdims)(x)


def min(x: Any, axis: Any = None, keepdims: bool = False) -> Variable:
    """Smallest element over ``axis``; ties share the gradient as in :func:`max`."""
    x = operand(x, "min")
    return Min(_nonempty_axes(x, axis, "min"), keepdims)(x)


def _nonempty_axes(x: Variable, axis: Any, op: str) -> tuple[int, ...]:
    """``axis`` normalised; an error if one is empty (an extremum of nothing)."""
    axes = normalize_axes(axis, x.ndim, op)
    empty = [a for a in axes if x.shape[a] == 0]
    if empty:
        raise ValueError(
            f"{op}: axis {empty[0]} of the input (shape {x.shape}) is empty, and an "
            f"empty set has no {'largest' if op == 'max' else 'smallest'} element; "
            f"reduce over non-empty axes, or test x.size first"
        )
    return axes


def logsumexp(x: Any, axis: Any = None, keepdims: bool = False) -> Variable:
    """``log(sum(exp(x), axis))``, computed without overflow.

    The largest element is subtracted first; its gradient is the softmax.
    """
    x = operand(x, "logsumexp")
    axes = normalize_axes(axis, x.ndim, "logsumexp")
    xp = x.backend.xp
    if xp.isdtype(x.dtype, "complex floating"):
        raise TypeError(f"logsumexp: got complex input {x.dtype}; pass a real array")
    if not xp.isdtype(x.dtype, "real floating"):
        x = x * 1.0  # integers become the default float dtype, as in `/`
    if x.size == 0:  # xp.max has no identity; the empty sum is 0 either way
        shift = xp.zeros_like(xp.sum(x.data, axis=axes, keepdims=True))
    else:
        shift = xp.max(x.data, axis=axes, keepdims=True)
        shift = xp.where(xp.isfinite(shift), shift, xp.zeros_like(shift))
    shift = Variable(shift)
    y = log(sum(exp(x - shift), axes, keepdims=True)) + shift
    return (
        y
        if keepdims
        else reshape(y, tuple(n for i, n in enumerate(x.shape) if i not in axes))
    )
