"""``Dataset`` and the datasets that need no files: spiral, sine curve, digits."""

from __future__ import annotations

import operator
from collections.abc import Callable
from importlib import resources
from typing import Any

import numpy as np

from .. import random
from ..transforms import Compose, Flatten, Normalize, ToFloat

__all__ = ["Dataset", "Digits", "SinCurve", "Spiral", "get_spiral", "show_images"]


#: What ``transform`` and ``target_transform`` take: one example in, one out.
Transform = Callable[[Any], Any]


def _identity(x: Any) -> Any:
    return x


# Digits' default, as MNIST's: flat float32 pixels in [0, 1].
_DIGITS_TO_UNIT = Compose([Flatten(), ToFloat(), Normalize(0.0, 16.0)])


class Dataset:
    """A list of examples ``(x, t)``, built once by :meth:`prepare`.

    Subclasses fill ``self.data`` (and ``self.label``, or leave it ``None``
    for unlabeled data) in :meth:`prepare`. ``dataset[i]`` returns
    ``(transform(data[i]), target_transform(label[i]))``, with ``None`` for
    the label of unlabeled data.

    Examples
    --------
    >>> import numpy as np
    >>> from xgrad.datasets import Dataset
    >>> class Squares(Dataset):
    ...     def prepare(self):
    ...         self.data = np.arange(5)
    ...         self.label = self.data**2
    >>> Squares()[3]
    (np.int64(3), np.int64(9))
    """

    def __init__(
        self,
        train: bool = True,
        transform: Transform | None = None,
        target_transform: Transform | None = None,
    ) -> None:
        self.train = train
        self.transform = _identity if transform is None else transform
        self.target_transform = (
            _identity if target_transform is None else target_transform
        )
        self.data: Any = None
        self.label: Any = None
        self.prepare()

    def __getitem__(self, index: int) -> tuple[Any, Any]:
        try:
            index = operator.index(index)
        except TypeError:
            raise TypeError(
                f"{type(self).__name__}[...]: the index must be one integer, got "
                f"{type(index).__name__}; a DataLoader builds batches from single "
                f"examples"
            ) from None
        x = self.transform(self.data[index])
        if self.label is None:
            return x, None
        return x, self.target_transform(self.label[index])

    def __len__(self) -> int:
        return len(self.data)

    def prepare(self) -> None:
        """Fill ``self.data`` and ``self.label``; the base class holds nothing."""


def get_spiral(train: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """The book's three-armed spiral: 300 points ``float32 (300, 2)``, labels ``(300,)``.

    The values are DeZero's exactly (NumPy's legacy generator seeded with 1984
    for training, 2020 for testing), drawn from a private
    ``np.random.RandomState``: unlike DeZero, the global NumPy random state is
    left alone, except in book mode, which reseeds it as DeZero does.
    """
    rng = random.default_generator().numpy_state(1984 if train else 2020)
    num_data, num_class = 100, 3
    rate = np.arange(num_data) / num_data
    noise = rng.randn(num_class, num_data)  # DeZero's loop order: class, then point
    arm = np.arange(num_class)[:, None]
    theta = arm * 4.0 + 4.0 * rate + noise * 0.2
    radius = 1.0 * rate
    x = np.stack([radius * np.sin(theta), radius * np.cos(theta)], axis=-1)
    x = x.reshape(num_class * num_data, 2).astype(np.float32)
    t = np.repeat(np.arange(num_class), num_data)
    indices = rng.permutation(num_data * num_class)
    return x[indices], t[indices]


class Spiral(Dataset):
    """:func:`get_spiral` as a :class:`Dataset` (300 points, 3 classes)."""

    def prepare(self) -> None:
        self.data, self.label = get_spiral(self.train)


class SinCurve(Dataset):
    """Sequence data: predict the next value of a sine (train) or cosine (test).

    1000 points on ``[0, 2 pi]``; ``data[i]`` is ``y[i]`` and ``label[i]`` is
    ``y[i + 1]``, both ``float64`` of shape ``(1,)``. Training values carry
    uniform noise in ``[-0.05, 0.05)`` from :mod:`xgrad.random` (so
    ``xgrad.manual_seed`` repeats them; the global NumPy state is untouched).
    """

    def prepare(self) -> None:
        x = np.linspace(0, 2 * np.pi, 1000)
        noise = random.uniform(-0.05, 0.05, x.shape, np.float64, "numpy")
        # the test set draws the noise too, as DeZero's does: the same stream after
        y = np.sin(x) + noise if self.train else np.cos(x)
        self.data = y[:-1][:, np.newaxis]
        self.label = y[1:][:, np.newaxis]


class Digits(Dataset):
    """8x8 handwritten digits bundled with xgrad, for examples without downloads.

    The 1797 images of scikit-learn's ``load_digits``, a copy of the test set
    of the UCI "Optical Recognition of Handwritten Digits" data (E. Alpaydin,
    C. Kaynak, 1998; https://doi.org/10.24432/C50P49), licensed CC BY 4.0.
    The first 1500 images are the training set, the other 297 the test set.
    ``data`` is ``uint8 (N, 1, 8, 8)`` with values 0..16 (counts of on pixels
    in 4x4 blocks), ``label`` ``int64``. The default transform flattens to 64
    ``float32`` values in ``[0, 1]``, as MNIST's does.
    """

    n_train = 1500

    def __init__(
        self,
        train: bool = True,
        transform: Transform | None = _DIGITS_TO_UNIT,
        target_transform: Transform | None = None,
    ) -> None:
        super().__init__(train, transform, target_transform)

    def prepare(self) -> None:
        path = resources.files("xgrad").joinpath("data", "digits.npz")
        with path.open("rb") as f, np.load(f, allow_pickle=False) as npz:
            images, labels = npz["images"], npz["labels"]
        part = slice(None, self.n_train) if self.train else slice(self.n_train, None)
        self.data = images[part, np.newaxis]
        self.label = labels[part].astype(np.int64)

    def show(self, row: int = 10, col: int = 10) -> None:
        """Plot ``row`` x ``col`` random images with matplotlib (needs matplotlib)."""
        show_images(self.data, row, col)

    @staticmethod
    def labels() -> dict[int, str]:
        """Class index -> name: ``{0: '0', ..., 9: '9'}``."""
        return {i: str(i) for i in range(10)}


def show_images(data: Any, row: int, col: int) -> None:
    """Plot ``row`` x ``col`` random images of ``data (N, C, H, W)`` in one grid.

    Needs matplotlib, imported only here. Grayscale for one channel, RGB
    (scaled from 0..255) for three.
    """
    try:
        import matplotlib.pyplot as plt
    except ImportError:
        raise ImportError(
            "show() needs matplotlib to draw images: pip install matplotlib"
        ) from None
    n, channels, h, w = data.shape
    picks = random.integers(0, n, size=row * col, device="numpy")
    tiles = np.asarray(data)[picks].transpose(0, 2, 3, 1)  # (k, H, W, C)
    grid = tiles.reshape(row, col, h, w, channels).transpose(0, 2, 1, 3, 4)
    grid = grid.reshape(row * h, col * w, channels)
    if channels == 1:
        plt.imshow(grid[..., 0], cmap="gray", interpolation="nearest")
    else:
        plt.imshow(grid / 255.0, interpolation="nearest")
    plt.axis("off")
    plt.show()
