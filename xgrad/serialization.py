"""Saving and loading, in one import: weights files and training checkpoints.

The public home of the functions that docs/saving.md describes; each is
implemented where its one job lives:

- :mod:`xgrad.weight_files`: weights as a mapping of names to arrays, in
  ``.npz`` (DeZero's format and keys) or ``.safetensors`` files.
  ``Layer.save_weights``/``load_weights`` (the book's API) call it, and so do
  :func:`save_weights`/:func:`load_weights` here.
- :mod:`xgrad.safe_npz`: reading ``.npz`` files that may be hostile.
- :mod:`xgrad.training_state`: :func:`save_checkpoint` and
  :func:`load_checkpoint`, which stop and resume a training run (model,
  optimizer and random state).

Examples
--------
>>> from xgrad.serialization import load_checkpoint, save_checkpoint
"""

from __future__ import annotations

import os

from .layers.base import Layer, weights_dict
from .training_state import load_checkpoint, save_checkpoint

__all__ = [
    "load_checkpoint",
    "load_weights",
    "save_checkpoint",
    "save_weights",
    "weights_dict",
]


def save_weights(layer: Layer, path: str | os.PathLike[str]) -> None:
    """``layer.save_weights(path)``, as a function."""
    layer.save_weights(path)


def load_weights(layer: Layer, path: str | os.PathLike[str]) -> None:
    """``layer.load_weights(path)``, as a function."""
    layer.load_weights(path)
