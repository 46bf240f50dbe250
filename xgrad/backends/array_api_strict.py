"""array-api-strict: the standard and nothing more.

Nothing here is overridden beyond conversion: when the op tests pass on this
backend, the op code uses only the standard. Its fake devices (``device1``,
``device2``) let device moves be tested on a machine without a GPU.
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np

from .._compat import is_array_api_strict_namespace
from . import register
from ._base import Backend


@register
class ArrayAPIStrict(Backend):
    name = "array_api_strict"

    def owns(self, x: Any) -> bool:
        cls = type(x)
        return cls.__module__.startswith("array_api_strict") and cls.__name__ == "Array"

    @functools.cached_property
    def xp(self) -> Any:
        import array_api_strict

        assert is_array_api_strict_namespace(array_api_strict)
        return array_api_strict

    def native_device(self, spec: str | None) -> Any:
        return None if spec is None else self.xp.Device(spec)

    def to_numpy(self, x: Any) -> np.ndarray:
        cpu = self.xp.asarray(x, device=self.xp.Device("CPU_DEVICE"), copy=True)
        return np.asarray(cpu)
