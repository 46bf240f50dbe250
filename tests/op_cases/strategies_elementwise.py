"""Hypothesis strategies of the array API's elementwise rows (table_elementwise.py).

Step functions and division with remainder jump; these draws keep every
point a quarter step or more from a jump, so central differences see the
zero (or constant) slope between them.
"""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from .case import Call
from .strategies import SCALES, broadcast_shapes, elementwise, lattice, reals

# i + 0.25: a quarter from the integers (floor, ceil, trunc jump there) and
# from the halves (round jumps there)
STEPS = elementwise(lattice(0.25, scale=st.just(1.0)))


POWERS_OF_2 = st.sampled_from([1.0, 2.0, 4.0, -1.0, -2.0, -4.0])


@st.composite
def division_case(draw, scalar: int | None = None):
    """``x1`` and ``x2`` whose quotient is never an integer, where remainder and
    floor_divide jump: ``x1 = s*(i + 1/2)`` and ``x2 = ±s * 2**k`` make
    ``x1 / x2`` an odd multiple of ``2**-(k+1)``, at least 1/8 from a jump.
    The quotient stays within ±100 and ``s >= 1``, so that a central
    difference's step moves it by 0.01 at most. ``scalar`` (0 or 1) draws
    that input as the Python float ``c`` instead of an array."""
    shape1, shape2 = draw(broadcast_shapes())
    s = draw(reals(1.0, 1000.0))
    x1 = lattice(0.5, scale=st.just(s), k=100)
    x2 = hnp.arrays(np.float64, shape2, elements=POWERS_OF_2).map(lambda a: a * s)
    if scalar == 0:
        return Call([draw(x2)], {"c": s * (draw(st.integers(-100, 100)) + 0.5)})
    if scalar == 1:
        return Call([draw(x1(shape1))], {"c": s * draw(POWERS_OF_2)})
    return Call([draw(x1(shape1)), draw(x2)])


@st.composite
def clip_bounds_case(draw, bounds: str = "min max", scalar_max: bool = False):
    """``x`` and the array ``bounds`` named (``min <= 0 < max``), broadcasting,
    on lattices that never meet (no ties, where the gradient changes hands);
    ``scalar_max`` adds a Python float ``c`` for ``max``."""
    names = bounds.split()
    shapes = draw(broadcast_shapes(1 + len(names)))
    s = draw(SCALES)
    arrays = {"x": draw(lattice(0.5, scale=st.just(s))(shapes[0]))}
    for name, shape in zip(names, shapes[1:], strict=True):
        if name == "min":  # s * (0, -1, -2, ...)
            ints = hnp.arrays(np.int64, shape, elements=st.integers(-1000, 0))
            arrays[name] = draw(ints) * s
        else:  # s * (0.25, 0.75, 1.25, ...)
            arrays[name] = np.abs(draw(lattice(0.25, scale=st.just(s))(shape)))
    options = {"c": s * (draw(st.integers(0, 1000)) + 0.25)} if scalar_max else {}
    return Call(list(arrays.values()), options)
