"""The code of a replay: what it makes once, and how it writes the calls.

xgrad.jit makes once what the signature alone fixes, and nothing else. The
seed of ``backward()`` (``ones_like(loss)``, reshaped, broadcast, divided by
the batch) is the same array at every replay: the replay takes it from the
recording run. An array that the step writes into, or hands back, is made at
every replay, as an eager call makes it. Python's operators are written as
operators, with the step's own precedence.
"""

from __future__ import annotations

import dataclasses

import array_api_compat
import numpy as np
import pytest

import xgrad
import xgrad.functions as F
from xgrad import JitError, Variable
from xgrad import optimizers as O
from xgrad.models import MLP
from xgrad.recording import host

pytestmark = pytest.mark.skip_backend(
    "dask", reason="xgrad.jit runs Dask steps eagerly; tested in test_jit.py"
)


def as_np(x):
    return np.asarray(xgrad.cuda.as_numpy(x))


def eager_and_jitted(step, inputs):
    """``step`` on each of ``inputs``, eagerly and jitted: NumPy results."""
    run = xgrad.jit(step)
    eager = [[as_np(r) for r in step(x)] for x in inputs]
    jitted = [[as_np(r) for r in run(x)] for x in inputs]
    return eager, jitted, run


def refused_when_recorded(step, a, match, after_first_call=lambda: None):
    """``xgrad.jit(step)`` runs its first call eagerly, then refuses to
    record the second with a JitError matching ``match``."""
    run = xgrad.jit(step)
    run(a)
    after_first_call()
    with pytest.raises(JitError, match=match):
        run(a)


def test_the_seed_of_backward_is_made_once(backend, to_backend):
    xgrad.manual_seed(0)
    rng = np.random.default_rng(0)
    x = to_backend(rng.standard_normal((16, 4)).astype(np.float32))
    t = to_backend(rng.integers(0, 3, 16))
    losses = {}
    for jitted in (False, True):
        xgrad.manual_seed(0)
        model = MLP((8, 3))
        optimizer = O.SGD(lr=0.1).setup(model)

        def step(x, t, model=model, optimizer=optimizer):
            loss = F.softmax_cross_entropy(model(x), t)
            model.cleargrads()
            loss.backward()
            optimizer.update()
            return loss

        run = xgrad.jit(step) if jitted else step
        losses[jitted] = [as_np(run(x, t)) for _ in range(5)]
    np.testing.assert_array_equal(losses[True], losses[False])
    assert "# made once: ones_like" in run.source[0]


def test_an_array_the_step_writes_into_is_made_at_every_replay(backend, to_backend):
    def step(a):
        xp = array_api_compat.array_namespace(a)
        total = xp.zeros_like(a)
        total += a  # a folded zeros_like would add up over the replays
        return (total * 2.0,)

    inputs = [to_backend(np.full(3, float(i))) for i in range(4)]
    eager, jitted, run = eager_and_jitted(step, inputs)
    np.testing.assert_array_equal(jitted, eager)
    assert "made once" not in run.source[0]


def test_a_written_view_keeps_its_base_made_at_every_replay(backend, to_backend):
    def step(a):
        xp = array_api_compat.array_namespace(a)
        ones = xp.ones_like(a)
        flat = xp.reshape(ones, (-1,))  # a view on NumPy: writes reach `ones`
        flat *= xp.reshape(a, (-1,))
        return (ones + a,)

    inputs = [to_backend(np.full((2, 3), float(i))) for i in range(4)]
    eager, jitted, run = eager_and_jitted(step, inputs)
    np.testing.assert_array_equal(jitted, eager)
    assert "made once" not in run.source[0]


def test_a_seed_the_step_returns_is_the_callers_own(backend, to_backend):
    def step(a):
        y = Variable(a) * 3.0
        y.backward(retain_grad=True)  # y.grad: the seed, returned with y
        return y

    run = xgrad.jit(step)
    a = to_backend(np.arange(3.0))
    for _ in range(4):
        y = run(a)
        np.testing.assert_array_equal(as_np(y.grad), np.ones(3))
        y.grad.data[...] = 7.0  # the caller's to change: the next replay's is new


def test_a_constant_made_from_made_once_arrays_is_made_once(backend, to_backend):
    def step(a):
        xp = array_api_compat.array_namespace(a)
        scale = xp.ones_like(a) / 4.0  # depends on a's shape only
        return (a * scale,)

    inputs = [to_backend(np.full(5, float(i))) for i in range(4)]
    eager, jitted, run = eager_and_jitted(step, inputs)
    np.testing.assert_array_equal(jitted, eager)
    assert "# made once: truediv" in run.source[0]


SELECTIONS = {  # arrays whose length depends on a's values, not on its shape
    "mask": lambda xp, a: a[a > 0],
    "nonzero": lambda xp, a: xp.take(a, xp.nonzero(a > 0)[0]),
    "unique": lambda xp, a: xp.unique_values(xp.abs(a)),
}


@pytest.mark.parametrize("select", SELECTIONS.values(), ids=SELECTIONS)
def test_a_made_once_array_has_the_shape_of_this_call(backend, to_backend, select):
    def step(a):
        xp = array_api_compat.array_namespace(a)
        positive = select(xp, a)
        return (xp.ones_like(positive) + xp.sum(positive),)

    rows = ([1.0, -1, -1], [1.0, 2, -1], [1.0, 2, 3], [5.0, 4, 3])  # 1, 2, 3, 3 long
    eager, jitted, run = eager_and_jitted(step, [to_backend(np.array(r)) for r in rows])
    for eager_results, jitted_results in zip(eager, jitted, strict=True):
        np.testing.assert_array_equal(jitted_results[0], eager_results[0], strict=True)
    assert "made once" not in run.source[0]


def test_the_seed_of_a_selection_has_the_shape_of_this_call(backend, to_backend):
    def step(a):
        x = Variable(a)
        (x[a > 0] * 2.0).backward()  # the seed: ones_like of the selection
        return (x.grad.data,)

    inputs = [to_backend(np.array(row)) for row in ([1.0, -1, -1], [1.0, 2, -1])]
    inputs += [to_backend(np.array(row)) for row in ([1.0, 2, 3], [5.0, -2, 3])]
    eager, jitted, _ = eager_and_jitted(step, inputs)
    np.testing.assert_array_equal(jitted, eager)
    np.testing.assert_array_equal(jitted[3][0], [2.0, 0.0, 2.0])


def test_a_made_once_array_has_the_length_a_host_call_gives(backend, to_backend):
    lengths = [1, 2, 3, 1, 2, 3]
    next_length = host(iter(lengths).__next__)  # a number the replay's slice uses

    def step(a):
        xp = array_api_compat.array_namespace(a)
        return (xp.ones_like(a[: next_length()]) + xp.sum(a),)

    run = xgrad.jit(step)
    a = to_backend(np.arange(4.0))
    for length in lengths:  # eagerly, recorded, then replayed
        np.testing.assert_array_equal(as_np(run(a)[0]), np.full(length, 7.0))
    assert "made once" not in run.source[0]


def test_an_array_from_outside_the_step_is_read_at_every_replay(backend, to_backend):
    weights = to_backend(np.ones(3))

    def step(a):
        xp = array_api_compat.array_namespace(a)
        return (a + xp.ones_like(a) * weights,)  # weights: from the closure

    run = xgrad.jit(step)
    a = to_backend(np.zeros(3))
    for value in range(4):  # eagerly, recorded, then replayed
        weights[...] = value  # the caller changes them between calls
        np.testing.assert_array_equal(as_np(run(a)[0]), np.full(3, float(value)))
    assert "# made once: mul" not in run.source[0]  # ones_like(a) alone is


def test_a_big_result_of_a_selection_is_made_in_an_array_of_its_length(
    backend, to_backend
):
    """On NumPy a big temporary goes into a buffer of the replay's own, made at
    the recording; a result shorter than that buffer would be broadcast into it."""

    def step(a):
        xp = array_api_compat.array_namespace(a)
        doubled = a[a > 0] * 2.0  # 10,000 elements when recorded: 80 kB
        return (xp.sum(doubled + 1.0),)

    n = 10_000
    one_positive = np.where(np.arange(n) == 0, 1.0, -1.0)
    inputs = [to_backend(x) for x in (np.ones(n), np.ones(n), one_positive)]
    eager, jitted, _ = eager_and_jitted(step, inputs)
    np.testing.assert_array_equal(jitted, eager)
    assert jitted[2][0] == 3.0


def test_a_dict_keyed_by_a_dtype_is_replayed(backend, to_backend):
    def scaled(x, factors):
        return x * factors[x.dtype]

    scale = host(scaled)

    def step(a):
        return (scale(a, {a.dtype: 2.0, "other": 0.0}),)

    inputs = [to_backend(np.arange(3.0) + i) for i in range(4)]
    eager, jitted, _ = eager_and_jitted(step, inputs)
    np.testing.assert_array_equal(jitted, eager)


def test_a_number_from_a_host_call_changes_no_arrays_shape(backend, to_backend):
    """A number a host call gives at each replay (an optimizer's bias
    correction, a schedule's rate) scales arrays without changing their
    shapes: on NumPy their big temporaries still go into the replay's own
    buffers."""
    rates = iter([0.5, 0.25, 0.125, 2.0, 4.0])
    rate = host(lambda: next(rates))

    def step(a):
        xp = array_api_compat.array_namespace(a)
        scaled = a * rate()
        return (xp.sum(xp.exp(scaled) + 1.0),)  # exp(scaled): 80 kB

    a = to_backend(np.linspace(0.0, 1.0, 10_000))
    run = xgrad.jit(step)
    for value in (0.5, 0.25, 0.125, 2.0, 4.0):
        expected = np.sum(np.exp(np.linspace(0.0, 1.0, 10_000) * value) + 1.0)
        np.testing.assert_allclose(as_np(run(a)[0]), expected, rtol=1e-12)
    assert ("out=" in run.source[0]) == (backend.name == "numpy")


def test_what_is_made_from_a_random_draw_keeps_its_buffers(backend, to_backend):
    """A random draw is a host call (a replay draws anew, from the same
    stream) whose arrays have the size asked for: on NumPy what is made from
    them still goes into the replay's own buffers."""

    def step(a):
        kept = F.dropout(Variable(a), 0.5)  # a mask drawn at every call
        return F.sum(F.exp(kept) + 1.0)  # exp(kept): 80 kB

    a = to_backend(np.linspace(0.0, 1.0, 10_000))
    results = {}
    for jitted in (False, True):
        xgrad.manual_seed(0)
        run = xgrad.jit(step) if jitted else step
        results[jitted] = [as_np(run(a)) for _ in range(5)]
    np.testing.assert_array_equal(results[True], results[False])
    assert len({float(r) for r in results[True]}) == 5  # a new mask each call
    assert ("out=" in run.source[0]) == (backend.name == "numpy")


def test_a_gradient_through_a_selection_of_another_length_is_right(backend, to_backend):
    """The backward pass reads the selection's shape in Python (a sum's
    gradient is broadcast to it): a replay checks that shape as soon as it
    makes the selection, and runs the call eagerly when it differs."""

    def step(a):
        x = Variable(a)
        loss = F.sum(x[a > 0] ** 2)
        loss.backward()
        return loss, x.grad

    positives = [5, 5, 5, 1, 3, 0, 5]  # recorded with 5; then 1, 3, none, 5
    inputs = [
        to_backend(np.where(np.arange(5) < n, np.arange(5.0) + 1, -1.0))
        for n in positives
    ]
    eager, jitted, run = eager_and_jitted(step, inputs)
    for e, j in zip(eager, jitted, strict=True):
        np.testing.assert_array_equal(j[0], e[0])
        np.testing.assert_array_equal(j[1], e[1])
    np.testing.assert_array_equal(jitted[3][1], [2.0, 0.0, 0.0, 0.0, 0.0])
    assert "if s2.shape != (5, ): raise" in run.source[0]


def test_a_selection_by_a_mask_from_outside_the_step_has_this_calls_length(
    backend, to_backend
):
    """A closure's mask, changed in place between calls, selects as many
    elements at a replay as it does eagerly (the gradient reads that length)."""
    mask = to_backend(np.ones(5, dtype=bool))

    def step(a):
        x = Variable(a)
        loss = F.sum(x[mask] ** 2)
        loss.backward()
        return loss, x.grad

    run = xgrad.jit(step)
    a = to_backend(np.arange(5.0) + 1)
    for n in [5, 5, 5, 1, 3, 0, 5, 2]:
        mask[...] = to_backend(np.arange(5) < n)
        eager, jitted = step(a), run(a)
        np.testing.assert_array_equal(as_np(jitted[0]), as_np(eager[0]))
        np.testing.assert_array_equal(as_np(jitted[1]), as_np(eager[1]))
        np.testing.assert_array_equal(as_np(jitted[1]) != 0, np.arange(5) < n)


def test_a_named_tuple_of_arrays_is_made_at_every_replay(backend, to_backend):
    """``unique_counts`` returns a named tuple: its arrays are this call's,
    not the recording's."""

    def step(a):
        xp = array_api_compat.array_namespace(a)
        values, counts = xp.unique_counts(a)
        return values * 2.0, counts + 0

    runs = [[1, 2, 3, 4, 5]] * 3 + [[1, 1, 1, 2, 2], [3, 3, 3, 3, 3]]
    inputs = [to_backend(np.array(r, dtype=np.float64)) for r in runs]
    eager, jitted, _ = eager_and_jitted(step, inputs)
    for e, j in zip(eager, jitted, strict=True):
        np.testing.assert_array_equal(j[0], e[0])
        np.testing.assert_array_equal(j[1], e[1])
    np.testing.assert_array_equal(jitted[3][1], [3, 2])


def test_torchs_return_types_are_made_at_every_replay(backend, to_backend):
    """``torch.sort`` and ``max(dim=...)`` return ``torch.return_types``."""
    if backend.name != "torch":
        pytest.skip("torch.return_types are PyTorch's")
    import torch

    def step(a):
        ordered = torch.sort(a)
        largest = a.reshape(5, 1).max(dim=0)
        return ordered.values * 1.0, ordered.indices + 0, largest.indices + 0

    runs = [[1, 2, 3, 4, 5]] * 3 + [[5, 1, 4, 2, 3]]
    inputs = [to_backend(np.array(r, dtype=np.float64)) for r in runs]
    eager, jitted, _ = eager_and_jitted(step, inputs)
    for e, j in zip(eager, jitted, strict=True):
        for eager_array, jitted_array in zip(e, j, strict=True):
            np.testing.assert_array_equal(jitted_array, eager_array)
    np.testing.assert_array_equal(jitted[3][1], [1, 3, 4, 2, 0])


def test_a_checked_replay_of_a_selection_of_another_length_runs_eagerly(
    backend, to_backend
):
    """check=True compares the first replay with an eager call; when that
    replay meets a selection of another length, the call runs eagerly."""

    def step(a):
        x = Variable(a)
        loss = F.sum(x[a > 0] ** 2)
        loss.backward()
        return loss, x.grad

    positives = [5, 5, 1, 3, 0, 5]  # the first replay selects 1, not 5
    inputs = [
        to_backend(np.where(np.arange(5) < n, np.arange(5.0) + 1, -1.0))
        for n in positives
    ]
    run = xgrad.jit(step, check=True)
    eager = [[as_np(r) for r in step(a)] for a in inputs]
    jitted = [[as_np(r) for r in run(a)] for a in inputs]
    for e, j in zip(eager, jitted, strict=True):
        np.testing.assert_array_equal(j[0], e[0])
        np.testing.assert_array_equal(j[1], e[1])
    (trace,) = run._cache[next(iter(run._cache))][1]
    assert trace.checked  # the replay of 5 selected, checked at the last call


#: A selection's length as the libraries' own numbers, not through ``.shape``.
LENGTH_READS = {
    "numpy": [lambda y: y.nbytes // y.itemsize],
    "torch": [lambda y: y.numel(), lambda y: __import__("torch").numel(y)],
}


@pytest.mark.parametrize("read", [0, 1])
def test_a_length_read_as_a_number_is_checked(backend, to_backend, read):
    """A selection's length read as ``nbytes`` or ``numel()`` is baked into
    the replay as ``.shape`` is: a replay checks it as it checks ``.shape``."""
    reads = LENGTH_READS.get(backend.name, [])
    if read >= len(reads):
        pytest.skip(f"{backend.name} has no such read")

    def step(a):
        return (a[:1] * 0 + reads[read](a[a > 0]),)

    positives = [5, 5, 5, 1, 3, 0, 5, 2]
    inputs = [to_backend(np.where(np.arange(5) < n, 1.0, -1.0)) for n in positives]
    eager, jitted, _ = eager_and_jitted(step, inputs)
    for e, j in zip(eager, jitted, strict=True):
        np.testing.assert_array_equal(j[0], e[0])
    np.testing.assert_array_equal([j[0][0] for j in jitted], positives)


def test_unique_consecutive_has_the_length_of_this_call(backend, to_backend):
    if backend.name != "torch":
        pytest.skip("torch.unique_consecutive is PyTorch's")
    import torch

    def step(a):
        return (a[:1] * 0 + torch.unique_consecutive(a).shape[0],)

    runs = [[1, 2, 3, 4, 5]] * 3 + [[1, 1, 1, 1, 1], [1, 1, 2, 2, 3], [1, 2, 2, 2, 2]]
    inputs = [to_backend(np.array(r, dtype=np.float64)) for r in runs]
    eager, jitted, _ = eager_and_jitted(step, inputs)
    for e, j in zip(eager, jitted, strict=True):
        np.testing.assert_array_equal(j[0], e[0])
    np.testing.assert_array_equal([j[0][0] for j in jitted], [5, 5, 5, 1, 3, 2])


@pytest.mark.parametrize(
    "split",
    [
        lambda torch, a, points: torch.tensor_split(a, points),
        lambda torch, a, points: a.reshape(1, 1, -1).dsplit(points),  # a method
    ],
    ids=["tensor_split", "dsplit"],
)
def test_a_split_at_points_an_array_holds_has_this_calls_lengths(
    backend, to_backend, split
):
    if backend.name != "torch":
        pytest.skip("torch.tensor_split and Tensor.dsplit are PyTorch's")
    import torch

    def step(a):
        points = (a > 0).sum().reshape(1)  # split after the positive ones
        first, _ = split(torch, a, points)
        return (a[:1] * 0 + first.shape[-1],)

    runs = [[1, 1, -2, 3]] * 3 + [[1, -1, -2, -3], [5, 1, 2, 3], [-1, -1, -1, -1]]
    inputs = [to_backend(np.array(r, dtype=np.float64)) for r in runs]
    eager, jitted, _ = eager_and_jitted(step, inputs)
    for e, j in zip(eager, jitted, strict=True):
        np.testing.assert_array_equal(j[0], e[0])
    np.testing.assert_array_equal([j[0][0] for j in jitted], [3, 3, 3, 1, 4, 0])


def test_a_numpy_function_on_a_recorded_array_is_refused(backend, to_backend):
    """NumPy's own functions read a recorded array's values into NumPy
    (``np.unique_values`` converts it): refused, not baked into the replay."""
    if backend.name != "numpy":
        pytest.skip("NumPy's functions on NumPy arrays")

    def step(a):
        return (a[:1] * 0 + np.unique_values(a).shape[0],)

    run = xgrad.jit(step)
    a = to_backend(np.array([1.0, 2.0, 3.0]))
    np.testing.assert_array_equal(run(a)[0], [3.0])  # eagerly
    with pytest.raises(JitError, match="NumPy conversion"):
        run(a)  # records


def test_a_random_draw_the_size_of_a_selection_has_this_calls_size(backend, to_backend):
    def step(a):
        return (F.sum(F.dropout(Variable(a[a > 0]), 0.5)),)  # a mask of its size

    positives = [5, 5, 5, 1, 3, 5]
    inputs = [to_backend(np.where(np.arange(5) < n, 1.0, -1.0)) for n in positives]
    results = {}
    for jitted in (False, True):
        run = xgrad.jit(step) if jitted else step
        results[jitted] = []
        for a in inputs:
            xgrad.manual_seed(0)  # the same mask for the same length
            results[jitted].append(as_np(run(a)[0]))
    np.testing.assert_array_equal(results[True], results[False])


def test_a_shape_that_follows_values_after_a_host_call_is_refused(backend, to_backend):
    lengths = iter([3, 3, 2, 3])
    next_length = host(lambda: next(lengths))  # a side effect a replay makes

    def step(a):
        x = Variable(a[: next_length()])  # then its shape, read by backward
        loss = F.sum(x * x)
        loss.backward()
        return x.grad

    # A check after the host call could not take it back.
    refused_when_recorded(step, to_backend(np.arange(4.0)), "after a host call")


def test_a_shape_that_follows_values_after_a_write_through_a_view_is_refused(
    backend, to_backend
):
    def step(a):
        first = a[:2]
        first += 1.0  # writes into the caller's array, which a replay could
        x = Variable(a)  # not take back before running the call eagerly
        loss = F.sum(x[a > 2.0] ** 2)  # then reads the selection's shape
        loss.backward()
        return (x.grad,)

    a = to_backend(np.arange(4.0))
    written_once = lambda: np.testing.assert_array_equal(as_np(a), [1, 2, 2, 3])
    refused_when_recorded(step, a, r"after a write \(iadd\)", written_once)


def test_a_shape_that_follows_values_after_a_torch_in_place_method_is_refused(
    backend, to_backend
):
    """PyTorch's in-place methods (``add_``, ``copy_``) write as ``+=`` does."""
    if backend.name != "torch":
        pytest.skip("PyTorch's in-place methods")

    def step(a):
        a[:1].add_(1.0)  # writes into the caller's array
        x = Variable(a[1:] * 1.0)
        loss = F.sum(x[a[1:] > 2.0] ** 2)  # then reads the selection's shape
        loss.backward()
        return (x.grad,)

    a = to_backend(np.arange(4.0))
    written_once = lambda: np.testing.assert_array_equal(as_np(a), [1, 1, 2, 3])
    refused_when_recorded(step, a, r"after a write \(method_add_\)", written_once)


def test_a_pytorch_comparison_answered_in_python_is_refused(backend, to_backend):
    if backend.name != "torch":
        pytest.skip("torch.equal and torch.allclose are PyTorch's functions")
    import torch

    def step(a):
        return (a * 2.0 if torch.allclose(a, a * 1.0) else a,)  # a Python bool

    refused_when_recorded(step, to_backend(np.arange(3.0)), r"torch\.allclose")


@dataclasses.dataclass
class Scale:
    """A callable object, unhashable as a dataclass with ``eq`` is."""

    factor: float

    def __call__(self, x):
        return x * self.factor


def test_a_host_call_of_an_unhashable_callable_object_is_replayed(backend, to_backend):
    scale = host(Scale(2.0))

    def step(a):
        xp = array_api_compat.array_namespace(a)
        return (scale(a) + xp.ones_like(a),)

    inputs = [to_backend(np.arange(3.0) + i) for i in range(4)]
    eager, jitted, _ = eager_and_jitted(step, inputs)
    np.testing.assert_array_equal(jitted, eager)
    np.testing.assert_array_equal(jitted[3][0], [7.0, 9.0, 11.0])


def test_operators_are_written_as_python_operators(backend, to_backend):
    def step(a):
        # a negative number to the left of ** and of -: parentheses must hold
        b = (-2.0) ** a - (-a) * 3.0
        b -= a / 4.0
        return (b, a[1:, :] > 1.5, ~(a < 2.0), a.mT @ a)

    inputs = [to_backend(np.array([[1.0, 2.0, 3.0]] * 2) + i) for i in range(4)]
    eager, jitted, run = eager_and_jitted(step, inputs)
    for eager_results, jitted_results in zip(eager, jitted, strict=True):
        for e, j in zip(eager_results, jitted_results, strict=True):
            np.testing.assert_array_equal(j, e)
    code = run.source[0]
    written_as = (
        "(-2.0) ** s0",
        "-s0",
        " -= ",
        "s0[(slice(1, None, None), slice(None, None, None), )]",
        "~s",
        "s0.mT",
    )
    for written in written_as:
        assert written in code


def test_array_arguments_meet_their_recording_by_either_key(backend, to_backend):
    """Positional arrays and Variables are keyed by a short path once their
    library is known (most steps: ``step(x, t)``); before that, as in a
    process's first call, by the general walk. Both make one key: the
    recording made on one is replayed on the other."""
    from xgrad import backends

    ran = []

    def step(a, b):
        ran.append(True)  # an eager call or the recording, not a replay
        return b * a  # the Variable first: strict arrays refuse one on their right

    x, v = to_backend(np.ones((4, 3))), Variable(to_backend(np.full(3, 2.0)))
    run = xgrad.jit(step)
    run(x, v)
    run(x, v)
    backends.BY_TYPE.clear()  # the libraries of the arguments not yet known
    np.testing.assert_array_equal(as_np(run(x, v).data), np.full((4, 3), 2.0))
    assert len(ran) == 2
    assert len(run.source) == 1


def test_numpy_ids_for_a_model_on_another_library(backend, to_backend):
    """Embedding ids fresh from NumPy serve a model on any library (the GPT
    example keeps them NumPy): jitted, their conversion is recorded too."""
    from xgrad import layers as L

    xgrad.manual_seed(0)
    embed = L.EmbedID(10, 4)
    embed.to_device(backend.name if backend.name != "torch" else "torch:cpu")

    def step(ids):
        return F.sum(embed(ids) * embed(np.arange(3)))

    calls = [np.array([1, 2, 3]), np.array([4, 5, 6]), np.array([7, 8, 9])] * 2
    eager = [as_np(step(ids).data) for ids in calls]
    run = xgrad.jit(step)
    jitted = [as_np(run(ids).data) for ids in calls]
    np.testing.assert_array_equal(jitted, eager)
