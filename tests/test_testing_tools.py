"""xgrad.testing's checkers: check_backends and assert_close catch what they should."""

from __future__ import annotations

import numpy as np
import pytest

import xgrad
import xgrad.functions as F
from xgrad import Function, backends
from xgrad.testing import assert_close, check_backends


def model(x, w, t):
    """A small network with integer labels: values and gradients to compare."""
    return F.softmax_cross_entropy(F.tanh(F.matmul(x, w)), t), F.sigmoid(x) * 2.0


def inputs(rng):
    return (
        rng.standard_normal((4, 3)),
        rng.standard_normal((3, 5)),
        np.array([0, 4, 2, 4]),
    )


class TwiceOffNumpy(Function):
    """tanh whose backward is wrong (doubled) on every backend but NumPy."""

    def forward(self, x):
        return self.xp.tanh(x)

    def backward(self, gy):
        y = self.outputs[0]()
        scale = 1.0 if self.backend.name == "numpy" else 2.0
        return gy * (1.0 - y * y) * scale


# -- check_backends -----------------------------------------------------------------


def test_check_backends_passes_a_consistent_function(backend, device_spec, rng):
    assert check_backends(model, *inputs(rng), backends=[device_spec]) == [device_spec]


def test_check_backends_float32_and_default_backends(rng):
    x = rng.standard_normal((2, 3)).astype(np.float32)
    checked = check_backends(lambda x: F.sum(F.exp(x) * x, axis=1), x)
    assert checked == [n for n in backends.available() if n != "numpy"]


def test_check_backends_skips_what_is_not_here(rng):
    if backends.get("cupy").is_available():
        pytest.skip("cupy is available here")
    assert check_backends(F.tanh, rng.standard_normal(3), backends=["cupy"]) == []


def _other(backend):
    if backend.name == "numpy":
        pytest.skip("numpy is the reference: nothing to be inconsistent with")


def test_check_backends_catches_a_wrong_value(backend, device_spec, rng):
    _other(backend)

    def drifts(x):
        scale = 1.001 if backends.of(x.data).name != "numpy" else 1.0
        return F.tanh(x) * scale

    x = rng.standard_normal((2, 3))
    with pytest.raises(AssertionError) as info:
        check_backends(drifts, x, backends=[device_spec])
    message = str(info.value)
    assert message.startswith("check_backends(")
    assert f"drifts): {device_spec}, output 0: " in message
    assert "at index (" in message
    assert "NumPy gives" in message


def test_check_backends_catches_a_wrong_gradient(backend, device_spec, rng):
    _other(backend)
    x = rng.standard_normal(5)
    with pytest.raises(AssertionError, match=r"gradient of input 0: .* at index \("):
        check_backends(lambda x: TwiceOffNumpy()(x), x, backends=[device_spec])


def test_check_backends_catches_a_result_on_the_wrong_library(backend, device_spec):
    _other(backend)

    def to_numpy(x):
        return F.tanh(xgrad.Variable(backends.of(x.data).to_numpy(x.data)))

    with pytest.raises(AssertionError, match=rf"numpy array, not {backend.name}"):
        check_backends(to_numpy, np.ones(3), backends=[device_spec])


def test_check_backends_catches_a_changed_dtype(backend, device_spec):
    _other(backend)

    def float32(x):
        xp = backends.of(x.data).xp
        if backend.name == backends.of(x.data).name:
            return F.tanh(xgrad.Variable(xp.astype(x.data, xp.float32)))
        return F.tanh(x)

    with pytest.raises(AssertionError, match="output 0: dtype float32, NumPy gives"):
        check_backends(float32, np.ones(3), backends=[device_spec])


# -- assert_close ------------------------------------------------------------------


def test_assert_close_passes_equal_arrays(to_backend):
    assert_close(to_backend(np.array([1.0, 2.0])), to_backend(np.array([1.0, 2.0])))


def test_assert_close_checks_library_first(backend, to_backend):
    _other(backend)
    with pytest.raises(AssertionError, match=rf"library {backend.name} != numpy"):
        assert_close(to_backend(np.ones(2)), np.zeros(3, dtype=np.float32))


def test_assert_close_checks_dtype_before_values(to_backend):
    with pytest.raises(AssertionError, match=r"dtype .*float64 != .*float32"):
        assert_close(to_backend(np.ones(2)), to_backend(np.zeros(2, dtype=np.float32)))


def test_assert_close_checks_shape_before_values(to_backend):
    with pytest.raises(AssertionError, match=r"shape \(2,\) != \(3,\)"):
        assert_close(to_backend(np.ones(2)), to_backend(np.zeros(3)))


def test_assert_close_checks_device(backend, to_backend, device):
    if device is None:
        pytest.skip(f"{backend.name}: no second device on this machine")
    with pytest.raises(AssertionError, match="device"):
        assert_close(to_backend(np.ones(2)), backend.from_numpy(np.ones(2)))


def test_assert_close_checks_values_last(to_backend):
    with pytest.raises(AssertionError, match="Not equal to tolerance"):
        assert_close(to_backend(np.array([1.0, 2.0])), to_backend(np.array([1.0, 2.5])))
