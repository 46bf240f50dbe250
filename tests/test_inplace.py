"""Writes into Variables on the tape: ``x[k] = v`` and ``x += y`` keep every
gradient exact, including for Functions that read ``x`` before the write."""

from __future__ import annotations

import numpy as np
import pytest

import xgrad
from xgrad import Constant, Variable
from xgrad.cuda import as_numpy
from xgrad.testing import numerical_grad


def test_a_write_after_a_read_keeps_the_readers_gradient(to_backend):
    """SciPy's logsumexp(b=...) and scikit-learn's normalize write like this."""

    def loss(x):
        y = x * 2.0
        z = (y * y).sum()  # reads y before the write
        y[0] = 10.0
        return z + y.sum()  # reads y after it

    a = np.array([1.0, 2.0, 3.0])
    x = Variable(to_backend(a))
    loss(x).backward()
    np.testing.assert_allclose(as_numpy(x.grad), [8.0, 18.0, 26.0])
    np.testing.assert_allclose(
        as_numpy(x.grad), as_numpy(numerical_grad(loss, to_backend(a))), rtol=1e-6
    )


def test_a_written_value_gets_its_gradient(to_backend):
    x = Variable(to_backend(np.array([1.0, 2.0, 3.0])))
    v = Variable(to_backend(np.array(5.0)))
    out = xgrad.array_api.namespace(x.backend).zeros(3, dtype=x.dtype, device=x.device)
    out[1:] = x[:2] * v  # a Constant becomes part of the graph
    assert type(out) is Variable
    (out * to_backend(np.array([1.0, 2.0, 3.0]))).sum().backward()
    np.testing.assert_allclose(as_numpy(x.grad), [10.0, 15.0, 0.0])
    np.testing.assert_allclose(as_numpy(v.grad), 2.0 * 1.0 + 3.0 * 2.0)


def test_in_place_operators_write_on_the_tape(to_backend):
    x = Variable(to_backend(np.array([1.0, 2.0])))
    y = x * 1.0
    alias = y
    y += x * x
    y *= 3.0
    assert alias is y  # written in place, as the standard says
    y.sum().backward()
    np.testing.assert_allclose(
        as_numpy(x.grad), 3.0 * (1.0 + 2.0 * np.array([1.0, 2.0]))
    )


def test_a_boolean_mask_write(to_backend):
    x = Variable(to_backend(np.array([-1.0, 2.0, -3.0])))
    y = x * 1.0
    y[y < 0] = 0.0
    y.sum().backward()
    np.testing.assert_allclose(as_numpy(x.grad), [0.0, 1.0, 0.0])


def test_writing_into_a_leaf_that_needs_a_gradient_is_refused(to_backend):
    x = Variable(to_backend(np.ones(2)))
    with pytest.raises(TypeError, match=r"__setitem__: writes into a leaf .*copy=True"):
        x[0] = 2.0
    with pytest.raises(TypeError, match=r"x \+= y: writes into a leaf"):
        x += 1.0
    with xgrad.no_grad():  # outside the tape, as PyTorch allows
        x[0] = 2.0
    np.testing.assert_allclose(as_numpy(x), [2.0, 1.0])


def test_an_in_place_operator_keeps_shape_and_dtype(to_backend):
    y = Variable(to_backend(np.ones(2))) * 1.0
    with pytest.raises(ValueError, match=r"x \+= y: the result has shape \(2, 2\)"):
        y += to_backend(np.ones((2, 1)))
    np.testing.assert_allclose(as_numpy(y), [1.0, 1.0])  # unchanged by the refusal


def test_constants_write_without_a_graph(to_backend):
    c = Constant(to_backend(np.zeros(3)))
    c[1] = 4.0
    c += 1.0
    assert type(c) is Constant
    np.testing.assert_allclose(as_numpy(c), [1.0, 5.0, 1.0])
