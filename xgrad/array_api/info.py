"""``__array_namespace_info__()``: what a namespace's library offers, with
devices as xgrad's :class:`~xgrad.Device`, the objects ``x.device`` gives."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .. import backends
from .._device import Device
from ..lifting import unwrap


class Info:
    """The standard's inspection object for one backend."""

    def __init__(self, backend: backends.Backend) -> None:
        self._backend = backend
        self._info = backend.xp.__array_namespace_info__()

    def _device(self, native: Any) -> Device:
        backend = self._backend
        return backend.device_from_native(native) or backend.device(None)

    def capabilities(self) -> dict[str, Any]:
        return dict(self._info.capabilities())

    def default_device(self) -> Device:
        return self._device(self._info.default_device())

    def devices(self) -> list[Device]:
        return [self._device(d) for d in self._info.devices()]

    def default_dtypes(self, *, device: Any = None) -> dict[str, Any]:
        return dict(self._info.default_dtypes(device=unwrap(device)))

    def dtypes(self, *, device: Any = None, kind: Any = None) -> dict[str, Any]:
        found = self._info.dtypes(device=unwrap(device), kind=kind)
        partial = self._backend.partial_dtypes
        return {name: dtype for name, dtype in found.items() if name not in partial}


@dataclass(frozen=True)
class FloatLimits:
    """``finfo``: a floating dtype's limits as Python numbers, as the standard
    says (NumPy's own ``finfo`` gives NumPy scalars)."""

    bits: int
    eps: float
    max: float
    min: float
    smallest_normal: float
    dtype: Any


@dataclass(frozen=True)
class IntLimits:
    """``iinfo``: an integer dtype's limits."""

    bits: int
    max: int
    min: int
    dtype: Any


def _dtype_of(obj: Any) -> Any:
    """The dtype a ``finfo``/``iinfo`` argument names: itself, or an array's
    (NumPy's dtype classes have a ``dtype`` attribute of their own)."""
    is_array = not isinstance(obj, type) and hasattr(obj, "dtype")
    return obj.dtype if is_array else obj


def finfo_on(xp: Any) -> Any:
    """The standard's ``finfo`` over the library namespace ``xp``."""

    def finfo(type: Any, /) -> FloatLimits:
        dtype = _dtype_of(type)
        info = xp.finfo(dtype)
        real = {xp.complex64: xp.float32, xp.complex128: xp.float64}
        dtype = next((r for c, r in real.items() if c == dtype), dtype)
        eps, top, bottom = float(info.eps), float(info.max), float(info.min)
        normal = float(info.smallest_normal)
        return FloatLimits(int(info.bits), eps, top, bottom, normal, dtype)

    return finfo


def iinfo_on(xp: Any) -> Any:
    """The standard's ``iinfo`` over the library namespace ``xp``."""

    def iinfo(type: Any, /) -> IntLimits:
        dtype = _dtype_of(type)
        info = xp.iinfo(dtype)
        return IntLimits(int(info.bits), int(info.max), int(info.min), dtype)

    return iinfo
