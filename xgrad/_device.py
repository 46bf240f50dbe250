"""The normalised device object, kept free of imports so every module can use it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Device:
    """A normalised device: which backend, CPU or GPU, and which one.

    Attributes
    ----------
    backend : str
        Registry name of the library (``"torch"``).
    name : str or None
        The library's own name for the device (``"cuda:0"``), None for the
        library's default device.
    kind : {"cpu", "gpu"}
    index : int or None
        The GPU number, where there is one.
    """

    backend: str
    name: str | None
    kind: str
    index: int | None = None
    native: Any = field(default=None, compare=False, repr=False)

    def __str__(self) -> str:
        return self.backend if self.name is None else f"{self.backend}:{self.name}"
