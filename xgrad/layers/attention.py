"""Multi-head attention, the transformer's mixing layer."""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import functions as F
from .._inputs import operand
from ..core import Variable
from .base import Layer
from .dense import Linear

__all__ = ["MultiHeadAttention"]


class MultiHeadAttention(Layer):
    """Attention of ``n_heads`` heads over a batch of sequences (N, T, features).

    The queries come from ``x``, the keys and values from ``memory`` (``x``
    itself by default: self-attention). Each is projected by a Linear to
    ``embed_size`` features, split into ``n_heads`` heads of ``embed_size //
    n_heads``, attended with :func:`xgrad.functions.scaled_dot_product_attention`,
    joined and projected by ``out_proj``, as PyTorch's ``MultiheadAttention``
    with ``batch_first=True``.

    Parameters
    ----------
    n_heads : int
        Number of heads; divides ``embed_size``.
    embed_size : int
        Features of the projections and of the output.
    in_size : int or None, default None
        Features of the inputs; None to take them from the first call (the
        key/value projections from ``memory``'s).
    causal : bool, default False
        Let position ``i`` attend only to positions ``j <= i`` (a decoder).
    nobias : bool, default False
        Leave out the projections' biases.
    dtype : dtype, default numpy.float32
        Dtype of the weights.

    Attributes
    ----------
    q_proj, k_proj, v_proj, out_proj : Linear
        The projections of queries, keys, values and the joined heads.
    """

    def __init__(
        self,
        n_heads: int,
        embed_size: int,
        in_size: int | None = None,
        causal: bool = False,
        nobias: bool = False,
        dtype: Any = np.float32,
    ) -> None:
        super().__init__()
        if n_heads < 1 or embed_size % n_heads:
            raise ValueError(
                f"MultiHeadAttention: embed_size {embed_size} must split into "
                f"n_heads {n_heads} equal heads; choose n_heads dividing it"
            )
        self.n_heads, self.embed_size, self.causal = n_heads, embed_size, causal
        self.q_proj = Linear(embed_size, nobias, dtype, in_size)
        self.k_proj = Linear(embed_size, nobias, dtype, in_size)
        self.v_proj = Linear(embed_size, nobias, dtype, in_size)
        self.out_proj = Linear(embed_size, nobias, dtype, embed_size)

    def forward(self, x: Any, memory: Any = None, mask: Any = None) -> Variable:
        """Attend from ``x`` (N, T, in) to ``memory`` (N, S, in), ``x`` if None.

        ``mask`` broadcasts to (N, n_heads, T, S): boolean, True where a query
        may attend to a key, or floating, added to the scores; a padding mask
        of key lengths is ``mask[:, None, None, :]`` of an (N, S) one. A query
        allowed no key gets zeros before ``out_proj``. Returns (N, T, embed_size).
        """
        x = self._sequences(x, "x")
        source = x if memory is None else self._sequences(memory, "memory")
        if source.shape[0] != x.shape[0]:
            raise ValueError(
                f"MultiHeadAttention: x {x.shape} and memory {source.shape} hold "
                f"different numbers of sequences; pass one memory per sequence"
            )
        q = self._heads(self.q_proj, x)
        k = self._heads(self.k_proj, source)
        v = self._heads(self.v_proj, source)
        y = F.scaled_dot_product_attention(q, k, v, mask=mask, causal=self.causal)
        n, t = x.shape[:2]
        joined = F.reshape(F.transpose(y, (0, 2, 1, 3)), (n * t, self.embed_size))
        return F.reshape(self.out_proj(joined), (n, t, self.embed_size))

    def _sequences(self, x: Any, name: str) -> Variable:
        x = operand(x, "MultiHeadAttention")
        if x.ndim != 3:
            raise ValueError(
                f"MultiHeadAttention: {name} must be (N, T, features) sequences, "
                f"got shape {x.shape}; add a batch axis with x[None] for one sequence"
            )
        return x

    def _heads(self, proj: Linear, x: Variable) -> Variable:
        """``proj`` applied to every position, split into heads: (N, H, T, d)."""
        n, t, features = x.shape
        y = proj(F.reshape(x, (n * t, features)))
        heads = F.reshape(y, (n, t, self.n_heads, self.embed_size // self.n_heads))
        return F.transpose(heads, (0, 2, 1, 3))
