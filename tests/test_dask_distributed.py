"""Gradients on a dask.distributed LocalCluster: exact, streamed, and fault tolerant.

Every cluster listens on 127.0.0.1 only and has two single-threaded worker
processes. The data are generated on the workers (``dask.array.random``,
chunked by rows), so nothing but parameters and results crosses to the
client.
"""

from __future__ import annotations

import os
import signal
import time

import numpy as np
import pytest

import xgrad
import xgrad.functions as F
from xgrad import Variable

pytestmark = [
    pytest.mark.slow,
    # distributed's own shutdown noise (sockets closed by the nanny's restart)
    pytest.mark.filterwarnings("ignore::ResourceWarning"),
    pytest.mark.filterwarnings("ignore::DeprecationWarning"),
]

MEMORY_LIMIT = 200e6  # bytes per worker


def local_cluster(**kwargs):
    from dask.distributed import Client, LocalCluster

    cluster = LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        host="127.0.0.1",
        dashboard_address="127.0.0.1:0",  # loopback, any free port
        processes=True,
        **kwargs,
    )
    return cluster, Client(cluster)


@pytest.fixture(scope="module")
def client(dask_array):
    cluster, client = local_cluster(memory_limit=MEMORY_LIMIT)
    yield client
    client.close()
    cluster.close()


def linear_grads(x, y, w, b):
    """Gradients of the mean squared error of ``x @ w + b`` against ``y``."""
    w, b = Variable(w), Variable(b)
    loss = F.mean_squared_error(F.linear(x, w, b), y)
    loss.backward()
    return loss, w.grad, b.grad


def mlp_grads(x, y, params):
    """Gradients of a tanh MLP's squared error, one per parameter, and the loss."""
    vs = [Variable(p) for p in params]
    h = F.tanh(F.linear(x, vs[0], vs[1]))
    loss = F.mean_squared_error(F.linear(h, vs[2], vs[3]), y)
    loss.backward()
    return [loss] + [v.grad for v in vs]


def test_gradients_on_two_workers_equal_numpy(client, dask_array):
    rows, cols = 40_000, 6
    rng = dask_array.random.default_rng(1)
    x = rng.standard_normal((rows, cols), chunks=(5_000, cols))
    y = dask_array.sin(x[:, :2]) + 0.1 * rng.standard_normal(
        (rows, 2), chunks=(5_000, 2)
    )
    x_np, y_np = client.compute([x, y], sync=True)  # the same data, for NumPy
    init = np.random.default_rng(3)
    mlp = [init.standard_normal(s) for s in [(cols, 8), (8,), (8, 2), (2,)]]
    linear = [init.standard_normal(s) for s in [(cols, 2), (2,)]]

    def on(device, arrays):
        return [xgrad.asarray(a, device=device) for a in arrays]

    lazy = [*mlp_grads(x, y, on("dask", mlp)), *linear_grads(x, y, *on("dask", linear))]
    eager = [*mlp_grads(x_np, y_np, mlp), *linear_grads(x_np, y_np, *linear)]
    got = xgrad.compute(*lazy)  # one pass over the cluster for all of them
    assert {type(g) for g in got} == {np.ndarray}
    for g, want in zip(got, eager, strict=True):
        np.testing.assert_allclose(g, want.data, rtol=1e-10, atol=0)


def test_a_dataset_larger_than_the_workers_memory_streams(client, dask_array):
    rows, cols, chunk = 3_200_000, 32, 25_000  # 819 MB in 6.4 MB chunks
    rng = dask_array.random.default_rng(4)
    x = rng.standard_normal((rows, cols), chunks=(chunk, cols))
    y = x[:, :1] * 0.5 - 1.0
    assert x.nbytes > 4 * MEMORY_LIMIT
    w = xgrad.asarray(np.zeros((cols, 1)), device="dask")
    b = xgrad.asarray(np.zeros(1), device="dask")
    workers = set(client.scheduler_info()["workers"])
    _, gw, gb = xgrad.compute(*linear_grads(x, y, w, b))
    # the same gradient written directly in dask.array: mean of 2 (x w + b - y) x
    residual = 2 * (x @ np.zeros((cols, 1)) + 0.0 - y) / rows
    want_w, want_b = client.compute([x.T @ residual, residual.sum(axis=0)], sync=True)
    np.testing.assert_allclose(gw, want_w, rtol=1e-10)
    np.testing.assert_allclose(gb, want_b, rtol=1e-10)
    np.testing.assert_allclose(gw[0, 0], -1.0, atol=0.01)  # 2 E[(1 - x0 / 2) x0]
    np.testing.assert_allclose(gb, 2.0, atol=0.01)
    assert set(client.scheduler_info()["workers"]) == workers, "a worker died"


def slow_chunk(block):
    time.sleep(0.1)  # long enough to stop a worker while chunks are in flight
    return block


def test_stopping_a_worker_mid_gradient_still_gives_the_right_answer(dask_array):
    cluster, client = local_cluster(memory_limit=MEMORY_LIMIT)
    try:
        rng = dask_array.random.default_rng(5)
        x = rng.standard_normal((48_000, 4), chunks=(1_000, 4))
        x = x.map_blocks(slow_chunk, dtype=x.dtype)
        y = x[:, :1] * 2.0
        w = xgrad.asarray(np.ones((4, 1)), device="dask")
        b = xgrad.asarray(np.zeros(1), device="dask")
        _, gw, gb = linear_grads(x, y, w, b)
        want_w, want_b = client.compute([gw.data, gb.data], sync=True)
        pids = client.run(os.getpid)
        future = client.compute([gw.data, gb.data])
        deadline = time.monotonic() + 30
        while not any(client.has_what().values()) and time.monotonic() < deadline:
            time.sleep(0.05)  # wait until results are held on the workers
        victim = next(addr for addr, keys in client.has_what().items() if keys)
        os.kill(pids[victim], signal.SIGKILL)
        got_w, got_b = client.gather(future, errors="raise")
        assert victim not in client.scheduler_info()["workers"]  # it really died
        np.testing.assert_allclose(got_w, want_w, rtol=1e-12)
        np.testing.assert_allclose(got_b, want_b, rtol=1e-12)
    finally:
        client.close()
        cluster.close()
