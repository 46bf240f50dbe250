"""The special functions and the transformer's functions beyond the op table.

The op table (tests/op_cases/table.py) checks each at a few points; here:
erf against ``math.erf`` over the whole real line, tails included, in float64
and float32; log1p and expm1 where the naive forms lose every digit;
softplus and gelu at magnitudes where naive forms overflow; layer_norm's
third derivative; attention's masks; and the errors of bad calls.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import xgrad
import xgrad.functions as F
from xgrad import Variable
from xgrad.testing import gradgradcheck

# The whole range where erf is not yet 1 in float64, with the points where the
# default splits its series from its continued fraction, tiny and huge values.
POINTS = np.concatenate(
    [
        np.linspace(-7.0, 7.0, 20001),
        np.geomspace(1e-300, 1.0, 301),
        -np.geomspace(1e-300, 1.0, 301),
        [2.5, np.nextafter(2.5, 0), np.nextafter(2.5, 3), 30.0, -1e300, 0.0],
    ]
)


def _values(v: Variable) -> np.ndarray:
    return v.backend.to_numpy(v.data)


def test_erf_is_within_a_few_roundings_of_math_erf_everywhere(to_backend):
    want = np.array([math.erf(p) for p in POINTS])
    got = _values(F.erf(to_backend(POINTS)))
    relative = np.abs(got - want) / np.maximum(np.abs(want), 1e-300)
    assert relative.max() < 2e-15, f"worst at x = {POINTS[relative.argmax()]}"


def test_erf_in_float32_is_within_float32_rounding(to_backend):
    points = POINTS[np.abs(POINTS) < 1e30].astype(np.float32)
    want = np.array([math.erf(p) for p in points.astype(np.float64)])
    y = F.erf(to_backend(points))
    assert y.dtype == to_backend(points).dtype
    normal = np.abs(points) > np.finfo(np.float32).tiny  # subnormals lose digits
    relative = np.abs(_values(y) - want)[normal] / np.abs(want[normal])
    assert relative.max() < 1e-6


def test_erf_keeps_infinities_and_nan(to_backend):
    y = _values(F.erf(to_backend(np.array([-np.inf, np.inf, np.nan]))))
    np.testing.assert_array_equal(y[:2], [-1.0, 1.0])
    assert np.isnan(y[2])


def test_log1p_and_expm1_keep_the_digits_of_tiny_arguments(to_backend):
    x = to_backend(np.array([1e-20, -3e-17, 1e-10]))
    np.testing.assert_allclose(_values(F.log1p(x)), np.log1p([1e-20, -3e-17, 1e-10]))
    np.testing.assert_allclose(_values(F.expm1(x)), np.expm1([1e-20, -3e-17, 1e-10]))
    assert _values(F.log1p(x))[0] == 1e-20  # log(1 + x) would give 0


def test_softplus_silu_and_gelu_stay_finite_at_huge_inputs(to_backend):
    x = Variable(to_backend(np.array([-800.0, -40.0, 0.0, 40.0, 800.0])))
    for f in (F.softplus, F.silu, F.gelu, lambda v: F.gelu(v, approximate="tanh")):
        y = f(x)
        F.sum(y).backward()
        assert np.all(np.isfinite(_values(y))), f
        assert np.all(np.isfinite(_values(x.grad))), f
        x.cleargrad()
    want = [
        0.0,
        math.log1p(math.exp(-40.0)),
        math.log(2),
        40.0 + math.exp(-40.0),
        800.0,
    ]
    np.testing.assert_allclose(_values(F.softplus(x)), want, rtol=1e-15)


def test_layer_norm_third_derivative_matches_central_differences(to_backend, rng):
    """The fused gradient's backward is itself differentiable: the derivative of a
    second-order quantity agrees with central differences of it."""
    x0, gamma = rng.uniform(-2, 2, (2, 4)), rng.uniform(-2, 2, 4)
    w = np.cos(np.arange(8.0)).reshape(2, 4)

    def second_order(x):  # <grad, grad> of <w, layer_norm(x)>, differentiated once more
        xv = xgrad.as_variable(x)
        F.sum(F.layer_norm(xv, to_backend(gamma)) * to_backend(w)).backward(
            create_graph=True
        )
        g = xv.grad
        xv.cleargrad()
        F.sum(g * g).backward(create_graph=True)
        return xv.grad

    gradgradcheck(lambda x: second_order(x), to_backend(x0))


def test_attention_masks_agree_with_an_explicit_loop(to_backend, rng):
    q, k, v = (rng.standard_normal((3, 2)) for _ in range(3))
    keep = np.array([[True, False, True], [False, False, False], [True, True, False]])
    y = _values(
        F.scaled_dot_product_attention(
            to_backend(q), to_backend(k), to_backend(v), mask=keep, causal=True
        )
    )
    for i in range(3):
        allowed = [j for j in range(3) if keep[i, j] and j <= i]
        if not allowed:
            np.testing.assert_array_equal(y[i], 0.0)  # no key: zeros, not NaN
            continue
        scores = np.array([q[i] @ k[j] / math.sqrt(2) for j in allowed])
        p = np.exp(scores - scores.max())
        np.testing.assert_allclose(y[i], (p / p.sum()) @ v[allowed], rtol=1e-12)


def test_attention_agrees_with_torch_in_float32(to_backend, rng):
    torch = pytest.importorskip("torch", reason="torch: not installed")
    q, k, v = (rng.standard_normal((2, 3, 5, 4)).astype(np.float32) for _ in range(3))
    pad = np.arange(5) < np.array([2, 5])[:, None, None, None]
    for options, torch_options in (
        ({"causal": True}, {"is_causal": True}),
        ({"mask": pad}, {"attn_mask": torch.as_tensor(pad)}),
    ):
        y = F.scaled_dot_product_attention(*map(to_backend, (q, k, v)), **options)
        y_t = torch.nn.functional.scaled_dot_product_attention(
            *map(torch.as_tensor, (q, k, v)), **torch_options
        )
        assert y.dtype == to_backend(q).dtype
        np.testing.assert_allclose(_values(y), y_t.numpy(), rtol=2e-6, atol=1e-6)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda x, t: F.gelu(x, approximate="fast"), "gelu: approximate must be"),
        (lambda x, t: F.softplus(x, beta=0), "softplus: beta must be positive"),
        (
            lambda x, t: F.layer_norm(x, t(np.ones(4))),
            r"layer_norm: gamma has shape \(4,\)",
        ),
        (
            lambda x, t: F.layer_norm(x, None, t(np.ones(2))),
            "layer_norm: beta has shape",
        ),
        (
            lambda x, t: F.scaled_dot_product_attention(x, x, t(np.ones((2, 4, 3)))),
            "scaled_dot_product_attention: got q",
        ),
        (
            lambda x, t: F.scaled_dot_product_attention(x, x, x, mask=np.ones((3, 2))),
            "does not broadcast",
        ),
        (
            lambda x, t: F.scaled_dot_product_attention(x[0, 0], x, x),
            "at least two dim",
        ),
    ],
    ids=["gelu", "softplus", "gamma", "beta", "keys", "mask", "ndim"],
)
def test_bad_calls_name_the_function_and_the_fix(call, message, to_backend):
    with pytest.raises(ValueError, match=message):
        call(Variable(to_backend(np.ones((2, 3, 3)))), to_backend)


def test_an_integer_attention_mask_is_refused(to_backend):
    x = to_backend(np.ones((3, 2)))
    with pytest.raises(TypeError, match=r"mask must be boolean .* or real floating"):
        F.scaled_dot_product_attention(x, x, x, mask=np.ones((3, 3), dtype=np.int64))


def test_integer_input_becomes_floating(to_backend):
    x = to_backend(np.array([0, 1, 2]))
    for f in (F.log1p, F.expm1, F.erf, F.silu, F.gelu, F.softplus, F.layer_norm):
        y = f(x)
        assert xgrad.backends.of(y.data).xp.isdtype(y.dtype, "real floating"), f
