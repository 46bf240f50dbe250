"""Where a replay writes its results: buffers, donated gradients, operands
that die, and NumPy's product with a boolean mask as one call.

Each of these changes where the numbers go, never the numbers: every test
compares the replay with the eager call bit for bit, reading every result
after the last call, so a result that a later replay overwrote shows.
"""

from __future__ import annotations

import re

import array_api_compat
import numpy as np
import pytest

import xgrad
import xgrad.functions as F
from xgrad.models import MLP
from xgrad.optimizers import SGD

pytestmark = pytest.mark.skip_backend(
    "dask", reason="xgrad.jit runs Dask steps eagerly; tested in test_jit.py"
)

#: Rows of 128 float64s: 128 kB per array, big enough for a buffer of its own.
ROWS = 128


def as_np(x):
    return np.asarray(xgrad.cuda.as_numpy(getattr(x, "data", x)))


def eager_then_jitted(step, inputs):
    """Every result of ``step`` on each input, eagerly and jitted, read after
    the last call; and the jitted function."""
    eager = [step(x) for x in inputs]
    run = xgrad.jit(step)
    jitted = [run(x) for x in inputs]
    for e, j in zip(eager, jitted, strict=True):
        for a, b in zip(e, j, strict=True):
            np.testing.assert_array_equal(as_np(b), as_np(a))
    return run


def replay_constants(run):
    """The objects the replays of ``run`` call or read: their namespaces."""
    return [
        value
        for _, traces, _ in run._cache.values()
        for trace in traces
        for value in trace.replay.__globals__.values()
    ]


#: ``sA = kN(sB, sC, out=sC)``: a result written over its operand ``sC``.
OVER_AN_OPERAND = re.compile(r"s\d+ = k\d+\(s\d+, (s\d+), out=\1\)")


def inputs(to_backend, n=5):
    rng = np.random.default_rng(0)
    return [to_backend(rng.standard_normal((ROWS, ROWS))) for _ in range(n)]


@pytest.mark.filterwarnings("ignore:invalid value:RuntimeWarning")  # inf * 0
def test_relus_gradient_is_one_product_with_its_mask(backend, to_backend):
    """``astype(x > 0, g.dtype) * g`` is ``np.multiply(x > 0, g)`` on NumPy:
    the same bits (inf times a false mask is NaN in both), one call less."""

    def step(x):
        x = xgrad.Variable(x)
        y = F.relu(x)
        F.sum(y * y * x).backward()  # a gradient through relu
        return (x.grad,)

    arrays = inputs(to_backend)
    special = np.array([np.inf, -np.inf, np.nan, 0.0, -0.0, 1.0, -1.0, 2.0])
    arrays[3] = to_backend(np.resize(special, (ROWS, ROWS)))
    run = eager_then_jitted(step, arrays)
    if backend.name == "numpy":
        astype = xgrad.backends.get("numpy").xp.astype
        assert all(value is not astype for value in replay_constants(run))
        assert OVER_AN_OPERAND.search(run.source[0])  # over the dying gradient


def test_a_mask_multiplied_by_itself_is_cast(backend, to_backend):
    def step(x):
        xp = array_api_compat.array_namespace(x)
        m = xp.astype(x > 0, x.dtype)
        m *= m  # the cast is read here, not only written
        m *= x
        return (m,)

    eager_then_jitted(step, inputs(to_backend))


def test_a_result_written_over_an_operand_is_not_overwritten_later(backend, to_backend):
    """``y = x @ x`` has a buffer of the replay's own; ``z = y * 2`` goes
    into ``y``, which dies there. ``z`` is returned, so ``y`` must be a new
    array at each replay: else the next call writes over the last result."""

    def step(x):
        y = x @ x
        z = y * 2.0
        return (z, z + 1.0)

    eager_then_jitted(step, inputs(to_backend))


def test_small_arrays_are_made_afresh(backend, to_backend):
    """A keyword argument costs a small array's call more than a fresh array
    does: a chain of small products stays Python's operators."""

    def step(x):
        y = x * 2.0
        return (y + 1.0,)

    small = [to_backend(np.arange(4.0) + i) for i in range(4)]
    run = eager_then_jitted(step, small)
    assert "out=" not in run.source[0]


def test_an_operand_with_a_view_is_not_written_over(backend, to_backend):
    def step(x):
        y = x * 3.0
        view = y.mT  # a view of y, returned: y must keep its values
        z = y + 1.0  # y's last use
        return (z, view)

    eager_then_jitted(step, inputs(to_backend))


def test_an_operand_read_after_the_call_is_not_written_over(backend, to_backend):
    def step(x):
        y = x * 3.0
        z = y + 1.0
        w = z * y  # y read after z was made
        return (w,)

    eager_then_jitted(step, inputs(to_backend))


def test_a_made_once_operand_is_not_written_over(backend, to_backend):
    """The seed of ``backward()`` is made once; a product that reads it last
    must not write over it, or the next replay's seed is wrong."""

    def step(x):
        x = xgrad.Variable(x)
        loss = F.sum(x * x)
        loss.backward()
        return (loss, x.grad)

    eager_then_jitted(step, inputs(to_backend))


def test_an_array_made_once_is_not_written_over(backend, to_backend):
    """``ones_like(x) * 3`` is made once (it follows the signature alone);
    a sum that reads it last must not write over it."""

    def step(x):
        xp = array_api_compat.array_namespace(x)
        threes = xp.ones_like(x) * 3.0
        return (x + threes,)

    eager_then_jitted(step, inputs(to_backend))


def test_a_result_whose_shape_follows_values_is_not_written_over_an_operand(
    backend, to_backend
):
    """``y + w[rows]`` has as many rows as ``rows`` selects: one at the
    recording, as ``y`` has, three later. Written over ``y``, NumPy would
    refuse the bigger result."""

    def step(w, rows):
        y = w[:1, :] * 2.0  # one row, dies at the sum
        return (y + w[rows],)

    w = to_backend(np.random.default_rng(0).standard_normal((4, 8192)))
    picks = [[1, 0, 0, 0], [0, 0, 1, 0], [1, 1, 0, 1], [0, 1, 0, 0], [1, 1, 1, 1]]
    masks = [to_backend(np.array(p, dtype=bool)) for p in picks]
    eager = [step(w, m) for m in masks]
    run = xgrad.jit(step)
    jitted = [run(w, m) for m in masks]
    for (e,), (j,) in zip(eager, jitted, strict=True):
        np.testing.assert_array_equal(as_np(j), as_np(e))


def test_an_operand_is_not_written_over_by_a_result_of_another_layout():
    """``np.add(y, 1.0, order="F")`` is Fortran-ordered, so its reshape is
    a copy and a write into that copy leaves ``z`` as it was; written into
    ``y``'s C-ordered memory, the reshape would be a view of ``z``."""

    def step(x):
        y = x * 2.0
        z = np.add(y, 1.0, order="F")
        flat = z.reshape(-1)
        flat += 1.0
        return (z, flat)

    run = eager_then_jitted(step, inputs(np.asarray))
    assert "out=" not in run.source[0].split("order=")[1].splitlines()[0]


def test_a_zero_dimensional_mask_product_stays_an_array(backend, to_backend):
    """NumPy multiplies two 0-d arrays into a NumPy scalar, which takes no
    item assignment: a 0-d cast mask is cast and multiplied in place."""

    def step(x, positive):
        xp = array_api_compat.array_namespace(x)
        m = xp.astype(positive, x.dtype)  # a 0-d array
        m *= x  # still one
        m[...] = m + 1.0  # a write into the array
        return (m,)

    values = [to_backend(np.asarray(v)) for v in (1.5, -2.0, 3.0, 0.5)]
    masks = [to_backend(np.asarray(v > 0)) for v in (1.5, -2.0, 3.0, 0.5)]
    eager = [step(x, m) for x, m in zip(values, masks, strict=True)]
    run = xgrad.jit(step)
    jitted = [run(x, m) for x, m in zip(values, masks, strict=True)]
    for (e,), (j,) in zip(eager, jitted, strict=True):
        np.testing.assert_array_equal(as_np(j), as_np(e))


def test_a_transposed_mask_keeps_its_order(backend, to_backend):
    """``x.T > 0`` is Fortran-ordered, and so is its cast; the in-place
    product keeps that order, so a reshape of it is a copy and a write into
    the copy leaves ``m`` as it was. ``np.multiply(x.T > 0, g)`` is
    C-ordered: its reshape would be a view of it."""

    def step(x):
        xp = array_api_compat.array_namespace(x)
        m = xp.astype(x.T > 0, x.dtype)
        m *= x
        flat = xp.reshape(m, (-1,))
        flat += 1.0
        return (m, flat)

    eager_then_jitted(step, inputs(to_backend))


def test_an_argument_in_another_memory_order_is_recorded_anew(backend, to_backend):
    """The replay writes into arrays laid out as the recording's were: an
    argument in Fortran order (``x.T`` of a C-ordered ``x``) makes Fortran-
    ordered arrays eagerly, so it is recorded for itself. Here the cast of
    ``x > 0`` is Fortran-ordered and its reshape a copy."""

    def step(x):
        return masked_product_reshaped(x, x)

    arrays = inputs(np.asarray)
    arrays[3] = np.asfortranarray(arrays[0])
    eager_then_jitted(step, [to_backend(a) for a in arrays])


def masked_product_reshaped(x, w):
    """``(w > 0) * (x @ x)`` in ``w``'s memory order (the product of a mask
    the replay fuses), and that product flattened, plus one: a reshape reads
    it in order, so a product written in another order shows."""
    xp = array_api_compat.array_namespace(w)
    g = x @ x  # C-ordered
    m = xp.astype(w > 0, w.dtype)  # in w's order
    m *= g
    flat = xp.reshape(m, (-1,))
    flat += 1.0
    return (m, flat)


def test_a_parameter_given_another_memory_order_is_recorded_anew(backend, to_backend):
    """As with an argument: a Parameter whose array becomes Fortran-ordered
    between calls makes Fortran-ordered arrays eagerly, so the replay
    recorded with the C-ordered one does not fit it (before, its product
    was written C-ordered and the reshape read it in the wrong order)."""
    weight = xgrad.Parameter(
        to_backend(np.random.default_rng(5).standard_normal((ROWS, ROWS)))
    )

    def step(x):
        return masked_product_reshaped(x, weight.data)

    arrays = inputs(to_backend, n=6)
    run = xgrad.jit(step)
    for i, x in enumerate(arrays):
        if i == 3 and backend.name == "numpy":
            weight.data = np.asfortranarray(weight.data)
        got = run(x)
        for a, b in zip(step(x), got, strict=True):
            np.testing.assert_array_equal(as_np(b), as_np(a))


def test_strides_of_a_dimension_of_length_one_do_not_record_again(backend, to_backend):
    """A ``(1, n)`` array made afresh and one made by ``.T`` are laid out
    alike, though their strides differ: a gradient that eager backward made
    one way and the replay's sum makes the other still fits the recording."""
    weight = xgrad.Parameter(to_backend(np.ones((1, 4))))

    def step(x):
        loss = F.sum(F.matmul(x, weight.T))
        loss.backward()  # no cleargrads(): the gradient sums over the calls
        return loss

    run = xgrad.jit(step)
    for _ in range(6):
        run(to_backend(np.ones((3, 4))))
    assert sum(len(traces) for _, traces, _ in run._cache.values()) == 1
    np.testing.assert_array_equal(as_np(weight.grad), np.full((1, 4), 18.0))


def test_the_mlp_step_keeps_its_numbers_and_writes_fewer_arrays(backend, to_backend):
    """The benchmark's step (ReLU, softmax cross entropy, SGD) for ten
    steps, eagerly and jitted from one start: equal losses and weights."""
    rng = np.random.default_rng(1)
    x = to_backend(rng.standard_normal((ROWS, 64)).astype(np.float32))
    t = to_backend(rng.integers(0, 10, ROWS))

    def train(jitted):
        xgrad.manual_seed(0)
        model = MLP((200, 200, 10), activation=F.relu)
        optimizer = SGD(lr=0.1).setup(model)

        def step(x, t):
            loss = F.softmax_cross_entropy(model(x), t)
            model.cleargrads()
            loss.backward()
            optimizer.update()
            return loss

        run = xgrad.jit(step) if jitted else step
        losses = [as_np(run(x, t)) for _ in range(10)]
        return losses, [as_np(p) for p in model.params()], run

    eager, eager_params, _ = train(False)
    jitted, jitted_params, run = train(True)
    for a, b in zip([*eager, *eager_params], [*jitted, *jitted_params], strict=True):
        np.testing.assert_array_equal(b, a)
    if backend.name == "numpy":  # both masks multiply as booleans
        astype = xgrad.backends.get("numpy").xp.astype
        assert all(value is not astype for value in replay_constants(run))
        assert len(OVER_AN_OPERAND.findall(run.source[0])) >= 2
