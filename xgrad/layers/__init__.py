"""Layers: ``import xgrad.layers as L``.

Every layer is a :class:`Layer`: it owns Parameters, lists them in
definition order, and moves them (with gradients, optimizer state and
running statistics) with ``to_device``/``to_gpu``/``to_cpu``.
"""

from .attention import MultiHeadAttention
from .base import Layer
from .dense import Conv2d, Deconv2d, Linear
from .dropout import Dropout
from .normalization import BatchNorm, Embedding, EmbedID, LayerNorm
from .recurrent import GRU, LSTM, RNN

__all__ = [
    "GRU",
    "LSTM",
    "RNN",
    "BatchNorm",
    "Conv2d",
    "Deconv2d",
    "Dropout",
    "EmbedID",
    "Embedding",
    "Layer",
    "LayerNorm",
    "Linear",
    "MultiHeadAttention",
]
