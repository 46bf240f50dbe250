"""The book's ``dezero.cuda`` names, as thin calls into the backend registry.

``gpu_enable`` is computed on first use, so ``import xgrad`` never imports
CuPy. ``get_array_module(x)`` returns the array-API namespace of ``x`` on any
backend, which is what ported ``forward`` methods need.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from . import backends
from .core import Variable
from .devices import to_device

__all__ = ["as_cupy", "as_numpy", "get_array_module", "gpu_enable"]  # noqa: F822  (module __getattr__)


def __getattr__(name: str) -> Any:
    if name == "gpu_enable":  # whether CuPy and a CUDA device are usable here
        return backends.get("cupy").is_available()
    if name == "cupy":
        if not backends.get("cupy").is_available():
            raise AttributeError(
                f"xgrad.cuda.cupy: {backends.get('cupy').unavailable_reason()}"
            )
        return backends.get("cupy").xp
    raise AttributeError(f"module 'xgrad.cuda' has no attribute {name!r}")


def _array(x: Any) -> Any:
    return x.data if isinstance(x, Variable) else x


def get_array_module(x: Any) -> Any:
    """The array namespace of ``x`` (a Variable or an array); NumPy for anything else."""
    x = _array(x)
    try:
        return backends.of(x).xp
    except TypeError:
        return np


def as_numpy(x: Any) -> np.ndarray:
    """``x`` (a Variable, an array of any backend, or a scalar) as a NumPy array."""
    x = _array(x)
    if np.isscalar(x):
        return np.array(x)
    if isinstance(x, np.ndarray):
        return x
    return backends.of(x).to_numpy(x)


def as_cupy(x: Any) -> Any:
    """``x`` as a CuPy array on the current GPU; a clear error where there is none."""
    x = _array(x)
    if np.isscalar(x):
        x = np.array(x)
    return to_device(x, "cupy")
