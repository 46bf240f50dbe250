"""Optimizer hooks: functions of the parameters, run before each update.

``optimizer.add_hook(WeightDecay(1e-4))``; a hook is any callable taking the
list of parameters about to be updated. :mod:`xgrad.optimizers` re-exports
these under the book's names.
"""

from __future__ import annotations

from typing import Any, cast

from . import backends
from .core import Parameter, Variable

__all__ = ["ClipGrad", "FreezeParam", "WeightDecay", "grad_array"]


def grad_array(param: Parameter) -> Any:
    """``param.grad.data``: updates and hooks see only parameters with a gradient."""
    return cast(Variable, param.grad).data


# -- hooks give a parameter a new gradient rather than write into it: both inputs
# of an addition share one gradient Variable, and DeZero's `+=` changes both.


class WeightDecay:
    """L2 regularisation: ``grad += rate * param`` before the update."""

    def __init__(self, rate: float) -> None:
        self.rate = rate

    def __call__(self, params: list[Parameter]) -> None:
        for param in params:
            param.grad = Variable(grad_array(param) + float(self.rate) * param.data)


class ClipGrad:
    """Scale all gradients by ``max_norm / (norm + 1e-6)`` if below 1 (global norm).

    The scale stays an array (``minimum(rate, 1)``), never a Python number
    branched on, so the hook costs no device-to-host copy and ``xgrad.jit``
    replays it.
    """

    def __init__(self, max_norm: float) -> None:
        self.max_norm = max_norm

    def __call__(self, params: list[Parameter]) -> None:
        if not params:
            return
        grads = [grad_array(p) for p in params]
        xp = backends.of(grads[0]).xp
        total = xp.sum(grads[0] * grads[0])
        for g in grads[1:]:
            total = total + xp.sum(g * g)
        rate = float(self.max_norm) / (xp.sqrt(total) + 1e-6)
        scale = xp.where(rate < 1, rate, xp.ones_like(rate))
        for param, grad in zip(params, grads, strict=True):
            same = scale if scale.dtype == grad.dtype else xp.astype(scale, grad.dtype)
            param.grad = Variable(grad * same)


class FreezeParam:
    """Leave the parameters of the given Layers (or Parameters) unchanged."""

    def __init__(self, *layers: Any) -> None:
        self.freeze_params = [
            p for x in layers for p in ([x] if isinstance(x, Parameter) else x.params())
        ]

    def __call__(self, params: list[Parameter]) -> None:
        for p in self.freeze_params:
            p.grad = None
