"""The book's simple core (steps 1-32): gradients are plain arrays.

Steps 28 and 29 of *Deep Learning from Scratch 3* import
``dezero.core_simple`` and update with the gradient as an array::

    x.data -= lr * x.grad

Here a :class:`Variable` is xgrad's own with one difference: its ``grad`` is
the array itself, not a Variable, so that line works unchanged. Everything
else is xgrad's: the ops, the one backward engine (:mod:`xgrad.backprop`),
``Config``. The simple core has no higher-order derivatives: ``backward``
takes no ``create_graph``. Results of ops are ordinary xgrad Variables; only
the Variables made from this module hold array gradients.

Examples
--------
>>> import numpy as np
>>> from xgrad.core_simple import Variable
>>> x = Variable(np.array(2.0))
>>> y = x**4 - 2 * x**2
>>> y.backward()
>>> x.grad  # a plain array, as in the book's simple core
array(24.)
>>> x.data -= x.grad / (12 * x.data**2 - 4)
"""

from __future__ import annotations

from typing import Any

from . import core
from .config import Config, no_grad, using_config
from .core import Function, as_array
from .functions.arithmetic import (
    add,
    div,
    mul,
    neg,
    pow,
    rdiv,
    rsub,
    setup_variable,
    sub,
)

__all__ = [
    "Config",
    "Function",
    "Variable",
    "add",
    "as_array",
    "as_variable",
    "div",
    "mul",
    "neg",
    "no_grad",
    "pow",
    "rdiv",
    "rsub",
    "setup_variable",
    "sub",
    "using_config",
]


class Variable(core.Variable):
    """A Variable whose gradient is a plain array (the book's simple core)."""

    __slots__ = ("_grad",)

    def __init__(self, data: Any, name: str | None = None) -> None:
        self._grad = None
        super().__init__(data, name)

    @property
    def grad(self) -> Any:
        """The gradient as an array (None before a backward pass)."""
        return self._grad

    @grad.setter
    def grad(self, value: Any) -> None:
        # The engine adds each pass's gradient (a Variable) here: keep its array.
        self._grad = value.data if isinstance(value, core.Variable) else value

    def backward(self, retain_grad: bool = False) -> None:  # type: ignore[override]
        """Backpropagate to every leaf that produced this Variable (no create_graph)."""
        super().backward(retain_grad=retain_grad)


def as_variable(obj: Any) -> core.Variable:
    """``obj`` if it is a Variable, else a simple-core Variable wrapping the array."""
    return obj if isinstance(obj, core.Variable) else Variable(obj)


is_simple_core = True
