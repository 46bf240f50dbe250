"""CuPy's stream capture, as ``xgrad.jit(graphs=True)`` uses it (``CuPy.graph_capture``).

A graph is captured on a stream of its own (CuPy refuses the legacy default
stream), with every array it makes taken from a memory pool of its own: the
blocks its kernels use must never go to other arrays while it lives, and the
pool lives as long as the graph. A graph is launched on the current stream,
after the plain calls queued there before it.

CuPy refuses some calls while a stream captures (cuBLAS, cuRAND, cuSOLVER,
cuSPARSE, and any call that waits for the device): :meth:`capturable` turns
away the ones known beforehand; any other that raises is refused by the
segment that captures it (``xgrad/recording/segment.py``).
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from typing import Any

__all__ = ["CupyCapture"]

#: Calls that end in cuBLAS, cuSOLVER or cuRAND, by name: never in a graph.
_LIBRARY_CALLS = frozenset(
    {
        "matmul",
        "dot",
        "vdot",
        "vecdot",
        "inner",
        "outer",
        "tensordot",
        "einsum",
        "matrix_power",
        "solve",
        "inv",
        "det",
        "slogdet",
        "cholesky",
        "qr",
        "svd",
        "svdvals",
        "eigh",
        "eigvalsh",
        "lstsq",
        "pinv",
        "matrix_rank",
        "matrix_norm",
    }
)
_LIBRARY_OPERATORS = frozenset({operator.matmul, operator.imatmul})


class CupyCapture:
    """Graphs of CuPy's kernels (see the module doc)."""

    def __init__(self) -> None:
        import cupy

        self.cupy = cupy
        self.stream = cupy.cuda.Stream(non_blocking=True)

    def capturable(self, fn: Any) -> bool:
        if any(fn is op for op in _LIBRARY_OPERATORS):  # fn may be unhashable
            return False
        if str(getattr(fn, "__module__", "")).startswith("cupy.random"):
            return False  # a graph would draw the same numbers at every launch
        return getattr(fn, "__name__", None) not in _LIBRARY_CALLS

    def fresh(self, fn: Any) -> bool:
        return isinstance(fn, self.cupy.ufunc) or any(
            fn is op for op in _FRESH_OPERATORS
        )

    def capture(
        self, run: Callable[[list[Any]], list[Any]], inputs: list[Any]
    ) -> tuple[Any, list[Any]]:
        cuda = self.cupy.cuda
        pool = cuda.MemoryPool()
        with cuda.using_allocator(pool.malloc), self.stream:
            self.stream.begin_capture()
            try:
                outputs = run(inputs)
            finally:
                try:
                    graph = self.stream.end_capture()
                except cuda.runtime.CUDARuntimeError:
                    graph = None  # invalidated by the call that raised
        if graph is None:
            raise RuntimeError("CuPy: the stream capture was invalidated")
        return (graph, pool), outputs

    def launch(self, graph: Any) -> None:
        graph[0].launch(self.cupy.cuda.get_current_stream())

    def copy(self, x: Any) -> Any:
        return x.copy()

    def copy_into(self, target: Any, x: Any) -> None:
        self.cupy.copyto(target, x)

    def shares_memory(self, a: Any, b: Any) -> bool:
        return bool(self.cupy.may_share_memory(a, b))


_FRESH_OPERATORS = frozenset(
    {
        operator.add,
        operator.sub,
        operator.mul,
        operator.truediv,
        operator.floordiv,
        operator.mod,
        operator.pow,
        operator.neg,
        operator.lt,
        operator.le,
        operator.gt,
        operator.ge,
        operator.eq,
        operator.ne,
    }
)
