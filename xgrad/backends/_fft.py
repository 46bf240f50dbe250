"""The standard's ``fft`` extension on Dask, whose transforms want each
transformed axis in one chunk.

:func:`whole_axes_fft` wraps array-api-compat's Dask ``fft`` namespace: each
transform first rechunks the axes it transforms into one chunk (the other
axes keep theirs, so a stack of signals is still transformed chunk by chunk
in parallel), and ``fftfreq``/``rfftfreq`` take Dask's one logical device.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from types import ModuleType
from typing import Any

from ._derived import derived_namespace

ONE_AXIS = ("fft", "ifft", "rfft", "irfft", "hfft", "ihfft")
MANY_AXES = ("fftn", "ifftn", "rfftn", "irfftn")


def _whole(x: Any, axes: Sequence[int]) -> Any:
    """``x`` with each of ``axes`` in one chunk (unchanged if they are)."""
    if all(len(x.chunks[a]) == 1 for a in axes):
        return x
    return x.rechunk(dict.fromkeys(axes, -1))


def _one_axis(transform: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(transform)
    def whole_axis(x: Any, /, *, axis: int = -1, **options: Any) -> Any:
        return transform(_whole(x, [axis % x.ndim]), axis=axis, **options)

    return whole_axis


def _many_axes(transform: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(transform)
    def whole_axes(
        x: Any, /, *, s: Any = None, axes: Any = None, **options: Any
    ) -> Any:
        named = range(x.ndim) if axes is None else [a % x.ndim for a in axes]
        if axes is None and s is not None:
            named = range(x.ndim - len(s), x.ndim)
        return transform(_whole(x, list(named)), s=s, axes=axes, **options)

    return whole_axes


def _frequencies(base: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(base)
    def on_dask(
        n: int, /, *, d: float = 1.0, dtype: Any = None, device: Any = None
    ) -> Any:
        return base(n, d=d, dtype=dtype)  # one logical device: nothing to choose

    return on_dask


def whole_axes_fft(base: ModuleType) -> ModuleType:
    """Dask's ``fft`` namespace with transforms that rechunk their axes whole."""
    replaced: dict[str, Any] = {
        name: _one_axis(getattr(base, name)) for name in ONE_AXIS
    }
    replaced |= {name: _many_axes(getattr(base, name)) for name in MANY_AXES}
    replaced |= {
        name: _frequencies(getattr(base, name)) for name in ("fftfreq", "rfftfreq")
    }
    return derived_namespace(base, "xgrad.backends.dask.xp.fft", **replaced)
