"""Graph semantics: Variables, Functions, operators, Config and backpropagation.

Most tests take the ``backend``/``to_backend`` fixtures, so each runs once per
array library (NumPy, PyTorch, array-api-strict on its non-default device, ...).
"""

from __future__ import annotations

import asyncio
import gc
import operator
import sys
import threading
import weakref

import numpy as np
import pytest

import xgrad
import xgrad.functions as F
from xgrad import Config, Constant, Function, Variable, testing
from xgrad.cuda import as_numpy

# -- Variable: what it holds ---------------------------------------------------


def test_variable_holds_an_array_of_the_backend(to_backend):
    a = to_backend([1.0, 2.0])
    x = Variable(a)
    assert x.data is a


def test_variable_holds_none():
    x = Variable(None)
    assert x.data is None
    assert x.grad is None
    assert x.creator is None


@pytest.mark.parametrize(
    ("obj", "type_name"),
    [
        ([1.0, 2.0], "list"),
        ("abc", "str"),
        (1.5, "float"),
        ({"a": 1}, "dict"),
        (object(), "object"),
    ],
)
def test_variable_rejects_non_arrays_and_names_the_fix(obj, type_name):
    with pytest.raises(TypeError, match=type_name) as info:
        Variable(obj)
    assert "xgrad.asarray" in str(info.value)


def test_variable_rejects_a_variable():
    x = Variable(np.array(1.0))
    with pytest.raises(TypeError, match="Variable"):
        Variable(x)


def test_numpy_scalar_becomes_a_0d_array():
    x = Variable(np.float64(1.5))
    assert type(x.data) is np.ndarray
    assert x.data.shape == ()
    assert x.data == 1.5


def test_0d_array_minus_float_can_be_wrapped_again():
    # `x.data - eps` on a 0-d ndarray gives np.float64, as in a numerical diff.
    x = Variable(np.array(2.0))
    shifted = Variable(x.data - 1e-4)
    assert type(shifted.data) is np.ndarray
    assert shifted.data.ndim == 0
    assert shifted.data == pytest.approx(2.0 - 1e-4)


def test_assigning_a_numpy_scalar_to_data_keeps_a_0d_array():
    x = Variable(np.array(2.0))
    x.data = x.data - 1e-4  # np.float64, not an ndarray
    assert type(x.data) is np.ndarray
    assert x.data.ndim == 0


def test_assigning_a_list_to_data_raises():
    x = Variable(np.array([1.0, 2.0]))
    with pytest.raises(TypeError, match=r"xgrad\.asarray"):
        x.data = [3.0, 4.0]


def test_asarray_builds_numpy_arrays_by_default():
    a = xgrad.asarray([1.0, 2.0])
    assert type(a) is np.ndarray
    assert a.dtype == np.float64
    np.testing.assert_array_equal(a, [1.0, 2.0])


def test_asarray_takes_a_dtype():
    a = xgrad.asarray([1, 2], dtype=np.float32)
    assert a.dtype == np.float32


def test_asarray_accepts_the_numpy_device_spec():
    assert type(xgrad.asarray([1.0], device="numpy")) is np.ndarray


def test_asarray_accepts_the_torch_cpu_device_spec():
    torch = pytest.importorskip("torch")
    a = xgrad.asarray([1.0, 2.0], device="torch:cpu")
    assert isinstance(a, torch.Tensor)
    assert a.device == torch.device("cpu")
    assert a.tolist() == [1.0, 2.0]


def test_asarray_accepts_an_array_api_strict_device_spec():
    aas = pytest.importorskip("array_api_strict")
    a = xgrad.asarray([1.0, 2.0], device="array_api_strict:device1")
    assert type(a) is type(aas.asarray(0.0))
    assert a.device == aas.Device("device1")


def test_asarray_result_can_be_wrapped():
    x = Variable(xgrad.asarray([1.0, 2.0]))
    np.testing.assert_array_equal(x.data, [1.0, 2.0])


# -- 0-d results stay arrays of the input's library --------------------------

ZERO_D_OPS = [
    pytest.param(F.exp, np.exp, id="exp"),
    pytest.param(F.neg, np.negative, id="neg"),
    pytest.param(lambda v: v**3, lambda a: a**3, id="pow"),
    pytest.param(lambda v: v * v, lambda a: a * a, id="mul"),
    pytest.param(F.sum, np.sum, id="sum"),
]


def zero_d(xp, device, value=0.5):
    return xp.asarray(value, dtype=xp.float64, device=device)


def test_0d_numpy_data_stays_0d_on_the_backend(backend, device):
    a = backend.from_numpy(np.array(0.5), device)
    assert a.ndim == 0
    assert backend.to_numpy(a) == 0.5


@pytest.mark.parametrize(("op", "reference"), ZERO_D_OPS)
def test_op_on_0d_input_gives_0d_array_of_the_backend(op, reference, xp, device):
    x = Variable(zero_d(xp, device))
    y = op(x)
    assert type(y.data) is type(x.data)
    assert y.ndim == 0
    assert as_numpy(y) == pytest.approx(reference(np.array(0.5)))


REDUCTIONS = [
    pytest.param(F.sum, np.sum, id="sum"),
    pytest.param(F.mean, np.mean, id="mean"),
    pytest.param(F.max, np.max, id="max"),
    pytest.param(F.min, np.min, id="min"),
]


@pytest.mark.parametrize(("op", "reference"), REDUCTIONS)
def test_full_reduction_gives_0d_array_of_the_backend(op, reference, to_backend):
    a = np.array([[1.0, 4.0, 2.0], [0.5, 3.0, 7.0]])
    x = Variable(to_backend(a))
    y = op(x)
    assert type(y.data) is type(x.data)
    assert y.ndim == 0
    assert as_numpy(y) == pytest.approx(reference(a))


def test_gradient_of_0d_input_is_0d_array_of_the_backend(xp, device):
    x = Variable(zero_d(xp, device))
    F.exp(x * x).backward()
    assert type(x.grad.data) is type(x.data)
    assert x.grad.ndim == 0


# -- attributes ----------------------------------------------------------------


def test_array_attributes(backend, to_backend):
    x = Variable(to_backend(np.zeros((2, 3), dtype=np.float32)), name="x")
    assert x.name == "x"
    assert x.shape == (2, 3)
    assert x.ndim == 2
    assert x.size == 6
    assert x.dtype == backend.xp.float32
    assert len(x) == 2


def test_device_is_the_normalised_device_of_the_array(backend, to_backend):
    a = to_backend([1.0, 2.0])
    device = Variable(a).device
    assert isinstance(device, xgrad.Device)
    assert device.backend == backend.name
    assert device.native == backend.device_of(a)


def test_new_variable_has_no_grad_creator_or_name(to_backend):
    x = Variable(to_backend([1.0]))
    assert x.grad is None
    assert x.creator is None
    assert x.name is None


def test_len_of_0d_variable_raises():
    with pytest.raises(TypeError, match="0-d"):
        len(Variable(np.array(1.0)))


def test_repr_of_1d_variable_is_dezero_format():
    assert repr(Variable(np.array([1.0, 2.0]))) == "variable([1. 2.])"


def test_repr_of_0d_variable_is_dezero_format():
    assert repr(Variable(np.array(3.0))) == "variable(3.0)"


def test_repr_of_2d_variable_pads_lines_by_9_spaces():
    x = Variable(np.array([[1.0, 2.0], [3.0, 4.0]]))
    assert repr(x) == "variable([[1. 2.]\n          [3. 4.]])"


def test_repr_of_empty_variable():
    assert repr(Variable(None)) == "variable(None)"


def test_repr_shows_the_values_on_every_backend(to_backend):
    assert repr(Variable(to_backend([1.0, 2.0]))).startswith("variable([1. 2.]")


# -- operators -------------------------------------------------------------------

BINARY = [
    pytest.param(operator.add, id="add"),
    pytest.param(operator.sub, id="sub"),
    pytest.param(operator.mul, id="mul"),
    pytest.param(operator.truediv, id="truediv"),
    pytest.param(operator.pow, id="pow"),
]
A = np.array([1.0, 2.0, 3.0])
B = np.array([0.5, -1.5, 2.5])


@pytest.mark.parametrize("op", BINARY)
def test_operator_between_variables(op, to_backend):
    y = op(Variable(to_backend(A)), Variable(to_backend(B)))
    np.testing.assert_allclose(as_numpy(y), op(A, B))
    testing.gradient_check(op, to_backend(A), to_backend(B))


@pytest.mark.parametrize("op", BINARY)
def test_operator_with_array_on_the_right(op, to_backend):
    b = to_backend(B)
    y = op(Variable(to_backend(A)), b)
    assert isinstance(y, Variable)
    np.testing.assert_allclose(as_numpy(y), op(A, B))
    testing.gradient_check(lambda x: op(x, b), to_backend(A))


@pytest.mark.skip_backend(
    "array_api_strict",
    reason="its Array raises TypeError for an unknown right operand instead of "
    "returning NotImplemented, so Python never asks the Variable",
)
@pytest.mark.parametrize("op", BINARY)
def test_operator_with_array_on_the_left(op, backend, to_backend):
    a = to_backend(A)
    y = op(a, Variable(to_backend(B)))
    assert isinstance(y, Variable)
    np.testing.assert_allclose(as_numpy(y), op(A, B))
    testing.gradient_check(lambda x: op(a, x), to_backend(B))


@pytest.mark.parametrize("op", BINARY)
def test_operator_with_python_scalar_on_the_right(op, to_backend):
    y = op(Variable(to_backend(A)), 2.0)
    np.testing.assert_allclose(as_numpy(y), op(A, 2.0))
    testing.gradient_check(lambda x: op(x, 2.0), to_backend(A))


@pytest.mark.parametrize("op", BINARY)
def test_operator_with_python_scalar_on_the_left(op, to_backend):
    y = op(2.0, Variable(to_backend(A)))
    np.testing.assert_allclose(as_numpy(y), op(2.0, A))
    testing.gradient_check(lambda x: op(2.0, x), to_backend(A))


def test_unary_minus(to_backend):
    x = Variable(to_backend(A))
    y = -x
    np.testing.assert_array_equal(as_numpy(y), -A)
    y.backward()
    np.testing.assert_array_equal(as_numpy(x.grad), [-1.0, -1.0, -1.0])


def test_two_to_the_x_has_gradient_two_to_the_x_log_two(to_backend):
    x = Variable(to_backend(np.array([0.0, 1.0, 3.0])))
    y = 2**x
    np.testing.assert_allclose(as_numpy(y), [1.0, 2.0, 8.0])
    y.backward()
    np.testing.assert_allclose(as_numpy(x.grad), np.array([1.0, 2.0, 8.0]) * np.log(2))


def test_variable_exponent_differentiates_both_sides(to_backend):
    x = Variable(to_backend(np.array([2.0, 3.0])))
    e = Variable(to_backend(np.array([3.0, 0.5])))
    y = x**e
    y.backward()
    xv, ev = np.array([2.0, 3.0]), np.array([3.0, 0.5])
    np.testing.assert_allclose(as_numpy(y), xv**ev)
    np.testing.assert_allclose(as_numpy(x.grad), ev * xv ** (ev - 1))  # e x^(e-1)
    np.testing.assert_allclose(as_numpy(e.grad), xv**ev * np.log(xv))  # x^e ln x


def test_numpy_array_on_the_left_gives_a_variable():
    x = Variable(np.array(3.0))
    y = np.array(2.0) * x
    assert isinstance(y, Variable)
    assert y.data == 6.0
    y.backward()
    assert x.grad.data == 2.0


def test_python_float_keeps_float32(backend, to_backend):
    x = Variable(to_backend(np.array([1.0, 2.0], dtype=np.float32)))
    assert (x * 2.0).dtype == backend.xp.float32
    assert (2.0 * x).dtype == backend.xp.float32
    assert (x + 1).dtype == backend.xp.float32


def test_int_array_times_half_becomes_floating(backend, to_backend):
    x = Variable(to_backend(np.array([1, 2, 3])))
    y = x * 0.5
    assert backend.xp.isdtype(y.dtype, "real floating")
    np.testing.assert_array_equal(as_numpy(y), [0.5, 1.0, 1.5])


def test_int_array_divided_by_int_becomes_floating(backend, to_backend):
    x = Variable(to_backend(np.array([1, 2, 3])))
    y = x / 2
    assert backend.xp.isdtype(y.dtype, "real floating")
    np.testing.assert_array_equal(as_numpy(y), [0.5, 1.0, 1.5])


def test_int_array_times_int_stays_integral(backend, to_backend):
    x = Variable(to_backend(np.array([1, 2, 3])))
    y = x * 2
    assert backend.xp.isdtype(y.dtype, "integral")
    np.testing.assert_array_equal(as_numpy(y), [2, 4, 6])


COMPARISONS = [
    pytest.param(operator.lt, id="lt"),
    pytest.param(operator.le, id="le"),
    pytest.param(operator.gt, id="gt"),
    pytest.param(operator.ge, id="ge"),
    pytest.param(operator.eq, id="eq"),
    pytest.param(operator.ne, id="ne"),
]


@pytest.mark.parametrize("op", COMPARISONS)
def test_comparison_with_variable_gives_boolean_constant(op, backend, to_backend):
    """Elementwise, as the array API standard says; the result is a Variable with
    no gradient (a Constant), so it never meets code as a bare array."""
    x, y = Variable(to_backend(A)), Variable(to_backend(np.array([1.0, 3.0, 2.0])))
    result = op(x, y)
    assert type(result) is Constant
    assert type(result.data) is type(x.data)
    assert backend.xp.isdtype(result.dtype, "bool")
    np.testing.assert_array_equal(as_numpy(result), op(A, np.array([1.0, 3.0, 2.0])))


@pytest.mark.parametrize("op", COMPARISONS)
def test_comparison_with_scalar_or_array_gives_boolean_constant(
    op, backend, to_backend
):
    x = Variable(to_backend(A))
    for other in (2.0, to_backend(np.array([1.0, 3.0, 2.0]))):
        result = op(x, other)
        assert type(result) is Constant
        assert backend.xp.isdtype(result.dtype, "bool")
        np.testing.assert_array_equal(as_numpy(result), op(A, as_numpy(other)))


def test_variables_hash_by_identity_while_equality_is_elementwise():
    x, y = Variable(np.array(1.0)), Variable(np.array(1.0))
    assert len({x, y}) == 2
    assert {x: 1}[x] == 1
    assert bool(x == y)
    assert (x == None) is False  # not an array: Python's identity


def test_matmul_operator(to_backend, rng):
    a, w = rng.standard_normal((2, 3)), rng.standard_normal((3, 4))
    y = Variable(to_backend(a)) @ Variable(to_backend(w))
    np.testing.assert_allclose(as_numpy(y), a @ w)
    testing.gradient_check(operator.matmul, to_backend(a), to_backend(w))


def test_matmul_operator_with_numpy_array_on_the_left(rng):
    a, w = rng.standard_normal((2, 3)), rng.standard_normal((3, 4))
    W = Variable(w)
    y = a @ W
    assert isinstance(y, Variable)
    y.backward()
    np.testing.assert_allclose(W.grad.data, a.T @ np.ones((2, 4)))


def test_getitem_gradient_accumulates_repeated_indices(to_backend):
    x = Variable(to_backend(np.array([1.0, 2.0, 3.0])))
    y = x[[0, 0, 2]]
    np.testing.assert_array_equal(as_numpy(y), [1.0, 1.0, 3.0])
    y.backward()
    np.testing.assert_array_equal(as_numpy(x.grad), [2.0, 0.0, 1.0])


def test_getitem_with_slices(to_backend):
    a = np.arange(6.0).reshape(2, 3)
    x = Variable(to_backend(a))
    y = x[:, 1:]
    np.testing.assert_array_equal(as_numpy(y), a[:, 1:])
    y.backward()
    np.testing.assert_array_equal(as_numpy(x.grad), [[0, 1, 1], [0, 1, 1]])


def test_T_swaps_axes_and_its_gradient_swaps_back(to_backend):
    a = np.arange(6.0).reshape(2, 3)
    x = Variable(to_backend(a))
    y = x.T
    np.testing.assert_array_equal(as_numpy(y), a.T)
    testing.gradient_check(lambda v: v.T, to_backend(a))


@pytest.mark.parametrize(
    "call",
    [
        pytest.param(lambda v: v.reshape(3, 2), id="ints"),
        pytest.param(lambda v: v.reshape((3, 2)), id="tuple"),
        pytest.param(lambda v: v.reshape([3, 2]), id="list"),
    ],
)
def test_reshape_method_takes_ints_or_a_sequence(call, to_backend):
    a = np.arange(6.0).reshape(2, 3)
    x = Variable(to_backend(a))
    y = call(x)
    np.testing.assert_array_equal(as_numpy(y), a.reshape(3, 2))
    y.backward()
    assert x.grad.shape == (2, 3)


@pytest.mark.parametrize(
    ("call", "axes"),
    [
        pytest.param(lambda v: v.transpose(1, 2, 0), (1, 2, 0), id="ints"),
        pytest.param(lambda v: v.transpose((2, 0, 1)), (2, 0, 1), id="tuple"),
        pytest.param(lambda v: v.transpose(), None, id="reverse"),
    ],
)
def test_transpose_method(call, axes, to_backend, rng):
    a = rng.standard_normal((2, 3, 4))
    x = Variable(to_backend(a))
    np.testing.assert_array_equal(as_numpy(call(x)), np.transpose(a, axes))
    testing.gradient_check(call, to_backend(a))


@pytest.mark.parametrize(
    ("axis", "keepdims"),
    [(None, False), (0, False), (1, True), ((0, 2), False), (-1, True)],
)
def test_sum_method(axis, keepdims, to_backend, rng):
    a = rng.standard_normal((2, 3, 4))
    y = Variable(to_backend(a)).sum(axis, keepdims)
    np.testing.assert_allclose(as_numpy(y), np.sum(a, axis=axis, keepdims=keepdims))
    testing.gradient_check(lambda v: v.sum(axis, keepdims), to_backend(a))


# -- Function ----------------------------------------------------------------------


def test_one_output_is_returned_as_is(to_backend):
    y = F.exp(Variable(to_backend([0.0])))
    assert isinstance(y, Variable)


def test_several_outputs_are_returned_as_a_list(to_backend):
    x = Variable(to_backend(np.arange(4.0)))
    outputs = F.split(x, 2)
    assert isinstance(outputs, list)
    assert [as_numpy(y).tolist() for y in outputs] == [[0.0, 1.0], [2.0, 3.0]]
    assert outputs[0].creator is outputs[1].creator


def test_forward_returning_a_one_element_tuple_gives_one_variable(to_backend):
    class Double(Function):
        def forward(self, x):
            return (x * 2,)  # the book's step 11 style

        def backward(self, gy):
            return gy * 2

    y = Double()(Variable(to_backend([1.0])))
    assert isinstance(y, Variable)
    assert as_numpy(y).tolist() == [2.0]


def test_gradient_flows_from_one_of_several_outputs(to_backend):
    x = Variable(to_backend(np.arange(4.0)))
    first, _ = F.split(x, 2)
    (first * 3.0).backward()
    np.testing.assert_array_equal(as_numpy(x.grad), [3.0, 3.0, 0.0, 0.0])


def test_function_records_inputs_and_outputs(to_backend):
    x = Variable(to_backend([1.0]))
    y = F.exp(x)
    f = y.creator
    assert len(f.inputs) == 1
    assert f.inputs[0] is x
    assert len(f.outputs) == 1
    assert f.outputs[0]() is y


def test_generation_is_recorded(to_backend):
    x = Variable(to_backend([1.0]))
    a = F.exp(x)
    y = a + x
    assert x.generation == 0
    assert a.creator.generation == 0
    assert a.generation == 1
    assert y.creator.generation == 1  # the largest generation of its inputs
    assert y.generation == 2


def test_function_holds_its_outputs_weakly(to_backend):
    x = Variable(to_backend([1.0]))
    y = F.exp(x)
    f = y.creator
    del y
    gc.collect()
    assert f.outputs[0]() is None


def test_graph_dies_with_its_output(to_backend):
    x = Variable(to_backend([1.0]))
    y = F.exp(F.sin(x))
    exp_ref, sin_ref = weakref.ref(y.creator), weakref.ref(y.creator.inputs[0].creator)
    del y
    gc.collect()
    assert exp_ref() is None
    assert sin_ref() is None


def test_custom_function_subclass(to_backend):
    class Square(Function):
        def forward(self, x):
            return x * x

        def backward(self, gy):
            (x,) = self.inputs
            return 2 * x * gy

    x = Variable(to_backend(np.array([3.0])))
    y = Square()(x)
    y.backward()
    assert as_numpy(y).tolist() == [9.0]
    assert as_numpy(x.grad).tolist() == [6.0]


def test_inputs_from_different_libraries_raise_type_error():
    torch = pytest.importorskip("torch")
    x0, x1 = Variable(np.ones(2)), Variable(torch.ones(2))
    with pytest.raises(TypeError, match="Add") as info:
        x0 + x1
    assert "numpy" in str(info.value)
    assert "torch" in str(info.value)


def test_inputs_on_different_devices_raise_value_error():
    aas = pytest.importorskip("array_api_strict")
    x0 = Variable(aas.ones(2, device=aas.Device("CPU_DEVICE")))
    x1 = Variable(aas.ones(2, device=aas.Device("device1")))
    with pytest.raises(ValueError, match="Mul") as info:
        x0 * x1
    assert "CPU_DEVICE" in str(info.value)
    assert "device1" in str(info.value)


def test_result_stays_on_the_input_device(backend, to_backend):
    x = Variable(to_backend([1.0, 2.0]))
    y = F.exp(x) * 2.0 + 1.0
    y.backward()
    assert y.device == x.device
    assert x.grad.device == x.device


# -- Config ----------------------------------------------------------------------


def test_no_grad_records_no_graph(to_backend):
    x = Variable(to_backend([1.0]))
    with xgrad.no_grad():
        y = F.exp(x) * 2.0
    assert y.creator is None


def test_using_config_enable_backprop_false_records_no_graph(to_backend):
    x = Variable(to_backend([1.0]))
    with xgrad.using_config("enable_backprop", False):
        assert Config.enable_backprop is False
        y = x + x
    assert y.creator is None
    assert Config.enable_backprop is True


def test_graph_is_recorded_again_after_no_grad(to_backend):
    x = Variable(to_backend([1.0]))
    with xgrad.no_grad():
        pass
    assert (x + x).creator is not None


def test_test_mode_sets_train_false():
    assert Config.train is True
    with xgrad.test_mode():
        assert Config.train is False
    assert Config.train is True


def test_unknown_setting_raises_attribute_error():
    with pytest.raises(AttributeError, match="enable_backprop"):
        Config.enable_backprob  # noqa: B018  (the typo is the point)


def test_no_grad_in_one_thread_leaves_another_thread_recording():
    barrier = threading.Barrier(2, timeout=10)
    seen = {}

    def inside_no_grad():
        with xgrad.no_grad():
            barrier.wait()  # both threads are now running, this one in no_grad
            seen["no_grad"] = (x + x).creator
            barrier.wait()

    def recording():
        barrier.wait()
        seen["recording"] = (x + x).creator
        seen["recording_flag"] = Config.enable_backprop
        barrier.wait()

    x = Variable(np.array(1.0))
    threads = [threading.Thread(target=f) for f in (inside_no_grad, recording)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert seen["no_grad"] is None
    assert seen["recording"] is not None
    assert seen["recording_flag"] is True


def test_no_grad_in_one_asyncio_task_leaves_another_recording():
    seen = {}
    x = Variable(np.array(1.0))

    async def inside_no_grad(entered, checked):
        with xgrad.no_grad():
            entered.set()
            await checked.wait()  # the other task runs while this one is in no_grad
            seen["no_grad"] = (x + x).creator

    async def recording(entered, checked):
        await entered.wait()
        seen["recording"] = (x + x).creator
        seen["recording_flag"] = Config.enable_backprop
        checked.set()

    async def main():
        entered, checked = asyncio.Event(), asyncio.Event()
        await asyncio.gather(
            inside_no_grad(entered, checked), recording(entered, checked)
        )

    asyncio.run(main())
    assert seen["no_grad"] is None
    assert seen["recording"] is not None
    assert seen["recording_flag"] is True


# -- backward --------------------------------------------------------------------


def test_backward_of_100000_op_chain_needs_no_recursion():
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(1000)  # CPython's default
    try:
        x = Variable(np.array(1.0))
        y = x
        for _ in range(100_000):
            y = y + 1
        y.backward()
        assert y.data == 100_001.0
        assert x.grad.data == 1.0
    finally:
        sys.setrecursionlimit(limit)


def test_backward_of_100000_negations():
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(1000)
    try:
        x = Variable(np.array(2.0))
        y = x
        for _ in range(100_001):
            y = F.neg(y)
        y.backward()
        assert y.data == -2.0
        assert x.grad.data == -1.0
    finally:
        sys.setrecursionlimit(limit)


def test_x_plus_x_has_gradient_two(to_backend):
    x = Variable(to_backend(np.array([3.0])))
    y = x + x
    y.backward()
    assert as_numpy(x.grad).tolist() == [2.0]


def test_variable_used_in_several_places_gets_the_sum(to_backend):
    x = Variable(to_backend(np.array([0.5])))
    y = F.sin(x) * x + 3.0 * x
    y.backward()
    # d/dx (x sin x + 3x) = sin x + x cos x + 3
    np.testing.assert_allclose(as_numpy(x.grad), np.sin(0.5) + 0.5 * np.cos(0.5) + 3.0)


def test_diamond_graph_backward_calls_each_function_once(xp, device):
    calls = []

    class Square(Function):
        def forward(self, x):
            return x * x

        def backward(self, gy):
            calls.append(self)
            (x,) = self.inputs
            return 2 * x * gy

    x = Variable(zero_d(xp, device, 2.0))
    a = Square()(x)
    y = Square()(a) + Square()(a)  # y = 2 x**4
    y.backward()
    assert float(as_numpy(y)) == 32.0
    assert float(as_numpy(x.grad)) == 64.0  # 8 x**3
    assert len(calls) == 3
    assert len(set(calls)) == 3


def test_diamond_graph_with_pow(to_backend):
    x = Variable(to_backend(np.array([2.0, -1.0])))
    a = x**2
    y = a**2 + a**2
    y.backward()
    np.testing.assert_allclose(as_numpy(x.grad), 8 * np.array([2.0, -1.0]) ** 3)


def test_intermediate_gradients_are_freed(to_backend):
    x = Variable(to_backend([1.0]))
    a = x * 2.0
    y = a + 1.0
    y.backward()
    assert a.grad is None
    assert y.grad is None
    assert as_numpy(x.grad).tolist() == [2.0]


def test_retain_grad_keeps_intermediate_gradients(to_backend):
    x = Variable(to_backend([1.0]))
    a = x * 2.0
    y = a + 1.0
    y.backward(retain_grad=True)
    assert as_numpy(a.grad).tolist() == [1.0]
    assert as_numpy(y.grad).tolist() == [1.0]


def test_seed_gradient_is_ones_like_the_output(backend, to_backend):
    x = Variable(to_backend(np.ones((2, 3), dtype=np.float32)))
    y = x * 3.0
    y.backward(retain_grad=True)
    assert y.grad.dtype == backend.xp.float32
    np.testing.assert_array_equal(as_numpy(y.grad), np.ones((2, 3)))


def test_preset_output_gradient_is_the_seed(to_backend):
    x = Variable(to_backend(np.array([1.0, 2.0])))
    y = x * 3.0
    y.grad = Variable(to_backend(np.array([10.0, -1.0])))
    y.backward()
    np.testing.assert_array_equal(as_numpy(x.grad), [30.0, -3.0])


def test_gradient_without_create_graph_has_no_creator(to_backend):
    x = Variable(to_backend(np.array([2.0])))
    (x**3).backward()
    assert x.grad.creator is None


def test_gradient_with_create_graph_has_a_creator(to_backend):
    x = Variable(to_backend(np.array([2.0])))
    (x**3).backward(create_graph=True)
    assert x.grad.creator is not None


def test_fourth_derivative_of_tanh_is_its_closed_form(to_backend):
    values = np.array([-1.5, -0.3, 0.4, 2.0])
    x = Variable(to_backend(values))
    F.tanh(x).backward(create_graph=True)
    for _ in range(3):
        gx = x.grad
        x.cleargrad()
        gx.backward(create_graph=True)
    # With t = tanh x and f = P(t), f' = P'(t) (1 - t**2):
    # 1 - t^2 -> -2t + 2t^3 -> -2 + 8t^2 - 6t^4 -> 16t - 40t^3 + 24t^5
    t = np.tanh(values)
    np.testing.assert_allclose(as_numpy(x.grad), 16 * t - 40 * t**3 + 24 * t**5)


def test_newton_method_with_automatic_second_derivative(xp, device):
    # step 33: f(x) = x**4 - 2 x**2 has a minimum at x = 1
    x = Variable(zero_d(xp, device, 2.0))
    for _ in range(7):
        y = x**4 - 2 * x**2
        x.cleargrad()
        y.backward(create_graph=True)
        gx = x.grad
        x.cleargrad()
        gx.backward()
        gx2 = x.grad
        x.data = x.data - gx.data / gx2.data
    assert x.ndim == 0
    assert float(as_numpy(x)) == pytest.approx(1.0, abs=1e-12)


def test_backward_on_a_leaf_sets_gradient_one(to_backend):
    x = Variable(to_backend(np.array([2.0, 3.0])))
    x.backward()
    np.testing.assert_array_equal(as_numpy(x.grad), [1.0, 1.0])


def test_backward_on_output_made_under_no_grad_sets_its_gradient_one(to_backend):
    x = Variable(to_backend(np.array([2.0])))
    with xgrad.no_grad():
        y = x * 3.0
    y.backward()
    assert as_numpy(y.grad).tolist() == [1.0]
    assert x.grad is None


def test_cleargrad_forgets_the_gradient(to_backend):
    x = Variable(to_backend(np.array([2.0])))
    (x * 3.0).backward()
    x.cleargrad()
    assert x.grad is None
    (x * 5.0).backward()
    assert as_numpy(x.grad).tolist() == [5.0]


def test_gradients_accumulate_across_backward_calls(to_backend):
    x = Variable(to_backend(np.array([2.0])))
    (x * 3.0).backward()
    (x * 5.0).backward()
    assert as_numpy(x.grad).tolist() == [8.0]


def test_unchain_makes_a_leaf(to_backend):
    x = Variable(to_backend(np.array([2.0])))
    a = x * 3.0
    a.unchain()
    y = a * 2.0
    y.backward()
    assert a.creator is None
    assert x.grad is None


def test_unchain_backward_cuts_every_creator(to_backend):
    x = Variable(to_backend(np.array([2.0])))
    a = F.exp(x)
    b = F.sin(a) + a
    y = b * 2.0
    y.unchain_backward()
    assert b.creator is None
    assert a.creator is None


def test_unchain_backward_keeps_the_variables_own_creator(to_backend):
    # As DeZero: only the creators *behind* it are cut, so backward still
    # reaches the inputs of its last Function.
    x = Variable(to_backend(np.array([2.0])))
    a = x * 3.0
    y = a * 2.0
    y.unchain_backward()
    assert a.creator is None
    assert y.creator is not None
    y.backward()
    assert as_numpy(a.grad).tolist() == [2.0]


def test_retain_grad_accumulates_without_feeding_an_old_pass_upstream(to_backend):
    x = Variable(to_backend(2.0))
    y = x * x
    z = y * 3.0
    z.backward(retain_grad=True)
    z.backward(retain_grad=True)  # a second pass: each gradient adds once
    np.testing.assert_allclose(as_numpy(y.grad.data), 6.0)  # 3 + 3
    np.testing.assert_allclose(as_numpy(x.grad.data), 24.0)  # 12 + 12, not 12 + 24


def test_a_variable_used_twice_in_one_op_gets_both_gradients(to_backend):
    x = Variable(to_backend(2.0))
    (x + x).backward()
    np.testing.assert_allclose(as_numpy(x.grad.data), 2.0)
    x.cleargrad()
    (x * x).backward()
    np.testing.assert_allclose(as_numpy(x.grad.data), 4.0)


def test_a_seed_of_the_wrong_shape_is_refused_by_name():
    x = Variable(np.ones(2))
    y = x * 2.0
    y.grad = Variable(np.ones(3))
    with pytest.raises(
        ValueError,
        match=r"starting gradient has shape \(3,\) for an output of shape \(2,\)",
    ):
        y.backward()
