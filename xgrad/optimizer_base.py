"""The base of every optimizer, and the rule every update obeys.

:class:`Optimizer` runs hooks and ``update_one`` for each parameter with a
gradient; whatever they assign to ``param.data`` is put back into the
parameter's dtype and, where the backend writes in place, into its old array
(:func:`keep_array`), so a float32 parameter with a float64 gradient stays
float32, as in DeZero. The optimizers themselves are in :mod:`xgrad.optimizers`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from . import backends
from .config import no_grad
from .core import Parameter
from .devices import to_device
from .lazy import persist
from .recording.host import current as jit_recording
from .recording.host import host

__all__ = ["Optimizer", "keep_array", "like_param"]


class Optimizer:
    """Base class: ``super().__init__(**hyperparameters)``, then ``update_one``.

    Arrays named in ``state_keys`` live in ``param.state["<prefix>.<key>"]``;
    ``lr_attr`` is what schedules change; ``t`` counts ``update()`` calls.
    """

    prefix: str = ""
    state_keys: tuple[str, ...] = ()
    lr_attr: str | None = "lr"
    #: Whether ``update_one`` reads its numbers from :attr:`current` only, so
    #: that ``xgrad.jit`` replays it with each step's hyperparameters and ``t``.
    replayable: bool = False

    def __init__(self, **hyperparameters: float) -> None:
        self.target: Any = None
        self.hooks: list[Callable[[list[Parameter]], None]] = []
        self.t = 0
        self.hyperparameters = tuple(hyperparameters)
        self.__dict__.update(hyperparameters)
        #: This step's numbers (:meth:`step_scalars`), set while ``update`` runs.
        self.current: dict[str, float] = {}

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
        params = [p for p in self._params() if p.grad is not None]
        recording = jit_recording()
        if recording is not None:  # xgrad.jit: these arrays are the step's state
            recording.report_optimizer(self)
            for param in params:
                recording.adopt(param)
        self.current = self._advance()
        before = [p._data for p in params]
        with no_grad():
            for f in self.hooks:
                f(params)
            for param in params:
                if param.grad is not None:  # FreezeParam dropped it (DeZero crashes)
                    self.update_one(param)
        for param, old in zip(params, before, strict=True):
            keep_array(param, old)
        if params and backends.of(params[0].data).lazy:  # one model, one library
            persist(*params)
        self.current = {}

    @host  # a replay of a jitted step runs it again: t and the lr move on
    def _advance(self) -> dict[str, float]:
        self.t += 1
        return self.step_scalars()

    def step_scalars(self) -> dict[str, float]:
        """This step's numbers, as Python floats: the hyperparameters by
        default; optimizers add what they derive from ``t`` (Adam's ``lr``)."""
        return {name: float(getattr(self, name)) for name in self.hyperparameters}

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
            param.state[f"{self.prefix}.{key}"] = like_param(param, value)

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


def like_param(param: Parameter, x: Any) -> Any:
    """``x`` in ``param``'s dtype: state rounded as DeZero's in-place ``+=`` rounds it."""
    if x.dtype == param.dtype:
        return x
    return backends.of(x).xp.astype(x, param.dtype)


def keep_array(param: Parameter, old: Any) -> None:
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
