"""MNIST, read from the official IDX files (gzip-compressed or raw)."""

from __future__ import annotations

import contextlib
import gzip
import math
import os
import struct
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import IO

import numpy as np

from ..transforms import Compose, Flatten, Normalize, ToFloat
from .core import Dataset, Transform, show_images
from .files import CorruptFileError, Remote, fetch, get_cache_dir, verify

__all__ = ["MNIST", "read_idx"]

# IDX type byte -> element type (big-endian, as the format stores them).
_IDX_TYPES = {
    0x08: "u1",
    0x09: "i1",
    0x0B: ">i2",
    0x0C: ">i4",
    0x0D: ">f4",
    0x0E: ">f8",
}
_IMAGES_MAGIC = 0x00000803  # unsigned bytes, 3 dimensions (N, 28, 28)
_LABELS_MAGIC = 0x00000801  # unsigned bytes, 1 dimension (N,)

MIRRORS = (
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
    "http://yann.lecun.com/exdb/mnist/",
)

# Official files: gzip size, SHA-256 and MD5, then the raw (gunzipped) size and
# SHA-256. LeCun's page publishes no checksums: the MD5s are those torchvision
# checks, the SHA-256s agree across several independent projects, and the raw
# sizes follow from the IDX headers (16 + N * 784 and 8 + N bytes).
_OFFICIAL = {
    "train-images-idx3-ubyte": (
        9912422,
        "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",
        "f68b3c2dcbeaaa9fbdd348bbdeb94873",
        47040016,
        "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
    ),
    "train-labels-idx1-ubyte": (
        28881,
        "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",
        "d53e105ee54ea40749a09fcbcd1e9432",
        60008,
        "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
    ),
    "t10k-images-idx3-ubyte": (
        1648877,
        "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
        "9fb629c4189551a2d022fa330f9573f3",
        7840016,
        "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
    ),
    "t10k-labels-idx1-ubyte": (
        4542,
        "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
        "ec29112dd5afa0611ce80d1b7f02629c",
        10008,
        "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
    ),
}

#: stem -> (the .gz file, the raw file); either one in the cache will do.
FILES: dict[str, tuple[Remote, Remote]] = {
    stem: (
        Remote(
            f"{stem}.gz", gz_size, sha, md5, tuple(m + f"{stem}.gz" for m in MIRRORS)
        ),
        Remote(stem, raw_size, raw_sha),
    )
    for stem, (gz_size, sha, md5, raw_size, raw_sha) in _OFFICIAL.items()
}


_CHUNK = 1 << 20


@contextlib.contextmanager
def _open(path: Path) -> Iterator[IO[bytes]]:
    """``path`` opened for reading, gunzipped when it starts with the gzip magic number."""
    with path.open("rb") as f:
        gz = f.read(2) == b"\x1f\x8b"
        f.seek(0)
        yield gzip.GzipFile(fileobj=f) if gz else f  # type: ignore[misc]  # a binary file, not IO by name


def _take(f: IO[bytes], raw: bytearray, n: int, path: Path) -> None:
    """Append up to ``n`` more bytes of ``f`` to ``raw``, growing with what is found."""
    try:
        end = len(raw) + n
        while len(raw) < end and (block := f.read(min(_CHUNK, end - len(raw)))):
            raw += block
    except (gzip.BadGzipFile, EOFError, zlib.error) as e:
        raise CorruptFileError(
            f"{path}: not a valid gzip file ({e}); delete it and fetch it again"
        ) from None


def read_idx(path: str | os.PathLike[str], magic: int | None = None) -> np.ndarray:
    """An IDX file (the MNIST format, gzip-compressed or raw) as a NumPy array.

    The header is a magic number ``0x0000TTNN`` (``TT`` the element type,
    ``NN`` the number of dimensions), then ``NN`` big-endian 32-bit sizes,
    then the elements. Pass ``magic`` to require one kind of file. Raises
    :class:`CorruptFileError` naming the file, the expected and the found
    sizes when the file is truncated or too long. The header is checked
    first, and at most the bytes it declares are read (in chunks), so a header
    declaring a huge array or a gzip bomb fails without filling memory.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> from xgrad.datasets import read_idx
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "two-labels-idx1-ubyte"
    >>> _ = path.write_bytes(bytes([0, 0, 8, 1, 0, 0, 0, 2, 7, 9]))
    >>> read_idx(path)
    array([7, 9], dtype=uint8)
    """
    path, raw = Path(path), bytearray()
    with _open(path) as f:
        _take(f, raw, 4, path)
        if len(raw) < 4 or raw[:2] != b"\0\0" or raw[2] not in _IDX_TYPES:
            raise CorruptFileError(
                f"{path}: not an IDX file: it starts with 0x{raw[:4].hex()}, expected "
                f"a magic number 0x0000TTNN (TT the element type, NN the dimensions)"
            )
        found_magic = int.from_bytes(raw[:4], "big")
        if magic is not None and found_magic != magic:
            raise CorruptFileError(
                f"{path}: magic number 0x{found_magic:08x}, expected 0x{magic:08x}; "
                f"is it the right file (images vs labels)?"
            )
        ndim = raw[3]
        header = 4 + 4 * ndim
        _take(f, raw, 4 * ndim, path)
        if len(raw) < header:
            raise CorruptFileError(
                f"{path}: truncated: the header needs {header} bytes, found {len(raw)}"
            )
        shape = struct.unpack(f">{ndim}I", raw[4:header])
        dtype = np.dtype(_IDX_TYPES[raw[2]])
        expected = header + math.prod(shape) * dtype.itemsize
        _take(f, raw, expected + 1 - header, path)  # one byte more tells "too long"
        gz = isinstance(f, gzip.GzipFile)
    if len(raw) != expected:
        kind, found = "truncated", f"{len(raw)}"
        if len(raw) > expected:
            kind, found = "too long", f"{path.stat().st_size}"
            found = f"more than {expected}" if gz else found
        raise CorruptFileError(
            f"{path}: {kind}: an IDX file of shape {shape} and type {dtype} is "
            f"{expected} bytes (uncompressed), found {found}; delete it and fetch "
            f"it again"
        )
    array = np.frombuffer(raw, dtype, offset=header).reshape(shape)
    return array.astype(dtype.newbyteorder("="))  # a writable native-order copy


def _locate(folder: Path, stems: list[str], download: bool | None) -> list[Path]:
    """Each stem's verified .gz file, else its raw file; fetch the .gz files missing."""
    found: dict[str, Path] = {}
    for stem in stems:
        for remote in FILES[stem]:
            if (folder / remote.name).exists():
                found[stem] = verify(folder / remote.name, remote)
                break
    missing = [stem for stem in stems if stem not in found]
    if missing:
        raws = ", ".join(FILES[stem][1].describe() for stem in missing)
        note = f"(or the same files uncompressed: {raws})"
        gz = [FILES[stem][0] for stem in missing]
        paths = fetch(folder, gz, what="MNIST", download=download, note=note)
        found.update(zip(missing, paths, strict=True))
    return [found[stem] for stem in stems]


# The book's default: flat float32 pixels in [0, 1].
_TO_UNIT = Compose([Flatten(), ToFloat(), Normalize(0.0, 255.0)])


class MNIST(Dataset):
    """The MNIST handwritten digits: 60000 training and 10000 test images.

    ``data`` is ``uint8`` of shape ``(N, 1, 28, 28)``, ``label`` ``int64``
    (DeZero's are ``uint8``; ``int64`` indexes safely on every backend). The
    default transform flattens to 784 ``float32`` values in ``[0, 1]``, as
    in the book. Files are read from ``<cache>/mnist/`` (see
    :func:`xgrad.datasets.files.get_cache_dir`): the four official
    ``*-ubyte.gz`` files, or the same files uncompressed. Each is checked
    against its official size and checksums. ``download`` (default: the
    ``XGRAD_DOWNLOAD`` environment variable, off) allows fetching missing
    files from the mirrors in :data:`MIRRORS`.
    """

    def __init__(
        self,
        train: bool = True,
        transform: Transform | None = _TO_UNIT,
        target_transform: Transform | None = None,
        *,
        download: bool | None = None,
    ) -> None:
        self.download = download
        super().__init__(train, transform, target_transform)

    def prepare(self) -> None:
        folder = get_cache_dir() / "mnist"
        split = "train" if self.train else "t10k"
        stems = [f"{split}-images-idx3-ubyte", f"{split}-labels-idx1-ubyte"]
        images_path, labels_path = _locate(folder, stems, self.download)
        images = read_idx(images_path, _IMAGES_MAGIC)
        labels = read_idx(labels_path, _LABELS_MAGIC)
        if images.shape[1:] != (28, 28):
            raise CorruptFileError(
                f"{images_path}: images of {images.shape[1:]} pixels, expected (28, 28)"
            )
        if len(images) != len(labels):
            raise CorruptFileError(
                f"{images_path} holds {len(images)} images but {labels_path} "
                f"holds {len(labels)} labels; they must be the same split"
            )
        if labels.size and labels.max() > 9:
            raise CorruptFileError(
                f"{labels_path}: label {labels.max()} found, expected 0 to 9"
            )
        self.data = images.reshape(-1, 1, 28, 28)
        self.label = labels.astype(np.int64)

    def show(self, row: int = 10, col: int = 10) -> None:
        """Plot ``row`` x ``col`` random images with matplotlib (needs matplotlib)."""
        show_images(self.data, row, col)

    @staticmethod
    def labels() -> dict[int, str]:
        """Class index -> name: ``{0: '0', ..., 9: '9'}``."""
        return {i: str(i) for i in range(10)}
