"""One SGD step of an MLP: xgrad against the hand-written NumPy limit, and against PyTorch.

What
----
Network: 784-1000-1000-10, ReLU, softmax cross entropy, batch 128, float32,
one SGD step (lr 0.01). Four contestants, in two pairs:

* ``numpy``: forward, backward and update written by hand with the same BLAS
  calls. It computes no gradient for the input batch and updates in place:
  the limit for any framework on NumPy;
* ``xgrad/numpy``: ``xgrad.models.MLP`` + ``F.softmax_cross_entropy`` +
  ``optimizers.SGD`` on NumPy; the batch is a plain array, so it gets no
  gradient either;
* ``torch``: the same network with PyTorch's autograd and ``torch.optim.SGD``;
* ``xgrad/torch``: the xgrad model moved to ``torch:cpu``.

With ``--jit``, two more pairs: each xgrad step under ``xgrad.jit`` against
the same reference (targets 1.00x and 1.05x). A jitted step runs in
processes of its own, not beside eager xgrad: there it met the caches and
allocator state that eager xgrad's step leaves behind, which moved its ratio
by about 1% (0.994 against 0.981, 10 processes each, interleaved), where a
training loop runs one step alone (docs/performance.md).

Each pair runs in fresh processes of its own, its two members taking turns
round by round (``alternate.orders``): PyTorch's thread pool is never loaded beside
the NumPy pair, and where the memory of the large arrays lands (which pages,
which alignment) changes from process to process and moves a single
process's ratio by a few per cent, so the verdict is the median over several
processes of each process's median ratio.

Reported: those ratios (xgrad/numpy vs numpy, xgrad/torch vs torch), that
every gradient and parameter stays float32, the growth of the process's
resident memory over 50 steps, and the peak extra memory of one step
(tracemalloc, which sees NumPy's allocations, tracing the step's state too)
against the hand-written step.
Targets: 1.05x, 1.15x, float32, < 1 MB growth, <= 1.5x extra memory.

How to run
----------
::

    python benchmarks/mlp.py                  # 7 processes per pair, 21 rounds each
    python benchmarks/mlp.py --jit            # and the jitted steps' pairs
    python benchmarks/mlp.py --processes 9 --repeats 31
"""

from __future__ import annotations

import argparse
import gc
import itertools
import json
import statistics
import subprocess
import sys
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from alternate import alternate

import xgrad
import xgrad.functions as F
from xgrad.models import MLP

SIZES = (784, 1000, 1000, 10)
BATCH, LR = 128, 0.01


def data(seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((BATCH, SIZES[0]), dtype=np.float32)
    t = rng.integers(0, SIZES[-1], BATCH)
    return x, t


def weights(seed: int = 1) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    out = []
    for i, o in itertools.pairwise(SIZES):
        out.append((rng.standard_normal((i, o)) * np.sqrt(1 / i)).astype(np.float32))
        out.append(np.zeros(o, dtype=np.float32))
    return out


class HandWritten:
    """The same network in plain NumPy: the limit."""

    def __init__(self, x: np.ndarray, t: np.ndarray) -> None:
        self.x, self.t, self.params = x, t, weights()

    def step(self) -> float:
        W1, b1, W2, b2, W3, b3 = self.params
        rows = np.arange(BATCH)
        h1 = self.x @ W1 + b1
        a1 = np.maximum(h1, 0)
        h2 = a1 @ W2 + b2
        a2 = np.maximum(h2, 0)
        z = a2 @ W3 + b3
        z -= z.max(axis=1, keepdims=True)
        e = np.exp(z)
        total = e.sum(axis=1, keepdims=True)
        loss = (np.log(total).sum() - z[rows, self.t].sum()) / BATCH
        d3 = e / total  # softmax, then minus the one-hot labels, over the batch
        d3[rows, self.t] -= 1
        d3 /= BATCH
        gW3, gb3 = a2.T @ d3, d3.sum(axis=0)
        d2 = d3 @ W3.T
        d2 *= h2 > 0
        gW2, gb2 = a1.T @ d2, d2.sum(axis=0)
        d1 = d2 @ W2.T
        d1 *= h1 > 0
        gW1, gb1 = self.x.T @ d1, d1.sum(axis=0)
        for param, g in zip(self.params, (gW1, gb1, gW2, gb2, gW3, gb3), strict=True):
            param -= LR * g
        return float(loss)


class XgradStep:
    def __init__(self, x: Any, t: Any, device: str, jitted: bool = False) -> None:
        from xgrad.optimizers import SGD

        self.model = MLP(SIZES[1:], activation=F.relu)
        self.model(x[:1] if device == "numpy" else xgrad.to_device(x[:1], device))
        for p, w in zip(self.model.params(), weights(), strict=True):
            p.data = w
        self.model.to_device(device)
        self.x = xgrad.to_device(x, device)
        self.t = xgrad.to_device(t, device)
        self.optimizer = SGD(lr=LR).setup(self.model)
        self.run = xgrad.jit(self.train) if jitted else self.train

    def train(self, x: Any, t: Any) -> Any:
        loss = F.softmax_cross_entropy(self.model(x), t)
        self.model.cleargrads()
        loss.backward()
        self.optimizer.update()
        return loss

    def step(self) -> float:
        return float(self.run(self.x, self.t).data)

    def float32(self) -> bool:
        return all(p.dtype == p.grad.dtype for p in self.model.params()) and all(
            "float32" in str(p.dtype) for p in self.model.params()
        )


class TorchStep:
    def __init__(self, x: np.ndarray, t: np.ndarray) -> None:
        import torch

        self.torch = torch
        layers: list[Any] = []
        for i, (w, b) in enumerate(zip(weights()[::2], weights()[1::2], strict=True)):
            lin = torch.nn.Linear(*w.shape)
            with torch.no_grad():
                lin.weight.copy_(torch.from_numpy(w.T.copy()))
                lin.bias.copy_(torch.from_numpy(b))
            layers.append(lin)
            if i < 2:
                layers.append(torch.nn.ReLU())
        self.model = torch.nn.Sequential(*layers)
        self.x, self.t = torch.from_numpy(x), torch.from_numpy(t)
        self.optimizer = torch.optim.SGD(self.model.parameters(), lr=LR)

    def step(self) -> float:
        loss = self.torch.nn.functional.cross_entropy(self.model(self.x), self.t)
        self.optimizer.zero_grad()
        loss.backward()
        self.optimizer.step()
        return float(loss.detach())


def rss_bytes() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * 4096


def peak_extra(make: Callable[[], Any]) -> int:
    """Peak bytes above what is live before one step of ``make()``'s step.

    tracemalloc runs from before the step's state is made, so the state's own
    arrays (parameters, last step's gradients) are traced: a step that frees
    last step's gradients before it makes new ones is seen to need less.
    """
    gc.collect()
    tracemalloc.start()
    try:
        step = make()
        for _ in range(3):
            step()
        gc.collect()
        tracemalloc.reset_peak()
        base = tracemalloc.get_traced_memory()[0]
        step()
        return tracemalloc.get_traced_memory()[1] - base
    finally:
        tracemalloc.stop()


#: name: (the reference, xgrad's contestant, target ratio)
PAIRS = {
    "numpy": ("numpy", "xgrad/numpy", 1.05),
    "torch": ("torch", "xgrad/torch", 1.15),
}
#: With --jit: the same xgrad step under xgrad.jit, in processes of its own
#: (the module doc says why).
JIT_PAIRS = {
    "numpy-jit": ("numpy", "xgrad/numpy jit", 1.00),
    "torch-jit": ("torch", "xgrad/torch jit", 1.05),
}


def time_pair(pair: str, repeats: int) -> dict[str, Any]:
    """Time one pair in this process: per-round ratio and step times, medians."""
    theirs, ours, _ = {**PAIRS, **JIT_PAIRS}[pair]
    x, t = data()
    if theirs == "numpy":
        steps, device = {theirs: HandWritten(x.copy(), t)}, "numpy"
    else:
        steps, device = {theirs: TorchStep(x.copy(), t)}, "torch:cpu"
    steps[ours] = XgradStep(x.copy(), t, device, jitted=pair in JIT_PAIRS)
    first = {name: s.step() for name, s in steps.items()}
    for _ in range(2):
        for name in steps:
            steps[name].step()
    return {**alternate(steps, ours, theirs, repeats), "first": first}


def run_pair(pair: str, repeats: int) -> dict[str, Any] | None:
    """:func:`time_pair` in a fresh Python process; None if its library is missing."""
    done = subprocess.run(
        [sys.executable, __file__, "--pair", pair, "--repeats", str(repeats)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode == 3:
        return None
    if done.returncode != 0:
        raise RuntimeError(f"the {pair} pair failed:\n{done.stderr}")
    return json.loads(done.stdout)


def memory_checks() -> None:
    """float32 kept, resident memory flat, extra memory against the hand-written step."""
    x, t = data()
    xg = XgradStep(x.copy(), t, "numpy")
    xg.step()
    print(f"  float32 kept (xgrad/numpy): {xg.float32()}")
    for _ in range(5):
        xg.step()
    gc.collect()
    before = rss_bytes()
    for _ in range(50):
        xg.step()
    gc.collect()
    growth = (rss_bytes() - before) / 2**20
    print(
        f"  resident memory growth over 50 steps: {growth:.2f} MB  target < 1 MB: "
        f"{'MET' if growth < 1 else 'NOT MET'}"
    )
    ours_peak = peak_extra(lambda: XgradStep(x.copy(), t, "numpy").step)
    hand_peak = peak_extra(lambda: HandWritten(x.copy(), t).step)
    ratio = ours_peak / hand_peak
    print(
        f"  extra memory in one step: xgrad {ours_peak / 2**20:.1f} MB, hand-written "
        f"{hand_peak / 2**20:.1f} MB, ratio {ratio:.2f}  target <= 1.5: "
        f"{'MET' if ratio <= 1.5 else 'NOT MET'}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=21, help="rounds per process")
    parser.add_argument("--processes", type=int, default=7, help="processes per pair")
    parser.add_argument("--jit", action="store_true", help="also time xgrad.jit")
    choices = [*PAIRS, *JIT_PAIRS]
    parser.add_argument("--pair", choices=choices, help=argparse.SUPPRESS)  # a child
    args = parser.parse_args()
    if args.pair:
        try:
            result = time_pair(args.pair, args.repeats)
        except ImportError:
            sys.exit(3)
        print(json.dumps(result))
        return

    print(
        f"MLP {SIZES}, ReLU, softmax cross entropy, batch {BATCH}, float32, one SGD "
        f"step; median of {args.repeats} rounds in each of {args.processes} "
        f"processes per pair"
    )
    pairs = {**PAIRS, **(JIT_PAIRS if args.jit else {})}
    runs: dict[str, list[dict[str, Any]]] = {pair: [] for pair in pairs}
    for _ in range(args.processes):  # the pairs' processes interleaved
        for pair in pairs:
            result = run_pair(pair, args.repeats)
            if result is not None:
                runs[pair].append(result)
    for pair, (theirs, ours, target) in pairs.items():
        if not runs[pair]:
            print(f"  {ours}: skipped (PyTorch not installed)")
            continue
        ratios = [run["ratio"] for run in runs[pair]]
        ms = {
            name: statistics.median(run["ms"][name] for run in runs[pair])
            for name in (theirs, ours)
        }
        losses = {k: round(v, 5) for k, v in runs[pair][0]["first"].items()}
        ratio = statistics.median(ratios)
        print(f"  {theirs:16s} {ms[theirs]:8.2f} ms/step   first losses {losses}")
        print(f"  {ours:16s} {ms[ours]:8.2f} ms/step")
        print(
            f"  {ours} / {theirs}: {ratio:.3f} (per process: "
            f"{' '.join(f'{r:.3f}' for r in ratios)})  target <= {target}: "
            f"{'MET' if ratio <= target else 'NOT MET'}"
        )
    memory_checks()


if __name__ == "__main__":
    main()
