"""Dask arrays: lazy, chunked, and scheduled on a laptop or a cluster.

Ops call the standard namespace that array-api-compat wraps around
``dask.array``, so a forward and backward pass builds a task graph and
computes nothing; :func:`xgrad.compute` and :func:`xgrad.persist` run it. The
overrides below keep that promise where the standard-only defaults would not:

- ``scatter_add`` and ``segment_sum`` use ``dask.array.bincount``, lazily;
- random numbers are drawn on the workers, chunk by chunk;
- ``to_numpy`` is the one place that computes, for printing, saving and tests;
- ``persist`` and ``compute`` evaluate many results in one pass
  (:mod:`xgrad.lazy`), and an optimizer step persists what it updated, so a
  training loop's graph is one step long;
- the special functions (``erfc``, ``gammaln`` ...) run once per chunk, one
  task each, not the hundreds of elementwise tasks of their series;
- the namespace's ``reshape`` and :meth:`Dask.getitem` fall back to fewer,
  larger chunks where Dask cannot reshape or index chunk by chunk.

A result whose shape depends on the data (``x[x > 0]``) would have unknown
sizes until computed, so :meth:`Dask.getitem` refuses boolean masks with an
error that gives the lazy alternative (``F.where``).
"""

from __future__ import annotations

import functools
import math
import operator
import types
from collections.abc import Callable
from typing import Any

import numpy as np

from .._compat import array_namespace
from .._device import Device
from .._errors import Unsupported
from . import register
from ._base import Backend
from ._derived import derived_namespace
from ._fft import whole_axes_fft
from ._indexing import has_array, has_none, is_basic_index, mixes_integers_and_arrays
from ._linalg import chunked_linalg
from ._special import ChunkwiseSpecial, Special
from ._standard import take_along_axis


@register
class Dask(Backend):
    name = "dask"
    multi_device = False  # one logical device: wherever the scheduler runs chunks
    lazy = True
    # Hypothesis fuzzing (tests/fuzz) runs on the eager backends: on Dask every
    # drawn example builds and computes a fresh task graph, minutes per op. The
    # op suite (tests/test_ops.py), the engine and everything else run on Dask.
    test_args = ("--ignore=tests/fuzz",)

    def asarray_native(self, obj: Any) -> Any:
        import dask.array as da

        return da.asarray(obj)

    @functools.cached_property
    def xp(self) -> types.ModuleType:
        """array-api-compat's Dask namespace, with a ``reshape`` that rechunks."""
        return _namespace(array_namespace(self.asarray_native([0.0])))

    def unavailable_reason(self) -> str:
        return 'dask: not installed (pip install "xgrad[dask]")'

    # -- devices: one logical device, the scheduler's workers ----------------------
    @functools.cached_property
    def _native(self) -> Any:
        # array-api-compat's marker for "a Dask array", accepted as device=
        info = self.xp.__array_namespace_info__()
        return next(d for d in info.devices() if d != "cpu")

    def device_of(self, x: Any) -> Any:
        return self._native

    def native_device(self, spec: str | None) -> Any:
        return self.device(spec).native

    def device(self, name: str | None) -> Device:
        if name is not None:
            raise ValueError(
                f"dask has one device, the scheduler's workers; got 'dask:{name}'. "
                f"Use 'dask'; for GPU workers build Dask arrays of CuPy chunks "
                f"(see docs/dask.md)"
            )
        return Device(self.name, None, "cpu", native=self._native)

    def device_from_native(self, obj: Any) -> Device | None:
        # By type name first: asking every other library's device object must
        # not import Dask (it may not be installed).
        if type(obj).__name__ != "_dask_device":
            return None
        return self.device(None) if obj is self._native else None

    def default_float(self, native: Any = None) -> Any:
        return np.float64

    def has_float64(self, native: Any = None) -> bool:
        return True

    def move(self, x: Any, native: Any) -> Any:
        return x

    # -- conversion and evaluation --------------------------------------------------
    def asarray(self, obj: Any, dtype: Any = None, device: Any = None) -> Any:
        if self.owns(obj):
            return obj if dtype is None else self.xp.astype(obj, dtype)
        return self.from_numpy(np.asarray(obj, dtype=dtype))

    def from_numpy(self, a: np.ndarray, device: Any = None) -> Any:
        import dask.array as da

        return da.from_array(np.asarray(a), chunks="auto")

    def import_array(self, x: Any, source: Backend, native: Any) -> Any:
        return self.from_numpy(source.to_numpy(x))

    def to_numpy(self, x: Any) -> np.ndarray:
        """Compute ``x`` and return its values: a deliberate compute."""
        return np.asarray(x.compute())

    def compute(self, arrays: list[Any]) -> list[Any]:
        import dask

        # a 0-d result comes back as a NumPy scalar: keep it an array
        done = dask.compute(*arrays)
        return [np.asarray(a) if isinstance(a, np.generic) else a for a in done]

    def persist(self, arrays: list[Any]) -> list[Any]:
        import dask

        return list(dask.persist(*arrays))

    def assert_valid(
        self, x: Any, bad: Any, error: Callable[[float, float], Exception]
    ) -> Any:
        """``x`` with the check in its graph: each chunk raises when it is computed."""
        import dask.array as da

        bad = da.broadcast_to(bad, x.shape).rechunk(x.chunks)
        return da.map_blocks(_checked, x, bad, error=error, dtype=x.dtype, meta=x._meta)

    # -- operations the standard lacks --------------------------------------------
    def getitem(self, x: Any, key: Any) -> Any:
        """``x[key]``; keys Dask cannot split by chunk are gathered from one chunk.

        Dask indexes one integer array at a time; a key with several (the
        rows and columns of ``embed_id``) is read lazily from ``x`` as a
        single chunk, which suits parameters and other small arrays. A
        boolean mask is refused: its result's size is only known after a
        compute, and a lazy graph cannot carry on from an unknown shape.
        """
        parts = key if isinstance(key, tuple) else (key,)
        for p in parts:
            if hasattr(p, "dtype") and self.xp.isdtype(p.dtype, "bool"):
                raise Unsupported(
                    f"get_item: a boolean mask of shape {tuple(p.shape)} on a dask "
                    f"array of shape {tuple(x.shape)}: the result's size depends on "
                    f"the data, which a lazy graph does not know before computing. "
                    f"Keep the shape with F.where(mask, x, 0) (and F.sum for a "
                    f"total), or compute first: m = xgrad.compute(mask)[0], then "
                    f"index a NumPy Variable, or np.flatnonzero(m) as integer rows"
                )
        if mixes_integers_and_arrays(key) or (has_array(key) and has_none(key)):
            return _gather(self, x, key)  # Dask places these axes apart from NumPy
        try:
            return x[key]
        except NotImplementedError:
            return _gather(self, x, key)

    def scatter_add(self, target: Any, key: Any, values: Any) -> Any:
        xp = self.xp
        if 0 in target.shape or 0 in values.shape:  # Dask cannot assign empty blocks
            return target
        if is_basic_index(key):
            return super().scatter_add(target, key, values)
        # Each selected element's flat position, selected with the same key;
        # bincount then adds the values there lazily, repeats included.
        size = math.prod(target.shape)
        positions = xp.reshape(xp.arange(size, dtype=xp.int64), target.shape)
        selected = self.getitem(positions.rechunk(target.chunks), key)
        values = xp.broadcast_to(values, selected.shape)
        flat = self.segment_sum(
            xp.reshape(selected, (-1,)), xp.reshape(values, (-1,)), size
        )
        return target + xp.reshape(flat, target.shape)

    def linalg(self, name: str) -> Callable[..., Any]:
        """NumPy's ``linalg.<name>`` on each chunk: Dask's own takes one 2-D array."""
        return chunked_linalg(self, name)

    def segment_sum(self, index: Any, values: Any, size: int) -> Any:
        import dask.array as da

        if values.chunks != index.chunks:
            values = values.rechunk(index.chunks)
        flat = da.bincount(index, weights=values, minlength=size)
        return self.xp.astype(flat, values.dtype)

    @functools.cached_property
    def special(self) -> Special:
        return ChunkwiseSpecial(self.xp)

    # -- random numbers ----------------------------------------------------------
    def random(self, seed: int | None, native: Any) -> Any:
        return DaskRandom(seed)


def _namespace(base: types.ModuleType) -> types.ModuleType:
    """``base`` with a ``reshape`` that rechunks where Dask's cannot split."""

    def reshape(x: Any, /, shape: tuple[int, ...], copy: bool | None = None) -> Any:
        try:
            return base.reshape(x, shape, copy=copy)
        except NotImplementedError:  # chunks that do not split evenly: fewer chunks
            rows = {0: x.chunks[0]} if x.ndim else {}
            whole = x.rechunk({**dict.fromkeys(range(x.ndim), -1), **rows})
            try:
                return base.reshape(whole, shape, copy=copy)
            except NotImplementedError:
                return base.reshape(x.rechunk(-1), shape, copy=copy)

    def repeat(x: Any, repeats: Any, /, *, axis: int | None = None) -> Any:
        if not isinstance(repeats, int):
            raise Unsupported(
                f"repeat: an array of counts (shape {tuple(repeats.shape)}) on Dask "
                f"gives a result whose length depends on the data, which a lazy "
                f"graph does not know; pass the counts as a NumPy array or a list"
            )
        return base.repeat(x, repeats, axis=axis)

    return derived_namespace(
        base,
        "xgrad.backends.dask.xp",
        reshape=reshape,
        repeat=repeat,
        take_along_axis=functools.partial(take_along_axis, base),
        fft=whole_axes_fft(base.fft),
    )


def _checked(x: Any, bad: Any, error: Callable[[float, float], Exception]) -> Any:
    """One chunk of :meth:`Dask.assert_valid`: ``x``, or ``error`` for its values."""
    if bad.any():
        raise error(float(np.nanmin(x)), float(np.nanmax(x)))
    return x


def _gather(backend: Dask, x: Any, key: Any) -> Any:
    """``x[key]`` computed from ``x`` as one chunk, for keys Dask cannot split."""
    import dask
    import dask.array as da

    parts = key if isinstance(key, tuple) else (key,)
    dummies = []
    for p in parts:
        is_array = hasattr(p, "shape") and not isinstance(p, int)
        dummies.append(np.zeros(p.shape, np.intp) if is_array else p)
    shape = np.broadcast_to(np.zeros((), x.dtype), x.shape)[tuple(dummies)].shape
    picked = dask.delayed(operator.getitem, pure=True)(x.rechunk(-1), tuple(parts))
    return da.from_delayed(picked, shape, dtype=x.dtype, meta=x._meta)


class DaskRandom:
    """Random numbers drawn on the workers, one independent stream per chunk.

    A host NumPy generator hands each draw a fresh seed, so the state is the
    host generator's (saved in checkpoints) and a seed repeats its values for
    the same shape. Dask's per-chunk generator differs from NumPy's whole-array
    one, so values differ from the NumPy backend's.
    """

    def __init__(self, seed: int | None) -> None:
        self.host = np.random.default_rng(seed)

    def get_state(self) -> Any:
        return self.host.bit_generator.state

    def set_state(self, state: Any) -> None:
        self.host.bit_generator.state = state

    def _rng(self) -> Any:
        import dask.array as da

        return da.random.default_rng(int(self.host.integers(2**63)))

    def uniform(
        self, low: float, high: float, shape: tuple[int, ...], dtype: Any
    ) -> Any:
        x = self._rng().uniform(low, high, shape)
        return x if dtype is None else x.astype(dtype)

    def normal(
        self, loc: float, scale: float, shape: tuple[int, ...], dtype: Any
    ) -> Any:
        x = self._rng().normal(loc, scale, shape)
        return x if dtype is None else x.astype(dtype)

    def integers(self, low: int, high: int, shape: tuple[int, ...], dtype: Any) -> Any:
        return self._rng().integers(low, high, shape, dtype=dtype or np.int64)

    def permutation(self, n: int) -> Any:
        return self._rng().permutation(n)
