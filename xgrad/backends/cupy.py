"""CuPy arrays on NVIDIA GPUs (``cupy:N`` is CUDA device N)."""

from __future__ import annotations

import functools
from typing import Any

import numpy as np

from .._compat import is_cupy_array
from . import register
from ._base import Backend


@register
class CuPy(Backend):
    name = "cupy"
    gpu = True

    def owns(self, x: Any) -> bool:
        return is_cupy_array(x)

    @functools.cache  # noqa: B019  (singleton)
    def is_available(self) -> bool:
        try:
            import cupy
        except ImportError:
            return False
        try:
            return cupy.cuda.runtime.getDeviceCount() > 0
        except cupy.cuda.runtime.CUDARuntimeError:  # no driver, or no device
            return False

    def unavailable_reason(self) -> str:
        try:
            import cupy  # noqa: F401
        except ImportError:
            return "cupy: not installed (pip install cupy-cuda12x, matching your CUDA)"
        return "cupy: no CUDA device"

    def native_device(self, spec: str | None) -> Any:
        import cupy

        return None if spec is None else cupy.cuda.Device(int(spec))

    def device_of(self, x: Any) -> Any:
        return x.device

    def to_numpy(self, x: Any) -> np.ndarray:
        return x.get()

    def from_numpy(self, a: np.ndarray, device: Any = None) -> Any:
        import cupy

        if device is None:
            return cupy.asarray(a)
        with device:
            return cupy.asarray(a)

    def scatter_add(self, target: Any, key: Any, values: Any) -> Any:
        import cupyx

        out = target.copy()
        cupyx.scatter_add(out, key, values)
        return out
