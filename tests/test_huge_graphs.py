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


def test_the_graph_costs_a_few_hundred_bytes_per_op():
    x = xgrad.Variable(np.array([0.5]))
    n = 20_000
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    y = x
    for _ in range(n):
        y = F.tanh(y)
    per_op = (tracemalloc.get_traced_memory()[0] - before) / n
    tracemalloc.stop()
    # Variable, Function, the output's weak reference, the generation number
    # and the one-element NumPy array each op makes (120 of these bytes).
    assert per_op < 650, per_op


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
