"""Programs from "Deep Learning from Scratch 3" with only the import changed.

Each test is a book step written as the book writes it (``import dezero``
becomes ``import xgrad as dezero``), checked against the numbers the book
prints. The book seeds and draws with the legacy ``np.random`` API, so this
file does too.
"""

# ruff: noqa: NPY002
from __future__ import annotations

import numpy as np
import pytest

import xgrad as dezero
import xgrad.functions as F
from xgrad import Variable
from xgrad.utils import array_allclose, gradient_check, numerical_grad

# -- step 24: test functions for optimisation --------------------------------------


def sphere(x, y):
    return x**2 + y**2


def matyas(x, y):
    return 0.26 * (x**2 + y**2) - 0.48 * x * y


def goldstein(x, y):
    return (
        1 + (x + y + 1) ** 2 * (19 - 14 * x + 3 * x**2 - 14 * y + 6 * x * y + 3 * y**2)
    ) * (
        30
        + (2 * x - 3 * y) ** 2
        * (18 - 32 * x + 12 * x**2 + 48 * y - 36 * x * y + 27 * y**2)
    )


def test_step24_sphere():
    x = Variable(np.array(1.0))
    y = Variable(np.array(1.0))
    z = sphere(x, y)
    z.backward()
    assert x.grad.data == 2.0
    assert y.grad.data == 2.0


def test_step24_matyas():
    x = Variable(np.array(1.0))
    y = Variable(np.array(1.0))
    z = matyas(x, y)
    z.backward()
    assert x.grad.data == pytest.approx(0.040000000000000036)
    assert y.grad.data == pytest.approx(0.040000000000000036)


def test_step24_goldstein():
    x = Variable(np.array(1.0))
    y = Variable(np.array(1.0))
    z = goldstein(x, y)
    z.backward()
    assert x.grad.data == -5376.0
    assert y.grad.data == 8064.0


# -- step 28: Rosenbrock by gradient descent ---------------------------------------


def rosenbrock(x0, x1):
    return 100 * (x1 - x0**2) ** 2 + (1 - x0) ** 2


def test_step28_rosenbrock_gradient_at_0_2():
    x0 = Variable(np.array(0.0))
    x1 = Variable(np.array(2.0))
    y = rosenbrock(x0, x1)
    y.backward()
    assert x0.grad.data == -2.0
    assert x1.grad.data == 400.0


def test_step28_rosenbrock_gradient_descent_approaches_the_minimum():
    x0 = Variable(np.array(0.0))
    x1 = Variable(np.array(2.0))
    lr = 0.001
    iters = 10000

    for _ in range(iters):
        y = rosenbrock(x0, x1)
        x0.cleargrad()
        x1.cleargrad()
        y.backward()
        x0.data -= lr * x0.grad.data
        x1.data -= lr * x1.grad.data

    # the book prints variable(0.9944984367782456) variable(0.9890050527419593)
    assert x0.data == pytest.approx(0.9944984367782456, rel=1e-9)
    assert x1.data == pytest.approx(0.9890050527419593, rel=1e-9)


# -- steps 29 and 33: Newton's method ----------------------------------------------

NEWTON_BOOK = [
    2.0,
    1.4545454545454546,
    1.1510467893775467,
    1.0253259289766978,
    1.0009084519430513,
    1.0000012353089454,
    1.000000000002289,
    1.0,
]


def f_quartic(x):
    return x**4 - 2 * x**2


def test_step29_newton_with_hand_derived_second_derivative():
    def gx2(x):
        return 12 * x**2 - 4

    x = Variable(np.array(2.0))
    path = []
    for _ in range(8):
        path.append(float(x.data))
        y = f_quartic(x)
        x.cleargrad()
        y.backward()
        x.data -= x.grad.data / gx2(x.data)
    assert path == pytest.approx(NEWTON_BOOK, rel=1e-12)


def test_step33_newton_with_automatic_second_derivative():
    x = Variable(np.array(2.0))
    path = []
    for _ in range(8):
        path.append(float(x.data))
        y = f_quartic(x)
        x.cleargrad()
        y.backward(create_graph=True)

        gx = x.grad
        x.cleargrad()
        gx.backward()
        gx2 = x.grad

        x.data -= gx.data / gx2.data
    assert path == pytest.approx(NEWTON_BOOK, rel=1e-12)
    assert path[7] == 1.0  # converged after 7 iterations


# -- steps 34 to 36: higher-order derivatives --------------------------------------


def test_step34_higher_order_derivatives_of_sin():
    x = Variable(np.array(1.0))
    y = F.sin(x)
    y.backward(create_graph=True)

    printed = []
    for _ in range(3):
        gx = x.grad
        x.cleargrad()
        gx.backward(create_graph=True)
        printed.append(float(x.grad.data))

    # the book prints -0.8414709848078965, -0.5403023058681398, 0.8414709848078965
    assert printed == pytest.approx([-np.sin(1.0), -np.cos(1.0), np.sin(1.0)])


def test_step34_derivatives_of_sin_over_an_interval():
    x = Variable(np.linspace(-7, 7, 200))
    y = F.sin(x)
    y.backward(create_graph=True)

    logs = [y.data]
    for _ in range(3):
        logs.append(x.grad.data)
        gx = x.grad
        x.cleargrad()
        gx.backward(create_graph=True)

    t = x.data
    expected = [np.sin(t), np.cos(t), -np.sin(t), -np.cos(t)]
    for got, want in zip(logs, expected, strict=True):
        np.testing.assert_allclose(got, want, atol=1e-12)


def count_functions(v):
    """Number of Functions in the graph that produced ``v`` (step 35's picture)."""
    seen, todo = set(), [v.creator] if v.creator else []
    while todo:
        f = todo.pop()
        if f in seen:
            continue
        seen.add(f)
        todo.extend(x.creator for x in f.inputs if x.creator is not None)
    return len(seen)


def test_step35_second_derivative_of_tanh_builds_a_graph():
    x = Variable(np.array(1.0))
    y = F.tanh(x)
    x.name = "x"
    y.name = "y"
    y.backward(create_graph=True)

    iters = 1
    for _ in range(iters):
        gx = x.grad
        x.cleargrad()
        gx.backward(create_graph=True)

    gx = x.grad
    gx.name = "gx" + str(iters + 1)
    t = np.tanh(1.0)
    assert gx.data == pytest.approx(-2 * t * (1 - t**2))  # d2/dx2 tanh
    assert gx.creator is not None
    assert count_functions(gx) > count_functions(y)


def test_step36_double_backprop():
    x = Variable(np.array(2.0))
    y = x**2
    y.backward(create_graph=True)
    gx = x.grad
    x.cleargrad()

    z = gx**3 + y
    z.backward()
    assert x.grad.data == 100.0


# -- steps 37 to 41: tensors ---------------------------------------------------------


def test_step37_sum_of_tensor_sum():
    x = Variable(np.array([[1, 2, 3], [4, 5, 6]]))
    c = Variable(np.array([[10, 20, 30], [40, 50, 60]]))
    t = x + c
    y = F.sum(t)

    y.backward(retain_grad=True)
    assert y.data == 231
    assert y.grad.data == 1
    np.testing.assert_array_equal(t.grad.data, np.ones((2, 3)))
    np.testing.assert_array_equal(x.grad.data, np.ones((2, 3)))
    np.testing.assert_array_equal(c.grad.data, np.ones((2, 3)))


def test_step37_elementwise_on_a_matrix():
    x = Variable(np.array([[1, 2, 3], [4, 5, 6]]))
    y = F.sin(x)
    np.testing.assert_allclose(y.data, np.sin([[1, 2, 3], [4, 5, 6]]))


def test_step38_reshape():
    x = Variable(np.array([[1, 2, 3], [4, 5, 6]]))
    y = F.reshape(x, (6,))
    y.backward(retain_grad=True)
    np.testing.assert_array_equal(y.data, [1, 2, 3, 4, 5, 6])
    np.testing.assert_array_equal(x.grad.data, np.ones((2, 3)))


def test_step38_reshape_method_spellings():
    x = Variable(np.random.randn(1, 2, 3))
    assert x.reshape((2, 3)).shape == (2, 3)
    assert x.reshape(2, 3).shape == (2, 3)


def test_step38_transpose():
    x = Variable(np.array([[1, 2, 3], [4, 5, 6]]))
    y = F.transpose(x)
    y.backward()
    np.testing.assert_array_equal(y.data, [[1, 4], [2, 5], [3, 6]])
    np.testing.assert_array_equal(x.grad.data, np.ones((2, 3)))


def test_step38_transpose_method_spellings():
    x = Variable(np.random.rand(2, 3))
    assert x.transpose().shape == (3, 2)
    assert x.T.shape == (3, 2)
    A, B, C, D = 1, 2, 3, 4
    x = Variable(np.random.rand(A, B, C, D))
    assert x.transpose(1, 0, 3, 2).shape == (B, A, D, C)


def test_step39_sum():
    x = Variable(np.array([1, 2, 3, 4, 5, 6]))
    y = F.sum(x)
    y.backward()
    assert y.data == 21
    np.testing.assert_array_equal(x.grad.data, np.ones(6))


def test_step39_sum_over_an_axis():
    x = Variable(np.array([[1, 2, 3], [4, 5, 6]]))
    y = F.sum(x, axis=0)
    y.backward()
    np.testing.assert_array_equal(y.data, [5, 7, 9])
    np.testing.assert_array_equal(x.grad.data, np.ones((2, 3)))


def test_step39_sum_keepdims():
    x = Variable(np.random.randn(2, 3, 4, 5))
    y = x.sum(keepdims=True)
    assert y.shape == (1, 1, 1, 1)


def test_step40_broadcast_in_add():
    x0 = Variable(np.array([1, 2, 3]))
    x1 = Variable(np.array([10]))
    y = x0 + x1
    np.testing.assert_array_equal(y.data, [11, 12, 13])
    y.backward()
    np.testing.assert_array_equal(x1.grad.data, [3])


def test_step40_broadcast_to_and_sum_to():
    x = Variable(np.array([1.0, 2.0, 3.0]))
    y = F.broadcast_to(x, (2, 3))
    np.testing.assert_array_equal(y.data, [[1, 2, 3], [1, 2, 3]])
    z = F.sum_to(y, (1, 3))
    np.testing.assert_array_equal(z.data, [[2, 4, 6]])
    z.backward()
    np.testing.assert_array_equal(x.grad.data, [2.0, 2.0, 2.0])


def test_step41_matmul():
    x = Variable(np.random.randn(2, 3))
    W = Variable(np.random.randn(3, 4))
    y = F.matmul(x, W)
    y.backward()
    assert x.grad.shape == (2, 3)
    assert W.grad.shape == (3, 4)
    np.testing.assert_allclose(x.grad.data, np.ones((2, 4)) @ W.data.T)


def test_step41_variable_dot_is_matmul():
    a, b = np.random.randn(2, 3), np.random.randn(3, 4)
    np.testing.assert_allclose(Variable(a).dot(Variable(b)).data, a @ b)


def test_step41_variable_matmul_method():
    a, b = np.random.randn(2, 3), np.random.randn(3, 4)
    np.testing.assert_allclose(Variable(a).matmul(Variable(b)).data, a @ b)


def test_step41_matmaul_spelling_from_pypi():
    a, b = np.random.randn(2, 3), np.random.randn(3, 4)
    np.testing.assert_allclose(F.matmaul(Variable(a), Variable(b)).data, a @ b)
    np.testing.assert_allclose(Variable(a).matmaul(Variable(b)).data, a @ b)


# -- steps 42 and 43: regression -----------------------------------------------------


def test_step42_linear_regression():
    np.random.seed(0)
    x = np.random.rand(100, 1)
    y = 5 + 2 * x + np.random.rand(100, 1)
    x, y = Variable(x), Variable(y)

    W = Variable(np.zeros((1, 1)))
    b = Variable(np.zeros(1))

    def predict(x):
        y = F.matmul(x, W) + b
        return y

    lr = 0.1
    iters = 100

    losses = []
    for _ in range(iters):
        y_pred = predict(x)
        loss = F.mean_squared_error(y, y_pred)

        W.cleargrad()
        b.cleargrad()
        loss.backward()

        W.data -= lr * W.grad.data
        b.data -= lr * b.grad.data
        losses.append(float(loss.data))

    assert losses[0] == pytest.approx(42.296340129442335, rel=1e-12)
    # the book prints variable([[2.11807369]]) variable([5.46608905])
    # variable(0.07908606511852023)
    assert W.data[0, 0] == pytest.approx(2.11807369, rel=1e-8)
    assert b.data[0] == pytest.approx(5.46608905, rel=1e-8)
    assert losses[-1] == pytest.approx(0.07908606511852023, rel=1e-9)


def test_step43_two_layer_net_on_a_sine_dataset():
    np.random.seed(0)
    x = np.random.rand(100, 1)
    y = np.sin(2 * np.pi * x) + np.random.rand(100, 1)

    I, H, O = 1, 10, 1
    W1 = Variable(0.01 * np.random.randn(I, H))
    b1 = Variable(np.zeros(H))
    W2 = Variable(0.01 * np.random.randn(H, O))
    b2 = Variable(np.zeros(O))

    def predict(x):
        y = F.linear(x, W1, b1)
        y = F.sigmoid(y)
        y = F.linear(y, W2, b2)
        return y

    lr = 0.2
    iters = 1001

    printed = []
    for i in range(iters):
        y_pred = predict(x)
        loss = F.mean_squared_error(y, y_pred)

        W1.cleargrad()
        b1.cleargrad()
        W2.cleargrad()
        b2.cleargrad()
        loss.backward()

        W1.data -= lr * W1.grad.data
        b1.data -= lr * b1.grad.data
        W2.data -= lr * W2.grad.data
        b2.data -= lr * b2.grad.data
        if i % 1000 == 0:  # print loss every 1000 iterations
            printed.append(float(loss.data))

    # the book prints variable(0.8473695850105871), variable(0.2514286285183607)
    assert printed[0] == pytest.approx(0.8473695850105871, rel=1e-12)
    assert printed[1] == pytest.approx(0.2514286285183607, rel=1e-9)


def test_step43_book_simple_versions_match_the_fused_ones():
    np.random.seed(0)
    x = Variable(np.random.randn(5, 3))
    W = Variable(np.random.randn(3, 2))
    b = Variable(np.random.randn(2))
    np.testing.assert_allclose(
        F.linear_simple(x, W, b).data, F.linear(x, W, b).data, rtol=1e-12
    )
    np.testing.assert_allclose(F.sigmoid_simple(x).data, F.sigmoid(x).data, rtol=1e-12)


# -- the book's test helpers (step 10 onwards, dezero/utils.py) ----------------------


def test_gradient_check_of_sin_returns_true():
    x = np.random.rand(1)
    assert gradient_check(F.sin, x) is True


def test_gradient_check_returns_false_for_a_wrong_backward(capsys):
    class WrongSquare(dezero.Function):
        def forward(self, x):
            return x * x

        def backward(self, gy):
            (x,) = self.inputs
            return 3 * x * gy  # should be 2 x

    x = np.random.rand(3) + 0.5
    assert gradient_check(lambda v: WrongSquare()(v), x) is False
    assert "gradient_check" in capsys.readouterr().out


def test_gradient_check_as_in_dezero_unittests():
    # tests/test_relu.py style: dezero.utils.gradient_check(F.op, x)
    x_data = np.random.rand(10, 10) * 100
    assert dezero.utils.gradient_check(F.sum, x_data)


def test_numerical_grad_of_square():
    x = np.array([1.0, 2.0, 3.0])
    grad = numerical_grad(lambda v: v**2, x)
    np.testing.assert_allclose(grad, 2 * x, rtol=1e-6)


def test_array_allclose_compares_variables_and_arrays():
    y = F.exp(Variable(np.array([0.0, 1.0])))
    assert array_allclose(y.data, np.array([1.0, np.e]))
    assert array_allclose(y, np.array([1.0, np.e]))
    assert not array_allclose(y, np.array([1.0, 2.7]))


def test_array_equal():
    x = Variable(np.array([1.0, 2.0]))
    assert dezero.utils.array_equal(x, np.array([1.0, 2.0]))
    assert not dezero.utils.array_equal(x, np.array([1.0, 2.5]))


# -- top-level names --------------------------------------------------------------


def test_config_enable_backprop_is_a_readable_setting():
    assert dezero.Config.enable_backprop is True


def test_setting_config_enable_backprop_as_in_step18():
    # step 18 flips the class attribute directly before using_config exists
    try:
        dezero.Config.enable_backprop = False
        x = Variable(np.ones((100, 100, 100)))
        y = F.square(F.square(F.square(x)))
        assert y.creator is None
    finally:
        dezero.Config.enable_backprop = True
    assert F.square(x).creator is not None


def test_using_config():
    with dezero.using_config("enable_backprop", False):
        x = Variable(np.array(2.0))
        y = F.square(x)
    assert y.creator is None


def test_no_grad():
    with dezero.no_grad():
        x = Variable(np.array(2.0))
        y = F.square(x)
    assert y.creator is None


def test_test_mode():
    with dezero.test_mode():
        assert dezero.Config.train is False
    assert dezero.Config.train is True


def test_as_array_turns_scalars_into_0d_arrays():
    a = dezero.as_array(1.0)
    assert type(a) is np.ndarray
    assert a.ndim == 0
    assert dezero.as_array(np.float64(2.0)).ndim == 0


def test_as_array_returns_arrays_as_they_are():
    a = np.ones(3)
    assert dezero.as_array(a) is a


def test_as_variable():
    x = Variable(np.array(1.0))
    assert dezero.as_variable(x) is x
    v = dezero.as_variable(np.array([1.0, 2.0]))
    assert isinstance(v, Variable)
    np.testing.assert_array_equal(v.data, [1.0, 2.0])


def test_is_simple_core_is_false():
    assert dezero.is_simple_core is False


def test_parameter_is_a_variable():
    p = dezero.Parameter(np.array([1.0]))
    assert isinstance(p, Variable)
    (p * 2.0).backward()
    assert p.grad.data.tolist() == [2.0]


def test_setup_variable_is_idempotent():
    dezero.setup_variable()
    x = Variable(np.array(2.0))
    assert (x * 3.0 + 1.0).data == 7.0
