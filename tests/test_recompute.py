"""Rematerialisation: checkpoint(f, *args) gives plain gradients for less memory.

Tests taking ``backend``/``to_backend`` run once per array library.
"""

from __future__ import annotations

import tracemalloc

import numpy as np
import pytest

import xgrad
import xgrad.functions as F
from xgrad import Config, Variable, testing
from xgrad.cuda import as_numpy
from xgrad.debug import AnomalyError, detect_anomaly
from xgrad.recompute import checkpoint, recompute


def layer(h, W, b):
    return F.tanh(F.linear(h, W, b))


def mlp_params(rng, to_backend, depth, width):
    return [
        (
            Variable(to_backend(rng.normal(0.0, 1.0 / np.sqrt(width), (width, width)))),
            Variable(to_backend(rng.normal(0.0, 0.1, (width,)))),
        )
        for _ in range(depth)
    ]


def plain_mlp(x, params):
    h = x
    for W, b in params:
        h = layer(h, W, b)
    return h


def checkpointed_mlp(x, params, segment):
    """Blocks of ``segment`` layers, each one checkpoint; parameters as arguments."""

    def block(h, *flat):
        for W, b in zip(flat[::2], flat[1::2], strict=True):
            h = layer(h, W, b)
        return h

    h = x
    for i in range(0, len(params), segment):
        flat = [p for pair in params[i : i + segment] for p in pair]
        h = checkpoint(block, h, *flat)
    return h


def grads(vs):
    return [v.grad.data for v in vs]


def all_params(params):
    return [p for pair in params for p in pair]


def test_checkpoint_gradients_equal_plain_gradients(to_backend, rng):
    params = mlp_params(rng, to_backend, depth=4, width=5)
    x = Variable(to_backend(rng.normal(size=(3, 5))))
    F.sum(plain_mlp(x, params) ** 2).backward()
    expected = grads([x, *all_params(params)])
    for v in [x, *all_params(params)]:
        v.cleargrad()
    y = checkpointed_mlp(x, params, segment=2)
    assert len(y.creator.inputs) == 5  # one node for two layers: h, W, b, W, b
    F.sum(y**2).backward()
    for got, want in zip(grads([x, *all_params(params)]), expected, strict=True):
        testing.assert_close(got, want, rtol=1e-12)


def test_checkpoint_with_captured_parameters(to_backend, rng):
    params = mlp_params(rng, to_backend, depth=3, width=4)
    x = Variable(to_backend(rng.normal(size=(2, 4))))
    F.sum(plain_mlp(x, params)).backward()
    expected = grads([x, *all_params(params)])
    for v in [x, *all_params(params)]:
        v.cleargrad()
    y = checkpoint(lambda h: plain_mlp(h, params), x)  # leaves read from outside
    F.sum(y).backward()
    for got, want in zip(grads([x, *all_params(params)]), expected, strict=True):
        testing.assert_close(got, want, rtol=1e-12)


def test_checkpoint_second_order_equals_plain(to_backend, rng):
    params = mlp_params(rng, to_backend, depth=4, width=3)
    leaves = all_params(params)

    def second_order(model):
        x = Variable(to_backend(rng_x))
        F.sum(model(x) ** 2).backward(create_graph=True)
        gx = x.grad  # a Variable on a graph: differentiate it again
        for v in [x, *leaves]:
            v.cleargrad()
        F.sum(gx * gx).backward()
        return [gx.data, *grads([x, *leaves])]

    rng_x = rng.normal(size=(2, 3))
    plain = second_order(lambda x: plain_mlp(x, params))
    for v in leaves:
        v.cleargrad()
    ckpt = second_order(lambda x: checkpointed_mlp(x, params, segment=2))
    for got, want in zip(ckpt, plain, strict=True):
        testing.assert_close(got, want, rtol=1e-10)


def test_checkpoint_with_several_outputs(to_backend):
    x = Variable(to_backend([1.0, 2.0]))
    z = Variable(to_backend([3.0, 4.0]))
    a, b = checkpoint(lambda x, z: (x * z, F.sin(x)), x, z)
    F.sum(a + 2.0 * b).backward()
    np.testing.assert_allclose(
        as_numpy(x.grad),
        [3.0 + 2 * np.cos(1.0), 4.0 + 2 * np.cos(2.0)],
        rtol=1e-12,
    )
    (only,) = checkpoint(lambda x: (x * 2.0,), x)
    assert isinstance(only, Variable)


def test_checkpoint_unused_output_and_input_get_no_gradient(to_backend):
    x = Variable(to_backend([1.0, 2.0]))
    z = Variable(to_backend([3.0, 4.0]))
    a, _ = checkpoint(lambda x, z: (x * 3.0, z * 5.0), x, z)
    F.sum(a).backward()
    assert z.grad is None
    np.testing.assert_array_equal(as_numpy(x.grad), [3.0, 3.0])


def test_checkpoint_reruns_in_the_forward_train_mode():
    modes = []

    def f(x):
        modes.append(Config.train)
        return x * 2.0

    x = Variable(np.ones(2))
    with xgrad.test_mode():
        y = checkpoint(f, x)
    F.sum(y).backward()
    assert modes == [False, False]


def test_checkpoint_under_no_grad_records_nothing():
    x = Variable(np.ones(2))
    with xgrad.no_grad():
        y = checkpoint(lambda x: F.exp(x), x)
    assert y.creator is None


def test_checkpoint_errors_name_the_fix():
    x = Variable(np.ones(2))
    with pytest.raises(TypeError, match="must return Variables"):
        checkpoint(lambda x: 3, x)
    with pytest.raises(ValueError, match="at least one input"):
        checkpoint(lambda: Variable(np.ones(2)))


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_anomaly_in_the_recomputation_names_the_line_in_f():
    x = Variable(np.array([0.0, 1.0]))

    def f(h):
        return F.sqrt(h)  # Inf gradient at 0

    with detect_anomaly():
        y = checkpoint(f, x)
        with pytest.raises(AnomalyError) as info:
            F.sum(y).backward()
    message = str(info.value)
    assert message.startswith("the backward of Sqrt produced Inf")
    assert "return F.sqrt(h)" in message
    assert "it was made by the backward of Recompute" in message
    assert "y = checkpoint(f, x)" in message


# -- the point of it: memory -----------------------------------------------------


def graph_bytes(y):
    """Bytes of the arrays the graph behind ``y`` keeps alive, leaves excluded."""
    seen, total, funcs = set(), 0, [y.creator]
    total += y.data.nbytes
    while funcs:
        f = funcs.pop()
        for x in f.inputs:
            if x.creator is not None and id(x) not in seen:
                seen.add(id(x))
                total += x.data.nbytes
                funcs.append(x.creator)
    return total


def build(model, x):
    """Run ``model(x)``; return the output and the bytes it left allocated."""
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        y = model(x)
        after = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    return y, after - before


def test_checkpoint_saves_memory_on_a_deep_mlp(rng):
    depth, width, batch = 20, 128, 64  # 64 KiB per float64 activation
    params = mlp_params(rng, np.asarray, depth, width)
    x = Variable(rng.normal(size=(batch, width)))

    y_plain, traced_plain = build(lambda x: plain_mlp(x, params), x)
    held_plain = graph_bytes(y_plain)
    F.sum(y_plain).backward()
    expected = grads([x, *all_params(params)])
    del y_plain
    for v in [x, *all_params(params)]:
        v.cleargrad()

    y_ckpt, traced_ckpt = build(lambda x: checkpointed_mlp(x, params, segment=5), x)
    held_ckpt = graph_bytes(y_ckpt)
    F.sum(y_ckpt).backward()

    activation = batch * width * 8
    assert held_plain == 2 * depth * activation  # linear and tanh output per layer
    assert held_ckpt == (depth // 5) * activation  # one output per 5-layer block
    assert held_plain / held_ckpt == 10
    assert traced_plain > 5 * traced_ckpt  # what the allocator says, too
    for got, want in zip(grads([x, *all_params(params)]), expected, strict=True):
        np.testing.assert_array_equal(got, want)  # the very same arithmetic


def test_recompute_is_also_spelled_checkpoint():
    assert xgrad.checkpoint is xgrad.recompute is recompute is checkpoint


def test_recompute_inside_grad_gives_the_plain_gradient(to_backend):
    W = Variable(to_backend([[1.0, 2.0], [0.5, -0.5]]))

    def block(h):
        return F.tanh(F.matmul(h, W))

    x = to_backend([[0.5, -1.0]])
    plain = xgrad.grad(lambda h: F.sum(block(h) ** 2))(x)
    recomputed = xgrad.grad(lambda h: F.sum(recompute(block, h) ** 2))(x)
    testing.assert_close(recomputed, plain, rtol=1e-12)
