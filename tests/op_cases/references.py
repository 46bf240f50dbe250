"""NumPy references for the op table, written from the definitions.

Each takes the float64 (or integer) NumPy arrays and the options of a row's
call; the convolution and pooling loops are also used by tests/test_conv.py.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np


def quiet(f: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """A NumPy reference, without its warnings (``filterwarnings = error``)."""
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        return f(*args, **kwargs)


def batch(shape: tuple[int, ...]) -> int:
    """The batch size a loss divides by: the first axis, or 1 for a 0-d array."""
    return shape[0] if len(shape) else 1


# -- reductions and activations -------------------------------------------------------
def logsumexp(x, axis=None, keepdims=False):
    m = np.max(x, axis=axis, keepdims=True, initial=-np.inf)
    m = np.where(np.isfinite(m), m, 0.0)
    y = np.log(np.sum(np.exp(x - m), axis=axis, keepdims=True)) + m
    return y if keepdims else np.squeeze(y, axis=axis)


def log_softmax(x, axis=1):
    return x - logsumexp(x, axis=axis, keepdims=True)


def softmax(x, axis=1):
    return np.exp(log_softmax(x, axis))


def sigmoid(x):
    return 0.5 * np.tanh(0.5 * x) + 0.5


def leaky_relu(x, slope=0.2):
    return np.where(x > 0, x, slope * x)


# -- losses and neural-network functions ----------------------------------------------
def mean_squared_error(a, b):
    d = a - b
    return np.sum(d * d) / batch(d.shape)


def softmax_cross_entropy(x, t):
    return -np.sum(log_softmax(x, 1)[np.arange(len(x)), t]) / len(x)


def sigmoid_cross_entropy(x, t):
    loss = np.maximum(x, 0) - x * t + np.log1p(np.exp(-np.abs(x)))
    return np.sum(loss) / batch(x.shape)


def binary_cross_entropy(p, t):
    return -np.sum(t * np.log(p) + (1 - t) * np.log(1 - p)) / batch(p.shape)


def batch_norm(x, g, b, mean=None, var=None, eps=2e-5):
    axes = (0, 2, 3) if x.ndim == 4 else (0,)
    shape = (1, -1, 1, 1) if x.ndim == 4 else (1, -1)
    if mean is None:
        mean, var = x.mean(axis=axes), x.var(axis=axes)
    y = (x - mean.reshape(shape)) / np.sqrt(var.reshape(shape) + eps)
    return y * g.reshape(shape) + b.reshape(shape)


def accuracy(y, t):
    return np.mean(np.argmax(y, axis=1) == t)


# -- shape ----------------------------------------------------------------------------
def sum_to(x, shape):
    lead = x.ndim - len(shape)
    axes = tuple(range(lead)) + tuple(lead + i for i, n in enumerate(shape) if n == 1)
    return x.sum(axis=axes, keepdims=True).reshape(shape)


def flatten(x):
    return x.reshape(x.shape[0], math.prod(x.shape[1:]))


def split(x, indices, axis, keep):
    pieces = np.split(x, indices, axis=axis)
    return [pieces[i] for i in keep]


# -- convolution and pooling: loops over the windows ----------------------------------
def _pair(v: Any) -> tuple[int, int]:
    return (v, v) if isinstance(v, int) else tuple(v)


def _pad(x: np.ndarray, pad: Any, value: float = 0.0) -> np.ndarray:
    ph, pw = _pair(pad)
    return np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)), constant_values=value)


def np_windows(x: np.ndarray, kernel: Any, stride: Any, pad: Any, value: float = 0.0):
    """Every window of ``x``: a dict {(i, j): (N, C, KH, KW) block}, and (OH, OW)."""
    (kh, kw), (sh, sw) = _pair(kernel), _pair(stride)
    img = _pad(x, pad, value)
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
    kh, kw = _pair(kernel)
    col = np.zeros((n, c, kh, kw, oh, ow))
    for (i, j), block in blocks.items():
        col[:, :, :, :, i, j] = block
    if to_matrix:
        col = col.transpose(0, 4, 5, 1, 2, 3).reshape(n * oh * ow, -1)
    return col


def np_col2im(col, shape, kernel, stride=1, pad=0, to_matrix=True):
    n, c, h, w = shape
    (kh, kw), (sh, sw), (ph, pw) = _pair(kernel), _pair(stride), _pair(pad)
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
    (sh, sw), (ph, pw) = _pair(stride), _pair(pad)
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


def windowed(f: Callable[..., Any]) -> Callable[..., Any]:
    """A loop reference called with xgrad's keyword names (``kernel_size``, ...)."""

    def reference(x, *args, kernel_size, input_shape=None, **kwargs):
        if input_shape is not None:
            args = (input_shape, *args)
        elif not len(x):  # an empty batch: the loops reshape with -1, ambiguous at 0
            one = np.zeros((1, *x.shape[1:]))
            return f(one, *args, kernel=kernel_size, **kwargs)[:0]
        return f(x, *args, kernel=kernel_size, **kwargs)

    return reference


def torch_nn() -> Any:
    """``torch.nn.functional``, imported when a torch reference runs (torch is
    optional: tests/test_against_torch.py skips without it)."""
    import torch.nn.functional

    return torch.nn.functional


# -- special functions and the transformer's pieces ------------------------------------
erf = np.vectorize(math.erf, otypes=[np.float64])  # NumPy has no erf


def softplus(x, beta=1.0):
    bx = beta * x
    return (np.maximum(bx, 0.0) + np.log1p(np.exp(-np.abs(bx)))) / beta


def silu(x):
    return x * sigmoid(x)


def gelu(x, approximate="none"):
    if approximate == "tanh":
        inner = math.sqrt(2 / math.pi) * (x + 0.044715 * x**3)
        return 0.5 * x * (1 + np.tanh(inner))
    return 0.5 * x * (1 + erf(x / math.sqrt(2)))


def layer_norm(x, g=None, b=None, eps=1e-5):
    y = (x - x.mean(axis=-1, keepdims=True)) / np.sqrt(
        x.var(axis=-1, keepdims=True) + eps
    )
    y = y if g is None else y * g
    return y if b is None else y + b


def attention(q, k, v, mask=None, causal=False):
    """Softmax attention row by row; a query with no key allowed gets zeros."""
    scores = q @ np.swapaxes(k, -1, -2) / math.sqrt(q.shape[-1])
    keep = np.ones(scores.shape, dtype=bool)
    if mask is not None and mask.dtype == bool:
        keep = keep & mask
    elif mask is not None:
        scores = scores + mask
    if causal:
        keep = keep & np.tril(np.ones(scores.shape[-2:], dtype=bool))
    masked = np.where(keep, scores, -np.inf)  # -inf scores count as masked
    top = masked.max(axis=-1, keepdims=True)
    e = np.exp(masked - np.where(np.isfinite(top), top, 0.0))
    total = e.sum(axis=-1, keepdims=True)
    return (e / np.where(total > 0, total, 1.0)) @ v


def torch_attention(q, k, v, mask=None, causal=False):
    """PyTorch's fused attention, with xgrad's keyword names."""
    return torch_nn().scaled_dot_product_attention(
        q, k, v, attn_mask=mask, is_causal=causal
    )
