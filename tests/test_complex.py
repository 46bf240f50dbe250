"""Complex gradients: one convention, ``z.grad = dL/dx + 1j * dL/dy`` (docs/complex.md).

Each op's complex gradient against central differences and PyTorch is in the
op table (tests/op_cases/table_complex.py); these are the rules around them.
"""

from __future__ import annotations

import numpy as np
import pytest

import xgrad.functions as F
from xgrad import Variable
from xgrad.backprop import walk
from xgrad.functional import grad
from xgrad.functions.transfer import Cast

Z = np.array([1 + 2j, 3 - 1j, -0.5 + 0.25j])


def test_holomorphic_ops_and_abs_agree_on_one_convention(backend, to_backend):
    """The probe of the bug: exp used f'(z), abs used z/|z|, so |exp(z)| was wrong."""
    z = Variable(to_backend(Z))
    F.sum(F.abs(F.exp(z))).backward()  # |exp(x + iy)| = exp(x)
    np.testing.assert_allclose(
        backend.to_numpy(z.grad.data), np.exp(Z.real), atol=1e-12
    )


def test_gradient_descent_on_a_complex_parameter_converges(backend, to_backend):
    target = to_backend(np.array([2 - 1j, -1 + 3j]))
    z = Variable(to_backend(np.zeros(2, dtype=complex)))
    for _ in range(100):
        z.cleargrad()
        F.sum(F.abs(z - target) ** 2).backward()
        z.data = z.data - 0.1 * z.grad.data
    np.testing.assert_allclose(backend.to_numpy(z.data), backend.to_numpy(target))


def test_a_complex_output_needs_its_seed(backend, to_backend):
    y = F.exp(Variable(to_backend(Z)))
    with pytest.raises(TypeError, match=r"^backward: the output is complex .*y\.grad"):
        y.backward()
    y.grad = Variable(to_backend(np.ones(3) * (1 - 1j)))  # the loss sum(Re(y) - Im(y))
    y.backward()
    assert y.creator.inputs[0].grad is not None


def test_the_functional_transforms_refuse_complex_values():
    with pytest.raises(TypeError, match=r"output 0 has dtype complex128"):
        grad(lambda x: F.sum(x * (1 + 2j)))(np.array([1.0, 2.0]))


def test_a_real_input_of_a_mixed_op_gets_a_real_gradient(backend, to_backend):
    x = Variable(to_backend(np.array([1.0, 2.0, 3.0], dtype=np.float32)))
    w = to_backend(Z.astype(np.complex64))
    F.sum(F.imag(x * w) + F.real(x + w)).backward()  # Im(w) x + x
    assert x.grad.dtype == x.dtype
    np.testing.assert_allclose(backend.to_numpy(x.grad.data), Z.imag + 1, rtol=1e-6)


def test_casts_between_real_and_complex_carry_the_gradient(backend, to_backend):
    xp = backend.xp
    x = Variable(to_backend(np.array([0.5, -1.0])))
    z = Cast(xp.complex128)(x) * (1 + 2j)  # real to complex: the gradient's real part
    F.sum(F.real(z) + F.imag(z)).backward()  # 3 x
    np.testing.assert_allclose(backend.to_numpy(x.grad.data), [3.0, 3.0])
    w = Variable(to_backend(Z))
    F.sum(Cast(xp.float64)(w) * 2.0).backward()  # complex to real keeps the real part
    np.testing.assert_allclose(backend.to_numpy(w.grad.data), np.full(3, 2 + 0j))


def test_second_derivatives_of_a_complex_loss(backend, to_backend):
    """d/dz of the gradient of |z|**4 = (x**2 + y**2)**2: the gradient is
    4 |z|**2 z, and <gradient, 1> = 4 |z|**2 (x + y)."""
    z = Variable(to_backend(Z))
    F.sum(F.abs(z) ** 4).backward(create_graph=True)
    g = z.grad
    np.testing.assert_allclose(backend.to_numpy(g.data), 4 * np.abs(Z) ** 2 * Z)
    z.cleargrad()
    F.sum(F.real(g) + F.imag(g)).backward()
    x, y = Z.real, Z.imag  # d/dx and d/dy of 4 (x**2 + y**2) (x + y)
    dx = 8 * x * (x + y) + 4 * (x**2 + y**2)
    dy = 8 * y * (x + y) + 4 * (x**2 + y**2)
    np.testing.assert_allclose(backend.to_numpy(z.grad.data), dx + 1j * dy)


def test_the_namespace_records_real_imag_conj_and_complex_casts(backend, to_backend):
    x = Variable(to_backend(np.array([0.5, 2.0])))
    xp = x.__array_namespace__()
    z = xp.astype(x, xp.complex128) * (2 - 1j)
    loss = xp.sum(xp.real(xp.conj(z)) + xp.imag(z))  # 2x - x
    loss.backward()
    np.testing.assert_allclose(backend.to_numpy(x.grad.data), [1.0, 1.0])


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda z: F.conv2d(z, np.ones((1, 1, 1, 1))),
            r"^conv2d: no gradient for complex",
        ),
    ],
)
def test_ops_without_a_complex_gradient_refuse_it_by_name(call, message):
    z = Variable(np.ones((1, 1, 2, 2)) * (1 + 1j))
    y = call(z)
    with pytest.raises(TypeError, match=message):
        F.sum(F.real(y)).backward()


def test_real_numbers_take_no_conjugation():
    x = Variable(np.array([1.0, 2.0]))
    F.sum(F.sin(F.exp(x)) * x).backward(create_graph=True)
    recorded = {type(f).__name__ for f in walk([x.grad])}
    assert "Mul" in recorded
    assert "Conj" not in recorded


def test_a_complex_dtype_first_met_by_an_op_with_no_domain_is_conjugated(
    backend, to_backend
):
    """matmul and linear accept any dtype, so no domain check has classified
    complex numbers before their backward asks (the table starts empty)."""
    backend.kinds.clear()  # a cache of dtype kinds, refilled as dtypes come
    a = Variable(to_backend(Z[None, :]))
    w = to_backend(np.array([[1j], [2.0], [1 - 1j]]))
    y = F.linear(a, w)
    y.grad = Variable(to_backend(np.ones((1, 1), dtype=complex)))  # the loss Re(y)
    y.backward()
    np.testing.assert_allclose(
        backend.to_numpy(a.grad.data), np.conj([[1j, 2.0, 1 - 1j]])
    )
