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
#: neg, pow, rpow, matmul, floordiv, mod, abs, positive, get_item, reshape,
#: transpose, matrix_transpose, to_device, sum, mean, max, min; ``binary(op,
#: x, other, reflected)`` and ``unary(op, x)`` for the operators with no
#: gradient (comparisons, bitwise), whose results are Constants; and
#: ``namespace(backend)``, xgrad's array-API namespace of a backend;
#: ``setitem(x, key, value)`` and ``inplace(op, x, other)``, writes on the tape.
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

    def __floordiv__(self, other: Any) -> Variable:
        return OPS.floordiv(self, other)

    def __rfloordiv__(self, other: Any) -> Variable:
        return OPS.floordiv(other, self)

    def __mod__(self, other: Any) -> Variable:
        return OPS.mod(self, other)

    def __rmod__(self, other: Any) -> Variable:
        return OPS.mod(other, self)

    def __setitem__(self, key: Any, value: Any) -> None:
        OPS.setitem(self, key, value)

    # In-place operators write into the Variable on the tape (xgrad.inplace).
    def __iadd__(self, other: Any) -> Any:
        return OPS.inplace("add", self, other)

    def __isub__(self, other: Any) -> Any:
        return OPS.inplace("sub", self, other)

    def __imul__(self, other: Any) -> Any:
        return OPS.inplace("mul", self, other)

    def __itruediv__(self, other: Any) -> Any:
        return OPS.inplace("div", self, other)

    def __ipow__(self, other: Any) -> Any:
        return OPS.inplace("pow", self, other)

    def __imatmul__(self, other: Any) -> Any:
        return OPS.inplace("matmul", self, other)

    def __ifloordiv__(self, other: Any) -> Any:
        return OPS.inplace("floordiv", self, other)

    def __imod__(self, other: Any) -> Any:
        return OPS.inplace("mod", self, other)

    def __iand__(self, other: Any) -> Any:
        return OPS.inplace("and_", self, other)

    def __ior__(self, other: Any) -> Any:
        return OPS.inplace("or_", self, other)

    def __ixor__(self, other: Any) -> Any:
        return OPS.inplace("xor", self, other)

    def __ilshift__(self, other: Any) -> Any:
        return OPS.inplace("lshift", self, other)

    def __irshift__(self, other: Any) -> Any:
        return OPS.inplace("rshift", self, other)

    def __abs__(self) -> Variable:
        return OPS.abs(self)

    def __pos__(self) -> Variable:
        return OPS.positive(self)

    # Comparisons and bitwise operators have no gradient: their results are
    # Constants (Variables with no creator), elementwise as the standard says.
    # Hashing stays by identity, so Variables still key dicts and sets.
    __hash__ = object.__hash__

    def __eq__(self, other: object) -> Any:
        return OPS.binary("eq", self, other)

    def __ne__(self, other: object) -> Any:
        return OPS.binary("ne", self, other)

    def __lt__(self, other: Any) -> Any:
        return OPS.binary("lt", self, other)

    def __le__(self, other: Any) -> Any:
        return OPS.binary("le", self, other)

    def __gt__(self, other: Any) -> Any:
        return OPS.binary("gt", self, other)

    def __ge__(self, other: Any) -> Any:
        return OPS.binary("ge", self, other)

    def __and__(self, other: Any) -> Any:
        return OPS.binary("and_", self, other)

    def __rand__(self, other: Any) -> Any:
        return OPS.binary("and_", self, other, reflected=True)

    def __or__(self, other: Any) -> Any:
        return OPS.binary("or_", self, other)

    def __ror__(self, other: Any) -> Any:
        return OPS.binary("or_", self, other, reflected=True)

    def __xor__(self, other: Any) -> Any:
        return OPS.binary("xor", self, other)

    def __rxor__(self, other: Any) -> Any:
        return OPS.binary("xor", self, other, reflected=True)

    def __lshift__(self, other: Any) -> Any:
        return OPS.binary("lshift", self, other)

    def __rlshift__(self, other: Any) -> Any:
        return OPS.binary("lshift", self, other, reflected=True)

    def __rshift__(self, other: Any) -> Any:
        return OPS.binary("rshift", self, other)

    def __rrshift__(self, other: Any) -> Any:
        return OPS.binary("rshift", self, other, reflected=True)

    def __invert__(self) -> Any:
        return OPS.unary("invert", self)

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
