"""DeZero's transforms: preprocessing for dataset examples.

Array transforms (``Normalize``, ``Flatten``, ``AsType``/``ToFloat``,
``ToInt``, ``CenterCrop``, ``RandomHorizontalFlip``) work on NumPy arrays
laid out ``(C, H, W)``. Image transforms (``Convert``, ``Resize``,
``ToArray``, ``ToPIL``) work on Pillow images; Pillow is imported only when
one of them runs, with a clear error if it is missing.

Examples
--------
>>> import numpy as np
>>> from xgrad.transforms import Compose, Flatten, ToFloat, Normalize
>>> f = Compose([Flatten(), ToFloat(), Normalize(0.0, 255.0)])
>>> f(np.full((1, 2, 2), 255, dtype=np.uint8))
array([1., 1., 1., 1.], dtype=float32)
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from . import random
from .functions.geometry import pair

__all__ = [
    "AsType",
    "CenterCrop",
    "Compose",
    "Convert",
    "Flatten",
    "Normalize",
    "RandomHorizontalFlip",
    "Resize",
    "ToArray",
    "ToFloat",
    "ToInt",
    "ToPIL",
]


def _pil_image(who: str) -> Any:
    """``PIL.Image``, imported on first use."""
    try:
        from PIL import Image
    except ImportError:
        raise ImportError(
            f"{who} works on Pillow images and needs Pillow: pip install pillow"
        ) from None
    return Image


def _is_pil(img: Any) -> bool:
    return type(img).__module__.startswith("PIL.")


class Compose:
    """Apply ``transforms`` in order; no transforms returns the input as is."""

    def __init__(self, transforms: Sequence[Callable[[Any], Any]] | None = None):
        self.transforms = list(transforms or [])

    def __call__(self, img: Any) -> Any:
        for t in self.transforms:
            img = t(img)
        return img

    def __repr__(self) -> str:
        return f"Compose({self.transforms!r})"


# -- Pillow images -------------------------------------------------------------
class Convert:
    """Convert a Pillow image to ``mode`` (``'RGB'``, ``'L'`` ...; ``'BGR'`` swaps)."""

    def __init__(self, mode: str = "RGB") -> None:
        self.mode = mode

    def __call__(self, img: Any) -> Any:
        if self.mode == "BGR":
            Image = _pil_image("Convert")
            r, g, b = img.convert("RGB").split()
            return Image.merge("RGB", (b, g, r))
        return img.convert(self.mode)


class Resize:
    """Resize a Pillow image to ``size`` (an int or ``(width, height)``).

    ``mode`` is a Pillow resampling filter; ``None`` means bilinear, DeZero's
    default.
    """

    def __init__(self, size: int | tuple[int, int], mode: Any = None) -> None:
        self.size = pair(size)
        self.mode = mode

    def __call__(self, img: Any) -> Any:
        if isinstance(img, np.ndarray):
            raise TypeError(
                "Resize works on Pillow images; convert arrays first with ToPIL()"
            )
        mode = self.mode
        if mode is None:
            mode = _pil_image("Resize").Resampling.BILINEAR
        return img.resize(self.size, mode)


class CenterCrop:
    """Crop the centre ``size`` (an int or ``(width, height)``) of an image.

    Works on Pillow images and on arrays ``(..., H, W)``; the offsets are
    DeZero's (an odd margin leaves the extra pixel on the right and bottom).
    """

    def __init__(self, size: int | tuple[int, int]) -> None:
        self.size = pair(size)

    def __call__(self, img: Any) -> Any:
        if isinstance(img, np.ndarray):
            H, W = img.shape[-2:]
        else:
            W, H = img.size
        OW, OH = self.size
        if OW > W or OH > H:
            raise ValueError(
                f"CenterCrop({self.size}): the image is only {W}x{H} (width x height)"
            )
        left, up = (W - OW) // 2, (H - OH) // 2
        if isinstance(img, np.ndarray):
            return img[..., up : up + OH, left : left + OW]
        return img.crop((left, up, left + OW, up + OH))


class ToArray:
    """A Pillow image as a ``(C, H, W)`` array of ``dtype``; arrays pass through.

    A one-channel image gives ``(1, H, W)`` (DeZero's version failed on it).
    """

    def __init__(self, dtype: Any = np.float32) -> None:
        self.dtype = dtype

    def __call__(self, img: Any) -> np.ndarray:
        if isinstance(img, np.ndarray):
            return img
        if not _is_pil(img):
            raise TypeError(
                f"ToArray: expected a Pillow image or a NumPy array, got "
                f"{type(img).__name__}"
            )
        array = np.asarray(img)
        array = array[np.newaxis] if array.ndim == 2 else array.transpose(2, 0, 1)
        return array.astype(self.dtype)


class ToPIL:
    """A ``(C, H, W)`` array (``uint8`` for RGB) as a Pillow image."""

    def __call__(self, array: np.ndarray) -> Any:
        Image = _pil_image("ToPIL")
        data = array.transpose(1, 2, 0)
        if data.shape[-1] == 1:
            data = data[..., 0]  # one channel: a grayscale image
        return Image.fromarray(data)


class RandomHorizontalFlip:
    """Mirror an image left to right with probability ``p``.

    Works on Pillow images and on arrays ``(..., W)``. Draws come from
    :mod:`xgrad.random` (so ``xgrad.manual_seed`` repeats them), or from a
    private generator when ``seed`` is given. DeZero's was an empty stub.
    """

    def __init__(self, p: float = 0.5, seed: int | None = None) -> None:
        if not 0.0 <= p <= 1.0:
            raise ValueError(f"RandomHorizontalFlip: p must be in [0, 1], got {p}")
        self.p = p
        self.generator = None if seed is None else random.Generator(seed)

    def __call__(self, img: Any) -> Any:
        generator = self.generator or random.default_generator()
        if float(generator.uniform(device="numpy")) >= self.p:
            return img
        if isinstance(img, np.ndarray):
            return img[..., ::-1]
        return img.transpose(
            _pil_image("RandomHorizontalFlip").Transpose.FLIP_LEFT_RIGHT
        )


# -- NumPy arrays --------------------------------------------------------------
class Normalize:
    """``(array - mean) / std``; a sequence is one value per channel (axis 0).

    Examples
    --------
    >>> import numpy as np
    >>> from xgrad.transforms import Normalize
    >>> Normalize(mean=[1.0, 2.0], std=2.0)(np.ones((2, 1, 1), np.float32)).ravel()
    array([ 0. , -0.5], dtype=float32)
    """

    def __init__(self, mean: Any = 0, std: Any = 1) -> None:
        self.mean = mean
        self.std = std

    def _per_channel(self, value: Any, array: np.ndarray) -> Any:
        if np.ndim(value) == 0:
            return value
        dtype = array.dtype if array.dtype.kind == "f" else np.float64
        shape = (-1,) + (1,) * (array.ndim - 1)
        return np.asarray(value, dtype=dtype).reshape(shape)

    def __call__(self, array: np.ndarray) -> np.ndarray:
        mean = self._per_channel(self.mean, array)
        std = self._per_channel(self.std, array)
        return (array - mean) / std


class Flatten:
    """A flat copy of the array."""

    def __call__(self, array: np.ndarray) -> np.ndarray:
        return array.flatten()


class AsType:
    """The array as ``dtype`` (``float32`` by default)."""

    def __init__(self, dtype: Any = np.float32) -> None:
        self.dtype = dtype

    def __call__(self, array: np.ndarray) -> np.ndarray:
        return array.astype(self.dtype)


ToFloat = AsType


class ToInt(AsType):
    """The array as ``dtype`` (Python ``int``: ``int64`` by default)."""

    def __init__(self, dtype: Any = int) -> None:
        self.dtype = dtype
