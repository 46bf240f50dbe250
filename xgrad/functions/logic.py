"""Operators with no gradient: comparisons and bitwise operators on Variables.

Their results are Constants (Variables with no creator), elementwise as the
array API standard says: ``x == y`` is an array of booleans, not ``x is y``,
and a mask made with ``x > 0`` combines with other Variables without ever
being a bare array of the library.
"""

from __future__ import annotations

from typing import Any

from .. import backends
from ..core import Constant, Variable
from ..lifting import operand

__all__ = ["binary", "unary"]


# Operator -> the standard's function, whose type promotion array-api-compat
# mends where a library's own operator differs (PyTorch lets a 0-d int32
# array take an int8 array's dtype).
_STANDARD = {
    "eq": "equal", "ne": "not_equal", "lt": "less", "le": "less_equal",
    "gt": "greater", "ge": "greater_equal", "and_": "bitwise_and",
    "or_": "bitwise_or", "xor": "bitwise_xor", "lshift": "bitwise_left_shift",
    "rshift": "bitwise_right_shift", "invert": "bitwise_invert",
}  # fmt: skip


def binary(op: str, x: Variable, other: Any, reflected: bool = False) -> Any:
    """The standard's function for ``op`` (``"eq"``, ``"lt"``, ``"and_"`` ...)
    on the arrays of ``x`` and ``other`` (``other`` first if ``reflected``),
    as a Constant; ``NotImplemented`` if ``other`` is no array or number."""
    raw = operand(x, other, f"__{op.rstrip('_')}__")
    if raw is NotImplemented:
        return NotImplemented
    function = getattr(backends.of(x._data).xp, _STANDARD[op])
    return Constant(function(raw, x._data) if reflected else function(x._data, raw))


def unary(op: str, x: Variable) -> Constant:
    """The standard's function for ``op`` (``"invert"``) on ``x``'s array."""
    return Constant(getattr(backends.of(x._data).xp, _STANDARD[op])(x._data))
