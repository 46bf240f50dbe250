"""Saving and loading weights as ``.npz`` (or ``.safetensors``) files, without pickle.

Keys follow DeZero's format (``l0/W``, ``conv1_1/b``), so files written by the
book's ``save_weights`` load here and the other way round. Saving copies
arrays to NumPy and leaves the model where it is; loading reads with
``allow_pickle=False``, checks every key and shape first, and only then puts
each array on its parameter's current backend, device and dtype, so a failed
load changes nothing.
"""

from __future__ import annotations

import json
import os
import zipfile
import zlib
from typing import TYPE_CHECKING, Any

import numpy as np

from . import backends
from .devices import to_device

if TYPE_CHECKING:
    from .layers import Layer

__all__ = [
    "load_checkpoint",
    "load_weights",
    "save_checkpoint",
    "save_weights",
    "weights_dict",
]


def weights_dict(layer: Layer, prefix: str = "") -> dict[str, Any]:
    """``{"l0/W": Parameter, ...}``: every Parameter and persistent array by key."""
    out: dict[str, Any] = {}
    for name in layer._params:
        obj = layer.__dict__[name]
        key = f"{prefix}/{name}" if prefix else name
        if hasattr(obj, "_params"):
            out.update(weights_dict(obj, key))
        else:
            out[key] = obj
    for name in layer._persistent:
        out[f"{prefix}/{name}" if prefix else name] = (layer, name)
    return out


def _value(entry: Any) -> Any:
    if isinstance(entry, tuple):  # a persistent array: (layer, attribute)
        layer, name = entry
        return layer.__dict__.get(name)
    return entry.data


def save_weights(layer: Layer, path: str | os.PathLike[str]) -> None:
    """Write every parameter of ``layer`` to ``path`` (.npz or .safetensors); the model stays put."""
    arrays = {}
    for key, entry in weights_dict(layer).items():
        value = _value(entry)
        if value is not None:
            arrays[key] = backends.of(value).to_numpy(value)
    try:
        if _is_safetensors(path):
            _safetensors().save_file(arrays, os.fspath(path))
        else:
            np.savez_compressed(path, **arrays)
    except BaseException:
        if os.path.exists(path):
            os.remove(path)
        raise


def load_weights(layer: Layer, path: str | os.PathLike[str]) -> None:
    """Read ``path`` into ``layer``: all or nothing, never executing code."""
    try:
        if _is_safetensors(path):
            stored = _safetensors().load_file(os.fspath(path))
        else:
            with open(path, "rb") as f, np.load(f, allow_pickle=False) as npz:
                stored = {key: npz[key] for key in npz.files}
    except (OSError, ValueError, zipfile.BadZipFile, EOFError, zlib.error) as exc:
        raise ValueError(
            f"load_weights: cannot read {os.fspath(path)!r} as a weights file "
            f"({type(exc).__name__}: {exc}); it may be corrupt or truncated"
        ) from None
    _load_arrays(layer, stored, path)


def _load_arrays(layer: Layer, stored: dict[str, np.ndarray], path: Any) -> None:
    """Check every key and shape against ``layer``, then assign them all."""
    entries = weights_dict(layer)
    # a parameter not created yet (lazy size) may be absent, as it was when saved
    entries = {k: e for k, e in entries.items() if k in stored or _value(e) is not None}
    missing = sorted(set(entries) - set(stored))
    extra = sorted(set(stored) - set(entries))
    if missing or extra:
        raise ValueError(
            f"load_weights: {os.fspath(path)!r} does not match {type(layer).__name__}: "
            f"missing keys {missing}, unexpected keys {extra}"
        )
    converted = {}
    for key, entry in entries.items():
        current = _value(entry)
        array = stored[key]
        if current is not None and tuple(current.shape) != array.shape:
            raise ValueError(
                f"load_weights: {key!r} has shape {array.shape} in the file but "
                f"{tuple(current.shape)} in the model"
            )
        converted[key] = _onto(array, current, layer.device)
    for key, entry in entries.items():  # every check passed: now change the model
        if isinstance(entry, tuple):
            object.__setattr__(entry[0], entry[1], converted[key])
        else:
            entry.data = converted[key]


def _is_safetensors(path: Any) -> bool:
    return os.fspath(path).endswith(".safetensors")


def _safetensors() -> Any:
    """``safetensors.numpy``, with the fix in the error where it is missing."""
    try:
        import safetensors.numpy
    except ImportError:
        raise ImportError(
            "weights files ending in .safetensors need the safetensors package: "
            "pip install safetensors (or use an .npz path)"
        ) from None
    return safetensors.numpy


def _onto(array: np.ndarray, like: Any, device: Any) -> Any:
    """``array`` on the backend, device and dtype of ``like``; else on ``device``."""
    if like is None:
        return to_device(array, device)
    backend = backends.of(like)
    out = backend.from_numpy(array, backend.device_of(like))
    if np.issubdtype(array.dtype, np.floating) and out.dtype != like.dtype:
        out = backend.xp.astype(out, like.dtype)
    return out


def save_checkpoint(
    path: str | os.PathLike[str], model: Layer, optimizer: Any = None, **extra: Any
) -> None:
    """Save model, optimizer state and random-number state together (.npz, no pickle).

    ``extra`` holds JSON-able values such as the epoch. :func:`load_checkpoint`
    resumes training exactly where it stopped.
    """
    from . import random as xrandom

    arrays: dict[str, np.ndarray] = {}
    for key, entry in weights_dict(model).items():
        value = _value(entry)
        if value is not None:
            arrays[f"model/{key}"] = backends.of(value).to_numpy(value)
    meta: dict[str, Any] = {"extra": extra}
    if optimizer is not None:
        state = optimizer.state_dict()
        for i, entry in enumerate(state.pop("state")):
            for name, array in entry.items():
                arrays[f"optimizer/{i}/{name}"] = np.asarray(array)
        meta["optimizer"] = {**state, "count": len(list(optimizer._params()))}
    rng = xrandom.default_generator().get_state()
    for spec, stream in list(rng["streams"].items()):
        if isinstance(stream, np.ndarray):
            arrays[f"random/{spec}"] = rng["streams"].pop(spec)
    meta["random"] = rng
    arrays["meta"] = np.array(json.dumps(meta))
    np.savez_compressed(path, **arrays)


def load_checkpoint(
    path: str | os.PathLike[str], model: Layer, optimizer: Any = None
) -> dict[str, Any]:
    """Restore what :func:`save_checkpoint` saved; returns its ``extra`` values.

    Weights go onto the model's current backend, device and dtype, optimizer
    state onto each parameter's; the default random generator resumes.
    """
    from . import random as xrandom

    try:
        with open(path, "rb") as f, np.load(f, allow_pickle=False) as npz:
            stored = {key: npz[key] for key in npz.files}
        meta = json.loads(str(stored.pop("meta")))
    except (
        OSError,
        ValueError,
        KeyError,
        zipfile.BadZipFile,
        EOFError,
        zlib.error,
    ) as exc:
        raise ValueError(
            f"load_checkpoint: cannot read {os.fspath(path)!r} as an xgrad checkpoint "
            f"({type(exc).__name__}: {exc})"
        ) from None
    weights = {k[6:]: v for k, v in stored.items() if k.startswith("model/")}
    before = [(p, p.data) for p in model.params()]
    _load_arrays(model, weights, path)
    try:
        _load_optimizer(optimizer, meta, stored, path)
    except ValueError:
        for param, data in before:  # all or nothing: undo the weights
            param.data = data
        raise
    rng = meta["random"]
    for key, value in stored.items():
        if key.startswith("random/"):
            rng["streams"][key[7:]] = value
    xrandom.default_generator().set_state(rng)
    return meta["extra"]


def _load_optimizer(
    optimizer: Any, meta: dict[str, Any], stored: Any, path: Any
) -> None:
    if optimizer is not None:
        if "optimizer" not in meta:
            raise ValueError(
                f"load_checkpoint: {os.fspath(path)!r} has no optimizer state"
            )
        state = dict(meta["optimizer"])
        count = state.pop("count")
        state["state"] = [
            {
                k.split("/")[2]: v
                for k, v in stored.items()
                if k.startswith(f"optimizer/{i}/")
            }
            for i in range(count)
        ]
        optimizer.load_state_dict(state)
