"""The special functions the array API standard lacks, as one object per backend.

:attr:`Backend.special` is a :class:`Special`: each method takes and returns
arrays of the backend's library, computed with standard functions only
(``_special_normal``, ``_special_gamma``, ``_special_bessel``), to within a
few units in the last place of the true value in float64, tails included
(tests/test_special_accuracy.py measures each). A library with accurate
native versions overrides the methods that are (``xgrad/backends/torch.py``);
Dask runs them chunk by chunk (:class:`ChunkwiseSpecial`).
"""

from __future__ import annotations

from typing import Any

from .._compat import array_namespace
from ._special_bessel import i0, i1
from ._special_gamma import digamma, gammaln, polygamma
from ._special_normal import erfc, erfcx, erfinv, log_ndtr, ndtr, ndtri


class Special:
    """Special functions of one array library's real floating arrays."""

    def __init__(self, xp: Any) -> None:
        self.xp = xp

    def erfc(self, x: Any) -> Any:
        return erfc(self.xp, x)

    def erfcx(self, x: Any) -> Any:
        return erfcx(self.xp, x)

    def erfinv(self, x: Any) -> Any:
        return erfinv(self.xp, x)

    def ndtr(self, x: Any) -> Any:
        return ndtr(self.xp, x)

    def ndtri(self, x: Any) -> Any:
        return ndtri(self.xp, x)

    def log_ndtr(self, x: Any) -> Any:
        return log_ndtr(self.xp, x)

    def gammaln(self, x: Any) -> Any:
        return gammaln(self.xp, x)

    def digamma(self, x: Any) -> Any:
        return digamma(self.xp, x)

    def polygamma(self, n: int, x: Any) -> Any:
        """The ``n``-th derivative of ``digamma``, ``n >= 1``."""
        return polygamma(self.xp, n, x)

    def i0(self, x: Any) -> Any:
        return i0(self.xp, x)

    def i1(self, x: Any) -> Any:
        return i1(self.xp, x)


class ChunkwiseSpecial(Special):
    """For a chunked, lazy library (Dask): each function runs once per chunk, in
    the chunk's own namespace, as one task, instead of adding the hundreds of
    elementwise tasks of its series to the graph (ten times faster to build)."""


def _per_chunk(name: str) -> Any:
    def method(self: ChunkwiseSpecial, *args: Any) -> Any:
        *options, x = args  # polygamma(n, x): the order comes first

        def run(chunk: Any) -> Any:
            return getattr(Special(array_namespace(chunk)), name)(*options, chunk)

        return x.map_blocks(run, dtype=x.dtype)

    method.__name__ = method.__qualname__ = name
    return method


for _name in ("erfc", "erfcx", "erfinv", "ndtr", "ndtri", "log_ndtr", "gammaln",
              "digamma", "polygamma", "i0", "i1"):  # fmt: skip
    setattr(ChunkwiseSpecial, _name, _per_chunk(_name))
