"""Hypothesis strategies of the statistics, manipulation and sorting rows."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import assume
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from .case import Call
from .strategies import (
    MAX_SIZE,
    W,
    broadcast_shapes,
    lattice,
    reduction,
    shapes,
    uniform,
)

SMALL = uniform(-2.0, 2.0)  # products of up to 32 factors stay finite in float32
CORRECTIONS = st.sampled_from([0.0, 0.5, 1.0])


@st.composite
def axes(draw, ndim: int):
    """None, one axis or a tuple of distinct axes, negatives too."""
    options = [st.none(), hnp.valid_tuple_axes(ndim)]
    if ndim:
        options.append(st.integers(-ndim, ndim - 1))
    return draw(st.one_of(options))


@st.composite
def moment_case(draw, values):
    """var and std: a reduction with a ``correction`` that leaves a degree of freedom."""
    call = draw(reduction(values))
    shape, axis = call.arrays[0].shape, call.kwargs["axis"]
    reduced = (
        range(len(shape)) if axis is None else np.atleast_1d(axis) % max(len(shape), 1)
    )
    correction = draw(CORRECTIONS)
    assume(math.prod(shape[a] for a in reduced) - correction > 0)
    return Call(call.arrays, {**call.kwargs, "correction": correction})


@st.composite
def running_case(draw, values):
    """cumulative_sum and cumulative_prod: an axis (None for 1-D) and include_initial."""
    shape = draw(shapes(min_dims=1))
    ndim = len(shape)
    options = st.integers(-ndim, ndim - 1) | (st.none() if ndim == 1 else st.nothing())
    kwargs = {"axis": draw(options), "include_initial": draw(st.booleans())}
    return Call([draw(values(shape))], kwargs)


@st.composite
def diff_case(draw, ends: bool = False):
    """An axis and an order ``n``; with ``ends``, arrays to prepend and append."""
    shape = list(draw(shapes(min_dims=1)))
    axis = draw(st.integers(-len(shape), len(shape) - 1))
    arrays = [draw(uniform()(tuple(shape)))]
    if ends:
        for _ in range(2):
            shape[axis] = draw(st.integers(0, 2))
            arrays.append(draw(uniform()(tuple(shape))))
    return Call(arrays, {"axis": axis, "n": draw(st.integers(0, 3))})


@st.composite
def flip_case(draw):
    shape = draw(shapes())
    return Call([draw(uniform()(shape))], {"axis": draw(axes(len(shape)))})


@st.composite
def roll_case(draw):
    shape = draw(shapes())
    axis = draw(axes(len(shape)))
    axis = None if axis == () else axis  # NumPy's roll cannot take no axis
    shift = st.integers(-7, 7)
    if isinstance(axis, tuple) and draw(st.booleans()):  # one shift per axis
        kwargs = {"shift": tuple(draw(shift) for _ in axis), "axis": axis}
    else:
        kwargs = {"shift": draw(shift), "axis": axis}
    return Call([draw(uniform()(shape))], kwargs)


@st.composite
def permute_case(draw):
    shape = draw(shapes())
    order = draw(st.permutations(range(len(shape))))
    return Call([draw(uniform()(shape))], {"axes": tuple(order)})


@st.composite
def moveaxis_case(draw):
    shape = draw(shapes(min_dims=1))
    ndim = len(shape)
    k = draw(st.integers(1, ndim))
    source = draw(st.permutations(range(ndim)))[:k]
    destination = draw(st.permutations(range(-ndim, 0)))[:k]
    if k == 1 and draw(st.booleans()):
        source, destination = source[0], destination[0]
    x = draw(uniform()(shape))
    return Call(
        [x],
        {
            "source": tuple(source) if k > 1 else source,
            "destination": tuple(destination) if k > 1 else destination,
        },
    )


@st.composite
def repeat_case(draw, counts_array: bool = False):
    """An int count or (``counts_array``) an array of counts, and an axis or None."""
    shape = draw(shapes(max_dims=3))
    axis = draw(st.none() | st.integers(-len(shape), len(shape) - 1)) if shape else None
    n = math.prod(shape) if axis is None else shape[axis]
    x = draw(uniform()(shape))
    if not counts_array:
        return Call([x], {"repeats": draw(st.integers(0, 3)), "axis": axis})
    length = draw(st.sampled_from([1, n]))
    counts = draw(hnp.arrays(np.int64, (length,), elements=st.integers(0, 3)))
    return Call([x, counts], {"axis": axis})


@st.composite
def tile_case(draw):
    shape = draw(shapes(max_dims=3))
    reps = draw(st.lists(st.integers(0, 3), max_size=4).map(tuple))
    total = math.prod(shape) * math.prod(reps)
    assume(total <= 4 * MAX_SIZE)
    return Call([draw(uniform()(shape))], {"repetitions": reps})


@st.composite
def unstack_case(draw):
    """A non-empty axis: unstacking an empty one gives no outputs at all
    (tests/test_manipulation.py)."""
    shape = draw(shapes(min_dims=1))
    axis = draw(st.integers(-len(shape), len(shape) - 1))
    assume(shape[axis] > 0)
    return Call([draw(uniform()(shape))], {"axis": axis})


@st.composite
def sort_case(draw):
    shape = draw(shapes(min_dims=1))
    kwargs = {
        "axis": draw(st.integers(-len(shape), len(shape) - 1)),
        "descending": draw(st.booleans()),
        "stable": draw(st.booleans()),
    }
    return Call([draw(lattice(unique=True)(shape))], kwargs)  # no ties: no kinks


@st.composite
def take_case(draw):
    shape = draw(shapes(min_dims=1))
    axis = draw(st.integers(-len(shape), len(shape) - 1))
    n = shape[axis]
    picks = st.integers(0, max(n - 1, 0))
    k = draw(st.integers(0, 5)) if n else 0
    indices = draw(hnp.arrays(np.int64, (k,), elements=picks))
    return Call([draw(uniform()(shape)), indices], {"axis": axis})


@st.composite
def take_along_axis_case(draw):
    """Indices of ``x``'s number of axes; the other axes broadcast either way."""
    shape = list(draw(shapes(min_dims=1, max_dims=3)))
    ndim = len(shape)
    axis = draw(st.integers(-ndim, ndim - 1))
    n = shape[axis]
    index_shape = [draw(st.sampled_from([1, m])) for m in shape]
    index_shape[axis] = draw(st.integers(0, 4)) if n else 0
    if draw(st.booleans()):  # x broadcasts instead, where the indices have 1 ... 3
        for d in range(ndim):
            if d != axis % ndim and shape[d] == 1:
                index_shape[d] = draw(st.integers(1, 3))
    picks = st.integers(0, max(n - 1, 0))
    indices = draw(hnp.arrays(np.int64, tuple(index_shape), elements=picks))
    return Call([draw(uniform()(tuple(shape))), indices], {"axis": axis})


@st.composite
def broadcast_arrays_case(draw):
    """One to three arrays of mutually broadcastable shapes."""
    drawn = draw(broadcast_shapes(draw(st.integers(1, 3))))
    return Call([draw(W(s)) for s in drawn])
