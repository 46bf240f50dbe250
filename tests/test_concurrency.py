"""Threads and asyncio tasks: settings never leak, and concurrent training matches serial."""

from __future__ import annotations

import asyncio
import random
import threading

import numpy as np

import xgrad
import xgrad.functions as F
from xgrad.models import MLP
from xgrad.optimizers import SGD


def _observe(results, key, barrier, which):
    """Enter one setting, wait for everyone, then record what this thread sees."""
    contexts = {
        "no_grad": xgrad.no_grad,
        "test_mode": xgrad.test_mode,
        "device": lambda: xgrad.default_device("cpu"),
        "none": lambda: xgrad.using_config("train", True),
    }
    with contexts[which]():
        barrier.wait(10)
        x = xgrad.Variable(np.ones(2))
        y = x * 2.0
        results[key] = (
            which,
            y.creator is None,
            xgrad.Config.train,
            str(xgrad.get_default_device()),
        )


def test_settings_never_leak_between_many_threads():
    kinds = ["no_grad", "test_mode", "device", "none"] * 8
    random.Random(0).shuffle(kinds)
    barrier = threading.Barrier(len(kinds))
    results = {}
    threads = [
        threading.Thread(target=_observe, args=(results, i, barrier, kind))
        for i, kind in enumerate(kinds)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for which, no_graph, train, device in results.values():
        assert no_graph == (which == "no_grad")
        assert train == (which != "test_mode")
        assert device == "numpy"
    assert len(results) == len(kinds)
    assert xgrad.Config.enable_backprop is True


def test_no_grad_as_a_decorator_serves_overlapping_calls_in_threads():
    barrier = threading.Barrier(8)
    seen = []

    @xgrad.no_grad()
    def infer():
        barrier.wait(10)  # every thread is inside the decorated call at once
        seen.append(xgrad.Config.enable_backprop)
        return (xgrad.Variable(np.ones(2)) * 2.0).creator

    threads = [threading.Thread(target=infer) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert seen == [False] * 8
    assert xgrad.Config.enable_backprop is True
    assert (
        infer.__wrapped__ is not None
    )  # a real decorator: the function stays reachable


def test_one_setting_block_shared_by_threads_restores_each_threads_setting():
    block = xgrad.no_grad()  # one object, entered by every thread at once
    barrier = threading.Barrier(6)
    seen, errors = [], []

    def work():
        try:
            with block:
                barrier.wait(10)
                seen.append(xgrad.Config.enable_backprop)
                barrier.wait(10)  # all inside before any leaves
            seen.append(xgrad.Config.enable_backprop)
        except Exception as exc:  # noqa: BLE001  (reported below)
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert errors == []
    assert sorted(seen) == [False] * 6 + [True] * 6


def test_a_setting_block_can_be_entered_again_inside_itself():
    block = xgrad.no_grad()
    with block:
        with block:
            assert xgrad.Config.enable_backprop is False
        assert xgrad.Config.enable_backprop is False
    assert xgrad.Config.enable_backprop is True


def test_settings_never_leak_between_asyncio_tasks():
    async def task(i, which, seen):
        ctx = xgrad.no_grad() if which else xgrad.using_config("train", True)
        with ctx:
            await asyncio.sleep(0.001 * (i % 3))
            y = xgrad.Variable(np.ones(1)) * 3.0
            await asyncio.sleep(0)
            seen.append((which, y.creator is None))

    async def main():
        seen = []
        await asyncio.gather(*(task(i, i % 2 == 0, seen) for i in range(40)))
        return seen

    for which, no_graph in asyncio.run(main()):
        assert no_graph == which


def _train(model, x, t, steps, out, key):
    optimizer = SGD(lr=0.5).setup(model)
    losses = []
    for _ in range(steps):
        loss = F.softmax_cross_entropy(model(x), t)
        model.cleargrads()
        loss.backward()
        optimizer.update()
        losses.append(float(loss.data))
    out[key] = losses


def test_two_threads_training_two_models_get_the_serial_results():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((64, 4)).astype(np.float32)
    t = rng.integers(0, 3, 64)

    def fresh(seed):
        xgrad.manual_seed(seed)
        model = MLP((16, 3))
        model(x[:1])  # create the weights now, in this thread
        return model

    serial = {}
    _train(fresh(1), x, t, 30, serial, "a")
    _train(fresh(2), x, t, 30, serial, "b")

    concurrent = {}
    models = {"a": fresh(1), "b": fresh(2)}
    threads = [
        threading.Thread(target=_train, args=(m, x, t, 30, concurrent, k))
        for k, m in models.items()
    ]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert concurrent == serial
