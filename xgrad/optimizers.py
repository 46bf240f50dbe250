"""Optimizers, hooks and learning-rate schedules: DeZero's, exactly, and more.

Per-parameter arrays live in ``param.state`` (``"adam.m"``), made by
``zeros_like`` on the parameter's device, so they move with the model. State
is always replaced by new arrays, in the parameter's dtype. Whatever a hook or
``update_one`` assigns to ``param.data``, :meth:`Optimizer.update` ends by
putting it back into the parameter's dtype and, where the backend writes in
place, into its old array (``Backend.write_into``): a float32 parameter with
a float64 gradient stays float32, as in DeZero, and immutable arrays work.
Formulas: docs/optimizers.md. Schedules live in :mod:`xgrad.schedules`.
"""

from __future__ import annotations

import math
from typing import Any

from . import backends
from .core import Parameter
from .optimizer_base import Optimizer, like_param
from .optimizer_hooks import ClipGrad, FreezeParam, WeightDecay, grad_array
from .schedules import CosineLR, LRScheduler, StepLR

__all__ = ["Optimizer", "SGD", "MomentumSGD", "AdaGrad", "AdaDelta", "Adam"]
__all__ += ["RMSprop", "Nesterov", "AdamW", "WeightDecay", "ClipGrad", "FreezeParam"]
__all__ += ["LRScheduler", "StepLR", "CosineLR"]


# -- the book's optimizers: exactly DeZero's formulas. float() turns a NumPy
# hyperparameter into a weak Python float, so float32 stays float32.


def _step(param: Parameter, delta: Any, scale: float | None = None) -> Any:
    """``param.data - delta`` (``- scale * delta``), in place where the backend
    allows writes, in one fused pass where it has one."""
    data = param._data
    return backends.of(data).apply_step(data, delta, scale)


class SGD(Optimizer):
    """``param -= lr * grad``."""

    lr: float

    def __init__(self, lr: float = 0.01) -> None:
        super().__init__(lr=lr)

    replayable = True

    def update_one(self, param: Parameter) -> None:
        param.data = _step(param, grad_array(param), scale=self.current["lr"])


class MomentumSGD(Optimizer):
    """``v = momentum * v - lr * grad; param += v``."""

    lr: float
    momentum: float

    prefix, state_keys = "momentum", ("v",)

    def __init__(self, lr: float = 0.01, momentum: float = 0.9) -> None:
        super().__init__(lr=lr, momentum=momentum)

    replayable = True

    def update_one(self, param: Parameter) -> None:
        (v,) = self._state(param)
        s = self.current
        v = like_param(param, v * s["momentum"] - s["lr"] * grad_array(param))
        self._store(param, v)
        param.data = param.data + v


class AdaGrad(Optimizer):
    """``h += grad**2; param -= lr * grad / (sqrt(h) + eps)``."""

    lr: float
    eps: float

    prefix, state_keys = "adagrad", ("h",)

    def __init__(self, lr: float = 0.001, eps: float = 1e-8) -> None:
        super().__init__(lr=lr, eps=eps)

    replayable = True

    def update_one(self, param: Parameter) -> None:
        xp, grad = backends.of(param.data).xp, grad_array(param)
        h = like_param(param, self._state(param)[0] + grad * grad)
        self._store(param, h)
        lr, eps = self.current["lr"], self.current["eps"]
        param.data = _step(param, lr * grad / (xp.sqrt(h) + eps))


class AdaDelta(Optimizer):
    """Zeiler's AdaDelta as DeZero writes it; it has no learning rate to schedule."""

    rho: float
    eps: float

    prefix, state_keys, lr_attr = "adadelta", ("msg", "msdx"), None

    def __init__(self, rho: float = 0.95, eps: float = 1e-6) -> None:
        super().__init__(rho=rho, eps=eps)

    replayable = True

    def update_one(self, param: Parameter) -> None:
        xp, grad = backends.of(param.data).xp, grad_array(param)
        rho, eps = self.current["rho"], self.current["eps"]
        msg, msdx = self._state(param)
        msg = like_param(param, msg * rho + (1 - rho) * grad * grad)
        dx = xp.sqrt((msdx + eps) / (msg + eps)) * grad
        msdx = like_param(param, msdx * rho + (1 - rho) * dx * dx)
        self._store(param, msg, msdx)
        param.data = _step(param, dx)


class Adam(Optimizer):
    """Adam as DeZero writes it: ``lr`` folds the bias correction into ``alpha``."""

    alpha: float
    beta1: float
    beta2: float
    eps: float

    prefix, state_keys, lr_attr = "adam", ("m", "v"), "alpha"

    def __init__(
        self,
        alpha: float = 0.001,
        beta1: float = 0.9,
        beta2: float = 0.999,
        eps: float = 1e-8,
    ) -> None:
        super().__init__(alpha=alpha, beta1=beta1, beta2=beta2, eps=eps)

    @property
    def lr(self) -> float:
        """``alpha * sqrt(1 - beta2**t) / (1 - beta1**t)``; before any update, t=1."""
        t = max(self.t, 1)
        fix1, fix2 = 1.0 - math.pow(self.beta1, t), 1.0 - math.pow(self.beta2, t)
        return float(self.alpha) * math.sqrt(fix2) / fix1

    replayable = True

    def step_scalars(self) -> dict[str, float]:
        return {**super().step_scalars(), "lr": self.lr}

    def update_one(self, param: Parameter) -> None:
        xp, grad, s = backends.of(param.data).xp, grad_array(param), self.current
        beta1, beta2 = s["beta1"], s["beta2"]
        m, v = self._state(param)
        m = like_param(param, m + (1 - beta1) * (grad - m))
        v = like_param(param, v + (1 - beta2) * (grad * grad - v))
        self._store(param, m, v)
        param.data = _step(param, s["lr"] * m / (xp.sqrt(v) + s["eps"]))


# -- beyond the book: exactly PyTorch's formulas ----------------------------------


class RMSprop(Optimizer):
    """RMSprop as ``torch.optim.RMSprop`` writes it: eps outside the square root."""

    lr: float
    alpha: float
    eps: float

    prefix, state_keys = "rmsprop", ("v",)

    def __init__(
        self, lr: float = 0.01, alpha: float = 0.99, eps: float = 1e-8
    ) -> None:
        super().__init__(lr=lr, alpha=alpha, eps=eps)

    replayable = True

    def update_one(self, param: Parameter) -> None:
        xp, grad, s = backends.of(param.data).xp, grad_array(param), self.current
        alpha, lr, eps = s["alpha"], s["lr"], s["eps"]
        v = like_param(
            param, self._state(param)[0] * alpha + (1 - alpha) * (grad * grad)
        )
        self._store(param, v)
        param.data = _step(param, grad / (xp.sqrt(v) + eps), scale=lr)


class Nesterov(MomentumSGD):
    """Momentum SGD with Nesterov's lookahead, as ``torch.optim.SGD(nesterov=True)``."""

    prefix, state_keys = "nesterov", ("v",)

    def update_one(self, param: Parameter) -> None:
        mu, grad = self.current["momentum"], grad_array(param)
        v = like_param(
            param, self._state(param)[0] * mu + grad
        )  # gradients, without lr
        self._store(param, v)
        param.data = _step(param, grad + mu * v, scale=self.current["lr"])


class AdamW(Optimizer):
    """Adam with decoupled weight decay, as ``torch.optim.AdamW`` writes it."""

    lr: float
    beta1: float
    beta2: float
    eps: float
    weight_decay: float

    prefix, state_keys = "adamw", ("m", "v")

    def __init__(
        self,
        lr: float = 0.001,
        beta1: float = 0.9,
        beta2: float = 0.999,
        eps: float = 1e-8,
        weight_decay: float = 0.01,
    ) -> None:
        hyper = {"beta1": beta1, "beta2": beta2, "eps": eps}
        super().__init__(lr=lr, **hyper, weight_decay=weight_decay)

    replayable = True

    def step_scalars(self) -> dict[str, float]:
        """Adds the bias corrections ``1 - beta1**t`` and ``sqrt(1 - beta2**t)``."""
        s = super().step_scalars()
        s["fix1"] = 1 - s["beta1"] ** self.t
        s["fix2"] = math.sqrt(1 - s["beta2"] ** self.t)
        return s

    def update_one(self, param: Parameter) -> None:
        xp, grad, s = backends.of(param.data).xp, grad_array(param), self.current
        lr, beta1, beta2 = s["lr"], s["beta1"], s["beta2"]
        data = param.data * (1 - lr * s["weight_decay"])
        m, v = self._state(param)
        m = like_param(param, m + (1 - beta1) * (grad - m))
        v = like_param(param, v * beta2 + (1 - beta2) * (grad * grad))
        self._store(param, m, v)
        denom = xp.sqrt(v) / s["fix2"] + s["eps"]
        param.data = data - lr / s["fix1"] * (m / denom)
