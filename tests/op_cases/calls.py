"""Calls of the op table that need more than the function: a fixed random seed,
running statistics, one of several outputs, a composition, PyTorch's spelling."""

from __future__ import annotations

from typing import Any

import numpy as np

import xgrad
import xgrad.functions as F
from xgrad import Variable


def _on(like: Variable, a: np.ndarray) -> Any:
    """NumPy data ``a`` (drawn options) on ``like``'s backend, device and dtype."""
    b = like.backend
    out = b.from_numpy(np.asarray(a), b.device_of(like.data))
    return b.xp.astype(out, like.dtype)


def split(x, indices, axis, keep):
    """The pieces ``keep`` of ``F.split``: a call with several outputs."""
    pieces = F.split(x, indices, axis=axis)
    return [pieces[i] for i in keep]


def dropout(x, ratio):
    """``F.dropout`` with the same mask on every call."""
    xgrad.manual_seed(0)  # the same mask on every call of a gradient check
    return F.dropout(x, ratio)


def batch_norm_train(x, g, b):
    """``F.batch_norm`` while training, with fresh running statistics."""
    xp = g.backend.xp
    return F.batch_norm(x, g, b, xp.zeros_like(g.data), xp.ones_like(g.data))


def batch_norm_test(x, g, b, mean, var):
    """``F.batch_norm`` under ``test_mode``, with drawn running statistics."""
    with xgrad.test_mode():
        return F.batch_norm(x, g, b, _on(x, mean), _on(x, var))


def rosenbrock(x):
    """A composition PyTorch checks as a whole (Variables, NumPy and tensors)."""
    return (100 * (x[1:] - x[:-1] ** 2) ** 2 + (x[:-1] - 1) ** 2).sum()


def power_and_division(a, b):
    """A composition PyTorch checks as a whole (Variables, NumPy and tensors)."""
    return (a**b) / (1.0 + b * b)


def torch_logsumexp(x, axis=None, keepdims=False):
    """PyTorch's ``logsumexp`` takes no ``dim=None``: every axis, spelled out."""
    return x.logsumexp(tuple(range(x.ndim)) if axis is None else axis, keepdims)


def torch_layer_norm(x, g=None, b=None):
    """PyTorch's ``layer_norm`` over the last axis, with xgrad's argument order."""
    import torch.nn.functional

    return torch.nn.functional.layer_norm(x, x.shape[-1:], g, b, 1e-5)


# Masks of the attention rows: padding of sequences of lengths 3 and 5, as
# (N, 1, 1, keys); a (3, 3) mask whose second query may attend to no key.
PADDING = np.arange(5) < np.array([3, 5])[:, None, None, None]
FULLY_MASKED = np.array(
    [[True, False, True], [False, False, False], [True, True, True]]
)
