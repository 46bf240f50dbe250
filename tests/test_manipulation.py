"""Statistics, rearranging and sorting functions: the cases the op table cannot say.

Products through zeros (first and second derivatives in closed form), the
kink of ``std``, integer data kept as it is, ``dtype=`` options, ties in
``sort``, repeated indices, and the errors for bad calls. The op table
(tests/op_cases/table_manip.py) checks every function against NumPy,
central differences and PyTorch on every backend.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import xgrad
import xgrad.functions as F
from xgrad import Variable
from xgrad._errors import Unsupported
from xgrad.core import Constant
from xgrad.testing import gradgradcheck, gradient_check


def _np(backend, v) -> np.ndarray:
    return backend.to_numpy(v.data)


# -- products through zeros ---------------------------------------------------------
def test_prod_gradient_at_one_zero_is_the_product_of_the_rest(backend, to_backend):
    x = Variable(to_backend([2.0, 0.0, 3.0, -1.5]))
    F.prod(x).backward()
    np.testing.assert_allclose(_np(backend, x.grad), [0.0, -9.0, 0.0, 0.0])


def test_prod_gradient_with_two_zeros_is_zero_and_its_hessian_is_not(
    backend, to_backend
):
    x = Variable(to_backend([0.0, 0.0, 2.0]))
    F.prod(x).backward(create_graph=True)
    np.testing.assert_array_equal(_np(backend, x.grad), [0.0, 0.0, 0.0])
    g0 = x.grad[0]  # d prod / dx0 = x1 * x2, so d/dx1 of it is x2 = 2
    x.cleargrad()
    g0.backward()
    np.testing.assert_allclose(_np(backend, x.grad), [0.0, 2.0, 0.0])


def test_cumulative_prod_gradient_through_zeros(backend, to_backend):
    a = np.array([[2.0, 0.0, 3.0, 0.0, 5.0], [0.5, -2.0, 0.0, 4.0, 1.5]])
    x = Variable(to_backend(a))
    F.sum(F.cumulative_prod(x, axis=1)).backward()
    want = np.zeros_like(a)
    for r in range(2):  # d/dx_k sum_i prod_{j<=i} x_j, product of the others
        for k in range(5):
            for i in range(k, 5):
                want[r, k] += np.prod(np.delete(a[r, : i + 1], k))
    np.testing.assert_allclose(_np(backend, x.grad), want)


def test_prod_over_axes_with_zeros_second_derivative(backend, to_backend):
    a = np.array([[[0.0, 1.5], [2.0, -1.0]], [[0.7, 0.0], [0.0, 1.2]]])
    gradient_check(lambda v: F.prod(v, axis=(0, 2)), to_backend(a))
    gradgradcheck(lambda v: F.prod(v, axis=(0, 2)), to_backend(a))


# -- std and var at their edges --------------------------------------------------------
def test_std_of_constant_values_has_gradient_zero_not_nan(backend, to_backend):
    x = Variable(to_backend(np.full((2, 3), 1.5)))
    F.sum(F.std(x, axis=1)).backward()
    np.testing.assert_array_equal(_np(backend, x.grad), np.zeros((2, 3)))


def test_variance_without_degrees_of_freedom_has_a_nan_gradient(backend, to_backend):
    x = Variable(to_backend([1.0, 2.0]))
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")  # NumPy warns: "Degrees of freedom <= 0"
        F.var(x, correction=2.0).backward()
        grad = _np(backend, x.grad)
    assert np.isnan(grad).all()


def test_var_and_std_of_integers_are_floating(backend, to_backend):
    x = to_backend(np.array([1, 2, 3, 4]))
    assert F.var(x).dtype == backend.default_float()
    np.testing.assert_allclose(
        _np(backend, F.std(x, correction=1.0)), np.std([1, 2, 3, 4], ddof=1)
    )


# -- data kept as it is ----------------------------------------------------------------
SHAPE_ONLY = {
    "flip": lambda x: F.flip(x, axis=0),
    "roll": lambda x: F.roll(x, 1, axis=1),
    "moveaxis": lambda x: F.moveaxis(x, 0, -1),
    "permute_dims": lambda x: F.permute_dims(x, (1, 0)),
    "repeat": lambda x: F.repeat(x, 2, axis=1),
    "repeat_counts": lambda x: F.repeat(x, np.array([1, 0, 2]), axis=1),
    "tile": lambda x: F.tile(x, (2, 1)),
    "unstack": lambda x: F.unstack(x)[1],
    "broadcast_arrays": lambda x: F.broadcast_arrays(x, np.zeros((3, 2, 1)))[0],
    "sort": lambda x: F.sort(x, axis=1, descending=True),
    "take": lambda x: F.take(x, np.array([2, 2, 0]), axis=1),
    "take_along_axis": lambda x: F.take_along_axis(x, np.array([[2, 0, 1]]), axis=1),
    "diff": lambda x: F.diff(x, axis=1),
    "cumulative_sum": lambda x: F.cumulative_sum(x, axis=1),
    "prod": lambda x: F.prod(x, axis=0),
}
NUMPY_TWIN = {
    "flip": lambda a: np.flip(a, 0),
    "roll": lambda a: np.roll(a, 1, axis=1),
    "moveaxis": lambda a: np.moveaxis(a, 0, -1),
    "permute_dims": lambda a: a.T,
    "repeat": lambda a: np.repeat(a, 2, axis=1),
    "repeat_counts": lambda a: np.repeat(a, [1, 0, 2], axis=1),
    "tile": lambda a: np.tile(a, (2, 1)),
    "unstack": lambda a: a[1],
    "broadcast_arrays": lambda a: np.broadcast_to(a, (3, 2, 3)),
    "sort": lambda a: -np.sort(-a, axis=1),
    "take": lambda a: a[:, [2, 2, 0]],
    "take_along_axis": lambda a: np.take_along_axis(a, np.array([[2, 0, 1]]), 1),
    "diff": lambda a: np.diff(a, axis=1),
    "cumulative_sum": lambda a: np.cumulative_sum(a, axis=1),
    "prod": lambda a: np.prod(a, axis=0),
}


@pytest.mark.parametrize("name", sorted(SHAPE_ONLY))
@pytest.mark.parametrize("dtype", [np.int32, np.int64])
def test_integer_data_keeps_its_dtype_and_needs_no_gradient(
    name, dtype, backend, to_backend
):
    if name == "repeat_counts" and backend.name == "dask":
        pytest.skip("dask: counts held in a Dask array are refused (tested below)")
    a = np.array([[3, -1, 2], [0, 5, -4]], dtype=dtype)
    y = SHAPE_ONLY[name](to_backend(a))
    assert isinstance(y, Constant)
    want = NUMPY_TWIN[name](a)
    if name not in ("cumulative_sum", "prod"):  # sums of int32 may widen
        assert y.dtype == to_backend(a).dtype
    np.testing.assert_array_equal(_np(backend, y), want)


@pytest.mark.parametrize("name", ["flip", "roll", "repeat", "tile", "take", "unstack"])
def test_bool_data_keeps_its_dtype(name, backend, to_backend):
    a = np.array([[True, False, True], [False, False, True]])
    y = SHAPE_ONLY[name](to_backend(a))
    assert y.dtype == to_backend(a).dtype
    np.testing.assert_array_equal(_np(backend, y), NUMPY_TWIN[name](a))


def test_dtype_option_casts_first_and_the_gradient_comes_back(backend, to_backend):
    if not backend.has_float64(backend.device_of(to_backend([1.0]))):
        pytest.skip(f"{backend.name}: no float64 on the test device")
    x = Variable(to_backend(np.array([1.5, -2.0, 0.5], dtype=np.float32)))
    f64 = to_backend(np.zeros(1)).dtype
    y = F.prod(x, dtype=f64)
    s = F.cumulative_sum(x, dtype=f64)
    assert y.dtype == f64
    assert s.dtype == f64
    (y + F.sum(s)).backward()
    assert x.grad.dtype == x.dtype
    np.testing.assert_allclose(_np(backend, x.grad), [-1.0 + 3, 0.75 + 2, -3.0 + 1])


# -- sort and gathers ------------------------------------------------------------------
def test_sort_gives_each_tied_element_its_own_gradient(backend, to_backend):
    x = Variable(to_backend([1.0, 0.0, 1.0, -1.0]))
    y = F.sort(x)  # [-1, 0, 1 (from 0), 1 (from 2)]
    F.sum(y * to_backend([1.0, 2.0, 3.0, 4.0])).backward()
    np.testing.assert_allclose(_np(backend, x.grad), [3.0, 2.0, 4.0, 1.0])


def test_take_adds_the_gradients_of_repeated_indices(backend, to_backend):
    x = Variable(to_backend(np.arange(6.0).reshape(2, 3)))
    F.sum(F.take(x, to_backend(np.array([2, 0, 2, 2])), axis=1)).backward()
    np.testing.assert_allclose(_np(backend, x.grad), [[1.0, 0.0, 3.0]] * 2)


def test_take_along_axis_with_argsort_sorts(backend, to_backend, xp):
    a = np.array([[0.3, -1.0, 2.0], [1.0, 0.5, -0.5]])
    order = xp.argsort(to_backend(a), axis=1)
    y = F.take_along_axis(to_backend(a), order, axis=1)
    np.testing.assert_allclose(_np(backend, y), np.sort(a, axis=1))


def test_unstack_of_an_empty_axis_is_empty_and_unused_slices_get_zeros(
    backend, to_backend
):
    assert F.unstack(to_backend(np.zeros((0, 3)))) == ()
    x = Variable(to_backend(np.ones((3, 2))))
    F.sum(F.unstack(x)[1]).backward()
    np.testing.assert_array_equal(_np(backend, x.grad), [[0, 0], [1, 1], [0, 0]])


def test_repeat_counts_on_dask(dask_array):
    x = Variable(dask_array.from_array(np.arange(3.0)))
    y = F.repeat(x, np.array([2, 0, 1]))  # host counts: the length is known
    assert y.shape == (3,)
    F.sum(y).backward()
    np.testing.assert_array_equal(x.grad.data.compute(), [2.0, 0.0, 1.0])
    with pytest.raises(Unsupported, match=r"^repeat: an array of counts"):
        F.repeat(x, dask_array.from_array(np.array([2, 0, 1])))


# -- bad calls ----------------------------------------------------------------------
BAD = [
    (
        lambda x: F.take(x, np.array([0, 2]), axis=1),
        IndexError,
        r"take: indices along axis 1 of x \(shape \(3, 2\)\) must lie in \[-2, 2\)",
    ),
    (
        lambda x: F.take_along_axis(x, np.array([[-4]]), axis=0),
        IndexError,
        r"take_along_axis: indices along axis 0 .* got values from -4 to -4",
    ),
    (lambda x: F.take(x, np.array([0])), ValueError, r"take: axis=None needs a 1-D x"),
    (
        lambda x: F.take(x, np.array([0.5]), axis=0),
        TypeError,
        r"take: indices must be integers",
    ),
    (
        lambda x: F.take(x, np.array([[0]]), axis=0),
        ValueError,
        r"take: indices must be 1-D",
    ),
    (
        lambda x: F.take_along_axis(x, np.array([0])),
        ValueError,
        r"take_along_axis: x has shape",
    ),
    (lambda x: F.roll(x, (1, 2), axis=0), ValueError, r"roll: 2 shifts"),
    (
        lambda x: F.roll(x, (1, 2)),
        ValueError,
        r"roll: 2 shifts \(1, 2\) with axis=None",
    ),
    (lambda x: F.roll(x, 1.5), TypeError, r"roll: shift must be an int"),
    (lambda x: F.moveaxis(x, (0, 1), 0), ValueError, r"moveaxis: 2 source axes"),
    (lambda x: F.moveaxis(x, (0, 0), (0, 1)), ValueError, r"moveaxis: repeated axis"),
    (lambda x: F.permute_dims(x, (0, 0)), ValueError, r"transpose: axes \(0, 0\)"),
    (lambda x: F.repeat(x, -1), ValueError, r"repeat: repeats=-1 is negative"),
    (
        lambda x: F.repeat(x, np.array([1, 2]), axis=0),
        ValueError,
        r"repeat: repeats must be",
    ),
    (
        lambda x: F.repeat(x, np.array([1, -1, 1]), axis=0),
        ValueError,
        r"repeat: repeats hold negative",
    ),
    (lambda x: F.tile(x, (-1,)), ValueError, r"tile: repetitions \(-1,\)"),
    (lambda x: F.unstack(x, axis=(0, 1)), TypeError, r"unstack: takes one axis"),
    (
        lambda x: F.broadcast_arrays(x, np.zeros(5)),
        ValueError,
        r"broadcast_arrays: shapes",
    ),
    (lambda x: F.sort(F.sum(x)), ValueError, r"sort: got a 0-d input"),
    (
        lambda x: F.cumulative_sum(x),
        ValueError,
        r"cumulative_sum: axis=None needs a 1-D",
    ),
    (
        lambda x: F.cumulative_prod(x, axis=2),
        ValueError,
        r"cumulative_prod: axis 2 is out",
    ),
    (lambda x: F.diff(x, n=-1), ValueError, r"diff: n=-1 must be an int >= 0"),
    (lambda x: F.flip(x, axis=(0, 0)), ValueError, r"flip: repeated axis"),
    (lambda x: F.prod(x, axis=3), ValueError, r"prod: axis 3 is out of range"),
]


@pytest.mark.parametrize(
    ("call", "error", "message"),
    BAD,
    ids=[b[2].split(":")[0] + str(i) for i, b in enumerate(BAD)],
)
def test_bad_calls_name_the_function_and_the_fix(
    call, error, message, backend, to_backend
):
    x = Variable(to_backend(np.zeros((3, 2))))
    with pytest.raises(error, match="^" + message):
        backend.to_numpy(call(x).data)  # Dask checks index values when computing


def test_sort_refuses_complex_input():
    with pytest.raises(TypeError, match=r"^sort: got complex input"):
        F.sort(np.array([1j, 2.0]))
    with pytest.raises(TypeError, match=r"^Var: got complex input"):
        F.var(np.array([1j, 2.0]))


def test_permute_dims_is_transpose_with_axes_required():
    x = Variable(np.zeros((2, 3, 4)))
    assert F.permute_dims(x, (2, 0, 1)).shape == (4, 2, 3)
    with pytest.raises(TypeError):
        F.permute_dims(x)  # type: ignore[call-arg]
    assert xgrad.functions.transpose(x, (2, 0, 1)).shape == (4, 2, 3)


def test_roll_of_no_axes_and_diff_of_order_zero_keep_the_values(backend, to_backend):
    a = np.array([[1.0, 2.0], [3.0, 4.0]])
    np.testing.assert_array_equal(_np(backend, F.roll(to_backend(a), (), axis=())), a)
    np.testing.assert_array_equal(_np(backend, F.roll(to_backend(a), 3, axis=())), a)
    joined = F.diff(to_backend(a), n=0, prepend=to_backend(a[:, :1]))
    np.testing.assert_array_equal(_np(backend, joined), [[1, 1, 2], [3, 3, 4]])
