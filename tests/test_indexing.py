"""``x[key]`` takes NumPy's keys on every backend, and its gradient scatters back.

PyTorch has no negative slice steps and places an integer beside an integer
array apart from NumPy; array-api-strict takes integer arrays only when they
index every axis and slices only within the axis; their backends rewrite such
keys. Each key
here is checked against NumPy: the value, and the gradient of
``sum(x[key] * w)`` for a random ``w`` (repeated indices accumulate).
"""

from __future__ import annotations

import numpy as np
import pytest

import xgrad.functions as F
from xgrad import Variable

KEYS = {
    "reverse": lambda: np.s_[::-1],
    "reverse_every_other": lambda: np.s_[::-2, 1:],
    "reverse_inner": lambda: np.s_[:, 3:0:-1],
    "reverse_with_newaxis": lambda: np.s_[None, ::-1, 2],
    "newaxis": lambda: np.s_[None, 1, :, None],
    "rows": lambda: np.array([2, 0, 2]),
    "columns": lambda: np.s_[:, np.array([3, 1, 1])],
    "rows_of_a_range": lambda: np.s_[np.array([1, 3]), 1:4],
    "slice_then_rows": lambda: np.s_[1:3, np.array([0, 0, 2])],
    "integer_and_array": lambda: np.s_[2, np.array([1, 1])],
    "split_arrays": lambda: np.s_[np.array([0, 3]), :, np.array([1, 0])],
    "adjacent_arrays": lambda: np.s_[:, np.array([0, 3]), np.array([1, 0])],
    "matrix_of_rows": lambda: np.array([[0, 1], [3, 3]]),
    "mask": lambda: np.arange(4) % 2 == 0,
    "integer_slice_array": lambda: np.s_[0, :, np.array([1, 0])],
    "negative_integer_and_arrays": lambda: np.s_[-1, np.array([[0, 4], [2, 2]])],
    "past_the_end": lambda: np.s_[:100, -100:],
    "reverse_past_the_end": lambda: np.s_[100:-100:-1],
    "empty_reverse": lambda: np.s_[0:3:-1],
    "true_then_reverse": lambda: np.s_[True, ::-1],
    "ellipsis_between": lambda: np.s_[1, ..., ::-2],
}
# Refused by design, with the start of the error: a lazy graph cannot carry a
# size known only after computing.
REFUSED = {("dask", "mask"): r"^get_item: a boolean mask of shape \(4,\) on a dask"}
THREE_AXES = {
    "split_arrays",
    "adjacent_arrays",
    "integer_slice_array",
    "ellipsis_between",
}


@pytest.mark.parametrize("name", list(KEYS))
def test_get_item_matches_numpy(name, backend, to_backend, rng):
    key = KEYS[name]()
    if (backend.name, name) in REFUSED:
        v = Variable(to_backend(np.ones((4, 5))))
        with pytest.raises(NotImplementedError, match=REFUSED[backend.name, name]):
            v[_on(key, to_backend)]
        return
    x = rng.standard_normal((4, 5, 2) if name in THREE_AXES else (4, 5))
    want = x[key]
    w = rng.standard_normal(want.shape)
    v = Variable(to_backend(x))
    y = v[_on(key, to_backend)]
    np.testing.assert_allclose(backend.to_numpy(y.data), want)
    F.sum(y * to_backend(w)).backward()
    grad = np.zeros_like(x)
    np.add.at(grad, key, w)
    np.testing.assert_allclose(backend.to_numpy(v.grad.data), grad)


def _on(key, to_backend):
    """The key with its arrays moved to the backend under test."""
    parts = key if isinstance(key, tuple) else (key,)
    moved = tuple(to_backend(p) if isinstance(p, np.ndarray) else p for p in parts)
    return moved if isinstance(key, tuple) else moved[0]


def test_newaxis_beside_an_integer_array_is_refused_where_unsupported(
    backend, to_backend
):
    """array-api-strict cannot combine the two: the error names get_item and the fix."""
    v = Variable(to_backend(np.ones((3, 2))))
    key = (None, to_backend(np.array([0, 2])), slice(None))
    if backend.name != "array_api_strict":
        assert v[key].shape == (1, 2, 2)
        return
    with pytest.raises(IndexError, match=r"GetItem.*expand_dims"):
        v[key]


def test_too_many_indices_name_get_item(backend, to_backend):
    v = Variable(to_backend(np.ones((2, 3))))
    with pytest.raises(IndexError, match=r"^GetItem: "):
        v[0, 0, 0]


def test_reversing_a_few_rows_reads_only_those_rows_on_torch():
    """x[10:0:-1] slices forward and flips the ten rows, not the whole array."""
    torch = pytest.importorskip("torch")
    x = torch.arange(40_000.0).reshape(4000, 10)
    y = Variable(x)[10:0:-1]
    np.testing.assert_array_equal(y.data.numpy(), x.numpy()[10:0:-1])
    assert y.data.untyped_storage().nbytes() == 10 * 10 * 4


def test_a_mask_beside_other_indices_is_refused_on_array_api_strict(
    backend, to_backend
):
    """The standard allows a boolean mask only as the whole key."""
    x = np.arange(20.0).reshape(4, 5)
    v = Variable(to_backend(x))
    key = (to_backend(np.arange(4) % 2 == 0), slice(None, None, -1))
    if backend.name != "array_api_strict":
        if backend.lazy:
            pytest.skip(f"{backend.name}: masks are refused altogether (see above)")
        np.testing.assert_array_equal(backend.to_numpy(v[key].data), x[0::2, ::-1])
        return
    with pytest.raises(IndexError, match=r"^GetItem: array-api-strict takes a boolean"):
        v[key]


@pytest.mark.parametrize(
    "ids",
    [
        np.array([[3, 1, 3], [0, 3, 1]]),  # an embedding's (N, T) ids, rows repeated
        np.array([2, -1, 2]),  # a negative id: NumPy's add.at serves it
    ],
    ids=["repeated_rows", "negative_row"],
)
def test_embedding_gradient_sums_repeated_rows_as_add_at_does(ids, backend, to_backend):
    table = np.arange(20.0).reshape(5, 4)
    weights = np.cos(np.arange(ids.size * 4.0)).reshape((*ids.shape, 4))
    W = Variable(to_backend(table))
    F.sum(F.get_item(W, to_backend(ids)) * Variable(to_backend(weights))).backward()
    expected = np.zeros_like(table)
    np.add.at(expected, ids, weights)
    got = backend.to_numpy(W.grad.data)
    np.testing.assert_allclose(got, expected, rtol=1e-15, atol=1e-15)


@pytest.mark.parametrize("mask_shape", [(0, 0), (0, 3), (0,)])
def test_an_empty_mask_selects_nothing_whatever_its_empty_axes(
    mask_shape, backend, to_backend
):
    """NumPy and the standard take a zero-length mask axis against a longer
    axis of the array (PyTorch itself refuses it; its backend rewrites it)."""
    if backend.lazy:
        pytest.skip(f"{backend.name}: masks are refused altogether (see above)")
    x = np.zeros((0, 3, 2))
    v = Variable(to_backend(x))
    y = v[to_backend(np.zeros(mask_shape, dtype=bool))]
    assert y.shape == x[np.zeros(mask_shape, dtype=bool)].shape
    F.sum(y).backward()
    assert v.grad.shape == x.shape


@pytest.mark.parametrize(
    "key",
    [np.s_[:, ::-2], np.s_[::-1, 1:], np.s_[np.array([2, 0]), ::-1]],
    ids=["reverse_every_other", "reverse_rows", "rows_and_reverse"],
)
def test_a_write_through_a_reversed_slice_matches_numpy(key, backend, to_backend):
    """``x[::-1] = v`` writes what NumPy writes; gradients reach the rest of
    ``x`` and every written value."""
    from xgrad.functions.indexing import set_item

    x = np.arange(12.0).reshape(3, 4)
    value = -np.arange(1.0, 1.0 + x[key].shape[-1])  # broadcasts along rows
    want = x.copy()
    want[key] = value
    v, w = Variable(to_backend(x)), Variable(to_backend(value))
    if backend.name == "array_api_strict" and isinstance(key[0], np.ndarray):
        with pytest.raises(IndexError, match=r"^SetItem: .*not supported"):
            set_item(v, _on(key, to_backend), w)  # the standard writes no arrays
        return
    y = set_item(v, _on(key, to_backend), w)
    np.testing.assert_array_equal(backend.to_numpy(y.data), want)
    F.sum(y * y).backward()
    written = np.zeros(x.shape, dtype=bool)
    written[key] = True
    np.testing.assert_array_equal(backend.to_numpy(v.grad.data), 2 * x * ~written)
    np.testing.assert_array_equal(
        backend.to_numpy(w.grad.data), 2 * value * x[key].shape[0]
    )
