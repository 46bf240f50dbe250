"""Devices: specs, moves of Variables and layers, the default device, factories."""

from __future__ import annotations

import threading

import numpy as np
import pytest

import xgrad
import xgrad.functions as F
from xgrad import Variable, backends
from xgrad.layers import Layer, Linear

STRICT = pytest.importorskip(
    "array_api_strict", reason="array_api_strict: not installed"
)


# -- specs ----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("spec", "backend", "name", "kind"),
    [
        ("numpy", "numpy", None, "cpu"),
        ("cpu", "numpy", None, "cpu"),
        ("array_api_strict", "array_api_strict", "CPU_DEVICE", "cpu"),
        ("array_api_strict:device1", "array_api_strict", "device1", "cpu"),
    ],
)
def test_specs_parse_into_normalised_devices(spec, backend, name, kind):
    dev = xgrad.device(spec)
    assert (dev.backend, dev.name, dev.kind) == (backend, name, kind)
    assert xgrad.device(str(dev)) == dev


def test_torch_specs_parse():
    pytest.importorskip("torch")
    assert xgrad.device("torch") == xgrad.device("torch:cpu")
    dev = xgrad.device("torch:cuda:1")
    assert (dev.backend, dev.name, dev.kind, dev.index) == ("torch", "cuda:1", "gpu", 1)


def test_library_device_objects_are_read_without_comparing_them_raw():
    torch = pytest.importorskip("torch")
    assert xgrad.device(torch.device("cpu")) == xgrad.device("torch:cpu")
    assert xgrad.device(STRICT.Device("device1")) == xgrad.device(
        "array_api_strict:device1"
    )


def test_unknown_backend_in_a_spec_lists_the_choices():
    with pytest.raises(ValueError, match=r"unknown backend 'jax'.*cpu"):
        xgrad.device("jax:0")


def test_unknown_device_of_a_backend_lists_its_devices():
    with pytest.raises(ValueError, match="device7"):
        xgrad.device("array_api_strict:device7")


@pytest.mark.skipif(xgrad.cuda.gpu_enable, reason="this machine has a GPU")
@pytest.mark.parametrize("spec", ["gpu", "cupy", "cuda:1"])
def test_gpu_specs_without_cupy_say_what_is_missing(spec):
    with pytest.raises(RuntimeError, match="cupy"):
        xgrad.device(spec)


# -- moving Variables -------------------------------------------------------------
def test_to_device_gives_a_new_variable_on_the_tape(backend, device_spec):
    """As the array API standard and PyTorch's .to() do: x stays where it is,
    and the gradient of the moved Variable flows back to x."""
    x = Variable(xgrad.asarray([1.0, 2.0]))
    y = x.to_device(device_spec)

    assert y is not x
    assert str(y.device) == str(xgrad.device(device_spec))
    assert y.backend is backend
    assert str(x.device) == "numpy"
    (y * y).sum().backward()
    assert x.grad.backend is backends.get("numpy")
    np.testing.assert_allclose(x.grad.data, [2.0, 4.0])


def test_to_gpu_and_to_cpu_move_in_place_as_in_the_book(backend, device_spec):
    x = Variable(xgrad.asarray([1.0, 2.0]))
    (x * x).sum().backward()
    assert x._relocate(device_spec) is x  # what to_gpu/to_cpu and layers call
    assert str(x.device) == str(xgrad.device(device_spec))
    assert x.grad.backend is backend
    np.testing.assert_allclose(backend.to_numpy(x.grad.data), [2.0, 4.0])
    assert x.to_cpu() is x


def test_gradients_flow_back_across_devices_and_libraries():
    x = Variable(xgrad.asarray([1.0, 2.0], device="array_api_strict:device1"))
    y = x.to_device("array_api_strict:device2").to_device("numpy")
    assert isinstance(y.data, np.ndarray)
    np.testing.assert_array_equal(y.data, [1.0, 2.0])
    (y * 3.0).sum().backward()
    assert str(x.grad.device) == "array_api_strict:device1"
    np.testing.assert_array_equal(
        backends.of(x.grad.data).to_numpy(x.grad.data), [3.0, 3.0]
    )


def test_to_cpu_stays_in_the_library_when_it_has_a_cpu():
    x = Variable(xgrad.asarray([1.0], device="array_api_strict:device1"))
    assert str(x.to_cpu().device) == "array_api_strict:CPU_DEVICE"
    y = Variable(xgrad.asarray([1.0]))
    assert str(y.to_cpu().device) == "numpy"


@pytest.mark.skipif(xgrad.cuda.gpu_enable, reason="this machine has a GPU")
def test_to_gpu_without_a_gpu_is_one_clear_error():
    x = Variable(xgrad.asarray([1.0]))
    with pytest.raises(RuntimeError, match=r"to_gpu: no GPU.*pip install cupy"):
        x.to_gpu()


def test_float64_moved_to_a_float32_only_device_becomes_float32():
    x = Variable(xgrad.asarray([1.0, 2.0]))
    assert x.to_device("array_api_strict:no_float64").dtype == STRICT.float32


def test_ops_on_mixed_devices_name_both_and_the_fix():
    a = Variable(xgrad.asarray([1.0], device="array_api_strict:device1"))
    b = Variable(xgrad.asarray([1.0], device="array_api_strict:device2"))
    with pytest.raises(ValueError, match=r"Add: .*device1.*device2.*to_device"):
        a + b


# -- default device and factories ---------------------------------------------------
def test_default_device_sets_where_factories_create():
    with xgrad.default_device("array_api_strict:device1") as dev:
        for array in (
            xgrad.asarray([1.0]),
            xgrad.zeros(2),
            xgrad.ones((2, 2)),
            xgrad.full(3, 7.0),
            xgrad.arange(4),
            xgrad.random.uniform(size=2),
        ):
            assert xgrad.backends.of(array).name == "array_api_strict"
            assert array.device == dev.native
    assert isinstance(xgrad.zeros(2), np.ndarray)


def test_default_device_is_per_thread():
    inside = threading.Event()
    release = threading.Event()
    seen = {}

    def worker():
        with xgrad.default_device("array_api_strict:device2"):
            inside.set()
            release.wait(5)
            seen["worker"] = str(xgrad.get_default_device())

    thread = threading.Thread(target=worker)
    thread.start()
    inside.wait(5)
    seen["main"] = str(xgrad.get_default_device())
    release.set()
    thread.join()
    assert seen == {"main": "numpy", "worker": "array_api_strict:device2"}


def test_factories_take_dtype_and_device(backend, device_spec):
    z = xgrad.zeros((2, 3), dtype=backend.xp.float32, device=device_spec)
    assert backend.owns(z)
    assert z.dtype == backend.xp.float32
    assert tuple(z.shape) == (2, 3)
    o = xgrad.ones_like(z)
    assert o.dtype == z.dtype
    assert backend.device_of(o) == backend.device_of(z)
    np.testing.assert_array_equal(xgrad.zeros_like(z, device="numpy"), np.zeros((2, 3)))


def test_factories_default_to_float32_where_float64_is_missing():
    assert xgrad.zeros(2, device="array_api_strict:no_float64").dtype == STRICT.float32
    assert (
        xgrad.full(2, 1.5, device="array_api_strict:no_float64").dtype == STRICT.float32
    )


# -- layers ---------------------------------------------------------------------------
class TwoLayer(Layer):
    def __init__(self):
        super().__init__()
        self.l1 = Linear(8, in_size=3)
        self.l2 = Linear(1)
        self.stats = xgrad.zeros(3)
        self.register_persistent("stats")

    def forward(self, x):
        return self.l2(F.tanh(self.l1(x)))


def test_params_come_in_definition_order():
    model = TwoLayer()
    model(Variable(np.ones((2, 3), dtype=np.float32)))
    assert [p.name for p in model.params()] == ["W", "b", "W", "b"]
    assert next(iter(model.params())) is model.l1.W


def test_a_model_moves_and_trains_on_a_non_default_device():
    xgrad.manual_seed(0)
    model = TwoLayer()
    spec = "array_api_strict:device1"
    assert model.to_device(spec) is model
    x = Variable(xgrad.random.normal(size=(16, 3), device=spec))
    t = Variable(xgrad.random.normal(size=(16, 1), device=spec))
    losses = []
    for _ in range(30):
        loss = F.mean_squared_error(model(x), t)
        model.cleargrads()
        loss.backward()
        for p in model.params():
            p.data = p.data - 0.1 * p.grad.data
        losses.append(float(loss.data))

    assert losses[-1] < losses[0]
    for p in model.params():
        assert str(p.device) == spec
        assert str(p.grad.device) == spec
        assert p.grad.dtype == p.dtype
    assert model.stats.device == STRICT.Device("device1")

    model.to_cpu()
    assert all(str(p.device) == "array_api_strict:CPU_DEVICE" for p in model.params())


def test_a_lazy_linear_is_created_on_the_input_device():
    layer = Linear(4)
    x = Variable(xgrad.ones((2, 3), device="array_api_strict:device2"))
    y = layer(x)
    assert str(layer.W.device) == "array_api_strict:device2"
    assert y.shape == (2, 4)
    assert layer.W.dtype == STRICT.float32


def test_parameters_are_float32_and_initialised_on_the_default_device():
    with xgrad.default_device("array_api_strict:device1"):
        layer = Linear(2, in_size=3)
    assert str(layer.W.device) == "array_api_strict:device1"
    assert layer.W.dtype == STRICT.float32


# -- the book's cuda module ------------------------------------------------------------
def test_cuda_module_keeps_the_books_names(backend, to_backend):
    a = to_backend([1.0, 2.0])
    assert xgrad.cuda.get_array_module(Variable(a)) is backend.xp
    np.testing.assert_array_equal(xgrad.cuda.as_numpy(Variable(a)), [1.0, 2.0])
    assert xgrad.cuda.as_numpy(3.0) == np.array(3.0)
    assert xgrad.cuda.get_array_module([1, 2]) is np


@pytest.mark.skipif(xgrad.cuda.gpu_enable, reason="this machine has a GPU")
def test_cuda_without_a_gpu():
    assert xgrad.cuda.gpu_enable is False
    with pytest.raises(RuntimeError, match="cupy"):
        xgrad.cuda.as_cupy(np.ones(2))
