"""Function transforms (grad, value_and_grad, vjp, jvp, jacobian, hessian, hvp).

Closed forms on every backend through the fixtures, the transforms against each
other (jvp = J @ t, vjp = ct @ J, hvp = H @ v), nesting, the state they must not
leave behind, and a cross-check with ``torch.func`` on the torch backend.
"""

from __future__ import annotations

import gc
import weakref
from typing import ClassVar

import numpy as np
import pytest

import xgrad
import xgrad.functions as F
from xgrad import Function, Variable
from xgrad.cuda import as_numpy
from xgrad.functional import grad, hessian, hvp, jacobian, jvp, value_and_grad, vjp
from xgrad.testing import assert_close

TIGHT = {"rtol": 1e-10, "atol": 1e-12}


def tanh_derivatives(x):
    """d^k/dx^k tanh(x), k = 1..4, in t = tanh(x) (checked below against torch)."""
    t = np.tanh(x)
    s = 1 - t**2
    return [s, -2 * t * s, (6 * t**2 - 2) * s, (-24 * t**3 + 16 * t) * s]


def rosenbrock(x):
    return F.sum(100 * (x[1:] - x[:-1] ** 2) ** 2 + (1 - x[:-1]) ** 2)


def rosenbrock_grad(x):
    g = np.zeros_like(x)
    g[:-1] += -400 * x[:-1] * (x[1:] - x[:-1] ** 2) - 2 * (1 - x[:-1])
    g[1:] += 200 * (x[1:] - x[:-1] ** 2)
    return g


def rosenbrock_hessian(x):
    n = len(x)
    h = np.zeros((n, n))
    i = np.arange(n - 1)
    h[i, i] += 1200 * x[:-1] ** 2 - 400 * x[1:] + 2
    h[i + 1, i + 1] += 200
    h[i, i + 1] = h[i + 1, i] = -400 * x[:-1]
    return h


def layer(x, w):
    """A non-square map (2, 3) x (3, 4) -> (2, 4)."""
    return F.tanh(F.matmul(x, w)) * 2.0


# -- closed forms on every backend -------------------------------------------------


def test_grad_of_polynomial_and_its_second_derivative(to_backend):
    x0 = np.array([-1.5, 0.5, 2.0])
    x = to_backend(x0)
    d1 = grad(lambda x: F.sum(x**3))
    d2 = grad(lambda x: F.sum(d1(x)))
    assert_close(d1(x), to_backend(3 * x0**2), **TIGHT)
    assert_close(d2(x), to_backend(6 * x0), **TIGHT)


def test_scalar_grads_nest_like_derivatives(to_backend):
    f = lambda x: x**3
    x = to_backend(np.array(2.0))
    assert_close(grad(f)(x), to_backend(np.array(12.0)), **TIGHT)
    assert_close(grad(grad(f))(x), to_backend(np.array(12.0)), **TIGHT)
    assert_close(grad(grad(grad(f)))(x), to_backend(np.array(6.0)), **TIGHT)
    assert_close(grad(grad(grad(grad(f))))(x), to_backend(np.array(0.0)), **TIGHT)


def test_tanh_derivatives_one_to_four_by_nested_grads(to_backend):
    x0 = np.linspace(-2.0, 2.0, 7)
    x = to_backend(x0)
    derivative = grad(lambda x: F.sum(F.tanh(x)))
    for want in tanh_derivatives(x0):
        assert_close(derivative(x), to_backend(want), **TIGHT)
        derivative = grad(lambda x, d=derivative: F.sum(d(x)))


def test_fourth_derivative_of_scalar_tanh_by_four_grads(to_backend):
    x = to_backend(np.array(0.7))
    d4 = grad(grad(grad(grad(F.tanh))))
    assert_close(d4(x), to_backend(tanh_derivatives(np.array(0.7))[3]), **TIGHT)


def test_hessian_of_quadratic_form_is_a_plus_a_transposed(to_backend, rng):
    a0 = rng.standard_normal((4, 4))
    a = to_backend(a0)
    x = to_backend(rng.standard_normal(4))
    h = hessian(lambda x: F.sum(x * F.matmul(a, x)))(x)
    assert_close(h, to_backend(a0 + a0.T), **TIGHT)


def test_rosenbrock_gradient_and_hessian(to_backend):
    x0 = np.array([-1.2, 1.0, 0.5, 2.0])
    x = to_backend(x0)
    assert_close(grad(rosenbrock)(x), to_backend(rosenbrock_grad(x0)), **TIGHT)
    assert_close(hessian(rosenbrock)(x), to_backend(rosenbrock_hessian(x0)), **TIGHT)


def test_value_and_grad(to_backend):
    x0 = np.array([1.0, 2.0])
    value, g = value_and_grad(lambda x: F.sum(x**2))(to_backend(x0))
    assert_close(value, to_backend(np.array(5.0)), **TIGHT)
    assert_close(g, to_backend(2 * x0), **TIGHT)


def test_float32_stays_float32(to_backend):
    x = to_backend(np.array([0.5, 1.0], dtype=np.float32))
    g = grad(lambda x: F.sum(F.tanh(x)))(x)
    h = hessian(lambda x: F.sum(x**3))(x)
    assert_close(g, to_backend(1 - np.tanh(np.float32([0.5, 1.0])) ** 2), rtol=1e-6)
    assert_close(h, to_backend(np.diag(np.float32([3.0, 6.0]))), rtol=1e-6)


# -- the transforms against each other -----------------------------------------------


def test_jacobian_shape_and_values(to_backend, rng):
    x0, w0 = rng.standard_normal((2, 3)), rng.standard_normal((3, 4))
    j = jacobian(layer)(to_backend(x0), to_backend(w0))
    assert tuple(j.shape) == (2, 4, 2, 3)
    # d out[i, k] / d x[a, b] = 2 (1 - tanh^2)[i, k] w[b, k] [i == a]
    s = 2 * (1 - np.tanh(x0 @ w0) ** 2)
    want = np.einsum("ik,bk,ia->ikab", s, w0, np.eye(2))
    assert_close(j, to_backend(want), **TIGHT)


def test_jvp_is_jacobian_times_tangent(to_backend, rng):
    x0, w0, t0 = (rng.standard_normal(s) for s in [(2, 3), (3, 4), (2, 3)])
    x, w = to_backend(x0), to_backend(w0)
    out, tangent_out = jvp(lambda x: layer(x, w), (x,), (to_backend(t0),))
    j = as_numpy(jacobian(layer)(x, w))
    assert_close(out, to_backend(2 * np.tanh(x0 @ w0)), **TIGHT)
    assert_close(tangent_out, to_backend(np.tensordot(j, t0, axes=2)), **TIGHT)


def test_jvp_with_two_primals(to_backend, rng):
    x0, w0, tx, tw = (rng.standard_normal(s) for s in [(2, 3), (3, 4)] * 2)
    primals = (to_backend(x0), to_backend(w0))
    _, tangent_out = jvp(layer, primals, (to_backend(tx), to_backend(tw)))
    jx, jw = (as_numpy(j) for j in jacobian(layer, argnums=(0, 1))(*primals))
    want = np.tensordot(jx, tx, axes=2) + np.tensordot(jw, tw, axes=2)
    assert_close(tangent_out, to_backend(want), **TIGHT)


def test_vjp_is_cotangent_times_jacobian(to_backend, rng):
    x0, w0, ct = (rng.standard_normal(s) for s in [(2, 3), (3, 4), (2, 4)])
    x, w = to_backend(x0), to_backend(w0)
    out, vjp_fn = vjp(layer, x, w)
    gx, gw = vjp_fn(to_backend(ct))
    jx, jw = (as_numpy(j) for j in jacobian(layer, argnums=(0, 1))(x, w))
    assert_close(out, to_backend(2 * np.tanh(x0 @ w0)), **TIGHT)
    assert_close(gx, to_backend(np.tensordot(ct, jx, axes=2)), **TIGHT)
    assert_close(gw, to_backend(np.tensordot(ct, jw, axes=2)), **TIGHT)
    again, _ = vjp_fn(to_backend(2 * ct))  # the kept graph serves every call
    assert_close(again, to_backend(2 * np.tensordot(ct, jx, axes=2)), **TIGHT)


def test_hvp_is_hessian_times_vector(to_backend, rng):
    x0, v0 = np.array([-1.2, 1.0, 0.5, 2.0]), rng.standard_normal(4)
    got = hvp(rosenbrock, (to_backend(x0),), (to_backend(v0),))
    assert_close(got, to_backend(rosenbrock_hessian(x0) @ v0), **TIGHT)
    single = hvp(rosenbrock, to_backend(x0), to_backend(v0))  # one bare array
    assert_close(single, to_backend(rosenbrock_hessian(x0) @ v0), **TIGHT)


def test_hvp_with_two_primals_uses_the_mixed_blocks(to_backend):
    f = lambda x, y: F.sum(x**2 * y)
    x0, y0 = np.array([1.0, 2.0]), np.array([3.0, -1.0])
    vx, vy = np.array([0.5, 1.0]), np.array([2.0, 1.0])
    hx, hy = hvp(f, (to_backend(x0), to_backend(y0)), (to_backend(vx), to_backend(vy)))
    # H = [[2 diag(y), 2 diag(x)], [2 diag(x), 0]]
    assert_close(hx, to_backend(2 * y0 * vx + 2 * x0 * vy), **TIGHT)
    assert_close(hy, to_backend(2 * x0 * vx), **TIGHT)


# -- argnums, has_aux, tuples -----------------------------------------------------------


def test_argnums_int_tuple_and_negative(to_backend):
    # F.mul, not `*`: the argument left out of argnums stays a plain array, and an
    # array-api-strict array on the left of `*` does not defer to a Variable
    f = lambda x, y: F.sum(F.mul(x, F.square(y)))
    x0, y0 = np.array([1.0, 2.0]), np.array([3.0, 4.0])
    x, y = to_backend(x0), to_backend(y0)
    assert_close(grad(f, argnums=1)(x, y), to_backend(2 * x0 * y0), **TIGHT)
    assert_close(grad(f, argnums=-1)(x, y), to_backend(2 * x0 * y0), **TIGHT)
    gy, gx = grad(f, argnums=(1, 0))(x, y)
    assert_close(gx, to_backend(y0**2), **TIGHT)
    assert_close(gy, to_backend(2 * x0 * y0), **TIGHT)
    (only,) = grad(f, argnums=(0,))(x, y)
    assert_close(only, to_backend(y0**2), **TIGHT)


def test_arguments_outside_argnums_pass_through_untouched():
    seen = []

    def f(x, labels, scale=1.0):
        seen.append((type(labels), scale))
        return F.sum(x) * scale

    g = grad(f)(np.ones(2), np.array([1, 0]), scale=3.0)
    np.testing.assert_array_equal(g, [3.0, 3.0])
    assert seen == [(np.ndarray, 3.0)]


def test_has_aux(to_backend):
    def f(x):
        y = F.tanh(x)
        return F.sum(y), {"y": y, "n": 2}

    x0 = np.array([0.1, 0.2])
    g, aux = grad(f, has_aux=True)(to_backend(x0))
    assert_close(g, to_backend(1 - np.tanh(x0) ** 2), **TIGHT)
    assert_close(aux["y"], to_backend(np.tanh(x0)), **TIGHT)  # an array, not a Variable
    assert aux["n"] == 2
    (value, aux), g2 = value_and_grad(f, has_aux=True)(to_backend(x0))
    assert_close(value, to_backend(np.array(np.tanh(x0).sum())), **TIGHT)
    assert_close(g2, g, **TIGHT)


def test_jacobian_of_tuple_outputs_and_argnums(to_backend):
    f = lambda x, y: (x * y, F.sum(x))
    x0, y0 = np.array([1.0, 2.0]), np.array([3.0, 4.0])
    (jxy_x, jxy_y), (js_x, js_y) = jacobian(f, argnums=(0, 1))(
        to_backend(x0), to_backend(y0)
    )
    assert_close(jxy_x, to_backend(np.diag(y0)), **TIGHT)
    assert_close(jxy_y, to_backend(np.diag(x0)), **TIGHT)
    assert_close(js_x, to_backend(np.ones(2)), **TIGHT)
    assert_close(js_y, to_backend(np.zeros(2)), **TIGHT)  # no path: zeros


def test_hessian_with_argnums_tuple_is_nested(to_backend):
    f = lambda x, y: F.sum(x**2 * y)
    x0, y0 = np.array([1.0, 2.0]), np.array([3.0, -1.0])
    (hxx, hxy), (hyx, hyy) = hessian(f, argnums=(0, 1))(to_backend(x0), to_backend(y0))
    assert_close(hxx, to_backend(np.diag(2 * y0)), **TIGHT)
    assert_close(hxy, to_backend(np.diag(2 * x0)), **TIGHT)
    assert_close(hyx, to_backend(np.diag(2 * x0)), **TIGHT)
    assert_close(hyy, to_backend(np.zeros((2, 2))), **TIGHT)


def test_vjp_and_jvp_of_tuple_outputs(to_backend):
    f = lambda x: (x * 2.0, F.sum(x**2))
    x0 = np.array([1.0, 3.0])
    (a, b), vjp_fn = vjp(f, to_backend(x0))
    assert_close(a, to_backend(2.0 * x0), **TIGHT)
    assert_close(b, to_backend(np.array(10.0)), **TIGHT)
    (g,) = vjp_fn((to_backend(np.array([1.0, 1.0])), to_backend(np.array(0.5))))
    assert_close(g, to_backend(2.0 + x0), **TIGHT)
    _, (ta, tb) = jvp(f, (to_backend(x0),), (to_backend(np.array([1.0, 0.0])),))
    assert_close(ta, to_backend(np.array([2.0, 0.0])), **TIGHT)
    assert_close(tb, to_backend(np.array(2.0)), **TIGHT)


def test_output_that_ignores_the_input_has_zero_derivatives(to_backend):
    x = to_backend(np.array([1.0, 2.0]))
    c = to_backend(np.array(3.0))
    assert_close(grad(lambda x: c)(x), to_backend(np.zeros(2)))
    assert_close(jacobian(lambda x: c * 1.0)(x), to_backend(np.zeros(2)))
    _, t = jvp(lambda x: c * 1.0, (x,), (x,))
    assert_close(t, to_backend(np.array(0.0)))


# -- Variables in, Variables out, and nesting ---------------------------------------


def test_variables_in_give_differentiable_variables_out(to_backend):
    x0 = np.array([0.3, -0.8])
    x = Variable(to_backend(x0))
    g = grad(lambda x: F.sum(F.tanh(x)))(x)
    assert isinstance(g, Variable)
    assert g.creator is not None
    assert x.grad is None
    F.sum(g).backward()  # the book's way, on top of a transform
    assert_close(x.grad, to_backend(tanh_derivatives(x0)[1]), **TIGHT)


def test_every_transform_returns_variables_for_variables(to_backend):
    x = Variable(to_backend(np.array([0.3, -0.8])))
    f = lambda x: F.sum(F.tanh(x) * x)
    results = [
        grad(f)(x),
        *value_and_grad(f)(x),
        jacobian(F.tanh)(x),
        hessian(f)(x),
        hvp(f, (x,), (x,)),
        *jvp(F.tanh, (x,), (x,)),
        vjp(F.tanh, x)[0],
        *vjp(F.tanh, x)[1](x),
    ]
    assert all(isinstance(r, Variable) for r in results)
    assert x.grad is None


def test_plain_arrays_in_give_plain_arrays_out(backend, to_backend):
    x = to_backend(np.array([0.3, -0.8]))
    f = lambda x: F.sum(F.tanh(x) * x)
    results = [
        grad(f)(x),
        *value_and_grad(f)(x),
        jacobian(F.tanh)(x),
        hessian(f)(x),
        hvp(f, (x,), (x,)),
        *jvp(F.tanh, (x,), (x,)),
        vjp(F.tanh, x)[0],
        *vjp(F.tanh, x)[1](x),
    ]
    assert all(backend.owns(r) and not isinstance(r, Variable) for r in results)


def test_grad_of_grad_mixes_with_jacobian_and_jvp(to_backend):
    x0 = np.array([0.3, -0.8, 1.2])
    x = to_backend(x0)
    d1 = grad(lambda x: F.sum(F.tanh(x)))
    _, d2 = jvp(d1, (x,), (to_backend(np.ones(3)),))
    assert_close(d2, to_backend(tanh_derivatives(x0)[1]), **TIGHT)
    j2 = jacobian(grad(lambda x: F.sum(d1(x))))(x)  # diag of the 3rd derivative
    assert_close(j2, to_backend(np.diag(tanh_derivatives(x0)[2])), **TIGHT)


def test_closure_over_an_outer_argument_is_not_confused():
    # d/dx [x * (d/dy x*y)] = d/dx x**2 = 2x: the inner grad must keep x's graph
    x = np.array(3.0)
    assert grad(lambda x: x * grad(lambda y: x * y)(x))(x) == 6.0
    assert grad(lambda x: x * grad(lambda y: x * y)(np.array(5.0)))(x) == 6.0


def test_no_grad_records_nothing_and_returns_arrays():
    x = Variable(np.array([1.0, 2.0]))
    with xgrad.no_grad():
        g = grad(lambda x: F.sum(x**3))(x)
    assert isinstance(g, np.ndarray)
    np.testing.assert_allclose(g, [3.0, 12.0])


# -- no state left behind ------------------------------------------------------------


def test_no_grad_lands_on_user_or_closed_over_variables(to_backend):
    x = Variable(to_backend(np.array([0.3, -0.8])))
    w = xgrad.Parameter(to_backend(np.array([2.0, 1.0])))
    f = lambda x: F.sum(F.tanh(x * w))
    grad(f)(x)
    grad(f)(x.data)
    jacobian(lambda x: F.tanh(x * w))(x)
    hessian(f)(x)
    hvp(f, (x,), (x,))
    jvp(f, (x,), (x,))
    vjp(f, x)[1](to_backend(np.array(1.0)))
    assert x.grad is None
    assert w.grad is None


def test_a_stale_grad_on_the_input_does_not_leak_in(to_backend):
    x = Variable(to_backend(np.array([1.0, 2.0])))
    x.grad = Variable(to_backend(np.array([100.0, 100.0])))
    g = grad(lambda x: F.sum(x**2))(x)
    assert_close(g, to_backend(np.array([2.0, 4.0])), **TIGHT)
    assert_close(x.grad, to_backend(np.array([100.0, 100.0])))


class Tracked(Function):
    """Identity op that remembers every instance by weak reference."""

    instances: ClassVar[list[weakref.ref]] = []

    def forward(self, x):
        Tracked.instances.append(weakref.ref(self))
        return x

    def backward(self, gy):
        return gy


def test_graph_is_freed_when_plain_arrays_come_back(to_backend):
    Tracked.instances = []
    x = to_backend(np.array([0.3, -0.8]))
    f = lambda x: F.sum(F.tanh(Tracked()(x)) ** 2)
    results = [
        grad(grad(lambda x: F.sum(grad(f)(x))))(x[0]),
        jacobian(F.tanh)(Tracked()(Variable(x)).data),
        hessian(f)(x),
        hvp(f, (x,), (x,)),
        jvp(f, (x,), (x,)),
        value_and_grad(f)(x),
    ]
    gc.collect()
    assert len(Tracked.instances) >= 6
    assert all(ref() is None for ref in Tracked.instances)
    assert results


def test_vjp_keeps_its_graph_until_vjp_fn_is_dropped(to_backend):
    Tracked.instances = []
    _, vjp_fn = vjp(lambda x: F.tanh(Tracked()(x)), to_backend(np.array([0.5])))
    gc.collect()
    assert Tracked.instances[0]() is not None
    del vjp_fn
    gc.collect()
    assert Tracked.instances[0]() is None


def test_jacobian_runs_f_once_and_one_backward_pass_per_output(to_backend):
    calls = {"forward": 0, "backward": 0}

    class Counted(Function):
        def forward(self, x):
            return x

        def backward(self, gy):
            calls["backward"] += 1
            return gy

    def f(x):
        calls["forward"] += 1
        return F.tanh(F.reshape(Counted()(x), (2, 3))) * 2.0

    j = jacobian(f)(to_backend(np.linspace(-1, 1, 6)))
    assert tuple(j.shape) == (2, 3, 6)
    assert calls == {"forward": 1, "backward": 6}
    calls.update(forward=0, backward=0)
    hessian(lambda x: F.sum(f(x)))(to_backend(np.linspace(-1, 1, 6)))
    assert calls["forward"] == 1


# -- errors ---------------------------------------------------------------------------


def test_grad_of_non_scalar_names_the_shape_and_the_fix():
    with pytest.raises(ValueError, match=r"grad\(tanh\).*shape \(3,\)") as info:
        grad(F.tanh)(np.ones(3))
    assert "jacobian" in str(info.value)
    assert "vjp" in str(info.value)
    with pytest.raises(TypeError, match=r"2 outputs.*has_aux"):
        grad(lambda x: (F.sum(x), F.sum(x)))(np.ones(3))


def test_bad_arguments_are_named():
    with pytest.raises(TypeError, match=r"argument 0 has dtype int64"):
        grad(lambda x: F.sum(x))(np.array([1, 2]))
    with pytest.raises(TypeError, match=r"argument 0 is float"):
        grad(lambda x: x * x)(3.0)
    with pytest.raises(ValueError, match=r"argnums=2 does not fit"):
        grad(lambda x, y: F.sum(x), argnums=2)(np.ones(1), np.ones(1))
    with pytest.raises(ValueError, match="distinct"):
        grad(lambda x, y: F.sum(x), argnums=(0, -2))(np.ones(1), np.ones(1))
    with pytest.raises(
        TypeError, match=r"has_aux=True needs f to return \(output, aux\)"
    ):
        grad(lambda x: F.sum(x), has_aux=True)(np.ones(2))
    with pytest.raises(TypeError, match="dtype int64"):
        grad(lambda x: xgrad.Variable(np.array(1)))(np.ones(2))


def test_jvp_vjp_hvp_check_shapes_and_tuples():
    x = np.ones(3)
    with pytest.raises(TypeError, match=r"jvp\(tanh\): primals must be a tuple"):
        jvp(F.tanh, x, x)
    with pytest.raises(
        ValueError, match=r"tangent 0 has shape \(2,\), expected \(3,\)"
    ):
        jvp(F.tanh, (x,), (np.ones(2),))
    _, vjp_fn = vjp(F.tanh, x)
    with pytest.raises(ValueError, match=r"cotangent 0 has shape \(2,\)"):
        vjp_fn(np.ones(2))
    with pytest.raises(TypeError, match=r"cotangent 0 is float, not an array"):
        vjp_fn(1.0)
    with pytest.raises(ValueError, match=r"hvp.*tangent 0 has shape \(2,\)"):
        hvp(lambda x: F.sum(x), x, np.ones(2))


# -- a second opinion: torch.func ---------------------------------------------------


@pytest.fixture
def torch():
    return pytest.importorskip("torch")


# torch.func's forward mode (jvp, hessian) loads decompositions through the
# deprecated torch.jit.script on first use: torch's warning, not ours.
@pytest.mark.filterwarnings(
    "ignore:`torch.jit.script` is deprecated:DeprecationWarning"
)
def test_against_torch_func(torch, rng):
    tf = torch.func
    x0, w0 = rng.standard_normal((2, 3)), rng.standard_normal((3, 4))
    x, w = torch.tensor(x0), torch.tensor(w0)
    ct, t = torch.tensor(rng.standard_normal((2, 4))), torch.tensor(x0[::-1].copy())

    def ours(x, w):
        return F.sum(F.tanh(F.matmul(x, w)) * F.sin(x[:, :1]))

    def theirs(x, w):
        return torch.sum(torch.tanh(x @ w) * torch.sin(x[:, :1]))

    def close(a, b):
        assert isinstance(a, torch.Tensor)
        assert a.dtype == torch.float64
        torch.testing.assert_close(a, b, rtol=1e-10, atol=1e-12)

    for a, b in zip(
        grad(ours, (0, 1))(x, w), tf.grad(theirs, (0, 1))(x, w), strict=True
    ):
        close(a, b)
    close(hessian(ours)(x, w), tf.hessian(theirs)(x, w))
    close(
        jacobian(layer, 1)(x, w), tf.jacrev(lambda x, w: torch.tanh(x @ w) * 2, 1)(x, w)
    )
    o1, t1 = jvp(lambda x: layer(x, w), (x,), (t,))
    o2, t2 = tf.jvp(lambda x: torch.tanh(x @ w) * 2, (x,), (t,))
    close(o1, o2)
    close(t1, t2)
    _, fn1 = vjp(layer, x, w)
    _, fn2 = tf.vjp(lambda x, w: torch.tanh(x @ w) * 2, x, w)
    for a, b in zip(fn1(ct), fn2(ct), strict=True):
        close(a, b)
    h1 = hvp(lambda x: ours(x, w), x, t)
    _, h2 = tf.jvp(tf.grad(lambda x: theirs(x, w)), (x,), (t,))
    close(h1, h2)


def test_tanh_closed_forms_agree_with_torch(torch):
    x0 = np.linspace(-2.0, 2.0, 9)
    x = torch.tensor(x0, requires_grad=True)
    y = torch.tanh(x)
    for want in tanh_derivatives(x0):
        (y,) = torch.autograd.grad(y.sum(), x, create_graph=True)
        np.testing.assert_allclose(y.detach().numpy(), want, rtol=1e-12, atol=1e-14)
