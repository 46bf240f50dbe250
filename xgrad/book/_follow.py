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

from .._device import Device
from ..array_check import follow_host_arrays
from ..devices import default_device


class HostArraysFollow:
    """While active, NumPy arrays entering Variables move to ``device``
    (:func:`xgrad.array_check.follow_host_arrays`), and it is the default device."""

    def __init__(self, device: Device) -> None:
        self.device = device
        self._default: contextlib.AbstractContextManager[Any] | None = None

    def start(self) -> None:
        self._default = default_device(self.device)
        self._default.__enter__()
        follow_host_arrays(self.device)

    def stop(self) -> None:
        follow_host_arrays(None)
        if self._default is not None:
            self._default.__exit__(None, None, None)
            self._default = None
