"""DeZero's ``utils`` helpers, working on arrays of any backend.

The array-level helpers (``sum_to``, ``logsumexp`` ...) and the book's
gradient checking names live here, so ``dezero.utils.gradient_check(F.sin, x)``
style tests run unchanged.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from . import backends, testing
from .core import Variable
from .datasets import files
from .functions.geometry import get_conv_outsize, get_deconv_outsize, pair
from .functions.shape import normalize_axes, reshape, sum_to_array
from .graph import get_dot_graph, plot_dot_graph

__all__ = [
    "array_allclose",
    "array_equal",
    "get_conv_outsize",
    "get_deconv_outsize",
    "get_dot_graph",
    "get_file",
    "gradient_check",
    "logsumexp",
    "max_backward_shape",
    "numerical_grad",
    "pair",
    "plot_dot_graph",
    "reshape_sum_backward",
    "sum_to",
]

numerical_grad = testing.numerical_grad


def _data(x: Any) -> Any:
    return x.data if isinstance(x, Variable) else x


def sum_to(x: Any, shape: tuple[int, ...]) -> Any:
    """Array-level ``sum_to``: sum ``x`` over broadcast axes down to ``shape``."""
    return sum_to_array(backends.of(x).xp, x, tuple(shape))


def reshape_sum_backward(
    gy: Any, x_shape: tuple[int, ...], axis: Any, keepdims: bool
) -> Any:
    """Reshape the gradient of a sum so it broadcasts back to ``x_shape``."""
    if keepdims or axis is None or not x_shape:
        return gy
    axes = normalize_axes(axis, len(x_shape), "reshape_sum_backward")
    return reshape(gy, tuple(1 if i in axes else n for i, n in enumerate(x_shape)))


def logsumexp(x: Any, axis: int = 1) -> Any:
    """Array-level ``log(sum(exp(x), axis, keepdims=True))``, without overflow."""
    xp = backends.of(x).xp
    m = xp.max(x, axis=axis, keepdims=True)
    return m + xp.log(xp.sum(xp.exp(x - m), axis=axis, keepdims=True))


def max_backward_shape(x: Any, axis: Any) -> list[int]:
    """Shape of a max/min result with the reduced axes kept as 1."""
    axes = normalize_axes(axis, x.ndim, "max_backward_shape")
    return [1 if i in axes else n for i, n in enumerate(x.shape)]


def gradient_check(
    f: Callable[..., Any],
    x: Any,
    *args: Any,
    rtol: float = 1e-4,
    atol: float = 1e-5,
    **kwargs: Any,
) -> bool:
    """DeZero's check of ``f``'s gradient with respect to ``x``; returns a bool.

    On a mismatch it prints which element differs and by how much, as the
    book's version does. :func:`xgrad.testing.gradient_check` raises instead.
    """
    try:
        testing.gradient_check(
            lambda v: f(v, *args, **kwargs), _data(x), rtol=rtol, atol=atol
        )
    except AssertionError as exc:
        print(exc)
        return False
    return True


def array_equal(a: Any, b: Any) -> bool:
    """Whether two arrays (or Variables) of any backends hold the same values."""
    a, b = _data(a), _data(b)
    return bool(np.array_equal(backends.of(a).to_numpy(a), backends.of(b).to_numpy(b)))


def array_allclose(a: Any, b: Any, rtol: float = 1e-4, atol: float = 1e-5) -> bool:
    """Whether two arrays (or Variables) of any backends are close."""
    a, b = _data(a), _data(b)
    return bool(
        np.allclose(
            backends.of(a).to_numpy(a), backends.of(b).to_numpy(b), rtol=rtol, atol=atol
        )
    )


def get_file(url: str, file_name: str | None = None) -> str:
    """DeZero's download helper, under xgrad's rules (cache dir, checksums, opt-in)."""
    return files.get_file(url, file_name)


def __getattr__(name: str) -> Any:
    if name == "cache_dir":  # DeZero's name for the dataset cache directory
        return str(files.get_cache_dir())
    raise AttributeError(f"module 'xgrad.utils' has no attribute {name!r}")
