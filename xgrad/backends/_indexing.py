"""Index rewriting for libraries whose ``x[key]`` covers less than NumPy's.

``get_item`` accepts NumPy's keys on every backend. Two libraries need help,
and their backends call these rewrites (op code never does):

- PyTorch has no negative slice steps: :func:`forward_slices` selects the
  same elements walking forward and flips the result; and it places the
  block of an integer and an integer array apart from NumPy when a slice
  stands between them: :func:`as_integer_arrays` spells such keys out. It
  also refuses a boolean mask with a zero-length axis where the array's axis
  is longer, which NumPy and the standard take (nothing is selected):
  :func:`fit_empty_masks` gives such a mask the array's own axes.
- array-api-strict refuses slices that run past the end (:func:`clamp_slices`
  clamps them, as NumPy does) and takes integer arrays only when every axis
  is indexed by an integer or an integer array: :func:`as_integer_arrays`
  turns the slices beside the arrays into ``arange`` arrays that broadcast
  against them.
"""

from __future__ import annotations

from typing import Any


def _parts(key: Any) -> tuple[Any, ...]:
    return key if isinstance(key, tuple) else (key,)


def _is_array(p: Any) -> bool:
    return hasattr(p, "shape") and not isinstance(p, int)


def _is_bool(p: Any) -> bool:
    return "bool" in str(p.dtype)


def is_mask(p: Any) -> bool:
    """True for a boolean array or a Python bool in a key."""
    return isinstance(p, bool) or (_is_array(p) and _is_bool(p))


def _axes_used(p: Any) -> int:
    """How many axes of ``x`` the key part ``p`` indexes."""
    if p is None or p is Ellipsis or isinstance(p, bool):  # a bool adds an axis
        return 0
    return p.ndim if _is_array(p) and _is_bool(p) else 1


def expand(key: Any, ndim: int) -> list[Any]:
    """``key`` as a list with ``...`` (or the missing tail) spelled out as ``:``."""
    parts = list(_parts(key))
    used = sum(_axes_used(p) for p in parts)
    if used > ndim:
        raise IndexError(
            f"GetItem: the key indexes {used} axes, but the array has {ndim}; "
            f"use at most one index per axis"
        )
    fill = [slice(None)] * (ndim - used)
    for i, p in enumerate(parts):  # by identity: `in` would compare arrays
        if p is Ellipsis:
            return parts[:i] + fill + parts[i + 1 :]
    return parts + fill


def has_none(key: Any) -> bool:
    """True when ``key`` adds an axis with ``None`` (by identity: no array ``==``)."""
    return any(p is None for p in _parts(key))


def has_array(key: Any) -> bool:
    """True when ``key`` holds an index array (integer or boolean)."""
    return any(_is_array(p) for p in _parts(key))


def has_empty_mask(key: Any) -> bool:
    """True when ``key`` holds a boolean mask with a zero-length axis."""
    return any(
        _is_array(p) and 0 in tuple(p.shape) and _is_bool(p) for p in _parts(key)
    )


def fit_empty_masks(xp: Any, key: Any, shape: tuple[int, ...], device: Any) -> Any:
    """``key`` with each boolean mask that has a zero-length axis replaced by
    an all-False mask of the axes it indexes: both select nothing. A mask that
    fits in no other way is kept, so that the library refuses it."""
    out, axis = [], 0
    for p in expand(key, len(shape)):
        used = _axes_used(p)
        if _is_array(p) and _is_bool(p) and 0 in tuple(p.shape):
            axes = shape[axis : axis + used]
            if all(k in (n, 0) for k, n in zip(p.shape, axes, strict=True)):
                p = xp.zeros(axes, dtype=p.dtype, device=device)
        out.append(p)
        axis += used
    return tuple(out)


def has_negative_step(key: Any) -> bool:
    """True when a slice of ``key`` walks backwards (``x[::-1]``)."""
    return any(isinstance(p, slice) and (p.step or 1) < 0 for p in _parts(key))


def canonical_slice(p: slice, n: int) -> slice:
    """``p`` with its bounds inside ``[0, n]``: ``x[:100]`` on 3 rows is ``x[0:3:1]``."""
    start, stop, step = p.indices(n)
    if not range(start, stop, step):
        return slice(0, 0, 1)
    return slice(start, stop if stop >= 0 else None, step)


def clamp_slices(key: Any, shape: tuple[int, ...]) -> Any:
    """``key`` with every slice's bounds clamped to its axis, as NumPy reads them."""
    out, axis = [], 0
    for p in expand(key, len(shape)):
        out.append(canonical_slice(p, shape[axis]) if isinstance(p, slice) else p)
        axis += _axes_used(p)
    return tuple(out)


def forward_slices(key: Any, shape: tuple[int, ...]) -> tuple[Any, tuple[int, ...]]:
    """For a basic ``key``: the same selection with forward steps, and the axes of
    the result to flip so that it comes out in ``key``'s order.

    Only the selected elements are read and flipped, never the whole array.
    """
    out, flips, axis, out_axis = [], [], 0, 0
    for p in expand(key, len(shape)):
        if isinstance(p, slice):
            start, stop, step = p.indices(shape[axis])
            if step < 0:
                k = len(range(start, stop, step))
                p = (
                    slice(start + step * (k - 1), start + 1, -step)
                    if k
                    else slice(0, 0)
                )
                flips.append(out_axis)
        out.append(p)
        axis += _axes_used(p)
        out_axis += 0 if isinstance(p, int) and not isinstance(p, bool) else 1
    return tuple(out), tuple(flips)


def positive_steps(key: Any, shape: tuple[int, ...]) -> tuple[tuple[int, ...], Any]:
    """Axes to flip, and a key with forward steps that selects the same elements
    from the flipped array in the same order (for keys with arrays too)."""
    flips, out, axis = [], [], 0
    for p in expand(key, len(shape)):
        if isinstance(p, slice) and (p.step or 1) < 0:
            n = shape[axis]
            start, stop, step = p.indices(n)
            flips.append(axis)
            # element i of x is element n - 1 - i of the flipped array
            p = slice(n - 1 - start, n - 1 - stop, -step)
        out.append(p)
        axis += _axes_used(p)
    return tuple(flips), tuple(out)


def mixes_integers_and_arrays(key: Any) -> bool:
    """True when ``key`` has an integer (or 0-d array) and an integer array of
    one or more axes besides slices: NumPy treats the integer as an array
    index and places the block accordingly, PyTorch does not."""
    parts = _parts(key)
    return needs_integer_arrays(key) and any(
        (isinstance(p, int) and not isinstance(p, bool))
        or (_is_array(p) and p.ndim == 0)
        for p in parts
    )


def needs_integer_arrays(key: Any) -> bool:
    """True when ``key`` mixes integer arrays with slices or ``...``."""
    parts = _parts(key)
    arrays = [p for p in parts if _is_array(p)]
    return (
        bool(arrays)
        and not any(_is_bool(p) for p in arrays)
        and any(isinstance(p, slice) or p is Ellipsis for p in parts)
    )


def as_integer_arrays(xp: Any, key: Any, shape: tuple[int, ...], device: Any) -> Any:
    """An all-integer-array key that selects what NumPy's ``x[key]`` selects.

    The integer and integer-array parts broadcast to one block of axes, placed
    where NumPy places it: where the first of them stands if they are
    adjacent, else first. Each slice becomes an ``arange`` with its own axis.
    ``None`` is not supported together with integer arrays.
    """
    parts = expand(key, len(shape))
    if any(p is None for p in parts):
        raise IndexError(
            "GetItem: this library cannot combine None (newaxis) with integer "
            "array indices; index first, then add the axis with F.expand_dims"
        )
    advanced = [i for i, p in enumerate(parts) if not isinstance(p, slice)]
    arrays = [xp.asarray(parts[i], device=device) for i in advanced]
    block = xp.broadcast_arrays(*arrays)[0].shape if arrays else ()
    adjacent = advanced == list(range(advanced[0], advanced[-1] + 1))
    at = advanced[0] if adjacent else 0
    # output axes: the slices' axes in order, with the block inserted at `at`
    slice_axes = [i for i, p in enumerate(parts) if isinstance(p, slice)]
    n_out = len(slice_axes) + len(block)
    new, b = [], len(block)
    for i, p in enumerate(parts):
        if isinstance(p, slice):
            k = slice_axes.index(i)
            pos = k if k < at else k + b
            column = xp.arange(*p.indices(shape[i]), device=device)
            sizes = [1] * n_out
            sizes[pos] = column.shape[0]
            new.append(xp.reshape(column, tuple(sizes)))
        else:
            a = xp.broadcast_to(xp.asarray(p, device=device), block)
            sizes = [1] * at + list(block) + [1] * (n_out - at - b)
            new.append(xp.reshape(a, tuple(sizes)))
    return tuple(new)


def is_basic_index(key: Any) -> bool:
    """True when ``key`` uses only integers, slices, ``None`` and ``...``.

    Basic indexing never selects an element twice, so its gradient can be
    written with plain item assignment instead of an accumulating scatter.
    """
    parts = key if isinstance(key, tuple) else (key,)
    return all(p is None or p is Ellipsis or isinstance(p, int | slice) for p in parts)
