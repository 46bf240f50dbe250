"""Scaled dot-product attention, with boolean, additive and causal masks."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .._inputs import data_like, operand
from ..core import Variable
from ..domains import kind
from .attention_ops import Attention, MaskedSoftmax
from .linalg import matmul
from .shape import matrix_transpose


def _check_shapes(q: Variable, k: Variable, v: Variable) -> None:
    op = "scaled_dot_product_attention"
    shapes = f"q {q.shape}, k {k.shape}, v {v.shape}"
    if min(q.ndim, k.ndim, v.ndim) < 2:
        raise ValueError(
            f"{op}: q, k and v are (..., T, d) arrays of at least two dimensions, "
            f"got {shapes}; add a length-1 axis for a single query"
        )
    if q.shape[-1] != k.shape[-1] or k.shape[-2] != v.shape[-2]:
        raise ValueError(
            f"{op}: got {shapes}; q and k need the same last axis (the key "
            f"size d), and k and v the same number of keys (axis -2)"
        )
    try:
        np.broadcast_shapes(q.shape[:-2], k.shape[:-2], v.shape[:-2])
    except ValueError:
        raise ValueError(
            f"{op}: got {shapes}; the leading (batch) axes of q, k and v must "
            f"broadcast together: make them equal or 1"
        ) from None


def _keep(mask: Any, causal: bool, q: Variable, k: Variable) -> tuple[Any, Any]:
    """The boolean ``keep`` array (or None) and the additive mask (or None),
    on q's backend, device and (additive) dtype, for the scores of q and k."""
    op = "scaled_dot_product_attention"
    backend, xp = q.backend, q.backend.xp
    native = backend.device_of(q.data)
    want = (*np.broadcast_shapes(q.shape[:-2], k.shape[:-2]), q.shape[-2], k.shape[-2])
    keep = additive = None
    if mask is not None:
        mask = data_like(mask, q.data)
        found = kind(backend, mask.dtype)
        shape = tuple(mask.shape)
        fits = len(shape) <= len(want) and all(
            m in (1, n) for m, n in zip(shape[::-1], want[::-1], strict=False)
        )
        if not fits:
            raise ValueError(
                f"{op}: mask of shape {shape} does not broadcast to the attention "
                f"scores' shape {want} (..., queries, keys); e.g. a padding mask "
                f"is (N, 1, 1, keys)"
            )
        if found == "bool":
            keep = mask
        elif found == "real floating":
            floating = kind(backend, q.dtype) == "real floating"
            dtype = q.dtype if floating else backend.default_float(native)
            additive = xp.astype(mask, dtype)
        else:
            raise TypeError(
                f"{op}: mask must be boolean (True: attend) or real floating "
                f"(added to the scores), got dtype {mask.dtype}"
            )
    if causal:
        tq, tk = want[-2:]
        rows = xp.arange(tq, device=native)[:, None]
        below = xp.arange(tk, device=native)[None, :] <= rows  # key j <= query i
        keep = below if keep is None else xp.logical_and(keep, below)
    return keep, additive


def scaled_dot_product_attention(
    q: Any,
    k: Any,
    v: Any,
    mask: Any = None,
    causal: bool = False,
    scale: float | None = None,
) -> Variable:
    """``softmax(q @ k^T * scale + mask) @ v``, attention of queries over keys.

    Parameters
    ----------
    q : Variable or array
        Queries, shape (..., Tq, d).
    k, v : Variable or array
        Keys (..., Tk, d) and values (..., Tk, dv); the leading axes of q, k
        and v broadcast.
    mask : array or None, default None
        Broadcasting to (..., Tq, Tk): boolean, True where a query may attend
        to a key (PyTorch's convention), or floating, added to the scores
        (``-inf`` masks). Not differentiated.
    causal : bool, default False
        Let query ``i`` attend only to keys ``j <= i`` (combined with ``mask``).
    scale : float or None, default None
        Multiplies the scores; None for ``1 / sqrt(d)``.

    Returns
    -------
    Variable
        Shape (..., Tq, dv). A query allowed no key at all (a fully masked
        row) gets zeros, and gradients of zero, rather than NaN.
    """
    op = "scaled_dot_product_attention"
    q, k, v = operand(q, op, 0), operand(k, op, 1), operand(v, op, 2)
    _check_shapes(q, k, v)
    d = q.shape[-1]
    factor = (1.0 / math.sqrt(d) if d else 1.0) if scale is None else scale
    keep, additive = _keep(mask, causal, q, k)
    if q.dtype == k.dtype == v.dtype:
        return Attention(factor, keep, additive)(q, k, v)
    scores = matmul(q, matrix_transpose(k)) * factor  # mixed dtypes: composed
    if additive is not None:
        scores = scores + Variable(additive)
    return matmul(MaskedSoftmax(keep)(scores), v)
