"""What xgrad needs to know about an array library, written once over the standard.

A :class:`Backend` is a singleton per library. Its defaults use only array API
standard functions, so a library that follows the standard works without any
override; a subclass overrides a method only where its library is measurably
faster or lacks a standard function.
"""

from __future__ import annotations

import functools
import importlib
from collections.abc import Callable
from types import ModuleType
from typing import Any

import numpy as np

from .. import _compat
from .._device import Device
from . import _erf
from ._host_random import HostRandom
from ._indexing import forward_slices, has_negative_step, has_none, is_basic_index
from ._linalg import standard_linalg
from ._special import Special


class Backend:
    """One array library, as xgrad sees it.

    Attributes
    ----------
    name : str
        Import name of the library; also the stem of ``backends/<name>.txt``.
    gpu : bool
        Whether the library's arrays live on a GPU by default.
    multi_device : bool
        Whether two arrays of this library can live on different devices, so
        that Function calls must compare them.
    lazy : bool
        Whether ops build a graph that runs later (Dask), so that results need
        :meth:`compute` or :meth:`persist`.
    writes_in_place : bool
        Whether arrays can be written in place (NumPy, CuPy, PyTorch), so an
        optimizer step keeps each parameter's array object (:meth:`write_into`).
    fused_step : bool
        Whether :meth:`apply_step` computes ``param - scale * delta`` with one
        rounding (PyTorch's ``add_(alpha=)``, as ``torch.optim`` does).
    partial_dtypes : tuple of str
        The standard's dtypes the library has but cannot compute with (most
        of PyTorch's kernels lack uint16/32/64): xgrad's namespace leaves them
        out, so code that looks for them finds none.
    gpu_only, test_device, test_args
        For the repository's tests (docs/backends.md): a GPU-only library's
        nox session is off by default; the device tests put arrays on; extra
        pytest arguments. Literals: noxfile.py reads them from the source.
    """

    name: str = ""
    gpu: bool = False
    multi_device: bool = True
    lazy: bool = False
    writes_in_place: bool = False
    fused_step: bool = False
    partial_dtypes: tuple[str, ...] = ()
    gpu_only: bool = False
    test_device: str | None = None
    test_args: tuple[str, ...] = ()

    def __repr__(self) -> str:
        return f"<xgrad backend {self.name!r}>"

    # -- identity -----------------------------------------------------------
    def owns(self, x: Any) -> bool:
        """Whether ``x`` is an array of this library, checked without importing it.

        By default array-api-compat's ``is_<name>_array``, which reads the type;
        ``register`` refuses a class that has neither that nor an override.
        """
        return _compat.array_check(self.name)(x)  # type: ignore[misc]

    @functools.cached_property
    def kinds(self) -> dict[Any, str]:
        """dtype -> its kind, filled as ops meet dtypes (:func:`xgrad.domains.kind`)."""
        return {}

    @functools.cached_property
    def xp(self) -> ModuleType:
        """The library's array-API namespace, imported on first use."""
        return _compat.array_namespace(self.asarray_native([0.0]))

    def asarray_native(self, obj: Any) -> Any:
        """Build an array with the library's own constructor (used to find ``xp``)."""
        return importlib.import_module(self.name).asarray(obj)

    @functools.cache  # noqa: B019  (singleton: the cache lives as long as it)
    def is_available(self) -> bool:
        """Whether the library imports here (and, for GPU ones, a device exists)."""
        try:
            importlib.import_module(self.name)
        except ImportError:
            return False
        return True

    def unavailable_reason(self) -> str:
        """One line saying why :meth:`is_available` is False."""
        return f"{self.name}: not installed (pip install {self.name})"

    # -- devices ------------------------------------------------------------
    def device_of(self, x: Any) -> Any:
        """The library's own device object for ``x``."""
        return _compat.device(x)

    def native_device(self, spec: str | None) -> Any:
        """Turn the part of a device spec after ``<backend>:`` into a device."""
        return spec

    def device(self, name: str | None) -> Device:
        """The :class:`~xgrad.Device` called ``name`` (None: the default one)."""
        kind = "gpu" if self.gpu else "cpu"
        return Device(self.name, name, kind, native=self.native_device(name))

    def device_from_native(self, obj: Any) -> Device | None:
        """``obj`` as a Device if it is one of this library's devices, else None."""
        return None

    def devices(self) -> list[Device]:
        """Every device of this library on this machine."""
        return [self.device(None)]

    def cpu_device(self) -> Device | None:
        """This library's CPU device, where ``to_cpu()`` goes; None if it has none."""
        return None if self.gpu else self.device(None)

    def gpu_device(self) -> Device | None:
        """This library's GPU device, where ``to_gpu()`` goes; None if it has none."""
        return self.device(None) if self.gpu else None

    def default_float(self, native: Any = None) -> Any:
        """The default floating dtype on a device (float32 where float64 is missing)."""
        info = self.xp.__array_namespace_info__()
        return info.default_dtypes(device=native)["real floating"]

    def has_float64(self, native: Any = None) -> bool:
        """Whether the device stores float64 (array-api-strict's ``no_float64`` does not)."""
        info = self.xp.__array_namespace_info__()
        return "float64" in info.dtypes(device=native, kind="real floating")

    def move(self, x: Any, native: Any) -> Any:
        """``x`` on another device of this library (a copy only where needed)."""
        return _compat.to_device(x, native)

    def import_array(self, x: Any, source: Backend, native: Any) -> Any:
        """An array of another library, brought here: DLPack, then via NumPy."""
        try:
            y = self.xp.from_dlpack(x)
        except (TypeError, ValueError, RuntimeError, AttributeError, BufferError):
            return self.from_numpy(source.to_numpy(x), native)
        return self.move(y, native) if native is not None else y

    def apply_step(self, param: Any, delta: Any, scale: float | None = None) -> Any:
        """``param - delta`` (``param - scale * delta``) for an optimizer step:
        a new array by default.

        Libraries whose arrays can be written override this to update in
        place, which saves a full copy of every parameter per step; those
        with a fused multiply-subtract use it for ``scale``, which saves the
        temporary ``scale * delta`` too.
        """
        if scale is not None:
            delta = scale * delta
        return param - delta

    def write_into(self, target: Any, value: Any) -> Any:
        """``value`` in ``target``'s dtype: written into ``target`` where allowed.

        An optimizer step ends here, so a parameter keeps its dtype (a float32
        weight with a float64 gradient stays float32, as DeZero's
        ``param.data -= ...`` keeps it) and, on libraries that write in place,
        its array object. Otherwise, or when ``target`` is read-only or of
        another shape, the result is a new array of ``target``'s dtype.
        """
        same_shape = tuple(target.shape) == tuple(value.shape)
        if self.writes_in_place and same_shape and self.is_writable(target):
            target[...] = value
            return target
        if value.dtype == target.dtype:
            return value
        return self.xp.astype(value, target.dtype)

    def is_writable(self, x: Any) -> bool:
        """Whether ``x`` may be written in place (read-only views may not)."""
        return self.writes_in_place

    def synchronize(self, x: Any) -> None:
        """Wait until the device has finished computing ``x``.

        GPU libraries return before their kernels finish; timing code calls
        this before it reads the clock. Host libraries have nothing to wait for.
        """

    # -- random numbers ---------------------------------------------------------
    def random(self, seed: int | None, native: Any) -> Any:
        """A random stream on device ``native``: draws on the host, then moves."""
        return HostRandom(self, seed, native)

    # -- conversion -----------------------------------------------------------
    def fix(self, y: Any) -> Any:
        """Normalise a forward result, e.g. a NumPy scalar back into a 0-d array."""
        return y

    def asarray(self, obj: Any, dtype: Any = None, device: Any = None) -> Any:
        """``xp.asarray`` on this library."""
        return self.xp.asarray(obj, dtype=dtype, device=device)

    def to_numpy(self, x: Any) -> np.ndarray:
        """A NumPy copy (or view) of ``x``, for printing, saving and tests."""
        return np.asarray(x)

    def from_numpy(self, a: np.ndarray, device: Any = None) -> Any:
        """An array of this library holding the values of NumPy array ``a``."""
        return self.xp.asarray(a, device=device)

    # -- evaluation, for lazy libraries (xgrad.compute, xgrad.persist) ------------
    def compute(self, arrays: list[Any]) -> list[Any]:
        """The values of ``arrays``, evaluated together: eager arrays already are."""
        return arrays

    def persist(self, arrays: list[Any]) -> list[Any]:
        """``arrays`` evaluated together and kept where they live: eager ones are."""
        return arrays

    def assert_valid(
        self, x: Any, bad: Any, error: Callable[[float, float], Exception]
    ) -> Any:
        """``x``, once no element of the boolean array ``bad`` is true.

        Otherwise raises ``error(lo, hi)``, given the smallest and largest
        values of ``x``. Eager libraries check now; lazy ones attach the
        check to the graph, so that checking input values (labels in range)
        never forces a compute.
        """
        xp = self.xp
        if bool(xp.any(bad)):
            raise error(*_value_range(xp, x))
        return x

    def assert_in_range(
        self,
        x: Any,
        low: float,
        high: float,
        error: Callable[[float, float], Exception],
        include_high: bool = False,
    ) -> Any:
        """``x``, once every element lies in ``[low, high)`` (``[low, high]`` with
        ``include_high``): :meth:`assert_valid` with that condition."""
        above = x > high if include_high else x >= high
        return self.assert_valid(x, (x < low) | above, error)

    # -- operations the standard lacks -----------------------------------------
    def one_hot(self, labels: Any, n: int, dtype: Any) -> Any:
        """An array ``(len(labels), n)`` of ``dtype``: row ``i`` is 1 at column
        ``labels[i]`` and 0 elsewhere. ``labels`` are in range (checked by the
        caller)."""
        xp = self.xp
        classes = xp.arange(n, device=self.device_of(labels))
        return xp.astype(labels[:, None] == classes[None, :], dtype)

    def getitem(self, x: Any, key: Any) -> Any:
        """``x[key]`` for NumPy's keys; libraries that take fewer override it."""
        return x[key]

    def set_item(self, x: Any, key: Any, value: Any) -> Any:
        """A copy of ``x`` with ``value`` written at ``x[key]``; ``x`` unchanged."""
        out = self.xp.asarray(x, copy=True)
        out[key] = value
        return out

    def scatter_add(self, target: Any, key: Any, values: Any) -> Any:
        """``target`` with ``values`` added at ``target[key]``, repeats accumulated.

        Returns a new array and never writes into ``target``, so immutable
        libraries are served too. ``key`` may hold slices, integers, integer
        arrays and boolean masks: anything ``target[key]`` accepts.
        """
        xp = self.xp
        if is_basic_index(key):
            if has_negative_step(key):  # not every library writes backwards:
                key, flips = forward_slices(key, tuple(target.shape))  # walk forward
                values = xp.flip(values, axis=flips) if flips else values
            if has_none(key):  # new axes have length 1: drop them from both
                parts = key if isinstance(key, tuple) else (key,)
                key = tuple(p for p in parts if p is not None)
                values = xp.reshape(values, self.getitem(target, key).shape)
            out = xp.zeros_like(target)
            out[key] = values
            return target + out
        # Index an array of flat positions with the same key: each selected
        # element's position in ``target``, in the shape of ``target[key]``.
        size = _size(target.shape)
        positions = xp.arange(size, device=self.device_of(target))
        selected = self.getitem(xp.reshape(positions, target.shape), key)
        values = xp.broadcast_to(values, selected.shape)
        flat = self.segment_sum(
            xp.reshape(selected, (-1,)), xp.reshape(values, (-1,)), size
        )
        return target + xp.reshape(flat, target.shape)

    def linalg(self, name: str) -> Callable[..., Any]:
        """The standard's ``linalg.<name>``; ``Unsupported`` where the library lacks it."""
        return standard_linalg(self, name)

    def erf(self, x: Any) -> Any:
        """The error function of a real floating array (the standard has none):
        a series and a continued fraction of standard functions (``_erf``)."""
        return _erf.erf(self.xp, x)

    @functools.cached_property
    def special(self) -> Special:
        """The special functions the standard lacks (erfc, gammaln, i0, ...)."""
        return Special(self.xp)

    def segment_sum(self, index: Any, values: Any, size: int) -> Any:
        """A length-``size`` array whose item ``i`` is the sum of ``values[index == i]``.

        The standard has no accumulating scatter, so the default multiplies by
        a one-hot matrix: O(size * len(index)) memory. Libraries override it.
        """
        xp = self.xp
        slots = xp.arange(size, device=self.device_of(values))
        onehot = xp.astype(slots[:, None] == index[None, :], values.dtype)
        return onehot @ values


def _value_range(xp: Any, x: Any) -> tuple[float, float]:
    """The smallest and largest values of ``x``, NaN skipped: for error messages."""
    if xp.isdtype(x.dtype, "real floating"):
        nan = xp.isnan(x)
        low = xp.min(xp.where(nan, xp.full_like(x, xp.inf), x))
        return float(low), float(xp.max(xp.where(nan, xp.full_like(x, -xp.inf), x)))
    return float(xp.min(x)), float(xp.max(x))


def _size(shape: tuple[int, ...]) -> int:
    n = 1
    for d in shape:
        n *= d
    return n
