"""``--device``: the NumPy arrays a book program hands to xgrad go to one device.

The book moves data itself only on its GPU path (``cuda.as_cupy``,
``DataLoader.to_gpu``). To run a program unchanged on another device, book
mode makes that device the default (new parameters, random draws and data
loaders land there) and moves every NumPy array that becomes a Variable or an
op's input, as the book's ``as_cupy`` calls would.
"""

from __future__ import annotations

import contextlib
from typing import Any

import numpy as np

from .. import core
from .._device import Device
from ..devices import default_device, to_device


class HostArraysFollow:
    """While active, NumPy arrays entering Variables move to ``device``.

    It takes NumPy's type out of the Variable's fast path, so each NumPy
    array passes through the array check, and wraps that check with a move.
    """

    def __init__(self, device: Device) -> None:
        self.device = device
        self._original: Any = None
        self._default: contextlib.AbstractContextManager[Any] | None = None

    def _check(self, data: Any) -> Any:
        if isinstance(data, np.ndarray | np.generic):
            data = to_device(np.asarray(data), self.device)
        return self._original(data)

    def start(self) -> None:
        self._default = default_device(self.device)
        self._default.__enter__()
        self._original = core._checked_array
        core._ARRAY_TYPES.discard(np.ndarray)
        core._checked_array = self._check

    def stop(self) -> None:
        core._checked_array = self._original
        core._ARRAY_TYPES.add(np.ndarray)
        if self._default is not None:
            self._default.__exit__(None, None, None)
            self._default = None
