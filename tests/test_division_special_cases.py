"""``//`` and ``%`` of floats at infinities and signed zeros, as the standard says.

PyTorch computes both from ``fmod`` and misses these cases (``inf // 2`` is
NaN, ``-1 // inf`` is -1, ``0 % -3`` is ``+0``); its backend mends them
(xgrad/backends/_torch_division.py). The remainder's cases hold on every
backend; NumPy's own ``floor_divide`` misses the infinite ones too (listed in
tests/array_api_tests/numpy-xfails.txt), so they are checked on PyTorch.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import xgrad
from xgrad import Variable

# NumPy warns where it returns the NaN the standard asks for (inf % 2).
pytestmark = pytest.mark.filterwarnings("ignore:invalid value:RuntimeWarning")
INF = math.inf
# x1, x2, the standard's x1 // x2
FLOOR_DIVIDE = [
    (INF, 2.0, INF),
    (INF, -2.0, -INF),
    (-INF, 2.0, -INF),
    (-INF, -2.0, INF),
    (-1.0, INF, -0.0),
    (1.0, -INF, -0.0),
    (1.0, INF, 0.0),
    (INF, INF, math.nan),
    (7.0, 2.0, 3.0),
    (-7.0, 2.0, -4.0),
    (-1e-300, 1e300, -1.0),  # a quotient that underflows still floors to -1
]
# x1, x2, the standard's x1 % x2: the sign of x2, zeros included
REMAINDER = [
    (0.0, -3.0, -0.0),
    (-0.0, 3.0, 0.0),
    (6.0, -3.0, -0.0),
    (-6.0, 3.0, 0.0),
    (1.0, INF, 1.0),
    (1.0, -INF, -INF),
    (INF, 2.0, math.nan),
    (-7.0, 2.0, 1.0),
]


def _same(got, want):
    """Equal values, and equal signs of zeros and infinities (NaN matches NaN,
    whatever its sign bit)."""
    np.testing.assert_array_equal(got, want)
    number = ~np.isnan(want)
    np.testing.assert_array_equal(np.signbit(got[number]), np.signbit(want[number]))


def _columns(table, to_backend):
    x1, x2, want = (np.array(c) for c in zip(*table, strict=True))
    return Variable(to_backend(x1)), Variable(to_backend(x2)), want


def test_floor_divide_at_infinities_on_torch():
    pytest.importorskip("torch")
    xa = xgrad.array_api.namespace(xgrad.backends.get("torch"))
    x1, x2, want = _columns(FLOOR_DIVIDE, lambda a: xa.asarray(a).data)
    _same((x1 // x2).data.numpy(), want)
    _same(xa.floor_divide(x1, x2).data.numpy(), want)
    halves = np.floor(np.array([r[0] for r in FLOOR_DIVIDE]) / 2.0)  # inf stays inf
    _same((x1 // 2.0).data.numpy(), halves)


def test_remainder_takes_the_divisors_sign(backend, to_backend):
    xa = xgrad.array_api.namespace(backend)
    x1, x2, want = _columns(REMAINDER, to_backend)
    _same(backend.to_numpy((x1 % x2).data), want)
    _same(backend.to_numpy(xa.remainder(x1, x2).data), want)


def test_integers_keep_their_exact_quotient_and_remainder(backend, to_backend):
    x1 = Variable(to_backend(np.array([7, -7, 7, -7])))
    x2 = Variable(to_backend(np.array([2, 2, -2, -2])))
    np.testing.assert_array_equal(backend.to_numpy((x1 // x2).data), [3, -4, -4, 3])
    np.testing.assert_array_equal(backend.to_numpy((x1 % x2).data), [1, 1, -1, -1])
