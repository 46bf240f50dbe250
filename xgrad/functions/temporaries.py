"""In-place arithmetic on the temporaries a fused op makes for itself.

A fused op (a gradient computed as one Function, such as ``GeluGrad``)
takes several element-wise steps. Written as ``a * b + c`` each step
allocates a fresh array; on NumPy an array of a few megabytes costs about as
much to allocate as to compute, since the C allocator hands such blocks back
to the system when they are freed and the next one is faulted in page by
page. So a fused op makes one array and updates it with the standard's
in-place operators (``*=``, ``+=``, ``-=``). Libraries whose arrays are
immutable (Dask) rebind instead, with the same result.

Only an array the op made itself may be written: never an input, a saved
array or an output of another op. With a Python number the op knows the
dtype stays; with an array the helpers below check it, and fall back to a
fresh result where writing in place would change the dtype or the shape.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from typing import Any

__all__ = ["add_into", "multiply_into", "subtract_into"]


def fits(scratch: Any, other: Any) -> bool:
    """Whether ``scratch <op> other`` has ``scratch``'s dtype and shape."""
    if other.dtype != scratch.dtype or len(other.shape) > len(scratch.shape):
        return False
    pairs = zip(reversed(other.shape), reversed(scratch.shape), strict=False)
    return all(o == s or o == 1 for o, s in pairs)


def _into(
    scratch: Any,
    other: Any,
    in_place: Callable[[Any, Any], Any],
    fresh: Callable[[Any, Any], Any],
) -> Any:
    return in_place(scratch, other) if fits(scratch, other) else fresh(scratch, other)


def multiply_into(scratch: Any, other: Any) -> Any:
    """``scratch * other``, written into ``scratch`` (an op's own temporary) where
    the product keeps its dtype and shape."""
    return _into(scratch, other, operator.imul, operator.mul)


def add_into(scratch: Any, other: Any) -> Any:
    """``scratch + other``, written into ``scratch`` where it fits (see
    :func:`multiply_into`)."""
    return _into(scratch, other, operator.iadd, operator.add)


def subtract_into(scratch: Any, other: Any) -> Any:
    """``scratch - other``, written into ``scratch`` where it fits (see
    :func:`multiply_into`)."""
    return _into(scratch, other, operator.isub, operator.sub)
