"""Debugging tools: anomaly detection, gradient hooks and the profiler.

Tests taking ``backend``/``to_backend`` run once per array library. NumPy
warns about log(-1) and 1/0 before xgrad raises, so those warnings are off.
"""

from __future__ import annotations

import asyncio
import contextvars
import gc
import sys
import threading

import numpy as np
import pytest

import xgrad
import xgrad.functions as F
from xgrad import Function, Variable, observing, testing
from xgrad.cuda import as_numpy
from xgrad.debug import (
    AnomalyError,
    detect_anomaly,
    is_anomaly_enabled,
    set_debug,
)
from xgrad.devices import device_of
from xgrad.profiler import profile

pytestmark = pytest.mark.filterwarnings("ignore::RuntimeWarning")


def here() -> int:
    """The line number of the caller's next line."""
    return sys._getframe(1).f_lineno + 1


# -- anomaly detection ---------------------------------------------------------------


def test_anomaly_names_function_inputs_backend_device_and_line(backend, to_backend):
    x = Variable(to_backend([-1.0, 2.0]))
    line = here() + 1
    with detect_anomaly(), pytest.raises(AnomalyError) as info:
        F.log(x)
    message = str(info.value)
    assert message.startswith("Log produced NaN in its forward output 0")
    assert "shape (2,) float64" in message
    assert f"backend {backend.name}, device {device_of(x.data)}" in message
    assert f"{__file__}:{line} in test_anomaly_names" in message
    assert "F.log(x)" in message
    assert type(info.value.function).__name__ == "Log"
    assert info.value.phase == "forward"
    assert isinstance(info.value, FloatingPointError)


def test_anomaly_zero_over_zero_is_nan_in_div(to_backend):
    x = Variable(to_backend([0.0, 1.0]))
    with detect_anomaly(), pytest.raises(AnomalyError, match="Div produced NaN"):
        x / x


def test_anomaly_inf_in_backward_names_the_backward_and_forward_line(
    backend, to_backend
):
    x = Variable(to_backend([0.0, 4.0]))
    with detect_anomaly():
        line = here()
        y = F.sqrt(x)  # finite: [0, 2]
        with pytest.raises(AnomalyError) as info:
            F.sum(y).backward()  # d sqrt / dx = 1 / (2 sqrt x): Inf at 0
    message = str(info.value)
    assert message.startswith("the backward of Sqrt produced Inf")
    assert "Div" in message  # the op inside Sqrt's backward that made it
    assert f"{__file__}:{line} in" in message
    assert "y = F.sqrt(x)" in message
    assert f"backend {backend.name}, device {device_of(x.data)}" in message
    assert type(info.value.function).__name__ == "Sqrt"
    assert info.value.phase == "backward"


class NaNGrad(Function):
    """Identity whose backward returns a NaN array without calling any op."""

    def forward(self, x):
        return x

    def backward(self, gy):
        return Variable(self.xp.full_like(gy.data, float("nan")))


def test_anomaly_checks_the_gradients_a_backward_returns(to_backend):
    x = Variable(to_backend([1.0, 2.0]))
    with detect_anomaly():
        y = NaNGrad()(x)
        with pytest.raises(AnomalyError) as info:
            y.backward()
    message = str(info.value)
    assert message.startswith("the backward of NaNGrad produced NaN")
    assert "the gradient it returned for input 0" in message
    assert "y = NaNGrad()(x)" in message


def test_anomaly_in_second_order_names_the_backward_that_made_the_op(to_backend):
    x = Variable(to_backend([0.0]))
    with detect_anomaly():
        y = x**1.5  # y' = 1.5 x ** 0.5 is 0 at 0, y'' is Inf
        y.backward(create_graph=True)
        gx = x.grad
        x.cleargrad()
        with pytest.raises(AnomalyError) as info:
            gx.backward()
    message = str(info.value)
    assert message.startswith("the backward of Pow produced Inf")
    assert "it was made by the backward of Pow" in message
    assert "y = x**1.5" in message


def test_no_checks_when_off(to_backend):
    x = Variable(to_backend([-1.0, 0.0]))
    assert not is_anomaly_enabled()
    y = F.log(x)  # NaN and -Inf, silently
    F.sum(F.sqrt(F.abs(x))).backward()
    assert np.isnan(as_numpy(y)[0])
    with detect_anomaly():
        assert is_anomaly_enabled()
        with detect_anomaly(False):
            assert not is_anomaly_enabled()
            F.log(x)
    assert not is_anomaly_enabled()


def test_the_engine_takes_its_fast_path_once_all_is_off():
    gc.collect()
    assert not observing.active  # the one global Function calls and backward check
    with detect_anomaly(), profile():
        assert observing.active
        context = contextvars.copy_context()  # a task's copy keeps it on
    assert observing.active
    del context
    gc.collect()
    assert not observing.active


def test_anomaly_checks_under_no_grad(to_backend):
    x = Variable(to_backend([-1.0]))
    with detect_anomaly(), xgrad.no_grad(), pytest.raises(AnomalyError, match="Log"):
        F.log(x)


def test_set_debug_turns_checks_on_and_off_in_this_context():
    x = Variable(np.array([-1.0]))

    def run():
        set_debug(True)
        with pytest.raises(AnomalyError):
            F.log(x)
        set_debug(False)
        F.log(x)
        set_debug(True)

    contextvars.copy_context().run(run)
    assert not is_anomaly_enabled()  # set_debug inside another context stays there
    F.log(x)


def test_anomaly_mode_is_per_thread():
    x = Variable(np.array([-1.0]))
    errors = []

    def worker():
        try:
            F.log(x)  # a new thread starts with checks off
            set_debug(True)  # and turning them on there stays there
        except AnomalyError as e:  # pragma: no cover - the failure case
            errors.append(e)

    with detect_anomaly():
        t = threading.Thread(target=worker)
        t.start()
        t.join()
    assert errors == []
    assert not is_anomaly_enabled()


def test_anomaly_mode_is_per_asyncio_task():
    x = Variable(np.array([-1.0]))

    async def checked():
        with detect_anomaly():
            await asyncio.sleep(0)  # the other task runs inside this block
            with pytest.raises(AnomalyError):
                F.log(x)

    async def unchecked():
        await asyncio.sleep(0)
        F.log(x)

    async def main():
        await asyncio.gather(checked(), unchecked())

    asyncio.run(main())


# -- gradient hooks ------------------------------------------------------------------


def test_hook_sees_an_intermediate_gradient(to_backend):
    x = Variable(to_backend([1.0, 2.0]))
    h = x * x
    seen = []
    h.register_hook(lambda g: seen.append(as_numpy(g)))
    F.sum(3.0 * h).backward()
    np.testing.assert_array_equal(seen[0], [3.0, 3.0])
    np.testing.assert_array_equal(as_numpy(x.grad), [6.0, 12.0])


def test_hook_replaces_the_gradient_upstream(to_backend):
    x = Variable(to_backend([1.0, 2.0]))
    h = x * x
    h.register_hook(lambda g: g * 0.5)
    F.sum(h).backward()
    np.testing.assert_array_equal(as_numpy(x.grad), [1.0, 2.0])  # 0.5 * 2x


def test_hook_runs_once_with_the_complete_gradient(to_backend):
    x = Variable(to_backend([1.0, 2.0]))
    h = x * x
    seen_h, seen_x = [], []
    h.register_hook(lambda g: seen_h.append(as_numpy(g)))
    x.register_hook(lambda g: seen_x.append(as_numpy(g)))
    y = F.sum(h * h + h)  # h is used three times, x twice
    y.backward()
    assert len(seen_h) == 1
    assert len(seen_x) == 1
    np.testing.assert_array_equal(seen_h[0], [3.0, 9.0])  # 2h + 1
    np.testing.assert_array_equal(seen_x[0], [6.0, 36.0])  # (2h + 1) 2x


def test_leaf_hook_sees_this_pass_and_adds_to_older_grad(to_backend):
    x = Variable(to_backend([1.0, 2.0]))
    x.register_hook(lambda g: 10.0 * g)
    F.sum(x * x).backward()
    F.sum(x).backward()  # no cleargrad: gradients accumulate, as in DeZero
    np.testing.assert_array_equal(as_numpy(x.grad), [30.0, 50.0])  # 10 (2x) + 10


def test_hook_on_the_output_sees_the_seed(to_backend):
    x = Variable(to_backend([1.0, 2.0]))
    y = 2.0 * x
    y.register_hook(lambda g: 3.0 * g)
    y.backward()
    np.testing.assert_array_equal(as_numpy(x.grad), [6.0, 6.0])


def test_hook_handle_removes_the_hook(to_backend):
    x = Variable(to_backend([1.0, 2.0]))
    calls = []
    handle = x.register_hook(lambda g: calls.append(1))
    keep = x.register_hook(lambda g: g * 2.0)
    F.sum(x).backward()
    handle.remove()
    handle.remove()  # a second remove does nothing
    x.cleargrad()
    F.sum(x).backward()
    assert calls == [1]
    np.testing.assert_array_equal(as_numpy(x.grad), [2.0, 2.0])
    with x.register_hook(lambda g: g * 0.0):
        x.cleargrad()
        F.sum(x).backward()
        np.testing.assert_array_equal(as_numpy(x.grad), [0.0, 0.0])
    keep.remove()
    x.cleargrad()
    F.sum(x).backward()
    np.testing.assert_array_equal(as_numpy(x.grad), [1.0, 1.0])


def test_hooks_with_create_graph_are_differentiable(backend, to_backend):
    x = Variable(to_backend([1.5]))
    h = x**2
    handle = h.register_hook(lambda g: g * h)  # depends on x: differentiated too
    y = h**2
    y.backward(create_graph=True)
    gx = x.grad  # (2h * h) 2x = 4 x^5
    handle.remove()
    x.cleargrad()
    gx.backward()  # 20 x^4
    testing.assert_close(gx.data, to_backend([4 * 1.5**5]), rtol=1e-12)
    testing.assert_close(x.grad.data, to_backend([20 * 1.5**4]), rtol=1e-12)


def test_hook_must_keep_the_shape():
    x = Variable(np.ones(3))
    x.register_hook(lambda g: F.sum(g))
    with pytest.raises(ValueError, match=r"returned shape \(\)"):
        F.sum(x).backward()
    with pytest.raises(TypeError, match="register_hook"):
        x.register_hook(3)


def test_the_engine_takes_its_fast_path_once_hooks_are_gone():
    gc.collect()
    x = Variable(np.ones(3))
    handle = x.register_hook(lambda g: None)
    assert observing.active
    handle.remove()
    assert not observing.active
    x.register_hook(lambda g: None)
    assert observing.active
    del x  # its hooks go with it
    assert not observing.active


def test_the_slow_path_gives_the_plain_gradients(to_backend):
    """Multi-output ops, retain_grad, second order: the same with debugging on."""

    def run():
        x = Variable(to_backend([0.5, -1.0, 2.0, 0.25]))
        a, b = F.split(x, 2)
        y = F.sum(F.tanh(a) * F.exp(b) + a * a)
        y.backward(create_graph=True, retain_grad=True)
        gx, ga = x.grad, a.grad
        x.cleargrad()
        F.sum(gx * gx).backward()
        return [as_numpy(v) for v in (gx, ga, x.grad)]

    plain = run()
    unrelated = Variable(np.ones(1))
    with unrelated.register_hook(lambda g: None), detect_anomaly(), profile():
        debugged = run()
    for got, want in zip(debugged, plain, strict=True):
        np.testing.assert_array_equal(got, want)


def test_hook_on_one_output_of_a_multi_output_op(to_backend):
    x = Variable(to_backend([1.0, 2.0, 3.0, 4.0]))
    a, b = F.split(x, 2)
    b.register_hook(lambda g: g * 0.0)
    F.sum(a * b).backward()
    np.testing.assert_array_equal(as_numpy(x.grad), [3.0, 4.0, 0.0, 0.0])


# -- profiler ------------------------------------------------------------------------


def test_profile_counts_forward_and_backward_calls(to_backend):
    x = Variable(to_backend([0.5, 1.0]))
    with profile() as p:
        y = x
        for _ in range(5):
            y = F.tanh(y)
        F.sum(y).backward()
    stats = p.stats
    assert (stats["Tanh"].forward_calls, stats["Tanh"].backward_calls) == (5, 5)
    assert (stats["TanhGrad"].forward_calls, stats["TanhGrad"].backward_calls) == (5, 0)
    assert (stats["Sum"].forward_calls, stats["Sum"].backward_calls) == (1, 1)
    assert all(s.forward_time >= 0 and s.backward_time >= 0 for s in stats.values())
    totals = [s.total_time for s in stats.values()]
    assert totals == sorted(totals, reverse=True)


def test_profile_table_lists_rows_by_total_time():
    x = Variable(np.ones(4))
    with profile() as p:
        F.sum(F.exp(F.sin(x))).backward()
    table = p.table()
    assert table == str(p)
    rows = [line.split()[0] for line in table.splitlines()[2:-3]]
    assert rows == list(p.stats)
    assert {"Exp", "Sin", "Cos", "Mul", "Sum"} <= set(rows)
    assert "self times" in table
    assert repr(p).startswith("<Profile:")


def test_profile_records_only_inside_its_block_and_context():
    x = Variable(np.ones(2))
    with profile() as outer:
        F.exp(x)
        with profile() as inner:
            F.sin(x)
        t = threading.Thread(target=lambda: F.cos(x))  # another context
        t.start()
        t.join()
    F.tanh(x)
    assert set(outer.stats) == {"Exp", "Sin"}
    assert set(inner.stats) == {"Sin"}


def test_profile_and_anomaly_detection_together():
    x = Variable(np.array([-1.0]))
    with detect_anomaly(), profile() as p:
        assert is_anomaly_enabled()
        F.exp(x)
        with pytest.raises(AnomalyError):
            F.log(x)
    assert p.stats["Log"].forward_calls == 1
