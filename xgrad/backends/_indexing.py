"""Index rewriting for libraries whose ``x[key]`` covers less than NumPy's.

``get_item`` accepts NumPy's keys on every backend. Two libraries need help,
and their backends call these rewrites (op code never does):

- PyTorch has no negative slice steps: :func:`positive_steps` flips those
  axes and rewrites the slices to walk forward.
- array-api-strict takes integer arrays only when every axis is indexed by
  an integer or an integer array: :func:`as_integer_arrays` turns the slices
  beside the arrays into ``arange`` arrays that broadcast against them.
"""

from __future__ import annotations

from typing import Any


def _parts(key: Any) -> tuple[Any, ...]:
    return key if isinstance(key, tuple) else (key,)


def _is_array(p: Any) -> bool:
    return hasattr(p, "shape") and not isinstance(p, int)


def expand(key: Any, ndim: int) -> list[Any]:
    """``key`` as a list with ``...`` (or the missing tail) spelled out as ``:``."""
    parts = list(_parts(key))
    used = sum(
        (p.ndim if _is_array(p) and _is_bool(p) else 1)
        for p in parts
        if p is not None and p is not Ellipsis
    )
    fill = [slice(None)] * max(ndim - used, 0)
    for i, p in enumerate(parts):  # by identity: `in` would compare arrays
        if p is Ellipsis:
            return parts[:i] + fill + parts[i + 1 :]
    return parts + fill


def _is_bool(p: Any) -> bool:
    return "bool" in str(p.dtype)


def has_negative_step(key: Any) -> bool:
    return any(isinstance(p, slice) and (p.step or 1) < 0 for p in _parts(key))


def positive_steps(key: Any, shape: tuple[int, ...]) -> tuple[tuple[int, ...], Any]:
    """Axes to flip, and a key with forward steps that selects the same elements
    from the flipped array in the same order."""
    flips, out, axis = [], [], 0
    for p in expand(key, len(shape)):
        if isinstance(p, slice) and (p.step or 1) < 0:
            n = shape[axis]
            start, stop, step = p.indices(n)
            flips.append(axis)
            # element i of x is element n - 1 - i of the flipped array
            p = slice(n - 1 - start, n - 1 - stop, -step)
        out.append(p)
        if p is not None:
            axis += p.ndim if _is_array(p) and _is_bool(p) else 1
    return tuple(flips), tuple(out)


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
            "get_item: this library cannot combine None (newaxis) with integer "
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
