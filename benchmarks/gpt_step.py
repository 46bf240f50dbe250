"""One training step of the GPT of examples/gpt.py: xgrad against the same model in PyTorch.

What
----
The model of ``examples/gpt.py`` at its default size (2 pre-norm blocks,
width 64, 4 heads, context 64, the Macbeth vocabulary, weight tying) on a
batch of 32 windows, float32. One step is the forward pass, the softmax
cross entropy, the backward pass, the global gradient norm clipped to 1 and
an AdamW update (lr 3e-3, weight decay 0.1). Three contestants:

* ``torch``: the same model written with PyTorch modules (``nn.Embedding``,
  ``nn.LayerNorm``, ``nn.MultiheadAttention`` with a causal mask, which
  runs PyTorch's fused attention, ``nn.Linear``, ``nn.GELU('tanh')``, the
  output tied to the token embedding), ``torch.optim.AdamW`` and
  ``clip_grad_norm_``;
* ``xgrad/numpy``: the ``GPT`` class of examples/gpt.py on NumPy, its
  weights copied from the PyTorch model with ``layer.load_torch``,
  ``optimizers.AdamW`` with the ``ClipGrad`` hook;
* ``xgrad/torch``: the same xgrad model moved to ``torch:cpu``.

Two pairs, ``torch`` against each xgrad, each in fresh processes of its own
(as benchmarks/mlp.py): the members take turns (``alternate.orders``) round by
round, a process's ratio is the median of its rounds' ratios, the verdict
the median over processes. PyTorch and OpenBLAS run on one thread each
(the matrices are small; on a shared machine more threads only wait on one
another). The ``torch`` time is the median over the processes of both pairs.
The losses of the first three steps (of the first process of each pair) are
printed side by side: the three compute the same model from the same
weights, and their updates agree.

Targets (issue 17): eager xgrad on NumPy at most 1.3x PyTorch; with
``xgrad.jit`` at most 1.0x, which waits for ``xgrad.jit`` (not in xgrad
yet). xgrad on PyTorch is reported without a target.

How to run
----------
::

    python benchmarks/gpt_step.py                 # 5 processes per pair, 21 rounds
    python benchmarks/gpt_step.py --processes 9 --repeats 31
"""

from __future__ import annotations

import os

# One BLAS thread, set before NumPy loads (see the module docstring).
os.environ["OPENBLAS_NUM_THREADS"] = "1"
os.environ["OMP_NUM_THREADS"] = "1"

import argparse
import copy
import json
import statistics
import sys
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
for folder in (ROOT, ROOT / "examples"):
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))

from alternate import alternate, in_child

import xgrad
import xgrad.functions as F
from xgrad import optimizers

CONTEXT, WIDTH, LAYERS, HEADS, BATCH = 64, 64, 2, 4, 32
LR, WEIGHT_DECAY, CLIP = 3e-3, 0.1, 1.0
PAIRS = {
    "numpy": ("torch", "xgrad/numpy", 1.3),
    "torch": ("torch", "xgrad/torch", None),
}


def batch(seed: int = 0) -> tuple[np.ndarray, np.ndarray, int]:
    """A batch of training windows of the Macbeth text, their targets, the vocabulary size."""
    from gpt import load_text

    text = load_text()
    chars = sorted(set(text))
    index = {c: i for i, c in enumerate(chars)}
    data = np.array([index[c] for c in text], dtype=np.int64)
    starts = np.random.default_rng(seed).integers(0, len(data) - CONTEXT - 1, BATCH)
    rows = starts[:, None] + np.arange(CONTEXT)
    return data[rows], data[rows + 1].ravel(), len(chars)


def torch_model(vocab: int) -> Any:
    """The GPT of examples/gpt.py written with PyTorch modules."""
    import torch
    from torch import nn

    class Block(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.norm1, self.norm2 = nn.LayerNorm(WIDTH), nn.LayerNorm(WIDTH)
            self.attention = nn.MultiheadAttention(WIDTH, HEADS, batch_first=True)
            self.up, self.down = (
                nn.Linear(WIDTH, 4 * WIDTH),
                nn.Linear(4 * WIDTH, WIDTH),
            )
            self.gelu = nn.GELU(approximate="tanh")
            mask = torch.ones(CONTEXT, CONTEXT, dtype=torch.bool).triu(1)
            self.register_buffer("mask", mask)  # True: may not attend

        def forward(self, x: Any) -> Any:
            h = self.norm1(x)
            a, _ = self.attention(h, h, h, attn_mask=self.mask, need_weights=False)
            x = x + a
            return x + self.down(self.gelu(self.up(self.norm2(x))))

    class GPT(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.token = nn.Embedding(vocab, WIDTH)
            self.position = nn.Embedding(CONTEXT, WIDTH)
            self.blocks = nn.ModuleList(Block() for _ in range(LAYERS))
            self.norm = nn.LayerNorm(WIDTH)
            with torch.no_grad():  # small embeddings, as examples/gpt.py
                self.token.weight.mul_(0.1)
                self.position.weight.mul_(0.1)

        def forward(self, ids: Any) -> Any:
            x = self.token(ids) + self.position.weight[: ids.shape[1]]
            for block in self.blocks:
                x = block(x)
            h = self.norm(x).reshape(-1, WIDTH)
            return h @ self.token.weight.T  # weight tying

    torch.manual_seed(0)
    return GPT()


def xgrad_model(module: Any, vocab: int, device: str) -> Any:
    """The GPT class of examples/gpt.py with ``module``'s weights, on ``device``."""
    from gpt import GPT

    model = GPT(vocab, CONTEXT, WIDTH, LAYERS, HEADS, dropout=0.0)
    pairs = [(model.token, module.token), (model.position, module.position)]
    for ours, theirs in zip(model.blocks, module.blocks, strict=True):
        pairs += [(ours.norm1, theirs.norm1), (ours.norm2, theirs.norm2)]
        pairs += [(ours.attention, theirs.attention)]
        pairs += [(ours.up, theirs.up), (ours.down, theirs.down)]
    pairs.append((model.norm, module.norm))
    for ours, theirs in pairs:
        # load_torch may share a tensor's memory (the arrays it need not
        # transpose) and xgrad's optimizers update in place: copy first
        ours.load_torch(copy.deepcopy(theirs))
    model.to_device(device)
    return model


class TorchStep:
    def __init__(self, ids: np.ndarray, targets: np.ndarray, module: Any) -> None:
        import torch

        self.torch, self.model = torch, module
        self.ids, self.targets = torch.from_numpy(ids), torch.from_numpy(targets)
        self.optimizer = torch.optim.AdamW(
            module.parameters(), lr=LR, weight_decay=WEIGHT_DECAY
        )

    def step(self) -> float:
        torch = self.torch
        loss = torch.nn.functional.cross_entropy(self.model(self.ids), self.targets)
        self.optimizer.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(self.model.parameters(), CLIP)
        self.optimizer.step()
        return float(loss.detach())


class XgradStep:
    def __init__(
        self, ids: np.ndarray, targets: np.ndarray, model: Any, jitted: bool = False
    ) -> None:
        self.model, self.ids = model, ids  # ids index embeddings: they stay NumPy
        self.targets = xgrad.to_device(targets, model.device)
        self.optimizer = optimizers.AdamW(lr=LR, weight_decay=WEIGHT_DECAY)
        self.optimizer.setup(model).add_hook(optimizers.ClipGrad(CLIP))
        self.run = xgrad.jit(self.train) if jitted else self.train

    def train(self, ids: Any, targets: Any) -> Any:
        loss = F.softmax_cross_entropy(self.model(ids), targets)
        self.model.cleargrads()
        loss.backward()
        self.optimizer.update()
        return loss

    def step(self) -> float:
        return float(self.run(self.ids, self.targets).data)


def time_pair(pair: str, repeats: int, jitted: bool = False) -> dict[str, Any]:
    """Time one pair in this process: medians of the per-round ratios and step times."""
    import torch

    torch.set_num_threads(1)
    theirs, ours, _ = PAIRS[pair]
    ids, targets, vocab = batch()
    module = torch_model(vocab)
    device = "numpy" if pair == "numpy" else "torch:cpu"
    steps = {
        ours: XgradStep(ids, targets, xgrad_model(module, vocab, device)),
        theirs: TorchStep(ids, targets, module),
    }
    if jitted:  # the same weights: xgrad_model copies them from the module
        model = xgrad_model(module, vocab, device)
        steps[f"{ours} jit"] = XgradStep(ids, targets, model, jitted=True)
    losses = {name: [s.step() for _ in range(3)] for name, s in steps.items()}
    return {**alternate(steps, ours, theirs, repeats), "losses": losses}


def run_pair(pair: str, repeats: int, jitted: bool = False) -> dict[str, Any]:
    """:func:`time_pair` in a fresh Python process."""
    flags = ["--jit"] if jitted else []
    return in_child(__file__, "--pair", pair, "--repeats", str(repeats), *flags)


def report(runs: dict[str, list[dict[str, Any]]]) -> None:
    first = runs["numpy"][0]["losses"]
    first.update(runs["torch"][0]["losses"])
    print("  losses of the first three steps (the same weights and batch):")
    for name in first:
        print(f"    {name:16s} " + "  ".join(f"{v:.5f}" for v in first[name]))
    ms = {
        name: statistics.median(run["ms"][name] for run in runs[pair])
        for pair, members in PAIRS.items()
        for name in members[1:2]
    }
    ms["torch"] = statistics.median(
        run["ms"]["torch"] for pair in PAIRS for run in runs[pair]
    )
    for name in ("torch", "xgrad/numpy", "xgrad/torch"):
        print(f"  {name:12s} {ms[name]:8.2f} ms/step")
    for pair, (theirs, ours, target) in PAIRS.items():
        ratios = [run["ratio"] for run in runs[pair]]
        ratio = statistics.median(ratios)
        per = " ".join(f"{r:.3f}" for r in ratios)
        verdict = (
            "no target"
            if target is None
            else f"target <= {target}: {'MET' if ratio <= target else 'NOT MET'}"
        )
        print(f"  {ours} / {theirs}: {ratio:.3f} (per process: {per})  {verdict}")
    if (
        "ratios" not in runs["numpy"][0]
        or "xgrad/numpy jit" not in runs["numpy"][0]["ratios"]
    ):
        print("  with xgrad.jit: run with --jit (target <= 1.0 on NumPy)")
        return
    for pair, (theirs, ours, _) in PAIRS.items():
        name = f"{ours} jit"
        ratios = [run["ratios"][name] for run in runs[pair]]
        ratio = statistics.median(ratios)
        jit_ms = statistics.median(run["ms"][name] for run in runs[pair])
        per = " ".join(f"{r:.3f}" for r in ratios)
        verdict = (
            f"  target <= 1.0: {'MET' if ratio <= 1.0 else 'NOT MET'}"
            if pair == "numpy"
            else ""
        )
        print(
            f"  {name} {jit_ms:8.2f} ms/step; / {theirs}: {ratio:.3f} (per process: {per}){verdict}"
        )


class HelpFormatter(
    argparse.RawDescriptionHelpFormatter, argparse.ArgumentDefaultsHelpFormatter
):
    """``--help``: this docstring as written, each option's default after it."""


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__,
        formatter_class=HelpFormatter,
    )
    parser.add_argument("--repeats", type=int, default=21, help="rounds per process")
    parser.add_argument("--processes", type=int, default=5, help="processes per pair")
    parser.add_argument("--jit", action="store_true", help="also time xgrad.jit")
    parser.add_argument("--pair", choices=PAIRS, help=argparse.SUPPRESS)  # a child
    args = parser.parse_args()
    if args.pair:
        print(json.dumps(time_pair(args.pair, args.repeats, args.jit)))
        return

    print(
        f"GPT of examples/gpt.py: {LAYERS} blocks, width {WIDTH}, {HEADS} heads, "
        f"context {CONTEXT}, batch {BATCH}, float32; one step = forward, loss, "
        f"backward, clip to norm {CLIP}, AdamW"
    )
    print(
        f"PyTorch and OpenBLAS on 1 thread each; median of {args.repeats} rounds in "
        f"each of {args.processes} processes per pair"
    )
    runs: dict[str, list[dict[str, Any]]] = {pair: [] for pair in PAIRS}
    for _ in range(args.processes):  # the pairs' processes interleaved
        for pair in PAIRS:
            runs[pair].append(run_pair(pair, args.repeats, args.jit))
    report(runs)


if __name__ == "__main__":
    main()
