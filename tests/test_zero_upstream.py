"""A zero upstream gradient gives a zero gradient, even where the local
derivative is infinite (the "double where" problem).

scikit-learn's ``StandardScaler`` divides by a scale that may be 0 and then
overwrites those entries: ``where(scale == 0, x, x / scale)``. ``where`` sends
the division a zero gradient there, and ``0 * inf`` would make the whole
gradient NaN (as in PyTorch and JAX). xgrad's ops with singular derivatives
multiply by them with a guard (xgrad/functions/guarded.py), so the gradient
is the one of the branch that was kept.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import xgrad.functions as F
from xgrad import Variable
from xgrad.functional import jvp
from xgrad.testing import numerical_grad

# The forward divides by zero on purpose; NumPy warns of the inf it returns.
pytestmark = pytest.mark.filterwarnings("ignore:(divide by zero|invalid value)")

# Four samples, three features; the middle feature is constant (its scale is 0).
DATA = np.array([[1.0, 5.0, 3.0], [2.0, 5.0, -1.0], [4.0, 5.0, 0.5], [0.5, 5.0, 2.0]])
WEIGHTS = np.arange(1.0, 13.0).reshape(4, 3) / 10


def _scaled_with_functions(x):
    mean = F.mean(x, axis=0, keepdims=True)
    scale = F.std(x, axis=0, keepdims=True)
    return F.where(scale.data == 0, x - mean, (x - mean) / scale)


def _scaled_with_the_namespace(x):
    xp = x.__array_namespace__()
    mean = xp.mean(x, axis=0, keepdims=True)
    scale = xp.std(x, axis=0, keepdims=True)
    return xp.where(scale == 0, x - mean, (x - mean) / scale)


def _scaled_safely(x, constant):
    """The same, written to dodge the NaN (a "double where"): the reference."""
    mean = F.mean(x, axis=0, keepdims=True)
    scale = F.where(constant, 1.0, F.std(x, axis=0, keepdims=True))
    return F.where(constant, x - mean, (x - mean) / scale)


@pytest.mark.parametrize(
    "scaled", [_scaled_with_functions, _scaled_with_the_namespace], ids=["F", "xp"]
)
def test_standard_scaler_gradient_is_finite_and_right(scaled, backend, to_backend):
    x = Variable(to_backend(DATA))
    w = Variable(to_backend(WEIGHTS))
    loss = F.sum(scaled(x) ** 2 * w)
    loss.backward()
    got = backend.to_numpy(x.grad.data)
    assert np.isfinite(got).all(), got
    constant = to_backend(np.array([[False, True, False]]))
    expected = numerical_grad(lambda v: _scaled_safely(v, constant) ** 2 * w, x.data)
    np.testing.assert_allclose(got, backend.to_numpy(expected), rtol=1e-6, atol=1e-8)


# op, a point where its derivative is infinite, a regular point, the derivative there
SINGULAR = {
    "div_divisor": (lambda x: F.div(1.5, x), 0.0, 2.0, -1.5 / 4),
    "div_variables": (
        lambda x: F.div(Variable(x.data * 0 + 3.0), x),
        0.0,
        2.0,
        -0.75,
    ),
    "reciprocal": (F.reciprocal, 0.0, 2.0, -0.25),
    "log": (F.log, 0.0, 2.0, 0.5),
    "log2": (F.log2, 0.0, 2.0, 1 / (2 * math.log(2))),
    "log10": (F.log10, 0.0, 2.0, 1 / (2 * math.log(10))),
    "log1p": (F.log1p, -1.0, 1.0, 0.5),
    "sqrt": (F.sqrt, 0.0, 4.0, 0.25),
    "pow_half": (lambda x: x**0.5, 0.0, 4.0, 0.25),
    "pow_negative": (lambda x: x**-1, 0.0, 2.0, -0.25),
    "power_array_exponent": (
        lambda x: F.pow(x, Variable(x.data * 0 + 0.5)),
        0.0,
        4.0,
        0.25,
    ),
    "asin": (F.asin, 1.0, 0.0, 1.0),
    "acos": (F.acos, -1.0, 0.0, -1.0),
    "acosh": (F.acosh, 1.0, 2.0, 1 / math.sqrt(3)),
    "atanh": (F.atanh, 1.0, 0.0, 1.0),
    "logit": (F.logit, 0.0, 0.5, 4.0),
    "erfinv": (F.erfinv, 1.0, 0.0, math.sqrt(math.pi) / 2),
    "ndtri": (F.ndtri, 0.0, 0.5, math.sqrt(2 * math.pi)),
    "entr": (F.entr, 0.0, 1.0, -1.0),
    "xlogy_of_y": (lambda y: F.xlogy(Variable(y.data * 0 + 2.0), y), 0.0, 2.0, 1.0),
    "rel_entr_of_x": (
        lambda x: F.rel_entr(x, Variable(x.data * 0 + 1.0)),
        0.0,
        1.0,
        1.0,
    ),
}


@pytest.mark.parametrize("name", list(SINGULAR))
def test_an_overwritten_singular_point_gets_a_zero_gradient(name, backend, to_backend):
    f, singular, regular, slope = SINGULAR[name]
    x = Variable(to_backend(np.array([singular, regular])))
    keep = to_backend(np.array([False, True]))
    F.sum(F.where(keep, f(x), 0.0)).backward()
    np.testing.assert_allclose(backend.to_numpy(x.grad.data), [0.0, slope], rtol=1e-12)


@pytest.mark.parametrize("name", ["log", "sqrt", "div_divisor", "reciprocal"])
def test_a_nonzero_gradient_at_the_singular_point_stays_infinite(
    name, backend, to_backend
):
    """The guard hides nothing: where the gradient does flow, it is ``inf``."""
    f, singular, _, _ = SINGULAR[name]
    x = Variable(to_backend(np.array([singular])))
    F.sum(f(x)).backward()
    assert np.isinf(backend.to_numpy(x.grad.data)).all()


@pytest.mark.parametrize("name", ["log", "sqrt", "div_divisor", "pow_half"])
def test_second_derivatives_and_jvp_are_unchanged(name, backend, to_backend):
    """The guarded products are linear in the upstream gradient, so ``jvp``
    (which differentiates a backward pass at a zero upstream gradient) and
    second derivatives see the plain derivative."""
    f, _, regular, slope = SINGULAR[name]
    x = Variable(to_backend(np.array([regular, regular])))
    _, tangent = jvp(f, (x.data,), (to_backend(np.array([1.0, 2.0])),))
    np.testing.assert_allclose(
        backend.to_numpy(tangent), [slope, 2 * slope], rtol=1e-12
    )
    y = F.sum(f(x))
    y.backward(create_graph=True)
    gx = x.grad
    x.cleargrad()
    F.sum(gx).backward()
    expected = numerical_grad(lambda v: _slope_of(f, v), x.data, eps=1e-5)
    np.testing.assert_allclose(
        backend.to_numpy(x.grad.data), backend.to_numpy(expected), rtol=1e-5
    )


def _slope_of(f, v):
    """The first derivative of ``sum(f)`` at ``v``, by a backward pass."""
    v = Variable(v.data)
    F.sum(f(v)).backward()
    return v.grad
