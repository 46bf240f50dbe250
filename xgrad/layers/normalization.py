"""Normalisation and lookup layers: BatchNorm, LayerNorm, Embedding (EmbedID)."""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import functions as F
from .. import random as xrandom
from .._inputs import operand
from ..core import Parameter, Variable, as_variable
from .base import Layer, dtype_on, place

__all__ = ["BatchNorm", "EmbedID", "Embedding", "LayerNorm"]


class BatchNorm(Layer):
    """Batch normalisation with learned scale ``gamma`` and shift ``beta``.

    ``avg_mean`` and ``avg_var`` (running statistics) are Parameters, as in
    DeZero, so they are saved and moved with the model; they get no gradient.
    Everything is created at the first call, from the input's channels.
    """

    def __init__(self, decay: float = 0.9, eps: float = 2e-5) -> None:
        super().__init__()
        self.decay, self.eps = decay, eps
        self.avg_mean = Parameter(None, name="avg_mean")
        self.avg_var = Parameter(None, name="avg_var")
        self.gamma = Parameter(None, name="gamma")
        self.beta = Parameter(None, name="beta")

    def _init_params(self, x: Variable) -> None:
        xp = x.backend.xp
        native = x.backend.device_of(x.data)
        channels = x.shape[1]
        for param, value in (
            (self.avg_mean, 0),
            (self.avg_var, 1),
            (self.gamma, 1),
            (self.beta, 0),
        ):
            if param.data is None:
                param.data = xp.full(
                    channels, float(value), dtype=x.dtype, device=native
                )

    def forward(self, x: Any) -> Variable:
        x = as_variable(x)
        if self.avg_mean.data is None:
            self._init_params(x)
        return F.batch_norm(
            x, self.gamma, self.beta, self.avg_mean, self.avg_var, self.decay, self.eps
        )


class LayerNorm(Layer):
    """Layer normalisation over the last axis, with learned ``gamma`` and ``beta``.

    Each row (the last axis) is normalised to mean 0 and variance 1, then
    scaled and shifted: ``F.layer_norm(x, gamma, beta, eps)``. Unlike
    BatchNorm it keeps no running statistics and behaves the same in training
    and test mode, which suits sequences and transformers.

    Parameters
    ----------
    eps : float, default 1e-5
        Added to the variance before its square root.
    in_size : int or None, default None
        Size of the last axis; None to take it (and the dtype and device) from
        the first input.
    dtype : dtype, default numpy.float32
        Dtype of ``gamma`` and ``beta`` when ``in_size`` is given.

    Attributes
    ----------
    gamma : Parameter
        Scale (in_size,), ones.
    beta : Parameter
        Shift (in_size,), zeros.
    """

    def __init__(
        self, eps: float = 1e-5, in_size: int | None = None, dtype: Any = np.float32
    ) -> None:
        super().__init__()
        self.eps = eps
        self.gamma = Parameter(None, name="gamma")
        self.beta = Parameter(None, name="beta")
        if in_size is not None:
            backend, dev = place(self)
            dtype = dtype_on(backend, dtype, dev.native)
            self._init_params(backend.xp, in_size, dtype, dev.native)

    def _init_params(self, xp: Any, size: int, dtype: Any, native: Any) -> None:
        self.gamma.data = xp.ones(size, dtype=dtype, device=native)
        self.beta.data = xp.zeros(size, dtype=dtype, device=native)

    def forward(self, x: Any) -> Variable:
        x = operand(x, "LayerNorm")
        size = x.shape[-1] if x.ndim else None
        if self.gamma.data is None and size is not None:
            backend, native = x.backend, x.backend.device_of(x.data)
            dtype = x.dtype  # integer input: the default float, as layer_norm gives
            if not backend.xp.isdtype(dtype, "real floating"):
                dtype = backend.default_float(native)
            self._init_params(backend.xp, size, dtype, native)
        elif self.gamma.data is not None and size != self.gamma.shape[0]:
            raise ValueError(
                f"LayerNorm: gamma {self.gamma.shape} was made for rows of "
                f"{self.gamma.shape[0]} (given at construction or learnt from the "
                f"first input), got x of shape {x.shape}; pass inputs whose last "
                f"axis is {self.gamma.shape[0]}, or use a new LayerNorm"
            )
        return F.layer_norm(x, self.gamma, self.beta, self.eps)


class Embedding(Layer):
    """A lookup table: integer ids to rows of ``W`` (num_embeddings, embedding_dim).

    ``Embedding(V, D)(ids)`` has shape ``ids.shape + (D,)``; ``W`` starts
    standard normal, as in PyTorch and DeZero. The book's name is
    :class:`EmbedID`.
    """

    def __init__(
        self, num_embeddings: int, embedding_dim: int, dtype: Any = np.float32
    ) -> None:
        super().__init__()
        backend, dev = place(self)
        dtype = dtype_on(backend, dtype, dev.native)
        shape, generator = (num_embeddings, embedding_dim), xrandom.default_generator()
        self.W = Parameter(generator.weights(shape, None, dtype, dev), name="W")

    def forward(self, x: Any) -> Variable:
        return F.embed_id(x, self.W)


class EmbedID(Embedding):
    """DeZero's name of :class:`Embedding`: ``EmbedID(in_size, out_size)``."""

    def __init__(self, in_size: int, out_size: int, dtype: Any = np.float32) -> None:
        super().__init__(in_size, out_size, dtype)
