"""Reading ``.npz`` files that may be hostile: no pickle, no blind allocation.

``np.load`` trusts the sizes a file declares: a few hundred bytes claiming a
terabyte array make it try to allocate a terabyte, and a deflate "bomb"
expands far past its disk size. :func:`read_npz` checks every size an archive
declares against the file's real size and against what its compression can
give, refuses object arrays (only pickle could read them), lets the caller
check every member's shape and dtype before any data is read, and then reads
each member in chunks, so memory grows only with the data actually found.

Weights files (:mod:`xgrad.weight_files`) and training checkpoints
(:mod:`xgrad.training_state`) are read through it.
"""

from __future__ import annotations

import contextlib
import math
import os
import struct
import zipfile
import zlib
from collections.abc import Callable, Iterator
from typing import IO, Any, Literal, NamedTuple

import numpy as np

__all__ = ["READ_ERRORS", "NpzMember", "read_npz", "reading"]

# What reading a damaged archive raises; each becomes a ValueError naming the file.
_ZIP_ERRORS = (zipfile.BadZipFile, zlib.error, struct.error, NotImplementedError)
READ_ERRORS = (OSError, ValueError, EOFError, OverflowError, *_ZIP_ERRORS)
_DEFLATE_RATIO = 1032  # deflate's limit: a 258-byte match costs at least 2 bits
_CHUNK = 1 << 20


class NpzMember(NamedTuple):
    """One array of an .npz file, as its zip entry and its .npy header declare it.

    ``shape`` and ``dtype`` have been checked against the entry's size, so a
    caller may trust them before reading the data.
    """

    info: zipfile.ZipInfo
    offset: int  # bytes before the array data
    shape: tuple[int, ...]
    dtype: np.dtype
    fortran: bool


@contextlib.contextmanager
def reading(
    path: Any, who: str, what: str, errors: tuple[type[Exception], ...] = READ_ERRORS
) -> Iterator[None]:
    """Turn ``errors`` raised inside the block into one ``ValueError`` naming the file.

    ``who`` is the public function (``"load_weights"``), ``what`` the kind of
    file it expected (``"a weights file"``).
    """
    try:
        yield
    except errors as exc:
        raise ValueError(
            f"{who}: cannot read {os.fspath(path)!r} as {what} "
            f"({type(exc).__name__}: {exc}); it may be corrupt or truncated"
        ) from None


def read_npz(
    path: Any, who: str, what: str, check: Callable[[dict[str, NpzMember]], Any]
) -> dict[str, np.ndarray]:
    """The arrays of the .npz file ``path``, never unpickled nor allocated blindly.

    Each .npy header must agree with its zip entry, and each entry with the
    file's size, before anything is allocated; ``check`` sees the members
    (keys without ``.npy``) before any data is read and raises to stop the
    read. A damaged file raises ``ValueError`` naming ``who``, ``path`` and
    ``what``.
    """
    with contextlib.ExitStack() as stack:
        with reading(path, who, what):
            f = stack.enter_context(open(path, "rb"))
            zf = stack.enter_context(zipfile.ZipFile(f))
            members = _members(zf, os.fstat(f.fileno()).st_size)
        check(members)
        with reading(path, who, what):
            return {key: _array(zf, member) for key, member in members.items()}


def _members(zf: zipfile.ZipFile, size: int) -> dict[str, NpzMember]:
    infos = zf.infolist()
    if (packed := sum(info.compress_size for info in infos)) > size:
        raise ValueError(f"its entries declare {packed} bytes, the file has {size}")
    members = {}
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
        with zf.open(info) as stream:
            shape, fortran, dtype = _npy_header(stream, name)
            member = NpzMember(info, stream.tell(), shape, dtype, fortran)
        nbytes = math.prod(shape) * dtype.itemsize
        if member.offset + nbytes != info.file_size:
            raise ValueError(
                f"member {name!r} declares a {dtype} array of shape {shape} "
                f"({nbytes} bytes) but holds {info.file_size - member.offset} bytes"
            )
        members[name.removesuffix(".npy")] = member
    return members


def _npy_header(stream: IO[bytes], name: str) -> tuple[Any, bool, np.dtype]:
    fmt = np.lib.format
    try:
        version = fmt.read_magic(stream)
        read = {(1, 0): fmt.read_array_header_1_0, (2, 0): fmt.read_array_header_2_0}
        shape, fortran, dtype = read[version](stream)
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


def _array(zf: zipfile.ZipFile, member: NpzMember) -> np.ndarray:
    """One member's array, read in chunks: memory grows with the bytes found."""
    data, nbytes = bytearray(), member.info.file_size - member.offset
    with zf.open(member.info) as stream:
        stream.read(member.offset)
        while len(data) < nbytes:
            if not (block := stream.read(min(_CHUNK, nbytes - len(data)))):
                raise EOFError(f"member {member.info.filename!r} ends early")
            data += block
    order: Literal["C", "F"] = "F" if member.fortran else "C"
    array = np.frombuffer(data, member.dtype).reshape(member.shape, order=order)
    return array.astype(member.dtype.newbyteorder("="), copy=False)
