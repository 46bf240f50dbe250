"""The text of a replay: slot names, constants, the targets of each call.

:func:`~xgrad.recording.calls.compile_replay` writes a replay as Python code;
a :class:`Source` names each object that is not written as a literal (a
function, a dtype, an array) as a constant ``k0``, ``k1``, ... of the code's
namespace, and :func:`slots_of` the slots a call's result fills.
"""

from __future__ import annotations

import math
import operator
from typing import Any

from .traced import Traced

__all__ = ["Source", "name_of", "slots_of"]


class Source:
    """Names for constants and the text of the replay function."""

    def __init__(self) -> None:
        self.constants: dict[str, Any] = {}
        self._by_id: dict[int, str] = {}

    def constant(self, value: Any) -> str:
        name = self._by_id.get(id(value))
        if name is None:
            name = self._by_id[id(value)] = f"k{len(self.constants)}"
            self.constants[name] = value
        return name

    def expr(self, obj: Any) -> str:
        if isinstance(obj, Traced):
            return f"s{obj.index}"
        kind = type(obj)
        if obj is None or obj is Ellipsis or kind is bool or kind is str:
            return repr(obj)
        if kind is int or (kind is float and math.isfinite(obj)):
            return repr(obj)
        if kind is tuple:
            inner = "".join(f"{self.expr(x)}, " for x in obj)
            return f"({inner})"
        if kind is list:
            return f"[{', '.join(self.expr(x) for x in obj)}]"
        if kind is slice:
            return f"slice({self.expr(obj.start)}, {self.expr(obj.stop)}, {self.expr(obj.step)})"
        if kind is dict:
            items = (f"{self.expr(k)}: {self.expr(v)}" for k, v in obj.items())
            return "{" + ", ".join(items) + "}"  # a key may be a constant (a dtype)
        return self.constant(obj)

    def call(self, fn: Any, positional: list[str], keywords: list[str]) -> str:
        """``fn(*positional, *keywords)`` as code: Python's own operators are
        written as operators, as the step wrote them (and run without a call)."""
        if not keywords:
            if len(positional) == 2 and _lookup(_BINARY, fn):
                a, b = map(_operand, positional)
                return f"{a} {_BINARY[fn]} {b}"
            if len(positional) == 1 and _lookup(_UNARY, fn):
                return f"{_UNARY[fn]}{_operand(positional[0])}"
            if len(positional) == 2 and fn is operator.getitem:
                return f"{_operand(positional[0])}[{positional[1]}]"
            if len(positional) == 1 and (name := _attribute(fn)):
                return f"{_operand(positional[0])}.{name}"
        return f"{self.constant(fn)}({', '.join([*positional, *keywords])})"

    def in_place(
        self, slot: str, fn: Any, positional: list[str], keywords: list[str]
    ) -> str | None:
        """``slot += x`` for an in-place operator on ``slot`` itself, else None."""
        if keywords or len(positional) != 2 or positional[0] != slot:
            return None
        symbol = _lookup(_IN_PLACE, fn)
        return None if symbol is None else f"{slot} {symbol} {_operand(positional[1])}"


_BINARY = {
    operator.add: "+",
    operator.sub: "-",
    operator.mul: "*",
    operator.truediv: "/",
    operator.floordiv: "//",
    operator.mod: "%",
    operator.pow: "**",
    operator.matmul: "@",
    operator.lt: "<",
    operator.le: "<=",
    operator.gt: ">",
    operator.ge: ">=",
    operator.eq: "==",
    operator.ne: "!=",
    operator.and_: "&",
    operator.or_: "|",
    operator.xor: "^",
    operator.lshift: "<<",
    operator.rshift: ">>",
}
_UNARY = {operator.neg: "-", operator.pos: "+", operator.invert: "~"}
_IN_PLACE = {
    operator.iadd: "+=",
    operator.isub: "-=",
    operator.imul: "*=",
    operator.itruediv: "/=",
    operator.ifloordiv: "//=",
    operator.imod: "%=",
    operator.ipow: "**=",
    operator.imatmul: "@=",
    operator.iand: "&=",
    operator.ior: "|=",
    operator.ixor: "^=",
    operator.ilshift: "<<=",
    operator.irshift: ">>=",
}


def _attribute(fn: Any) -> str | None:
    """The attribute an ``operator.attrgetter`` of one plain name reads (``mT``)."""
    if type(fn) is not operator.attrgetter:
        return None
    names = fn.__reduce__()[1]  # (attrgetter, the names it was made with)
    name = names[0] if len(names) == 1 and isinstance(names[0], str) else ""
    return name if name.isidentifier() else None


def _lookup(table: dict[Any, str], fn: Any) -> str | None:
    try:
        return table.get(fn)
    except TypeError:  # an unhashable callable: no operator
        return None


def _operand(text: str) -> str:
    """An operand as code: a slot, a constant or a number >= 0 as it is,
    anything else (``-1.5``, a tuple) in parentheses."""
    plain = text.isidentifier() or text.replace(".", "", 1).isdigit()
    return text if plain else f"({text})"


def name_of(fn: Any) -> str:
    """A function's name, for a comment in the replay's code."""
    return getattr(fn, "__name__", None) or type(fn).__name__


def slots_of(outputs: Any, path: str = "") -> list[tuple[int, str]]:
    """(slot, subscript path) of every Traced in a call's outputs."""
    if isinstance(outputs, Traced):
        return [(outputs.index, path)]
    found: list[tuple[int, str]] = []
    if type(outputs) in (tuple, list):
        for i, x in enumerate(outputs):
            found += slots_of(x, f"{path}[{i}]")
    elif type(outputs) is dict:
        for k, x in outputs.items():
            found += slots_of(x, f"{path}[{k!r}]")
    return found
