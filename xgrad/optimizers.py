"""Optimizers, hooks and learning-rate schedules: DeZero's, exactly, and more.

Per-parameter arrays live in ``param.state`` (``"adam.m"``), made by
``zeros_like`` on the parameter's device, so they move with the model. State
is always replaced by new arrays; a parameter is updated in place only where
its backend allows writes (``Backend.apply_step``), so immutable arrays work.
Formulas: docs/optimizers.md. Schedules live in :mod:`xgrad.schedules`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Self, cast

import numpy as np

from . import backends
from .config import no_grad
from .core import Parameter, Variable
from .devices import to_device

if TYPE_CHECKING:
    from .layers import Layer

__all__ = ["Optimizer", "SGD", "MomentumSGD", "AdaGrad", "AdaDelta", "Adam"]
__all__ += ["RMSprop", "Nesterov", "AdamW", "WeightDecay", "ClipGrad", "FreezeParam"]
__all__ += ["LRScheduler", "StepLR", "CosineLR"]


class Optimizer:
    """Base class: ``super().__init__(**hyperparameters)``, then ``update_one``.

    Arrays named in ``state_keys`` live in ``param.state["<prefix>.<key>"]``;
    ``lr_attr`` is what schedules change; ``t`` counts ``update()`` calls.
    """

    prefix: str = ""
    state_keys: tuple[str, ...] = ()
    lr_attr: str | None = "lr"

    def __init__(self, **hyperparameters: float) -> None:
        self.target: Layer | None = None
        self.hooks: list[Callable[[list[Parameter]], None]] = []
        self.t = 0
        self.hyperparameters = tuple(hyperparameters)
        self.__dict__.update(hyperparameters)

    def setup(self, target: Layer) -> Self:
        """Optimize ``target.params()`` (a Layer or Model); returns ``self``."""
        self.target = target
        return self

    def update(self) -> None:
        """Run the hooks, then update every parameter that has a gradient.

        On a lazy backend (Dask) the step ends by persisting the parameters,
        their gradients and the optimizer's state in one pass
        (:func:`xgrad.persist`), so a training loop's graph stays one step long.
        """
        self.t += 1
        params = [p for p in self._params() if p.grad is not None]
        with no_grad():
            for f in self.hooks:
                f(params)
            for param in params:
                if param.grad is not None:  # FreezeParam dropped it (DeZero crashes)
                    self.update_one(param)
        if params and backends.of(params[0].data).lazy:  # one model, one library
            from .lazy import persist

            persist(*params)

    def update_one(self, param: Parameter) -> None:
        raise NotImplementedError(f"{type(self).__name__}.update_one")

    def add_hook(self, f: Callable[[list[Parameter]], None]) -> None:
        """Call ``f(params)`` before each update (WeightDecay, ClipGrad ...)."""
        self.hooks.append(f)

    def _params(self) -> list[Parameter]:
        if self.target is None:
            raise RuntimeError(f"{type(self).__name__}: call .setup(model) first")
        return list(self.target.params())

    def _state(self, param: Parameter) -> list[Any]:
        """The arrays of ``state_keys`` for ``param``: zeros like it at first."""
        keys = [f"{self.prefix}.{k}" for k in self.state_keys]
        zeros = backends.of(param.data).xp.zeros_like
        return [param.state[k] if k in param.state else zeros(param.data) for k in keys]

    def _store(self, param: Parameter, *arrays: Any) -> None:
        for key, value in zip(self.state_keys, arrays, strict=True):
            param.state[f"{self.prefix}.{key}"] = value

    def state_dict(self) -> dict[str, Any]:
        """Hyperparameters, ``t`` and per-parameter state, as Python and NumPy copies.

        ``"state"`` has one dict per parameter, in ``target.params()`` order.
        """
        state = []
        for p in self._params():
            own = {k: p.state.get(f"{self.prefix}.{k}") for k in self.state_keys}
            own = {
                k: backends.of(a).to_numpy(a) for k, a in own.items() if a is not None
            }
            state.append({k: np.array(a) for k, a in own.items()})  # copies, not views
        hyper = {k: getattr(self, k) for k in self.hyperparameters}
        saved = {"optimizer": type(self).__name__, "hyperparameters": hyper}
        return {**saved, "t": self.t, "state": state}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Resume from :meth:`state_dict`, onto each parameter's device and dtype.

        Checks everything first: a ``ValueError`` leaves the state as it was.
        """
        name, params, t = type(self).__name__, self._params(), int(state_dict["t"])
        hyper, entries = state_dict["hyperparameters"], state_dict["state"]
        if state_dict["optimizer"] != name or set(hyper) != set(self.hyperparameters):
            raise ValueError(
                f"{name}.load_state_dict: got the state of {state_dict['optimizer']}"
                f"{tuple(hyper)}, expected {name}{self.hyperparameters}"
            )
        if len(entries) != len(params):
            raise ValueError(
                f"{name}.load_state_dict: state for {len(entries)} parameters, the "
                f"target has {len(params)}; set up the same model"
            )
        pairs = enumerate(zip(params, entries, strict=True))
        loaded = [self._load(i, p, e) for i, (p, e) in pairs]
        for param, arrays in zip(params, loaded, strict=True):
            for key in self.state_keys:
                param.state.pop(f"{self.prefix}.{key}", None)
            if arrays:  # else no update yet: zeros at the first
                self._store(param, *arrays)
        self.__dict__.update(hyper)
        self.t = t

    def _load(self, i: int, param: Parameter, entry: dict[str, Any]) -> list[Any]:
        """Entry ``i`` checked and put on ``param``'s backend, device and dtype."""
        if not entry:
            return []
        shape = None if param.data is None else param.shape
        got, keys = {k: np.shape(a) for k, a in entry.items()}, sorted(self.state_keys)
        if sorted(got) != keys or any(s != shape for s in got.values()):
            raise ValueError(
                f"{type(self).__name__}.load_state_dict: parameter {i} ({param.name}) "
                f"of shape {shape} got state {got}; expected {keys} in its shape"
            )
        xp = backends.of(param.data).xp
        copies = [to_device(np.array(entry[k]), param.device) for k in self.state_keys]
        return [xp.astype(x, param.dtype) for x in copies]

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={getattr(self, k)!r}" for k in self.hyperparameters)
        return f"{type(self).__name__}({args})"


def _grad(param: Parameter) -> Any:
    """``param.grad.data``; update() and its hooks see only parameters with a gradient."""
    return cast(Variable, param.grad).data


# -- hooks give a parameter a new gradient rather than write into it: both inputs
# of an addition share one gradient Variable, and DeZero's `+=` changes both.


class WeightDecay:
    """L2 regularisation: ``grad += rate * param`` before the update."""

    def __init__(self, rate: float) -> None:
        self.rate = rate

    def __call__(self, params: list[Parameter]) -> None:
        for param in params:
            param.grad = Variable(_grad(param) + float(self.rate) * param.data)


class ClipGrad:
    """Scale all gradients by ``max_norm / (norm + 1e-6)`` if below 1 (global norm)."""

    def __init__(self, max_norm: float) -> None:
        self.max_norm = max_norm

    def __call__(self, params: list[Parameter]) -> None:
        grads = [_grad(p) for p in params]
        total = sum(float(backends.of(g).xp.sum(g * g)) for g in grads)
        rate = float(self.max_norm) / (math.sqrt(total) + 1e-6)
        if rate < 1:
            for param in params:
                param.grad = Variable(_grad(param) * rate)


class FreezeParam:
    """Leave the parameters of the given Layers (or Parameters) unchanged."""

    def __init__(self, *layers: Layer | Parameter) -> None:
        self.freeze_params = [
            p for x in layers for p in ([x] if isinstance(x, Parameter) else x.params())
        ]

    def __call__(self, params: list[Parameter]) -> None:
        for p in self.freeze_params:
            p.grad = None


# -- the book's optimizers: exactly DeZero's formulas. float() turns a NumPy
# hyperparameter into a weak Python float, so float32 stays float32.


def _step(param: Parameter, delta: Any) -> Any:
    """``param.data - delta``, in place where the backend allows writes."""
    data = param._data
    return backends.of(data).apply_step(data, delta)


class SGD(Optimizer):
    """``param -= lr * grad``."""

    lr: float

    def __init__(self, lr: float = 0.01) -> None:
        super().__init__(lr=lr)

    def update_one(self, param: Parameter) -> None:
        param.data = _step(param, float(self.lr) * _grad(param))


class MomentumSGD(Optimizer):
    """``v = momentum * v - lr * grad; param += v``."""

    prefix, state_keys = "momentum", ("v",)
    lr: float
    momentum: float

    def __init__(self, lr: float = 0.01, momentum: float = 0.9) -> None:
        super().__init__(lr=lr, momentum=momentum)

    def update_one(self, param: Parameter) -> None:
        (v,) = self._state(param)
        v = v * float(self.momentum) - float(self.lr) * _grad(param)
        self._store(param, v)
        param.data = param.data + v


class AdaGrad(Optimizer):
    """``h += grad**2; param -= lr * grad / (sqrt(h) + eps)``."""

    prefix, state_keys = "adagrad", ("h",)
    lr: float
    eps: float

    def __init__(self, lr: float = 0.001, eps: float = 1e-8) -> None:
        super().__init__(lr=lr, eps=eps)

    def update_one(self, param: Parameter) -> None:
        xp, grad = backends.of(param.data).xp, _grad(param)
        h = self._state(param)[0] + grad * grad
        self._store(param, h)
        lr, eps = float(self.lr), float(self.eps)
        param.data = _step(param, lr * grad / (xp.sqrt(h) + eps))


class AdaDelta(Optimizer):
    """Zeiler's AdaDelta as DeZero writes it; it has no learning rate to schedule."""

    prefix, state_keys, lr_attr = "adadelta", ("msg", "msdx"), None
    rho: float
    eps: float

    def __init__(self, rho: float = 0.95, eps: float = 1e-6) -> None:
        super().__init__(rho=rho, eps=eps)

    def update_one(self, param: Parameter) -> None:
        xp, grad = backends.of(param.data).xp, _grad(param)
        rho, eps = float(self.rho), float(self.eps)
        msg, msdx = self._state(param)
        msg = msg * rho + (1 - rho) * grad * grad
        dx = xp.sqrt((msdx + eps) / (msg + eps)) * grad
        msdx = msdx * rho + (1 - rho) * dx * dx
        self._store(param, msg, msdx)
        param.data = _step(param, dx)


class Adam(Optimizer):
    """Adam as DeZero writes it: ``lr`` folds the bias correction into ``alpha``."""

    prefix, state_keys, lr_attr = "adam", ("m", "v"), "alpha"
    alpha: float
    beta1: float
    beta2: float
    eps: float

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

    def update_one(self, param: Parameter) -> None:
        xp, grad = backends.of(param.data).xp, _grad(param)
        beta1, beta2 = float(self.beta1), float(self.beta2)
        m, v = self._state(param)
        m = m + (1 - beta1) * (grad - m)
        v = v + (1 - beta2) * (grad * grad - v)
        self._store(param, m, v)
        param.data = _step(param, self.lr * m / (xp.sqrt(v) + float(self.eps)))


# -- beyond the book: exactly PyTorch's formulas ----------------------------------


class RMSprop(Optimizer):
    """RMSprop as ``torch.optim.RMSprop`` writes it: eps outside the square root."""

    prefix, state_keys = "rmsprop", ("v",)
    lr: float
    alpha: float
    eps: float

    def __init__(
        self, lr: float = 0.01, alpha: float = 0.99, eps: float = 1e-8
    ) -> None:
        super().__init__(lr=lr, alpha=alpha, eps=eps)

    def update_one(self, param: Parameter) -> None:
        xp, grad = backends.of(param.data).xp, _grad(param)
        alpha, lr, eps = float(self.alpha), float(self.lr), float(self.eps)
        v = self._state(param)[0] * alpha + (1 - alpha) * (grad * grad)
        self._store(param, v)
        param.data = _step(param, lr * (grad / (xp.sqrt(v) + eps)))


class Nesterov(MomentumSGD):
    """Momentum SGD with Nesterov's lookahead, as ``torch.optim.SGD(nesterov=True)``."""

    prefix, state_keys = "nesterov", ("v",)

    def update_one(self, param: Parameter) -> None:
        mu, grad = float(self.momentum), _grad(param)
        v = self._state(param)[0] * mu + grad  # a sum of gradients, without lr
        self._store(param, v)
        param.data = _step(param, float(self.lr) * (grad + mu * v))


class AdamW(Optimizer):
    """Adam with decoupled weight decay, as ``torch.optim.AdamW`` writes it."""

    prefix, state_keys = "adamw", ("m", "v")
    lr: float
    beta1: float
    beta2: float
    eps: float
    weight_decay: float

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

    def update_one(self, param: Parameter) -> None:
        xp, grad = backends.of(param.data).xp, _grad(param)
        lr, beta1, beta2 = float(self.lr), float(self.beta1), float(self.beta2)
        data = param.data * (1 - lr * float(self.weight_decay))
        m, v = self._state(param)
        m = m + (1 - beta1) * (grad - m)
        v = v * beta2 + (1 - beta2) * (grad * grad)
        self._store(param, m, v)
        denom = xp.sqrt(v) / math.sqrt(1 - beta2**self.t) + float(self.eps)
        param.data = data - lr / (1 - beta1**self.t) * (m / denom)


from .schedules import CosineLR, LRScheduler, StepLR
