"""Hypothesis strategies of the linear-algebra rows.

Decompositions are smooth only where they are unique, so the drawn matrices
keep away from where they are not: each is a permuted diagonal of distinct
magnitudes 1, 2, ... with random signs, plus a perturbation of at most
0.1 per element. Such a matrix is invertible and well conditioned, and its
singular values (and the eigenvalues of its symmetric part) stay at least
about 0.5 apart, whatever Hypothesis picks.
"""

from __future__ import annotations

import math

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from .case import Call
from .strategies import EMPTY, broadcast_shapes, reals, shapes, uniform


@st.composite
def stack(draw, empty: bool = True) -> tuple[int, ...]:
    """The stack axes of a batch of matrices: none, one or two, sometimes empty."""
    return draw(shapes(max_dims=2, empty=empty))


@st.composite
def separated(draw, batch: tuple[int, ...], m: int, n: int) -> np.ndarray:
    """Matrices ``(*batch, m, n)`` with distinct singular values near 1, 2, ...

    The perturbation is at most ``0.1 / max(m, n)`` per element: its norm is at
    most 0.1, and so is the shift of any singular value (Weyl). No element is
    0 (or closer to it than 0.002), where ``|x|`` and LAPACK's choice of signs
    in QR have kinks.
    """
    k = min(m, n)
    # a lattice offset from 0, so that no element sits on the kink of |x|
    steps = draw(hnp.arrays(np.int64, (*batch, m, n), elements=st.integers(-4, 4)))
    noise = (steps + 0.5) * (0.1 / 4.5 / max(m, n))
    order = draw(st.permutations(range(1, k + 1)))
    signs = draw(st.lists(st.sampled_from([-1.0, 1.0]), min_size=k, max_size=k))
    diagonal = np.zeros((m, n))
    diagonal[range(k), range(k)] = np.multiply(order, signs)
    return noise + diagonal


@st.composite
def square_case(draw, max_side: int = 3, **options):
    """One stack of square, well-conditioned matrices, and fixed options."""
    n = draw(st.integers(1, max_side))
    x = draw(separated(draw(stack()), n, n))
    return Call([x], {k: draw(v) for k, v in options.items()})


@st.composite
def matrix_case(draw, tall: bool = False, **options):
    """One stack of matrices with distinct singular values (``tall``: M >= N)."""
    m, n = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    if tall:
        m, n = max(m, n), min(m, n)
    x = draw(separated(draw(stack()), m, n))
    return Call([x], {k: draw(v) for k, v in options.items()})


@st.composite
def solve_case(draw):
    """``x1`` square and well conditioned; ``x2`` a vector or a stack of columns,
    the stack axes broadcasting against ``x1``'s."""
    n = draw(st.integers(1, 3))
    if draw(st.booleans()):
        return Call([draw(separated((), n, n)), draw(uniform(-10, 10)((n,)))])
    batch1, batch2 = draw(broadcast_shapes(max_dims=2, empty=False))
    k = draw(st.integers(0, 2) if draw(EMPTY) else st.integers(1, 2))
    return Call(
        [draw(separated(batch1, n, n)), draw(uniform(-10, 10)((*batch2, n, k)))]
    )


@st.composite
def vector_norm_case(draw):
    """Values away from 0 with distinct magnitudes (no kink of ``|x|``, no tie
    for ``inf``), any order of the standard, any axes."""
    p = draw(st.sampled_from([2, 1, math.inf, -math.inf, 0, 3, 0.5, -1.5]))
    # the largest of nothing is undefined; a negative power of an empty sum is
    # 1/0, which NumPy answers with a warning
    shape = draw(shapes(empty=0 <= p < math.inf))
    ndim = len(shape)
    axis_st = [st.none()]
    if ndim:
        axis_st += [
            hnp.valid_tuple_axes(ndim, min_size=1),
            st.integers(-ndim, ndim - 1),
        ]
    # distinct magnitudes s * (i + 0.5), either sign: no kink, no tie of |x|
    steps = draw(hnp.arrays(np.int64, shape, elements=st.integers(0, 100), unique=True))
    signs = draw(hnp.arrays(np.float64, shape, elements=st.sampled_from([-1.0, 1.0])))
    x = signs * draw(reals(0.1, 10.0)) * (steps + 0.5)
    return Call(
        [x],
        {"axis": draw(st.one_of(axis_st)), "keepdims": draw(st.booleans()), "ord": p},
    )


@st.composite
def diagonal_case(draw):
    """Any stack of matrices, empty ones too, and a diagonal on or off it."""
    shape = draw(shapes(min_dims=2, max_dims=4))
    offset = draw(st.integers(-shape[-2] - 1, shape[-1] + 1))
    return Call([draw(uniform(-1e3, 1e3)(shape))], {"offset": offset})


@st.composite
def vector_pair(draw, length: int | None = None):
    """Two stacks of vectors along a drawn axis, the other axes broadcasting."""
    shape1, shape2 = draw(broadcast_shapes(max_dims=3))
    n = draw(st.integers(0, 3)) if length is None else length
    axis = draw(st.integers(-1 - min(len(shape1), len(shape2)), -1))
    shapes_ = [list(s) for s in (shape1, shape2)]
    for s in shapes_:
        s.insert(len(s) + axis + 1, n)
    values = uniform(-1e3, 1e3)
    return Call([draw(values(tuple(s))) for s in shapes_], {"axis": axis})


@st.composite
def outer_case(draw):
    values = uniform(-1e3, 1e3)
    m, n = draw(st.integers(0, 4)), draw(st.integers(0, 4))
    return Call([draw(values((m,))), draw(values((n,)))])


@st.composite
def tensordot_case(draw):
    """Two arrays with ``axes`` contracted: a count, or pairs in any order."""
    side = st.integers(0, 2)
    paired = draw(st.lists(side, max_size=2))
    free1, free2 = draw(st.lists(side, max_size=2)), draw(st.lists(side, max_size=2))
    values = uniform(-1e3, 1e3)
    if draw(st.booleans()):
        x1, x2 = (*free1, *paired), (*paired, *free2)
        return Call([draw(values(x1)), draw(values(x2))], {"axes": len(paired)})
    order1 = draw(st.permutations(range(len(free1) + len(paired))))
    order2 = draw(st.permutations(range(len(free2) + len(paired))))
    x1 = [(*free1, *paired)[i] for i in order1]
    x2 = [(*paired, *free2)[i] for i in order2]
    # where each paired axis went after the permutation
    axes1 = [list(order1).index(len(free1) + i) for i in range(len(paired))]
    axes2 = [list(order2).index(i) for i in range(len(paired))]
    return Call(
        [draw(values(tuple(x1))), draw(values(tuple(x2)))], {"axes": (axes1, axes2)}
    )
