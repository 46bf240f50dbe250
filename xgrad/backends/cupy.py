"""CuPy arrays on NVIDIA GPUs (``cupy:N`` is CUDA device N)."""

from __future__ import annotations

import functools
from typing import Any

import numpy as np

from .._device import Device
from . import register
from ._base import Backend
from ._cuda_graphs import CupyCapture
from ._indexing import is_basic_index


@register
class CuPy(Backend):
    name = "cupy"
    gpu_only = True
    gpu = True
    writes_in_place = True

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

    @functools.cache  # noqa: B019  (singleton)
    def graph_capture(self) -> Any:
        """CUDA graphs of CuPy's kernels, for ``xgrad.jit(graphs=True)``."""
        return CupyCapture()

    def unavailable_reason(self) -> str:
        try:
            import cupy  # noqa: F401
        except ImportError:
            return "cupy: not installed (pip install cupy-cuda12x, matching your CUDA)"
        return "cupy: no CUDA device"

    def native_device(self, spec: str | None) -> Any:
        return self.device(spec).native

    def device(self, name: str | None) -> Device:
        import cupy

        index = cupy.cuda.runtime.getDevice() if name is None else int(name)
        return Device(self.name, str(index), "gpu", index, cupy.cuda.Device(index))

    def device_from_native(self, obj: Any) -> Device | None:
        cls = type(obj)
        if cls.__module__.startswith("cupy") and cls.__name__ == "Device":
            return self.device(str(obj.id))
        return None

    def devices(self) -> list[Device]:
        import cupy

        return [self.device(str(i)) for i in range(cupy.cuda.runtime.getDeviceCount())]

    def default_float(self, native: Any = None) -> Any:
        return self.xp.float64

    def move(self, x: Any, native: Any) -> Any:
        import cupy

        if native is None or x.device.id == native.id:
            return x
        with native:
            return cupy.asarray(x)

    def import_array(self, x: Any, source: Backend, native: Any) -> Any:
        import cupy

        with native or cupy.cuda.Device():
            try:
                return cupy.from_dlpack(x)
            except (TypeError, ValueError, RuntimeError, AttributeError, BufferError):
                return cupy.asarray(source.to_numpy(x))

    def random(self, seed: int | None, native: Any) -> Any:
        return CuPyRandom(seed, native)

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

    def apply_step(self, param: Any, delta: Any, scale: float | None = None) -> Any:
        if scale is not None:
            delta = scale * delta
        if param.dtype == delta.dtype and param.shape == delta.shape:
            param -= delta
            return param
        return param - delta

    def synchronize(self, x: Any) -> None:
        x.device.synchronize()

    def scatter_add(self, target: Any, key: Any, values: Any) -> Any:
        if is_basic_index(key):  # no repeats: the base's slice assignment
            return super().scatter_add(target, key, values)
        import cupy

        out = target.copy()
        cupy.add.at(out, key, values)
        return out


class CuPyRandom:
    """Random numbers from cuRAND's Philox generator on the target GPU.

    cuRAND cannot read its state back, so each draw reseeds the generator
    from ``(seed, number of draws so far)``: that pair is the whole state,
    which makes :meth:`get_state` exact and cheap, and distinct draws use
    distinct Philox keys.
    """

    def __init__(self, seed: int | None, native: Any) -> None:
        import cupy
        from cupy.cuda import curand

        self.cupy, self.device = cupy, native or cupy.cuda.Device()
        self.seed: int = np.random.SeedSequence(seed).entropy  # type: ignore[assignment]  # an int: given or drawn
        self.draws = 0
        with self.device:
            self.state = cupy.random.RandomState(
                0, method=curand.CURAND_RNG_PSEUDO_PHILOX4_32_10
            )

    def get_state(self) -> dict[str, int]:
        return {"seed": int(self.seed), "draws": self.draws}

    def set_state(self, state: dict[str, int]) -> None:
        seed, draws = int(state["seed"]), int(state["draws"])
        if seed < 0 or draws < 0:
            raise ValueError(
                f"cupy random state: seed and draws must be >= 0, got {seed}, {draws}"
            )
        self.seed, self.draws = seed, draws

    def _next(self) -> Any:
        """The generator, seeded for the next draw."""
        sequence = np.random.SeedSequence(self.seed, spawn_key=(self.draws,))
        self.draws += 1
        self.state.seed(int(sequence.generate_state(1, np.uint64)[0]))
        return self.state

    def uniform(
        self, low: float, high: float, shape: tuple[int, ...], dtype: Any
    ) -> Any:
        with self.device:
            return self._next().uniform(low, high, shape, dtype=dtype or "float64")

    def normal(
        self, loc: float, scale: float, shape: tuple[int, ...], dtype: Any
    ) -> Any:
        with self.device:
            return self._next().normal(loc, scale, shape, dtype=dtype or "float64")

    def integers(self, low: int, high: int, shape: tuple[int, ...], dtype: Any) -> Any:
        with self.device:
            return self._next().randint(low, high, shape, dtype=dtype or "int64")

    def permutation(self, n: int) -> Any:
        with self.device:
            return self._next().permutation(n)
