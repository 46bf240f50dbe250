"""The text of a replay: slot names, constants, the targets of each call.

:func:`~xgrad.recording.calls.compile_replay` writes a replay as Python code;
a :class:`Source` names each object that is not written as a literal (a
function, a dtype, an array) as a constant ``k0``, ``k1``, ... of the code's
namespace, and :func:`slots_of` the slots a call's result fills.
"""

from __future__ import annotations

import math
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
            return (
                "{" + ", ".join(f"{k!r}: {self.expr(v)}" for k, v in obj.items()) + "}"
            )
        return self.constant(obj)


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
