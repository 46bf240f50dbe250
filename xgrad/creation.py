"""Making arrays on any backend: ``asarray``, ``zeros``, ``ones``, ``full``, ``arange``.

Each takes ``dtype=`` (a dtype of the target library) and ``device=`` (a spec
such as ``"torch:cpu"``); without ``device`` they use the default device,
NumPy unless :func:`xgrad.default_device` says otherwise. They return plain
arrays; wrap them in a Variable to differentiate.
"""

from __future__ import annotations

from typing import Any

from . import backends
from .core import Variable
from .devices import Device, get_default_device, to_device
from .devices import device as _device

__all__ = ["arange", "asarray", "full", "ones", "ones_like", "zeros", "zeros_like"]


def _target(device: Any) -> tuple[backends.Backend, Device]:
    dev = get_default_device() if device is None else _device(device)
    return backends.get(dev.backend), dev


def asarray(obj: Any, dtype: Any = None, device: Any = None) -> Any:
    """An array holding ``obj`` (Python data or an array) on ``device``.

    Examples
    --------
    >>> import xgrad
    >>> xgrad.asarray([1.0, 2.0]).dtype
    dtype('float64')
    """
    if isinstance(obj, Variable):
        obj = obj.data
    backend, dev = _target(device)
    if hasattr(obj, "shape") and not backend.owns(obj):
        obj = to_device(obj, dev)
    return backend.asarray(obj, dtype=dtype, device=dev.native)


def zeros(shape: int | tuple[int, ...], dtype: Any = None, device: Any = None) -> Any:
    """An array of zeros; ``dtype`` defaults to the device's default float."""
    backend, dev = _target(device)
    return backend.xp.zeros(
        shape, dtype=dtype or backend.default_float(dev.native), device=dev.native
    )


def ones(shape: int | tuple[int, ...], dtype: Any = None, device: Any = None) -> Any:
    """An array of ones; ``dtype`` defaults to the device's default float."""
    backend, dev = _target(device)
    return backend.xp.ones(
        shape, dtype=dtype or backend.default_float(dev.native), device=dev.native
    )


def full(
    shape: int | tuple[int, ...],
    fill_value: float,
    dtype: Any = None,
    device: Any = None,
) -> Any:
    """An array filled with ``fill_value``; floats default to the device's float."""
    backend, dev = _target(device)
    if dtype is None and isinstance(fill_value, float):
        dtype = backend.default_float(dev.native)
    return backend.xp.full(shape, fill_value, dtype=dtype, device=dev.native)


def arange(
    start: float,
    stop: float | None = None,
    step: float = 1,
    dtype: Any = None,
    device: Any = None,
) -> Any:
    """Evenly spaced values in ``[start, stop)``, as ``range`` but an array."""
    backend, dev = _target(device)
    return backend.xp.arange(start, stop, step, dtype=dtype, device=dev.native)


def zeros_like(x: Any, dtype: Any = None, device: Any = None) -> Any:
    """Zeros with the shape of ``x``, and its dtype and device unless given."""
    return _like(x, 0, dtype, device)


def ones_like(x: Any, dtype: Any = None, device: Any = None) -> Any:
    """Ones with the shape of ``x``, and its dtype and device unless given."""
    return _like(x, 1, dtype, device)


def _like(x: Any, value: int, dtype: Any, device: Any) -> Any:
    data = x.data if isinstance(x, Variable) else x
    xp = backends.of(data).xp
    if device is None:
        return xp.full_like(data, value, dtype=dtype)
    out = to_device(xp.full_like(data, value), device)
    return out if dtype is None else backends.of(out).xp.astype(out, dtype)
