"""The debugging tools act the same under every transform as under ``backward()``.

All of them are observers of the one engine (xgrad.observing), so gradient
hooks fire and replace gradients, ``profile()`` counts backward calls and
anomaly mode names "the backward of Sqrt" and the user's line in
``grad``, ``value_and_grad``, ``vjp``, ``jvp``, ``jacobian``, ``hessian``,
``hvp`` and ``recompute`` too. Tests taking ``to_backend`` run once per array
library.
"""

from __future__ import annotations

import sys

import numpy as np
import pytest

import xgrad
import xgrad.functions as F
from xgrad import Variable, observing
from xgrad.cuda import as_numpy
from xgrad.debug import AnomalyError, detect_anomaly
from xgrad.functional import grad, hessian, hvp, jacobian, jvp, value_and_grad, vjp
from xgrad.profiler import profile

pytestmark = pytest.mark.filterwarnings("ignore::RuntimeWarning")


def cube_sum(x):
    return F.sum(x**3)


# Every transform, as a call on one argument that backpropagates at least once.
TRANSFORMS = {
    "backward": lambda f, x: f(x).backward(),
    "grad": lambda f, x: grad(f)(x),
    "value_and_grad": lambda f, x: value_and_grad(f)(x),
    "vjp": lambda f, x: vjp(f, x)[1](xgrad.ones_like(f(x))),
    "jvp": lambda f, x: jvp(f, (x,), (xgrad.ones_like(x),)),
    "jacobian": lambda f, x: jacobian(f)(x),
    "hessian": lambda f, x: hessian(f)(x),
    "hvp": lambda f, x: hvp(f, x, xgrad.ones_like(x)),
    "recompute": lambda f, x: xgrad.recompute(f, x).backward(),
}


@pytest.mark.parametrize("name", list(TRANSFORMS))
def test_a_hook_on_an_intermediate_sees_and_replaces_its_gradient(name, to_backend):
    x = Variable(to_backend([1.0, 2.0]))
    seen = []

    def f(x):
        h = x * x
        h.register_hook(lambda g: seen.append(as_numpy(g)) or g * 0.0)
        return F.sum(h * h)

    zeroed = TRANSFORMS[name](f, x)
    assert seen, f"the hook did not fire under {name}"
    # d sum(h^2) / dh = 2h; jvp's inner pass pulls back its dummy cotangent, 0
    want = [0.0, 0.0] if name == "jvp" else [2.0, 8.0]
    np.testing.assert_array_equal(seen[0], want)
    if name == "grad":  # the replacement flowed upstream
        np.testing.assert_array_equal(as_numpy(zeroed.data), [0.0, 0.0])


@pytest.mark.parametrize("name", ["grad", "value_and_grad", "vjp", "jvp", "hvp"])
def test_a_hook_on_the_callers_variable_fires_once_per_pass(name, to_backend):
    x = Variable(to_backend([1.0, 2.0]))
    seen = []
    with x.register_hook(lambda g: seen.append(as_numpy(g))):
        TRANSFORMS[name](cube_sum, x)
    # hvp is a grad of a grad: two passes reach x; jvp's inner pass carries 0
    assert len(seen) == (2 if name == "hvp" else 1)
    want = {"jvp": [0.0, 0.0], "hvp": [6.0, 12.0]}.get(name, [3.0, 12.0])
    np.testing.assert_array_equal(seen[-1], want)


def test_jacobian_fires_a_hook_once_per_row(to_backend):
    x = Variable(to_backend([1.0, 2.0, 3.0]))
    seen = []
    with x.register_hook(lambda g: seen.append(as_numpy(g))):
        j = jacobian(lambda x: x**2)(x)
    assert len(seen) == 3  # one backward pass per output element
    np.testing.assert_array_equal(np.stack(seen), as_numpy(j.data))


def test_a_hook_replacing_the_callers_gradient_changes_the_result(to_backend):
    x = Variable(to_backend([1.0, 2.0]))
    with x.register_hook(lambda g: g * 10.0):
        g = grad(cube_sum)(x)
    np.testing.assert_array_equal(as_numpy(g.data), [30.0, 120.0])


@pytest.mark.parametrize("name", list(TRANSFORMS))
def test_profile_counts_backward_calls(name, to_backend):
    x = Variable(to_backend([0.5, 1.0]))
    with profile() as p:
        TRANSFORMS[name](lambda x: F.sum(F.tanh(x)), x)
    tanh = p.stats["Tanh"]
    assert tanh.forward_calls >= 1
    assert tanh.backward_calls >= 1, f"no backward counted under {name}"


def test_profile_counts_one_backward_per_jacobian_row(to_backend):
    x = Variable(to_backend([0.5, 1.0, 2.0]))
    with profile() as p:
        jacobian(F.tanh)(x)
    assert (p.stats["Tanh"].forward_calls, p.stats["Tanh"].backward_calls) == (1, 3)


@pytest.mark.parametrize("name", [n for n in TRANSFORMS if n != "jvp"])
def test_anomaly_names_the_backward_and_the_users_line(name, to_backend):
    x = Variable(to_backend([0.0, 4.0]))
    lines = []

    def f(x):
        lines.append(sys._getframe().f_lineno + 1)
        y = F.sqrt(x)  # finite, but d/dx is Inf at 0
        return F.sum(y)

    with detect_anomaly(), pytest.raises(AnomalyError) as info:
        TRANSFORMS[name](f, x)
    message = str(info.value)
    assert message.startswith("the backward of Sqrt produced Inf"), message
    assert f"{__file__}:{lines[0]} in f" in message
    assert "y = F.sqrt(x)" in message
    assert info.value.phase == "backward"


def test_anomaly_under_jvp_names_the_backward_of_sqrt(to_backend):
    """sqrt's slope at 0 is infinite, so is the jvp there: the second pass
    meets it in the guarded division that sqrt's backward recorded."""
    x = Variable(to_backend([0.0, 4.0]))
    with detect_anomaly(), pytest.raises(AnomalyError) as info:
        jvp(F.sqrt, (x,), (xgrad.ones_like(x),))
    message = str(info.value)
    assert message.startswith("the backward of GuardedDiv produced Inf")
    assert "it was made by the backward of Sqrt:" in message


class Recorder(observing.Observer):
    """Every event, as (event, Function name)."""

    def __init__(self):
        self.events = []

    def forward_postprocess(self, call, inputs, outputs):
        self.events.append(("forward", type(call.function).__name__))

    def backward_preprocess(self, call, grads):
        self.events.append(("backward", type(call.function).__name__))

    def gradient(self, variable, grad):
        self.events.append(("gradient", variable.name))


def test_a_user_observer_sees_forwards_backwards_and_gradients(to_backend):
    x = Variable(to_backend([1.0, 2.0]), name="x")
    with observing.observe(Recorder()) as recorder:
        h = F.exp(x)
        h.name = "h"
        F.sum(h).backward()
    assert recorder.events == [
        ("forward", "Exp"),
        ("forward", "Sum"),
        ("gradient", None),  # the seed, on the unnamed sum
        ("backward", "Sum"),
        ("forward", "Reshape"),  # Sum's backward runs ops, observed too
        ("forward", "BroadcastTo"),
        ("gradient", "h"),
        ("backward", "Exp"),
        ("forward", "Mul"),
        ("gradient", "x"),  # a leaf: at the end of the pass
    ]
    assert not observing.active


def test_observers_are_told_in_order_and_removed_at_the_end_of_the_block():
    outer, inner = Recorder(), Recorder()
    x = Variable(np.ones(2))
    with observing.observe(outer):
        F.exp(x)
        with observing.observe(inner):
            F.sin(x)
        assert observing.observers() == (outer,)
    assert [e[1] for e in outer.events] == ["Exp", "Sin"]
    assert [e[1] for e in inner.events] == ["Sin"]
    assert observing.observers() == ()
