"""array-api-strict: the standard and nothing more.

Nothing here is overridden beyond conversion and indexing rewrites (the
standard takes integer arrays only when they index every axis, and slices
only within the axis): when the op
tests pass on this backend, the op code uses only the standard. Its fake devices (``device1``,
``device2``) let device moves be tested on a machine without a GPU.
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np

from .._device import Device
from . import register
from ._base import Backend
from ._indexing import (
    as_integer_arrays,
    clamp_slices,
    is_mask,
    needs_integer_arrays,
)


@register
class ArrayAPIStrict(Backend):
    name = "array_api_strict"
    test_device = "device1"  # a fake device: tests catch arrays left on the default

    def owns(self, x: Any) -> bool:
        cls = type(x)
        return cls.__module__.startswith("array_api_strict") and cls.__name__ == "Array"

    @functools.cached_property
    def xp(self) -> Any:
        import array_api_strict

        return array_api_strict

    def native_device(self, spec: str | None) -> Any:
        return self.xp.Device(spec or "CPU_DEVICE")

    def getitem(self, x: Any, key: Any) -> Any:
        return x[self._key(key, tuple(x.shape), x.device)]

    def scatter_add(self, target: Any, key: Any, values: Any) -> Any:
        key = self._key(key, tuple(target.shape), target.device)
        return super().scatter_add(target, key, values)

    def _key(self, key: Any, shape: tuple[int, ...], device: Any) -> Any:
        """NumPy's ``key`` as the standard spells it (see _indexing)."""
        parts = key if isinstance(key, tuple) else (key,)
        if len(parts) > 1 and any(is_mask(p) for p in parts):
            raise IndexError(
                f"GetItem: array-api-strict takes a boolean mask (or True/False) "
                f"only as the whole key, as the standard specifies; got a key of "
                f"{len(parts)} parts for shape {shape}. Select with integer "
                f"indices instead, e.g. xp.nonzero(mask)[0]"
            )
        if needs_integer_arrays(key):
            return as_integer_arrays(self.xp, key, shape, device)
        if any(isinstance(p, slice) for p in parts):
            return clamp_slices(key, shape)
        return key

    def device(self, name: str | None) -> Device:
        name = name or "CPU_DEVICE"
        names = [d._device for d in self.xp.__array_namespace_info__().devices()]
        if name not in names:
            raise ValueError(f"array_api_strict has no device {name!r}; it has {names}")
        return Device(self.name, name, "cpu", native=self.xp.Device(name))

    def device_from_native(self, obj: Any) -> Device | None:
        cls = type(obj)
        if cls.__module__.startswith("array_api_strict") and cls.__name__ == "Device":
            return self.device(obj._device)
        return None

    def devices(self) -> list[Device]:
        info = self.xp.__array_namespace_info__()
        return [self.device(d._device) for d in info.devices()]

    def to_numpy(self, x: Any) -> np.ndarray:
        cpu = self.xp.asarray(x, device=self.xp.Device("CPU_DEVICE"), copy=True)
        return np.asarray(cpu)
