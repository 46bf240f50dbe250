"""Scaled dot-product attention, with boolean, additive and causal masks."""

from __future__ import annotations

import math
from typing import Any

from .._inputs import data_like, operand
from ..core import Function, Variable
from ..domains import kind
from .activation import SoftmaxGrad
from .linalg import matmul
from .shape import matrix_transpose


class MaskedSoftmax(Function):
    """Softmax over the last axis of the entries where ``keep`` holds (None:
    all); the others, and the entries of ``-inf`` score, get probability 0.

    A row with nothing kept (fully masked) is all zeros, not NaN: it attends
    to nothing.
    """

    domain = "real floating"
    function_name = "scaled_dot_product_attention"

    def __init__(self, keep: Any) -> None:
        self.keep = keep

    def forward(self, s):
        xp = self.xp
        kept = s if self.keep is None else xp.where(self.keep, s, -xp.inf)
        top = xp.max(kept, axis=-1, keepdims=True)
        top = xp.where(xp.isfinite(top), top, 0.0)  # fully masked rows: any shift
        if kept is s:
            kept = s - top
        else:
            kept -= top  # our own array: in place
        e = xp.exp(kept)  # exp(-inf) = 0 where masked
        total = xp.sum(e, axis=-1, keepdims=True)
        e /= xp.where(total > 0, total, 1.0)  # fully masked: 0 / 1
        return e

    def backward(self, gy):
        return SoftmaxGrad(-1)(self.outputs[0](), gy)


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


def _keep(mask: Any, causal: bool, scores: Variable) -> tuple[Any, Any]:
    """The boolean ``keep`` array (or None) and the additive mask (or None),
    on the scores' backend, device and (additive) dtype."""
    op = "scaled_dot_product_attention"
    backend, xp = scores.backend, scores.backend.xp
    native = backend.device_of(scores.data)
    keep = additive = None
    if mask is not None:
        mask = data_like(mask, scores.data)
        found = kind(backend, mask.dtype)
        shape = tuple(mask.shape)
        want = scores.shape
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
            additive = xp.astype(mask, scores.dtype)
        else:
            raise TypeError(
                f"{op}: mask must be boolean (True: attend) or real floating "
                f"(added to the scores), got dtype {mask.dtype}"
            )
    if causal:
        tq, tk = scores.shape[-2:]
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
    # Scale the smaller of q (..., Tq, d) and the scores (..., Tq, Tk).
    if factor != 1.0 and d <= k.shape[-2]:
        q = q * factor
    scores = matmul(q, matrix_transpose(k))
    if factor != 1.0 and d > k.shape[-2]:
        scores = scores * factor
    keep, additive = _keep(mask, causal, scores)
    if additive is not None:
        scores = scores + Variable(additive)
    return matmul(MaskedSoftmax(keep)(scores), v)
