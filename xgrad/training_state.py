"""Training checkpoints: model, optimizer and random state in one ``.npz`` file.

:func:`save_checkpoint` and :func:`load_checkpoint` stop and resume a
training run exactly: the weights, the optimizer's step counter,
hyperparameters and per-parameter state, and the state of ``xgrad.random``'s
default generator (dropout masks, shuffling). Not to be confused with
recomputing activations to save memory during backward, which is another
feature (``xgrad.checkpoint``).

The file is an ``.npz`` archive read through :mod:`xgrad.safe_npz`: no
pickle, every size checked. Its members are ``model/<key>`` (the keys of
``save_weights``), ``optimizer/<i>/<name>``, ``random/<device>`` and a JSON
``meta`` entry. A load checks everything before it changes anything.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from . import random as xrandom
from .layers.base import assign_weights, weight_arrays
from .safe_npz import NpzMember, read_npz
from .weight_files import check_weights, file_to_read, weights_onto, write_arrays

if TYPE_CHECKING:
    from .layers import Layer
    from .optimizers import Optimizer

__all__ = ["load_checkpoint", "save_checkpoint"]

_FORMATS = (".npz",)  # a checkpoint is always an .npz file


def save_checkpoint(
    path: str | os.PathLike[str],
    model: Layer,
    optimizer: Optimizer | None = None,
    **extra: Any,
) -> None:
    """Save model, optimizer state and random-number state together (.npz, no pickle).

    ``extra`` holds JSON-able values such as the epoch. A path not ending in
    ``.npz`` gets it added, as ``np.savez`` does. :func:`load_checkpoint`
    resumes training exactly where it stopped.
    """
    arrays = {f"model/{key}": a for key, a in weight_arrays(model).items()}
    meta: dict[str, Any] = {"extra": extra}
    if optimizer is not None:
        state = optimizer.state_dict()
        entries = state.pop("state")
        for i, entry in enumerate(entries):
            for name, array in entry.items():
                arrays[f"optimizer/{i}/{name}"] = np.asarray(array)
        meta["optimizer"] = {**state, "count": len(entries)}
    rng = xrandom.default_generator().get_state()
    for spec, stream in list(rng["streams"].items()):
        if isinstance(stream, np.ndarray):
            arrays[f"random/{spec}"] = rng["streams"].pop(spec)
    meta["random"] = rng
    arrays["meta"] = np.array(json.dumps(meta))
    write_arrays(path, arrays, _FORMATS)


def load_checkpoint(
    path: str | os.PathLike[str], model: Layer, optimizer: Optimizer | None = None
) -> dict[str, Any]:
    """Restore what :func:`save_checkpoint` saved; returns its ``extra`` values.

    Weights go onto the model's current backend, device and dtype, optimizer
    state onto each parameter's; the default random generator resumes. A
    missing file raises ``FileNotFoundError``; a file that is damaged or does
    not fit raises ``ValueError`` and changes nothing.
    """
    who, owner = "load_checkpoint", type(model).__name__
    name = file_to_read(path, who, _FORMATS)
    before = weight_arrays(model)

    def check(members: dict[str, NpzMember]) -> None:
        check_weights(before, _under(members, "model/"), name, owner, who)

    stored = read_npz(name, who, "an xgrad checkpoint", check)
    meta = _meta(stored, name, optimizer)
    rng = meta["random"]
    rng["streams"].update(_under(stored, "random/"))
    try:  # on a spare generator first: the default one changes only at the end
        xrandom.Generator().set_state(rng)
    except Exception as exc:  # noqa: BLE001 (an untrusted state fails any way)
        raise ValueError(
            f"{who}: {name!r}: cannot restore its random state "
            f"({type(exc).__name__}: {exc})"
        ) from None
    weights = _under(stored, "model/")
    keys = check_weights(before, weights, name, owner, who)
    loaded = weights_onto({key: weights[key] for key in keys}, before, model.device)
    assign_weights(model, loaded)
    try:
        if optimizer is not None:
            state = dict(meta["optimizer"])
            count = state.pop("count")
            state["state"] = [_under(stored, f"optimizer/{i}/") for i in range(count)]
            optimizer.load_state_dict(state)
    except (ValueError, TypeError, KeyError) as exc:
        assign_weights(model, {key: before[key] for key in keys})  # all or nothing
        raise ValueError(f"{who}: {name!r}: {type(exc).__name__}: {exc}") from None
    xrandom.default_generator().set_state(rng)
    return meta["extra"]


def _under(stored: Mapping[str, Any], prefix: str) -> dict[str, Any]:
    return {k[len(prefix) :]: v for k, v in stored.items() if k.startswith(prefix)}


def _meta(
    stored: dict[str, Any], path: str, optimizer: Optimizer | None
) -> dict[str, Any]:
    """The checkpoint's metadata, checked to have the form ``save_checkpoint`` writes."""
    text, meta = stored.pop("meta", None), None
    if text is not None and text.dtype.kind == "U" and text.ndim == 0:
        with contextlib.suppress(ValueError, RecursionError):
            meta = json.loads(str(text))
    if problem := _problem(meta, optimizer):
        raise ValueError(
            f"load_checkpoint: {path!r} is not a checkpoint to load here: {problem}"
        )
    return meta  # type: ignore[return-value]  # _problem() found none: a dict


def _problem(meta: Any, optimizer: Optimizer | None) -> str:
    """What is wrong with a checkpoint's metadata, or ``""``."""
    if not (
        isinstance(meta, dict)
        and isinstance(meta.get("extra"), dict)
        and isinstance(rng := meta.get("random"), dict)
        and type(rng.get("seed")) in (int, type(None))
        and isinstance(rng.get("streams"), dict)
    ):
        return "its 'meta' entry is not the JSON that save_checkpoint writes"
    if optimizer is None:
        return ""
    if not isinstance(state := meta.get("optimizer"), dict):
        return "it has no optimizer state"
    hyper = state.get("hyperparameters")
    if not (
        isinstance(state.get("optimizer"), str)
        and type(state.get("t")) is int
        and isinstance(hyper, dict)
        and all(type(v) in (int, float) for v in hyper.values())
    ):
        return "its optimizer state is not the one save_checkpoint writes"
    if state.get("count") != (count := _parameter_count(optimizer)):
        return f"it has state for {state.get('count')!r} parameters, not {count}"
    return ""


def _parameter_count(optimizer: Optimizer) -> int:
    """How many parameters ``optimizer`` updates (its model must be set up)."""
    if optimizer.target is None:
        raise RuntimeError(
            f"load_checkpoint: {type(optimizer).__name__} has no model; call "
            f".setup(model) before loading its state"
        )
    return len(list(optimizer.target.params()))
