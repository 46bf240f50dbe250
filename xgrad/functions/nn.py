"""Functions for neural networks that have no gradient or need Config.train."""

from __future__ import annotations

from typing import Any

from ..core import Variable, as_variable


def accuracy(y: Any, t: Any) -> Variable:
    """Fraction of rows of ``y`` whose arg-max equals the label in ``t``.

    Not differentiable: the result is a Variable with no creator, so book code
    reading ``acc.data`` works and nothing is recorded.
    """
    y = as_variable(y)
    t = t.data if isinstance(t, Variable) else t
    xp = y.backend.xp
    pred = xp.reshape(xp.argmax(y.data, axis=1), t.shape)
    return Variable(xp.mean(xp.astype(pred == t, y.dtype)))
