"""Variable's operators and array-like methods, forwarding to xgrad's functions.

:class:`Operators` is a base of ``Variable``: ``x + y`` is ``F.add(x, y)``,
``x.T`` is ``F.transpose(x)`` and so on. The functions live one layer up
(:mod:`xgrad.functions`), so each method forwards through :data:`OPS`, which
``setup_variable()`` (DeZero's name) fills and ``import xgrad`` calls.
Nothing is assigned onto the Variable class.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .variable import Variable

__all__ = ["OPS", "Operators"]

#: name -> the function behind an operator: add, sub, rsub, mul, div, rdiv,
#: neg, pow, rpow, matmul, get_item, reshape, transpose, sum, mean, max, min,
#: and compare (a plain boolean array for <, <=, >, >=).
OPS = SimpleNamespace()


def _shape_args(args: tuple[Any, ...]) -> Any:
    """``v.reshape(2, 3)`` and ``v.reshape((2, 3))`` mean the same."""
    if len(args) == 1 and (args[0] is None or isinstance(args[0], tuple | list)):
        return args[0]
    return args


class Operators:
    """Python's operators and DeZero's array methods on Variables."""

    __slots__ = ()

    def __add__(self, other: Any) -> Variable:
        return OPS.add(self, other)

    def __radd__(self, other: Any) -> Variable:
        return OPS.add(self, other)

    def __sub__(self, other: Any) -> Variable:
        return OPS.sub(self, other)

    def __rsub__(self, other: Any) -> Variable:
        return OPS.rsub(self, other)

    def __mul__(self, other: Any) -> Variable:
        return OPS.mul(self, other)

    def __rmul__(self, other: Any) -> Variable:
        return OPS.mul(self, other)

    def __truediv__(self, other: Any) -> Variable:
        return OPS.div(self, other)

    def __rtruediv__(self, other: Any) -> Variable:
        return OPS.rdiv(self, other)

    def __neg__(self) -> Variable:
        return OPS.neg(self)

    def __pow__(self, other: Any) -> Variable:
        return OPS.pow(self, other)

    def __rpow__(self, other: Any) -> Variable:
        return OPS.rpow(self, other)

    def __matmul__(self, other: Any) -> Variable:
        return OPS.matmul(self, other)

    def __rmatmul__(self, other: Any) -> Variable:
        return OPS.matmul(other, self)

    def __getitem__(self, key: Any) -> Variable:
        return OPS.get_item(self, key)

    def __lt__(self, other: Any) -> Any:
        return OPS.compare("__lt__", self, other)

    def __le__(self, other: Any) -> Any:
        return OPS.compare("__le__", self, other)

    def __gt__(self, other: Any) -> Any:
        return OPS.compare("__gt__", self, other)

    def __ge__(self, other: Any) -> Any:
        return OPS.compare("__ge__", self, other)

    def matmul(self, other: Any) -> Variable:
        """``F.matmul(self, other)``."""
        return OPS.matmul(self, other)

    dot = matmaul = matmul  # DeZero's names, its PyPI release's typo included

    def reshape(self, *shape: Any) -> Variable:
        """``F.reshape``; ``v.reshape(2, 3)`` or ``v.reshape((2, 3))``."""
        return OPS.reshape(self, tuple(_shape_args(shape)))

    def transpose(self, *axes: Any) -> Variable:
        """``F.transpose``; no axes reverses them, as ``v.T`` does."""
        found = _shape_args(axes) if axes else None
        return OPS.transpose(self, None if found is None else tuple(found))

    @property
    def T(self) -> Variable:
        """The transpose: every axis reversed."""
        return OPS.transpose(self)

    def sum(self, axis: Any = None, keepdims: bool = False) -> Variable:
        """``F.sum(self, axis, keepdims)``."""
        return OPS.sum(self, axis, keepdims)

    def mean(self, axis: Any = None, keepdims: bool = False) -> Variable:
        """``F.mean(self, axis, keepdims)``."""
        return OPS.mean(self, axis, keepdims)

    def max(self, axis: Any = None, keepdims: bool = False) -> Variable:
        """``F.max(self, axis, keepdims)``."""
        return OPS.max(self, axis, keepdims)

    def min(self, axis: Any = None, keepdims: bool = False) -> Variable:
        """``F.min(self, axis, keepdims)``."""
        return OPS.min(self, axis, keepdims)
