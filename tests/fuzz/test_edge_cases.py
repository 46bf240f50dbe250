"""Numerical edge cases, one test each, on every backend (docs/numerical.md).

Huge logits, the kinks of sqrt and abs, probabilities of exactly 0 and 1,
tied maxima, negative bases, tiny denominators and size-0 arrays. The rule
behind them: a value or gradient that is finite in mathematics is finite
here, and never silently NaN; where mathematics says infinite or undefined,
the result is the documented one.
"""

from __future__ import annotations

import numpy as np
import pytest

import xgrad
import xgrad.functions as F
from xgrad import Variable

DTYPES = pytest.mark.parametrize("dtype", [np.float32, np.float64])
LOGITS = np.array([[1e4, -1e4, 0.0], [-1e4, -1e4, -1e4], [1e4, 1e4, -1e4]])


def _run(f, *arrays, to_backend, seed=None):
    """Variables on the backend, ``f`` of them, and the gradient of its sum."""
    xs = [Variable(to_backend(a)) for a in arrays]
    y = f(*xs)
    if seed is None:
        F.sum(y).backward()
    else:
        y.grad = Variable(to_backend(seed))
        y.backward()
    return y, xs


def _np(v):
    return v.backend.to_numpy(v.data)


def _close(v, want, dtype=np.float64, rtol=None, atol=0.0):
    """``v`` has ``dtype`` and the values ``want`` (float64, rounded to ``dtype``)."""
    got = _np(v)
    assert got.dtype == dtype, f"dtype {got.dtype}, expected {dtype}"
    rtol = rtol if rtol is not None else (1e-5 if dtype == np.float32 else 1e-12)
    with np.errstate(over="ignore"):  # a float64 value beyond float32 is inf there
        want = np.asarray(want, dtype=np.float64).astype(dtype)
    np.testing.assert_allclose(got, want, rtol, atol)


def _np_log_softmax(x, axis=1):
    m = x.max(axis=axis, keepdims=True)
    return x - m - np.log(np.exp(x - m).sum(axis=axis, keepdims=True))


# -- logits of +-1e4 ------------------------------------------------------------------
@DTYPES
def test_log_softmax_of_huge_logits_is_finite(dtype, to_backend):
    y, (x,) = _run(F.log_softmax, LOGITS.astype(dtype), to_backend=to_backend)
    _close(y, _np_log_softmax(LOGITS), dtype)
    # d/dx sum(log_softmax(x)) = 1 - C * softmax(x)
    _close(x.grad, 1 - 3 * np.exp(_np_log_softmax(LOGITS)), dtype, atol=1e-6)


@DTYPES
def test_softmax_of_huge_logits_is_finite(dtype, to_backend):
    seed = np.arange(9.0).reshape(3, 3).astype(dtype)
    y, (x,) = _run(F.softmax, LOGITS.astype(dtype), to_backend=to_backend, seed=seed)
    p = np.exp(_np_log_softmax(LOGITS))
    _close(y, p, dtype, atol=1e-7)
    _close(x.grad, p * (seed - (p * seed).sum(axis=1, keepdims=True)), dtype, atol=1e-5)


@DTYPES
def test_softmax_cross_entropy_of_huge_logits_is_finite(dtype, to_backend):
    t = np.array([1, 0, 2])
    y, (x,) = _run(
        lambda x: F.softmax_cross_entropy(x, to_backend(t)),
        LOGITS.astype(dtype),
        to_backend=to_backend,
    )
    log_p = _np_log_softmax(LOGITS)
    _close(y, -log_p[np.arange(3), t].mean(), dtype)
    onehot = np.eye(3)[t]
    _close(x.grad, (np.exp(log_p) - onehot) / 3, dtype, atol=1e-7)


@DTYPES
@pytest.mark.parametrize("axis", [1, None])
def test_logsumexp_of_huge_logits_is_finite(dtype, axis, to_backend):
    y, (x,) = _run(
        lambda x: F.logsumexp(x, axis=axis), LOGITS.astype(dtype), to_backend=to_backend
    )
    m = LOGITS.max(axis=axis, keepdims=True)
    lse = np.log(np.exp(LOGITS - m).sum(axis=axis, keepdims=True)) + m
    _close(y, lse.reshape(y.shape), dtype)
    _close(x.grad, np.exp(LOGITS - lse), dtype, atol=1e-7)  # the softmax


@DTYPES
def test_sigmoid_cross_entropy_at_saturated_logits(dtype, to_backend):
    """Logits of +-1e4 are probabilities of exactly 1 and 0 in floating point."""
    x = np.array([1e4, 1e4, -1e4, -1e4], dtype=dtype)
    t = np.array([1, 0, 1, 0])
    y, (v,) = _run(
        lambda v: F.sigmoid_cross_entropy(v, to_backend(t)), x, to_backend=to_backend
    )
    _close(y, (0.0 + 1e4 + 1e4 + 0.0) / 4, dtype)
    _close(v.grad, (np.array([1.0, 1.0, 0.0, 0.0]) - t) / 4, dtype)  # sigmoid - t


# -- kinks ----------------------------------------------------------------------------
def test_sqrt_gradient_at_zero_is_inf(to_backend):
    """sqrt'(0) = +inf, as the derivative is; positive points are untouched."""
    with np.errstate(divide="ignore"):  # NumPy's warning for 1 / (2 * 0)
        y, (x,) = _run(F.sqrt, np.array([0.0, 4.0]), to_backend=to_backend)
    _close(y, [0.0, 2.0])
    assert np.array_equal(_np(x.grad), [np.inf, 0.25])


@DTYPES
def test_abs_gradient_at_zero_is_zero(dtype, to_backend):
    x = np.array([-2.0, 0.0, -0.0, 3.0], dtype=dtype)
    y, (v,) = _run(F.abs, x, to_backend=to_backend)
    _close(v.grad, [-1.0, 0.0, 0.0, 1.0], dtype)
    # the second derivative is 0 everywhere, 0 included
    v.cleargrad()
    y = F.abs(v)
    y.backward(create_graph=True)
    g = v.grad
    v.cleargrad()
    F.sum(g * g).backward()
    assert v.grad is None or not np.any(_np(v.grad))


def test_relu_leaky_relu_and_clip_at_their_kinks(to_backend):
    """relu'(0) = 0, leaky_relu'(0) = slope, clip passes [x_min, x_max] inclusive."""
    zero = np.array([0.0])
    _, (x,) = _run(F.relu, zero, to_backend=to_backend)
    _close(x.grad, [0.0])
    _, (x,) = _run(lambda v: F.leaky_relu(v, 0.1), zero, to_backend=to_backend)
    _close(x.grad, [0.1])
    bounds = np.array([-1.0, 1.0, 1.5])
    _, (x,) = _run(lambda v: F.clip(v, -1.0, 1.0), bounds, to_backend=to_backend)
    _close(x.grad, [1.0, 1.0, 0.0])


# -- probabilities of 0 and 1 ---------------------------------------------------------
@DTYPES
def test_binary_cross_entropy_at_matching_0_and_1(dtype, to_backend):
    """p = t = 0 and p = t = 1: the loss is 0 up to rounding (1e-14 in float32)
    and the gradient the one-sided derivative, d/dp -log(1 - p) = 1 at p = 0 and
    d/dp -log(p) = -1 at p = 1."""
    p = np.array([0.0, 1.0], dtype=dtype)
    t = np.array([0, 1])
    y, (v,) = _run(
        lambda v: F.binary_cross_entropy(v, to_backend(t)), p, to_backend=to_backend
    )
    _close(y, 0.0, dtype, atol=1e-6)
    _close(v.grad, [1.0 / 2, -1.0 / 2], dtype)


@DTYPES
def test_binary_cross_entropy_near_0_and_1(dtype, to_backend):
    """Probabilities a sigmoid really gives (1e-20 is sigmoid(-46)) keep their
    gradient: with t = 0, d/dp -log(1 - p) = 1 / (1 - p)."""
    p = np.array([1e-20, 1e-30], dtype=dtype)
    t = np.array([0, 0])
    y, (v,) = _run(
        lambda v: F.binary_cross_entropy(v, to_backend(t)), p, to_backend=to_backend
    )
    _close(y, 0.0, dtype, atol=1e-6)
    _close(v.grad, [0.5, 0.5], dtype)


@DTYPES
def test_binary_cross_entropy_at_wrong_0_and_1(dtype, to_backend):
    """p = 0 with t = 1 (and p = 1 with t = 0): the loss is finite, -log(eps) per
    element (each log takes eps more than its argument), and the gradient,
    infinite in mathematics, is finite, not NaN, and points towards the target."""
    p = np.array([0.0, 1.0], dtype=dtype)
    t = np.array([1, 0])
    y, (v,) = _run(
        lambda v: F.binary_cross_entropy(v, to_backend(t)), p, to_backend=to_backend
    )
    eps = np.finfo(dtype).eps
    _close(y, -np.log(eps), dtype)  # (2 * -log(eps)) / 2
    g = _np(v.grad)
    assert np.all(np.isfinite(g)), g
    assert g[0] < 0 < g[1], f"gradient {g} does not point towards the targets {t}"


# -- ties -----------------------------------------------------------------------------
def test_max_and_min_ties_share_the_gradient(to_backend):
    x = np.array([[1.0, 3.0, 3.0], [2.0, 2.0, 2.0]])
    _, (v,) = _run(F.max, x, to_backend=to_backend)
    _close(v.grad, [[0, 0.5, 0.5], [0, 0, 0]])  # the maximum of all, 3, is tied
    v.cleargrad()
    F.sum(F.max(v, axis=1)).backward()
    _close(v.grad, [[0, 0.5, 0.5], [1 / 3, 1 / 3, 1 / 3]])
    v.cleargrad()
    F.sum(F.min(v, axis=0)).backward()
    _close(v.grad, [[1, 0, 0], [0, 1, 1]])
    with xgrad.using_config("max_ties", "all"):
        v.cleargrad()
        F.sum(F.max(v, axis=1)).backward()
    _close(v.grad, [[0, 1, 1], [1, 1, 1]])


def test_global_max_tie_splits_the_gradient(to_backend):
    _, (v,) = _run(F.max, np.array([1.0, 3.0, 3.0]), to_backend=to_backend)
    _close(v.grad, [0.0, 0.5, 0.5])


def test_maximum_and_minimum_ties_split(to_backend):
    a, b = np.array([1.0, 2.0]), np.array([1.0, 0.0])
    _, (x0, x1) = _run(F.maximum, a, b, to_backend=to_backend)
    _close(x0.grad, [0.5, 1.0])
    _close(x1.grad, [0.5, 0.0])
    _, (x0, x1) = _run(F.minimum, a, b, to_backend=to_backend)
    _close(x0.grad, [0.5, 0.0])
    _close(x1.grad, [0.5, 1.0])


def test_max_pooling_ties_share_the_gradient(to_backend):
    x = np.array([[[[1.0, 1.0], [0.0, 1.0]]]])
    _, (v,) = _run(lambda v: F.pooling(v, 2, stride=2), x, to_backend=to_backend)
    _close(v.grad, [[[[1 / 3, 1 / 3], [0.0, 1 / 3]]]])


# -- powers ---------------------------------------------------------------------------
@DTYPES
@pytest.mark.parametrize("c", [2, 3, -1, -2, -3])
def test_pow_of_negative_base_with_integer_exponent(c, dtype, to_backend):
    x = np.array([-2.0, -0.5, -3.0], dtype=dtype)
    y, (v,) = _run(lambda v: v**c, x, to_backend=to_backend)
    x64 = x.astype(np.float64)
    _close(y, x64**c, dtype)
    _close(v.grad, c * x64 ** (c - 1), dtype)
    v.cleargrad()
    (v**c).backward(create_graph=True)
    g = v.grad
    v.cleargrad()
    F.sum(g).backward()
    _close(v.grad, c * (c - 1) * x64 ** (c - 2), dtype)


def test_pow_of_negative_base_with_constant_array_exponent(to_backend):
    """An array exponent that is data (not a Variable) needs no log of the base."""
    x = np.array([-2.0, -0.5])
    c = to_backend(np.array([3.0, 2.0]))
    y, (v,) = _run(lambda v: F.pow(v, c), x, to_backend=to_backend)
    _close(y, [-8.0, 0.25])
    _close(v.grad, [12.0, -1.0])


def test_pow_of_negative_base_with_variable_exponent(to_backend):
    """The base's gradient is finite; the exponent's, log(base) * y, is NaN: a real
    power of a negative base is defined at integer exponents only."""
    x0, x1 = np.array([-2.0]), np.array([3.0])
    with np.errstate(invalid="ignore"):  # NumPy's warning for log(-2)
        _, (base, exponent) = _run(F.pow, x0, x1, to_backend=to_backend)
    _close(base.grad, [12.0])
    assert np.isnan(_np(exponent.grad)).all()


def test_pow_zero_exponent_has_zero_gradient_at_zero(to_backend):
    """x ** 0 is 1 everywhere, so its derivative is 0, at x = 0 too (not 0 * inf)."""
    _, (v,) = _run(lambda v: v**0, np.array([0.0, 2.0]), to_backend=to_backend)
    _close(v.grad, [0.0, 0.0])


def test_pow_one_second_derivative_at_zero(to_backend):
    """(x ** 1)'' = 0 and (x ** 2)'' = 2 at x = 0 (their backward uses x ** 0)."""
    for c, want in [(1, 0.0), (2, 2.0)]:
        v = Variable(to_backend(np.array([0.0])))
        (v**c).backward(create_graph=True)
        g = v.grad
        v.cleargrad()
        F.sum(g).backward()
        _close(v.grad, [want])


def test_power_with_a_zero_array_exponent_has_zero_base_gradient_at_zero(to_backend):
    """x ** y with y = 0 is constant in x: slope 0 at x = 0 too (0 * 0 ** -1 would
    be NaN); and (x ** y)'' at x = 0, y = 1 is 0, as (x ** 1)'' is."""
    x, y = np.array([0.0, 2.0]), np.array([0.0, 0.0])
    _, (base,) = _run(lambda v: F.pow(v, to_backend(y)), x, to_backend=to_backend)
    _close(base.grad, [0.0, 0.0])
    v = Variable(to_backend(np.array([0.0])))
    F.pow(v, to_backend(np.array([1.0]))).backward(create_graph=True)
    g = v.grad
    v.cleargrad()
    F.sum(g).backward()
    _close(v.grad, [0.0])


def test_power_of_zero_base_has_a_zero_exponent_gradient(to_backend):
    """d/dt 0 ** t = 0 for t > 0 (0 ** t is constant there), not 0 * log(0)."""
    _, (base, exponent) = _run(
        F.pow, np.array([0.0, 2.0]), np.array([2.0, 3.0]), to_backend=to_backend
    )
    _close(base.grad, [0.0, 12.0])
    _close(exponent.grad, [0.0, 8.0 * np.log(2.0)])


# -- tiny denominators ----------------------------------------------------------------
@pytest.mark.parametrize(
    ("dtype", "num", "den"),
    [
        (np.float64, [1.0, -1.0, 1e-150, 1.0], [1e-8, -1e-8, 1e-150, 1e-150]),
        (np.float32, [1.0, -1.0, 1e-20, 1e-30], [1e-8, -1e-8, 1e-20, 1e-30]),
    ],
)
def test_division_by_a_value_close_to_zero(dtype, num, den, to_backend):
    """x0 / x1 for tiny x1: values and gradients exact wherever they are finite."""
    a, b = np.array(num, dtype=dtype), np.array(den, dtype=dtype)
    y, (x0, x1) = _run(F.div, a, b, to_backend=to_backend)
    a64, b64 = a.astype(np.float64), b.astype(np.float64)
    _close(y, a64 / b64, dtype, rtol=1e-6)
    _close(x0.grad, 1 / b64, dtype, rtol=1e-6)
    _close(x1.grad, -a64 / b64 / b64, dtype, rtol=1e-6)  # -x0 / x1**2, finite here
    v = Variable(to_backend(b))
    with np.errstate(over="ignore"):  # -1 / x1**2 is beyond float32 for 1e-20
        (1.0 / v).backward()
    _close(v.grad, -1 / b64**2, dtype, rtol=1e-6)  # so -inf there, as it should


# -- size-0 arrays --------------------------------------------------------------------
UNARY = {
    "neg": F.neg,
    "exp": F.exp,
    "log": F.log,
    "sin": F.sin,
    "cos": F.cos,
    "tan": F.tan,
    "tanh": F.tanh,
    "sqrt": F.sqrt,
    "abs": F.abs,
    "square": F.square,
    "pow": lambda x: x**3,
    "rpow": lambda x: 2.0**x,
    "add_scalar": lambda x: x + 1.0,
    "rdiv_scalar": lambda x: 1.0 / x,
    "clip": lambda x: F.clip(x, -1.0, 1.0),
    "sigmoid": F.sigmoid,
    "sigmoid_simple": F.sigmoid_simple,
    "relu": F.relu,
    "leaky_relu": F.leaky_relu,
    "dropout": F.dropout,
}
BINARY = {
    "add": F.add,
    "sub": F.sub,
    "mul": F.mul,
    "div": F.div,
    "pow": F.pow,
    "maximum": F.maximum,
    "minimum": F.minimum,
    "where": lambda a, b: F.where(a.data > 0, a, b),
    "matmul": lambda a, b: F.matmul(F.reshape(a, (3, 0)), F.reshape(b, (0, 3))),
}


@pytest.mark.parametrize("shape", [(0,), (2, 0, 3)])
@pytest.mark.parametrize("name", list(UNARY))
def test_empty_arrays_through_elementwise_ops(name, shape, backend, to_backend):
    x = np.ones(shape, dtype=np.float32)
    y, (v,) = _run(UNARY[name], x, to_backend=to_backend)
    assert y.shape == shape
    assert y.dtype == v.dtype
    assert v.grad.shape == shape
    assert v.grad.dtype == v.dtype
    assert backend.owns(y.data)
    assert backend.owns(v.grad.data)


@pytest.mark.parametrize("name", list(BINARY))
def test_empty_arrays_through_binary_ops(name, to_backend):
    a, b = np.ones((0, 3), np.float32), np.ones((3,), np.float32)
    if name == "matmul":
        a, b = np.ones((0,), np.float32), np.ones((0,), np.float32)
    y, (x0, x1) = _run(BINARY[name], a, b, to_backend=to_backend)
    assert y.dtype == x0.dtype
    assert x0.grad.shape == a.shape
    assert x0.grad.dtype == x0.dtype
    assert x1.grad.shape == b.shape
    assert x1.grad.dtype == x1.dtype
    if name == "matmul":  # a sum over nothing: zeros, and gradients of zeros
        _close(y, np.zeros((3, 3)), np.float32)
    else:
        _close(x1.grad, np.zeros(3), np.float32)


REDUCTIONS = {
    "sum": (F.sum, 0.0),
    "mean": (F.mean, np.nan),
    "average": (F.average, np.nan),
    "logsumexp": (F.logsumexp, -np.inf),
}


@pytest.mark.parametrize("name", list(REDUCTIONS))
def test_empty_arrays_through_reductions(name, to_backend):
    """The empty sum is 0, the empty mean NaN, the empty logsumexp -inf."""
    f, want = REDUCTIONS[name]
    x = np.ones((2, 0), dtype=np.float32)
    with np.errstate(divide="ignore", invalid="ignore"):  # NumPy's log(0) warning
        y, (v,) = _run(f, x, to_backend=to_backend)
        _close(y, want, np.float32)
        assert v.grad.shape == (2, 0)
        v.cleargrad()
        y = f(v, axis=1)
    _close(y, [want, want], np.float32)
    y = f(v, axis=0)  # over a non-empty axis: an empty result
    assert y.shape == (0,)
    F.sum(y).backward()
    assert v.grad.shape == (2, 0)


@pytest.mark.parametrize("f", [F.max, F.min], ids=["max", "min"])
def test_max_and_min_of_nothing_raise(f, to_backend):
    """No identity to return: an error naming the function, on every backend."""
    v = Variable(to_backend(np.ones((2, 0))))
    with pytest.raises(ValueError, match=f.__name__):
        f(v, axis=1)
    y = f(v, axis=0)  # over a non-empty axis: an empty result
    assert y.shape == (0,)
    F.sum(y).backward()
    assert v.grad.shape == (2, 0)


@pytest.mark.parametrize("f", [F.softmax, F.log_softmax, F.softmax_simple])
def test_softmax_over_an_empty_axis(f, to_backend):
    """The softmax of an empty vector is an empty vector."""
    y, (v,) = _run(f, np.ones((2, 0), np.float32), to_backend=to_backend)
    assert y.shape == (2, 0)
    assert y.dtype == v.dtype
    assert v.grad.shape == (2, 0)


@pytest.mark.parametrize(
    "loss",
    [
        lambda x, to: F.softmax_cross_entropy(x, to(np.zeros(0, np.int64))),
        lambda x, to: F.sigmoid_cross_entropy(x, to(np.zeros((0, 3), np.int64))),
        lambda x, to: F.binary_cross_entropy(x, to(np.zeros((0, 3), np.int64))),
        lambda x, to: F.mean_squared_error(x, to(np.zeros((0, 3), np.float32))),
    ],
    ids=["softmax_cross_entropy", "sigmoid_cross_entropy", "bce", "mse"],
)
def test_losses_of_an_empty_batch_are_nan(loss, to_backend):
    """A mean over no examples: NaN (as F.mean and PyTorch), not an exception."""
    x = np.full((0, 3), 0.5, np.float32)
    with np.errstate(divide="ignore", invalid="ignore"):  # NumPy's 0 / 0 warning
        y, (v,) = _run(lambda v: loss(v, to_backend), x, to_backend=to_backend)
    assert y.shape == ()
    assert y.dtype == v.dtype
    assert np.isnan(_np(y))
    assert v.grad.shape == (0, 3)


SHAPE_OPS = {
    "reshape": (lambda x: F.reshape(x, (3, 0)), (3, 0)),
    "transpose": (F.transpose, (3, 0)),
    "flatten": (F.flatten, (0, 3)),
    "expand_dims": (lambda x: F.expand_dims(x, 1), (0, 1, 3)),
    "broadcast_to": (lambda x: F.broadcast_to(x, (2, 0, 3)), (2, 0, 3)),
    "sum_to": (lambda x: F.sum_to(x, (1, 3)), (1, 3)),
    "concat": (lambda x: F.concat([x, x], axis=0), (0, 3)),
    "stack": (lambda x: F.stack([x, x], axis=0), (2, 0, 3)),
    "split": (lambda x: F.split(x, 2, axis=0)[1], (0, 3)),
    "get_item": (lambda x: x[:, ::2], (0, 2)),
    "matmul": (lambda x: F.matmul(x, F.transpose(x)), (0, 0)),
}


@pytest.mark.parametrize("name", list(SHAPE_OPS))
def test_empty_arrays_through_shape_ops(name, to_backend):
    f, shape = SHAPE_OPS[name]
    y, (v,) = _run(f, np.ones((0, 3), np.float32), to_backend=to_backend)
    assert y.shape == shape
    assert y.dtype == v.dtype
    assert v.grad.shape == (0, 3)


def test_empty_batches_through_conv_and_pooling(to_backend):
    x = np.ones((0, 2, 4, 4), np.float32)
    W = np.ones((3, 2, 3, 3), np.float32)
    y, (v, w) = _run(lambda v, w: F.conv2d(v, w, pad=1), x, W, to_backend=to_backend)
    assert y.shape == (0, 3, 4, 4)
    assert v.grad.shape == x.shape
    assert w.grad.shape == W.shape
    _close(w.grad, np.zeros(W.shape), np.float32)
    for f, shape in [
        (lambda v: F.pooling(v, 2, stride=2), (0, 2, 2, 2)),
        (lambda v: F.average_pooling(v, 2, stride=2), (0, 2, 2, 2)),
        (lambda v: F.im2col(v, 3), (0, 18)),
    ]:
        y, (v,) = _run(f, x, to_backend=to_backend)
        assert y.shape == shape
        assert v.grad.shape == x.shape


def test_batch_norm_of_a_constant_batch_is_finite(to_backend):
    """A batch variance of 0: eps keeps the output and gradients finite."""
    x = np.full((4, 2), 3.0)
    g, b = np.ones(2), np.array([0.5, -0.5])
    mean, var = to_backend(np.zeros(2)), to_backend(np.ones(2))
    y, (v, gamma, beta) = _run(
        lambda v, gamma, beta: F.batch_norm(v, gamma, beta, mean, var),
        x,
        g,
        b,
        to_backend=to_backend,
    )
    _close(y, np.broadcast_to(b, (4, 2)))
    for grad in (v.grad, gamma.grad, beta.grad):
        assert np.all(np.isfinite(_np(grad)))
