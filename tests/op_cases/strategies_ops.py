"""Hypothesis strategies of the arithmetic, elementwise, shape and indexing rows."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from hypothesis.extra.array_api import make_strategies_namespace

from .case import Call
from .strategies import (
    SCALES,
    broadcast_shapes,
    lattice,
    reals,
    shapes,
    signed,
    uniform,
)

EXPONENTS = st.one_of(st.integers(-3, 4), reals(-2.5, 3.5))


@st.composite
def pow_constant(draw):
    c = draw(EXPONENTS)
    if isinstance(c, float):
        base = uniform(0.1, 1e3)  # a real power of a positive base
    elif c > 0:
        base = uniform(-1e3, 1e3)  # 0 included: x ** 1 and x ** 2 are smooth there
    else:
        base = signed(0.1, 1e3)  # x ** 0 and negative powers: not at 0
    return Call([draw(base(draw(shapes())))], {"c": c})


@st.composite
def tangent_points(draw):
    """``k * pi + u`` with ``|u| <= 1.2``: away from the poles of tan."""
    shape = draw(shapes())
    k = draw(hnp.arrays(np.int64, shape, elements=st.integers(-100, 100)))
    u = draw(uniform(-1.2, 1.2)(shape))
    return Call([k * np.pi + u])


@st.composite
def clip_case(draw):
    s = draw(SCALES)
    lo = draw(st.integers(-1000, 999))
    hi = draw(st.integers(lo + 1, 1000))
    x = draw(lattice(scale=st.just(s))(draw(shapes())))
    x_min = draw(st.sampled_from([s * lo, None]))
    x_max = draw(st.sampled_from([s * hi, None]))
    return Call([x], {"x_min": x_min, "x_max": x_max})


@st.composite
def extremum_pair(draw):
    """Two broadcasting arrays that never tie: one on a lattice, one half a step off."""
    s0, s1 = draw(broadcast_shapes())
    s = st.just(draw(SCALES))
    a, b = draw(lattice(0.5, scale=s)(s0)), draw(lattice(0.0, scale=s)(s1))
    return Call([a, b] if draw(st.booleans()) else [b, a])


@st.composite
def where_case(draw, scalar: bool = False):
    sc, s0, s1 = draw(broadcast_shapes(3))
    cond = draw(hnp.arrays(np.bool_, sc))
    x0 = draw(uniform()(s0))
    if scalar:
        return Call([cond, x0], {"x1": draw(reals(-1e3, 1e3))})
    return Call([cond, x0, draw(uniform()(s1))])


def _divisors(n: int) -> list[int]:
    return [d for d in range(1, n + 1) if n % d == 0]


@st.composite
def reshape_case(draw):
    shape = draw(shapes())
    n = math.prod(shape)
    targets = [(n,), (-1,), shape[::-1], (1, *shape), (*shape, 1)]
    if n == 1:
        targets.append(())
    if n:
        d = draw(st.sampled_from(_divisors(n)))
        targets += [(d, n // d), (d, -1), (-1, 1, d)]
    target = draw(st.sampled_from(targets))
    return Call([draw(uniform()(shape))], {"shape": target})


@st.composite
def transpose_case(draw):
    shape = draw(shapes())
    ndim = len(shape)
    axes = draw(st.none() | st.permutations(range(ndim)).map(tuple))
    if axes is not None and ndim:
        axes = tuple(a - ndim if draw(st.booleans()) else a for a in axes)
    return Call([draw(uniform()(shape))], {"axes": axes})


@st.composite
def expand_dims_case(draw):
    shape = draw(shapes(max_dims=3))
    axis = draw(st.integers(-len(shape) - 1, len(shape)))
    return Call([draw(uniform()(shape))], {"axis": axis})


@st.composite
def squeeze_case(draw):
    shape = list(draw(shapes()))
    for i in draw(st.sets(st.integers(0, max(len(shape) - 1, 0)))) if shape else []:
        shape[i] = 1
    ones = [i for i, n in enumerate(shape) if n == 1]
    axis = draw(
        st.none() | st.sets(st.sampled_from(ones)).map(tuple) if ones else st.none()
    )
    return Call([draw(uniform()(tuple(shape)))], {"axis": axis})


@st.composite
def broadcast_to_case(draw):
    small, other = draw(broadcast_shapes())
    return Call([draw(uniform()(small))], {"shape": np.broadcast_shapes(small, other)})


@st.composite
def sum_to_case(draw):
    small, other = draw(broadcast_shapes())
    big = np.broadcast_shapes(small, other)
    return Call([draw(uniform()(big))], {"shape": small})


@st.composite
def concat_case(draw, same: bool = False):
    base = list(draw(shapes(min_dims=1, max_dims=3)))
    ndim = len(base)
    k = draw(st.integers(1, 3))
    if same:  # stack: equal shapes, a new axis anywhere
        axis = draw(st.integers(-ndim - 1, ndim))
        return Call([draw(uniform()(tuple(base))) for _ in range(k)], {"axis": axis})
    axis = draw(st.integers(-ndim, ndim - 1))
    arrays = []
    for _ in range(k):
        base[axis] = draw(st.integers(0, 3))
        arrays.append(draw(uniform()(tuple(base))))
    return Call(arrays, {"axis": axis})


@st.composite
def split_case(draw):
    shape = draw(shapes(min_dims=1, max_dims=3))
    axis = draw(st.integers(-len(shape), len(shape) - 1))
    n = shape[axis]
    if draw(st.booleans()):
        indices: Any = sorted(draw(st.lists(st.integers(0, n), max_size=3)))
        count = len(indices) + 1
    else:
        indices = draw(st.sampled_from(_divisors(n) if n else [1, 2, 3]))
        count = indices
    keep = sorted(draw(st.sets(st.integers(0, count - 1), min_size=1)))
    x = draw(uniform()(shape))
    return Call([x], {"indices": indices, "axis": axis, "keep": keep})


XPS = make_strategies_namespace(np)


@st.composite
def basic_index_case(draw):
    shape = draw(shapes())
    key = draw(XPS.indices(shape, allow_newaxis=True, allow_ellipsis=True))
    return Call([draw(uniform()(shape))], {"slices": key})


@st.composite
def integer_index_case(draw):
    shape = list(draw(shapes(min_dims=1)))
    shape[0] = max(shape[0], 1)
    n = shape[0]
    index = draw(
        hnp.arrays(np.int64, draw(shapes(max_dims=2)), elements=st.integers(-n, n - 1))
    )
    return Call([draw(uniform()(tuple(shape))), index])


@st.composite
def mask_case(draw):
    shape = draw(shapes(min_dims=1))
    mask = draw(hnp.arrays(np.bool_, shape))
    return Call([draw(uniform()(shape)), mask])
