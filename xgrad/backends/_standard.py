"""Standard functions that a library's namespace lacks, written with others.

A backend whose namespace misses one mends it with these
(``derived_namespace``), so op code calls the standard name everywhere.
"""

from __future__ import annotations

import math
from typing import Any


def take_along_axis(xp: Any, x: Any, indices: Any, /, *, axis: int = -1) -> Any:
    """The standard's ``take_along_axis`` from ``take`` on the flattened ``x``.

    Each picked element's flat position is ``indices`` times the stride of
    ``axis`` plus the position along every other axis (``x`` and
    ``indices`` broadcast off ``axis``, negative indices count from the end).
    """
    ndim = x.ndim
    axis = axis % ndim
    n = x.shape[axis]
    shape = list(indices.shape)
    for d in range(ndim):
        if d != axis and shape[d] == 1:
            shape[d] = x.shape[d]
    indices = xp.where(indices < 0, indices + n, indices)
    strides = [math.prod(x.shape[d + 1 :]) for d in range(ndim)]
    flat = indices * strides[axis]
    for d in range(ndim):
        if d != axis and x.shape[d] != 1:
            along = xp.arange(x.shape[d], dtype=indices.dtype)
            flat = flat + xp.reshape(
                along * strides[d], [-1 if i == d else 1 for i in range(ndim)]
            )
    flat = xp.broadcast_to(flat, tuple(shape))
    picked = xp.take(xp.reshape(x, (-1,)), xp.reshape(flat, (-1,)), axis=0)
    return xp.reshape(picked, tuple(shape))
