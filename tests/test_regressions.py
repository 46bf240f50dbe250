"""Bugs of DeZero 0.0.13 that xgrad fixes: one test each.

Tests are named after the upstream issue or pull request where there is one
(oreilly-japan/deep-learning-from-scratch-3); the others were found by running
DeZero 0.0.13 on NumPy 2.
"""

from __future__ import annotations

import numpy as np
import pytest

import xgrad
import xgrad.functions as F
from xgrad import Variable, testing
from xgrad.cuda import as_numpy

# -- reductions ------------------------------------------------------------------


def test_sum_with_tuple_axis_backward(to_backend, rng):
    # DeZero: reshape_sum_backward crashes on a tuple axis with keepdims=False
    a = rng.standard_normal((2, 3, 4))
    x = Variable(to_backend(a))
    y = F.sum(x, axis=(0, 2))
    assert y.shape == (3,)
    y.backward()
    np.testing.assert_array_equal(as_numpy(x.grad), np.ones((2, 3, 4)))
    w = to_backend(np.array([1.0, -2.0, 3.0]))
    testing.gradient_check(lambda v: F.sum(v, axis=(0, 2)) * w, to_backend(a))


@pytest.mark.parametrize("op", [F.max, F.min], ids=["max", "min"])
def test_max_min_with_negative_axis_backward(op, to_backend, rng):
    # DeZero: max_backward_shape indexes the shape with the negative axis and crashes
    a = rng.standard_normal((2, 3, 4))
    x = Variable(to_backend(a))
    y = op(x, axis=-1)
    reference = np.max if op is F.max else np.min
    np.testing.assert_allclose(as_numpy(y), reference(a, axis=-1))
    y.backward()
    winners = a == reference(a, axis=-1, keepdims=True)
    np.testing.assert_array_equal(as_numpy(x.grad), winners.astype(float))
    testing.gradient_check(lambda v: op(v, axis=-1), to_backend(a))


@pytest.mark.parametrize(
    ("config", "expected"),
    [("split", [0.0, 0.5, 0.5]), ("all", [0.0, 1.0, 1.0])],
)
def test_max_ties_share_or_copy_the_gradient(config, expected, to_backend):
    x = Variable(to_backend(np.array([1.0, 3.0, 3.0])))
    with xgrad.using_config("max_ties", config):
        F.max(x).backward()
    np.testing.assert_array_equal(as_numpy(x.grad), expected)


def test_max_ties_split_by_default(to_backend):
    x = Variable(to_backend(np.array([1.0, 3.0, 3.0])))
    F.max(x).backward()
    np.testing.assert_array_equal(as_numpy(x.grad), [0.0, 0.5, 0.5])


# -- matmul ----------------------------------------------------------------------


def test_batched_matmul_3d_by_3d(to_backend, rng):
    # DeZero: MatMul uses x.dot(W), which is not a batched product for 3-D inputs
    a, b = rng.standard_normal((4, 2, 3)), rng.standard_normal((4, 3, 5))
    y = F.matmul(Variable(to_backend(a)), Variable(to_backend(b)))
    np.testing.assert_allclose(as_numpy(y), np.matmul(a, b), rtol=1e-12)
    testing.gradient_check(F.matmul, to_backend(a), to_backend(b))


def test_batched_matmul_3d_by_2d(to_backend, rng):
    a, b = rng.standard_normal((4, 2, 3)), rng.standard_normal((3, 5))
    y = F.matmul(Variable(to_backend(a)), Variable(to_backend(b)))
    np.testing.assert_allclose(as_numpy(y), np.matmul(a, b), rtol=1e-12)
    testing.gradient_check(F.matmul, to_backend(a), to_backend(b))


# -- losses ------------------------------------------------------------------------


def test_issue_20_mean_squared_error_gradient_shapes(to_backend):
    x0 = Variable(to_backend(np.array([[1.0], [2.0], [3.0]])))
    x1 = Variable(to_backend(np.array([0.5, 1.0, 4.0])))
    loss = F.mean_squared_error(x0, x1)
    loss.backward()
    assert x0.grad.shape == (3, 1)
    assert x1.grad.shape == (3,)
    diff = np.array([[1.0], [2.0], [3.0]]) - np.array([0.5, 1.0, 4.0])  # (3, 3)
    assert float(as_numpy(loss)) == pytest.approx(np.sum(diff**2) / 3)
    testing.gradient_check(F.mean_squared_error, x0.data, x1.data)


# -- backward ----------------------------------------------------------------------


def test_pr_41_backward_on_a_leaf(to_backend):
    x = Variable(to_backend(np.array([1.0, 2.0])))
    x.backward()
    np.testing.assert_array_equal(as_numpy(x.grad), [1.0, 1.0])


def test_pr_41_backward_on_an_output_made_under_no_grad(to_backend):
    x = Variable(to_backend(np.array([1.0, 2.0])))
    with xgrad.no_grad():
        y = F.exp(x)
    y.backward()
    np.testing.assert_array_equal(as_numpy(y.grad), [1.0, 1.0])
    assert x.grad is None


# -- shapes ----------------------------------------------------------------------


def test_issue_14_transpose_with_a_tuple_of_axes(to_backend, rng):
    a = rng.standard_normal((2, 3, 4))
    y = Variable(to_backend(a)).transpose((2, 0, 1))
    np.testing.assert_array_equal(as_numpy(y), np.transpose(a, (2, 0, 1)))


def test_transpose_none_reverses_the_axes(to_backend, rng):
    # DeZero: x.transpose(None) crashes in Variable.transpose
    a = rng.standard_normal((2, 3, 4))
    x = Variable(to_backend(a))
    y = x.transpose(None)
    np.testing.assert_array_equal(as_numpy(y), np.transpose(a))
    y.backward()
    assert x.grad.shape == (2, 3, 4)


# -- float32 stays float32 with Python scalars (NEP 50) ----------------------------


def float32_variable(to_backend):
    return Variable(to_backend(np.array([0.5, -1.0, 2.0], dtype=np.float32)))


@pytest.mark.parametrize(
    "expr",
    [
        pytest.param(lambda x: x * 2.0, id="x*2.0"),
        pytest.param(lambda x: 2.0 - x, id="2.0-x"),
        pytest.param(lambda x: x / 3, id="x/3"),
        pytest.param(lambda x: x**2, id="x**2"),
        pytest.param(F.sigmoid, id="sigmoid"),
    ],
)
def test_float32_with_python_scalars_stays_float32(expr, backend, to_backend):
    # DeZero's as_array(2) makes np.array(2), a strong int64/float64 under NEP 50
    x = float32_variable(to_backend)
    y = expr(x)
    y.backward()
    assert y.dtype == backend.xp.float32
    assert x.grad.dtype == backend.xp.float32


def test_float32_mean_squared_error_stays_float32(backend, to_backend):
    x0 = float32_variable(to_backend)
    x1 = Variable(to_backend(np.array([0.0, 0.0, 1.0], dtype=np.float32)))
    loss = F.mean_squared_error(x0, x1)
    loss.backward()
    assert loss.dtype == backend.xp.float32
    assert x0.grad.dtype == backend.xp.float32
    assert x1.grad.dtype == backend.xp.float32


def test_float32_second_derivative_stays_float32(backend, to_backend):
    x = float32_variable(to_backend)
    (x**3 * 0.5).backward(create_graph=True)
    gx = x.grad
    x.cleargrad()
    gx.backward()
    assert gx.dtype == backend.xp.float32
    assert x.grad.dtype == backend.xp.float32
