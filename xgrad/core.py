"""The define-by-run engine's core names, in DeZero's ``dezero.core`` module.

:class:`Variable` and its kinds live in :mod:`xgrad.variable`,
:class:`Function` in :mod:`xgrad.function`, the backward pass in
:mod:`xgrad.backprop`; this module gathers them under the book's import path
(``from dezero.core import Variable``). docs/engine.md tells how they work
together.
"""

from __future__ import annotations

from .function import Function
from .variable import Constant, Parameter, Variable, as_array, as_input, as_variable

__all__ = [
    "Constant",
    "Function",
    "Parameter",
    "Variable",
    "as_array",
    "as_input",
    "as_variable",
]
