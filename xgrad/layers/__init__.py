"""Layers: ``import xgrad.layers as L``.

Every layer is a :class:`Layer`: it owns Parameters, lists them in
definition order, and moves them (with gradients, optimizer state and
running statistics) with ``to_device``/``to_gpu``/``to_cpu``.
"""

from .base import Layer
from .dense import Conv2d, Deconv2d, Linear
from .normalization import BatchNorm, EmbedID
from .recurrent import LSTM, RNN

__all__ = [
    "LSTM",
    "RNN",
    "BatchNorm",
    "Conv2d",
    "Deconv2d",
    "EmbedID",
    "Layer",
    "Linear",
]
