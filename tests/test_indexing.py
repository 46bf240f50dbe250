"""``x[key]`` takes NumPy's keys on every backend, and its gradient scatters back.

PyTorch has no negative slice steps and array-api-strict takes integer arrays
only when they index every axis; their backends rewrite such keys. Each key
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
}


@pytest.mark.parametrize("name", list(KEYS))
def test_get_item_matches_numpy(name, backend, to_backend, rng):
    key = KEYS[name]()
    x = (
        rng.standard_normal((4, 5, 2))
        if "arrays" in name
        else rng.standard_normal((4, 5))
    )
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
    with pytest.raises(IndexError, match=r"get_item.*expand_dims"):
        v[key]
