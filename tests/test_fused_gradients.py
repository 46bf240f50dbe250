"""The fused ops of a transformer (gelu, softmax, attention, layer norm, linear)
write their temporaries in place: they never touch an array they were given,
and their derivatives hold to the third order.

The op table (tests/op_cases/) checks first and second derivatives of each;
these tests add what it cannot see: that the inputs, the upstream gradients
and the saved arrays come out of every pass unchanged, and third
derivatives against PyTorch's.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import xgrad
import xgrad.functions as F
from xgrad import backends
from xgrad.functions.temporaries import add_into, multiply_into, subtract_into

CAUSAL = {"causal": True}
FUSED: dict[str, tuple[list[tuple[int, ...]], Callable[..., Any]]] = {
    "gelu_tanh": ([(4, 6)], lambda x: F.gelu(x, approximate="tanh")),
    "gelu_exact": ([(4, 6)], lambda x: F.gelu(x)),
    "softmax_axis0": ([(4, 6)], lambda x: F.softmax(x, axis=0)),
    "softmax_two_axes": ([(2, 3, 4)], lambda x: F.softmax(x, axis=(1, 2))),
    "attention_causal": (
        [(2, 5, 3), (2, 5, 3), (2, 5, 2)],
        lambda q, k, v: F.scaled_dot_product_attention(q, k, v, **CAUSAL),
    ),
    "attention_scaled_scores": (  # d > keys: the scores are scaled, not q
        [(2, 3, 6), (2, 2, 6), (2, 2, 2)],
        F.scaled_dot_product_attention,
    ),
    "attention_broadcast": (  # v has a batch axis that q and k lack
        [(3, 2), (4, 2), (2, 4, 3)],
        F.scaled_dot_product_attention,
    ),
    "layer_norm": ([(3, 4), (4,), (4,)], F.layer_norm),
    "layer_norm_beta_only": ([(3, 4), (4,)], lambda x, b: F.layer_norm(x, beta=b)),
    "linear": ([(5, 3), (3, 4), (4,)], F.linear),
}


def _numpy(a: Any) -> np.ndarray:
    return backends.of(a).to_numpy(a)


def _total(y: Any) -> Any:
    """A scalar of ``y`` whose gradient is not all ones (so that every term shows)."""
    backend = backends.of(y.data)
    weights = np.cos(np.arange(y.size)).reshape(y.shape)
    weights = backend.from_numpy(weights, backend.device_of(y.data))
    return F.sum(y * xgrad.Variable(backend.xp.astype(weights, y.dtype)))


@pytest.mark.parametrize("name", FUSED)
def test_fused_ops_leave_every_array_they_are_given_unchanged(name, to_backend, rng):
    shapes, func = FUSED[name]
    arrays = [rng.uniform(-2.0, 2.0, shape) for shape in shapes]
    xs = [xgrad.Variable(to_backend(a)) for a in arrays]
    y = func(*xs)
    seed = rng.uniform(-1.0, 1.0, tuple(y.shape))
    gy = xgrad.Variable(to_backend(seed))
    y.grad = gy
    y.backward(create_graph=True)
    grads = [x.grad for x in xs]
    first = [_numpy(g.data).copy() for g in grads]
    for x in xs:
        x.cleargrad()
    sum(_total(g) for g in grads).backward()  # the fused gradients' own backward

    for x, a in zip(xs, arrays, strict=True):
        np.testing.assert_array_equal(_numpy(x.data), a)
    np.testing.assert_array_equal(_numpy(gy.data), seed)
    for g, kept in zip(grads, first, strict=True):
        np.testing.assert_array_equal(_numpy(g.data), kept)


def _third_derivatives(func: Callable[..., Any], arrays: list[np.ndarray]) -> list:
    """``d/dx sum(w * d/dx sum(w * d/dx sum(w * func)))`` for each input, xgrad."""
    xs = [xgrad.Variable(a) for a in arrays]
    out = _total(func(*xs))
    for _ in range(3):
        out.backward(create_graph=True)
        grads = [x.grad for x in xs]
        for x in xs:
            x.cleargrad()
        out = sum(_total(g) for g in grads if g is not None)
    return [
        np.zeros(a.shape) if g is None else g.data
        for a, g in zip(arrays, grads, strict=True)
    ]


def _torch_third_derivatives(
    func: Callable[..., Any], arrays: list[np.ndarray]
) -> list:
    torch = pytest.importorskip("torch", reason="torch: not installed")

    def total(y: Any) -> Any:
        weights = torch.cos(torch.arange(y.numel(), dtype=y.dtype)).reshape(y.shape)
        return (y * weights).sum()

    ts = [torch.tensor(a, requires_grad=True) for a in arrays]
    out = total(func(*ts))
    for _ in range(3):
        grads = torch.autograd.grad(out, ts, create_graph=True, allow_unused=True)
        out = sum(total(g) for g in grads if g is not None)
    return [
        np.zeros(a.shape) if g is None else g.detach().numpy()
        for a, g in zip(arrays, grads, strict=True)
    ]


def _torch_layer_norm(x, gamma, beta):
    """Layer norm composed of PyTorch ops: its fused ``layer_norm`` gives a wrong
    third derivative in torch 2.13 (central differences of its own second
    derivative disagree with it, and agree with xgrad's)."""
    centred = x - x.mean(-1, keepdim=True)
    var = (centred * centred).mean(-1, keepdim=True)
    return centred / (var + 1e-5).sqrt() * gamma + beta


def _torch_attention(q, k, v):
    import torch

    return torch.nn.functional.scaled_dot_product_attention(q, k, v, is_causal=True)


THIRD = {
    "gelu_tanh": (
        [(3, 4)],
        lambda x: F.gelu(x, approximate="tanh"),
        lambda x: _gelu(x, "tanh"),
    ),
    "gelu_exact": ([(3, 4)], F.gelu, lambda x: _gelu(x, "none")),
    "softmax": ([(3, 4)], F.softmax, lambda x: x.softmax(1)),
    "layer_norm": ([(3, 4), (4,), (4,)], F.layer_norm, _torch_layer_norm),
    "attention_causal": (
        [(2, 4, 3), (2, 4, 3), (2, 4, 2)],
        lambda q, k, v: F.scaled_dot_product_attention(q, k, v, causal=True),
        _torch_attention,
    ),
}


def _gelu(x: Any, approximate: str) -> Any:
    import torch

    return torch.nn.functional.gelu(x, approximate=approximate)


@pytest.mark.parametrize("name", THIRD)
def test_third_derivatives_agree_with_torch(name, rng):
    shapes, ours, theirs = THIRD[name]
    arrays = [rng.uniform(-2.0, 2.0, shape) for shape in shapes]
    expected = _torch_third_derivatives(theirs, arrays)
    for got, want in zip(_third_derivatives(ours, arrays), expected, strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-12)


def test_in_place_helpers_write_into_the_scratch_array_when_the_result_fits(
    to_backend, xp
):
    scratch = to_backend(np.full((2, 3), 6.0))
    row = to_backend(np.array([1.0, 2.0, 3.0]))
    got = subtract_into(add_into(multiply_into(scratch, row), row), row)
    np.testing.assert_array_equal(_numpy(got), [[6.0, 12.0, 18.0]] * 2)
    if backends.of(scratch).writes_in_place:
        assert got is scratch


def test_in_place_helpers_give_a_fresh_array_where_the_result_would_not_fit(
    to_backend, xp
):
    scratch = to_backend(np.full((1, 3), 2.0))
    column = to_backend(np.ones((2, 1)))  # broadcasts scratch up to (2, 3)
    grown = multiply_into(scratch, column)
    assert tuple(grown.shape) == (2, 3)
    np.testing.assert_array_equal(_numpy(scratch), [[2.0, 2.0, 2.0]])
    small = xp.astype(to_backend(np.full((3,), 2.0)), xp.float32)
    promoted = add_into(small, to_backend(np.full((3,), 0.5)))  # float64 wins
    assert promoted.dtype == xp.float64
    np.testing.assert_array_equal(_numpy(small), [2.0, 2.0, 2.0])


def test_attention_of_mixed_dtypes_agrees_with_one_dtype(to_backend, xp, rng):
    """q of float32 beside k and v of float64 (composed ops, not the fused one)."""
    q, k, v = (rng.uniform(-1.0, 1.0, (2, 3, 4)) for _ in range(3))
    mixed = [xgrad.Variable(xp.astype(to_backend(q), xp.float32))]
    mixed += [xgrad.Variable(to_backend(a)) for a in (k, v)]
    rounded = xgrad.Variable(xp.astype(mixed[0].data, xp.float64))  # q's values
    same = [rounded] + [xgrad.Variable(to_backend(a)) for a in (k, v)]
    for xs in (mixed, same):
        F.sum(F.scaled_dot_product_attention(*xs, causal=True)).backward()
    for a, b in zip(mixed, same, strict=True):
        np.testing.assert_allclose(_numpy(a.grad.data), _numpy(b.grad.data), rtol=1e-6)


def test_attention_broadcast_over_batch_axes_to_the_third_derivative(rng):
    """q and k without v's batch axis give what q and k broadcast by hand give."""
    arrays = [rng.uniform(-2.0, 2.0, shape) for shape in [(3, 2), (4, 2), (2, 4, 3)]]

    def by_hand(q, k, v):
        q, k = F.broadcast_to(q, (2, 3, 2)), F.broadcast_to(k, (2, 4, 2))
        return F.scaled_dot_product_attention(q, k, v, causal=True)

    def broadcast(q, k, v):
        return F.scaled_dot_product_attention(q, k, v, causal=True)

    got = _third_derivatives(broadcast, arrays)
    for a, b in zip(got, _third_derivatives(by_hand, arrays), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)
