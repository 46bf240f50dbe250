"""NumPy: the CPU default, and the reference every other backend is tested against."""

from __future__ import annotations

import functools
import operator
from collections.abc import Callable
from types import ModuleType
from typing import Any

import numpy as np

from .._device import Device
from . import register
from ._base import Backend
from ._derived import derived_namespace


def _sum(
    x: Any, /, *, axis: Any = None, dtype: Any = None, keepdims: bool = False
) -> Any:
    """The standard's ``sum``: what ``np.sum`` computes, without its Python layers."""
    return np.add.reduce(x, axis=axis, dtype=dtype, keepdims=keepdims)  # type: ignore[call-overload]  # the stubs want keepdims as a literal


def _max(x: Any, /, *, axis: Any = None, keepdims: bool = False) -> Any:
    """The standard's ``max`` (NaN propagates, as in ``np.max``)."""
    return np.maximum.reduce(x, axis=axis, keepdims=keepdims)  # type: ignore[call-overload]  # the stubs want keepdims as a literal


def _min(x: Any, /, *, axis: Any = None, keepdims: bool = False) -> Any:
    """The standard's ``min`` (NaN propagates, as in ``np.min``)."""
    return np.minimum.reduce(x, axis=axis, keepdims=keepdims)  # type: ignore[call-overload]  # the stubs want keepdims as a literal


def _astype(
    checked: Callable[..., Any],
    x: Any,
    dtype: Any,
    /,
    *,
    copy: bool = True,
    device: Any = None,
) -> Any:
    """The standard's ``astype`` as the array method; ``checked`` (compat's)
    serves calls that name a device, which it validates."""
    if device is not None:
        return checked(x, dtype, copy=copy, device=device)
    return x.astype(dtype, copy=copy)


@register
class NumPy(Backend):
    name = "numpy"
    multi_device = False
    writes_in_place = True

    @functools.cached_property
    def xp(self) -> ModuleType:
        """array-api-compat's NumPy namespace, with direct calls where compat's
        functions (or NumPy's own Python wrappers) only forward: ``matmul``,
        ``matrix_transpose`` as ``x.mT``, ``ones_like``, ``zeros_like``, the
        reductions ``sum``/``max``/``min`` as the ufuncs' ``reduce`` and
        ``astype`` as the method. A training step calls these most; each saves
        two to four Python frames, which run with cold caches between BLAS calls."""
        base = Backend.xp.func(self)  # type: ignore[attr-defined]  # cached_property.func
        if not hasattr(np.ndarray, "mT"):  # NumPy 1.x
            return base
        return derived_namespace(
            base,
            "xgrad.backends.numpy.xp",
            matmul=np.matmul,
            matrix_transpose=operator.attrgetter("mT"),
            ones_like=np.ones_like,
            zeros_like=np.zeros_like,
            sum=_sum,
            max=_max,
            min=_min,
            astype=functools.partial(_astype, base.astype),
        )

    def owns(self, x: Any) -> bool:
        return isinstance(x, np.ndarray)

    def is_available(self) -> bool:  # type: ignore[override]  # no probe to cache
        return True

    def device_of(self, x: Any) -> str:
        return "cpu"

    def native_device(self, spec: str | None) -> str:
        return "cpu"

    def device(self, name: str | None) -> Device:
        if name not in (None, "cpu"):
            raise ValueError(f"numpy has only the CPU; got device {name!r}")
        return Device("numpy", None, "cpu", native="cpu")

    def device_from_native(self, obj: Any) -> Device | None:
        return self.device(None) if isinstance(obj, str) and obj == "cpu" else None

    def default_float(self, native: Any = None) -> Any:
        return np.float64

    def has_float64(self, native: Any = None) -> bool:
        return True

    def move(self, x: Any, native: Any) -> Any:
        return x

    def import_array(self, x: Any, source: Backend, native: Any) -> Any:
        return source.to_numpy(x)

    def fix(self, y: Any) -> Any:
        # NumPy ufuncs turn 0-d results into scalars (np.float64); keep arrays.
        return y if type(y) is np.ndarray else np.asarray(y)

    def to_numpy(self, x: Any) -> np.ndarray:
        return x

    def from_numpy(self, a: np.ndarray, device: Any = None) -> np.ndarray:
        return np.asarray(a)

    def asarray(self, obj: Any, dtype: Any = None, device: Any = None) -> Any:
        return np.asarray(obj, dtype=dtype)

    def is_writable(self, x: Any) -> bool:
        return bool(x.flags.writeable)

    def apply_step(self, param: Any, delta: Any, scale: float | None = None) -> Any:
        if scale is not None:
            if _blocks_of(param, delta, scale):
                return _scaled_step(param, delta, scale)
            delta = scale * delta
        if (
            param.flags.writeable
            and param.dtype == delta.dtype
            and param.shape == delta.shape
        ):
            return np.subtract(param, delta, out=param)
        return param - delta

    # The checks and one-hot labels of every classification step, with NumPy's
    # own methods: no wrapper layers between them (they run cold, after BLAS).
    def assert_in_range(
        self,
        x: Any,
        low: float,
        high: float,
        error: Callable[[float, float], Exception],
        include_high: bool = False,
    ) -> Any:
        # Two reductions, no masks; fmin/fmax skip NaN, so a NaN beside a value
        # out of range still shows it (as the masks of the other backends do).
        lo, hi = np.fmin.reduce(x, axis=None), np.fmax.reduce(x, axis=None)
        if lo < low or (hi > high if include_high else hi >= high):
            raise error(float(lo), float(hi))
        return x

    def one_hot(self, labels: Any, n: int, dtype: Any) -> Any:
        out = np.zeros((labels.shape[0], n), dtype=dtype)
        out[np.arange(labels.shape[0]), labels] = 1
        return out

    def scatter_add(self, target: Any, key: Any, values: Any) -> Any:
        out = target.copy()
        rows = key[0] if isinstance(key, tuple) and len(key) == 1 else key
        if _is_row_index(rows, target, values):
            _add_rows(out, rows, values)
        else:
            np.add.at(out, key, values)
        return out


#: Bytes of a block of :func:`_scaled_step`: a scaled block is still in the
#: core's own cache when it is subtracted (more calls cost more than they save).
STEP_BLOCK = 1 << 19


def _blocks_of(param: Any, delta: Any, scale: Any) -> bool:
    """Whether ``param -= scale * delta`` may go block by block: both arrays
    C-contiguous, of one shape and native float dtype, bigger than one block,
    not overlapping, ``param`` writeable, ``scale`` a Python number (which
    keeps the product in ``delta``'s dtype, as ``scale * delta`` does), and
    NumPy's floating-point errors not set to raise or call (an overflow in a
    late block would raise after the earlier blocks were written; the whole
    product raises before ``param`` changes)."""
    return (
        type(scale) in (float, int)
        and type(param) is np.ndarray
        and type(delta) is np.ndarray
        and param.nbytes > STEP_BLOCK
        and param.shape == delta.shape
        and param.dtype == delta.dtype
        and param.dtype.kind in "fc"
        and param.dtype.isnative  # a product of big-endian arrays is native
        and param.flags.writeable
        and param.flags.c_contiguous
        and delta.flags.c_contiguous
        and not np.may_share_memory(param, delta)
        and _QUIET_ERRORS.issuperset(np.geterr().values())
    )


# Floating-point error modes under which a blocked step behaves as the whole
# one (a warning is one per place in the code either way, by default).
_QUIET_ERRORS = frozenset({"ignore", "warn"})


def _scaled_step(param: np.ndarray, delta: np.ndarray, scale: float) -> np.ndarray:
    """``param -= scale * delta`` in place, the product made a block at a
    time into one small scratch array: the same numbers as the whole
    product, without writing and reading back a temporary as big as
    ``param`` (a 4 MB weight's step is memory-bound)."""
    flat, step = param.reshape(-1), delta.reshape(-1)
    block = STEP_BLOCK // param.itemsize
    scratch = np.empty(block, param.dtype)
    for start in range(0, flat.size, block):
        part = flat[start : start + block]
        scaled = scratch[: part.size]
        np.multiply(step[start : start + block], scale, out=scaled)
        np.subtract(part, scaled, out=part)
    return param


def _is_row_index(rows: Any, target: Any, values: Any) -> bool:
    """Whether ``target[rows]`` picks whole rows by non-negative integers (an
    embedding's lookup) and ``values`` has its shape."""
    return (
        isinstance(rows, np.ndarray)
        and rows.dtype.kind in "iu"
        and rows.size > 0
        and target.ndim >= 1
        and values.shape == rows.shape + target.shape[1:]
        and int(rows.min()) >= 0
    )


def _add_rows(out: np.ndarray, rows: np.ndarray, values: np.ndarray) -> None:
    """``np.add.at(out, rows, values)``, five to seven times faster for whole
    rows: sorted by row (stably), each run of equal rows summed by
    ``np.add.reduceat``, the totals added in one step. The same values are
    summed, grouped otherwise, so a sum may differ from ``add.at``'s in its
    last bit. Out-of-range rows raise IndexError, as with ``add.at``.
    """
    rows = rows.reshape(-1)
    order = np.argsort(rows, kind="stable")
    ordered = rows[order]
    starts = np.flatnonzero(np.concatenate(([True], ordered[1:] != ordered[:-1])))
    flat = values.reshape((rows.size, *out.shape[1:]))
    out[ordered[starts]] += np.add.reduceat(flat[order], starts, axis=0)
