"""What the array API's elementwise functions share: broadcasting pairs,
gradients for real input only, and zero gradients of step functions.

The modules of the standard's elementwise functions (trigonometric,
logarithms, magnitudes, rounding) build on these three rules, so each of
their ops reads as its formula.
"""

from __future__ import annotations

from typing import Any

from .._errors import broadcast_advice
from ..core import Constant, Function, Variable
from ..domains import kind
from .shape import sum_to

__all__ = ["Broadcasting", "refuse_complex", "zero_gradient"]


class Broadcasting(Function):
    """Two inputs that broadcast together (Python scalars among them, weak):
    ``reduce`` sums each gradient back to its input's shape."""

    def explain(self, xs: tuple[Any, ...]) -> str:
        return broadcast_advice(*(tuple(x.shape) for x in xs))

    def reduce(self, gx1: Variable | None, gx2: Variable | None) -> tuple[Any, Any]:
        """The two gradients at their inputs' shapes; None for a constant input
        (a Python scalar or a plain array), which needs none."""
        x1, x2 = self.inputs
        return (
            sum_to(gx1, x1.shape) if gx1 is not None and x1.requires_grad else None,
            sum_to(gx2, x2.shape) if gx2 is not None and x2.requires_grad else None,
        )


def refuse_complex(func: Function, x: Variable) -> None:
    """Raise if ``x`` is complex: ``func`` computes complex values (the library
    does), but its gradient here is the real one, so none is given for them."""
    if kind(func.backend, x.dtype) == "complex floating":
        name = func.function_name.lower()
        raise TypeError(
            f"{name}: no gradient for complex input (dtype {x.dtype}, shape "
            f"{tuple(x.shape)}); xgrad differentiates {name} on real input only. "
            f"Write the computation with real Variables (the real and imaginary "
            f"parts), or call it under xgrad.no_grad() if no gradient is needed"
        )


def zero_gradient(func: Function, x: Variable) -> Variable:
    """The gradient of a step function (floor, sign): zeros of ``x``'s shape.

    A constant, so its own derivatives are zero too, and never NaN where the
    upstream gradient is infinite (``0 * inf``), as PyTorch gives.
    """
    return Constant(func.xp.zeros_like(x.data))
