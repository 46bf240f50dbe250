"""The array API standard's elementwise functions beyond the op table.

The op table (tests/op_cases/table_elementwise.py) checks values, gradients
and second derivatives at ordinary points; here: the standard's special
values (signed zeros, infinities, NaN outside a domain), the conventions at
singular points (the origin of ``hypot`` and ``atan2``, ties of
``logaddexp``, ``clip``'s bounds), magnitudes where naive formulas overflow,
integer input of the rounding family, weak Python scalars, signatures, and
the errors of bad calls.
"""

from __future__ import annotations

import inspect
import math

import numpy as np
import pytest

import xgrad.functions as F
from xgrad import Variable

UNARY = ["acos", "acosh", "asin", "asinh", "atan", "atanh", "cosh", "sinh",
         "log2", "log10", "reciprocal", "floor", "ceil", "round", "trunc", "sign"]  # fmt: skip
BINARY = ["atan2", "hypot", "copysign", "logaddexp", "remainder", "floor_divide"]
STEPS = ["floor", "ceil", "round", "trunc", "sign"]
INF, NAN = math.inf, math.nan


def values(v: Variable) -> np.ndarray:
    return v.backend.to_numpy(v.data)


def gradients(f, *arrays, to_backend) -> list[np.ndarray]:
    """The gradient of ``sum(f(*arrays))`` for each input, as NumPy arrays."""
    xs = [Variable(to_backend(np.asarray(a, dtype=np.float64))) for a in arrays]
    f(*xs).backward()  # seeds ones: the gradient of the sum
    return [values(x.grad) for x in xs]


# -- signatures -------------------------------------------------------------------------
@pytest.mark.parametrize("name", UNARY + BINARY)
def test_signatures_are_the_standards(name):
    params = list(inspect.signature(getattr(F, name)).parameters.values())
    want = ["x"] if name in UNARY else ["x1", "x2"]
    assert [p.name for p in params] == want
    assert all(p.kind is p.POSITIONAL_ONLY for p in params)


def test_clip_takes_the_standards_keywords_and_the_books():
    params = inspect.signature(F.clip).parameters
    assert params["x"].kind is inspect.Parameter.POSITIONAL_ONLY
    assert params["min"].default is None
    assert params["max"].default is None
    x = np.array([-2.0, 0.5, 2.0])
    want = [-1.0, 0.5, 1.0]
    for y in (F.clip(x, -1, 1), F.clip(x, min=-1, max=1), F.clip(x, x_min=-1, x_max=1)):
        np.testing.assert_array_equal(y.data, want)
    with pytest.raises(TypeError, match=r"clip: got both min= and x_min="):
        F.clip(x, -1, x_min=-1)


# -- special values ---------------------------------------------------------------------
def test_atan2_follows_the_standards_signed_zeros_and_infinities(to_backend):
    x1 = [0.0, -0.0, 0.0, -0.0, 1.0, -1.0, INF, INF, -INF, 1.0, -1.0, NAN]
    x2 = [0.0, 0.0, -0.0, -0.0, 0.0, -0.0, INF, -INF, 2.0, -INF, -INF, 1.0]
    got = values(F.atan2(to_backend(np.array(x1)), to_backend(np.array(x2))))
    want = [math.atan2(a, b) for a, b in zip(x1, x2, strict=True)]
    np.testing.assert_array_equal(got, want)
    np.testing.assert_array_equal(np.signbit(got), np.signbit(want))


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # NumPy warns outside a domain
@pytest.mark.parametrize(
    ("name", "outside", "edge", "slope"),
    [
        ("acos", 1.5, 1.0, -INF),
        ("asin", -1.5, -1.0, INF),
        ("atanh", 2.0, 1.0, INF),  # 1 / (1 - x**2) is finite beyond: PyTorch's too
        ("acosh", 0.5, 1.0, INF),
    ],
)
def test_outside_a_domain_nan_and_at_its_edge_an_infinite_slope(
    name, outside, edge, slope, to_backend
):
    x = Variable(to_backend(np.array([outside, edge])))
    y = getattr(F, name)(x)
    F.sum(y).backward()
    assert np.isnan(values(y)[0])
    assert np.isnan(values(x.grad)[0]) or name == "atanh"
    assert values(x.grad)[1] == slope


def test_logaddexp_stays_finite_where_exp_overflows(to_backend):
    for dtype, big in ((np.float64, 1000.0), (np.float32, 100.0)):
        y = F.logaddexp(
            to_backend(np.array([big], dtype)), to_backend(np.array([big], dtype))
        )
        assert y.dtype == to_backend(np.array([big], dtype)).dtype
        np.testing.assert_allclose(values(y), [big + math.log(2)], rtol=1e-6)


def test_logaddexp_gradients_at_infinities_are_shares_not_nan(to_backend):
    x1 = [-INF, INF, INF, 3.0, -INF]
    x2 = [-INF, INF, 5.0, -INF, 2.0]
    y = values(F.logaddexp(to_backend(np.array(x1)), to_backend(np.array(x2))))
    np.testing.assert_array_equal(y, [-INF, INF, INF, 3.0, 2.0])
    g1, g2 = gradients(F.logaddexp, x1, x2, to_backend=to_backend)
    np.testing.assert_array_equal(g1, [0.5, 0.5, 1.0, 1.0, 0.0])
    np.testing.assert_array_equal(g2, [0.5, 0.5, 0.0, 0.0, 1.0])


def test_logaddexp_gradient_keeps_its_digits_in_the_tails(to_backend):
    _, g2 = gradients(F.logaddexp, [5.0], [-700.0], to_backend=to_backend)
    np.testing.assert_allclose(g2, [math.exp(-705.0)], rtol=1e-12)


def test_hypot_does_not_overflow_and_its_gradient_neither(to_backend):
    x1 = Variable(to_backend(np.array([3e30, 3e-30], np.float32)))
    x2 = Variable(to_backend(np.array([4e30, 4e-30], np.float32)))
    y = F.hypot(x1, x2)
    F.sum(y).backward()
    np.testing.assert_allclose(values(y), [5e30, 5e-30], rtol=1e-6)
    np.testing.assert_allclose(values(x1.grad), [0.6, 0.6], rtol=1e-6)
    np.testing.assert_allclose(values(x2.grad), [0.8, 0.8], rtol=1e-6)


def test_hypot_and_atan2_have_a_zero_gradient_at_the_origin(to_backend):
    for f in (F.hypot, F.atan2):
        g1, g2 = gradients(f, [0.0, 3.0], [0.0, 4.0], to_backend=to_backend)
        assert (g1[0], g2[0]) == (0.0, 0.0), f.__name__
    g1, g2 = gradients(F.atan2, [3e300], [4e300], to_backend=to_backend)
    np.testing.assert_allclose([g1[0], g2[0]], [0.8 / 5e300, -0.6 / 5e300])


def test_copysign_gradient_flips_with_the_sign_and_is_zero_at_zero(to_backend):
    x1, x2 = [2.0, -2.0, 2.0, 0.0, -3.0], [1.0, 1.0, -0.0, -1.0, -INF]
    y = F.copysign(to_backend(np.array(x1)), to_backend(np.array(x2)))
    np.testing.assert_array_equal(values(y), [2.0, 2.0, -2.0, -0.0, -3.0])
    g1, g2 = gradients(F.copysign, x1, x2, to_backend=to_backend)
    np.testing.assert_array_equal(g1, [1.0, -1.0, -1.0, 0.0, 1.0])
    np.testing.assert_array_equal(g2, np.zeros(5))


def test_remainder_has_the_divisors_sign_and_gradient_minus_the_quotient(to_backend):
    x1, x2 = [5.5, -5.5, 7.0], [2.0, 2.0, -3.0]
    y = F.remainder(to_backend(np.array(x1)), to_backend(np.array(x2)))
    np.testing.assert_array_equal(values(y), [1.5, 0.5, -2.0])
    g1, g2 = gradients(F.remainder, x1, x2, to_backend=to_backend)
    np.testing.assert_array_equal(g1, [1.0, 1.0, 1.0])
    np.testing.assert_array_equal(g2, [-2.0, 3.0, 3.0])  # -floor_divide(x1, x2)


@pytest.mark.parametrize("name", STEPS)
def test_step_gradients_are_zero_even_for_an_infinite_upstream(name, to_backend):
    x = Variable(to_backend(np.array([-1.5, 0.0, 2.5])))
    y = getattr(F, name)(x)
    y.grad = Variable(to_backend(np.array([INF, 1.0, NAN])))
    y.backward()
    np.testing.assert_array_equal(values(x.grad), [0.0, 0.0, 0.0])


def test_round_takes_halves_to_even(to_backend):
    y = F.round(to_backend(np.array([0.5, 1.5, 2.5, -0.5, -2.5])))
    np.testing.assert_array_equal(values(y), [0.0, 2.0, 2.0, -0.0, -2.0])


# -- integer input ----------------------------------------------------------------------
@pytest.mark.parametrize("name", STEPS)
def test_integer_input_keeps_its_dtype_and_needs_no_gradient(name, to_backend):
    x = to_backend(np.array([-3, 0, 7]))
    y = getattr(F, name)(x)
    assert y.dtype == x.dtype
    assert not y.requires_grad  # made from data: nothing to differentiate
    np.testing.assert_array_equal(values(y), getattr(np, name)(np.array([-3, 0, 7])))


@pytest.mark.parametrize(
    ("name", "want"), [("remainder", [1, 1, -2]), ("floor_divide", [-4, 2, -3])]
)
def test_integer_division_stays_integer(name, want, to_backend):
    x1, x2 = to_backend(np.array([-7, 7, 7])), to_backend(np.array([2, 3, -3]))
    y = getattr(F, name)(x1, x2)
    assert y.dtype == x1.dtype
    assert not y.requires_grad
    np.testing.assert_array_equal(values(y), want)


def test_an_integer_array_and_a_float_give_floating(to_backend):
    y = F.remainder(to_backend(np.array([5, -5])), 2.5)
    assert y.backend.kinds[y.dtype] == "real floating"
    np.testing.assert_array_equal(values(y), [0.0, 0.0])
    y = F.atan2(
        to_backend(np.array([1, -1])), 1
    )  # floating functions: the default float
    np.testing.assert_allclose(values(y), [math.pi / 4, -math.pi / 4])


# -- weak Python scalars ----------------------------------------------------------------
@pytest.mark.parametrize("name", BINARY)
def test_python_scalars_on_either_side_keep_float32(name, to_backend):
    x = Variable(to_backend(np.array([[1.25, 2.5, 3.75]], np.float32)))
    for y in (getattr(F, name)(x, 2), getattr(F, name)(1.5, x)):
        assert y.dtype == x.dtype
        assert y.shape == x.shape
        F.sum(y).backward()
        assert x.grad.dtype == x.dtype
        assert x.grad.shape == x.shape
        x.cleargrad()


def test_gradients_sum_back_to_each_inputs_shape(to_backend):
    x1 = Variable(to_backend(np.array([[0.5], [1.5]])))
    x2 = Variable(to_backend(np.array([1.0, -2.0, 3.0])))
    for name in BINARY:
        F.sum(getattr(F, name)(x1, x2)).backward()
        assert (x1.grad.shape, x2.grad.shape) == ((2, 1), (3,)), name
        x1.cleargrad(), x2.cleargrad()


# -- clip with array bounds -------------------------------------------------------------
def test_clip_bounds_broadcast_and_take_the_gradient_where_they_win(to_backend):
    x = Variable(to_backend(np.array([-2.0, 0.5, 2.0, 1.0])))
    lo = Variable(to_backend(np.array([-1.0, -1.0, -1.0, 1.0])))  # ties x at the end
    hi = Variable(to_backend(np.array([[1.5], [3.0]])))
    y = F.clip(x, lo, hi)
    np.testing.assert_array_equal(
        values(y), [[-1.0, 0.5, 1.5, 1.0], [-1.0, 0.5, 2.0, 1.0]]
    )
    F.sum(y).backward()
    np.testing.assert_array_equal(values(x.grad), [0.0, 2.0, 1.0, 2.0])  # ties: x's
    np.testing.assert_array_equal(values(lo.grad), [2.0, 0.0, 0.0, 0.0])
    np.testing.assert_array_equal(values(hi.grad), [[1.0], [0.0]])


def test_clip_where_min_exceeds_max_gives_max_its_value_and_gradient(to_backend):
    x, lo, hi = Variable(to_backend(np.array([0.0, 5.0]))), Variable(to_backend(np.array(3.0))), Variable(to_backend(np.array(1.0)))  # fmt: skip
    y = F.clip(x, lo, hi)
    F.sum(y).backward()
    np.testing.assert_array_equal(values(y), [1.0, 1.0])
    assert values(hi.grad) == 2.0
    assert values(lo.grad) == 0.0
    np.testing.assert_array_equal(values(x.grad), [0.0, 0.0])
    np.testing.assert_array_equal(
        values(F.clip(x, 3.0, 1.0)), [1.0, 1.0]
    )  # numbers too


def test_clip_propagates_nan_from_x_and_bounds(to_backend):
    x = Variable(to_backend(np.array([NAN, 0.5, 0.5])))
    lo = to_backend(np.array([0.0, NAN, 0.0]))  # a plain array: a constant bound
    y = F.clip(x, lo, 1.0)
    assert np.isnan(values(y)).tolist() == [True, True, False]
    F.sum(y).backward()
    np.testing.assert_array_equal(values(x.grad), [0.0, 0.0, 1.0])


# -- bad input --------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["floor", "round", "sign"])
def test_bool_input_is_refused_with_the_fix(name):
    with pytest.raises(TypeError, match=r"got a bool array .* xp.astype\(x, xp.int8\)"):
        getattr(F, name)(np.array([True, False]))


def test_complex_input_is_refused_where_the_standard_has_real_numbers_only():
    with pytest.raises(
        TypeError, match=r"Floor: got complex input .* real numbers only"
    ):
        F.floor(np.array([1 + 2j]))


@pytest.mark.parametrize(
    ("name", "numpy", "derivative"),
    [
        ("acos", np.arccos, lambda z: -1 / np.sqrt(1 - z * z)),
        ("sinh", np.sinh, np.cosh),
        ("log10", np.log10, lambda z: 1 / (z * np.log(10))),
        ("reciprocal", np.reciprocal, lambda z: -1 / (z * z)),
    ],
)
def test_complex_gradients_are_conjugate_derivatives(name, numpy, derivative):
    x = Variable(np.array([0.5 + 0.5j]))
    y = getattr(F, name)(x)
    np.testing.assert_allclose(y.data, numpy(x.data))
    F.real(y).backward()  # holomorphic: grad of Re(f) is conj(f'(z))
    np.testing.assert_allclose(x.grad.data, np.conj(derivative(x.data)))


def test_complex_sign_is_differentiable_as_x_over_its_magnitude():
    x = Variable(np.array([0.5 + 0.5j, 0j]))
    with np.errstate(invalid="ignore"):  # array-api-compat's sign divides 0 by 0
        y = F.sign(x)
    np.testing.assert_allclose(y.data, np.sign(x.data))
    F.sum(F.imag(y)).backward()  # d Im(z / |z|) along x and y; 0 at 0
    z, r = x.data[0], abs(x.data[0])
    want = (1j - np.conj(1j) * (z / r) ** 2) / (2 * r)
    np.testing.assert_allclose(x.grad.data, [want, 0])


def test_shapes_that_do_not_broadcast_name_the_function_and_the_fix():
    with pytest.raises(
        ValueError, match=r"Hypot: .*\(2, 3\) and \(4,\) do not broadcast"
    ):
        F.hypot(np.ones((2, 3)), np.ones(4))
    with pytest.raises(ValueError, match=r"ClipBetween: .*do not broadcast"):
        F.clip(np.ones((2, 3)), np.zeros(4), 1.0)
