"""Layers: parameter registration, lazy shapes, BatchNorm, EmbedID, RNN, LSTM, devices."""

from __future__ import annotations

import numpy as np
import pytest

import xgrad
import xgrad.functions as F
import xgrad.layers as L
from xgrad import Parameter, Variable
from xgrad.cuda import as_numpy


def float32(a):
    return np.asarray(a, dtype=np.float32)


# -- Layer -------------------------------------------------------------------------


class Net(L.Layer):
    """Attributes whose names sort differently from the order they are assigned in."""

    def __init__(self):
        super().__init__()
        self.z = Parameter(float32([1.0]), name="z")
        self.hidden = L.Linear(2, in_size=2)
        self.a = Parameter(float32([2.0]), name="a")
        self.scale = 3.0  # plain attributes are not parameters
        self.offset = Variable(float32([0.5]))

    def forward(self, x):
        return self.hidden(x) * self.z + self.a


def test_params_come_in_definition_order_not_set_order():
    # DeZero keeps parameter names in a set, so params() order varies between runs
    net = Net()
    assert list(net.params()) == [net.z, net.hidden.W, net.hidden.b, net.a]


def test_params_are_only_parameters_and_those_of_sub_layers():
    net = Net()
    params = list(net.params())
    assert all(isinstance(p, Parameter) for p in params)
    assert all(p is not net.offset for p in params)
    assert len(params) == 4


def test_a_sub_layer_that_chooses_its_own_params_is_asked():
    class FrozenWeight(L.Linear):
        def params(self):  # only the bias trains
            return (p for p in super().params() if p is not self.W)

    class Outer(L.Layer):
        def __init__(self):
            super().__init__()
            self.inner = FrozenWeight(2, in_size=3)
            self.extra = Parameter(float32([1.0]))

    outer = Outer()
    assert list(outer.params()) == [outer.inner.b, outer.extra]


def test_cleargrads_forgets_every_gradient():
    net = Net()
    F.sum(net(float32(np.ones((3, 2))))).backward()
    assert all(p.grad is not None for p in net.params())
    net.cleargrads()
    assert all(p.grad is None for p in net.params())


def test_a_bias_set_by_hand_to_another_broadcastable_shape_gets_its_gradient():
    layer = L.Linear(3, in_size=2)
    layer.b.data = float32(np.zeros((1, 3)))
    F.sum(layer(float32(np.ones((4, 2))))).backward()
    np.testing.assert_allclose(layer.b.grad.data, [[4.0, 4.0, 4.0]])


def test_a_bias_of_none_is_not_a_parameter():
    layer = L.Linear(3, nobias=True, in_size=2)
    assert layer.b is None
    assert list(layer.params()) == [layer.W]


def test_setting_a_parameter_attribute_to_none_unregisters_it():
    layer = L.Linear(3, in_size=2)
    layer.b = None
    assert list(layer.params()) == [layer.W]
    layer.cleargrads()  # no None among the parameters
    y = layer(float32(np.ones((1, 2))))
    assert y.shape == (1, 3)


def test_linear_learns_in_size_at_the_first_call():
    layer = L.Linear(4)
    assert layer.W.data is None
    y = layer(float32(np.ones((2, 3))))
    assert layer.W.shape == (3, 4)
    assert layer.W.dtype == np.float32
    assert layer.b.shape == (4,)
    assert y.shape == (2, 4)


# -- BatchNorm ---------------------------------------------------------------------


def test_batch_norm_layer_creates_its_parameters_at_the_first_call(
    backend, device_spec, to_backend, rng
):
    bn = L.BatchNorm()
    assert all(p.data is None for p in bn.params())
    x = to_backend(float32(rng.standard_normal((4, 5, 2, 2))))
    y = bn(x)
    assert y.shape == (4, 5, 2, 2)
    assert [p.name for p in bn.params()] == ["avg_mean", "avg_var", "gamma", "beta"]
    for p in bn.params():
        assert p.shape == (5,)
        assert p.backend is backend
        assert str(p.device) == str(xgrad.device(device_spec))
        assert p.dtype == x.dtype
    np.testing.assert_array_equal(as_numpy(bn.gamma), np.ones(5))
    np.testing.assert_array_equal(as_numpy(bn.beta), np.zeros(5))


def test_batch_norm_running_stats_are_parameters_without_gradients(to_backend, rng):
    bn = L.BatchNorm()
    x = Variable(to_backend(float32(rng.standard_normal((6, 3)))))
    w = to_backend(float32(rng.standard_normal((6, 3))))
    F.sum(bn(x) * w).backward()
    assert isinstance(bn.avg_mean, Parameter)
    assert isinstance(bn.avg_var, Parameter)
    assert bn.avg_mean.grad is None
    assert bn.avg_var.grad is None
    assert bn.gamma.grad is not None
    assert bn.beta.grad is not None
    assert x.grad is not None


def test_batch_norm_layer_trains_on_batch_stats_and_tests_on_running_stats(
    to_backend, rng
):
    bn = L.BatchNorm(decay=0.5)
    a = float32(rng.standard_normal((8, 2)) * 3.0 + 5.0)
    y_train = as_numpy(bn(to_backend(a)))
    np.testing.assert_allclose(y_train.mean(axis=0), 0.0, atol=1e-5)
    mean = 0.5 * a.mean(axis=0)
    var = 0.5 + 0.5 * a.var(axis=0, ddof=1)
    np.testing.assert_allclose(as_numpy(bn.avg_mean), mean, rtol=1e-5)
    np.testing.assert_allclose(as_numpy(bn.avg_var), var, rtol=1e-5)

    with xgrad.test_mode():
        y_test = as_numpy(bn(to_backend(a)))
    np.testing.assert_allclose(y_test, (a - mean) / np.sqrt(var + 2e-5), rtol=1e-4)
    np.testing.assert_allclose(as_numpy(bn.avg_mean), mean, rtol=1e-5)  # unchanged


def test_batch_norm_statistics_move_with_the_layer(backend, device_spec, rng):
    bn = L.BatchNorm()
    bn(float32(rng.standard_normal((4, 3))))  # created on NumPy
    bn.to_device(device_spec)
    for p in (bn.avg_mean, bn.avg_var, bn.gamma, bn.beta):
        assert p.backend is backend
        assert str(p.device) == str(xgrad.device(device_spec))
    x = xgrad.asarray(float32(rng.standard_normal((4, 3))), device=device_spec)
    y = bn(x)
    assert str(y.device) == str(xgrad.device(device_spec))
    assert str(bn.avg_mean.device) == str(xgrad.device(device_spec))


# -- EmbedID -----------------------------------------------------------------------


def test_embed_id_layer_looks_up_rows_of_its_weight(to_backend):
    layer = L.EmbedID(10, 4)
    assert list(layer.params()) == [layer.W]
    assert layer.W.shape == (10, 4)
    assert layer.W.dtype == np.float32
    ids = np.array([[1, 9, 1]])
    y = layer(ids)
    assert y.shape == (1, 3, 4)
    np.testing.assert_array_equal(as_numpy(y), as_numpy(layer.W)[ids])


# -- RNN ---------------------------------------------------------------------------


def test_issue_32_rnn_with_in_size_other_than_hidden_runs_two_steps(rng):
    # DeZero builds h2h with in_size=k, so the second step fails on shapes
    rnn = L.RNN(5, in_size=3)
    assert rnn.h2h.W.shape == (5, 5)
    x = float32(rng.standard_normal((2, 3)))
    assert rnn(x).shape == (2, 5)
    assert rnn(x).shape == (2, 5)


def test_rnn_carries_its_state_until_reset(rng):
    rnn = L.RNN(4, in_size=3)
    x = float32(rng.standard_normal((1, 3)))
    first = as_numpy(rnn(x))
    second = as_numpy(rnn(x))
    assert not np.allclose(first, second)  # the state took part
    rnn.reset_state()
    assert rnn.h is None
    np.testing.assert_array_equal(as_numpy(rnn(x)), first)


# -- LSTM --------------------------------------------------------------------------

LSTM_NAMES = ["x2f", "x2i", "x2o", "x2u", "h2f", "h2i", "h2o", "h2u"]


def test_lstm_has_the_books_attribute_names():
    lstm = L.LSTM(4, in_size=3)
    for name in LSTM_NAMES:
        assert isinstance(getattr(lstm, name), L.Linear)
    assert [lstm.x2f.W.shape, lstm.h2f.W.shape] == [(3, 4), (4, 4)]
    assert lstm.h2f.b is None  # recurrent weights have no bias
    assert len(list(lstm.params())) == 4 * 2 + 4


def test_lstm_runs_two_steps_with_states_of_batch_by_hidden(rng):
    lstm = L.LSTM(4, in_size=3)
    x = float32(rng.standard_normal((2, 3)))
    lstm(x)
    assert lstm.h.shape == (2, 4)
    assert lstm.c.shape == (2, 4)
    y = lstm(x)
    assert y is lstm.h
    assert lstm.c.shape == (2, 4)


def test_lstm_reset_state_starts_a_new_sequence(rng):
    lstm = L.LSTM(3)
    x = float32(rng.standard_normal((1, 2)))
    first = as_numpy(lstm(x))
    lstm(x)
    lstm.reset_state()
    assert lstm.h is None
    assert lstm.c is None
    np.testing.assert_array_equal(as_numpy(lstm(x)), first)


def test_lstm_gradient_reaches_every_parameter_over_two_steps(rng):
    lstm = L.LSTM(3, in_size=2)
    x = float32(rng.standard_normal((2, 2)))
    lstm(x)
    F.sum(lstm(x)).backward()
    for p in lstm.params():
        assert p.grad is not None
        assert p.grad.shape == p.shape
        assert np.any(as_numpy(p.grad) != 0)


# -- every layer on the test device ---------------------------------------------------


LAYERS = {
    "Linear": (lambda: L.Linear(4), (3, 2)),
    "Linear-in_size": (lambda: L.Linear(4, in_size=2), (3, 2)),
    "BatchNorm": (lambda: L.BatchNorm(), (3, 2, 2, 2)),
    "EmbedID": (lambda: L.EmbedID(5, 4), None),
    "RNN": (lambda: L.RNN(4, in_size=2), (3, 2)),
    "LSTM": (lambda: L.LSTM(4, in_size=2), (3, 2)),
    "Conv2d": (lambda: L.Conv2d(4, 3, pad=1), (2, 2, 4, 4)),
    "Deconv2d": (lambda: L.Deconv2d(4, 3, in_channels=2), (2, 2, 4, 4)),
}


@pytest.mark.parametrize(
    ("make", "shape"),
    list(LAYERS.values()),
    ids=list(LAYERS),
)
def test_a_layer_moved_to_a_device_runs_and_learns_there(
    make, shape, backend, device_spec, to_backend, rng
):
    layer = make()
    assert layer.to_device(device_spec) is layer
    if shape is None:  # EmbedID takes integer ids
        x = to_backend(np.array([[0, 4, 4], [1, 2, 3]]))
    else:
        x = to_backend(float32(rng.standard_normal(shape)))
    y = layer(x)
    if isinstance(layer, L.RNN | L.LSTM):
        y = layer(x)  # a second step uses the recurrent weights too
    assert y.backend is backend
    assert str(y.device) == str(xgrad.device(device_spec))
    assert y.dtype == to_backend(float32([0.0])).dtype
    F.sum(y * y).backward()
    for p in layer.params():
        assert p.backend is backend
        assert str(p.device) == str(xgrad.device(device_spec))
        if not p.name.startswith("avg_"):
            assert str(p.grad.device) == str(xgrad.device(device_spec))


@pytest.mark.parametrize(
    "make", [lambda: L.RNN(4), lambda: L.LSTM(4)], ids=["RNN", "LSTM"]
)
def test_recurrent_layers_without_in_size_follow_the_first_input(
    make, backend, to_backend
):
    layer = make()
    x = Variable(to_backend(np.ones((2, 3), dtype=np.float32)))
    layer(x)
    y = layer(x)  # the second step uses the recurrent weights
    assert backend.owns(y.data)
    assert all(p.backend is backend for p in layer.params())
