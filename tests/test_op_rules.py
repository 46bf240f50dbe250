"""Ops declare their input rules once; every call obeys them, wrapper or not.

``domain`` (the dtype kinds an op takes) and ``check`` (its shape rule) are
enforced by ``Function.__call__``, so calling an op's class directly is as
safe as calling its function. Tests taking ``to_backend`` run once per array
library.
"""

from __future__ import annotations

import numpy as np
import pytest

import xgrad
import xgrad.functions as F
from xgrad import Function, Variable
from xgrad.cuda import as_numpy
from xgrad.functions.conv import Conv2d
from xgrad.functions.elementwise import Exp
from xgrad.functions.linalg import Linear, MatMul


@pytest.mark.parametrize(
    ("direct", "wrapper", "shapes", "message"),
    [
        (MatMul(), F.matmul, [(2, 3), (4, 5)], r"matmul: shapes \(2, 3\) and \(4, 5\)"),
        (
            Linear(),
            F.linear,
            [(2, 3), (4, 5)],
            r"linear: expected x of shape \(N, in\)",
        ),
        (
            Conv2d(),
            F.conv2d,
            [(1, 3, 5, 5), (2, 4, 3, 3)],
            r"conv2d: x \(1, 3, 5, 5\) has 3 channels",
        ),
    ],
    ids=["MatMul", "Linear", "Conv2d"],
)
def test_a_direct_call_is_checked_as_its_function(direct, wrapper, shapes, message):
    x, W = (Variable(np.ones(s)) for s in shapes)
    with pytest.raises(ValueError, match=message) as by_wrapper:
        wrapper(x, W)
    with pytest.raises(ValueError, match=message) as by_class:
        direct(x, W)
    assert str(by_class.value) == str(by_wrapper.value)


def test_a_floating_op_casts_integers_even_when_called_directly(to_backend, backend):
    x = Variable(backend.xp.astype(to_backend([0.0, 1.0]), backend.xp.int32))
    y = Exp()(x)
    assert backend.xp.isdtype(y.dtype, "real floating")
    np.testing.assert_allclose(as_numpy(y), np.exp([0.0, 1.0]), rtol=1e-6)


def test_a_real_op_refuses_complex_input_by_name():
    z = Variable(np.array([1.0 + 1.0j]))
    with pytest.raises(TypeError, match="ReLU: got complex input"):
        F.relu(z)
    with pytest.raises(TypeError, match="Softmax: got complex input"):
        F.softmax(z.reshape(1, 1))


class Cube(Function):
    """A user's op: floating input, one shape rule."""

    domain = "floating"

    def check(self, x):
        if x.ndim != 1:
            raise ValueError(f"Cube: wants a vector, got shape {tuple(x.shape)}")

    def forward(self, x):
        return x**3

    def backward(self, gy):
        (x,) = self.inputs
        return 3 * x * x * gy


def test_a_users_op_declares_rules_the_same_way(to_backend):
    y = Cube()(Variable(to_backend([1.0, 2.0])))
    np.testing.assert_array_equal(as_numpy(y), [1.0, 8.0])
    with pytest.raises(ValueError, match=r"Cube: wants a vector, got shape \(1, 2\)"):
        Cube()(Variable(to_backend([[1.0, 2.0]])))
    assert Cube()(np.array([2], dtype=np.int64)).dtype == np.float64  # cast


class Scale(Function):
    """Per-input domains: floating data, any scale."""

    domain = ("floating", "any")

    def forward(self, x, s):
        return x * s


def test_per_input_domains(to_backend):
    y = Scale()(np.array([1, 2]), np.array([3, 3]))
    assert y.dtype == np.float64
    np.testing.assert_array_equal(y.data, [3.0, 6.0])


def test_an_unknown_domain_is_refused_when_the_class_is_made():
    with pytest.raises(TypeError, match=r"Bad.domain = 'float': 'float' is no domain"):

        class Bad(Function):
            domain = "float"


def test_function_name_defaults_to_the_class_name():
    assert Cube.function_name == "Cube"
    assert Linear.function_name == "linear"
    assert xgrad.functions.elementwise.Tanh.function_name == "Tanh"
