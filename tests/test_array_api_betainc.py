"""``xp.special.betainc`` and ``betaincc``: the incomplete beta function that
SciPy's p-values (``pearsonr``, ``linregress``) look up in the namespace.

Checked against closed forms (no SciPy needed), with gradients in ``x``
against central differences, on every backend.
"""

from __future__ import annotations

import numpy as np
import pytest

import xgrad
from xgrad import Unsupported, Variable
from xgrad.testing import assert_close, gradgradcheck, gradient_check

X = np.linspace(0.0, 1.0, 11)


@pytest.fixture
def special(backend):
    return xgrad.array_api.namespace(backend).special


def values(backend, v):
    return backend.to_numpy(v.data)


@pytest.mark.parametrize(
    ("a", "b", "closed_form"),
    [
        (1.0, 1.0, lambda x: x),  # the uniform distribution's CDF
        (3.0, 1.0, lambda x: x**3),
        (1.0, 2.5, lambda x: 1 - (1 - x) ** 2.5),
        (2.0, 2.0, lambda x: 3 * x**2 - 2 * x**3),
    ],
)
def test_betainc_matches_closed_forms(special, backend, to_backend, a, b, closed_form):
    got = special.betainc(a, b, Variable(to_backend(X)))
    assert_close(values(backend, got), closed_form(X), rtol=1e-13, atol=1e-15)


def test_betaincc_keeps_the_digits_of_small_tails(special, backend, to_backend):
    """``1 - I_x`` would round a tail of 1e-30 to 0; I_{1-x}(b, a) keeps it."""
    x = Variable(to_backend(np.array([1e-10])))
    got = values(backend, special.betaincc(1.0, 3.0, Variable(to_backend(1 - X[:1]))))
    assert got[0] == 0.0  # at x = 1 the survival function is 0
    tail = values(backend, special.betaincc(3.0, 1.0, 1 - x))  # 1 - (1 - 1e-10)**3
    assert_close(tail, np.array([3e-10]), rtol=1e-6, atol=0.0)
    symmetric = special.betainc(7.5, 7.5, Variable(to_backend(np.array([0.5]))))
    assert_close(values(backend, symmetric), np.array([0.5]), rtol=1e-14, atol=0.0)


@pytest.mark.slow  # on Dask: hundreds of terms, each a task
def test_large_shapes_converge(special, backend, to_backend):
    """a and b in the thousands (the p-value of a correlation of 5000 points)."""
    got = special.betainc(2500.0, 2500.0, Variable(to_backend(np.array([0.5, 0.49]))))
    got = values(backend, got)
    assert_close(got[:1], np.array([0.5]), rtol=1e-10, atol=0.0)
    assert 0.0 < got[1] < 0.5


@pytest.mark.slow  # on Dask: twenty evaluations of the continued fraction
def test_gradient_in_x(backend, to_backend, special):
    x = Variable(to_backend(np.array([0.05, 0.5, 0.97])))
    gradient_check(lambda x: special.betainc(2.5, 4.0, x), x)
    gradient_check(lambda x: special.betaincc(0.7, 1.5, x), x)


@pytest.mark.slow  # on Dask: many evaluations of the continued fraction
def test_second_derivative_in_x(backend, to_backend, special):
    """backward is written with xgrad functions, so it differentiates again."""
    x = Variable(to_backend(np.array([0.2, 0.6])))
    gradgradcheck(lambda x: special.betainc(2.5, 4.0, x), x)


def test_float32_stays_float32(special, backend, to_backend):
    x = Variable(to_backend(np.array([0.25, 0.5], dtype=np.float32)))
    y = special.betainc(2.0, 2.0, x)
    assert y.dtype == x.dtype
    y.backward()
    assert x.grad.dtype == x.dtype
    want = np.array([0.15625, 0.5], dtype=np.float32)  # 3x^2 - 2x^3
    assert_close(values(backend, y), want, rtol=1e-6, atol=0.0)


def test_outside_the_domain_is_nan(special, backend, to_backend):
    got = special.betainc(2.0, 3.0, Variable(to_backend(np.array([-0.5, 1.5]))))
    assert np.isnan(values(backend, got)).all()
    got = special.betainc(-1.0, 3.0, Variable(to_backend(np.array([0.5]))))
    assert np.isnan(values(backend, got)).all()


def test_a_gradient_for_the_shape_is_refused(special, to_backend):
    a = Variable(to_backend(np.array(2.0)))
    x = Variable(to_backend(np.array([0.5])))
    with pytest.raises(
        Unsupported,
        match=r"special.betainc has a gradient with respect to x only; its a",
    ):
        special.betainc(a, 3.0, x)
    with pytest.raises(Unsupported, match=r"betaincc .*its b"):
        special.betaincc(2.0, a, x)
