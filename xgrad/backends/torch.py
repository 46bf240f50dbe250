"""PyTorch tensors, on the CPU or a CUDA device, through array-api-compat."""

from __future__ import annotations

import functools
from types import ModuleType
from typing import Any

import numpy as np

from .._device import Device
from . import register
from ._base import Backend
from ._derived import derived_namespace
from ._indexing import (
    as_integer_arrays,
    fit_empty_masks,
    forward_slices,
    has_empty_mask,
    has_negative_step,
    has_none,
    is_basic_index,
    mixes_integers_and_arrays,
    positive_steps,
)
from ._special import Special
from ._torch_division import mended
from ._torch_sets import unique_all, unique_counts, unique_inverse, unique_values


@register
class Torch(Backend):
    name = "torch"
    writes_in_place = True
    fused_step = True
    partial_dtypes = ("uint16", "uint32", "uint64")  # few kernels take them

    @functools.cached_property
    def xp(self) -> ModuleType:
        """array-api-compat's PyTorch namespace, mended where it falls short of
        the standard: the four ``unique_*`` functions (``_torch_sets``), and
        ``floor_divide`` and ``remainder`` of floats at infinities and signed
        zeros (``_torch_division``); and ``matmul`` goes straight to PyTorch
        when the dtypes agree. Op code and xgrad's namespace both call these
        by the standard's names."""
        import torch

        base = Backend.xp.func(self)  # type: ignore[attr-defined]  # cached_property.func
        return derived_namespace(
            base,
            "xgrad.backends.torch.xp",
            unique_all=unique_all,
            unique_counts=unique_counts,
            unique_inverse=unique_inverse,
            unique_values=unique_values,
            matmul=functools.partial(_matmul, torch.matmul, base.matmul),
            **mended(base),
        )

    def native_device(self, spec: str | None) -> Any:
        return self.device(spec).native

    # torch slices only step forward, places an integer beside an integer
    # array apart from NumPy, and refuses an empty mask that is shorter than
    # the array in an axis: such keys are rewritten (see _indexing).
    def getitem(self, x: Any, key: Any) -> Any:
        shape, xp = tuple(x.shape), self.xp
        if has_empty_mask(key):
            key = fit_empty_masks(xp, key, shape, x.device)
        if mixes_integers_and_arrays(key) and not has_none(key):
            return x[as_integer_arrays(xp, key, shape, x.device)]
        if not has_negative_step(key):
            return x[key]
        if is_basic_index(key):
            key, flips = forward_slices(key, shape)
            y = x[key]
            return xp.flip(y, axis=flips) if flips else y
        flips, key = positive_steps(key, shape)  # with arrays: flip x itself
        return xp.flip(x, axis=flips)[key]

    def set_item(self, x: Any, key: Any, value: Any) -> Any:
        shape, xp = tuple(x.shape), self.xp
        if has_empty_mask(key):
            key = fit_empty_masks(xp, key, shape, x.device)
        if mixes_integers_and_arrays(key) and not has_none(key):
            key = as_integer_arrays(xp, key, shape, x.device)
        if not has_negative_step(key):
            return super().set_item(x, key, value)
        if is_basic_index(key):  # write the selection walking forward, flipped
            key, flips = forward_slices(key, shape)
            out = xp.asarray(x, copy=True)
            if flips:
                value = xp.flip(xp.broadcast_to(value, out[key].shape), axis=flips)
            out[key] = value
            return out
        flips, key = positive_steps(key, shape)  # with arrays: flip x itself
        out = xp.flip(x, axis=flips)  # a copy
        out[key] = value
        return xp.flip(out, axis=flips)

    def scatter_add(self, target: Any, key: Any, values: Any) -> Any:
        shape, xp = tuple(target.shape), self.xp
        if mixes_integers_and_arrays(key) and not has_none(key):
            key = as_integer_arrays(xp, key, shape, target.device)
        elif has_negative_step(key) and not is_basic_index(key):  # basic keys: base
            flips, key = positive_steps(key, shape)
            flipped = super().scatter_add(xp.flip(target, axis=flips), key, values)
            return xp.flip(flipped, axis=flips)
        return super().scatter_add(target, key, values)

    def erf(self, x: Any) -> Any:
        import torch

        return torch.special.erf(x)

    @functools.cached_property
    def special(self) -> Special:
        return _TorchSpecial(self.xp)

    def device(self, name: str | None) -> Device:
        import torch

        dev = torch.device(name or "cpu")
        if dev.type == "cuda" and dev.index is None:
            dev = torch.device("cuda", 0)
        kind = "cpu" if dev.type == "cpu" else "gpu"
        return Device(self.name, str(dev), kind, dev.index, native=dev)

    def device_from_native(self, obj: Any) -> Device | None:
        cls = type(obj)
        if cls.__module__ == "torch" and cls.__name__ == "device":
            return self.device(str(obj))
        return None

    def devices(self) -> list[Device]:
        import torch

        found = [self.device("cpu")]
        found += [self.device(f"cuda:{i}") for i in range(torch.cuda.device_count())]
        if torch.backends.mps.is_available():
            found.append(self.device("mps"))
        return found

    def cpu_device(self) -> Device:
        return self.device("cpu")

    def gpu_device(self) -> Device | None:
        import torch

        if torch.cuda.is_available():
            return self.device("cuda:0")
        if torch.backends.mps.is_available():
            return self.device("mps")
        return None

    def move(self, x: Any, native: Any) -> Any:
        return x.to(native)

    def import_array(self, x: Any, source: Backend, native: Any) -> Any:
        import torch

        try:
            y = torch.from_dlpack(x)
        except (TypeError, ValueError, RuntimeError, AttributeError, BufferError):
            return self.from_numpy(source.to_numpy(x), native)
        return y.to(native) if native is not None else y

    def random(self, seed: int | None, native: Any) -> Any:
        return TorchRandom(seed, native)

    def device_of(self, x: Any) -> Any:
        return x.device

    def synchronize(self, x: Any) -> None:
        if x.device.type == "cuda":
            import torch

            torch.cuda.synchronize(x.device)

    def to_numpy(self, x: Any) -> np.ndarray:
        return x.detach().cpu().resolve_conj().resolve_neg().numpy()

    def from_numpy(self, a: np.ndarray, device: Any = None) -> Any:
        import torch

        return torch.asarray(np.array(a, order="C"), device=device)  # keeps 0-d as 0-d

    def is_writable(self, x: Any) -> bool:
        return not (x.requires_grad or x.is_inference())

    def apply_step(self, param: Any, delta: Any, scale: float | None = None) -> Any:
        in_place = param.shape == delta.shape and not param.requires_grad
        fusable = param.dtype.is_floating_point or param.dtype.is_complex
        if scale is not None:
            fused = type(scale) in (float, int) and fusable
            if in_place and fused and param.dtype == delta.dtype:
                return param.add_(delta, alpha=-scale)  # one pass, no temporary
            delta = scale * delta
        if in_place and param.dtype == delta.dtype:
            return param.sub_(delta)
        return param - delta

    def segment_sum(self, index: Any, values: Any, size: int) -> Any:
        out = values.new_zeros((size,))
        return out.index_add_(0, index, values)


class TorchRandom:
    """Random numbers from a ``torch.Generator`` on the target device."""

    def __init__(self, seed: int | None, native: Any) -> None:
        import torch

        self.torch, self.device = torch, native or torch.device("cpu")
        self.gen = torch.Generator(device=self.device)
        if seed is None:
            self.gen.seed()
        else:
            self.gen.manual_seed(seed)

    def get_state(self) -> np.ndarray:
        """The generator's state, as a NumPy byte array."""
        return self.gen.get_state().numpy()

    def set_state(self, state: np.ndarray) -> None:
        self.gen.set_state(self.torch.from_numpy(np.array(state, dtype=np.uint8)))

    def _kw(self, dtype: Any) -> dict[str, Any]:
        return {"generator": self.gen, "device": self.device, "dtype": dtype}

    def uniform(
        self, low: float, high: float, shape: tuple[int, ...], dtype: Any
    ) -> Any:
        dtype = dtype or self.torch.get_default_dtype()
        return self.torch.rand(shape, **self._kw(dtype)) * (high - low) + low

    def normal(
        self, loc: float, scale: float, shape: tuple[int, ...], dtype: Any
    ) -> Any:
        dtype = dtype or self.torch.get_default_dtype()
        return self.torch.randn(shape, **self._kw(dtype)) * scale + loc

    def integers(self, low: int, high: int, shape: tuple[int, ...], dtype: Any) -> Any:
        return self.torch.randint(
            low, high, shape, **self._kw(dtype or self.torch.int64)
        )

    def permutation(self, n: int) -> Any:
        return self.torch.randperm(n, generator=self.gen, device=self.device)


class _TorchSpecial(Special):
    """``torch.special`` where it is as accurate as the standard-only default
    (measured: within 4 units in the last place); the default elsewhere, since
    PyTorch's ``ndtr`` and ``log_ndtr`` lose their tails, its ``digamma`` and
    ``polygamma`` the digits near digamma's root, and its ``i0``, ``i1`` and
    ``erfcx`` overflow or drift first."""

    def erfc(self, x: Any) -> Any:
        import torch

        return torch.special.erfc(x)

    def erfinv(self, x: Any) -> Any:
        import torch

        return torch.special.erfinv(x)

    def ndtri(self, x: Any) -> Any:
        import torch

        return torch.special.ndtri(x)

    def gammaln(self, x: Any) -> Any:
        import torch

        return torch.special.gammaln(x)


def _matmul(direct: Any, promoting: Any, x1: Any, x2: Any, /, **kwargs: Any) -> Any:
    """``torch.matmul`` for two tensors of one dtype: array-api-compat's
    ``matmul`` first converts both to their common dtype, which for equal
    dtypes costs two no-op conversions per call (every Linear layer's
    forward and backward); other operands take its promotion."""
    dtype = getattr(x1, "dtype", None)
    if type(x1) is type(x2) and dtype is getattr(x2, "dtype", 0) and not kwargs:
        return direct(x1, x2)
    return promoting(x1, x2, **kwargs)
