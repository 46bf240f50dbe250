"""The standard's ``unique_*`` functions through the namespace, on every backend.

PyTorch's own ``unique`` cannot say where each value first occurs and takes
no complex tensors; xgrad's namespace answers all four functions for every
dtype there too. The standard counts each NaN as a value of its own and
``-0.0`` and ``0.0`` as one.
"""

from __future__ import annotations

import numpy as np
import pytest

import xgrad
from xgrad import Variable


def _sorted_by_value(result, backend):
    """The result's arrays as NumPy, its values in ascending order (the
    standard leaves the order to the library)."""
    parts = {name: backend.to_numpy(v.data) for name, v in result._asdict().items()}
    order = np.argsort(parts["values"], kind="stable")
    return {k: (v if k == "inverse_indices" else v[order]) for k, v in parts.items()}


def test_unique_all_gives_first_occurrences_inverse_and_counts(backend, to_backend):
    xa = xgrad.array_api.namespace(backend)
    x = np.array([[3.0, 1.0, 3.0], [2.0, 1.0, 3.0]])
    found = xa.unique_all(Variable(to_backend(x)))
    got = _sorted_by_value(found, backend)
    np.testing.assert_array_equal(got["values"], [1.0, 2.0, 3.0])
    np.testing.assert_array_equal(got["indices"], [1, 3, 0])  # in x flattened
    np.testing.assert_array_equal(got["counts"], [2, 1, 3])
    values = backend.to_numpy(found.values.data)
    np.testing.assert_array_equal(values[got["inverse_indices"]], x)
    assert got["inverse_indices"].shape == x.shape


@pytest.mark.xfail_backend("dask", reason="dask.array.unique merges NaNs into one")
def test_each_nan_is_its_own_value_and_signed_zeros_are_one(backend, to_backend):
    xa = xgrad.array_api.namespace(backend)
    x = Variable(to_backend(np.array([np.nan, -0.0, 0.0, np.nan, 1.0])))
    counts = xa.unique_counts(x)
    values = backend.to_numpy(counts.values.data)
    assert np.isnan(values).sum() == 2
    assert sorted(values[~np.isnan(values)].tolist()) == [0.0, 1.0]
    assert backend.to_numpy(xa.unique_values(x).data).shape == (4,)
    assert sorted(backend.to_numpy(counts.counts.data).tolist()) == [1, 1, 1, 2]


def test_unique_of_complex_values(backend, to_backend):
    xa = xgrad.array_api.namespace(backend)
    x = np.array([1 + 2j, 1 + 1j, 1 + 2j, 0j])
    found = xa.unique_inverse(Variable(to_backend(x)))
    values = backend.to_numpy(found.values.data)
    assert sorted(values.tolist(), key=lambda z: (z.real, z.imag)) == [
        0j,
        1 + 1j,
        1 + 2j,
    ]
    inverse = backend.to_numpy(found.inverse_indices.data)
    np.testing.assert_array_equal(values[inverse], x)


@pytest.mark.parametrize("shape", [(0,), (0, 3), ()])
def test_unique_of_empty_and_0d_arrays(shape, backend, to_backend):
    xa = xgrad.array_api.namespace(backend)
    x = Variable(to_backend(np.ones(shape, dtype=bool)))
    found = xa.unique_all(x)
    values = backend.to_numpy(found.values.data)  # Dask knows sizes once computed
    assert values.shape == (int(np.prod(shape)) and 1,)
    assert backend.to_numpy(found.inverse_indices.data).shape == shape
