"""How close the special functions come to the true values, on every backend.

Each function is measured against mpmath (40 digits) over its whole useful
range, tails included, in units in the last place (ulps) of the true value:
the op table checks a few points at 1e-10, this checks float64 accuracy
itself. Also here: the constants of ``_special_tables`` recomputed, the
values at infinities and poles, float32 accuracy, and the gradients at the
singular points where a convention replaces the derivative.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

import mpmath
import numpy as np
import pytest

import xgrad.functions as F
from xgrad import Variable
from xgrad.backends import _special_tables as tables

mpmath.mp.dps = 40
RNG = np.random.default_rng(7)


def _ndtri(p: mpmath.mpf) -> mpmath.mpf:
    q = min(p, 1 - p)
    if q == 0.5:
        return mpmath.mpf(0)
    start = -mpmath.sqrt(-2 * mpmath.log(q)) if q < 0.3 else -0.1
    root = mpmath.findroot(lambda t: mpmath.log(mpmath.ncdf(t)) - mpmath.log(q), start)
    return -root if p > 0.5 else root


def _log_ndtr(x: mpmath.mpf) -> mpmath.mpf:
    return mpmath.log(mpmath.ncdf(x)) if x < 0 else mpmath.log1p(-mpmath.ncdf(-x))


def _spread(low: float, high: float, n: int = 400) -> np.ndarray:
    return np.concatenate([np.linspace(low, high, n), RNG.uniform(low, high, n)])


def _tiny_and_huge(low: float, high: float) -> np.ndarray:
    return np.geomspace(low, high, 200)


# name -> (xgrad function, mpmath reference, float64 points, ulps allowed)
CASES: dict[str, tuple[Callable, Callable, np.ndarray, float]] = {
    "erfc": (F.erfc, mpmath.erfc, np.concatenate(
        [_spread(-6.0, 27.0), _tiny_and_huge(1e-300, 1e8), -_tiny_and_huge(1e-300, 6.0)]
    ), 4),
    "erfcx": (F.erfcx, lambda v: mpmath.erfc(v) * mpmath.exp(v * v), np.concatenate(
        [_spread(-26.0, 30.0), _tiny_and_huge(1e-300, 1e8)]
    ), 4),
    "ndtr": (F.ndtr, mpmath.ncdf, np.concatenate(
        [_spread(-38.0, 9.0), -_tiny_and_huge(1e-300, 38.0)]
    ), 4),
    "log_ndtr": (F.log_ndtr, _log_ndtr, np.concatenate(
        [_spread(-40.0, 38.0), -_tiny_and_huge(1e-300, 1e150), _tiny_and_huge(1e-300, 38.0)]
    ), 4),
    "erfinv": (F.erfinv, mpmath.erfinv, np.concatenate(
        [_spread(-0.9999, 0.9999), 1 - _tiny_and_huge(1.2e-16, 0.5),
         _tiny_and_huge(1e-300, 0.5)]
    ), 4),
    "ndtri": (F.ndtri, _ndtri, np.concatenate(
        [_spread(0.0001, 0.9999), _tiny_and_huge(1e-300, 0.5), 1 - _tiny_and_huge(1.2e-16, 0.5)]
    ), 4),
    "gammaln": (F.gammaln, mpmath.loggamma, np.concatenate(
        [_spread(0.0, 30.0)[1:], _tiny_and_huge(1e-300, 1e300), [1.0, 2.0, 1 + 1e-12]]
    ), 4),
    "digamma": (F.digamma, mpmath.digamma, np.concatenate(
        [_spread(0.0, 30.0)[1:], _tiny_and_huge(1e-300, 1e300),
         tables.DIGAMMA_ROOT[0] + np.array([-1e-9, 0.0, 1e-12, 3e-6])]
    ), 4),
    "trigamma": (lambda x: F.polygamma(1, x), lambda v: mpmath.polygamma(1, v),
                 np.concatenate([_spread(0.0, 40.0)[1:], _tiny_and_huge(1e-100, 1e100)]), 4),
    "tetragamma": (lambda x: F.polygamma(2, x), lambda v: mpmath.polygamma(2, v),
                   np.concatenate([_spread(0.0, 40.0)[1:], _tiny_and_huge(1e-60, 1e60)]), 4),
    "i0": (F.i0, lambda v: mpmath.besseli(0, v), np.concatenate(
        [_spread(-713.0, 713.0), _spread(-30.0, 30.0), _tiny_and_huge(1e-300, 713.9)]
    ), 10),
    "i1": (F.i1, lambda v: mpmath.besseli(1, v), np.concatenate(
        [_spread(-713.0, 713.0), _spread(-30.0, 30.0), _tiny_and_huge(1e-300, 713.9)]
    ), 10),
}  # fmt: skip


@functools.cache
def _truth(name: str, dtype: type = np.float64) -> tuple[np.ndarray, np.ndarray]:
    """The points of ``name`` in ``dtype``, and the true values there (float64)."""
    _, reference, points, _ = CASES[name]
    big = float(np.finfo(dtype).max)
    inside = (np.abs(points) < big) & (
        (points == 0) | (np.abs(points) > np.finfo(dtype).tiny)
    )
    points = points[inside].astype(dtype)
    return points, np.array([float(reference(mpmath.mpf(float(p)))) for p in points])


def _ulps(got: np.ndarray, want: np.ndarray, dtype=np.float64) -> np.ndarray:
    """|got - want| in units in the last place of ``want`` (of a normal number
    at least: subnormal values have fewer digits to lose)."""
    unit = np.maximum(
        np.spacing(np.abs(want).astype(dtype)), np.finfo(dtype).smallest_subnormal
    )
    unit = np.maximum(unit, np.spacing(np.finfo(dtype).tiny))
    with np.errstate(invalid="ignore"):
        error = np.abs(got - want) / unit.astype(np.float64)
    return np.where(got == want, 0.0, error)


def _values(v: Variable) -> np.ndarray:
    return v.backend.to_numpy(v.data)


@pytest.mark.slow  # on Dask, hundreds of lazy ops a call: tests-dask-heavy
@pytest.mark.parametrize("name", list(CASES))
def test_float64_values_are_within_a_few_ulps_of_mpmath(name, to_backend):
    func, _, _, allowed = CASES[name]
    points, want = _truth(name)
    got = _values(func(to_backend(points)))
    error = _ulps(got, want)
    worst = int(np.argmax(error))
    assert error[worst] <= allowed, (
        f"{name}({points[worst]!r}) = {got[worst]!r}, true {want[worst]!r}: "
        f"{error[worst]:.1f} ulps"
    )


@pytest.mark.slow
@pytest.mark.parametrize("name", list(CASES))
def test_float32_values_are_within_float32_rounding(name, to_backend):
    func = CASES[name][0]
    points, want = _truth(name, np.float32)
    keep = (np.abs(want) > 1e-30) & (np.abs(want) < 1e30)  # normal float32 values
    y = func(to_backend(points[keep]))
    assert y.dtype == to_backend(points).dtype
    error = _ulps(_values(y).astype(np.float64), want[keep], np.float32)
    worst = int(np.argmax(error))
    assert error[worst] <= 8, (
        f"{name}({points[keep][worst]!r}) = {_values(y)[worst]!r}, true "
        f"{want[keep][worst]!r}: {error[worst]:.1f} float32 ulps"
    )
