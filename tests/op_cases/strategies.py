"""Hypothesis building blocks for the fuzz strategies of the op table.

Shapes from 0-d to 4-D with size-0 axes and broadcasting pairs, values up to
large magnitudes, kept away from kinks and poles by construction (lattices
offset from the kinks, distinct values for maxima), so that central
differences are meaningful at every drawn point.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
from hypothesis import assume
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from .case import Call

MAX_SIZE = 32  # elements per drawn array: central differences cost two calls each
BIG = 1e6  # the largest magnitude drawn where float32 cannot overflow


# -- shapes ---------------------------------------------------------------------------
SIDE = st.integers(1, 3)
# A size-0 axis, in about one shape of five.
EMPTY = st.sampled_from([False, False, False, False, True])


def _cap(shape: list[int]) -> list[int]:
    while math.prod(shape) > MAX_SIZE:
        shape[shape.index(max(shape))] -= 1
    return shape


@st.composite
def shapes(draw, min_dims: int = 0, max_dims: int = 4, empty: bool = True):
    """A shape of ``min_dims`` to ``max_dims`` axes, sometimes with a size-0 axis."""
    ndim = draw(st.integers(min_dims, max_dims))
    shape = _cap([draw(SIDE) for _ in range(ndim)])
    if empty and ndim and draw(EMPTY):
        shape[draw(st.integers(0, ndim - 1))] = 0
    return tuple(shape)


@st.composite
def broadcast_shapes(draw, n: int = 2, max_dims: int = 4, empty: bool = True):
    """``n`` mutually broadcastable shapes (0-d to 4-D) whose result stays small."""
    drawn = draw(
        hnp.mutually_broadcastable_shapes(
            num_shapes=n, min_dims=0, max_dims=max_dims, min_side=1, max_side=3
        )
    )
    ndim = len(drawn.result_shape)
    padded = [[1] * (ndim - len(s)) + list(s) for s in drawn.input_shapes]
    lengths = [len(s) for s in drawn.input_shapes]
    result = list(drawn.result_shape)
    while math.prod(result) > MAX_SIZE:
        axis = result.index(max(result))
        for s in padded:
            s[axis] = 1
        result[axis] = 1
    if empty and ndim and draw(EMPTY):
        axis = draw(st.integers(0, ndim - 1))
        owners = [s for s, k in zip(padded, lengths, strict=True) if ndim - k <= axis]
        wide = [s for s in owners if s[axis] != 1] or owners[:1]
        for s in wide:
            s[axis] = 0
    return [tuple(s[ndim - k :]) for s, k in zip(padded, lengths, strict=True)]


# -- values ---------------------------------------------------------------------------
def reals(low: float, high: float) -> st.SearchStrategy[float]:
    return st.floats(low, high, allow_nan=False, allow_infinity=False)


def uniform(low: float = -BIG, high: float = BIG) -> Callable[[Any], Any]:
    """Values in [low, high]: Hypothesis favours 0, the bounds and awkward floats."""
    return lambda shape: hnp.arrays(np.float64, shape, elements=reals(low, high))


def signed(low: float, high: float) -> Callable[[Any], Any]:
    """Magnitudes in [low, high] with either sign: away from a pole at 0."""

    def draw(shape):
        magnitudes = hnp.arrays(np.float64, shape, elements=reals(low, high))
        signs = hnp.arrays(np.float64, shape, elements=st.sampled_from([1.0, -1.0]))
        return st.tuples(magnitudes, signs).map(lambda ms: ms[0] * ms[1])

    return draw


SCALES = reals(0.01, 1000.0)


def lattice(offset: float = 0.5, unique: bool = False, scale=SCALES, k: int = 1000):
    """``s * (i + offset)`` for integers ``i``: at least ``s * offset`` from the
    points ``s * j``, where ops with kinks put them; ``unique`` makes every value
    distinct (no ties for maxima)."""

    def draw(shape):
        ints = hnp.arrays(np.int64, shape, elements=st.integers(-k, k), unique=unique)
        return st.tuples(ints, scale).map(lambda t: t[1] * (t[0] + offset))

    return draw


def labels(shape, n_classes: int) -> Any:
    return hnp.arrays(np.int64, shape, elements=st.integers(0, n_classes - 1))


# -- generic case builders ------------------------------------------------------------
@st.composite
def elementwise(draw, *values, shape=None, **kwargs):
    """One array per entry of ``values``, on broadcasting shapes (one shape if one)."""
    if shape is not None:
        dims = [shape] * len(values)
    elif len(values) == 1:
        dims = [draw(shapes())]
    else:
        dims = draw(broadcast_shapes(len(values)))
    arrays = [draw(v(s)) for v, s in zip(values, dims, strict=True)]
    return Call(arrays, {k: draw(v) for k, v in kwargs.items()})


@st.composite
def reduction(draw, values, nonempty: bool = False):
    """An array, an ``axis`` (None, an int or a tuple, negatives too) and keepdims."""
    shape = draw(shapes())
    ndim = len(shape)
    axis_st = [st.none(), hnp.valid_tuple_axes(ndim)]
    if ndim:
        axis_st.append(st.integers(-ndim, ndim - 1))
    axis = draw(st.one_of(axis_st))
    axes = range(ndim) if axis is None else np.atleast_1d(axis) % max(ndim, 1)
    if nonempty:  # max, min, logsumexp, mean of an empty set: test_edge_cases.py
        assume(all(shape[a] for a in axes))
    return Call([draw(values(shape))], {"axis": axis, "keepdims": draw(st.booleans())})


@st.composite
def axis_case(draw, values, min_dims: int = 1):
    """An array of at least ``min_dims`` axes and one ``axis`` (negatives too)."""
    shape = draw(shapes(min_dims=min_dims))
    axis = draw(st.integers(-len(shape), len(shape) - 1))
    return Call([draw(values(shape))], {"axis": axis})


def at_least(ndim: int, inputs: st.SearchStrategy[Call]) -> st.SearchStrategy[Call]:
    """``inputs`` whose first array has at least ``ndim`` axes."""
    return inputs.filter(lambda c: c.arrays[0].ndim >= ndim)


# -- the common draws -----------------------------------------------------------------
W = uniform()  # any value up to BIG
SCALAR = reals(-1e3, 1e3)
NONZERO = st.one_of(reals(0.1, 1e3), reals(-1e3, -0.1))
POSITIVE = uniform(0.05, BIG)
AWAY_FROM_0 = signed(0.5, 1e3)
KINKED = elementwise(lattice())  # abs, relu, leaky_relu bend at 0: a lattice off it
DISTINCT = lattice(unique=True)  # no ties for max and min
