"""Ops that rearrange elements: flip, roll, moveaxis, repeat, tile, unstack ...

Each moves or copies elements without changing them, so its gradient moves
them back: a flip's is a flip, a roll's a roll the other way, and a copy's
(``repeat``, ``tile``, broadcasting) is the sum over the copies. Integer and
bool arrays keep their dtype; they are data, with no gradient.
"""

from __future__ import annotations

import operator
from typing import Any

import numpy as np

from .. import backends
from .._inputs import data_like, operand
from ..core import Function, Variable
from .shape import broadcast_to, normalize_axes, reshape, split, transpose
from .sorting import Take


def single_axis(axis: Any, ndim: int, op: str) -> int:
    """``axis`` (one int, negatives allowed) as a non-negative int, or an error."""
    if isinstance(axis, tuple | list):
        raise TypeError(
            f"{op}: takes one axis, got {axis!r}; pass a single int, or call "
            f"{op} once per axis"
        )
    return normalize_axes(axis, ndim, op)[0]


class Flip(Function):
    def __init__(self, axes: tuple[int, ...]) -> None:
        self.axes = axes

    def forward(self, x):
        return self.xp.flip(x, axis=self.axes)

    def backward(self, gy):
        return Flip(self.axes)(gy)  # a flip is its own inverse


def flip(x: Any, /, *, axis: int | tuple[int, ...] | None = None) -> Variable:
    """Reverse the order of elements along ``axis`` (every axis when None)."""
    x = operand(x, "flip")
    return Flip(normalize_axes(axis, x.ndim, "flip"))(x)


class Roll(Function):
    def __init__(self, shift: Any, axis: Any) -> None:
        self.shift, self.axis = shift, axis

    def forward(self, x):
        return self.xp.roll(x, self.shift, axis=self.axis)

    def backward(self, gy):
        back = (
            tuple(-s for s in self.shift)
            if isinstance(self.shift, tuple)
            else -self.shift
        )
        return Roll(back, self.axis)(gy)  # roll the other way


def roll(
    x: Any,
    /,
    shift: int | tuple[int, ...],
    *,
    axis: int | tuple[int, ...] | None = None,
) -> Variable:
    """Shift elements along ``axis``; those pushed past the end come back at the start.

    With ``axis=None`` the array is rolled as if flattened, then given its
    shape back. A tuple ``shift`` needs a tuple ``axis`` of the same length;
    an int ``shift`` moves every axis named.
    """
    x = operand(x, "roll")
    shifts = tuple(shift) if isinstance(shift, tuple | list) else (shift,)
    shifts = tuple(_integer(s, "roll", "shift") for s in shifts)
    if axis is None:
        if len(shifts) != 1:
            raise ValueError(
                f"roll: {len(shifts)} shifts {shifts} with axis=None; the flattened "
                f"array has one axis: pass one shift, or an axis per shift"
            )
        return Roll(shifts[0], None)(x)
    axes = axis if isinstance(axis, tuple | list) else (axis,)
    axes = tuple(single_axis(a, x.ndim, "roll") for a in axes)
    if isinstance(shift, tuple | list) and len(shifts) != len(axes):
        raise ValueError(
            f"roll: {len(shifts)} shifts {shifts} for {len(axes)} axes {axes}; "
            f"give one shift per axis"
        )
    if not axes:  # no axis named: nothing moves
        return Roll(0, None)(x)
    if len(axes) == 1:
        return Roll(shifts[0], axes[0])(x)
    return Roll(shifts * len(axes) if len(shifts) == 1 else shifts, axes)(x)


def _integer(value: Any, op: str, what: str) -> int:
    try:
        return operator.index(value)
    except TypeError:
        raise TypeError(
            f"{op}: {what} must be an int, got {type(value).__name__} {value!r}; "
            f"pass int({what})"
        ) from None


def permute_dims(x: Any, /, axes: tuple[int, ...]) -> Variable:
    """Permute the axes of ``x``: the standard's name for :func:`transpose` with
    ``axes`` required (``axes[i]`` is the input axis that becomes axis ``i``)."""
    return transpose(x, tuple(axes))


def moveaxis(
    x: Any, source: int | tuple[int, ...], destination: int | tuple[int, ...], /
) -> Variable:
    """Move axes ``source`` to positions ``destination``; the others keep their order."""
    x = operand(x, "moveaxis")
    src = source if isinstance(source, tuple | list) else (source,)
    dst = destination if isinstance(destination, tuple | list) else (destination,)
    if len(src) != len(dst):
        raise ValueError(
            f"moveaxis: {len(src)} source axes {tuple(src)} but {len(dst)} "
            f"destinations {tuple(dst)}; give one destination per source axis"
        )
    src = tuple(single_axis(a, x.ndim, "moveaxis") for a in src)
    dst = tuple(single_axis(a, x.ndim, "moveaxis") for a in dst)
    if len(set(src)) != len(src) or len(set(dst)) != len(dst):
        raise ValueError(
            f"moveaxis: repeated axis in source {tuple(src)} or destination "
            f"{tuple(dst)}; name each axis once"
        )
    rest = [a for a in range(x.ndim) if a not in src]
    order: list[int] = [-1] * x.ndim
    for s, d in zip(src, dst, strict=True):
        order[d] = s
    it = iter(rest)
    return transpose(x, tuple(o if o >= 0 else next(it) for o in order))


def repeat(x: Any, repeats: Any, /, *, axis: int | None = None) -> Variable:
    """Repeat each element ``repeats`` times along ``axis`` (of the flattened
    array when None): ``repeat([a, b], 2)`` is ``[a, a, b, b]``.

    ``repeats`` is an int, or a 1-D array of non-negative integers with one
    count per element along ``axis`` (or one count for all). The gradient of
    each element is the sum of its copies' gradients. On Dask an array of
    counts must be a NumPy array or a list (its sum, the result's length, is
    then known without computing).
    """
    x = operand(x, "repeat")
    if axis is None:
        x, axis = reshape(x, (-1,)), 0
    axis = single_axis(axis, x.ndim, "repeat")
    n = x.shape[axis]
    is_array = isinstance(repeats, list | tuple) or hasattr(repeats, "shape")
    if not is_array or isinstance(repeats, np.generic):  # one count for all
        repeats = _integer(repeats, "repeat", "repeats")
        if repeats < 0:
            raise ValueError(
                f"repeat: repeats={repeats} is negative; pass a count >= 0"
            )
        # (..., n, ...) -> (..., n, repeats, ...) by broadcasting -> (..., n * repeats, ...)
        wide = reshape(x, (*x.shape[: axis + 1], 1, *x.shape[axis + 1 :]))
        copies = broadcast_to(
            wide, (*x.shape[: axis + 1], repeats, *x.shape[axis + 1 :])
        )
        return reshape(copies, (*x.shape[:axis], n * repeats, *x.shape[axis + 1 :]))
    return Take(_repeated_positions(repeats, n, x.data), axis)(x)  # in range: no check


def _repeated_positions(repeats: Any, n: int, like: Any) -> Any:
    """``[0, 0, 1, ...]``: position ``i`` along the axis ``repeats[i]`` times, on
    ``like``'s device; computed where ``repeats`` lives (NumPy for lists)."""
    if isinstance(repeats, Variable):
        repeats = repeats.data
    if isinstance(repeats, list | tuple):
        repeats = np.asarray(repeats, dtype=np.int64)
    backend = backends.of(repeats, op="repeat")
    xp = backend.xp
    shape = tuple(repeats.shape)
    if (
        len(shape) != 1
        or shape[0] not in (1, n)
        or not xp.isdtype(repeats.dtype, "integral")
    ):
        raise ValueError(
            f"repeat: repeats must be an int or a 1-D integer array of length 1 or "
            f"{n} (the axis's length), got shape {shape} dtype {repeats.dtype}"
        )

    def negative(lo: float, hi: float) -> ValueError:
        return ValueError(
            f"repeat: repeats hold negative counts (down to {lo:g}); pass counts >= 0"
        )

    repeats = backend.assert_valid(repeats, repeats < 0, negative)
    positions = xp.arange(n, device=backend.device_of(repeats))
    return data_like(xp.repeat(positions, repeats), like)


def tile(x: Any, repetitions: tuple[int, ...], /) -> Variable:
    """``x`` repeated ``repetitions[i]`` times along axis ``i``, whole.

    Shorter ``repetitions`` than axes count from the last axis; longer ones
    add leading axes. Copies share their gradient by summation.
    """
    x = operand(x, "tile")
    reps = tuple(_integer(r, "tile", "repetitions") for r in repetitions)
    if any(r < 0 for r in reps):
        raise ValueError(
            f"tile: repetitions {reps} hold a negative count; pass counts >= 0"
        )
    ndim = max(len(reps), x.ndim)
    reps = (1,) * (ndim - len(reps)) + reps
    shape = (1,) * (ndim - x.ndim) + tuple(x.shape)
    # (n0, n1, ...) -> (1, n0, 1, n1, ...) -> (r0, n0, r1, n1, ...) -> (r0*n0, r1*n1, ...)
    spread = reshape(x, tuple(d for n in shape for d in (1, n)))
    copies = broadcast_to(
        spread, tuple(d for r, n in zip(reps, shape, strict=True) for d in (r, n))
    )
    return reshape(copies, tuple(r * n for r, n in zip(reps, shape, strict=True)))


def unstack(x: Any, /, *, axis: int = 0) -> tuple[Variable, ...]:
    """Split ``x`` along ``axis`` into a tuple of its slices, that axis removed.

    The inverse of ``stack``; a slice that is not used gets a zero gradient.
    """
    x = operand(x, "unstack")
    if x.ndim == 0:
        raise ValueError("unstack: got a 0-d input, which has no axis to unstack along")
    axis = single_axis(axis, x.ndim, "unstack")
    n = x.shape[axis]
    if n == 0:
        return ()
    rest = tuple(x.shape[:axis]) + tuple(x.shape[axis + 1 :])
    return tuple(reshape(part, rest) for part in split(x, n, axis=axis))


def broadcast_arrays(*arrays: Any) -> list[Variable]:
    """The inputs broadcast against each other to one shape (NumPy's rules).

    Each gradient is summed back over the axes its input was stretched along.
    """
    xs = [operand(a, "broadcast_arrays", i) for i, a in enumerate(arrays)]
    shapes = [tuple(x.shape) for x in xs]
    try:
        shape = np.broadcast_shapes(*shapes)
    except ValueError:
        raise ValueError(
            f"broadcast_arrays: shapes {shapes} do not broadcast together: aligned "
            f"from the right, each axis's lengths must be equal or 1; reshape or "
            f"F.expand_dims the inputs so that they match"
        ) from None
    return [broadcast_to(x, shape) for x in xs]
