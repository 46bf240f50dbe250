"""Operators with no gradient: comparisons and bitwise operators on Variables.

Their results are Constants (Variables with no creator), elementwise as the
array API standard says: ``x == y`` is an array of booleans, not ``x is y``,
and a mask made with ``x > 0`` combines with other Variables without ever
being a bare array of the library.
"""

from __future__ import annotations

import operator
from typing import Any

from ..core import Constant, Variable
from ..lifting import operand

__all__ = ["binary", "unary"]


def binary(op: str, x: Variable, other: Any, reflected: bool = False) -> Any:
    """``operator.<op>`` (``"eq"``, ``"lt"``, ``"and_"`` ...) on the arrays of
    ``x`` and ``other`` (``other`` first if ``reflected``), as a Constant;
    ``NotImplemented`` if ``other`` is no array or number."""
    raw = operand(x, other, f"__{op.rstrip('_')}__")
    if raw is NotImplemented:
        return NotImplemented
    function = getattr(operator, op)
    return Constant(function(raw, x._data) if reflected else function(x._data, raw))


def unary(op: str, x: Variable) -> Constant:
    """``operator.<op>`` (``"invert"``) on the array of ``x``, as a Constant."""
    return Constant(getattr(operator, op)(x._data))
