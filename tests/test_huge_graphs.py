"""Huge graphs: a million ops run forward and backward at the default recursion limit."""

from __future__ import annotations

import gc
import sys
import tracemalloc
import weakref

import numpy as np
import pytest

import xgrad
import xgrad.functions as F


@pytest.mark.slow
def test_a_chain_of_a_million_ops_runs_and_frees_at_the_default_recursion_limit():
    assert sys.getrecursionlimit() == 1000  # Python's default: left as it is
    x = xgrad.Variable(np.array([0.5]))
    y = x
    for _ in range(1_000_000):
        y = -y
    y.backward()
    np.testing.assert_array_equal(x.grad.data, [1.0])
    first = weakref.ref(x.grad)
    del y  # dropping the output frees the whole graph, without recursion
    assert first() is not None  # the leaf's gradient is the user's to keep


def test_dropping_the_output_frees_the_graph_without_the_cycle_collector():
    gc.disable()
    try:
        x = xgrad.Variable(np.ones(3))
        y = F.sum(F.tanh(x * 2.0) ** 2)
        creator = weakref.ref(y.creator)
        inner = weakref.ref(y.creator.inputs[0].creator)
        y.backward()
        del y
        assert creator() is None  # freed by reference counting alone: no cycles
        assert inner() is None
    finally:
        gc.enable()


def _bytes_per_step(step, n: int = 20_000) -> float:
    """Memory held after ``n`` chained calls of ``step``, per call (after a warm-up,
    so that first-call caches are not counted)."""
    step(100)
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        kept = step(n)
        per_step = (tracemalloc.get_traced_memory()[0] - before) / n
        del kept
    finally:
        tracemalloc.stop()
    return per_step


def test_the_graph_costs_under_400_bytes_per_op():
    """Beyond the arrays an op computes, the graph holds a Variable, a Function,
    the output's weak reference and its generation number: under 400 bytes."""

    def graph(n):
        y = xgrad.Variable(np.array([0.5]))
        for _ in range(n):
            y = F.tanh(y)
        return y

    def arrays(n):  # the same arrays, held without a graph
        a, kept = np.array([0.5]), []
        for _ in range(n):
            a = np.tanh(a)
            kept.append(a)
        return kept

    total, data = _bytes_per_step(graph), _bytes_per_step(arrays)
    assert data < 150, data  # a one-element float64 array and a list slot
    assert total - data < 400, (total, data)


def _rss() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * 4096


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_a_thousand_training_steps_keep_memory_flat():
    from xgrad.models import MLP
    from xgrad.optimizers import Adam

    rng = np.random.default_rng(0)
    x = rng.standard_normal((32, 8)).astype(np.float32)
    t = rng.integers(0, 4, 32)
    model = MLP((32, 4))
    optimizer = Adam().setup(model)

    def step():
        loss = F.softmax_cross_entropy(model(x), t)
        model.cleargrads()
        loss.backward()
        optimizer.update()

    for _ in range(100):  # warm up: allocator pools, caches
        step()
    gc.collect()
    before = _rss()
    for _ in range(1000):
        step()
    gc.collect()
    assert _rss() - before < 1 << 20
