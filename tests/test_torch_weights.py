"""``layer.load_torch``: what it refuses, that a refusal changes nothing, and
that the new layers move between devices and round-trip through weight files.

The value comparisons against PyTorch live in tests/test_layers_modern.py.
"""

from __future__ import annotations

import numpy as np
import pytest

import xgrad
import xgrad.functions as F
import xgrad.layers as L
from xgrad import Variable

torch = pytest.importorskip("torch", reason="torch: not installed")


@pytest.mark.parametrize(
    ("layer", "module", "error", "message"),
    [
        (L.Linear(3), torch.nn.Conv2d(2, 3, 3), TypeError,
         r"Linear.load_torch: expected a torch.nn.Linear, got torch.nn.modules.conv.Conv2d"),
        (L.Linear(3, in_size=5), torch.nn.Linear(4, 3), ValueError,
         "the layer's Linear input size is 5, the module's 4"),
        (L.Linear(3, nobias=True), torch.nn.Linear(4, 3), ValueError,
         "Linear: the layer has no bias, the module has one"),
        (L.Conv2d(3, 3, stride=2), torch.nn.Conv2d(2, 3, 3), ValueError,
         r"the layer's stride is \(2, 2\), the module's \(1, 1\)"),
        (L.Conv2d(3, 3), torch.nn.Conv2d(2, 3, 3, groups=1, dilation=2), ValueError,
         "dilation"),
        (L.LayerNorm(), torch.nn.LayerNorm((2, 3)), ValueError, "normalises over the last"),
        (L.Embedding(5, 4), torch.nn.Embedding(6, 4), ValueError,
         r"gives shape \(6, 4\), but this layer's is \(5, 4\)"),
        (L.Embedding(5, 4), torch.nn.Embedding(5, 4, padding_idx=0), ValueError,
         "padding_idx=0"),
        (L.LSTM(4), torch.nn.LSTM(3, 4, num_layers=2), ValueError, "num_layers=2"),
        (L.GRU(4), torch.nn.GRU(3, 5), ValueError, "hidden_size is 4, the module's 5"),
        (L.RNN(4), torch.nn.RNN(3, 4, nonlinearity="relu"), ValueError, "uses tanh"),
        (L.MultiHeadAttention(2, 8), torch.nn.MultiheadAttention(8, 4), ValueError,
         "n_heads is 2, the module's 4"),
        (L.MultiHeadAttention(2, 8), torch.nn.MultiheadAttention(8, 2, kdim=4, vdim=4),
         ValueError, "kdim/vdim"),
        (L.Deconv2d(3, 3), torch.nn.ConvTranspose2d(2, 3, 3), TypeError,
         "no converter for Deconv2d"),
    ],
    ids=["type", "in_size", "bias", "stride", "dilation", "layer_norm_2d", "embedding",
         "padding_idx", "layers", "hidden", "relu", "heads", "kdim", "deconv"],
)  # fmt: skip
def test_a_module_that_does_not_fit_is_refused(layer, module, error, message):
    with pytest.raises(error, match=message):
        layer.load_torch(module)


def test_a_refused_module_changes_nothing():
    layer = L.MultiHeadAttention(2, 8, in_size=8)
    before = {k: np.array(p.data) for k, p in _params(layer).items()}
    module = torch.nn.MultiheadAttention(8, 2, bias=False)  # the layer has biases
    with pytest.raises(ValueError, match="q_proj: the layer has a bias"):
        layer.load_torch(module)
    for key, p in _params(layer).items():
        np.testing.assert_array_equal(p.data, before[key])


def test_a_lazy_layer_takes_its_sizes_from_the_module_and_its_dtype():
    layer = L.GRU(4)
    layer.load_torch(torch.nn.GRU(3, 4).double())
    assert layer.x2r.in_size == 3
    assert layer.h2n.W.shape == (4, 4)
    assert layer.x2z.W.dtype == np.float64
    y = layer(np.ones((2, 3)))
    assert y.shape == (2, 4)


def _params(layer) -> dict:
    return {p.name + str(i): p for i, p in enumerate(layer.params())}


def _new_layers():
    return {
        "LayerNorm": (lambda: L.LayerNorm(), (2, 3, 4)),
        "MultiHeadAttention": (
            lambda: L.MultiHeadAttention(2, 4, causal=True),
            (2, 3, 4),
        ),
        "GRU": (lambda: L.GRU(3), (2, 4)),
        "Embedding": (lambda: L.Embedding(5, 3), None),
        "Dropout": (lambda: L.Dropout(0.5), (2, 4)),
    }


LAYERS = _new_layers()


@pytest.mark.parametrize(("make", "shape"), list(LAYERS.values()), ids=list(LAYERS))
def test_a_new_layer_moved_to_a_device_runs_and_learns_there(
    make, shape, backend, device_spec, to_backend, rng
):
    layer = make().to_device(device_spec)
    if shape is None:
        x = to_backend(np.array([[0, 4, 4], [1, 2, 3]]))
    else:
        x = to_backend(rng.standard_normal(shape).astype(np.float32))
    y = layer(x)
    if isinstance(layer, L.GRU):
        y = layer(x)  # the second step uses the recurrent weights
    assert y.backend is backend
    assert str(y.device) == str(xgrad.device(device_spec))
    F.sum(y * y).backward()
    for p in layer.params():
        assert str(p.device) == str(xgrad.device(device_spec))
        assert str(p.grad.device) == str(xgrad.device(device_spec))


@pytest.mark.parametrize(
    ("make", "shape"),
    [v for k, v in LAYERS.items() if k != "Dropout"],
    ids=[k for k in LAYERS if k != "Dropout"],
)
def test_a_new_layer_saves_and_loads_its_weights(make, shape, tmp_path, rng):
    x = (
        np.array([[0, 4, 4], [1, 2, 3]])
        if shape is None
        else rng.standard_normal(shape)
    )
    x = x if shape is None else x.astype(np.float32)
    layer, other = make(), make()
    want = layer(x).data
    layer.save_weights(tmp_path / "w.npz")
    other(x)  # lazy weights exist before loading
    other.load_weights(tmp_path / "w.npz")
    if isinstance(other, L.GRU):
        other.reset_state()
    np.testing.assert_array_equal(other(Variable(x)).data, want)


def test_layer_norm_gives_integer_input_floating_parameters(to_backend):
    layer = L.LayerNorm()
    y = layer(to_backend(np.array([[0, 1, 2], [3, 5, 4]])))
    assert layer.gamma.dtype == y.dtype
    assert y.backend.xp.isdtype(y.dtype, "real floating")


def test_loaded_weights_share_no_memory_with_the_module():
    module = torch.nn.LayerNorm(4)
    layer = L.LayerNorm().load_torch(module)
    layer.gamma.data[...] = 7.0  # an in-place optimizer step writes like this
    assert float(module.weight.detach()[0]) == 1.0
    embedding = torch.nn.Embedding(5, 3)
    before = embedding.weight.detach().clone()
    lookup = L.Embedding(5, 3).load_torch(embedding)
    lookup.W.data[...] = 0.0
    assert torch.equal(embedding.weight.detach(), before)
