"""The special functions at their edges: SciPy's conventions for the values,
the gradients at the points where a convention replaces the derivative,
infinities and poles, and the errors of bad calls.

Accuracy over whole ranges is tests/test_special_accuracy.py's; the op table
checks derivatives at ordinary points.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import xgrad.functions as F
from xgrad import Variable
from xgrad.testing import gradgradcheck

INF, NAN = math.inf, math.nan


def _values(v: Variable) -> np.ndarray:
    return v.backend.to_numpy(v.data)


def _grads(f, *arrays, to_backend):
    """f's values and the gradients of their sum, for each input."""
    xs = [Variable(to_backend(np.asarray(a, dtype=float))) for a in arrays]
    y = f(*xs)
    F.sum(y).backward()
    return _values(y), [_values(x.grad) for x in xs]


def test_xlogy_is_zero_where_x_is_zero_and_so_are_its_gradients(to_backend):
    y, (gx, gy) = _grads(F.xlogy, [0.0, 0.0, 2.0, 3.0], [0.0, 0.5, 0.0, 2.0],
                         to_backend=to_backend)  # fmt: skip
    np.testing.assert_array_equal(y[:3], [0.0, 0.0, -INF])
    assert y[3] == pytest.approx(3 * math.log(2))
    # x == y == 0: both gradients 0, not NaN; x == 0 < y: d/dx = log(y), d/dy = 0
    np.testing.assert_array_equal(gx[[0, 2]], [0.0, -INF])
    assert gx[1] == pytest.approx(math.log(0.5))
    np.testing.assert_array_equal(gy[:3], [0.0, 0.0, INF])
    assert gy[3] == pytest.approx(1.5)


def test_xlogy_keeps_nan_and_broadcasts(to_backend):
    x, y = to_backend(np.array([[0.0], [2.0]])), to_backend(np.array([NAN, 1.0, 4.0]))
    got = _values(F.xlogy(x, y))
    assert got.shape == (2, 3)
    assert np.all(np.isnan(got[:, 0]))
    np.testing.assert_allclose(got[:, 1:], [[0.0, 0.0], [0.0, 2 * math.log(4)]])


def test_xlogy_second_derivatives_are_finite_at_zero(to_backend):
    x = Variable(to_backend(np.array([0.0, 0.0, 1.5])))
    y = Variable(to_backend(np.array([0.0, 2.0, 3.0])))
    F.sum(F.xlogy(x, y)).backward(create_graph=True)
    gx, gy = x.grad, y.grad
    x.cleargrad()
    y.cleargrad()
    F.sum(gx * gy).backward()
    assert np.all(np.isfinite(_values(x.grad)))
    assert np.all(np.isfinite(_values(y.grad)))
    gradgradcheck(
        F.xlogy, to_backend(np.array([0.0, 0.7])), to_backend(np.array([0.5, 2.0]))
    )


def test_xlog1py_at_minus_one_follows_xlogy_at_zero(to_backend):
    y, (gx, gy) = _grads(F.xlog1py, [0.0, 1.0, 0.0], [-1.0, -1.0, 1e-20],
                         to_backend=to_backend)  # fmt: skip
    np.testing.assert_array_equal(y[:2], [0.0, -INF])
    np.testing.assert_array_equal(gx, [0.0, -INF, 1e-20])  # log1p keeps 1e-20
    np.testing.assert_array_equal(gy, [0.0, INF, 0.0])


def test_entr_follows_scipy_and_its_gradient_the_one_sided_limits(to_backend):
    y, (g,) = _grads(F.entr, [-1.0, 0.0, 0.5, NAN], to_backend=to_backend)
    np.testing.assert_array_equal(y[:2], [-INF, 0.0])
    assert y[2] == pytest.approx(0.5 * math.log(2))
    assert np.isnan(y[3])
    np.testing.assert_array_equal(g[:2], [0.0, INF])  # constant -inf below 0
    assert g[2] == pytest.approx(math.log(2) - 1)


def test_rel_entr_follows_scipy_and_its_gradients_the_limits(to_backend):
    xs, ys = [0.0, 0.0, 1.0, -1.0, 2.0], [2.0, 0.0, 0.0, 1.0, 2.000001]
    y, (gx, gy) = _grads(F.rel_entr, xs, ys, to_backend=to_backend)
    np.testing.assert_array_equal(y[:4], [0.0, 0.0, INF, INF])
    # x near y: log1p keeps the digits of log(x / y)
    assert y[4] == pytest.approx(2.0 * math.log1p(-0.000001 / 2.000001), rel=1e-14)
    np.testing.assert_array_equal(gx[:4], [-INF, 0.0, 0.0, 0.0])
    np.testing.assert_array_equal(gy[:4], [0.0, 0.0, 0.0, 0.0])


def test_i1_gradient_takes_its_limit_at_zero(to_backend):
    _, (g,) = _grads(F.i1, [0.0, -0.0, 1e-8], to_backend=to_backend)
    np.testing.assert_array_equal(g[:2], [0.5, 0.5])
    assert g[2] == pytest.approx(0.5)
    gradgradcheck(F.i1, to_backend(np.array([1e-3, -0.4, 2.0])))


def test_log_ndtr_and_its_gradient_stay_finite_far_left(to_backend):
    x = np.array([-1e5, -40.0, 37.0])
    y, (g,) = _grads(F.log_ndtr, x, to_backend=to_backend)
    # log ndtr(x) = -x^2/2 - log(-x sqrt(2 pi)) - 1/x^2 + ..., gradient ~ -x - 1/x
    want = -5e9 - math.log(1e5 * math.sqrt(2 * math.pi)) - 1e-10
    assert y[0] == pytest.approx(want, rel=1e-15)
    assert g[0] == pytest.approx(1e5 + 1e-5, rel=1e-12)
    assert g[1] == pytest.approx(40.0 + 1 / 40 - 2 / 40**3, rel=1e-6)
    assert -y[2] == pytest.approx(5.725571222524e-300, rel=1e-12)  # ndtr(-37)
    assert 0.0 < g[2] < 1e-290


def test_inverses_reach_their_ends_and_refuse_the_outside(to_backend):
    p = to_backend(np.array([0.0, 1.0, -0.5, 1.5, NAN]))
    np.testing.assert_array_equal(_values(F.ndtri(p))[:2], [-INF, INF])
    assert np.all(np.isnan(_values(F.ndtri(p))[2:]))
    y = to_backend(np.array([-1.0, 1.0, -1.5, 1.5, NAN]))
    np.testing.assert_array_equal(_values(F.erfinv(y))[:2], [-INF, INF])
    assert np.all(np.isnan(_values(F.erfinv(y))[2:]))
    logit = _values(F.logit(p))
    np.testing.assert_array_equal(logit[:2], [-INF, INF])
    assert np.all(np.isnan(logit[2:]))


def test_tails_where_the_naive_formulas_lose_everything(to_backend):
    x = to_backend(np.array([-40.0, -1000.0, 1e-300]))
    assert _values(F.expit(x))[0] == pytest.approx(math.exp(-40) / (1 + math.exp(-40)))
    assert _values(F.log_expit(x))[1] == -1000.0
    assert _values(F.ndtri(x))[2] == pytest.approx(-37.0470962993612, rel=1e-15)
    assert _values(F.erfc(to_backend(np.array([26.0]))))[0] == pytest.approx(
        5.663192408856143e-296, rel=1e-14
    )
    assert _values(F.erfinv(to_backend(np.array([1 - 2**-52]))))[0] == pytest.approx(
        5.805018683193454, rel=1e-15
    )


def test_gamma_family_at_poles_and_infinities(to_backend):
    x = to_backend(np.array([0.0, -1.0, -2.0, INF, NAN]))
    np.testing.assert_array_equal(_values(F.gammaln(x))[:4], [INF, INF, INF, INF])
    digamma = _values(F.digamma(x))
    np.testing.assert_array_equal(digamma[[0, 3]], [-INF, INF])
    assert np.all(np.isnan(digamma[[1, 2, 4]]))
    trigamma, tetragamma = _values(F.polygamma(1, x)), _values(F.polygamma(2, x))
    np.testing.assert_array_equal(trigamma[:4], [INF, INF, INF, 0.0])
    assert np.all(np.isnan(tetragamma[:3]))


def test_gammaln_keeps_its_digits_next_to_its_zeros(to_backend):
    y = _values(F.gammaln(to_backend(np.array([1 + 2**-40, 2 - 2**-40]))))
    euler = 0.5772156649015329
    assert y[0] == pytest.approx(-euler * 2**-40, rel=1e-10)
    assert y[1] == pytest.approx(-(1 - euler) * 2**-40, rel=1e-10)


def test_polygamma_zero_is_digamma_and_derivatives_chain(to_backend):
    x = to_backend(np.array([0.3, 2.5, -1.5]))
    np.testing.assert_array_equal(_values(F.polygamma(0, x)), _values(F.digamma(x)))
    gradgradcheck(F.digamma, x)  # through polygamma(1, .) and polygamma(2, .)
    gradgradcheck(F.gammaln, x)


def test_integers_become_floating(to_backend):
    x = to_backend(np.array([1, 2, 3]))
    for f in (F.gammaln, F.erfc, F.i0, F.entr):
        assert _values(f(x)).dtype.kind == "f"
    np.testing.assert_allclose(_values(F.gammaln(x)), [0.0, 0.0, math.log(2)], atol=0)


def test_polygamma_refuses_a_bad_order():
    with pytest.raises(TypeError, match=r"polygamma: the order n must be a Python"):
        F.polygamma(1.5, np.array([1.0]))
    with pytest.raises(
        ValueError, match=r"polygamma: the order n must be >= 0, got -1"
    ):
        F.polygamma(-1, np.array([1.0]))


def test_complex_input_is_refused_with_the_function_named():
    with pytest.raises(TypeError, match=r"^Gammaln: got complex input"):
        F.gammaln(np.array([1.0 + 1.0j]))
    with pytest.raises(TypeError, match=r"^XLogY: got complex input"):
        F.xlogy(np.array([1.0]), np.array([1.0 + 1.0j]))
