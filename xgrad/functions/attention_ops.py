"""The ops of scaled dot-product attention: the masked softmax, and attention
with its gradient as two fused ops.

``Attention`` computes ``softmax(q k^T * scale + mask) v`` in one op and keeps
only the probabilities for the gradient (not the scores); ``AttentionGrad``
computes the gradients of q, k and v in one op, the softmax's gradient written
into the array of ``gy v^T`` in place. A transformer's attention thus makes
two arrays of (..., Tq, Tk) per pass instead of five. ``AttentionGrad``'s own
backward gives the second derivatives from xgrad functions (the probabilities
recomputed as a graph), so every higher order follows.
"""

from __future__ import annotations

from typing import Any

from ..core import Function, Variable
from .activation import SoftmaxGrad
from .linalg import matmul
from .reduction import sum as sum_
from .shape import matrix_transpose, sum_to, sum_to_array
from .temporaries import add_into


def softmax_rows(xp: Any, s: Any, keep: Any, owned: bool) -> Any:
    """Softmax over the last axis of ``s`` where ``keep`` holds (None: all); the
    others, and scores of ``-inf``, get 0, and a row with nothing kept is all 0.

    ``owned``: ``s`` is the caller's own temporary, which may be overwritten.
    """
    if keep is not None:
        s, owned = xp.where(keep, s, -xp.inf), True
    top = xp.max(s, axis=-1, keepdims=True)
    top = xp.where(xp.isfinite(top), top, 0.0)  # fully masked rows: any shift
    if owned:
        s -= top
    else:
        s = s - top
    e = xp.exp(s)  # exp(-inf) = 0 where masked
    total = xp.sum(e, axis=-1, keepdims=True)
    e /= xp.where(total > 0, total, 1.0)  # fully masked: 0 / 1
    return e


class MaskedSoftmax(Function):
    """:func:`softmax_rows` as an op, for attention of mixed dtypes and for the
    probabilities that :class:`AttentionGrad` differentiates again."""

    domain = "real floating"
    function_name = "scaled_dot_product_attention"

    def __init__(self, keep: Any) -> None:
        self.keep = keep

    def forward(self, s):
        return softmax_rows(self.xp, s, self.keep, owned=False)

    def backward(self, gy):
        return SoftmaxGrad(-1)(self.outputs[0](), gy)


class Attention(Function):
    """``softmax(q k^T * scale + additive, keep) v`` for q, k, v of one dtype."""

    domain = "real floating"
    function_name = "scaled_dot_product_attention"

    def __init__(self, scale: float, keep: Any, additive: Any) -> None:
        self.scale, self.keep, self.additive = scale, keep, additive

    def forward(self, q, k, v):
        xp = self.xp
        s = xp.matmul(q, xp.matrix_transpose(k))
        s *= self.scale
        if self.additive is not None:
            s = add_into(s, self.additive)
        self.saved = softmax_rows(xp, s, self.keep, owned=True)
        return xp.matmul(self.saved, v)

    def backward(self, gy):
        grad = AttentionGrad(self.scale, self.keep, self.additive, self.saved)
        return tuple(grad(*self.inputs, gy))


class AttentionGrad(Function):
    """The gradients of q, k and v from the probabilities ``p`` and ``gy``:
    ``dv = p^T gy``, ``ds = p (gy v^T - rowsum(p gy v^T)) * scale``,
    ``dq = ds k``, ``dk = ds^T q``, each summed to its input's shape."""

    domain = "real floating"
    function_name = "scaled_dot_product_attention"

    def __init__(self, scale: float, keep: Any, additive: Any, p: Any) -> None:
        self.scale, self.keep, self.additive, self.p = scale, keep, additive, p

    def forward(self, q, k, v, gy):
        xp, p = self.xp, self.p
        ds = xp.matmul(gy, xp.matrix_transpose(v))  # dp, then ds in place
        if ds.dtype == p.dtype:  # rowsum(p dp) as a dot product: no p * dp array
            ds -= xp.expand_dims(xp.vecdot(p, ds, axis=-1), axis=-1)
        else:
            ds = ds - xp.sum(p * ds, axis=-1, keepdims=True)
        ds *= p
        ds *= self.scale
        grads = (
            xp.matmul(ds, k),
            xp.matmul(xp.matrix_transpose(ds), q),
            xp.matmul(xp.matrix_transpose(p), gy),
        )
        shapes = (q.shape, k.shape, v.shape)
        return tuple(
            sum_to_array(xp, g, tuple(n)) for g, n in zip(grads, shapes, strict=True)
        )

    def backward(self, gq, gk, gv):
        q, k, v, gy = self.inputs
        c = self.scale
        scores = matmul(q, matrix_transpose(k)) * c
        if self.additive is not None:
            scores = scores + Variable(self.additive)
        p = MaskedSoftmax(self.keep)(scores)  # a graph: differentiable again
        dp = matmul(gy, matrix_transpose(v))
        # <gq, dq> + <gk, dk> = <e, ds / c * c>, e = c (gq k^T + q gk^T): the
        # softmax's gradient is symmetric in its upstream, so it moves onto e.
        e = _total(
            matmul(gq, matrix_transpose(k)) if gq is not None else None,
            matmul(q, matrix_transpose(gk)) if gk is not None else None,
        )
        g_gy = g_v = g_q = g_k = g_p = None
        if e is not None:
            e = e * c
            pe = SoftmaxGrad(-1)(p, e)
            g_gy, g_v = matmul(pe, v), matmul(matrix_transpose(pe), gy)
            ds = SoftmaxGrad(-1)(p, dp) * c
            g_q = matmul(ds, gk) if gk is not None else None  # d<gk, ds^T q>/dq
            g_k = matmul(matrix_transpose(ds), gq) if gq is not None else None
            # d/dp <e, p (dp - <p, dp>)> = e (dp - <p, dp>) - dp <e, p>
            g_p = e * (dp - _rows(p * dp)) - dp * _rows(e * p)
        if gv is not None:  # <gv, p^T gy>
            g_gy = _total(g_gy, matmul(p, gv))
            g_p = _total(g_p, matmul(gy, matrix_transpose(gv)))
        if g_p is not None:  # through p = softmax(c q k^T + mask)
            gs = SoftmaxGrad(-1)(p, g_p) * c
            g_q = _total(g_q, matmul(gs, k))
            g_k = _total(g_k, matmul(matrix_transpose(gs), q))
        return tuple(
            None if g is None else sum_to(g, x.shape)
            for g, x in zip((g_q, g_k, g_v, g_gy), (q, k, v, gy), strict=True)
        )


def _rows(x: Variable) -> Variable:
    return sum_(x, axis=-1, keepdims=True)


def _total(*terms: Variable | None) -> Variable | None:
    """The sum of the terms that are not None (None if all are)."""
    total = None
    for term in terms:
        if term is not None:
            total = term if total is None else total + term
    return total
