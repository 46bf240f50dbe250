"""Rows of the op table: statistics, running totals, manipulation, sorting and
gathering (gathered in table.py)."""

from __future__ import annotations

from typing import Any

import numpy as np

import xgrad.functions as F

from .case import OpCase, ex
from .inputs import given, rand, rand_distinct
from .strategies import DISTINCT, W, reduction
from .strategies_manip import (
    SMALL,
    broadcast_arrays_case,
    diff_case,
    flip_case,
    moment_case,
    moveaxis_case,
    permute_case,
    repeat_case,
    roll_case,
    running_case,
    sort_case,
    take_along_axis_case,
    take_case,
    tile_case,
    unstack_case,
)

X34 = rand((3, 4))
# zeros where a division by x would give NaN: one in a row, two in a column
ZEROS = given([[0.5, 0.0, -1.5, 2.0], [1.2, -0.7, 0.9, 0.0], [0.0, 1.1, -0.4, 0.0]])
REPEATS_ON_DASK = r"repeat: an array of counts"


def _np_sort(x, axis=-1, descending=False, stable=True):
    y = np.sort(x, axis=axis, stable=stable or None)
    return np.flip(y, axis=axis) if descending else y


def _np_var(x, axis=None, correction=0.0, keepdims=False):
    return np.var(x, axis=axis, ddof=correction, keepdims=keepdims)


def _np_std(x, axis=None, correction=0.0, keepdims=False):
    return np.std(x, axis=axis, ddof=correction, keepdims=keepdims)


def _np_diff_ends(x, before, after, axis=-1, n=1):
    """The standard's ``diff``: joined first, also for ``n=0`` (where NumPy's
    ``diff`` returns ``x`` alone)."""
    return np.diff(np.concatenate([before, x, after], axis=axis), n=n, axis=axis)


def _ends(f):
    """``f`` called with its second and third arrays as ``prepend`` and ``append``."""
    return lambda x, before, after, **kw: f(x, prepend=before, append=after, **kw)


def _torch_prod(x, axis=None, keepdims=False):
    """PyTorch's prod, one axis at a time (it takes no tuple)."""
    if axis is None:
        return x.prod()
    for d in sorted(np.atleast_1d(axis) % x.ndim, reverse=True):
        x = x.prod(dim=int(d), keepdim=keepdims)
    return x


def _torch_roll(x, shift, axis=None):
    """PyTorch's roll, which wants one shift per axis spelled out."""
    if isinstance(axis, tuple) and not isinstance(shift, tuple):
        shift = (shift,) * len(axis)
    return x.roll(shift, axis)


def _torch_moments(which: str):
    return lambda x, axis=None, correction=0.0, keepdims=False: getattr(x, which)(
        dim=axis, correction=correction, keepdim=keepdims
    )


def _torch_sort(x, axis=-1, descending=False, stable=True):
    return x.sort(dim=axis, descending=descending, stable=stable).values


def _torch() -> Any:
    import torch

    return torch


def _torch_running(which: str):
    """PyTorch's cumsum or cumprod, with the standard's ``include_initial``."""

    def f(x, axis=None, include_initial=False):
        axis = 0 if axis is None else axis
        y = getattr(x, which)(axis)
        if not include_initial:
            return y
        shape = list(x.shape)
        shape[axis] = 1
        first = _torch().full(shape, 0.0 if which == "cumsum" else 1.0, dtype=x.dtype)
        return _torch().cat([first, y], dim=axis)

    return f


CASES = [
    # statistics
    OpCase("prod", F.prod, np.prod, [
        ex(rand((2, 3, 2), low=-1.5, high=1.5)),
        ex(rand((3, 4), low=-1.5, high=1.5), "axis", axis=1),
        ex(ZEROS, "zeros", axis=1), ex(ZEROS, "zeros_column", axis=0),
        ex(ZEROS, "zeros_all"),
        ex(rand((2, 3, 2)), "tuple_keepdims", axis=(0, 2), keepdims=True),
    ], reduction(SMALL), torch=_torch_prod),
    OpCase("var", F.var, _np_var, [
        ex(X34), ex(X34, "axis_corrected", axis=1, correction=1.0),
        ex(rand((2, 3, 4)), "tuple_keepdims", axis=(0, 2), keepdims=True),
    ], moment_case(W), torch=_torch_moments("var")),
    OpCase("std", F.std, _np_std, [
        ex(X34), ex(X34, "axis_corrected", axis=0, correction=1.0),
        ex(rand((2, 3, 2)), "tuple_keepdims", axis=(-1, 0), keepdims=True),
    ], moment_case(DISTINCT), torch=_torch_moments("std")),
    # running totals and differences
    OpCase("cumulative_sum", F.cumulative_sum, np.cumulative_sum, [
        ex(X34, axis=1), ex(rand((5,)), "vector"),
        ex(rand((2, 3, 2)), "initial", axis=-2, include_initial=True),
    ], running_case(W), torch=_torch_running("cumsum")),
    OpCase("cumulative_prod", F.cumulative_prod, np.cumulative_prod, [
        ex(X34, axis=1), ex(ZEROS, "zeros", axis=1), ex(ZEROS, "zeros_column", axis=0),
        ex(given([0.5, 0.0, 2.0, 0.0, -1.5, 1.2, 0.7]), "vector_zeros"),
        ex(rand((2, 3, 2)), "initial", axis=-2, include_initial=True),
    ], running_case(SMALL), torch=_torch_running("cumprod")),
    OpCase("diff", F.diff, np.diff, [
        ex(X34), ex(rand((3, 5)), "second_order", axis=0, n=2),
        ex(rand((3, 5)), "order_0", n=0),
    ], diff_case(), torch=lambda x, axis=-1, n=1: _torch().diff(x, n=n, dim=axis)),
    OpCase("diff_prepend_append", _ends(F.diff), _np_diff_ends, [
        ex(rand((2, 3), (2, 1), (2, 2)), n=2),
    ], diff_case(ends=True), torch=_ends(
        lambda x, prepend, append, n=1: _torch().diff(x, n=n, prepend=prepend, append=append))),
    # rearranging
    OpCase("flip", F.flip, np.flip, [
        ex(rand((2, 3, 4))), ex(rand((2, 3, 4)), "axes", axis=(0, -1)),
    ], flip_case(), torch=lambda x, axis=None:
        x.flip(tuple(range(x.ndim)) if axis is None else axis)),
    OpCase("roll", F.roll, np.roll, [
        ex(X34, shift=5), ex(X34, "axis", shift=-1, axis=1),
        ex(rand((2, 3, 4)), "axes", shift=(1, 2), axis=(0, 2)),
        ex(rand((2, 3, 4)), "one_shift", shift=2, axis=(0, 2)),
    ], roll_case(), torch=_torch_roll),
    OpCase("moveaxis", lambda x, source, destination: F.moveaxis(x, source, destination),
        np.moveaxis, [
        ex(rand((2, 3, 4)), source=0, destination=-1),
        ex(rand((2, 3, 4)), "tuples", source=(0, 1), destination=(2, 0)),
    ], moveaxis_case(), torch=lambda x, source, destination: x.movedim(source, destination)),
    OpCase("permute_dims", F.permute_dims, np.transpose,
           [ex(rand((2, 3, 4)), axes=(1, 2, 0))], permute_case()),
    OpCase("repeat", lambda x, repeats, axis=None: F.repeat(x, repeats, axis=axis),
        np.repeat, [
        ex(X34, repeats=2), ex(X34, "axis", repeats=3, axis=-1),
    ], repeat_case(), torch=lambda x, repeats, axis=None:
        x.repeat_interleave(repeats, dim=axis)),
    OpCase("repeat_counts", F.repeat, np.repeat, [
        ex(lambda rng: [rng.uniform(-2, 2, (3, 4)), np.array([2, 0, 3])], axis=0),
        ex(lambda rng: [rng.uniform(-2, 2, (3, 4)), np.array([2])], "one_count", axis=1),
    ], repeat_case(counts_array=True), refused={"dask": REPEATS_ON_DASK},
       torch=lambda x, repeats, axis=None: x.repeat_interleave(repeats, dim=axis)),
    OpCase("tile", lambda x, repetitions: F.tile(x, repetitions),
        lambda x, repetitions: np.tile(x, repetitions), [
        ex(rand((2, 3)), repetitions=(2, 2)), ex(rand((2, 3)), "more", repetitions=(2, 1, 3)),
        ex(rand((2, 3, 2)), "fewer", repetitions=(3,)),
    ], tile_case(), torch=lambda x, repetitions: x.tile(repetitions)),
    OpCase("unstack", F.unstack, np.unstack, [
        ex(X34), ex(rand((2, 2, 3)), "axis", axis=-1),
    ], unstack_case()),
    OpCase("broadcast_arrays", F.broadcast_arrays, np.broadcast_arrays, [
        ex(rand((3, 1), (4,), (2, 1, 1))),
    ], broadcast_arrays_case()),
    # sorting and gathering
    OpCase("sort", F.sort, _np_sort, [
        ex(rand_distinct((3, 4))), ex(rand_distinct((3, 4)), "axis0", axis=0),
        ex(rand_distinct((2, 3, 2)), "descending", axis=1, descending=True),
    ], sort_case(), torch=_torch_sort),
    OpCase("take", F.take, np.take, [
        ex(lambda rng: [rng.uniform(-2, 2, (3, 4)), np.array([3, 0, 3, 1, 3])], axis=1),
        ex(lambda rng: [rng.uniform(-2, 2, (5,)), np.array([4, 4, 0])], "vector"),
    ], take_case()),
    OpCase("take_along_axis", F.take_along_axis, np.take_along_axis, [
        ex(lambda rng: [rng.uniform(-2, 2, (3, 4)), rng.integers(0, 4, (3, 6))], axis=1),
        ex(lambda rng: [rng.uniform(-2, 2, (3, 4)), np.array([[2, 0, 2, 2]])], "broadcast",
           axis=0),
    ], take_along_axis_case(), torch=lambda x, i, axis=-1: _torch().take_along_dim(x, i, axis)),
]  # fmt: skip
