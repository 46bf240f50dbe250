"""Saving and loading weights as ``.npz`` (or ``.safetensors``) files, without pickle.

Keys follow DeZero's format (``l0/W``, ``conv1_1/b``), so files written by the
book's ``save_weights`` load here and the other way round. Saving copies
arrays to NumPy and leaves the model where it is. Loading never unpickles,
checks every size a file declares before allocating anything, checks every
key, dtype and shape, and only then puts each array on its parameter's current
backend, device and dtype, so a failed load changes nothing.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import struct
import zipfile
import zlib
from collections.abc import Callable, Iterator, Mapping
from typing import IO, TYPE_CHECKING, Any, NamedTuple

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
    who, what = "load_weights", "a weights file"
    if _is_safetensors(path):
        module = _safetensors()
        from safetensors import SafetensorError

        with _reading(path, who, what, (*_READ_ERRORS, TypeError, SafetensorError)):
            stored = module.load_file(os.fspath(path))
    else:
        stored = _read_npz(path, who, what, lambda heads: _check(layer, heads, path))
    _load_arrays(layer, stored, path)


# -- reading .npz files: every size that a file declares is checked before use -----
# What reading a damaged archive raises; each becomes a ValueError naming the file.
_ZIP_ERRORS = (zipfile.BadZipFile, zlib.error, struct.error, NotImplementedError)
_READ_ERRORS = (OSError, ValueError, EOFError, OverflowError, *_ZIP_ERRORS)
_DEFLATE_RATIO = 1032  # deflate's limit: a 258-byte match costs at least 2 bits
_CHUNK = 1 << 20


class _Header(NamedTuple):
    """One member of an .npz file, as its zip entry and its .npy header declare it."""

    info: zipfile.ZipInfo
    offset: int  # bytes before the array data
    shape: tuple[int, ...]
    dtype: np.dtype
    fortran: bool


@contextlib.contextmanager
def _reading(
    path: Any, who: str, what: str, errors: tuple[type[Exception], ...] = _READ_ERRORS
) -> Iterator[None]:
    try:
        yield
    except errors as exc:
        raise ValueError(
            f"{who}: cannot read {os.fspath(path)!r} as {what} "
            f"({type(exc).__name__}: {exc}); it may be corrupt or truncated"
        ) from None


def _read_npz(
    path: Any, who: str, what: str, check: Callable[[dict[str, _Header]], Any]
) -> dict[str, np.ndarray]:
    """The arrays of the .npz file ``path``, never unpickled nor allocated blindly.

    Each .npy header must agree with its zip entry, and each entry with the
    file's size, before anything is allocated; ``check`` sees the headers before
    any data is read, and memory grows only with the data actually found.
    """
    with contextlib.ExitStack() as stack:
        with _reading(path, who, what):
            f = stack.enter_context(open(path, "rb"))
            zf = stack.enter_context(zipfile.ZipFile(f))
            heads = _headers(zf, os.fstat(f.fileno()).st_size)
        check(heads)
        with _reading(path, who, what):
            return {key: _array(zf, head) for key, head in heads.items()}


def _headers(zf: zipfile.ZipFile, size: int) -> dict[str, _Header]:
    infos = zf.infolist()
    if (packed := sum(info.compress_size for info in infos)) > size:
        raise ValueError(f"its entries declare {packed} bytes, the file has {size}")
    heads = {}
    for info in infos:
        name, method = info.filename, info.compress_type
        if info.flag_bits & 0x1:
            raise ValueError(f"member {name!r} is encrypted")
        if method not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise ValueError(f"member {name!r} uses compression method {method}")
        ratio = 1 if method == zipfile.ZIP_STORED else _DEFLATE_RATIO
        if info.file_size > ratio * info.compress_size:
            raise ValueError(
                f"member {name!r} declares {info.file_size} bytes from "
                f"{info.compress_size}, more than its compression can give"
            )
        with zf.open(info) as member:
            shape, fortran, dtype = _npy_header(member, name)
            head = _Header(info, member.tell(), shape, dtype, fortran)
        nbytes = math.prod(shape) * dtype.itemsize
        if head.offset + nbytes != info.file_size:
            raise ValueError(
                f"member {name!r} declares a {dtype} array of shape {shape} "
                f"({nbytes} bytes) but holds {info.file_size - head.offset} bytes"
            )
        heads[name.removesuffix(".npy")] = head
    return heads


def _npy_header(member: IO[bytes], name: str) -> tuple[Any, bool, np.dtype]:
    fmt = np.lib.format
    try:
        version = fmt.read_magic(member)
        read = {(1, 0): fmt.read_array_header_1_0, (2, 0): fmt.read_array_header_2_0}
        shape, fortran, dtype = read[version](member)
    except Exception as exc:  # noqa: BLE001 (a literal from the file: any failure)
        raise ValueError(
            f"member {name!r} has no readable .npy header ({type(exc).__name__}: {exc})"
        ) from None
    if dtype.hasobject:
        raise ValueError(
            f"member {name!r} holds Python objects ({dtype}), which only pickle "
            f"can read; xgrad never unpickles"
        )
    if dtype.kind not in "biufU" or any(n < 0 for n in shape):
        raise ValueError(
            f"member {name!r} declares shape {shape} and dtype {dtype}: not a "
            f"valid array of numbers"
        )
    return tuple(int(n) for n in shape), fortran, dtype


def _array(zf: zipfile.ZipFile, head: _Header) -> np.ndarray:
    """One member's array, read in chunks: memory grows with the bytes found."""
    data, nbytes = bytearray(), head.info.file_size - head.offset
    with zf.open(head.info) as member:
        member.read(head.offset)
        while len(data) < nbytes:
            if not (block := member.read(min(_CHUNK, nbytes - len(data)))):
                raise EOFError(f"member {head.info.filename!r} ends early")
            data += block
    order = "F" if head.fortran else "C"
    array = np.frombuffer(data, head.dtype).reshape(head.shape, order=order)
    return array.astype(head.dtype.newbyteorder("="), copy=False)


def _check(layer: Layer, stored: Mapping[str, Any], path: Any) -> dict[str, Any]:
    """``layer``'s entries that ``stored`` fills, after checking keys, dtypes, shapes."""
    entries = weights_dict(layer)
    # a parameter not created yet (lazy size) may be absent, as it was when saved
    entries = {k: e for k, e in entries.items() if k in stored or _value(e) is not None}
    missing = sorted(set(entries) - set(stored))
    extra = sorted(set(stored) - set(entries))
    name = os.fspath(path)
    if missing or extra:
        raise ValueError(
            f"load_weights: {name!r} does not match {type(layer).__name__}: "
            f"missing keys {missing}, unexpected keys {extra}"
        )
    for key, entry in entries.items():
        now, array = _value(entry), stored[key]
        if array.dtype.kind not in "biuf":
            raise ValueError(
                f"load_weights: {name!r}: {key!r} holds {array.dtype} values, not "
                f"real numbers"
            )
        if now is not None and tuple(now.shape) != tuple(array.shape):
            raise ValueError(
                f"load_weights: {name!r}: {key!r} has shape {tuple(array.shape)} "
                f"in the file but {tuple(now.shape)} in the model"
            )
    return entries


def _load_arrays(layer: Layer, stored: dict[str, np.ndarray], path: Any) -> None:
    """Check every key and shape against ``layer``, then assign them all."""
    entries = _check(layer, stored, path)
    values = {k: _onto(stored[k], _value(e), layer.device) for k, e in entries.items()}
    _assign(entries, values)  # every check passed: now change the model


def _assign(entries: dict[str, Any], values: dict[str, Any]) -> None:
    for key, entry in entries.items():
        if isinstance(entry, tuple):  # a persistent array: (layer, attribute)
            object.__setattr__(entry[0], entry[1], values[key])
        else:
            entry.data = values[key]


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
    if out.dtype != like.dtype:  # the model's dtype, as documented
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
    state onto each parameter's; the default random generator resumes. A file
    that is damaged or does not fit raises ``ValueError`` and changes nothing.
    """
    from . import random as xrandom

    def check(heads: dict[str, _Header]) -> None:
        _check(model, _under(heads, "model/"), path)

    stored = _read_npz(path, "load_checkpoint", "an xgrad checkpoint", check)
    meta = _meta(stored, path, optimizer)
    rng = meta["random"]
    rng["streams"].update(_under(stored, "random/"))
    try:  # on a spare generator first: the default one changes only at the end
        xrandom.Generator().set_state(rng)
    except Exception as exc:  # noqa: BLE001 (an untrusted state fails any way)
        raise ValueError(
            f"load_checkpoint: {os.fspath(path)!r}: cannot restore its random "
            f"state ({type(exc).__name__}: {exc})"
        ) from None
    entries = weights_dict(model)
    before = {key: _value(entry) for key, entry in entries.items()}
    _load_arrays(model, _under(stored, "model/"), path)
    try:
        if optimizer is not None:
            state = dict(meta["optimizer"])
            count = state.pop("count")
            state["state"] = [_under(stored, f"optimizer/{i}/") for i in range(count)]
            optimizer.load_state_dict(state)
    except (ValueError, TypeError, KeyError) as exc:
        _assign(entries, before)  # all or nothing: undo the weights
        raise ValueError(
            f"load_checkpoint: {os.fspath(path)!r}: {type(exc).__name__}: {exc}"
        ) from None
    xrandom.default_generator().set_state(rng)
    return meta["extra"]


def _under(stored: Mapping[str, Any], prefix: str) -> dict[str, Any]:
    return {k[len(prefix) :]: v for k, v in stored.items() if k.startswith(prefix)}


def _meta(stored: dict[str, Any], path: Any, optimizer: Any) -> dict[str, Any]:
    """The checkpoint's metadata, checked to have the form ``save_checkpoint`` writes."""
    text, meta = stored.pop("meta", None), None
    if text is not None and text.dtype.kind == "U" and text.ndim == 0:
        with contextlib.suppress(ValueError, RecursionError):
            meta = json.loads(str(text))
    if problem := _problem(meta, optimizer):
        raise ValueError(
            f"load_checkpoint: {os.fspath(path)!r} is not a checkpoint to load "
            f"here: {problem}"
        )
    return meta


def _problem(meta: Any, optimizer: Any) -> str:
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
    if state.get("count") != (count := len(list(optimizer._params()))):
        return f"it has state for {state.get('count')!r} parameters, not {count}"
    return ""
