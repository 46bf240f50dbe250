"""Ops that move elements without changing them: reshape, transpose, slicing ..."""

from __future__ import annotations

import itertools
import math
import operator
from typing import Any

from .._errors import AxisError, broadcast_advice
from .._inputs import operand
from ..core import Function, Variable, as_variable


class Identity(Function):
    """``x`` as a new node of the graph. Transforms and ``recompute`` stand one
    for each argument, so a backward pass stops there and not at the caller's
    Variable, which the rest of the program may use in other ways."""

    def forward(self, x):
        return x

    def backward(self, gy):
        return gy  # d/dx x = 1: the gradient passes through


def normalize_axes(axis: Any, ndim: int, op: str) -> tuple[int, ...]:
    """``axis`` (None, int or tuple, negatives allowed) as a sorted positive tuple."""
    if axis is None:
        return tuple(range(ndim))
    axes = axis if isinstance(axis, tuple | list) else (axis,)
    out = []
    for a in axes:
        out.append(_axis_in(a, ndim, op))
    if len(set(out)) != len(out):
        raise ValueError(f"{op}: repeated axis in {axis}; name each axis once")
    return tuple(sorted(out))


def _axis_in(axis: Any, ndim: int, op: str, extra: int = 0) -> int:
    """``axis`` of an ``ndim + extra``-dimensional result, as a non-negative int."""
    try:
        a = operator.index(axis)
    except TypeError:
        raise TypeError(
            f"{op}: axis must be an int (or a tuple of ints), got "
            f"{type(axis).__name__} {axis!r}; pass int(axis)"
        ) from None
    n = ndim + extra
    if not -n <= a < max(n, 1):
        new = ", counting the new axis" if extra else ""
        raise AxisError(
            f"{op}: axis {a} is out of range for a {ndim}-D input "
            f"(valid: {-n} to {n - 1}{new}); pass an axis in that range"
        )
    return a % n if n else 0


def sum_to_array(xp: Any, x: Any, shape: tuple[int, ...]) -> Any:
    """Sum array ``x`` over broadcast axes so that it takes ``shape``."""
    lead = x.ndim - len(shape)
    if tuple(x.shape[lead:]) != shape:  # axes that broadcasting stretched from 1:
        kept = tuple(  # summed, kept as 1
            lead + i for i, n in enumerate(shape) if n == 1 and x.shape[lead + i] != 1
        )
        x = xp.sum(x, axis=kept, keepdims=True)
    if lead:  # axes that broadcasting added in front: summed away
        x = xp.sum(x, axis=tuple(range(lead)))
    return x


class Reshape(Function):
    def __init__(self, shape: tuple[int, ...]) -> None:
        self.shape = shape

    def forward(self, x):
        self.x_shape = x.shape
        return self.xp.reshape(x, self.shape)

    def explain(self, xs: tuple[Any, ...]) -> str:
        return (
            f"A reshape keeps the element count: shape {tuple(xs[0].shape)} holds "
            f"{math.prod(xs[0].shape)} elements, and {self.shape} must too (one -1 "
            f"may stand for the rest)"
        )

    def backward(self, gy):
        return reshape(gy, self.x_shape)


def reshape(x: Any, shape: tuple[int, ...]) -> Variable:
    """``x`` with a new shape (one entry may be -1)."""
    if tuple(x.shape) == tuple(shape):
        return as_variable(x)
    return Reshape(tuple(shape))(x)


class Transpose(Function):
    def __init__(self, axes: tuple[int, ...] | None = None) -> None:
        self.axes = axes

    def forward(self, x):
        axes = self.axes or tuple(reversed(range(x.ndim)))
        return self.xp.permute_dims(x, axes)

    def backward(self, gy):
        if self.axes is None:
            return transpose(gy)
        n = len(self.axes)
        inverse = tuple(sorted(range(n), key=lambda i: self.axes[i] % n))  # type: ignore[index]  # not None: mypy forgets in a lambda
        return transpose(gy, inverse)


def transpose(x: Any, axes: tuple[int, ...] | None = None) -> Variable:
    """Permute the axes of ``x``; reverse them when ``axes`` is None."""
    if axes is not None:
        ndim = len(operand(x, "transpose").shape)
        normal = tuple(_axis_in(a, ndim, "transpose") for a in axes)
        if sorted(normal) != list(range(ndim)):
            raise ValueError(
                f"transpose: axes {tuple(axes)} are not a permutation of the "
                f"{ndim} axes of an array of shape {tuple(x.shape)}; name each of "
                f"0 to {ndim - 1} once"
            )
        axes = normal
    return Transpose(axes)(x)


def matrix_transpose(x: Any) -> Variable:
    """Swap the last two axes (the transpose of a stack of matrices)."""
    ndim = len(x.shape)
    if ndim < 2:
        raise ValueError(
            f"matrix_transpose: needs at least 2 axes, got shape {tuple(x.shape)}; "
            f"use F.reshape(x, (-1, 1)) for a column"
        )
    # A valid permutation by construction: no need for transpose's checks.
    return Transpose(None if ndim == 2 else (*range(ndim - 2), ndim - 1, ndim - 2))(x)


def expand_dims(x: Any, axis: int) -> Variable:
    """Insert a length-1 axis at position ``axis``."""
    shape = list(operand(x, "expand_dims").shape)
    shape.insert(_axis_in(axis, len(shape), "expand_dims", extra=1), 1)
    return reshape(x, tuple(shape))


def squeeze(x: Any, axis: int | tuple[int, ...] | None = None) -> Variable:
    """Drop length-1 axes (all of them, or those in ``axis``)."""
    shape = tuple(x.shape)
    if axis is None:
        axes = tuple(i for i, n in enumerate(shape) if n == 1)
    else:
        axes = normalize_axes(axis, len(shape), "squeeze")
        bad = [a for a in axes if shape[a] != 1]
        if bad:
            raise ValueError(f"squeeze: axis {bad[0]} of shape {shape} is not 1")
    return reshape(x, tuple(n for i, n in enumerate(shape) if i not in axes))


def flatten(x: Any) -> Variable:
    """Keep the first axis and flatten the rest, as DeZero does: (N, ...) to (N, -1)."""
    x = operand(x, "flatten")
    if x.ndim == 0:
        raise ValueError(
            "flatten: got a 0-d input; it keeps the first axis, so give it at least "
            "one (x.reshape(1, 1), or F.reshape(x, (1, -1)))"
        )
    return reshape(x, (x.shape[0], math.prod(x.shape[1:])))  # -1 fails on (0, ...)


class BroadcastTo(Function):
    def __init__(self, shape: tuple[int, ...]) -> None:
        self.shape = shape

    def forward(self, x):
        self.x_shape = tuple(x.shape)
        return self.xp.broadcast_to(x, self.shape)

    def explain(self, xs: tuple[Any, ...]) -> str:
        return broadcast_advice(tuple(xs[0].shape), tuple(self.shape))

    def backward(self, gy):
        return sum_to(gy, self.x_shape)


def broadcast_to(x: Any, shape: tuple[int, ...]) -> Variable:
    """``x`` repeated along broadcast axes to ``shape``."""
    if tuple(x.shape) == tuple(shape):
        return as_variable(x)
    return BroadcastTo(tuple(shape))(x)


class SumTo(Function):
    def __init__(self, shape: tuple[int, ...]) -> None:
        self.shape = shape

    def forward(self, x):
        self.x_shape = tuple(x.shape)
        return sum_to_array(self.xp, x, self.shape)

    def backward(self, gy):
        return broadcast_to(gy, self.x_shape)


def sum_to(x: Any, shape: tuple[int, ...]) -> Variable:
    """Sum ``x`` over the axes that broadcasting to ``x.shape`` from ``shape`` added."""
    if tuple(x.shape) == tuple(shape):
        return as_variable(x)
    return SumTo(tuple(shape))(x)


class Concat(Function):
    def __init__(self, axis: int) -> None:
        self.axis = axis

    def forward(self, *xs):
        return self.xp.concat(xs, axis=self.axis)

    def backward(self, gy):
        sizes = [x.shape[self.axis] for x in self.inputs]
        return tuple(split(gy, _offsets(sizes), axis=self.axis))


def concat(xs: list[Any], axis: int = 0) -> Variable:
    """Join Variables along an existing axis."""
    xs = _pieces(xs, "concat")
    shapes = [x.shape for x in xs]
    axis = _axis_in(axis, len(shapes[0]), "concat")
    rest = {s[:axis] + s[axis + 1 :] if len(s) == len(shapes[0]) else s for s in shapes}
    if len(rest) > 1:
        raise ValueError(
            f"concat: shapes {shapes} differ off axis {axis}; every input needs "
            f"the same number of axes and the same length on all but axis {axis}"
        )
    return Concat(axis)(*xs)


def stack(xs: list[Any], axis: int = 0) -> Variable:
    """Join Variables along a new axis."""
    xs = _pieces(xs, "stack")
    shapes = [x.shape for x in xs]
    if len(set(shapes)) > 1:
        raise ValueError(
            f"stack: inputs must share one shape, got {shapes}; reshape them to "
            f"one shape, or join along an existing axis with F.concat"
        )
    axis = _axis_in(axis, len(shapes[0]), "stack", extra=1)
    return concat([expand_dims(x, axis) for x in xs], axis=axis)


def _pieces(xs: Any, op: str) -> list[Variable]:
    """The inputs of concat or stack: a non-empty sequence of arrays or Variables."""
    if not isinstance(xs, list | tuple) or not xs:
        raise TypeError(
            f"{op}: expected a non-empty list of Variables or arrays, got "
            f"{type(xs).__name__}{'' if xs else ' (empty)'}; pass [x, y, ...]"
        )
    return [operand(x, op, i) for i, x in enumerate(xs)]


def _offsets(sizes: list[int]) -> list[int]:
    out, total = [], 0
    for n in sizes[:-1]:
        total += n
        out.append(total)
    return out


class Split(Function):
    def __init__(self, indices: list[int], axis: int) -> None:
        self.indices = indices
        self.axis = axis

    def forward(self, x):
        axis = self.axis % x.ndim
        bounds = [0, *self.indices, x.shape[axis]]
        lead = (slice(None),) * axis
        return tuple(
            x[(*lead, slice(a, b), ...)] for a, b in itertools.pairwise(bounds)
        )

    def backward(self, *gys):
        x = self.inputs[0]
        axis = self.axis % x.ndim
        bounds = [0, *self.indices, x.shape[axis]]
        parts = []
        for gy, a, b in zip(gys, bounds[:-1], bounds[1:], strict=True):
            if gy is None:  # that piece was not used: its gradient is zero
                shape = list(x.shape)
                shape[axis] = b - a
                xp = self.xp
                native = self.backend.device_of(x.data)
                gy = Variable(xp.zeros(shape, dtype=x.dtype, device=native))
            parts.append(gy)
        return concat(parts, axis=axis)


def split(
    x: Any, indices_or_sections: int | list[int], axis: int = 0
) -> list[Variable]:
    """Split ``x`` along ``axis`` into equal sections, or at the given indices."""
    x = operand(x, "split")
    axis = _axis_in(axis, x.ndim, "split")
    n = x.shape[axis]
    if isinstance(indices_or_sections, int):
        if indices_or_sections < 1:
            raise ValueError(
                f"split: cannot split into {indices_or_sections} sections; "
                f"give a positive count or a list of indices"
            )
        if n % indices_or_sections:
            raise ValueError(
                f"split: axis {axis} of length {n} does not divide into "
                f"{indices_or_sections} equal sections"
            )
        step = n // indices_or_sections
        indices = [step * i for i in range(1, indices_or_sections)]
    else:
        indices = list(indices_or_sections)
    out = Split(indices, axis)(x)
    return out if isinstance(out, list) else [out]
