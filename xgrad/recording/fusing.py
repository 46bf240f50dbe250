"""A product with a boolean mask as one NumPy call.

Code written to the array API standard multiplies by a boolean mask by
casting the mask first, ``m = xp.astype(x > 0, g.dtype); m *= g`` (ReLU's
gradient), because the standard does not mix booleans and floats in
arithmetic. NumPy does: its multiply casts each boolean to the same 1.0 or
0.0 as it reads it, so ``np.multiply(x > 0, g)`` gives the same bits without
writing the cast array and reading it back. On a NumPy recording the replay
makes that one call instead of the two (:func:`fused_entries`); where its
result goes is :mod:`.buffers`' business (into ``g`` itself, when ``g`` dies
there).
"""

from __future__ import annotations

import operator
from collections.abc import Container
from typing import Any

import numpy as np

from .traced import Traced

__all__ = ["fused_entries"]

Entry = tuple[Any, tuple[Any, ...], dict[str, Any], Any]


def fused_entries(entries: list[Entry], varying: Container[int]) -> list[Entry]:
    """``entries`` with each NumPy cast of a mask that only a following
    in-place multiply reads replaced by one ``np.multiply`` (the module
    doc); the other entries are the same objects. ``varying``: slots whose
    shape may change (:mod:`.shapes`), left as they are."""
    fused: list[Entry] = []
    skip = False
    for cast, product in zip(entries, [*entries[1:], None], strict=True):
        if skip:
            skip = False
            continue
        mask_and_factor = _mask_product(cast, product, varying)
        if mask_and_factor is None:
            fused.append(cast)
        else:
            fused.append((np.multiply, mask_and_factor, {}, cast[3]))
            skip = True
    return fused


def _mask_product(cast: Entry, product: Entry | None, varying: Container[int]) -> Any:
    """``(mask, factor)`` when ``cast`` is ``m = astype(mask, float dtype)``
    on NumPy and ``product`` is ``m *= factor`` with ``factor`` of ``m``'s
    shape (not 0-d) and dtype, both C-ordered; otherwise None."""
    fn, args, kwargs, m = cast
    if product is None or not isinstance(m, Traced) or type(m.value) is not np.ndarray:
        return None
    backend = m._backend
    if kwargs or len(args) != 2 or fn is not getattr(backend.xp, "astype", None):
        return None
    mask = args[0]  # the dtype is the result's, checked below
    if not isinstance(mask, Traced) or mask.value.dtype != np.bool_:
        return None
    times, operands, more, result = product
    if times is not operator.imul or more or len(operands) != 2:
        return None
    into, factor = operands
    if (
        not isinstance(into, Traced)
        or into.index != m.index
        or not isinstance(result, Traced)
        or result.index != m.index
        or not isinstance(factor, Traced)
        or factor.index == m.index  # m *= m: the cast is read, not only written
        or type(factor.value) is not np.ndarray
    ):
        return None
    same = (mask.value.shape, factor.value.shape, factor.value.dtype)
    if (
        same != (m.value.shape, m.value.shape, m.value.dtype)
        or m.value.dtype.kind != "f"
        or m.value.ndim == 0  # np.multiply of 0-d arrays: a NumPy scalar
        or not (mask.value.flags.c_contiguous and factor.value.flags.c_contiguous)
    ):  # the cast keeps the mask's order; np.multiply may pick another
        return None
    if any(t.index in varying for t in (mask, m, factor)):
        return None
    return (mask, factor)
