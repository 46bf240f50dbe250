"""CIFAR-10 and CIFAR-100, read from the official *binary* archives.

Only the binary version is read: the Python version is a set of pickles, and
unpickling a downloaded file can run arbitrary code. The archive is read in
place (no extraction), after its size, SHA-256 and the publisher's MD5 are
checked; members with unsafe paths are refused, and no size an archive header
declares is allocated before the data is there.
"""

from __future__ import annotations

import gzip
import sys
import tarfile
import zlib
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from ..transforms import Compose, Normalize, ToFloat
from .core import Dataset, Transform, show_images
from .files import CorruptFileError, Remote, fetch, get_cache_dir

__all__ = ["CIFAR10", "CIFAR100"]

_PAGE = "https://www.cs.toronto.edu/~kriz/cifar.html"
_PIXELS = 3 * 32 * 32

_CIFAR10_NAMES = "airplane automobile bird cat deer dog frog horse ship truck"
_CIFAR100_COARSE = """aquatic_mammals fish flowers food_containers fruit_and_vegetables
household_electrical_devices household_furniture insects large_carnivores
large_man-made_outdoor_things large_natural_outdoor_scenes
large_omnivores_and_herbivores medium_mammals non-insect_invertebrates people
reptiles small_mammals trees vehicles_1 vehicles_2"""
_CIFAR100_FINE = """apple aquarium_fish baby bear beaver bed bee beetle bicycle bottle
bowl boy bridge bus butterfly camel can castle caterpillar cattle chair chimpanzee
clock cloud cockroach couch crab crocodile cup dinosaur dolphin elephant flatfish
forest fox girl hamster house kangaroo keyboard lamp lawn_mower leopard lion lizard
lobster man maple_tree motorcycle mountain mouse mushroom oak_tree orange orchid
otter palm_tree pear pickup_truck pine_tree plain plate poppy porcupine possum
rabbit raccoon ray road rocket rose sea seal shark shrew skunk skyscraper snail
snake spider squirrel streetcar sunflower sweet_pepper table tank telephone
television tiger tractor train trout tulip turtle wardrobe whale willow_tree wolf
woman worm"""


def _names(text: str) -> dict[int, str]:
    return dict(enumerate(text.split()))


_DEFLATE_RATIO = 1032  # deflate's limit: a 258-byte match costs at least 2 bits
_CHUNK = 1 << 20


class _Chunked:
    """A file read in chunks: memory grows with the data found, not the size asked.

    ``tarfile`` reads a member, or a pax or long-name header, with one
    ``read(size)`` of the size its header declares, which a gzip file would
    allocate at once.
    """

    def __init__(self, f: Any) -> None:
        self._f = f

    def read(self, n: int = -1) -> bytes:
        data, n = bytearray(), sys.maxsize if n is None or n < 0 else n
        while len(data) < n and (block := self._f.read(min(_CHUNK, n - len(data)))):
            data += block
        return bytes(data)

    def seek(self, *args: int) -> int:
        return self._f.seek(*args)

    def tell(self) -> int:
        return self._f.tell()


def _escapes(path: str) -> bool:
    """Whether ``path`` is absolute or leads out of its folder with ``..``."""
    parts = path.replace("\\", "/").split("/")
    return path[:1] in ("/", "\\") or path[1:2] == ":" or ".." in parts


# float32 pixels in [-1, 1].
_TO_SYMMETRIC = Compose([ToFloat(), Normalize(127.5, 127.5)])


class CIFAR10(Dataset):
    """CIFAR-10: 32x32 colour images of 10 classes, 50000 train and 10000 test.

    ``data`` is ``uint8 (N, 3, 32, 32)``, ``label`` ``int64``. The default
    transform maps pixels to ``float32`` in ``[-1, 1]`` (DeZero's
    ``Normalize(0.5, 0.5)`` on 0..255 values gave -1..509, which was not
    meant). The file is ``<cache>/cifar10/cifar-10-binary.tar.gz``, the
    official binary version; ``download`` (default: ``XGRAD_DOWNLOAD``, off)
    allows fetching it.
    """

    remote: ClassVar[Remote] = Remote(
        "cifar-10-binary.tar.gz",
        size=170052171,
        sha256="c4a38c50a1bc5f3a1c5537f2155ab9d68f9f25eb1ed8d9ddda3db29a59bca1dd",
        md5="c32a1d4ab5d03f1284b67883e8d87530",  # as published on the CIFAR page
        # (the SHA-256s agree across independent projects, TFDS's among them)
        urls=("https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz",),
    )
    folder: ClassVar[str] = "cifar10"
    pickled: ClassVar[tuple[str, ...]] = (
        "cifar-10-python.tar.gz",
        "cifar-10-batches-py",
    )
    title: ClassVar[str] = "CIFAR-10"
    train_members: ClassVar[tuple[str, ...]] = tuple(
        f"cifar-10-batches-bin/data_batch_{i}.bin" for i in range(1, 6)
    )
    test_members: ClassVar[tuple[str, ...]] = ("cifar-10-batches-bin/test_batch.bin",)
    label_bytes: ClassVar[int] = 1

    def __init__(
        self,
        train: bool = True,
        transform: Transform | None = _TO_SYMMETRIC,
        target_transform: Transform | None = None,
        *,
        download: bool | None = None,
    ) -> None:
        self.download = download
        super().__init__(train, transform, target_transform)

    def prepare(self) -> None:
        records = self._records()
        pixels = records[:, self.label_bytes :].reshape(-1, 3, 32, 32)
        self.data = np.ascontiguousarray(pixels)
        self.label = self._labels(records)

    def _labels(self, records: np.ndarray) -> np.ndarray:
        return self._checked(records[:, 0], 10, "label")

    def _checked(self, labels: np.ndarray, n: int, kind: str) -> np.ndarray:
        if labels.size and labels.max() >= n:
            raise CorruptFileError(
                f"{self._path}: {kind} {labels.max()} found, expected 0 to {n - 1}"
            )
        return labels.astype(np.int64)

    def _records(self) -> np.ndarray:
        """All records of this split, as ``uint8 (N, label_bytes + 3072)``."""
        folder = get_cache_dir() / self.folder
        self._refuse_pickles(folder)
        note = f"(the {self.title} binary version, from {_PAGE}; no need to extract)"
        (self._path,) = fetch(
            folder, [self.remote], what=self.title, download=self.download, note=note
        )
        wanted = self.train_members if self.train else self.test_members
        record = self.label_bytes + _PIXELS
        blobs: dict[str, bytes] = {}
        try:
            with (
                gzip.GzipFile(self._path) as gz,
                tarfile.open(fileobj=_Chunked(gz), mode="r:") as tar,  # type: ignore[call-overload]  # read() is all it uses
            ):
                for member in tar:  # one pass, in archive order: no seeking back
                    self._check_member(folder, member)
                    if member.name in wanted and member.isfile():
                        self._check_size(member, record)
                        blob = _Chunked(tar.extractfile(member)).read(member.size)
                        blobs[member.name] = blob
        except CorruptFileError:
            raise
        except (
            tarfile.TarError,
            OSError,
            EOFError,
            OverflowError,
            ValueError,
            zlib.error,
        ) as e:
            raise CorruptFileError(
                f"{self._path}: cannot read it as a gzip-compressed tar archive "
                f"({type(e).__name__}: {e}); it is damaged or not the {self.title} "
                f"binary version; delete it and fetch it again"
            ) from None
        for name in wanted:
            if name not in blobs:
                raise CorruptFileError(
                    f"{self._path}: the archive has no member {name}; it is not "
                    f"the {self.title} binary version"
                )
        return np.concatenate(
            [
                np.frombuffer(blobs[name], np.uint8).reshape(-1, record)
                for name in wanted
            ]
        )

    def _check_member(self, folder: Path, member: tarfile.TarInfo) -> None:
        """Refuse the pickle version and members with unsafe paths."""
        name = member.name
        if "-py/" in name or "-python/" in name:
            self._refuse_pickles(folder, member=name)
        link = member.linkname if member.issym() or member.islnk() else ""
        if _escapes(name) or _escapes(link):
            link = f" (a link to {link!r})" if link else ""
            raise CorruptFileError(
                f"{self._path}: member {name!r}{link} has an unsafe path, absolute "
                f"or leading out with '..'; the official {self.title} archive has "
                f"none (and xgrad never extracts archives)"
            )

    def _check_size(self, member: tarfile.TarInfo, record: int) -> None:
        """Refuse a size that no file of records, or no such archive, can have."""
        size, archive = member.size, self._path.stat().st_size
        if not size or size % record:
            raise CorruptFileError(
                f"{self._path}: member {member.name} holds {size} bytes, expected "
                f"a positive multiple of the {record}-byte record "
                f"({self.label_bytes} label byte(s) + {_PIXELS} pixels); the "
                f"archive is truncated or not the {self.title} binary version"
            )
        if size > _DEFLATE_RATIO * archive:
            raise CorruptFileError(
                f"{self._path}: member {member.name} declares {size} bytes, more "
                f"than a {archive}-byte gzip archive can hold; the archive is "
                f"damaged or not the {self.title} binary version"
            )

    def _refuse_pickles(self, folder: Path, member: str = "") -> None:
        found = [folder / name for name in self.pickled if (folder / name).exists()]
        if member:
            found.append(Path(f"{self._path}:{member}"))
        if found and (member or not (folder / self.remote.name).exists()):
            raise CorruptFileError(
                f"{self.title}: found the Python (pickle) version at {found[0]}. "
                f"xgrad reads only the binary version, because unpickling a "
                f"downloaded file can run arbitrary code. Put "
                f"{self.remote.describe()} in {folder}, from {self.remote.urls[0]} "
                f"(listed as the binary version on {_PAGE})."
            )

    def show(self, row: int = 10, col: int = 10) -> None:
        """Plot ``row`` x ``col`` random images with matplotlib (needs matplotlib)."""
        show_images(self.data, row, col)

    @staticmethod
    def labels() -> dict[int, str]:
        """Class index -> name, as in the archive's ``batches.meta.txt``."""
        return _names(_CIFAR10_NAMES)


class CIFAR100(CIFAR10):
    """CIFAR-100: 32x32 colour images, 100 fine classes in 20 coarse ones.

    As :class:`CIFAR10`, from ``<cache>/cifar100/cifar-100-binary.tar.gz``.
    ``label_type`` picks the ``'fine'`` (100 classes, the default) or
    ``'coarse'`` (20 superclasses) labels.
    """

    remote = Remote(
        "cifar-100-binary.tar.gz",
        size=168513733,
        sha256="58a81ae192c23a4be8b1804d68e518ed807d710a4eb253b1f2a199162a40d8ec",
        md5="03b5dce01913d631647c71ecec9e9cb8",  # as published on the CIFAR page
        urls=("https://www.cs.toronto.edu/~kriz/cifar-100-binary.tar.gz",),
    )
    folder = "cifar100"
    pickled = ("cifar-100-python.tar.gz", "cifar-100-python")
    title = "CIFAR-100"
    train_members = ("cifar-100-binary/train.bin",)
    test_members = ("cifar-100-binary/test.bin",)
    label_bytes = 2  # coarse label, then fine label

    def __init__(
        self,
        train: bool = True,
        transform: Transform | None = _TO_SYMMETRIC,
        target_transform: Transform | None = None,
        label_type: str = "fine",
        *,
        download: bool | None = None,
    ) -> None:
        if label_type not in ("fine", "coarse"):
            raise ValueError(
                f"CIFAR100: label_type must be 'fine' or 'coarse', got {label_type!r}"
            )
        self.label_type = label_type
        super().__init__(train, transform, target_transform, download=download)

    def _labels(self, records: np.ndarray) -> np.ndarray:
        coarse = self._checked(records[:, 0], 20, "coarse label")
        fine = self._checked(records[:, 1], 100, "fine label")
        return fine if self.label_type == "fine" else coarse

    @staticmethod
    def labels(label_type: str = "fine") -> dict[int, str]:
        """Class index -> name for ``'fine'`` (100) or ``'coarse'`` (20) labels.

        The names of the archive's ``fine_label_names.txt`` and
        ``coarse_label_names.txt`` (DeZero returned an empty list for fine).
        """
        if label_type not in ("fine", "coarse"):
            raise ValueError(
                f"CIFAR100.labels: label_type must be 'fine' or 'coarse', "
                f"got {label_type!r}"
            )
        return _names(_CIFAR100_FINE if label_type == "fine" else _CIFAR100_COARSE)
