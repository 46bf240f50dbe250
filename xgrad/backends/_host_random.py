"""Random numbers drawn by NumPy on the host and sent to a backend's device."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from ._base import Backend

__all__ = ["HostRandom"]


class HostRandom:
    """Random numbers drawn by NumPy on the host and sent to the device.

    The default for libraries without an RNG of their own; the same seed gives
    the same values as the NumPy backend.
    """

    def __init__(self, backend: Backend, seed: int | None, native: Any) -> None:
        self.backend, self.native = backend, native
        self.rng = np.random.default_rng(seed)

    def get_state(self) -> Any:
        """The generator's state, as JSON-able data."""
        return self.rng.bit_generator.state

    def set_state(self, state: Any) -> None:
        self.rng.bit_generator.state = state

    def _send(self, a: np.ndarray, dtype: Any) -> Any:
        if a.dtype == np.float64 and not self.backend.has_float64(self.native):
            a = a.astype(np.float32)
        x = self.backend.from_numpy(a, self.native)
        return x if dtype is None else self.backend.xp.astype(x, dtype)

    def uniform(
        self, low: float, high: float, shape: tuple[int, ...], dtype: Any
    ) -> Any:
        return self._send(self.rng.uniform(low, high, shape), dtype)

    def normal(
        self, loc: float, scale: float, shape: tuple[int, ...], dtype: Any
    ) -> Any:
        return self._send(self.rng.normal(loc, scale, shape), dtype)

    def integers(self, low: int, high: int, shape: tuple[int, ...], dtype: Any) -> Any:
        return self._send(self.rng.integers(low, high, shape), dtype)

    def permutation(self, n: int) -> Any:
        return self._send(self.rng.permutation(n), None)
