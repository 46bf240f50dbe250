"""DeZero's datasets: ``Dataset``, the book's toy sets, MNIST, CIFAR, and Digits.

``Spiral``, ``SinCurve`` and ``Digits`` (real 8x8 handwritten digits bundled
with xgrad) need no files. ``MNIST``, ``CIFAR10`` and ``CIFAR100`` read the
official files from the cache directory (``$XGRAD_DATA``, default
``~/.xgrad/datasets``), check their checksums, and download them only when
asked (``download=True`` or ``XGRAD_DOWNLOAD=1``). See docs/datasets.md.
"""

from typing import Any

from .cifar import CIFAR10, CIFAR100
from .core import Dataset, Digits, SinCurve, Spiral, get_spiral
from .files import (
    ChecksumError,
    CorruptFileError,
    download_enabled,
    get_cache_dir,
    get_file,
)
from .mnist import MNIST, read_idx

__all__ = [
    "CIFAR10",
    "CIFAR100",
    "MNIST",
    "ChecksumError",
    "CorruptFileError",
    "Dataset",
    "Digits",
    "SinCurve",
    "Spiral",
    "cache_dir",
    "download_enabled",
    "get_cache_dir",
    "get_file",
    "get_spiral",
    "read_idx",
]


def __getattr__(name: str) -> Any:
    # DeZero's ``cache_dir`` is a string; here it follows $XGRAD_DATA live.
    if name == "cache_dir":
        return str(get_cache_dir())
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
