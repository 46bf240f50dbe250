"""Optimizers: DeZero and PyTorch parity, hooks, schedules, state on devices, resuming.

The book's optimizers are run side by side with DeZero 0.0.13's on the same
parameters and gradients; RMSprop, Nesterov and AdamW with PyTorch's. Tests
that take the ``backend`` fixture run on every backend, on its non-default
device where it has one.
"""

from __future__ import annotations

import importlib
import importlib.util
import math
import pickle
import sys
import types
import warnings

import numpy as np
import pytest

import xgrad
import xgrad.functions as F
from xgrad import Parameter, Variable
from xgrad import optimizers as O
from xgrad.cuda import as_numpy
from xgrad.devices import device_of
from xgrad.layers import Layer, Linear

# One factory per optimizer, with settings that make progress in a few steps.
FAST = {
    "SGD": lambda: O.SGD(lr=0.1),
    "MomentumSGD": lambda: O.MomentumSGD(lr=0.05),
    "AdaGrad": lambda: O.AdaGrad(lr=0.3),
    "AdaDelta": lambda: O.AdaDelta(rho=0.9, eps=1e-2),
    "Adam": lambda: O.Adam(alpha=0.1),
    "RMSprop": lambda: O.RMSprop(lr=0.03),
    "Nesterov": lambda: O.Nesterov(lr=0.05),
    "AdamW": lambda: O.AdamW(lr=0.1),
}
NAMES = list(FAST)


class Params:
    """The smallest optimizer target: anything with ``params()``."""

    def __init__(self, *params):
        self._params = params

    def params(self):
        yield from self._params


def regression_data(rng, n=16):
    x = rng.standard_normal((n, 3)).astype(np.float32)
    w = np.array([[1.0], [-2.0], [0.5]], dtype=np.float32)
    return x, x @ w + np.float32(0.3)


def linear_model(spec, W, b):
    """A Linear layer holding copies of ``W`` and ``b``, moved to ``spec``."""
    model = Linear(W.shape[1], in_size=W.shape[0])
    model.W.data, model.b.data = W.copy(), b.copy()
    return model.to_device(spec)


def train(model, opt, x, t, steps):
    losses = []
    for _ in range(steps):
        xs, ts = (xgrad.to_device(a, model.device) for a in (x, t))
        loss = F.mean_squared_error(model(xs), ts)
        model.cleargrads()
        loss.backward()
        opt.update()
        losses.append(float(as_numpy(loss)))
    return losses


@pytest.fixture
def start(rng):
    """Initial ``W`` (3, 1) and ``b`` (1,), float32, and the regression data."""
    W = rng.standard_normal((3, 1)).astype(np.float32)
    return W, np.zeros(1, dtype=np.float32), *regression_data(rng)


# -- DeZero parity ---------------------------------------------------------------


class _Stub(types.ModuleType):
    """An empty module: DeZero imports matplotlib and PIL but optimizers never use them."""

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)


@pytest.fixture(scope="module")
def dezero():
    """DeZero 0.0.13, imported on NumPy 2 with matplotlib and PIL stubbed if missing."""
    if importlib.util.find_spec("dezero") is None:
        pytest.skip("dezero: not installed")
    added_int = not hasattr(np, "int")
    if added_int:
        setattr(np, "int", int)  # noqa: B010  (DeZero 0.0.13 uses np.int on import)
    stubbed = []
    for parent, child in [("matplotlib", "pyplot"), ("PIL", "Image")]:
        if parent in sys.modules or importlib.util.find_spec(parent) is not None:
            continue
        for name in (parent, f"{parent}.{child}"):
            sys.modules[name] = _Stub(name)
            stubbed.append(name)
        setattr(sys.modules[parent], child, sys.modules[f"{parent}.{child}"])
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return importlib.import_module("dezero")
    finally:
        for name in stubbed:  # leave no stub behind for other tests
            del sys.modules[name]
        if added_int:
            delattr(np, "int")


BOOK_CASES = [
    ("SGD", {"lr": 0.1}, []),
    ("MomentumSGD", {"lr": 0.1, "momentum": 0.8}, []),
    ("AdaGrad", {"lr": 0.1, "eps": 1e-6}, []),
    ("AdaDelta", {"rho": 0.9, "eps": 1e-4}, []),
    ("Adam", {"alpha": 0.1, "beta1": 0.8, "beta2": 0.99, "eps": 1e-6}, []),
    ("SGD", {}, []),
    ("MomentumSGD", {}, []),
    ("AdaGrad", {}, []),
    ("AdaDelta", {}, []),
    ("Adam", {}, []),
    ("MomentumSGD", {"lr": 0.1}, [("WeightDecay", 0.05), ("ClipGrad", 1.0)]),
    ("Adam", {"alpha": 0.1}, [("ClipGrad", 100.0), ("WeightDecay", 1e-3)]),
]


@pytest.mark.parametrize(
    ("name", "kwargs", "hooks"),
    BOOK_CASES,
    ids=[f"{n}-{i}" for i, (n, _, _) in enumerate(BOOK_CASES)],
)
def test_book_optimizers_match_dezero(
    name, kwargs, hooks, dezero, backend, to_backend, rng
):
    shapes = [(3, 2), (2,), ()]
    init = [rng.standard_normal(s) for s in shapes]
    ours = [Parameter(to_backend(a)) for a in init]
    theirs = [dezero.Parameter(a.copy()) for a in init]
    opt = getattr(O, name)(**kwargs).setup(Params(*ours))
    ref = getattr(dezero.optimizers, name)(**kwargs).setup(Params(*theirs))
    for hook, arg in hooks:
        opt.add_hook(getattr(O, hook)(arg))
        ref.add_hook(getattr(dezero.optimizers, hook)(arg))
    for _ in range(6):
        for p, q, s in zip(ours, theirs, shapes, strict=True):
            g = 3 * rng.standard_normal(s)
            p.grad, q.grad = Variable(to_backend(g)), dezero.Variable(np.array(g))
        opt.update()
        ref.update()
        for p, q in zip(ours, theirs, strict=True):
            np.testing.assert_allclose(as_numpy(p), q.data, rtol=1e-12, atol=1e-15)
            # The same operations in the same order: bitwise (a fused step
            # rounds lr * grad and the subtraction once, as torch.optim does).
            if not backend.gpu and not (backend.fused_step and name == "SGD"):
                np.testing.assert_array_equal(as_numpy(p), q.data)
    if name == "Adam":
        assert opt.lr == pytest.approx(ref.lr, rel=1e-15)
        assert opt.t == ref.t == 6


def test_adam_lr_before_the_first_update_is_the_first_steps():
    # DeZero: Adam().lr raises ZeroDivisionError until the first update (t=0)
    opt = O.Adam(alpha=0.01)
    assert opt.lr == pytest.approx(0.01 * math.sqrt(1 - 0.999) / (1 - 0.9))


# -- PyTorch parity ---------------------------------------------------------------

TORCH_CASES = [
    ("RMSprop", {"lr": 0.01, "alpha": 0.9, "eps": 1e-6}, "RMSprop", {}),
    ("RMSprop", {}, "RMSprop", {}),  # the same defaults as PyTorch
    ("Nesterov", {"lr": 0.1, "momentum": 0.8}, "SGD", {"nesterov": True}),
    ("Nesterov", {}, "SGD", {"lr": 0.01, "momentum": 0.9, "nesterov": True}),
    (
        "AdamW",
        {"lr": 0.05, "beta1": 0.8, "beta2": 0.99, "eps": 1e-6, "weight_decay": 0.1},
        "AdamW",
        {"betas": (0.8, 0.99)},
    ),
    ("AdamW", {}, "AdamW", {}),  # the same defaults as PyTorch
]


@pytest.mark.parametrize(
    ("name", "kwargs", "torch_name", "torch_kwargs"),
    TORCH_CASES,
    ids=[f"{c[0]}-{i}" for i, c in enumerate(TORCH_CASES)],
)
def test_beyond_book_optimizers_match_torch(
    name, kwargs, torch_name, torch_kwargs, to_backend, rng
):
    torch = pytest.importorskip("torch", reason="torch: not installed")
    shapes = [(3, 2), (2,)]
    init = [rng.standard_normal(s) for s in shapes]
    ours = [Parameter(to_backend(a)) for a in init]
    theirs = [torch.tensor(a, requires_grad=True) for a in init]
    opt = getattr(O, name)(**kwargs).setup(Params(*ours))
    translated = {k: v for k, v in kwargs.items() if k not in ("beta1", "beta2")}
    ref = getattr(torch.optim, torch_name)(
        theirs, foreach=False, **{**translated, **torch_kwargs}
    )
    for step in range(8):
        if step == 4:  # a schedule halves the learning rate mid-run
            opt.lr /= 2
            for group in ref.param_groups:
                group["lr"] /= 2
        for p, q, s in zip(ours, theirs, shapes, strict=True):
            g = rng.standard_normal(s)
            p.grad, q.grad = Variable(to_backend(g)), torch.tensor(g)
        opt.update()
        ref.step()
        for p, q in zip(ours, theirs, strict=True):
            expected = q.detach().numpy()
            np.testing.assert_allclose(as_numpy(p), expected, rtol=1e-10, atol=1e-13)


# -- every optimizer trains, on every backend ---------------------------------------


@pytest.mark.parametrize("name", NAMES)
def test_each_optimizer_decreases_a_linear_regression_loss(name, device_spec, start):
    W, b, x, t = start
    model = linear_model(device_spec, W, b)
    losses = train(model, FAST[name]().setup(model), x, t, steps=30)
    assert losses[-1] < 0.5 * losses[0], losses


@pytest.mark.parametrize("name", NAMES)
def test_each_optimizer_minimises_a_quadratic(name, to_backend):
    # f(p) = sum((p - 3)^2): every optimizer moves p towards 3
    p = Parameter(to_backend(np.zeros(4, dtype=np.float32)))
    opt = FAST[name]().setup(Params(p))
    for _ in range(40):
        p.cleargrad()
        F.sum((p - 3.0) ** 2).backward()
        opt.update()
    assert np.all(np.abs(as_numpy(p) - 3.0) < 0.75)


@pytest.mark.parametrize("name", NAMES)
def test_float32_stays_float32(name, backend, device_spec, start):
    W, b, x, t = start
    model = linear_model(device_spec, W, b)
    opt = FAST[name]().setup(model)
    for key in opt.hyperparameters:  # NumPy float64 hyperparameters are weak too
        setattr(opt, key, np.float64(getattr(opt, key)))
    opt.add_hook(O.WeightDecay(np.float64(1e-3)))
    opt.add_hook(O.ClipGrad(np.float64(0.5)))
    train(model, opt, x, t, steps=3)
    for p in model.params():
        assert p.data.dtype == backend.xp.float32
        assert p.device == xgrad.device(device_spec)
        assert set(p.state) == {f"{opt.prefix}.{k}" for k in opt.state_keys}
        for value in p.state.values():
            assert value.dtype == backend.xp.float32
            assert device_of(value) == p.device


class MySGD(O.Optimizer):
    """A user-written optimizer, as docs/optimizers.md writes one (the book's way)."""

    def __init__(self, lr=0.01):
        super().__init__()
        self.lr = lr

    def update_one(self, param):
        param.data = param.data - self.lr * param.grad.data


WIDER = {**FAST, "MySGD": lambda: MySGD(lr=0.1)}


@pytest.mark.parametrize("name", list(WIDER))
def test_float64_gradient_leaves_a_float32_parameter_float32_and_in_place(
    name, backend, to_backend, rng
):
    # DeZero's `param.data -= lr * grad` rounds back into the float32 array;
    # a float64 gradient (float64 input data, as in most of the book) must not
    # promote the parameter, whatever the optimizer or hook computes.
    if not backend.xp.isdtype(to_backend(np.zeros(1)).dtype, "real floating"):
        pytest.skip("the device has no float64")  # pragma: no cover
    p = Parameter(to_backend(rng.standard_normal((3, 2)).astype(np.float32)))
    opt = WIDER[name]().setup(Params(p))
    opt.add_hook(O.WeightDecay(1e-3))
    opt.add_hook(O.ClipGrad(0.5))
    array = p.data
    for _ in range(3):
        p.grad = Variable(to_backend(rng.standard_normal((3, 2))))
        assert p.grad.dtype == backend.xp.float64
        opt.update()
        assert p.dtype == backend.xp.float32
        assert (p.data is array) == backend.writes_in_place  # asked, not assumed
        for value in p.state.values():
            assert value.dtype == backend.xp.float32


def test_a_read_only_parameter_gets_a_new_array_of_its_dtype():
    data = np.ones(3, dtype=np.float32)
    data.flags.writeable = False
    p = Parameter(data)
    p.grad = Variable(np.full(3, 0.5))
    O.SGD(lr=1.0).setup(Params(p)).update()
    assert p.data is not data
    assert p.dtype == np.float32
    np.testing.assert_array_equal(p.data, np.full(3, 0.5, dtype=np.float32))


@pytest.mark.parametrize("name", ["SGD", "MomentumSGD", "AdaGrad", "AdaDelta", "Adam"])
def test_float32_parameters_with_float64_gradients_match_dezero_bitwise(
    name, dezero, rng
):
    # DeZero updates in place: every step is computed in float64, then rounded
    # into the float32 parameter, and its state stays float32 as well.
    init = rng.standard_normal((4, 3)).astype(np.float32)
    p, q = Parameter(init.copy()), dezero.Parameter(init.copy())
    opt = getattr(O, name)().setup(Params(p))
    ref = getattr(dezero.optimizers, name)().setup(Params(q))
    for _ in range(5):
        g = rng.standard_normal((4, 3))
        p.grad, q.grad = Variable(g), dezero.Variable(g.copy())
        opt.update()
        ref.update()
        assert q.data.dtype == p.dtype == np.float32
        np.testing.assert_array_equal(p.data, q.data)


# -- state lives with its parameter ---------------------------------------------------


@pytest.mark.parametrize("name", NAMES)
def test_optimizer_state_stuck_on_the_old_device(name, device_spec, start):
    # DeZero keeps optimizer state in dicts keyed by id(param): model.to_gpu()
    # leaves it on the old device and the next update mixes devices.
    W, b, x, t = start
    moved = linear_model("numpy", W, b)
    opt = FAST[name]().setup(moved)
    train(moved, opt, x, t, steps=3)
    moved.to_device(device_spec)
    train(moved, opt, x, t, steps=3)
    for p in moved.params():
        assert p.device == xgrad.device(device_spec)
        for value in p.state.values():
            assert device_of(value) == p.device
    stayed = linear_model("numpy", W, b)
    train(stayed, FAST[name]().setup(stayed), x, t, steps=6)
    for p, q in zip(moved.params(), stayed.params(), strict=True):
        np.testing.assert_allclose(as_numpy(p), q.data, rtol=1e-5, atol=1e-6)


def test_state_moves_to_array_api_strict_device1_and_back(start):
    pytest.importorskip("array_api_strict", reason="array_api_strict: not installed")
    W, b, x, t = start
    model = linear_model("numpy", W, b)
    opt = O.Adam(alpha=0.1).setup(model)
    train(model, opt, x, t, steps=2)
    model.to_device("array_api_strict:device1")
    train(model, opt, x, t, steps=2)
    assert str(device_of(model.W.state["adam.m"])) == "array_api_strict:device1"
    model.to_device("numpy")
    train(model, opt, x, t, steps=2)
    ref = linear_model("numpy", W, b)
    train(ref, O.Adam(alpha=0.1).setup(ref), x, t, steps=6)
    np.testing.assert_array_equal(model.W.data, ref.W.data)
    assert type(model.W.state["adam.v"]) is np.ndarray


def test_state_is_namespaced_so_two_optimizers_can_share_a_parameter(to_backend):
    p = Parameter(to_backend(np.ones(3)))
    p.grad = Variable(to_backend(np.ones(3)))
    adam, momentum = O.Adam().setup(Params(p)), O.MomentumSGD().setup(Params(p))
    adam.update()
    momentum.update()
    assert set(p.state) == {"adam.m", "adam.v", "momentum.v"}
    assert len(adam.state_dict()["state"][0]) == 2


# -- updates: new arrays, no graph -------------------------------------------------------


@pytest.mark.parametrize("name", NAMES)
def test_updates_never_write_in_place(name, rng):
    # Read-only arrays stand for immutable ones (JAX): any in-place write raises.
    def frozen(a):
        a = np.array(a)
        a.flags.writeable = False
        return a

    params = [Parameter(frozen(rng.standard_normal(s))) for s in [(2, 3), (3,)]]
    opt = FAST[name]().setup(Params(*params))
    opt.add_hook(O.WeightDecay(0.01))
    opt.add_hook(O.ClipGrad(0.1))
    for _ in range(3):
        for p in params:
            p.data = frozen(p.data)
            p.grad = Variable(frozen(rng.standard_normal(p.shape)))
            p.state = {k: frozen(v) for k, v in p.state.items()}
        opt.update()


def test_updates_record_no_graph(to_backend):
    p = Parameter(to_backend(np.array([1.0, 2.0])))
    seen = []
    opt = O.Adam().setup(Params(p))
    opt.add_hook(lambda params: seen.append(xgrad.Config.enable_backprop))
    (p**3).sum().backward(create_graph=True)  # a gradient with a graph behind it
    assert p.grad.creator is not None
    opt.update()
    assert seen == [False]
    assert p.creator is None
    assert not isinstance(p.data, Variable)


def test_update_skips_parameters_without_a_gradient(to_backend):
    a, b = Parameter(to_backend(np.ones(2))), Parameter(to_backend(np.ones(2)))
    a.grad = Variable(to_backend(np.ones(2)))
    opt = O.MomentumSGD(lr=0.5).setup(Params(a, b))
    opt.update()
    np.testing.assert_allclose(as_numpy(a), [0.5, 0.5])
    np.testing.assert_allclose(as_numpy(b), [1.0, 1.0])
    assert b.state == {}


def test_update_without_setup_says_so():
    with pytest.raises(RuntimeError, match=r"SGD: call \.setup\(model\) first"):
        O.SGD().update()


def test_setup_returns_the_optimizer_and_repr_shows_hyperparameters():
    opt = O.SGD(lr=0.5)
    assert opt.setup(Params()) is opt
    assert repr(opt) == "SGD(lr=0.5)"
    assert repr(O.Nesterov()) == "Nesterov(lr=0.01, momentum=0.9)"


def test_a_book_style_optimizer_subclass_works():
    class MySGD(O.Optimizer):  # as the book writes a new optimizer
        def __init__(self, lr=0.01):
            super().__init__()
            self.lr = lr

        def update_one(self, param):
            param.data -= self.lr * param.grad.data

    p = Parameter(np.array([1.0, 2.0]))
    p.grad = Variable(np.array([1.0, 1.0]))
    opt = MySGD(lr=0.5).setup(Params(p))
    opt.update()
    np.testing.assert_allclose(p.data, [0.5, 1.5])
    assert opt.state_dict()["hyperparameters"] == {}
    O.StepLR(opt, step_size=1).step()
    assert opt.lr == pytest.approx(0.05)


# -- hooks ------------------------------------------------------------------------------


def test_weight_decay_adds_rate_times_param(to_backend, rng):
    a, g = rng.standard_normal((2, 3)), rng.standard_normal((2, 3))
    p = Parameter(to_backend(a))
    p.grad = Variable(to_backend(g))
    O.WeightDecay(0.1)([p])
    np.testing.assert_allclose(as_numpy(p.grad), g + 0.1 * a, rtol=1e-12)


def test_weight_decay_with_a_gradient_shared_by_two_parameters(to_backend):
    # DeZero's `grad.data += rate * param.data` writes into the gradient that
    # both inputs of an addition share, so each gets both decays; after F.sum,
    # whose gradient is a read-only broadcast view, it raises instead.
    a = Parameter(to_backend(np.array([1.0, 2.0])))
    b = Parameter(to_backend(np.array([10.0, 20.0])))
    F.sum(a + b).backward()
    assert a.grad is b.grad  # the premise: one Variable for both
    O.WeightDecay(0.5)([a, b])
    np.testing.assert_allclose(as_numpy(a.grad), [1.5, 2.0])
    np.testing.assert_allclose(as_numpy(b.grad), [6.0, 11.0])


def test_clip_grad_clips_the_global_norm(to_backend):
    a, b = Parameter(to_backend(np.zeros(1))), Parameter(to_backend(np.zeros(1)))
    a.grad, b.grad = (
        Variable(to_backend(np.array([3.0]))),
        Variable(to_backend(np.array([4.0]))),
    )
    O.ClipGrad(1.0)([a, b])  # the norm is 5
    np.testing.assert_allclose(as_numpy(a.grad), [0.6], rtol=1e-6)
    np.testing.assert_allclose(as_numpy(b.grad), [0.8], rtol=1e-6)
    before = as_numpy(a.grad).copy()
    O.ClipGrad(2.0)([a, b])  # below max_norm: the values are left alone
    np.testing.assert_array_equal(as_numpy(a.grad), before)


def test_freeze_param_freezes_layers_and_parameters(to_backend, device_spec):
    class Net(Layer):
        def __init__(self):
            super().__init__()
            self.l1 = Linear(4, in_size=3)
            self.l2 = Linear(1, in_size=4)

        def forward(self, x):
            return self.l2(F.sigmoid(self.l1(x)))

    model = Net().to_device(device_spec)
    before = {id(p): as_numpy(p).copy() for p in model.params()}
    opt = O.MomentumSGD(lr=0.5).setup(model)
    opt.add_hook(O.FreezeParam(model.l1, model.l2.b))
    x = to_backend(np.ones((2, 3), dtype=np.float32))
    for _ in range(2):  # DeZero crashes here: update_one(param) with grad None
        model.cleargrads()
        F.sum(model(x)).backward()
        opt.update()
    for p in [model.l1.W, model.l1.b, model.l2.b]:
        np.testing.assert_array_equal(as_numpy(p), before[id(p)])
        assert p.state == {}
    assert not np.array_equal(as_numpy(model.l2.W), before[id(model.l2.W)])


# -- schedules ---------------------------------------------------------------------------


def test_step_lr_decays_every_step_size_steps():
    opt = O.SGD(lr=0.1)
    sched = O.StepLR(opt, step_size=2, gamma=0.5)
    lrs = [sched.step() for _ in range(5)]
    assert lrs == pytest.approx([0.1, 0.05, 0.05, 0.025, 0.025])
    assert opt.lr == pytest.approx(0.025)


def test_cosine_lr_anneals_to_min_lr_and_stays():
    opt = O.MomentumSGD(lr=1.0)
    sched = O.CosineLR(opt, total_steps=4, min_lr=0.2)
    lrs = [sched.step() for _ in range(6)]
    expected = [0.2 + 0.8 * (1 + math.cos(math.pi * s / 4)) / 2 for s in range(1, 5)]
    assert lrs == pytest.approx([*expected, 0.2, 0.2])
    assert lrs[1] == pytest.approx(0.6)  # halfway: the mean of base and min
    assert opt.lr == pytest.approx(0.2)


def test_schedules_change_adams_alpha():
    opt = O.Adam(alpha=0.01)
    O.StepLR(opt, step_size=1, gamma=0.1).step()
    assert opt.alpha == pytest.approx(0.001)
    opt.t = 1
    assert opt.lr == pytest.approx(0.001 * math.sqrt(1 - 0.999) / (1 - 0.9))


def test_adadelta_has_no_learning_rate_to_schedule():
    with pytest.raises(TypeError, match="AdaDelta has no learning rate"):
        O.CosineLR(O.AdaDelta(), total_steps=10)


def test_a_schedule_drives_training(to_backend):
    p = Parameter(to_backend(np.array([0.0])))
    opt = O.SGD(lr=1.0).setup(Params(p))
    sched = O.StepLR(opt, step_size=1, gamma=0.5)
    for _ in range(3):  # steps of 1, 0.5, 0.25 with gradient -1
        p.grad = Variable(to_backend(np.array([-1.0])))
        opt.update()
        sched.step()
    np.testing.assert_allclose(as_numpy(p), [1.75])


def test_a_custom_schedule_is_one_method():
    class Warmup(O.LRScheduler):
        def get_lr(self, step):
            return self.base_lr * min(1.0, step / 4)

    opt = O.AdamW(lr=0.4)
    sched = Warmup(opt)
    assert [sched.step() for _ in range(5)] == pytest.approx([0.1, 0.2, 0.3, 0.4, 0.4])


# -- state_dict ----------------------------------------------------------------------------


@pytest.mark.parametrize("name", NAMES)
def test_state_dict_round_trip_resumes_exactly(name, device_spec, start):
    W, b, x, t = start
    reference = linear_model(device_spec, W, b)
    train(reference, FAST[name]().setup(reference), x, t, steps=6)

    model = linear_model(device_spec, W, b)
    opt = FAST[name]().setup(model)
    train(model, opt, x, t, steps=3)
    saved = pickle.loads(pickle.dumps(opt.state_dict()))
    assert all(type(a) is np.ndarray for e in saved["state"] for a in e.values())
    weights = [as_numpy(p).copy() for p in model.params()]

    resumed = linear_model(device_spec, *weights)
    opt2 = FAST[name]().setup(resumed)
    opt2.load_state_dict(saved)
    assert opt2.t == 3
    train(resumed, opt2, x, t, steps=3)
    for p, q in zip(resumed.params(), reference.params(), strict=True):
        np.testing.assert_array_equal(as_numpy(p), as_numpy(q))


def test_state_dict_contents():
    p = Parameter(np.ones((2, 2), dtype=np.float32))
    q = Parameter(np.ones(3, dtype=np.float32))
    p.grad = Variable(np.ones((2, 2), dtype=np.float32))
    opt = O.Adam(alpha=0.5).setup(Params(p, q))
    opt.update()
    saved = opt.state_dict()
    assert saved["optimizer"] == "Adam"
    assert saved["hyperparameters"] == {
        "alpha": 0.5,
        "beta1": 0.9,
        "beta2": 0.999,
        "eps": 1e-8,
    }
    assert saved["t"] == 1
    assert set(saved["state"][0]) == {"m", "v"}
    assert saved["state"][1] == {}  # q had no gradient yet
    assert saved["state"][0]["m"] is not p.state["adam.m"]  # a copy


def test_loading_an_empty_entry_clears_that_parameters_state():
    # Saved before q had a gradient: after loading, q starts from zeros again.
    p, q = Parameter(np.ones(2)), Parameter(np.ones(3))
    p.grad = Variable(np.ones(2))
    opt = O.MomentumSGD().setup(Params(p, q))
    opt.update()
    saved = opt.state_dict()
    assert saved["state"][1] == {}
    q.grad = Variable(np.ones(3))
    opt.update()
    assert "momentum.v" in q.state
    opt.load_state_dict(saved)
    assert q.state == {}
    np.testing.assert_array_equal(p.state["momentum.v"], saved["state"][0]["v"])
    assert opt.t == 1


def test_load_state_dict_restores_hyperparameters_and_a_schedules_lr():
    p = Parameter(np.ones(2))
    p.grad = Variable(np.ones(2))
    opt = O.RMSprop(lr=0.1, alpha=0.5).setup(Params(p))
    sched = O.CosineLR(opt, total_steps=10)
    opt.update()
    sched.step()
    fresh = O.RMSprop().setup(Params(Parameter(np.ones(2))))
    fresh.load_state_dict(opt.state_dict())
    assert (fresh.lr, fresh.alpha, fresh.t) == (opt.lr, 0.5, 1)


def test_load_state_dict_puts_state_on_each_params_device(backend, device_spec):
    p = Parameter(np.ones((2, 3)))  # float64 on NumPy
    p.grad = Variable(np.ones((2, 3)))
    opt = O.Adam().setup(Params(p))
    opt.update()
    target = Parameter(xgrad.to_device(np.ones((2, 3), dtype=np.float32), device_spec))
    fresh = O.Adam().setup(Params(target))
    fresh.load_state_dict(opt.state_dict())
    for value in target.state.values():
        assert device_of(value) == xgrad.device(device_spec)
        assert value.dtype == backend.xp.float32
    np.testing.assert_allclose(as_numpy(target.state["adam.m"]), 0.1 * np.ones((2, 3)))


def _saved_adam():
    p = Parameter(np.ones((2, 3)))
    p.grad = Variable(np.ones((2, 3)))
    opt = O.Adam().setup(Params(p))
    opt.update()
    return opt.state_dict()


def test_load_state_dict_rejects_another_optimizers_state():
    with pytest.raises(
        ValueError, match=r"AdamW.load_state_dict: got the state of Adam"
    ):
        O.AdamW().setup(Params(Parameter(np.ones((2, 3))))).load_state_dict(
            _saved_adam()
        )


def test_load_state_dict_rejects_a_different_number_of_parameters():
    target = Params(Parameter(np.ones((2, 3))), Parameter(np.ones(3)))
    with pytest.raises(ValueError, match="state for 1 parameters, the target has 2"):
        O.Adam().setup(target).load_state_dict(_saved_adam())


def test_load_state_dict_rejects_wrong_shapes_and_keys():
    p = Parameter(np.ones((3, 2)), name="W")
    p.grad = Variable(np.ones((3, 2)))
    opt = O.Adam(alpha=0.5).setup(Params(p))
    opt.update()
    before = {k: v.copy() for k, v in p.state.items()}
    with pytest.raises(ValueError, match=r"parameter 0 \(W\) of shape \(3, 2\)"):
        opt.load_state_dict(_saved_adam())
    assert (opt.alpha, opt.t) == (0.5, 1)  # a failed load changes nothing
    for key, value in p.state.items():
        np.testing.assert_array_equal(value, before[key])
    saved = _saved_adam()
    del saved["state"][0]["v"]
    opt = O.Adam().setup(Params(Parameter(np.ones((2, 3)))))
    with pytest.raises(ValueError, match=r"expected \['m', 'v'\]"):
        opt.load_state_dict(saved)


def test_load_state_dict_into_a_lazy_layer_asks_for_a_forward_pass():
    model = Linear(3)  # in_size unknown: W has no data yet
    saved = {
        "optimizer": "Adam",
        "hyperparameters": {"alpha": 0.001, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8},
        "t": 1,
        "state": [{"m": np.zeros((2, 3)), "v": np.zeros((2, 3))}, {}],
    }
    with pytest.raises(ValueError, match=r"parameter 0 \(W\) of shape None"):
        O.Adam().setup(model).load_state_dict(saved)


@pytest.mark.parametrize(
    ("param_dtype", "delta_dtype"),
    [("float32", "float32"), ("float32", "float64"), ("int64", "int64")],
)
def test_a_step_with_a_scale_is_param_minus_scale_times_delta(
    param_dtype, delta_dtype, backend, to_backend
):
    """``apply_step(param, delta, scale)``, fused or not, in place or not."""
    if param_dtype == "int64" and backend.name == "array_api_strict":
        pytest.skip("array_api_strict: the standard promotes no int array by a float")
    param = to_backend(np.arange(4).astype(param_dtype))
    delta = to_backend(np.ones(4, dtype=delta_dtype))
    stepped = backend.apply_step(param, delta, scale=0.5)
    np.testing.assert_allclose(as_numpy(stepped), np.arange(4) - 0.5, rtol=1e-6)


@pytest.mark.parametrize(
    "layout",
    [
        "float32",
        "float64",
        "complex64",
        "odd size",
        "F-ordered",
        "read-only",
        "overlap",
        "big-endian",
    ],
)
def test_numpy_steps_a_big_parameter_block_by_block_with_the_same_bits(layout):
    """NumPy scales a big step a block at a time (the scaled block stays in
    cache); every case gives the bits of ``param - scale * delta``, in place
    where the whole-array step is in place."""
    backend = xgrad.backends.get("numpy")
    rng = np.random.default_rng(0)
    dtype = {"float64": np.float64, "complex64": np.complex64}.get(layout, np.float32)
    shape = (1001, 997) if layout == "odd size" else (600, 500)
    param = rng.standard_normal(shape).astype(dtype)
    delta = rng.standard_normal(shape).astype(dtype)
    if layout == "F-ordered":
        param, delta = np.asfortranarray(param), np.asfortranarray(delta)
    if layout == "overlap":  # the delta is the parameter itself
        delta = param
    if layout == "big-endian":  # the whole product is native: a new array
        param, delta = param.astype(">f4"), delta.astype(">f4")
    expected = param - 0.01 * delta
    if layout == "read-only":
        param.flags.writeable = False
    stepped = backend.apply_step(param, delta, scale=0.01)
    assert stepped.tobytes() == expected.tobytes()
    assert (stepped is param) == (layout not in ("read-only", "big-endian"))


def test_numpy_steps_a_big_parameter_whole_when_an_overflow_raises():
    """Under ``np.errstate(over="raise")`` an overflow raises before the
    parameter changes, as with the whole product (a blocked step would have
    written its earlier blocks)."""
    backend = xgrad.backends.get("numpy")
    param = np.ones(300_000, dtype=np.float32)
    delta = np.ones_like(param)
    delta[-5] = 3e38
    with np.errstate(over="raise"), pytest.raises(FloatingPointError):
        backend.apply_step(param, delta, scale=10.0)
    np.testing.assert_array_equal(param, np.ones_like(param))
