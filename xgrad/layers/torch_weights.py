"""Copying the weights of PyTorch modules into xgrad layers: ``layer.load_torch``.

One converter per layer type reads the matching ``torch.nn`` module, checks
that its configuration and shapes fit the layer, and gives the layer's
Parameters their new arrays (and sizes a lazy layer from the module). Every
check runs before anything changes, so a refused module leaves the layer as
it was. PyTorch is imported only when a converter runs.

xgrad's Linear keeps ``W`` as (in, out), PyTorch's ``weight`` as (out, in): the
converters transpose. A recurrent layer's two biases per gate are summed into
the ``x2*`` Linear, except the GRU's candidate gate, whose hidden bias sits
inside the reset gate's product and stays in ``h2n``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NoReturn

import numpy as np

from .. import backends
from ..devices import device as _device
from ..functions.geometry import pair
from .attention import MultiHeadAttention
from .base import Layer
from .dense import Conv2d, Deconv2d, Linear
from .normalization import BatchNorm, Embedding, LayerNorm
from .recurrent import GRU, LSTM, RNN

__all__ = ["load_torch"]

Plan = list[tuple[Any, Any, str]]  # (Parameter, NumPy array, name for errors)


def load_torch(layer: Layer, module: Any) -> None:
    """Copy ``module``'s weights (and sizes) into ``layer``; see the module docstring."""
    owner = type(layer).__name__
    convert = next(
        (_CONVERTERS.get(c) for c in type(layer).__mro__ if c in _CONVERTERS), None
    )
    if convert is None or isinstance(layer, Deconv2d):
        names = ", ".join(sorted(c.__name__ for c in _CONVERTERS))
        raise TypeError(
            f"{owner}.load_torch: no converter for {owner}; layers with one: {names}"
        )
    import torch

    want = _MODULES[convert]
    if not isinstance(module, _torch_class(torch.nn, want)):
        raise TypeError(
            f"{owner}.load_torch: expected a torch.nn.{want.rpartition('.')[2]}, got "
            f"{type(module).__module__}.{type(module).__name__}"
        )
    plan, sizes = convert(layer, module, owner)
    target = _device(layer.device)
    backend = backends.get(target.backend)
    arrays = [(p, _native(backend, target.native, a), what) for p, a, what in plan]
    for param, array, what in arrays:
        if param.data is not None and tuple(param.shape) != tuple(array.shape):
            raise ValueError(
                f"{owner}.load_torch: {what} of the torch module gives shape "
                f"{tuple(array.shape)}, but this layer's is {tuple(param.shape)}; "
                f"make the layer with the module's sizes"
            )
    for obj, name, value in sizes:
        setattr(obj, name, value)
    for param, array, _ in arrays:
        param.data = array
        param.cleargrad()


def _torch_class(nn: Any, path: str) -> type:
    """``torch.nn.<path>``, for a dotted path such as ``modules.batchnorm._BatchNorm``."""
    found = nn
    for name in path.split("."):
        found = getattr(found, name)
    return found


def _native(backend: Any, native: Any, a: np.ndarray) -> Any:
    """NumPy ``a`` on the layer's backend and device; float32 where no float64."""
    if a.dtype == np.float64 and not backend.has_float64(native):
        a = a.astype(np.float32)
    return backend.from_numpy(np.ascontiguousarray(a), native)


def _np(tensor: Any) -> np.ndarray:
    """A copy of the tensor's values: the layer must never share memory with the
    module, or an in-place optimizer step on one would change the other."""
    return np.array(tensor.detach().cpu().numpy(), copy=True)


def _refuse(owner: str, what: str, fix: str) -> NoReturn:
    raise ValueError(f"{owner}.load_torch: {what}; {fix}")


def _same(owner: str, name: str, ours: Any, theirs: Any) -> None:
    if ours is not None and ours != theirs:
        _refuse(
            owner,
            f"the layer's {name} is {ours}, the module's {theirs}",
            "make the layer with the module's sizes",
        )


def _linear_plan(
    lin: Linear, weight: np.ndarray, bias: np.ndarray | None, owner: str, what: str
) -> tuple[Plan, list]:
    """``lin.W = weight.T`` and ``lin.b = bias``; sizes ``lin.in_size``."""
    if (lin.b is None) != (bias is None):
        has = "no bias" if lin.b is None else "a bias"
        _refuse(
            owner,
            f"{what}: the layer has {has}, the module "
            f"{'has one' if bias is not None else 'none'}",
            "match nobias to the module's bias",
        )
    _same(owner, f"{what} output size", lin.out_size, weight.shape[0])
    _same(owner, f"{what} input size", lin.in_size, weight.shape[1])
    plan: Plan = [(lin.W, weight.T, f"{what} weight")]
    if bias is not None:
        plan.append((lin.b, bias, f"{what} bias"))
    return plan, [(lin, "in_size", weight.shape[1])]


def _linear(layer: Linear, m: Any, owner: str) -> tuple[Plan, list]:
    bias = None if m.bias is None else _np(m.bias)
    return _linear_plan(layer, _np(m.weight), bias, owner, "Linear")


def _conv2d(layer: Conv2d, m: Any, owner: str) -> tuple[Plan, list]:
    if isinstance(m.padding, str) or m.groups != 1 or tuple(m.dilation) != (1, 1):
        _refuse(
            owner,
            f"the module has padding={m.padding!r}, groups={m.groups}, "
            f"dilation={m.dilation}",
            "use numeric padding, groups=1, dilation=1",
        )
    if m.padding_mode != "zeros":
        _refuse(owner, f"padding_mode={m.padding_mode!r}", "use padding_mode='zeros'")
    for name, ours, theirs in (
        ("kernel_size", layer.kernel_size, m.kernel_size),
        ("stride", layer.stride, m.stride),
        ("pad", layer.pad, m.padding),
    ):
        _same(owner, name, pair(ours), tuple(theirs))
    _same(owner, "out_channels", layer.out_channels, m.out_channels)
    if (layer.b is None) != (m.bias is None):
        _refuse(
            owner,
            "the layer and the module differ in having a bias",
            "match nobias to the module's bias",
        )
    plan: Plan = [(layer.W, _np(m.weight), "weight")]
    if m.bias is not None:
        plan.append((layer.b, _np(m.bias), "bias"))
    return plan, [(layer, "in_channels", m.in_channels)]


def _affine(m: Any, size: int) -> tuple[np.ndarray, np.ndarray]:
    """A normalisation's weight and bias; ones and zeros where it has none."""
    tensors = [
        t for t in (m.weight, m.bias, getattr(m, "running_mean", None)) if t is not None
    ]
    dtype = _np(tensors[0]).dtype if tensors else np.float32
    weight = np.ones(size, dtype) if m.weight is None else _np(m.weight)
    return weight, np.zeros(size, dtype) if m.bias is None else _np(m.bias)


def _layer_norm(layer: LayerNorm, m: Any, owner: str) -> tuple[Plan, list]:
    if len(m.normalized_shape) != 1:
        _refuse(
            owner,
            f"the module normalises over {tuple(m.normalized_shape)}",
            "xgrad's LayerNorm normalises over the last axis only",
        )
    gamma, beta = _affine(m, m.normalized_shape[0])
    return [(layer.gamma, gamma, "weight"), (layer.beta, beta, "bias")], [
        (layer, "eps", m.eps)
    ]


def _batch_norm(layer: BatchNorm, m: Any, owner: str) -> tuple[Plan, list]:
    if m.running_mean is None or m.momentum is None:
        _refuse(
            owner,
            "the module keeps no running statistics, or a cumulative average",
            "use track_running_stats=True and a numeric momentum",
        )
    gamma, beta = _affine(m, m.num_features)
    plan: Plan = [
        (layer.avg_mean, _np(m.running_mean), "running_mean"),
        (layer.avg_var, _np(m.running_var), "running_var"),
        (layer.gamma, gamma, "weight"),
        (layer.beta, beta, "bias"),
    ]
    return plan, [(layer, "eps", m.eps), (layer, "decay", 1.0 - m.momentum)]


def _embedding(layer: Embedding, m: Any, owner: str) -> tuple[Plan, list]:
    if m.padding_idx is not None or m.max_norm is not None:
        _refuse(
            owner,
            f"the module has padding_idx={m.padding_idx}, max_norm={m.max_norm}, "
            "which change its gradient or values",
            "set both to None on the module",
        )
    return [(layer.W, _np(m.weight), "weight")], []


def _chunks(tensor: Any, n: int) -> list[np.ndarray]:
    return np.split(_np(tensor), n)


def _recurrent(
    m: Any, owner: str, hidden: int, gates: int
) -> tuple[Any, Any, Any, Any]:
    """The per-gate chunks of a one-layer, one-way torch RNN/LSTM/GRU."""
    if m.num_layers != 1 or m.bidirectional or getattr(m, "proj_size", 0):
        _refuse(
            owner,
            f"the module has num_layers={m.num_layers}, "
            f"bidirectional={m.bidirectional}",
            "port one layer, one direction",
        )
    if getattr(m, "nonlinearity", "tanh") != "tanh":
        _refuse(owner, f"nonlinearity={m.nonlinearity!r}", "xgrad's RNN uses tanh")
    _same(owner, "hidden_size", hidden, m.hidden_size)
    w_ih, w_hh = _chunks(m.weight_ih_l0, gates), _chunks(m.weight_hh_l0, gates)
    if m.bias:
        b_ih, b_hh = _chunks(m.bias_ih_l0, gates), _chunks(m.bias_hh_l0, gates)
    else:
        b_ih = b_hh = [np.zeros(hidden, w_ih[0].dtype)] * gates
    return w_ih, w_hh, b_ih, b_hh


def _cell(
    layer: Layer,
    m: Any,
    owner: str,
    names: list[tuple[str, str]],
    gates: list[int],
    inner: tuple[int, ...] = (),
) -> tuple[Plan, list]:
    """Plans ``x2*`` (both biases summed) and ``h2*`` (no bias) from the torch gate
    chunks; the gates in ``inner`` keep their hidden bias in ``h2*``."""
    hidden = layer.__dict__[names[0][0]].out_size
    w_ih, w_hh, b_ih, b_hh = _recurrent(m, owner, hidden, len(gates))
    plan: Plan = []
    sizes: list = []
    for (x_name, h_name), g in zip(names, gates, strict=True):
        x_bias = b_ih[g] if g in inner else b_ih[g] + b_hh[g]
        p, s = _linear_plan(layer.__dict__[x_name], w_ih[g], x_bias, owner, x_name)
        h_bias = b_hh[g] if g in inner else None
        q, t = _linear_plan(layer.__dict__[h_name], w_hh[g], h_bias, owner, h_name)
        plan += p + q
        sizes += s + t
    return plan, sizes


def _rnn(layer: RNN, m: Any, owner: str) -> tuple[Plan, list]:
    return _cell(layer, m, owner, [("x2h", "h2h")], [0])


def _lstm(
    layer: LSTM, m: Any, owner: str
) -> tuple[Plan, list]:  # torch's gate order: i, f, g, o
    names = [("x2i", "h2i"), ("x2f", "h2f"), ("x2u", "h2u"), ("x2o", "h2o")]
    return _cell(layer, m, owner, names, [0, 1, 2, 3])


def _gru(
    layer: GRU, m: Any, owner: str
) -> tuple[Plan, list]:  # torch's gate order: r, z, n
    names = [("x2r", "h2r"), ("x2z", "h2z"), ("x2n", "h2n")]
    return _cell(layer, m, owner, names, [0, 1, 2], inner=(2,))


def _attention(layer: MultiHeadAttention, m: Any, owner: str) -> tuple[Plan, list]:
    if not m._qkv_same_embed_dim or m.bias_k is not None or m.add_zero_attn:
        _refuse(
            owner,
            "the module has kdim/vdim other than embed_dim, bias_k/bias_v or "
            "add_zero_attn",
            "port a module with none of them",
        )
    _same(owner, "embed_size", layer.embed_size, m.embed_dim)
    _same(owner, "n_heads", layer.n_heads, m.num_heads)
    weights = np.split(_np(m.in_proj_weight), 3)
    biases = [None] * 3 if m.in_proj_bias is None else np.split(_np(m.in_proj_bias), 3)
    plan: Plan = []
    sizes: list = []
    for name, w, b in zip(("q_proj", "k_proj", "v_proj"), weights, biases, strict=True):
        p, s = _linear_plan(layer.__dict__[name], w, b, owner, name)
        plan, sizes = plan + p, sizes + s
    out_bias = None if m.out_proj.bias is None else _np(m.out_proj.bias)
    p, s = _linear_plan(
        layer.out_proj, _np(m.out_proj.weight), out_bias, owner, "out_proj"
    )
    return plan + p, sizes + s


_CONVERTERS: dict[type, Callable[..., tuple[Plan, list]]] = {
    Linear: _linear,
    Conv2d: _conv2d,
    LayerNorm: _layer_norm,
    BatchNorm: _batch_norm,
    Embedding: _embedding,
    RNN: _rnn,
    LSTM: _lstm,
    GRU: _gru,
    MultiHeadAttention: _attention,
}
_MODULES = {
    _linear: "Linear",
    _conv2d: "Conv2d",
    _layer_norm: "LayerNorm",
    _batch_norm: "modules.batchnorm._BatchNorm",
    _embedding: "Embedding",
    _rnn: "RNN",
    _lstm: "LSTM",
    _gru: "GRU",
    _attention: "MultiheadAttention",
}
