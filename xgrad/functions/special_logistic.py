"""The logistic function under SciPy's names: expit, its inverse logit, and
its logarithm log_expit, each to float64 accuracy in both tails.

``expit`` is :func:`~xgrad.functions.sigmoid` computed for relative accuracy:
``sigmoid``'s one ``tanh`` is fast but rounds ``sigmoid(-40)`` (4.2e-18) to 0.
"""

from __future__ import annotations

from typing import Any

from ..core import Function, Variable
from .guarded import guarded_div


class Expit(Function):
    domain = "real floating"

    def forward(self, x):
        xp = self.xp
        e = xp.exp(-xp.abs(x))  # never overflows; e^x / (1 + e^x) for x < 0
        return xp.where(x >= 0, 1.0, e) / (1.0 + e)

    def backward(self, gy):
        (x,) = self.inputs
        return gy * self.outputs[0]() * expit(-x)  # y (1 - y)


class Logit(Function):
    domain = "real floating"

    def forward(self, p):
        xp = self.xp
        middle = (p >= 0.25) & (p <= 0.75)
        # 2p - 1 and 1 - p are exact there: log1p keeps the digits of logit near 0
        q = xp.where(middle, p, 0.5)
        near = xp.log1p((2.0 * q - 1.0) / (1.0 - q))
        inside = (p > 0) & (p < 1)
        r = xp.where(inside, p, 0.5)
        far = xp.log(r / (1.0 - r))
        edge = xp.where(p == 0, -xp.inf, xp.where(p == 1, xp.inf, xp.nan * p))
        return xp.where(middle, near, xp.where(inside, far, edge))

    def backward(self, gy):
        (p,) = self.inputs
        return guarded_div(gy, p * (1.0 - p))  # inf at 0 and 1, as the derivative


class LogExpit(Function):
    domain = "real floating"

    def forward(self, x):
        xp = self.xp
        # -log(1 + e^-x) for x >= 0, x - log(1 + e^x) below: exp never overflows
        return xp.minimum(x, 0.0) - xp.log1p(xp.exp(-xp.abs(x)))

    def backward(self, gy):
        (x,) = self.inputs
        return gy * expit(-x)  # d/dx log(expit(x)) = 1 - expit(x)


def expit(x: Any) -> Variable:
    """The logistic function ``1 / (1 + exp(-x))``, with its relative accuracy in
    both tails (``expit(-40)`` is 4.2e-18) and its gradient ``expit(x) expit(-x)``."""
    return Expit()(x)


def logit(p: Any) -> Variable:
    """``log(p / (1 - p))``, the inverse of ``expit``: ``-inf`` at 0, ``inf`` at 1,
    NaN outside [0, 1]; accurate near ``p = 1/2``, where it is near 0."""
    return Logit()(p)


def log_expit(x: Any) -> Variable:
    """``log(expit(x)) = -softplus(-x)``, finite for every finite ``x``
    (``log_expit(-1000)`` is -1000, where ``log(expit(x))`` is ``-inf``)."""
    return LogExpit()(x)
