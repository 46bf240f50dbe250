"""Property tests: binary ops broadcast like NumPy, and each gradient has its input's shape."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import mutually_broadcastable_shapes

import xgrad
import xgrad.functions as F
from xgrad.testing import gradient_check

from op_cases import ROWS

# Rows of the op table (tests/op_cases/table.py): the binary ops and their references.
BINARY = ["add", "sub", "mul", "div", "maximum", "pow_variable"]

shape_pairs = mutually_broadcastable_shapes(
    num_shapes=2, min_dims=0, max_dims=3, max_side=3
)
fixture_ok = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)


@pytest.mark.parametrize("name", BINARY)
@fixture_ok
@given(shapes=shape_pairs, seed=st.integers(0, 2**16))
def test_binary_op_broadcasts_and_reduces_gradients(
    name, shapes, seed, to_backend, backend
):
    op, reference = ROWS[name].func, ROWS[name].reference
    rng = np.random.default_rng(seed)
    a = rng.uniform(0.5, 2.0, shapes.input_shapes[0])  # positive: safe for div and pow
    b = rng.uniform(0.5, 2.0, shapes.input_shapes[1])
    x0, x1 = xgrad.Variable(to_backend(a)), xgrad.Variable(to_backend(b))

    y = op(x0, x1)
    y.backward()

    assert y.shape == shapes.result_shape
    np.testing.assert_allclose(backend.to_numpy(y.data), reference(a, b), rtol=1e-12)
    assert x0.grad.shape == a.shape
    assert x1.grad.shape == b.shape
    if name != "maximum":  # a near-tie makes central differences meaningless there;
        gradient_check(op, to_backend(a), to_backend(b))  # the op table checks it apart


@fixture_ok
@given(shapes=shape_pairs)
def test_sum_to_inverts_broadcast_to(shapes, to_backend):
    small, big = shapes.input_shapes[0], shapes.result_shape
    x = xgrad.Variable(to_backend(np.ones(small)))
    y = F.sum_to(F.broadcast_to(x, big), small)
    expected = np.full(small, np.prod(big) / max(np.prod(small), 1))
    np.testing.assert_allclose(x.backend.to_numpy(y.data), expected)
