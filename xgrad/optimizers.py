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
from collections.abc import Callable
from typing import Any

import numpy as np

from . import backends
from .config import no_grad
from .core import Parameter
from .devices import to_device
from .lazy import persist
from .optimizer_hooks import ClipGrad, FreezeParam, WeightDecay
from .schedules import CosineLR, LRScheduler, StepLR

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
        self.target: Any = None
        self.hooks: list[Callable[[list[Parameter]], None]] = []
        self.t = 0
        self.hyperparameters = tuple(hyperparameters)
        self.__dict__.update(hyperparameters)

    def setup(self, target: Any) -> Optimizer:
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
        before = [p._data for p in params]
        with no_grad():
            for f in self.hooks:
                f(params)
            for param in params:
                if param.grad is not None:  # FreezeParam dropped it (DeZero crashes)
                    self.update_one(param)
        for param, old in zip(params, before, strict=True):
            _keep_array(param, old)
        if params and backends.of(params[0].data).lazy:  # one model, one library
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
        """Keep ``arrays`` as the state of ``param``, in its dtype."""
        for key, value in zip(self.state_keys, arrays, strict=True):
            param.state[f"{self.prefix}.{key}"] = _like(param, value)

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


def _like(param: Parameter, x: Any) -> Any:
    """``x`` in ``param``'s dtype: state rounded as DeZero's in-place ``+=`` rounds it."""
    if x.dtype == param.dtype:
        return x
    return backends.of(x).xp.astype(x, param.dtype)


def _keep_array(param: Parameter, old: Any) -> None:
    """Put ``param``'s new value back into ``old``'s dtype and, where allowed, ``old``.

    Every update goes through here, built-in or user-written: a step computed
    in a wider dtype (a float64 gradient) is rounded back, as DeZero's
    in-place ``param.data -= ...`` rounds it.
    """
    new = param._data
    if new is old or new is None or old is None:
        return
    backend = backends.of(old)
    if backends.of(new) is backend:  # a parameter moved by the step keeps its move
        param._data = backend.write_into(old, new)


# -- the book's optimizers: exactly DeZero's formulas. float() turns a NumPy
# hyperparameter into a weak Python float, so float32 stays float32.


def _step(param: Parameter, delta: Any) -> Any:
    """``param.data - delta``, in place where the backend allows writes."""
    data = param._data
    return backends.of(data).apply_step(data, delta)


class SGD(Optimizer):
    """``param -= lr * grad``."""

    def __init__(self, lr: float = 0.01) -> None:
        super().__init__(lr=lr)

    def update_one(self, param: Parameter) -> None:
        param.data = _step(param, float(self.lr) * param.grad.data)


class MomentumSGD(Optimizer):
    """``v = momentum * v - lr * grad; param += v``."""

    prefix, state_keys = "momentum", ("v",)

    def __init__(self, lr: float = 0.01, momentum: float = 0.9) -> None:
        super().__init__(lr=lr, momentum=momentum)

    def update_one(self, param: Parameter) -> None:
        (v,) = self._state(param)
        v = _like(param, v * float(self.momentum) - float(self.lr) * param.grad.data)
        self._store(param, v)
        param.data = param.data + v


class AdaGrad(Optimizer):
    """``h += grad**2; param -= lr * grad / (sqrt(h) + eps)``."""

    prefix, state_keys = "adagrad", ("h",)

    def __init__(self, lr: float = 0.001, eps: float = 1e-8) -> None:
        super().__init__(lr=lr, eps=eps)

    def update_one(self, param: Parameter) -> None:
        xp, grad = backends.of(param.data).xp, param.grad.data
        h = _like(param, self._state(param)[0] + grad * grad)
        self._store(param, h)
        lr, eps = float(self.lr), float(self.eps)
        param.data = _step(param, lr * grad / (xp.sqrt(h) + eps))


class AdaDelta(Optimizer):
    """Zeiler's AdaDelta as DeZero writes it; it has no learning rate to schedule."""

    prefix, state_keys, lr_attr = "adadelta", ("msg", "msdx"), None

    def __init__(self, rho: float = 0.95, eps: float = 1e-6) -> None:
        super().__init__(rho=rho, eps=eps)

    def update_one(self, param: Parameter) -> None:
        xp, grad = backends.of(param.data).xp, param.grad.data
        rho, eps = float(self.rho), float(self.eps)
        msg, msdx = self._state(param)
        msg = _like(param, msg * rho + (1 - rho) * grad * grad)
        dx = xp.sqrt((msdx + eps) / (msg + eps)) * grad
        msdx = _like(param, msdx * rho + (1 - rho) * dx * dx)
        self._store(param, msg, msdx)
        param.data = _step(param, dx)


class Adam(Optimizer):
    """Adam as DeZero writes it: ``lr`` folds the bias correction into ``alpha``."""

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

    def update_one(self, param: Parameter) -> None:
        xp, grad = backends.of(param.data).xp, param.grad.data
        beta1, beta2 = float(self.beta1), float(self.beta2)
        m, v = self._state(param)
        m = _like(param, m + (1 - beta1) * (grad - m))
        v = _like(param, v + (1 - beta2) * (grad * grad - v))
        self._store(param, m, v)
        param.data = _step(param, self.lr * m / (xp.sqrt(v) + float(self.eps)))


# -- beyond the book: exactly PyTorch's formulas ----------------------------------


class RMSprop(Optimizer):
    """RMSprop as ``torch.optim.RMSprop`` writes it: eps outside the square root."""

    prefix, state_keys = "rmsprop", ("v",)

    def __init__(
        self, lr: float = 0.01, alpha: float = 0.99, eps: float = 1e-8
    ) -> None:
        super().__init__(lr=lr, alpha=alpha, eps=eps)

    def update_one(self, param: Parameter) -> None:
        xp, grad = backends.of(param.data).xp, param.grad.data
        alpha, lr, eps = float(self.alpha), float(self.lr), float(self.eps)
        v = _like(param, self._state(param)[0] * alpha + (1 - alpha) * (grad * grad))
        self._store(param, v)
        param.data = _step(param, lr * (grad / (xp.sqrt(v) + eps)))


class Nesterov(MomentumSGD):
    """Momentum SGD with Nesterov's lookahead, as ``torch.optim.SGD(nesterov=True)``."""

    prefix, state_keys = "nesterov", ("v",)

    def update_one(self, param: Parameter) -> None:
        mu, grad = float(self.momentum), param.grad.data
        v = _like(param, self._state(param)[0] * mu + grad)  # gradients, without lr
        self._store(param, v)
        param.data = _step(param, float(self.lr) * (grad + mu * v))


class AdamW(Optimizer):
    """Adam with decoupled weight decay, as ``torch.optim.AdamW`` writes it."""

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

    def update_one(self, param: Parameter) -> None:
        xp, grad = backends.of(param.data).xp, param.grad.data
        lr, beta1, beta2 = float(self.lr), float(self.beta1), float(self.beta2)
        data = param.data * (1 - lr * float(self.weight_decay))
        m, v = self._state(param)
        m = _like(param, m + (1 - beta1) * (grad - m))
        v = _like(param, v * beta2 + (1 - beta2) * (grad * grad))
        self._store(param, m, v)
        denom = xp.sqrt(v) / math.sqrt(1 - beta2**self.t) + float(self.eps)
        param.data = data - lr / (1 - beta1**self.t) * (m / denom)
