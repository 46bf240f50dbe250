"""One row per op: how to call it, its NumPy reference, and where to sample inputs.

``test_ops.py`` runs every row on every backend: forward against the
reference, backward against float64 central differences, and (unless the row
says ``smooth=False``) the second derivative likewise. A new op is a new row.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

import xgrad.functions as F

Inputs = Callable[[np.random.Generator], list[np.ndarray]]


@dataclass(frozen=True)
class OpCase:
    name: str
    func: Callable[..., Any]
    reference: Callable[..., Any]
    inputs: Inputs
    smooth: bool = True  # check the second derivative too
    # Backends that refuse this op by design, with the start of their error
    # (NotImplementedError): the tests check the refusal there instead.
    refused: dict[str, str] = field(default_factory=dict)


def uniform(*shapes: tuple[int, ...], low: float = -2.0, high: float = 2.0) -> Inputs:
    return lambda rng: [rng.uniform(low, high, s) for s in shapes]


def away_from_zero(
    *shapes: tuple[int, ...], low: float = 0.3, high: float = 2.0
) -> Inputs:
    """Values with |x| in [low, high]: keeps kinks and poles out of reach of eps."""
    return lambda rng: [
        rng.uniform(low, high, s) * rng.choice([-1.0, 1.0], s) for s in shapes
    ]


def positive(*shapes: tuple[int, ...], low: float = 0.5, high: float = 2.0) -> Inputs:
    return uniform(*shapes, low=low, high=high)


def with_labels(shape: tuple[int, int]) -> Inputs:
    return lambda rng: [rng.uniform(-2, 2, shape), rng.integers(0, shape[1], shape[0])]


def with_binary(shape: tuple[int, ...], low: float = -2.0, high: float = 2.0) -> Inputs:
    return lambda rng: [rng.uniform(low, high, shape), rng.integers(0, 2, shape)]


def _index(x: Any, values: Any) -> Any:
    """An integer index array on ``x``'s backend and device."""
    b = x.backend
    return b.from_numpy(np.asarray(values), b.device_of(x.data))


def _np_softmax(x: np.ndarray, axis: int) -> np.ndarray:
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def _np_log_softmax(x: np.ndarray, axis: int) -> np.ndarray:
    s = x - x.max(axis=axis, keepdims=True)
    return s - np.log(np.exp(s).sum(axis=axis, keepdims=True))


def _np_sce(x: np.ndarray, t: np.ndarray) -> np.ndarray:
    return -_np_log_softmax(x, 1)[np.arange(len(x)), t].mean()


def _np_sigmoid(x: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-x))


def _np_bce(p: np.ndarray, t: np.ndarray) -> np.ndarray:
    return -np.sum(t * np.log(p) + (1 - t) * np.log(1 - p)) / len(p)


def _np_sum_to(x: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    lead = x.ndim - len(shape)
    axes = tuple(range(lead)) + tuple(lead + i for i, n in enumerate(shape) if n == 1)
    return x.sum(axis=axes, keepdims=True).reshape(shape)


CASES = [
    # arithmetic, with broadcasting
    OpCase("add", F.add, np.add, uniform((3, 4), (4,))),
    OpCase("add_scalar", lambda x: x + 2.5, lambda x: x + 2.5, uniform((2, 3))),
    OpCase("radd_scalar", lambda x: 2.5 + x, lambda x: 2.5 + x, uniform((2, 3))),
    OpCase("sub", F.sub, np.subtract, uniform((2, 1, 3), (4, 3))),
    OpCase("rsub_scalar", lambda x: 1.5 - x, lambda x: 1.5 - x, uniform((3,))),
    OpCase("mul", F.mul, np.multiply, uniform((3, 1), (1, 4))),
    OpCase("mul_scalar", lambda x: x * 3.0, lambda x: x * 3.0, uniform((2, 2))),
    OpCase(
        "div",
        F.div,
        np.divide,
        lambda rng: [rng.uniform(-2, 2, (2, 3)), rng.uniform(0.5, 2, (3,))],
    ),
    OpCase("rdiv_scalar", lambda x: 1.0 / x, lambda x: 1.0 / x, positive((2, 3))),
    OpCase("neg", F.neg, np.negative, uniform((2, 3))),
    OpCase("pow_int", lambda x: x**3, lambda x: x**3, uniform((2, 3))),
    OpCase("pow_float", lambda x: F.pow(x, 2.5), lambda x: x**2.5, positive((2, 3))),
    OpCase(
        "pow_variable",
        F.pow,
        np.power,
        lambda rng: [rng.uniform(0.5, 2, (2, 3)), rng.uniform(-2, 2, (3,))],
    ),
    OpCase("rpow_scalar", lambda x: 2.0**x, lambda x: 2.0**x, uniform((2, 3))),
    # elementwise
    OpCase("exp", F.exp, np.exp, uniform((2, 3))),
    OpCase("log", F.log, np.log, positive((2, 3))),
    OpCase("sin", F.sin, np.sin, uniform((2, 3))),
    OpCase("cos", F.cos, np.cos, uniform((2, 3))),
    OpCase("tan", F.tan, np.tan, uniform((2, 3), low=-1.0, high=1.0)),
    OpCase("tanh", F.tanh, np.tanh, uniform((2, 3))),
    OpCase("sqrt", F.sqrt, np.sqrt, positive((2, 3))),
    OpCase("abs", F.abs, np.abs, away_from_zero((2, 3))),
    OpCase("square", F.square, np.square, uniform((2, 3))),
    OpCase(
        "clip",
        lambda x: F.clip(x, -0.5, 0.5),
        lambda x: np.clip(x, -0.5, 0.5),
        lambda rng: [np.array([[-1.2, -0.3, 0.1], [0.4, 0.9, 1.7]])],
    ),
    OpCase("maximum", F.maximum, np.maximum, uniform((2, 3), (3,))),
    OpCase("minimum", F.minimum, np.minimum, uniform((2, 1), (2, 3))),
    OpCase(
        "where",
        lambda x, y: F.where(x.data > 0, x, y),
        lambda x, y: np.where(x > 0, x, y),
        away_from_zero((2, 3), (3,)),
    ),
    # reductions
    OpCase("sum", F.sum, np.sum, uniform((2, 3, 4))),
    OpCase(
        "sum_axis",
        lambda x: F.sum(x, axis=1),
        lambda x: x.sum(axis=1),
        uniform((2, 3, 4)),
    ),
    OpCase(
        "sum_tuple_axis",
        lambda x: F.sum(x, axis=(0, 2)),
        lambda x: x.sum(axis=(0, 2)),
        uniform((2, 3, 4)),
    ),
    OpCase(
        "sum_negative_keepdims",
        lambda x: F.sum(x, axis=-1, keepdims=True),
        lambda x: x.sum(axis=-1, keepdims=True),
        uniform((2, 3)),
    ),
    OpCase("mean", F.mean, np.mean, uniform((3, 4))),
    OpCase(
        "average_axis",
        lambda x: F.average(x, axis=0),
        lambda x: x.mean(axis=0),
        uniform((3, 4)),
    ),
    OpCase("max", F.max, np.max, uniform((3, 4))),
    OpCase(
        "max_negative_axis",
        lambda x: F.max(x, axis=-1),
        lambda x: x.max(axis=-1),
        uniform((2, 3, 4)),
    ),
    OpCase(
        "max_tuple_keepdims",
        lambda x: F.max(x, axis=(0, 2), keepdims=True),
        lambda x: x.max(axis=(0, 2), keepdims=True),
        uniform((2, 3, 4)),
    ),
    OpCase(
        "min_axis", lambda x: F.min(x, axis=0), lambda x: x.min(axis=0), uniform((3, 4))
    ),
    OpCase(
        "logsumexp",
        lambda x: F.logsumexp(x, axis=1),
        lambda x: np.log(np.exp(x).sum(axis=1)),
        uniform((3, 4)),
    ),
    OpCase(
        "logsumexp_all", F.logsumexp, lambda x: np.log(np.exp(x).sum()), uniform((2, 3))
    ),
    # shape
    OpCase(
        "reshape",
        lambda x: F.reshape(x, (3, 2)),
        lambda x: x.reshape(3, 2),
        uniform((2, 3)),
    ),
    OpCase(
        "reshape_method",
        lambda x: x.reshape(6, -1),
        lambda x: x.reshape(6, -1),
        uniform((2, 3)),
    ),
    OpCase("transpose", F.transpose, np.transpose, uniform((2, 3, 4))),
    OpCase(
        "transpose_axes",
        lambda x: F.transpose(x, (1, -1, 0)),
        lambda x: np.transpose(x, (1, 2, 0)),
        uniform((2, 3, 4)),
    ),
    OpCase("T", lambda x: x.T, lambda x: x.T, uniform((2, 3))),
    OpCase(
        "expand_dims",
        lambda x: F.expand_dims(x, 1),
        lambda x: np.expand_dims(x, 1),
        uniform((2, 3)),
    ),
    OpCase("squeeze", F.squeeze, np.squeeze, uniform((2, 1, 3))),
    OpCase("flatten", F.flatten, lambda x: x.reshape(len(x), -1), uniform((2, 3, 2))),
    OpCase(
        "broadcast_to",
        lambda x: F.broadcast_to(x, (2, 3, 4)),
        lambda x: np.broadcast_to(x, (2, 3, 4)),
        uniform((3, 1)),
    ),
    OpCase(
        "sum_to",
        lambda x: F.sum_to(x, (3, 1)),
        lambda x: _np_sum_to(x, (3, 1)),
        uniform((2, 3, 4)),
    ),
    OpCase(
        "concat",
        lambda x, y: F.concat([x, y], axis=1),
        lambda x, y: np.concatenate([x, y], axis=1),
        uniform((2, 3), (2, 1)),
    ),
    OpCase(
        "stack",
        lambda x, y: F.stack([x, y], axis=-1),
        lambda x, y: np.stack([x, y], axis=-1),
        uniform((2, 3), (2, 3)),
    ),
    OpCase(
        "split",
        lambda x: F.split(x, [1, 3], axis=1)[1],
        lambda x: np.split(x, [1, 3], axis=1)[1],
        uniform((2, 4)),
    ),
    OpCase(
        "get_item_slice", lambda x: x[1:, ::2], lambda x: x[1:, ::2], uniform((3, 4))
    ),
    OpCase("get_item_int", lambda x: x[1], lambda x: x[1], uniform((3, 4))),
    OpCase(
        "get_item_repeated",
        lambda x: x[_index(x, [[0], [2], [0]]), _index(x, [[1, 3]])],
        lambda x: x[np.array([[0], [2], [0]]), np.array([[1, 3]])],
        uniform((3, 4)),
    ),
    OpCase(
        "get_item_mask",
        lambda x: x[x.data > 0],
        lambda x: x[x > 0],
        away_from_zero((3, 4)),
        # a lazy graph cannot carry a size known only after computing
        refused={"dask": r"get_item: a boolean mask of shape \(3, 4\) on a dask"},
    ),
    # linear algebra
    OpCase("matmul", F.matmul, np.matmul, uniform((2, 3), (3, 4))),
    OpCase("matmul_vector_matrix", F.matmul, np.matmul, uniform((3,), (3, 2))),
    OpCase("matmul_matrix_vector", F.matmul, np.matmul, uniform((2, 3), (3,))),
    OpCase("matmul_vectors", F.matmul, np.matmul, uniform((3,), (3,))),
    OpCase("matmul_batched", F.matmul, np.matmul, uniform((2, 3, 4), (2, 4, 2))),
    OpCase("matmul_broadcast", F.matmul, np.matmul, uniform((2, 1, 3, 4), (3, 4, 2))),
    OpCase("matmul_operator", lambda x, w: x @ w, np.matmul, uniform((2, 3), (3, 2))),
    OpCase(
        "linear", F.linear, lambda x, w, b: x @ w + b, uniform((4, 3), (3, 2), (2,))
    ),
    OpCase("linear_nobias", F.linear, np.matmul, uniform((4, 3), (3, 2))),
    # activations
    OpCase("sigmoid", F.sigmoid, _np_sigmoid, uniform((2, 3), low=-5.0, high=5.0)),
    OpCase("sigmoid_simple", F.sigmoid_simple, _np_sigmoid, uniform((2, 3))),
    OpCase("relu", F.relu, lambda x: np.maximum(x, 0), away_from_zero((2, 3))),
    OpCase(
        "leaky_relu",
        F.leaky_relu,
        lambda x: np.where(x > 0, x, 0.2 * x),
        away_from_zero((2, 3)),
    ),
    OpCase("softmax", F.softmax, lambda x: _np_softmax(x, 1), uniform((3, 4))),
    OpCase(
        "softmax_axis0",
        lambda x: F.softmax(x, axis=0),
        lambda x: _np_softmax(x, 0),
        uniform((3, 4)),
    ),
    OpCase(
        "softmax_simple", F.softmax_simple, lambda x: _np_softmax(x, 1), uniform((3, 4))
    ),
    OpCase(
        "log_softmax", F.log_softmax, lambda x: _np_log_softmax(x, 1), uniform((3, 4))
    ),
    # losses
    OpCase(
        "mean_squared_error",
        F.mean_squared_error,
        lambda a, b: ((a - b) ** 2).sum() / len(a - b),
        uniform((4, 3), (4, 3)),
    ),
    OpCase(
        "mean_squared_error_broadcast",
        F.mean_squared_error,
        lambda a, b: ((a - b) ** 2).sum() / len(a - b),
        uniform((3, 1), (3,)),
    ),
    OpCase(
        "softmax_cross_entropy", F.softmax_cross_entropy, _np_sce, with_labels((4, 3))
    ),
    OpCase(
        "softmax_cross_entropy_simple",
        F.softmax_cross_entropy_simple,
        _np_sce,
        with_labels((4, 3)),
    ),
    OpCase(
        "sigmoid_cross_entropy",
        F.sigmoid_cross_entropy,
        lambda x, t: _np_bce(_np_sigmoid(x), t),
        with_binary((4, 2)),
    ),
    OpCase(
        "binary_cross_entropy",
        F.binary_cross_entropy,
        _np_bce,
        with_binary((5,), low=0.1, high=0.9),
    ),
]


# -- convolution and pooling (xgrad/functions/conv.py) -----------------------------
# Loop references, written from the definitions; tests/test_conv.py uses them too.
def _np_pair(v: Any) -> tuple[int, int]:
    return (v, v) if isinstance(v, int) else tuple(v)


def _np_pad(x: np.ndarray, pad: Any, value: float = 0.0) -> np.ndarray:
    ph, pw = _np_pair(pad)
    return np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)), constant_values=value)


def np_windows(x: np.ndarray, kernel: Any, stride: Any, pad: Any, value: float = 0.0):
    """Every window of ``x``: a dict {(i, j): (N, C, KH, KW) block}, and (OH, OW)."""
    (kh, kw), (sh, sw) = _np_pair(kernel), _np_pair(stride)
    img = _np_pad(x, pad, value)
    oh = (img.shape[2] - kh) // sh + 1
    ow = (img.shape[3] - kw) // sw + 1
    blocks = {
        (i, j): img[:, :, i * sh : i * sh + kh, j * sw : j * sw + kw]
        for i in range(oh)
        for j in range(ow)
    }
    return blocks, (oh, ow)


def np_im2col(x, kernel, stride=1, pad=0, to_matrix=True):
    blocks, (oh, ow) = np_windows(x, kernel, stride, pad)
    n, c = x.shape[:2]
    kh, kw = _np_pair(kernel)
    col = np.zeros((n, c, kh, kw, oh, ow))
    for (i, j), block in blocks.items():
        col[:, :, :, :, i, j] = block
    if to_matrix:
        col = col.transpose(0, 4, 5, 1, 2, 3).reshape(n * oh * ow, -1)
    return col


def np_col2im(col, shape, kernel, stride=1, pad=0, to_matrix=True):
    n, c, h, w = shape
    (kh, kw), (sh, sw), (ph, pw) = _np_pair(kernel), _np_pair(stride), _np_pair(pad)
    oh, ow = (h + 2 * ph - kh) // sh + 1, (w + 2 * pw - kw) // sw + 1
    if to_matrix:
        col = col.reshape(n, oh, ow, c, kh, kw).transpose(0, 3, 4, 5, 1, 2)
    img = np.zeros((n, c, h + 2 * ph, w + 2 * pw))
    for i in range(oh):
        for j in range(ow):
            img[:, :, i * sh : i * sh + kh, j * sw : j * sw + kw] += col[..., i, j]
    return img[:, :, ph : ph + h, pw : pw + w]


def np_conv2d(x, W, b=None, stride=1, pad=0):
    blocks, (oh, ow) = np_windows(x, W.shape[2:], stride, pad)
    y = np.zeros((x.shape[0], W.shape[0], oh, ow))
    for (i, j), block in blocks.items():
        y[:, :, i, j] = np.einsum("nchw,ochw->no", block, W)
    return y if b is None else y + b.reshape(1, -1, 1, 1)


def np_deconv2d(x, W, b=None, stride=1, pad=0, outsize=None):
    """Each input pixel adds ``x[n, c, i, j] * W[c]`` into its output window."""
    n, _, h, w = x.shape
    kh, kw = W.shape[2:]
    (sh, sw), (ph, pw) = _np_pair(stride), _np_pair(pad)
    oh, ow = outsize or (sh * (h - 1) + kh - 2 * ph, sw * (w - 1) + kw - 2 * pw)
    y = np.zeros((n, W.shape[1], oh + 2 * ph + sh, ow + 2 * pw + sw))
    for i in range(h):
        for j in range(w):
            tap = np.einsum("nc,cokl->nokl", x[:, :, i, j], W)
            y[:, :, i * sh : i * sh + kh, j * sw : j * sw + kw] += tap
    y = y[:, :, ph : ph + oh, pw : pw + ow]
    return y if b is None else y + b.reshape(1, -1, 1, 1)


def np_pooling(x, kernel, stride=1, pad=0):
    blocks, (oh, ow) = np_windows(x, kernel, stride, pad, value=-np.inf)
    y = np.zeros((*x.shape[:2], oh, ow))
    for (i, j), block in blocks.items():
        y[:, :, i, j] = block.max(axis=(2, 3))
    return y


def np_average_pooling(x, kernel, stride=1, pad=0):
    blocks, (oh, ow) = np_windows(x, kernel, stride, pad)
    y = np.zeros((*x.shape[:2], oh, ow))
    for (i, j), block in blocks.items():
        y[:, :, i, j] = block.mean(axis=(2, 3))
    return y


def distinct(shape: tuple[int, ...], step: float = 0.1, low: float = -2.0) -> Inputs:
    """Evenly spaced distinct values in random order: max pooling without ties."""
    size = int(np.prod(shape))
    return lambda rng: [low + step * rng.permutation(size).reshape(shape)]


CASES += [
    OpCase(
        "conv2d",
        F.conv2d,
        np_conv2d,
        uniform((1, 2, 4, 4), (3, 2, 3, 3), (3,)),
    ),
    OpCase(
        "conv2d_nobias_stride2_pad1",
        lambda x, W: F.conv2d(x, W, stride=2, pad=1),
        lambda x, W: np_conv2d(x, W, stride=2, pad=1),
        uniform((1, 2, 4, 4), (3, 2, 3, 3)),
    ),
    OpCase(
        "conv2d_rectangular",
        lambda x, W, b: F.conv2d(x, W, b, stride=(2, 1), pad=(1, 0)),
        lambda x, W, b: np_conv2d(x, W, b, stride=(2, 1), pad=(1, 0)),
        uniform((2, 2, 5, 4), (2, 2, 3, 2), (2,)),
    ),
    OpCase(
        "conv2d_simple",
        lambda x, W, b: F.conv2d_simple(x, W, b, stride=2, pad=1),
        lambda x, W, b: np_conv2d(x, W, b, stride=2, pad=1),
        uniform((1, 2, 4, 4), (2, 2, 3, 3), (2,)),
    ),
    OpCase(
        "deconv2d",
        lambda x, W, b: F.deconv2d(x, W, b, stride=2, pad=1),
        lambda x, W, b: np_deconv2d(x, W, b, stride=2, pad=1),
        uniform((1, 2, 3, 3), (2, 3, 3, 3), (3,)),
    ),
    OpCase(
        "deconv2d_nobias_outsize",
        lambda x, W: F.deconv2d(x, W, stride=2, pad=1, outsize=(6, 5)),
        lambda x, W: np_deconv2d(x, W, stride=2, pad=1, outsize=(6, 5)),
        uniform((1, 2, 3, 3), (2, 2, 3, 2)),
    ),
    OpCase(
        "pooling_pad1",
        lambda x: F.pooling(x, 3, stride=2, pad=1),
        lambda x: np_pooling(x, 3, stride=2, pad=1),
        distinct((1, 2, 5, 5)),
    ),
    OpCase(
        "pooling_rectangular",
        lambda x: F.pooling(x, (2, 3), stride=(2, 1)),
        lambda x: np_pooling(x, (2, 3), stride=(2, 1)),
        distinct((2, 1, 4, 5)),
    ),
    OpCase(
        "pooling_simple",
        lambda x: F.pooling_simple(x, 2, stride=2, pad=1),
        lambda x: np_pooling(x, 2, stride=2, pad=1),
        distinct((1, 2, 4, 4)),
    ),
    OpCase(
        "average_pooling_rectangular",
        lambda x: F.average_pooling(x, (3, 2), stride=(1, 2), pad=(1, 0)),
        lambda x: np_average_pooling(x, (3, 2), stride=(1, 2), pad=(1, 0)),
        uniform((1, 2, 4, 4)),
    ),
    OpCase(
        "im2col",
        lambda x: F.im2col(x, 2, stride=1, pad=1),
        lambda x: np_im2col(x, 2, stride=1, pad=1),
        uniform((1, 2, 3, 3)),
    ),
    OpCase(
        "im2col_tensor",
        lambda x: F.im2col(x, (2, 3), stride=(1, 2), pad=(0, 1), to_matrix=False),
        lambda x: np_im2col(x, (2, 3), stride=(1, 2), pad=(0, 1), to_matrix=False),
        uniform((1, 2, 3, 4)),
    ),
    OpCase(
        "col2im",
        lambda c: F.col2im(c, (1, 1, 3, 3), 2, stride=1, pad=0),
        lambda c: np_col2im(c, (1, 1, 3, 3), 2, stride=1, pad=0),
        uniform((4, 4)),
    ),
    OpCase(
        "col2im_tensor",
        lambda c: F.col2im(c, (1, 1, 3, 3), (2, 3), (1, 2), 1, to_matrix=False),
        lambda c: np_col2im(c, (1, 1, 3, 3), (2, 3), (1, 2), 1, to_matrix=False),
        uniform((1, 1, 2, 3, 4, 2)),
    ),
]
