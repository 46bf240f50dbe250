"""The transformer's and recurrent layers against PyTorch's, on every backend.

Each test makes a PyTorch module in float64, copies its weights into the
xgrad layer with ``load_torch`` (the layer on the backend's test device),
runs both on the same inputs and compares outputs and gradients (inputs and
parameters) to float64 rounding. Skipped where PyTorch is not installed.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import xgrad
import xgrad.functions as F
import xgrad.layers as L
from xgrad import Variable

torch = pytest.importorskip("torch", reason="torch: not installed")

CLOSE = {"rtol": 1e-10, "atol": 1e-12}


@pytest.fixture(autouse=True)
def _seeded():
    torch.manual_seed(0)


def _t(a: np.ndarray) -> Any:
    """A float64 tensor that wants its gradient."""
    return torch.tensor(a, dtype=torch.float64, requires_grad=True)


def _numpy(v: Any) -> np.ndarray:
    """A Variable's (or a tensor's) values as NumPy."""
    if isinstance(v, Variable):
        return v.backend.to_numpy(v.data)
    return v.detach().numpy() if isinstance(v, torch.Tensor) else np.asarray(v)


def _close(ours: Any, theirs: Any) -> None:
    np.testing.assert_allclose(_numpy(ours), _numpy(theirs), **CLOSE)


def _randomise(module: Any) -> Any:
    """Every floating parameter and buffer of ``module`` drawn afresh (no zeros, no
    ones: a copy that lost a bias or a scale shows)."""
    with torch.no_grad():
        for name, p in [*module.named_parameters(), *module.named_buffers()]:
            if p.is_floating_point():  # variances positive
                p.copy_(
                    torch.rand_like(p) + 0.5 if "var" in name else torch.randn_like(p)
                )
    return module


def _backward(y: Variable, y_t: Any, seed: np.ndarray) -> None:
    """Both sides backward from the same upstream gradient."""
    F.sum(y * Variable(_like(y, seed))).backward()
    (y_t * torch.as_tensor(seed)).sum().backward()


def _like(v: Variable, a: np.ndarray) -> Any:
    return v.backend.from_numpy(a.astype(np.float64), v.backend.device_of(v.data))


@pytest.fixture
def put(backend, device, to_backend):
    """NumPy data as a Variable on the backend's test device."""
    return lambda a: Variable(to_backend(np.asarray(a)))


# -- the elementwise and normalisation layers -------------------------------------------
def test_linear_matches_torch(device_spec, put, rng):
    module = _randomise(torch.nn.Linear(4, 3).double())
    layer = L.Linear(3).to_device(device_spec).load_torch(module)
    assert layer.in_size == 4
    assert layer.W.shape == (4, 3)
    x = rng.standard_normal((5, 4))
    x_v, x_t = put(x), _t(x)
    y, y_t = layer(x_v), module(x_t)
    _close(y, y_t)
    _backward(y, y_t, rng.standard_normal(y.shape))
    _close(x_v.grad, x_t.grad)
    np.testing.assert_allclose(
        _numpy(layer.W.grad), _numpy(module.weight.grad).T, **CLOSE
    )
    _close(layer.b.grad, module.bias.grad)


def test_conv2d_matches_torch(device_spec, put, rng):
    module = _randomise(
        torch.nn.Conv2d(2, 3, (3, 2), stride=(2, 1), padding=1).double()
    )
    layer = L.Conv2d(3, (3, 2), stride=(2, 1), pad=1).to_device(device_spec)
    layer.load_torch(module)
    x = rng.standard_normal((2, 2, 5, 4))
    x_v, x_t = put(x), _t(x)
    y, y_t = layer(x_v), module(x_t)
    _close(y, y_t)
    _backward(y, y_t, rng.standard_normal(y.shape))
    _close(x_v.grad, x_t.grad)
    _close(layer.W.grad, module.weight.grad)
    _close(layer.b.grad, module.bias.grad)


def test_layer_norm_matches_torch(device_spec, put, rng):
    module = _randomise(torch.nn.LayerNorm(5, eps=1e-4).double())
    layer = L.LayerNorm().to_device(device_spec).load_torch(module)
    assert layer.eps == 1e-4
    x = rng.standard_normal((2, 3, 5))
    x_v, x_t = put(x), _t(x)
    y, y_t = layer(x_v), module(x_t)
    _close(y, y_t)
    _backward(y, y_t, rng.standard_normal(y.shape))
    _close(x_v.grad, x_t.grad)
    _close(layer.gamma.grad, module.weight.grad)
    _close(layer.beta.grad, module.bias.grad)


def test_layer_norm_learns_its_size_dtype_and_device_from_the_first_input(
    backend, device_spec, put, rng
):
    layer = L.LayerNorm()
    x = put(rng.standard_normal((4, 6)).astype(np.float32))
    y = layer(x)
    assert layer.gamma.shape == (6,)
    assert layer.gamma.dtype == x.dtype
    assert str(layer.gamma.device) == str(xgrad.device(device_spec))
    np.testing.assert_allclose(_numpy(F.mean(y, axis=-1)), 0.0, atol=1e-6)
    with pytest.raises(
        ValueError, match=r"LayerNorm: gamma \(6,\) was made for rows of 6"
    ):
        layer(put(np.ones((4, 5), dtype=np.float32)))


@pytest.mark.parametrize("train", [True, False], ids=["train", "test"])
def test_batch_norm_matches_torch(train, device_spec, put, rng):
    module = _randomise(torch.nn.BatchNorm1d(3, eps=1e-3, momentum=0.2).double())
    layer = L.BatchNorm().to_device(device_spec).load_torch(module)
    assert layer.decay == pytest.approx(0.8)
    module.train(train)
    x = rng.standard_normal((6, 3))
    x_v, x_t = put(x), _t(x)
    with xgrad.using_config("train", train):
        y = layer(x_v)
    y_t = module(x_t)
    _close(y, y_t)
    _close(layer.avg_mean, module.running_mean)  # updated alike while training
    _close(layer.avg_var, module.running_var)
    _backward(y, y_t, rng.standard_normal(y.shape))
    _close(x_v.grad, x_t.grad)
    _close(layer.gamma.grad, module.weight.grad)


def test_embedding_matches_torch_and_embed_id_is_its_book_name(device_spec, put, rng):
    module = torch.nn.Embedding(7, 4).double()
    layer = L.Embedding(7, 4).to_device(device_spec).load_torch(module)
    ids = np.array([[0, 6, 6], [2, 3, 0]])
    y, y_t = layer(put(ids)), module(torch.as_tensor(ids))
    _close(y, y_t)
    _backward(y, y_t, rng.standard_normal(y.shape))
    _close(layer.W.grad, module.weight.grad)
    assert isinstance(L.EmbedID(7, 4), L.Embedding)
    assert L.EmbedID(7, 4).W.shape == (7, 4)


# -- recurrent layers, over a few steps ---------------------------------------------------
def _steps(layer: Any, module: Any, put, rng, n_steps: int = 3) -> tuple[Any, Any]:
    """Run both over one sequence (batch 2, input 3); gradients from every step."""
    xs = rng.standard_normal((n_steps, 2, 3))
    xs_v = [put(x) for x in xs]
    xs_t = _t(xs)
    outputs_t, _ = module(xs_t)  # (T, N, H): torch's sequence-first layout
    seed = rng.standard_normal(outputs_t.shape)
    total = None
    for t, x in enumerate(xs_v):
        h = layer(x)
        _close(h, outputs_t[t])
        term = F.sum(h * Variable(_like(h, seed[t])))
        total = term if total is None else total + term
    total.backward()
    (outputs_t * torch.as_tensor(seed)).sum().backward()
    for t, x in enumerate(xs_v):
        _close(x.grad, xs_t.grad[t])
    return xs_v, xs_t


def _gate(weight: Any, index: int, n_gates: int) -> np.ndarray:
    return np.split(_numpy(weight.grad), n_gates)[index]


@pytest.mark.parametrize("in_size", [None, 3], ids=["lazy", "sized"])
def test_rnn_matches_torch_over_three_steps(in_size, device_spec, put, rng):
    module = _randomise(torch.nn.RNN(3, 4).double())
    layer = L.RNN(4, in_size=in_size).to_device(device_spec).load_torch(module)
    _steps(layer, module, put, rng)
    np.testing.assert_allclose(
        _numpy(layer.h2h.W.grad), _numpy(module.weight_hh_l0.grad).T, **CLOSE
    )
    _close(layer.x2h.b.grad, module.bias_ih_l0.grad)


def test_lstm_matches_torch_over_three_steps(device_spec, put, rng):
    module = _randomise(torch.nn.LSTM(3, 4).double())
    layer = L.LSTM(4).to_device(device_spec).load_torch(module)
    _steps(layer, module, put, rng)
    for i, name in enumerate(["i", "f", "u", "o"]):  # torch's gate order: i, f, g, o
        ours = getattr(layer, f"h2{name}").W.grad
        theirs = _gate(module.weight_hh_l0, i, 4).T
        np.testing.assert_allclose(_numpy(ours), theirs, **CLOSE)


@pytest.mark.parametrize("in_size", [None, 3], ids=["lazy", "sized"])
def test_gru_matches_torch_over_three_steps(in_size, device_spec, put, rng):
    module = _randomise(torch.nn.GRU(3, 4).double())
    layer = L.GRU(4, in_size=in_size).to_device(device_spec).load_torch(module)
    _steps(layer, module, put, rng)
    for i, name in enumerate(["r", "z", "n"]):
        ours = getattr(layer, f"x2{name}").W.grad
        theirs = _gate(module.weight_ih_l0, i, 3).T
        np.testing.assert_allclose(_numpy(ours), theirs, **CLOSE)
    _close(layer.h2n.b.grad, _gate(module.bias_hh_l0, 2, 3))


def test_gru_starts_from_zeros_and_reset_state_starts_again(put, rng):
    layer = L.GRU(4)
    x = put(rng.standard_normal((2, 3)))
    first = _numpy(layer(x))
    assert not np.allclose(_numpy(layer(x)), first)  # the state carried over
    layer.reset_state()
    np.testing.assert_allclose(_numpy(layer(x)), first, **CLOSE)


# -- attention ---------------------------------------------------------------------------
def _attention_pair(device_spec, causal=False, in_size=None):
    module = _randomise(torch.nn.MultiheadAttention(8, 2, batch_first=True).double())
    layer = L.MultiHeadAttention(2, 8, in_size=in_size, causal=causal)
    return layer.to_device(device_spec).load_torch(module), module


def _grads_match(layer, module) -> None:
    w_q = np.split(_numpy(module.in_proj_weight.grad), 3)[0]
    np.testing.assert_allclose(_numpy(layer.q_proj.W.grad), w_q.T, **CLOSE)
    b_v = np.split(_numpy(module.in_proj_bias.grad), 3)[2]
    np.testing.assert_allclose(_numpy(layer.v_proj.b.grad), b_v, **CLOSE)
    np.testing.assert_allclose(
        _numpy(layer.out_proj.W.grad), _numpy(module.out_proj.weight.grad).T, **CLOSE
    )


@pytest.mark.parametrize("in_size", [None, 8], ids=["lazy", "sized"])
def test_self_attention_matches_torch(in_size, device_spec, put, rng):
    layer, module = _attention_pair(device_spec, in_size=in_size)
    x = rng.standard_normal((2, 5, 8))
    x_v, x_t = put(x), _t(x)
    y, (y_t, _) = layer(x_v), module(x_t, x_t, x_t, need_weights=False)
    _close(y, y_t)
    _backward(y, y_t, rng.standard_normal(y.shape))
    _close(x_v.grad, x_t.grad)
    _grads_match(layer, module)


def test_causal_attention_matches_torch_and_ignores_the_future(device_spec, put, rng):
    layer, module = _attention_pair(device_spec, causal=True)
    x = rng.standard_normal((2, 5, 8))
    x_v, x_t = put(x), _t(x)
    future = torch.triu(torch.ones(5, 5, dtype=torch.bool), 1)  # torch: True = masked
    y, (y_t, _) = (
        layer(x_v),
        module(x_t, x_t, x_t, attn_mask=future, need_weights=False),
    )
    _close(y, y_t)
    _backward(y, y_t, rng.standard_normal(y.shape))
    _close(x_v.grad, x_t.grad)
    _grads_match(layer, module)
    changed = x.copy()
    changed[:, 3:] = rng.standard_normal((2, 2, 8))  # positions 3 and 4 only
    y_changed = _numpy(layer(put(changed)))
    np.testing.assert_allclose(y_changed[:, :3], _numpy(y)[:, :3], **CLOSE)
    assert not np.allclose(y_changed[:, 3:], _numpy(y)[:, 3:])


def test_padding_mask_matches_torch_and_ignores_the_padding(device_spec, put, rng):
    layer, module = _attention_pair(device_spec)
    x = rng.standard_normal((2, 5, 8))
    lengths = np.array([3, 5])
    keep = np.arange(5)[None, :] < lengths[:, None]  # (N, S): True = a real token
    x_v, x_t = put(x), _t(x)
    y = layer(x_v, mask=keep[:, None, None, :])
    y_t, _ = module(
        x_t, x_t, x_t, key_padding_mask=torch.as_tensor(~keep), need_weights=False
    )
    _close(y, y_t)
    _backward(y, y_t, rng.standard_normal(y.shape))
    _close(x_v.grad, x_t.grad)
    assert np.all(np.isfinite(_numpy(x_v.grad)))
    padded = x.copy()
    padded[0, 3:] = 1e3  # padding positions of the first sequence, as keys
    y_padded = _numpy(layer(put(padded), mask=keep[:, None, None, :]))
    np.testing.assert_allclose(y_padded[0, :3], _numpy(y)[0, :3], **CLOSE)


def test_a_query_allowed_no_key_gets_zeros_and_no_nan(device_spec, put, rng):
    layer, _ = _attention_pair(device_spec)
    keep = np.ones((2, 1, 4, 4), dtype=bool)
    keep[0, 0, 1] = False  # query 1 of the first sequence sees nothing
    x_v = put(rng.standard_normal((2, 4, 8)))
    y = layer(x_v, mask=keep)
    F.sum(y * y).backward()
    assert np.all(np.isfinite(_numpy(y)))
    assert np.all(np.isfinite(_numpy(x_v.grad)))
    heads = F.scaled_dot_product_attention(
        put(rng.standard_normal((2, 2, 4, 3))),
        put(rng.standard_normal((2, 2, 4, 3))),
        put(rng.standard_normal((2, 2, 4, 3))),
        mask=keep,
    )
    np.testing.assert_array_equal(_numpy(heads)[0, :, 1], 0.0)  # every head


def test_cross_attention_matches_torch(device_spec, put, rng):
    layer, module = _attention_pair(device_spec)
    x, memory = rng.standard_normal((2, 3, 8)), rng.standard_normal((2, 6, 8))
    x_v, m_v, x_t, m_t = put(x), put(memory), _t(x), _t(memory)
    y, (y_t, _) = layer(x_v, m_v), module(x_t, m_t, m_t, need_weights=False)
    _close(y, y_t)
    _backward(y, y_t, rng.standard_normal(y.shape))
    _close(x_v.grad, x_t.grad)
    _close(m_v.grad, m_t.grad)


def test_attention_float32_matches_torch_to_float32_rounding(device_spec, put, rng):
    module = _randomise(torch.nn.MultiheadAttention(8, 4, batch_first=True))
    layer = L.MultiHeadAttention(4, 8, causal=True).to_device(device_spec)
    layer.load_torch(module)
    x = rng.standard_normal((2, 5, 8)).astype(np.float32)
    mask = torch.triu(torch.ones(5, 5, dtype=torch.bool), 1)
    y_t, _ = module(*[torch.as_tensor(x)] * 3, attn_mask=mask, need_weights=False)
    y = layer(put(x))
    assert y.dtype == put(x).dtype
    np.testing.assert_allclose(_numpy(y), _numpy(y_t), rtol=1e-5, atol=1e-6)


def test_attention_refuses_what_it_cannot_take(put):
    with pytest.raises(ValueError, match="embed_size 10 must split into n_heads 4"):
        L.MultiHeadAttention(4, 10)
    layer = L.MultiHeadAttention(2, 8)
    with pytest.raises(ValueError, match=r"x must be \(N, T, features\)"):
        layer(put(np.ones((5, 8))))
    with pytest.raises(ValueError, match="does not broadcast to the attention scores"):
        layer(put(np.ones((2, 5, 8))), mask=np.ones((3, 5), dtype=bool))


# -- Dropout -----------------------------------------------------------------------------
def test_dropout_layer_drops_while_training_and_passes_through_in_test_mode(put):
    layer = L.Dropout(0.25)
    x = put(np.ones((200, 50)))
    xgrad.manual_seed(0)
    y = _numpy(layer(x))
    assert set(np.unique(y)) <= {0.0, 1 / 0.75}
    assert abs((y == 0).mean() - 0.25) < 0.02
    with xgrad.test_mode():
        assert layer(x) is x
    assert list(layer.params()) == []
    with pytest.raises(ValueError, match=r"Dropout: ratio must be in \[0, 1\)"):
        L.Dropout(1.0)
