"""The Dask backend on the local scheduler: lazy passes, compute, persist, its gaps.

The distributed tests (a LocalCluster of worker processes) are in
test_dask_distributed.py; the op suite runs on Dask through the ``backend``
fixture like on every other backend.
"""

from __future__ import annotations

from collections import Counter
from typing import Self

import numpy as np
import pytest

import xgrad
import xgrad.functions as F
from xgrad import Variable
from xgrad.models import MLP, Sequential
from xgrad.optimizers import MomentumSGD


class Recorder:
    """Counts Dask computes (local schedulers) and the tasks each one runs."""

    def __init__(self) -> None:
        from dask.callbacks import Callback

        self.computes = 0
        self.tasks: Counter[str] = Counter()
        self.callback = Callback(start=self._start, pretask=self._pretask)

    def _start(self, dsk: object) -> None:
        self.computes += 1

    def _pretask(self, key: object, dsk: object, state: object) -> None:
        self.tasks[str(key)] += 1

    def __enter__(self) -> Self:
        self.callback.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self.callback.__exit__(*exc)


def data(dask_array, rows=64, cols=5, chunk=16, seed=0):
    """Inputs and labels as Dask arrays of several row chunks, and as NumPy."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((rows, cols))
    t = rng.integers(0, 3, rows)
    return (
        dask_array.from_array(x, chunks=(chunk, cols)),
        dask_array.from_array(t, chunks=chunk),
        x,
        t,
    )


def mlp_on(device: str) -> MLP:
    xgrad.manual_seed(0)
    model = MLP((8, 3))
    model(xgrad.asarray(np.zeros((1, 5))))  # shape the weights on NumPy
    return model.to_device(device)


def lazy_pass(model, x, t, loss_fn):
    """Forward, backward with the graph kept, and an embed_id: all of it lazy."""
    y = model(x)
    loss = loss_fn(y, t) + 0.1 * F.mean_squared_error(y, y * 0.5)
    model.cleargrads()
    loss.backward(create_graph=True)
    picked = F.embed_id(xgrad.asarray([0, 2], device="dask"), model.l0.W)
    F.sum(picked * picked).backward()


def nll(y, onehot):
    """Cross entropy through log_softmax and one-hot targets: no label check."""
    return -F.sum(F.log_softmax(y) * onehot) / len(y)


def test_forward_and_backward_trigger_no_compute(dask_array):
    x, _, _, t = data(dask_array)
    onehot = dask_array.from_array(np.eye(3)[t], chunks=(16, 3))
    model = mlp_on("dask")
    with Recorder() as rec:
        lazy_pass(model, x, onehot, nll)
    assert rec.computes == 0, f"{rec.computes} computes during the lazy pass"
    assert rec.tasks == Counter()
    assert all(dask_array.Array is type(p.grad.data) for p in model.params())


def test_softmax_cross_entropy_triggers_no_compute(dask_array):
    x, t, _, _ = data(dask_array)
    model = mlp_on("dask")
    with Recorder() as rec:
        lazy_pass(model, x, t, F.softmax_cross_entropy)
    assert rec.computes == 0, f"{rec.computes} computes during the lazy pass"


def test_assert_valid_checks_when_the_graph_runs(dask_array):
    dask = xgrad.backends.get("dask")
    t = dask_array.from_array(np.array([0, 1, 5, 2]), chunks=2)
    with Recorder() as rec:
        checked = dask.assert_valid(t, t > 3, lambda lo, hi: ValueError(f"{lo}..{hi}"))
    assert rec.computes == 0
    with pytest.raises(ValueError, match=r"2\.0\.\.5\.0"):  # the bad chunk's range
        checked.compute()
    good = dask.assert_valid(t, t > 9, lambda lo, hi: ValueError("never"))
    np.testing.assert_array_equal(good.compute(), [0, 1, 5, 2])


def test_compute_gives_the_numpy_backend_values(dask_array):
    x, t, x_np, t_np = data(dask_array)
    lazy, eager = mlp_on("dask"), mlp_on("numpy")
    results = []
    for model, xs, ts in ((lazy, x, t), (eager, x_np, t_np)):
        loss = F.softmax_cross_entropy(model(xs), ts)
        loss.backward()
        results.append(xgrad.compute(loss, *(p.grad for p in model.params())))
    for got, want in zip(*results, strict=True):
        assert type(got) is np.ndarray
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-7)  # float32 weights


def test_compute_runs_shared_intermediates_once(dask_array):
    x, t, _, _ = data(dask_array)
    model = mlp_on("dask")
    loss = F.softmax_cross_entropy(model(x), t)
    loss.backward()
    grads = [p.grad for p in model.params()]
    with Recorder() as together:
        xgrad.compute(loss, *grads)
    assert together.computes == 1
    assert max(together.tasks.values()) == 1
    with Recorder() as apart:
        for g in (loss, *grads):
            xgrad.compute(g)
    assert apart.computes == 1 + len(grads)
    assert max(apart.tasks.values()) > 1  # the forward pass, once per result


def test_compute_leaves_variables_and_eager_arrays_alone(dask_array):
    v = Variable(dask_array.from_array(np.arange(4.0), chunks=2))
    lazy_data = v.data
    (value,) = xgrad.compute(v * 2)
    np.testing.assert_array_equal(value, [0.0, 2.0, 4.0, 6.0])
    assert v.data is lazy_data
    a = np.ones(3)
    w = Variable(np.zeros(2))
    assert xgrad.compute(a, w, None) == (a, w.data, None)
    assert xgrad.persist(a, w)[0] is a
    assert xgrad.persist(w)[0].data is w.data


def test_persist_puts_evaluated_chunks_back_in_place(dask_array):
    x, t, _, _ = data(dask_array)
    model = mlp_on("dask")
    loss = F.softmax_cross_entropy(model(x), t)
    loss.backward()
    with Recorder() as rec:
        same_model, same_loss = xgrad.persist(model, loss)
    assert (same_model, same_loss) == (model, loss)
    assert rec.computes == 1
    for arr in [loss.data, *(a for p in model.params() for a in (p.data, p.grad.data))]:
        graph = arr.__dask_graph__()
        assert len(graph) == arr.npartitions, "persisted arrays hold chunks only"


def train(dask_array, steps, persist):
    """Graph sizes of the weights and momenta after each MomentumSGD step, and losses."""
    x, t, _, _ = data(dask_array)
    model = mlp_on("dask")
    optimizer = MomentumSGD(lr=0.1).setup(model)
    sizes, losses = [], []
    for _ in range(steps):
        loss = F.softmax_cross_entropy(model(x), t)
        model.cleargrads()
        loss.backward()
        optimizer.update()
        if persist:
            xgrad.persist(model, loss)
        arrays = [a for p in model.params() for a in (p.data, *p.state.values())]
        sizes.append([len(a.__dask_graph__()) for a in arrays])
        losses.append(float(loss.data))
    return sizes, losses


def test_persisting_each_step_keeps_the_graph_one_step_long(dask_array):
    sizes, losses = train(dask_array, 6, persist=True)
    assert all(s == sizes[0] for s in sizes)
    assert all(n == 1 for n in sizes[0])  # single-chunk weights and momenta
    assert losses[-1] < losses[0]


def test_optimizer_update_alone_keeps_the_graph_one_step_long(dask_array):
    sizes, _ = train(dask_array, 3, persist=False)
    assert all(s == sizes[0] for s in sizes)


def test_a_boolean_mask_is_refused_with_the_lazy_alternative(dask_array):
    v = Variable(dask_array.from_array(np.arange(6.0), chunks=3))
    with pytest.raises(NotImplementedError, match=r"get_item.*F\.where"):
        v[v.data > 2]
    kept = F.where(v.data > 2, v, 0.0)
    F.sum(kept).backward()
    np.testing.assert_array_equal(xgrad.compute(v.grad)[0], [0, 0, 0, 1, 1, 1])


def test_several_integer_arrays_index_lazily_with_repeats(dask_array):
    w = np.arange(12.0).reshape(3, 4)
    v = Variable(dask_array.from_array(w, chunks=(1, 4)))
    rows, cols = np.array([[0], [2], [0]]), np.array([[1, 3]])
    with Recorder() as rec:
        y = v[rows, cols]
        F.sum(y * y).backward()
    assert rec.computes == 0
    np.testing.assert_array_equal(xgrad.compute(y)[0], w[rows, cols])
    want = np.zeros_like(w)
    np.add.at(want, (rows, cols), 2 * w[rows, cols])
    np.testing.assert_array_equal(xgrad.compute(v.grad)[0], want)


def test_reshape_merges_chunks_dask_cannot_split(dask_array):
    a = np.arange(24.0).reshape(4, 6)
    v = Variable(dask_array.from_array(a, chunks=(3, 4)))
    y = F.reshape(v, (6, 4))
    F.sum(y * xgrad.asarray(np.arange(24.0).reshape(6, 4), device="dask")).backward()
    np.testing.assert_array_equal(xgrad.compute(y)[0], a.reshape(6, 4))
    np.testing.assert_array_equal(
        xgrad.compute(v.grad)[0], np.arange(24.0).reshape(4, 6)
    )


def test_random_draws_are_dask_arrays_that_repeat_for_a_seed(dask_array):
    g = xgrad.random.Generator(3)
    a = g.normal(0.0, 1.0, (1000, 4), device="dask")
    state = g.get_state()
    b = g.normal(0.0, 1.0, (1000, 4), device="dask")
    g.set_state(state)
    c = g.normal(0.0, 1.0, (1000, 4), device="dask")
    assert isinstance(a, dask_array.Array)
    assert str(xgrad.device(xgrad.backends.get("dask").device_of(a))) == "dask"
    a_np, b_np, c_np = xgrad.compute(a, b, c)
    assert not np.array_equal(a_np, b_np)
    np.testing.assert_array_equal(b_np, c_np)
    assert abs(a_np.mean()) < 0.1
    assert 0.9 < a_np.std() < 1.1


def test_dask_has_one_device(dask_array):
    with pytest.raises(ValueError, match="dask has one device"):
        xgrad.device("dask:gpu")


def test_compute_names_what_it_cannot_take(dask_array):
    with pytest.raises(
        TypeError, match=r"xgrad\.compute: argument 0 is a MLP.*persist"
    ):
        xgrad.compute(mlp_on("dask"))


def test_unchain_backward_starts_the_next_window_from_values(dask_array):
    """Truncated BPTT: after ``unchain_backward`` the LSTM's hidden state is a
    persisted value, so each window's graph stays one window long; the update
    reads persisted gradients, so no window's graph runs twice; and the losses
    and weights equal NumPy's."""
    import xgrad.layers as L
    from xgrad.optimizers import SGD

    wave = np.sin(np.linspace(0, 2 * np.pi, 13)).reshape(-1, 1, 1)
    results = {}
    for device in ("numpy", "dask"):
        xgrad.manual_seed(0)
        with xgrad.default_device("numpy"):
            rnn, fc = L.LSTM(4, in_size=1), L.Linear(1, in_size=4)
        rnn.to_device(device)
        fc.to_device(device)
        model = Sequential(rnn, fc)
        optimizer = SGD(lr=0.1).setup(model)
        xs = xgrad.asarray(wave, device=device)
        losses, graph_sizes, loss = [], [], 0
        with Recorder() as rec:
            for i in range(len(wave) - 1):
                loss += F.mean_squared_error(fc(rnn(xs[i])), xs[i + 1])
                if (i + 1) % 4 == 0:
                    model.cleargrads()
                    loss.backward()
                    loss.unchain_backward()
                    optimizer.update()
                    if device == "dask":
                        graph_sizes.append(len(rnn.h.data.dask))
                    losses.append(float(xgrad.cuda.as_numpy(loss.data)))
                    loss = 0
        weights = [xgrad.cuda.as_numpy(p.data) for p in model.params()]
        results[device] = losses, weights
        if device == "dask":
            assert max(graph_sizes) == 1, graph_sizes  # a value, not a formula
            # Only constants repeat across passes (slices of the data, the
            # seed gradient); no task of the model or its gradients runs twice.
            again = [key for key, n in rec.tasks.items() if n > 1]
            assert all(("getitem" in k or "ones_like" in k) for k in again), again
    np.testing.assert_allclose(results["dask"][0], results["numpy"][0], rtol=1e-10)
    for got, want in zip(results["dask"][1], results["numpy"][1], strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-10)
