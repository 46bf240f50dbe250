"""Weights files: a mapping of names to arrays, written and read without pickle.

This module knows arrays and files, not layers: ``Layer.save_weights`` hands
it ``{"l0/W": array, ...}`` (DeZero's keys) and ``Layer.load_weights`` hands
it the arrays the model holds now, gets back the file's arrays checked and
converted, and assigns them. Training checkpoints (:mod:`xgrad.training_state`)
reuse the same checks.

A path ending in ``.npz`` or ``.safetensors`` names its format; any other
path gets ``.npz`` added, as ``np.savez`` does, when saving and when loading
alike, so ``save_weights("x")`` and ``load_weights("x")`` meet at ``x.npz``.
Saving copies arrays to NumPy and leaves them where they are. Loading never
unpickles, checks every size the file declares before allocating (see
:mod:`xgrad.safe_npz`), checks every key, dtype and shape against the model
before reading the data, and only then converts each array to the backend,
device and dtype of the array it replaces.
"""

from __future__ import annotations

import errno
import os
from collections.abc import Mapping
from typing import Any

import numpy as np

from . import backends
from .devices import to_device
from .safe_npz import READ_ERRORS, read_npz, reading

__all__ = [
    "FORMATS",
    "check_weights",
    "file_to_read",
    "file_to_write",
    "read_weights",
    "weights_onto",
    "write_arrays",
]

FORMATS = (".npz", ".safetensors")


def file_to_write(
    path: str | os.PathLike[str], formats: tuple[str, ...] = FORMATS
) -> str:
    """The file that saving to ``path`` writes: ``path`` if it ends in one of
    ``formats``, else ``path + ".npz"`` (NumPy's ``savez`` rule)."""
    name = os.fspath(path)
    return name if name.endswith(formats) else name + ".npz"


def file_to_read(
    path: str | os.PathLike[str], who: str, formats: tuple[str, ...] = FORMATS
) -> str:
    """The file that loading ``path`` reads: the one saving ``path`` writes.

    When that file is missing but ``path`` itself names a file (one renamed
    by hand), that file is read. Otherwise raises ``FileNotFoundError`` naming
    both paths tried and the suffix rule.
    """
    name, given = file_to_write(path, formats), os.fspath(path)
    if os.path.exists(name):
        return name
    if given != name and os.path.isfile(given):
        return given
    tried = f"{name!r}" if given == name else f"{name!r} nor {given!r}"
    raise FileNotFoundError(
        errno.ENOENT,
        f"{who}: no file {tried}; a path that does not end in "
        f"{' or '.join(formats)} gets '.npz' added, as saving does (and np.savez)",
        name,
    )


def write_arrays(
    path: str | os.PathLike[str],
    arrays: Mapping[str, Any],
    formats: tuple[str, ...] = FORMATS,
) -> str:
    """Write ``arrays`` (of any backend; ``None`` entries skipped) to a file.

    Returns the file written (see :func:`file_to_write`). Each array is copied
    to NumPy, so the caller's arrays stay on their devices. A failed write
    leaves no partial file.
    """
    host = {
        key: backends.of(value).to_numpy(value)
        for key, value in arrays.items()
        if value is not None
    }
    name = file_to_write(path, formats)
    try:
        if name.endswith(".safetensors"):
            _safetensors().save_file(host, name)
        else:
            np.savez_compressed(name, **host)  # type: ignore[arg-type]  # no key is allow_pickle
    except BaseException:
        if os.path.exists(name):
            os.remove(name)
        raise
    return name


def read_weights(
    path: str | os.PathLike[str],
    current: Mapping[str, Any],
    device: Any,
    owner: str,
    who: str = "load_weights",
) -> dict[str, Any]:
    """The weights in ``path`` that replace ``current``, checked and converted.

    ``current`` maps every key to the array it holds now, or ``None`` for one
    not created yet; ``owner`` names the model in errors. Each returned array
    has the backend, device and dtype of the array it replaces (a new one goes
    to ``device``). Raises ``FileNotFoundError`` for a missing file and
    ``ValueError`` for a damaged or mismatched one, before anything is
    returned.
    """
    name = file_to_read(path, who)
    if name.endswith(".safetensors"):
        module = _safetensors()
        from safetensors import SafetensorError

        with reading(
            name, who, "a weights file", (*READ_ERRORS, TypeError, SafetensorError)
        ):
            stored = module.load_file(name)
    else:
        stored = read_npz(
            name,
            who,
            "a weights file",
            lambda members: check_weights(current, members, name, owner, who),
        )
    keys = check_weights(current, stored, name, owner, who)
    return weights_onto({key: stored[key] for key in keys}, current, device)


def check_weights(
    current: Mapping[str, Any],
    stored: Mapping[str, Any],
    path: Any,
    owner: str,
    who: str = "load_weights",
) -> list[str]:
    """The keys of ``current`` that ``stored`` fills, once keys, dtypes, shapes match.

    ``stored`` holds arrays, or anything with ``dtype`` and ``shape`` (the
    members of an .npz file before their data is read). A key whose current
    array is ``None`` (a parameter whose size waits for the first call) may be
    absent, as it was when saved. Every problem is reported at once, in a
    ``ValueError`` naming ``who``, ``path`` and ``owner``.
    """
    keys = [key for key, now in current.items() if key in stored or now is not None]
    missing = sorted(set(keys) - set(stored))
    extra = sorted(set(stored) - set(current))
    name = os.fspath(path)
    if missing or extra:
        raise ValueError(
            f"{who}: {name!r} does not match {owner}: "
            f"missing keys {missing}, unexpected keys {extra}"
        )
    for key in keys:
        now, array = current[key], stored[key]
        if array.dtype.kind not in "biuf":
            raise ValueError(
                f"{who}: {name!r}: {key!r} holds {array.dtype} values, not real numbers"
            )
        if now is not None and tuple(now.shape) != tuple(array.shape):
            raise ValueError(
                f"{who}: {name!r}: {key!r} has shape {tuple(array.shape)} "
                f"in the file but {tuple(now.shape)} in the model"
            )
    return keys


def weights_onto(
    stored: Mapping[str, np.ndarray], current: Mapping[str, Any], device: Any
) -> dict[str, Any]:
    """Each NumPy array of ``stored`` on the backend, device and dtype of the
    array of ``current`` it replaces; where that is ``None``, on ``device``."""
    return {key: _onto(array, current[key], device) for key, array in stored.items()}


def _onto(array: np.ndarray, like: Any, device: Any) -> Any:
    if like is None:
        return to_device(array, device)
    backend = backends.of(like)
    out = backend.from_numpy(array, backend.device_of(like))
    if out.dtype != like.dtype:  # the model's dtype, as documented
        out = backend.xp.astype(out, like.dtype)
    return out


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
