"""The book's ``dezero.cuda`` names, as thin calls into the backend registry.

``gpu_enable`` is computed on first use, so ``import xgrad`` never imports
CuPy. ``get_array_module(x)`` returns the array-API namespace of ``x`` on any
backend, which is what ported ``forward`` methods need.

In book mode (:mod:`xgrad.book`) these follow DeZero: ``get_array_module``
returns the ``numpy`` or ``cupy`` module itself, so ``if xp is np:`` takes the
branch the book expects, and with ``--device`` ``gpu_enable`` says whether
that device is a GPU and ``as_cupy`` moves to it.
"""

from __future__ import annotations

import importlib
from typing import Any

import numpy as np

from . import backends
from ._device import Device
from .core import Variable
from .devices import device as _device
from .devices import to_device

__all__ = ["as_cupy", "as_numpy", "get_array_module", "gpu_enable", "set_book_mode"]  # noqa: F822  (module __getattr__)


# DeZero's two array modules: book mode returns these modules themselves.
_BOOK_MODULES = ("numpy", "cupy")


class _BookMode:
    """Set by :func:`xgrad.book.install`: DeZero's answers, and the run's device."""

    active = False
    device: Device | None = None


def set_book_mode(active: bool, device: Any = None) -> None:
    """Answer as DeZero's ``dezero.cuda`` does (book mode), on ``device`` if given."""
    _BookMode.active = active
    _BookMode.device = None if device is None else _device(device)


def __getattr__(name: str) -> Any:
    if name == "gpu_enable":  # whether CuPy and a CUDA device are usable here
        if _BookMode.device is not None:  # book mode with --device: that device
            return _BookMode.device.kind == "gpu"
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
        backend = backends.of(x)
    except TypeError:
        return np
    if _BookMode.active and backend.name in _BOOK_MODULES:
        return importlib.import_module(backend.name)
    return backend.xp


def as_numpy(x: Any) -> np.ndarray:
    """``x`` (a Variable, an array of any backend, or a scalar) as a NumPy array."""
    x = _array(x)
    if np.isscalar(x):
        return np.array(x)
    if isinstance(x, np.ndarray):
        return x
    return backends.of(x).to_numpy(x)


def as_cupy(x: Any) -> Any:
    """``x`` as a CuPy array on the current GPU; a clear error where there is none.

    In book mode with a GPU ``--device`` (``torch:cuda``), ``x`` goes there.
    """
    x = _array(x)
    if np.isscalar(x):
        x = np.array(x)
    book = _BookMode.device
    return to_device(x, book if book is not None and book.kind == "gpu" else "cupy")
