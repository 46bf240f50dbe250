"""Layers with state beyond weights: BatchNorm, EmbedID."""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import functions as F
from .. import random as xrandom
from ..core import Parameter, Variable, as_variable
from .base import Layer, dtype_on, place

__all__ = ["BatchNorm", "EmbedID"]


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


class EmbedID(Layer):
    """A lookup table: integer ids to rows of ``W`` (in_size, out_size)."""

    def __init__(self, in_size: int, out_size: int, dtype: Any = np.float32) -> None:
        super().__init__()
        backend, dev = place(self)
        dtype = dtype_on(backend, dtype, dev.native)
        shape, generator = (in_size, out_size), xrandom.default_generator()
        self.W = Parameter(generator.weights(shape, None, dtype, dev), name="W")

    def forward(self, x: Any) -> Variable:
        return F.embed_id(x, self.W)
