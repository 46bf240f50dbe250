"""``clip`` as the array API standard has it: bounds that are numbers or arrays.

Number bounds (the book's ``clip(x, x_min, x_max)``) run DeZero's ``Clip``;
array bounds, Variables among them, broadcast against ``x`` and get their
share of the gradient (``ClipBetween``).
"""

from __future__ import annotations

from numbers import Real
from typing import Any

from .._errors import broadcast_advice
from ..core import Function, Variable
from .elementwise import Clip, where
from .shape import sum_to

__all__ = ["ClipBetween", "clip"]


class ClipBetween(Function):
    """``clip`` with array bounds: ``minimum(maximum(x, min), max)``, broadcast.

    The inputs are ``x`` and the bounds that are given (``has`` says which);
    each element's gradient goes to whichever of them gave its value.
    """

    domain = "real"

    def __init__(self, has_min: bool, has_max: bool) -> None:
        self.has = (has_min, has_max)

    def bounds(self, given: tuple[Any, ...]) -> tuple[Any, Any]:
        it = iter(given)
        return tuple(next(it) if has else None for has in self.has)  # type: ignore[return-value]

    def forward(self, x, *given):
        lo, hi = self.bounds(given)
        y = x if lo is None else self.xp.maximum(x, lo)  # NaN bounds give NaN
        return y if hi is None else self.xp.minimum(y, hi)

    def backward(self, gy):
        x, *given = self.inputs
        y = self.outputs[0]().data  # type: ignore[union-attr]  # outputs live while backward runs
        # Each element's gradient goes to the input whose value it took: x first
        # (so on the closed interval [min, max]), then min, then max; NaN: none.
        taken = y == x.data
        grads: list[Variable | None] = [sum_to(where(taken, gy, 0.0), x.shape)]
        for bound in given:
            mine = (y == bound.data) & ~taken
            taken = taken | mine
            wanted = bound.requires_grad
            grads.append(sum_to(where(mine, gy, 0.0), bound.shape) if wanted else None)
        return tuple(grads)

    def explain(self, xs: tuple[Any, ...]) -> str:
        return broadcast_advice(*(tuple(x.shape) for x in xs))


def clip(
    x: Any,
    /,
    min: Any = None,
    max: Any = None,
    *,
    x_min: Any = None,
    x_max: Any = None,
) -> Variable:
    """Limit ``x`` to ``[min, max]`` elementwise; a bound that is None is absent.

    The bounds are numbers or arrays (Variables too) that broadcast against
    ``x``, as in the array API standard. ``x`` gets the gradient where it lies
    in the closed interval, a bound where it gave the value; elsewhere 0.
    Where ``min > max`` (undefined in the standard) the result is ``max``:
    ``minimum(maximum(x, min), max)``, as NumPy and PyTorch give, on every
    backend. The book's ``clip(x, x_min, x_max)`` and its keywords work too.
    """
    lo, hi = _bound("min", min, "x_min", x_min), _bound("max", max, "x_max", x_max)
    if _is_number(lo) and _is_number(hi):
        return Clip(_python(lo), _python(hi))(x)
    given = [b for b in (lo, hi) if b is not None]
    return ClipBetween(lo is not None, hi is not None)(x, *given)


def _bound(name: str, value: Any, book_name: str, book_value: Any) -> Any:
    """One bound of ``clip``, given by its standard or its book keyword."""
    if value is not None and book_value is not None:
        raise TypeError(
            f"clip: got both {name}= and {book_name}= ({value!r} and {book_value!r}); "
            f"pass one ({book_name} is the book's name for {name})"
        )
    return value if book_value is None else book_value


def _is_number(bound: Any) -> bool:
    """None or a number (Python's or NumPy's), not an array: the book's ``Clip``."""
    return bound is None or type(bound) in (int, float) or isinstance(bound, Real)


def _python(bound: Any) -> Any:
    """A NumPy number as the Python one: weak, and taken by every library."""
    if bound is None or type(bound) in (int, float):
        return bound
    return bound.item() if hasattr(bound, "item") else float(bound)
