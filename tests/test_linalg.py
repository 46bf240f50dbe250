"""The linear-algebra functions beyond the op table: stacks, named results,
singular and degenerate points, refused gradients, bad calls, and Dask.

The op table (tests/op_cases/table_linalg.py) checks values, gradients and
second derivatives of each function at fixed and drawn points; here are the
cases a row cannot state.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import xgrad
import xgrad.functions as F
from xgrad import Variable


def _values(v: Variable) -> np.ndarray:
    return v.backend.to_numpy(v.data)


def _spd(rng: np.random.Generator, *stack: int, n: int = 3) -> np.ndarray:
    x = rng.normal(size=(*stack, n, n))
    return x @ np.swapaxes(x, -1, -2) + n * np.eye(n)


# -- stacks: each matrix on its own ---------------------------------------------------
def test_a_stack_gives_each_matrix_its_own_result_and_gradient(to_backend, rng):
    a = _spd(rng, 2, 3)  # a 2 x 3 stack of 3 x 3 matrices
    x = Variable(to_backend(a))
    F.sum(F.det(x)).backward()
    for i in range(2):
        for j in range(3):
            one = Variable(to_backend(a[i, j]))
            F.det(one).backward()
            np.testing.assert_allclose(_values(x.grad)[i, j], _values(one.grad))


def test_solve_broadcasts_the_stack_axes_and_takes_a_vector(to_backend, rng):
    a, b = _spd(rng, 2, 1), rng.normal(size=(4, 3, 2))
    got = F.solve(to_backend(a), to_backend(b))
    assert got.shape == (2, 4, 3, 2)
    np.testing.assert_allclose(_values(got), np.linalg.solve(a, b))
    vector = F.solve(to_backend(a[0, 0]), to_backend(b[0, :, 0]))
    assert vector.shape == (3,)
    np.testing.assert_allclose(_values(vector), np.linalg.solve(a[0, 0], b[0, :, 0]))


# -- named results ----------------------------------------------------------------------
def test_decompositions_return_the_standards_named_tuples(to_backend, rng):
    a_np = _spd(rng, 2)
    a = to_backend(a_np)
    w, v = F.eigh(a)
    assert F.eigh(a).eigenvalues.shape == w.shape == (2, 3)
    assert F.eigh(a).eigenvectors.shape == v.shape == (2, 3, 3)
    assert F.svd(a).S.shape == (2, 3)
    assert F.svd(a).Vh.shape == (2, 3, 3)
    assert F.qr(a).R.shape == (2, 3, 3)
    sign, logabsdet = F.slogdet(a)
    np.testing.assert_array_equal(_values(F.slogdet(a).sign), _values(sign))
    np.testing.assert_allclose(_values(logabsdet), np.linalg.slogdet(a_np).logabsdet)


def test_only_the_log_of_slogdet_has_a_gradient(to_backend, rng):
    a = _spd(rng)
    x = Variable(to_backend(a))
    sign, logabsdet = F.slogdet(x)
    F.sum(sign * 3.0 + logabsdet).backward()  # the sign is piecewise constant
    np.testing.assert_allclose(_values(x.grad), np.linalg.inv(a).T)


# -- singular and degenerate points ------------------------------------------------------
# (a negative finite order is left out: NumPy warns on 0 ** -p in its forward)
@pytest.mark.parametrize("ord", [2, 1, 3, 0.5, 0, math.inf, -math.inf])
def test_the_norm_of_a_zero_vector_has_a_zero_gradient(to_backend, ord):
    x = Variable(to_backend(np.zeros((2, 3))))
    F.sum(F.vector_norm(x, axis=-1, ord=ord)).backward()
    np.testing.assert_array_equal(_values(x.grad), np.zeros((2, 3)))


def test_the_second_derivative_at_a_zero_vector_is_finite(to_backend):
    x = Variable(to_backend(np.zeros(3)))
    F.vector_norm(x).backward(create_graph=True)
    g = x.grad
    x.cleargrad()
    F.sum(g * g).backward()
    assert np.isfinite(_values(x.grad)).all()


def test_repeated_eigenvalues_keep_a_finite_eigenvalue_gradient(to_backend):
    x = Variable(to_backend(np.eye(3) * 2.0))  # one eigenvalue, three times
    F.sum(F.eigvalsh(x) * to_backend(np.array([1.0, 1.0, 1.0]))).backward()
    np.testing.assert_allclose(_values(x.grad), np.eye(3), atol=1e-12)


def test_the_determinants_gradient_at_a_singular_matrix_raises(backend):
    if backend.name != "numpy":
        pytest.skip("the error is the library's: NumPy's LinAlgError here")
    x = Variable(np.array([[1.0, 2.0], [2.0, 4.0]]))
    y = F.det(x)
    assert _values(y) == pytest.approx(0.0)
    with pytest.raises(np.linalg.LinAlgError):
        y.backward()  # det(x) x^-T: no inverse, no silent NaN


def test_pinv_of_a_rank_deficient_matrix(to_backend):
    a = np.outer([1.0, 2.0, 3.0], [1.0, -1.0])  # rank 1
    np.testing.assert_allclose(_values(F.pinv(to_backend(a))), np.linalg.pinv(a))


# -- gradients that do not exist are refused ------------------------------------------
def test_qr_refuses_the_gradient_of_a_wide_matrix(to_backend, rng):
    x = Variable(to_backend(rng.normal(size=(2, 3))))
    q, r = F.qr(x)
    assert q.shape == (2, 2)
    assert r.shape == (2, 3)
    with pytest.raises(NotImplementedError, match=r"^qr: the gradient is defined for"):
        F.sum(r).backward()


def test_full_svd_of_a_non_square_matrix_differentiates_S_only(to_backend, rng):
    a = rng.normal(size=(4, 3))
    x = Variable(to_backend(a))
    u, s, vh = F.svd(x)
    assert u.shape == (4, 4)
    assert vh.shape == (3, 3)
    F.sum(s).backward()
    thin_u, _, thin_vh = np.linalg.svd(a, full_matrices=False)
    np.testing.assert_allclose(_values(x.grad), thin_u @ thin_vh)  # U diag(1) Vh
    x.cleargrad()
    with pytest.raises(NotImplementedError, match=r"^svd: with full_matrices=True"):
        F.sum(F.svd(x).U).backward()


def test_eigenvectors_alone_can_be_differentiated(to_backend, rng):
    """The eigenvalues dropped: backward computes them again."""
    a = _spd(rng)
    x = Variable(to_backend(a))
    v = F.eigh(x).eigenvectors
    F.sum(v * v * to_backend(np.arange(3.0))).backward()
    assert np.isfinite(_values(x.grad)).all()


# -- bad calls ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda x: F.det(x[:, :2]), r"^det: wants square matrices"),
        (lambda x: F.inv(x[0]), r"^inv: wants a matrix or a stack"),
        (lambda x: F.solve(x, x[:2]), r"^solve: x2 of shape \(2, 3\) does not fit"),
        (lambda x: F.matrix_norm(x, ord=3), r"^matrix_norm: ord must be one of"),
        (lambda x: F.qr(x, mode="r"), r"^qr: mode must be 'reduced' or 'complete'"),
        (lambda x: F.cross(x, x[:, :2]), r"^cross: the vectors along axis -1"),
        (lambda x: F.cross(x[:, :2], x[:, :2]), r"^cross: wants vectors of length 3"),
        (lambda x: F.vecdot(x, x[:2], axis=-2), r"^vecdot: the vectors along axis"),
        (lambda x: F.tensordot(x, x[:2], axes=1), r"^tensordot: axes \[1\] of shape"),
        (lambda x: F.tensordot(x, x, axes=3), r"^tensordot: axes=3 is more axes"),
        (lambda x: F.outer(x, x), r"^outer: wants two vectors"),
        (lambda x: F.vecdot(x, x, axis=2), r"^vecdot: axis 2 is out of range"),
    ],
)
def test_bad_calls_name_the_function_and_the_fix(to_backend, call, message):
    x = Variable(to_backend(np.arange(9.0).reshape(3, 3) + np.eye(3)))
    with pytest.raises(ValueError, match=message):
        call(x)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda x: F.vector_norm(x, ord="fro"), r"^vector_norm: ord must be a real"),
        (lambda x: F.matrix_power(x, 1.5), r"^matrix_power: n must be an int"),
        (lambda x: F.trace(x, dtype=np.float32), r"^trace: dtype=.* differs"),
    ],
)
def test_bad_options_name_the_function_and_the_fix(call, message):
    with pytest.raises(TypeError, match=message):
        call(Variable(np.eye(3)))


@pytest.mark.parametrize(
    "call",
    [F.inv, F.svd, F.vector_norm],
    ids=["inv", "svd", "vector_norm"],
)
def test_complex_input_is_refused_by_name(call):
    with pytest.raises(TypeError, match=r"^\w+: got complex input .*real matrices"):
        call(np.eye(2) * (1 + 1j))


def test_vecdot_conjugates_its_first_argument_as_the_standard_says():
    x1 = Variable(np.array([1 + 2j, 3 - 1j]))
    x2 = Variable(np.array([2 - 1j, 1j]))
    y = F.vecdot(x1, x2)
    np.testing.assert_allclose(y.data, np.vdot(x1.data, x2.data))
    F.real(y).backward()  # d Re(conj(x1) . x2) / d x1 = x2, / d x2 = x1
    np.testing.assert_allclose(x1.grad.data, x2.data)
    np.testing.assert_allclose(x2.grad.data, x1.data)


# -- Dask: lazy, chunk by chunk -----------------------------------------------------------
def test_dask_decomposes_a_chunked_stack_lazily(dask_array, rng):
    a = _spd(rng, 6)
    x = Variable(dask_array.from_array(a, chunks=(2, 3, 3)))
    w, _v = F.eigh(x)
    logdet = F.slogdet(x).logabsdet
    assert w.data.chunks[0] == (2, 2, 2)  # the stack keeps its chunks
    F.sum(logdet + F.sum(w, axis=-1)).backward()  # builds a graph, computes nothing
    (got,) = xgrad.compute(x.grad)
    want = np.linalg.inv(a).swapaxes(-1, -2) + np.eye(3)  # d(logdet + trace)
    np.testing.assert_allclose(got, want, rtol=1e-12)


def test_dask_takes_matrices_split_across_chunks(dask_array, rng):
    a = _spd(rng, n=4)
    x = Variable(dask_array.from_array(a, chunks=(2, 2)))
    np.testing.assert_allclose(_values(F.inv(x)), np.linalg.inv(a), rtol=1e-12)
