"""The fft extension: identities, dtypes, Dask's chunks, the namespace, errors.

Values and gradients of every transform, on every backend, are the op
table's rows (tests/op_cases/table_fft.py); these are the cases around them.
"""

from __future__ import annotations

import numpy as np
import pytest

import xgrad.functions as F
from xgrad import Constant, Variable


def test_ifft_undoes_fft_and_its_gradient_is_the_identity(backend, to_backend, rng):
    x = Variable(to_backend(rng.standard_normal(6) + 1j * rng.standard_normal(6)))
    y = F.ifft(F.fft(x))
    np.testing.assert_allclose(backend.to_numpy(y.data), backend.to_numpy(x.data))
    F.sum(F.real(y) + F.imag(y) * 0.5).backward()
    np.testing.assert_allclose(backend.to_numpy(x.grad.data), np.full(6, 1 + 0.5j))


def test_parseval_with_the_orthonormal_transform(backend, to_backend, rng):
    a = rng.standard_normal((2, 5))
    x = Variable(to_backend(a))
    energy = F.sum(F.abs(F.fftn(x, norm="ortho")) ** 2)  # = sum(x**2)
    energy.backward()
    np.testing.assert_allclose(float(energy.data), np.sum(a**2))
    np.testing.assert_allclose(backend.to_numpy(x.grad.data), 2 * a, atol=1e-12)


def test_a_real_signal_gets_a_real_gradient_in_its_own_precision(backend, to_backend):
    x = Variable(to_backend(np.arange(5.0, dtype=np.float32)))
    y = F.fft(x)
    assert backend.xp.isdtype(y.dtype, "complex floating")
    assert backend.xp.finfo(y.dtype).bits == 32  # complex64
    F.sum(F.abs(y)).backward()
    assert x.grad.dtype == x.dtype


@pytest.mark.parametrize("n", [6, 7])
def test_irfft_of_rfft_is_the_signal_at_even_and_odd_lengths(
    n, backend, to_backend, rng
):
    a = rng.standard_normal((3, n))
    x = Variable(to_backend(a))
    y = F.irfft(F.rfft(x), n=n)
    np.testing.assert_allclose(backend.to_numpy(y.data), a, atol=1e-12)
    F.sum(y * y).backward()
    np.testing.assert_allclose(backend.to_numpy(x.grad.data), 2 * a, atol=1e-12)


def test_the_edge_bins_imaginary_parts_get_no_gradient(backend, to_backend):
    """irfft reads only the real part of the zero and Nyquist bins: no real
    signal has an imaginary part there."""
    z = Variable(to_backend(np.array([1 + 2j, 3 - 1j, 2 + 5j])))
    F.sum(F.irfft(z) * to_backend(np.arange(4.0))).backward()
    grad = backend.to_numpy(z.grad.data)
    assert grad[0].imag == 0
    assert grad[-1].imag == 0
    assert grad[1].imag != 0


@pytest.mark.parametrize("n", [4, 5])
def test_fftshift_and_ifftshift_undo_each_other(n, backend, to_backend):
    x = to_backend(np.arange(float(n)))
    shifted = F.fftshift(x)
    np.testing.assert_array_equal(
        backend.to_numpy(shifted.data), np.fft.fftshift(np.arange(n))
    )
    np.testing.assert_array_equal(
        backend.to_numpy(F.ifftshift(shifted).data), np.arange(n)
    )


def test_frequencies_are_constants_on_the_device_asked(backend, to_backend):
    like = Variable(to_backend(np.zeros(1)))  # on the test device
    f = F.fftfreq(8, d=0.1, device=like.device)
    assert isinstance(f, Constant)
    np.testing.assert_allclose(backend.to_numpy(f.data), np.fft.fftfreq(8, d=0.1))
    assert backend.device_of(f.data) == backend.device_of(like.data)
    np.testing.assert_allclose(F.rfftfreq(8).data, np.fft.rfftfreq(8))


def test_the_namespace_routes_fft_to_the_differentiable_functions(
    backend, to_backend, rng
):
    a = rng.standard_normal(8)
    x = Variable(to_backend(a))
    xp = x.__array_namespace__()
    power = xp.sum(xp.abs(xp.fft.rfft(x)) ** 2)
    power.backward()
    assert x.grad is not None
    freqs = xp.fft.fftfreq(8)
    assert isinstance(freqs, Constant)


def test_dask_rechunks_the_transformed_axes_and_stays_lazy(dask_array, rng):
    a = rng.standard_normal((4, 6))
    x = Variable(dask_array.from_array(a, chunks=(2, 3)))
    y = F.rfft(x, axis=1)
    assert y.data.chunks[0] == (2, 2)  # the other axis keeps its chunks
    F.sum(F.abs(y)).backward()
    np.testing.assert_allclose(y.data.compute(), np.fft.rfft(a, axis=1))
    want = Variable(a)
    F.sum(F.abs(F.rfft(want, axis=1))).backward()
    np.testing.assert_allclose(x.grad.data.compute(), want.grad.data)


# -- errors: they name the function and the fix ---------------------------------------
@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda x: F.fft(x, norm="none"), r"^fft: norm='none' is none of"),
        (lambda x: F.fftn(x, axes=(0, 2)), r"^fftn: axis 2 is out of range .*\(3, 4\)"),
        (lambda x: F.ifftn(x, axes=(0, -2)), r"^ifftn: axes \(0, 0\) repeat an axis"),
        (lambda x: F.rfftn(x, s=(4,), axes=(0, 1)), r"^rfftn: s=\(4,\) gives 1 sizes"),
        (lambda x: F.irfft(x, n=0), r"^irfft: sizes must be positive"),
        (lambda x: F.irfft(x[:, :1]), r"^irfft: a half spectrum of 1 bin"),
        (lambda x: F.fftfreq(0), r"^fftfreq: n must be a positive integer"),
    ],
)
def test_bad_arguments_are_refused_by_name(call, message):
    with pytest.raises(ValueError, match=message):
        call(Variable(np.ones((3, 4))))


def test_rfft_of_complex_input_says_to_use_fft():
    with pytest.raises(TypeError, match=r"^rfft: takes a real signal.*use fft"):
        F.rfft(np.ones(4) * 1j)
