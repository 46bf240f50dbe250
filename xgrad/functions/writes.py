"""``x[key] = value`` and the in-place operators (``x += y`` ...) on Variables.

Each is recorded as an out-of-place Function, and ``x`` becomes its result
(:mod:`xgrad.inplace`), so every gradient stays exact, including for
Functions that read ``x`` before the write. As the array API standard says,
an in-place operator keeps ``x``'s shape and dtype.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..core import Variable
from ..inplace import write
from ..operators import OPS
from .indexing import set_item

__all__ = ["inplace", "setitem"]

_SYMBOLS = {
    "add": "+", "sub": "-", "mul": "*", "div": "/", "pow": "**", "matmul": "@",
    "floordiv": "//", "mod": "%", "and_": "&", "or_": "|", "xor": "^",
    "lshift": "<<", "rshift": ">>",
}  # fmt: skip


def setitem(x: Variable, key: Any, value: Any) -> None:
    """``x[key] = value``: ``x`` becomes ``set_item(x, key, value)``."""
    write(x, lambda old: set_item(old, key, value), "__setitem__")


def inplace(op: str, x: Variable, other: Any) -> Variable:
    """``x <op>= other``: ``x`` becomes ``x <op> other``, of ``x``'s shape and
    dtype; returns ``x``."""
    symbol = _SYMBOLS[op]
    function = _function(op)

    def compute(old: Variable) -> Variable:
        y = function(old, other)
        if y.shape != old.shape or y.dtype != old.dtype:
            raise ValueError(
                f"x {symbol}= y: the result has shape {y.shape} and dtype {y.dtype}, "
                f"but an in-place operator keeps x's shape {old.shape} and dtype "
                f"{old.dtype}; write `x = x {symbol} y` for a new array"
            )
        return y

    write(x, compute, f"x {symbol}= y")
    return x


def _function(op: str) -> Callable[[Variable, Any], Variable]:
    if op in ("and_", "or_", "xor", "lshift", "rshift"):
        return lambda a, b: OPS.binary(op, a, b)
    return getattr(OPS, op)
