"""Dropout as a layer, for models written as a list of layers."""

from __future__ import annotations

from typing import Any

from .. import functions as F
from ..core import Variable
from .base import Layer

__all__ = ["Dropout"]


class Dropout(Layer):
    """Zero each element with probability ``ratio`` while training (``F.dropout``).

    Kept elements are scaled by ``1 / (1 - ratio)``; under
    ``xgrad.test_mode()`` the input passes through. No parameters.
    """

    def __init__(self, ratio: float = 0.5) -> None:
        super().__init__()
        if not 0.0 <= ratio < 1.0:
            raise ValueError(f"Dropout: ratio must be in [0, 1), got {ratio}")
        self.ratio = ratio

    def forward(self, x: Any) -> Variable:
        return F.dropout(x, self.ratio)
