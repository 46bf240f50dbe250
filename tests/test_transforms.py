"""Transforms: DeZero's semantics on NumPy arrays, and on Pillow images if present."""

from __future__ import annotations

import sys

import numpy as np
import pytest

import xgrad
from xgrad import transforms as T


@pytest.fixture
def image():
    """A (3, 4, 6) uint8 image with distinct values."""
    return np.arange(72, dtype=np.uint8).reshape(3, 4, 6)


def test_compose_applies_in_order_and_empty_is_identity(image):
    f = T.Compose([lambda x: x + 1, lambda x: x * 10])
    assert f(2) == 30
    assert T.Compose()(image) is image
    assert T.Compose([])(image) is image
    assert "Compose" in repr(f)


def dezero_normalize(array, mean, std):
    """DeZero 0.0.13's Normalize.__call__, as written there."""
    if not np.isscalar(mean):
        mshape = [1] * array.ndim
        mshape[0] = len(array) if len(mean) == 1 else len(mean)
        mean = np.array(mean, dtype=array.dtype).reshape(*mshape)
    if not np.isscalar(std):
        rshape = [1] * array.ndim
        rshape[0] = len(array) if len(std) == 1 else len(std)
        std = np.array(std, dtype=array.dtype).reshape(*rshape)
    return (array - mean) / std


@pytest.mark.parametrize(
    ("mean", "std"),
    [(0, 1), (0.0, 255.0), ([0.5, 1.0, 2.0], [2.0, 4.0, 8.0]), (1.5, [1.0, 2.0, 4.0])],
)
def test_normalize_matches_dezero(image, mean, std):
    x = image.astype(np.float32)
    got = T.Normalize(mean, std)(x)
    expected = dezero_normalize(x, mean, std)
    assert got.dtype == expected.dtype
    np.testing.assert_array_equal(got, expected)


def test_normalize_where_dezero_failed(image):
    """One value in a list, a 0-d array, integer pixels with fractional means."""
    x = image.astype(np.float64)
    np.testing.assert_allclose(T.Normalize([3.0], 2.0)(x), (x - 3) / 2)
    np.testing.assert_allclose(T.Normalize(np.array(1.0), 2.0)(x), (x - 1) / 2)
    got = T.Normalize(mean=[0.5, 0.5, 0.5], std=[2.0, 2.0, 2.0])(image)
    np.testing.assert_allclose(got, (x - 0.5) / 2.0)


def test_flatten_astype_toint(image):
    flat = T.Flatten()(image)
    assert flat.shape == (72,)
    flat[0] = 99
    assert image[0, 0, 0] == 0  # a copy, as ndarray.flatten
    assert T.ToFloat is T.AsType
    assert T.ToFloat()(image).dtype == np.float32
    assert T.AsType(np.float64)(image).dtype == np.float64
    assert T.ToInt()(image.astype(np.float32)).dtype == np.int64
    assert T.ToInt(np.int8)(image).dtype == np.int8


def test_center_crop_on_arrays(image):
    crop = T.CenterCrop(2)(image)
    np.testing.assert_array_equal(crop, image[:, 1:3, 2:4])
    crop = T.CenterCrop((3, 1))(image)  # (width, height), odd margins
    np.testing.assert_array_equal(crop, image[:, 1:2, 1:4])
    with pytest.raises(ValueError, match="only 6x4"):
        T.CenterCrop(5)(image)


def test_random_horizontal_flip_on_arrays(image, monkeypatch):
    np.testing.assert_array_equal(T.RandomHorizontalFlip(1.0)(image), image[..., ::-1])
    assert T.RandomHorizontalFlip(0.0)(image) is image
    a = T.RandomHorizontalFlip(seed=3)
    b = T.RandomHorizontalFlip(seed=3)
    first = [a(image) is not image for _ in range(40)]
    assert first == [b(image) is not image for _ in range(40)]
    assert 5 < sum(first) < 35
    monkeypatch.setattr(xgrad.random.generator, "_default", xgrad.random.Generator(0))
    c = T.RandomHorizontalFlip()
    unseeded = [c(image) is not image for _ in range(20)]
    xgrad.manual_seed(0)  # the default generator drives unseeded flips
    assert [c(image) is not image for _ in range(20)] == unseeded
    with pytest.raises(ValueError, match=r"p must be in \[0, 1\]"):
        T.RandomHorizontalFlip(1.5)


def test_to_array_passes_arrays_and_rejects_others(image):
    assert T.ToArray()(image) is image
    with pytest.raises(TypeError, match="Pillow image or a NumPy array"):
        T.ToArray()([1, 2, 3])


def test_pillow_transforms_say_when_pillow_is_missing(monkeypatch, image):
    monkeypatch.setitem(sys.modules, "PIL", None)
    monkeypatch.setitem(sys.modules, "PIL.Image", None)
    resize = T.Resize(8)  # constructing needs no Pillow
    assert resize.size == (8, 8)
    for transform in (T.ToPIL(), T.Convert("BGR")):
        with pytest.raises(ImportError, match="pip install pillow"):
            transform(image)
    with pytest.raises(TypeError, match="ToPIL"):
        resize(image)


# -- with Pillow ---------------------------------------------------------------
@pytest.fixture
def pil(image):
    Image = pytest.importorskip("PIL.Image")
    return Image, Image.fromarray(image.transpose(1, 2, 0))  # 6 wide, 4 high


def test_to_array_and_to_pil_round_trip(pil, image):
    _, img = pil
    array = T.ToArray()(img)
    assert array.dtype == np.float32
    np.testing.assert_array_equal(array, image)
    back = T.ToPIL()(T.ToArray(np.uint8)(img))
    np.testing.assert_array_equal(np.asarray(back), np.asarray(img))
    gray = T.ToArray(np.uint8)(T.Convert("L")(img))
    assert gray.shape == (1, 4, 6)
    assert T.ToPIL()(gray).mode == "L"


def test_convert_bgr_swaps_channels(pil, image):
    _, img = pil
    np.testing.assert_array_equal(T.ToArray()(T.Convert("BGR")(img)), image[::-1])
    assert T.Convert("L")(img).mode == "L"


def test_resize_and_center_crop_on_images(pil, image):
    Image, img = pil
    assert T.Resize((3, 2))(img).size == (3, 2)
    nearest = T.Resize(12, mode=Image.Resampling.NEAREST)(img)
    assert nearest.size == (12, 12)
    crop = T.CenterCrop((3, 1))(img)
    assert crop.size == (3, 1)
    np.testing.assert_array_equal(
        T.ToArray(np.uint8)(crop), T.CenterCrop((3, 1))(image)
    )


def test_random_horizontal_flip_on_images(pil, image):
    _, img = pil
    flipped = T.RandomHorizontalFlip(1.0)(img)
    np.testing.assert_array_equal(T.ToArray(np.uint8)(flipped), image[..., ::-1])
