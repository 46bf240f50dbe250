"""Functions for neural networks: dropout, batch normalisation, embeddings, accuracy."""

from __future__ import annotations

from typing import Any

from .. import random as xrandom
from .._inputs import data_like
from ..config import Config
from ..core import Function, Variable, as_variable
from .elementwise import sqrt
from .indexing import get_item
from .reduction import sum as sum_
from .shape import reshape, transpose


def dropout(x: Any, dropout_ratio: float = 0.5) -> Variable:
    """Zero each element with probability ``dropout_ratio`` while training.

    Kept elements are scaled by ``1 / (1 - dropout_ratio)`` so the expected
    value is unchanged; under ``xgrad.test_mode()`` (``Config.train`` False)
    ``x`` passes through. The mask comes from ``xgrad.random``, so
    ``xgrad.manual_seed`` makes it repeat.

    Parameters
    ----------
    x : Variable or array
        Input of any shape, on any backend; integers become floats.
    dropout_ratio : float, default 0.5
        Probability of zeroing an element, in ``[0, 1)``.

    Returns
    -------
    Variable
        ``x``'s shape and dtype; ``x`` itself in test mode or for a ratio of 0.
    """
    x = as_variable(x)
    if not Config.train or dropout_ratio == 0.0:
        return x
    if not x.backend.xp.isdtype(x.dtype, ("real floating", "complex floating")):
        x = x * 1.0  # integers become the default float dtype, as in `/`
    if not 0.0 <= dropout_ratio < 1.0:
        raise ValueError(
            f"dropout: dropout_ratio must be in [0, 1), got {dropout_ratio}"
        )
    keep = 1.0 - dropout_ratio
    mask = xrandom.bernoulli(keep, x.shape, dtype=x.dtype, device=x.device)
    return x * Variable(mask) / keep  # DeZero's arithmetic: the book's numbers


def _channels_last(x: Variable) -> Variable:
    """(N, C, H, W) as (N*H*W, C); (N, C) as it is."""
    if x.ndim == 4:
        return reshape(transpose(x, (0, 2, 3, 1)), (-1, x.shape[1]))
    return x


def _channels_first(y: Variable, shape: tuple[int, ...]) -> Variable:
    if len(shape) == 4:
        n, c, h, w = shape
        return transpose(reshape(y, (n, h, w, c)), (0, 3, 1, 2))
    return y


def _assign(target: Any, value: Any) -> None:
    """Store new running statistics: into a Variable, or into an array in place."""
    if isinstance(target, Variable):
        target.data = value
    else:
        target[...] = value


def batch_norm(
    x: Any,
    gamma: Any,
    beta: Any,
    mean_: Any,
    var: Any,
    decay: float = 0.9,
    eps: float = 2e-5,
) -> Variable:
    """Batch normalisation over the batch axis (and H, W for 4-D input).

    While training, ``x`` is normalised with the batch's mean and variance,
    and the running ``mean_``/``var`` (Variables, or arrays updated in place)
    move towards them by ``1 - decay`` (the variance unbiased, as DeZero
    does). Under ``test_mode()`` the running statistics are used. While
    training it is one op doing DeZero's arithmetic (the book's numbers) whose
    gradient is built from differentiable ops: derivatives of every order are
    exact.

    Parameters
    ----------
    x : Variable or array
        Input of shape (N, C) or (N, C, H, W).
    gamma, beta : Variable or array
        Scale and shift, shape (C,).
    mean_, var : Variable or array
        Running mean and variance, shape (C,); updated while training.
    decay : float, default 0.9
        Weight of the old running statistics in each update.
    eps : float, default 2e-5
        Added to the variance before its square root.

    Returns
    -------
    Variable
        ``gamma * (x - mean) / sqrt(var + eps) + beta``, ``x``'s shape.
    """
    x = as_variable(x)
    shape = x.shape
    flat = _channels_last(x)
    if Config.train:
        op = BatchNorm(eps)
        y = op(flat, gamma, beta)
        count = flat.shape[0]
        unbiased = count / max(count - 1.0, 1.0)
        running_mean = mean_.data if isinstance(mean_, Variable) else mean_
        running_var = var.data if isinstance(var, Variable) else var
        _assign(mean_, decay * running_mean + (1 - decay) * op.batch_mean)
        _assign(var, decay * running_var + (1 - decay) * unbiased * op.batch_var)
        return _channels_first(y, shape)
    stats_mean = mean_.data if isinstance(mean_, Variable) else mean_
    stats_var = var.data if isinstance(var, Variable) else var
    xp = x.backend.xp
    inv_std = 1.0 / xp.sqrt(stats_var + eps)
    normalised = (flat - Variable(stats_mean)) * Variable(inv_std)
    return _channels_first(normalised * gamma + beta, shape)


class BatchNorm(Function):
    """Training-mode batch normalisation of (M, C) rows with the batch's statistics.

    Forward and gradient do DeZero's floating-point operations in DeZero's
    order (``(x - mean) * (1 / sqrt(var + eps))``, then ``gamma * xc + beta``),
    so book programs print the book's numbers. The gradient is built from
    xgrad ops that recompute the statistics from ``x``, so derivatives of every
    order are exact (DeZero's treats ``1 / std`` as a constant).
    """

    domain = "real floating"

    def __init__(self, eps: float) -> None:
        self.eps = eps

    def forward(self, x, gamma, beta):
        xp, count = self.xp, x.shape[0]
        self.batch_mean = xp.sum(x, axis=0) / count  # numpy's mean and var
        centred = x - self.batch_mean
        self.batch_var = xp.sum(centred * centred, axis=0) / count
        inv_std = 1.0 / xp.sqrt(self.batch_var + self.eps)
        return gamma * (centred * inv_std) + beta

    def backward(self, gy):
        x, gamma, _ = self.inputs
        count = x.shape[0]
        centred = x - sum_(x, axis=0) / count
        inv_std = 1.0 / sqrt(sum_(centred * centred, axis=0) / count + self.eps)
        xc = centred * inv_std
        gbeta = sum_(gy, axis=0)
        ggamma = sum_(xc * gy, axis=0)
        gx = (gy - gbeta / count - xc * ggamma / count) * (gamma * inv_std)
        return gx, ggamma, gbeta


batch_nrom = batch_norm  # DeZero's spelling


def embed_id(x: Any, W: Any) -> Variable:
    """Rows of ``W`` (V, D) picked by integer ids ``x`` (any shape): shape x.shape + (D,).

    Repeated ids add their gradients into the same row.

    Parameters
    ----------
    x : array of int
        Ids in ``[0, V)``, any shape.
    W : Variable or array
        The embedding matrix, shape (V, D).

    Returns
    -------
    Variable
        Shape ``x.shape + (D,)``, on ``W``'s backend and device.
    """
    W = as_variable(W)
    ids = data_like(x, W.data)
    backend = W.backend
    xp = backend.xp
    native = backend.device_of(W.data)
    rows = xp.reshape(ids, (-1, 1))
    cols = xp.reshape(xp.arange(W.shape[1], device=native), (1, -1))
    picked = get_item(W, (rows, cols))
    return reshape(picked, (*tuple(ids.shape), W.shape[1]))


def accuracy(y: Any, t: Any) -> Variable:
    """Fraction of rows of ``y`` whose arg-max equals the label in ``t``.

    Not differentiable: the result is a Variable with no creator, so book code
    reading ``acc.data`` works and nothing is recorded.

    Parameters
    ----------
    y : Variable or array
        Scores of shape (N, C): logits or probabilities.
    t : array of int
        Labels of shape (N,), on any backend.

    Returns
    -------
    Variable
        A 0-d float on ``y``'s backend and device, in ``[0, 1]``.
    """
    y = as_variable(y)
    t = data_like(t, y.data)
    xp = y.backend.xp
    pred = xp.reshape(xp.argmax(y.data, axis=1), t.shape)
    return Variable(xp.mean(xp.astype(pred == t, y.dtype)))
