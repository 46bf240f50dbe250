"""Making arrays for xgrad from Python data, on any backend."""

from __future__ import annotations

from typing import Any

from . import backends
from .core import Variable

__all__ = ["asarray"]


def asarray(obj: Any, dtype: Any = None, device: str | None = None) -> Any:
    """Build an array from Python data (or another array) on a backend.

    Parameters
    ----------
    obj : scalar, nested sequence or array
    dtype : dtype, optional
        A dtype of the target library (``numpy.float32`` on NumPy).
    device : str, optional
        A device spec such as ``"numpy"``, ``"torch:cpu"`` or
        ``"array_api_strict:device1"``; default NumPy on the CPU.

    Examples
    --------
    >>> import xgrad
    >>> xgrad.asarray([1.0, 2.0]).dtype
    dtype('float64')
    """
    backend, native = backends.parse(device or "numpy")
    if isinstance(obj, Variable):
        obj = obj.data
    return backend.asarray(obj, dtype=dtype, device=native)
