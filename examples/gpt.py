"""A small GPT learns to write like Macbeth, one character at a time.

    python examples/gpt.py                       # NumPy on the CPU
    python examples/gpt.py --device torch:cpu    # the same code on PyTorch

A decoder-only transformer trained from scratch on the text of Shakespeare's
Macbeth (about 100 KB, public domain; examples/data/macbeth.txt says where the
copy comes from): token and position embeddings, pre-norm blocks of causal
multi-head self-attention and a GELU MLP, a final LayerNorm, and an output
projection that shares its weights with the token embedding. AdamW with a
linear warmup then a cosine decay of the learning rate, and the gradients'
global norm clipped to 1.

NumPy's BLAS runs on one thread here unless OPENBLAS_NUM_THREADS says
otherwise. The first 90% of the text trains, the last 10% validates. A bigram model
(the next character from the one before, counted on the training text) sets
the bar: the transformer should end at least 0.3 nats below it on the same
validation targets. The script prints both losses and whether the target
was met, writes gpt.png (training and validation loss per epoch, the bigram's
line) and prints text sampled from the trained model.
"""

from __future__ import annotations

import os

# One BLAS thread (unless the environment says otherwise), set before NumPy
# loads: this model's matrices are small, so a second thread gains nothing
# alone, and while other programs keep the cores busy OpenBLAS's threads wait
# on one another, making epochs ten times as long (docs/examples.md).
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import math
from pathlib import Path
from typing import Any

import numpy as np
from _common import Clock, make_parser, numpy, parse, pyplot, save

import xgrad
import xgrad.functions as F
import xgrad.layers as L
from xgrad import optimizers
from xgrad.progress import progress

TEXT = Path(__file__).resolve().parent / "data" / "macbeth.txt"
TARGET_NATS = 0.3  # how far below the bigram's validation loss the model must end


def load_text(path: Path = TEXT) -> str:
    """The corpus without its header lines (those that begin with '#')."""
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    return "".join(line for line in lines if not line.startswith("#"))


class Block(L.Layer):
    """Pre-norm: ``x + attention(norm(x))``, then ``x + mlp(norm(x))``."""

    def __init__(self, width: int, n_heads: int, dropout: float) -> None:
        super().__init__()
        self.norm1, self.norm2 = L.LayerNorm(), L.LayerNorm()
        self.attention = L.MultiHeadAttention(n_heads, width, causal=True)
        self.up, self.down = L.Linear(4 * width), L.Linear(width)
        self.drop = L.Dropout(dropout)

    def forward(self, x: Any) -> Any:
        n, t, c = x.shape
        x = x + self.drop(self.attention(self.norm1(x)))
        flat = F.reshape(self.norm2(x), (n * t, c))
        h = F.gelu(self.up(flat), approximate="tanh")  # tanh: fast on NumPy
        return x + self.drop(F.reshape(self.down(h), (n, t, c)))


class GPT(L.Layer):
    """Token ids ``(N, T)`` -> next-token scores ``(N * T, vocab)``."""

    def __init__(
        self,
        vocab: int,
        context: int,
        width: int,
        n_layers: int,
        n_heads: int,
        dropout: float,
    ) -> None:
        super().__init__()
        self.context = context
        self.token = L.Embedding(vocab, width)
        self.position = L.Embedding(context, width)
        self.drop = L.Dropout(dropout)
        self.blocks = [Block(width, n_heads, dropout) for _ in range(n_layers)]
        for i, block in enumerate(self.blocks):
            setattr(self, f"block{i}", block)  # registered, so its params train
        self.norm = L.LayerNorm()
        # small embeddings: the tied output starts near uniform scores
        self.token.W.data = self.token.W.data * 0.1
        self.position.W.data = self.position.W.data * 0.1

    def forward(self, ids: np.ndarray) -> Any:
        n, t = ids.shape
        x = self.token(ids) + self.position(np.arange(t))
        x = self.drop(x)
        for block in self.blocks:
            x = block(x)
        h = F.reshape(self.norm(x), (n * t, x.shape[-1]))
        return F.matmul(h, F.transpose(self.token.W))  # weight tying


class WarmupCosine(optimizers.LRScheduler):
    """Linear warmup over ``warmup`` steps, then a cosine down to ``min_ratio``."""

    def __init__(
        self, optimizer: Any, warmup: int, total: int, min_ratio: float = 0.1
    ) -> None:
        self.warmup, self.total, self.min_ratio = warmup, total, min_ratio
        super().__init__(optimizer)

    def get_lr(self, step: int) -> float:
        if step < self.warmup:
            return self.base_lr * (step + 1) / self.warmup
        s = min(1.0, (step - self.warmup) / max(1, self.total - self.warmup))
        cosine = (1 + math.cos(math.pi * s)) / 2
        return self.base_lr * (self.min_ratio + (1 - self.min_ratio) * cosine)


def windows(data: np.ndarray, context: int) -> tuple[np.ndarray, np.ndarray]:
    """Non-overlapping (input, next-character target) windows covering ``data``."""
    n = (len(data) - 1) // context
    x = data[: n * context].reshape(n, context)
    t = data[1 : n * context + 1].reshape(n, context)
    return x, t


def bigram_loss(train: np.ndarray, x: np.ndarray, t: np.ndarray, vocab: int) -> float:
    """Validation cross-entropy of next-character counts (add-one smoothed)."""
    counts = np.ones((vocab, vocab))
    np.add.at(counts, (train[:-1], train[1:]), 1)
    log_p = np.log(counts / counts.sum(axis=1, keepdims=True))
    return float(-log_p[x.ravel(), t.ravel()].mean())


def evaluate(model: GPT, x: np.ndarray, t: np.ndarray, batch: int) -> float:
    """Mean validation cross-entropy in nats, in test mode (no dropout)."""
    total = 0.0
    with xgrad.no_grad(), xgrad.test_mode():
        for i in range(0, len(x), batch):
            xb, tb = x[i : i + batch], t[i : i + batch]
            loss = F.softmax_cross_entropy(model(xb), tb.ravel())
            total += float(loss.data) * tb.size
    return total / t.size


def sample(model: GPT, prompt: np.ndarray, length: int, temperature: float) -> list:
    """``length`` new character ids after ``prompt``, drawn from the model."""
    rng = np.random.default_rng(0)
    ids = list(prompt)
    with xgrad.no_grad(), xgrad.test_mode():
        for _ in range(length):
            window = np.array([ids[-model.context :]])
            scores = numpy(model(window))[-1].astype(np.float64) / temperature
            p = np.exp(scores - scores.max())
            ids.append(int(rng.choice(len(p), p=p / p.sum())))
    return ids[len(prompt) :]


def main() -> None:
    parser = make_parser(__doc__, epochs=15)
    parser.add_argument("--context", type=int, default=64, help="characters seen")
    parser.add_argument("--width", type=int, default=64, help="embedding width")
    parser.add_argument("--layers", type=int, default=2, help="transformer blocks")
    parser.add_argument("--heads", type=int, default=4, help="attention heads")
    parser.add_argument("--batch-size", type=int, default=32, help="windows per step")
    parser.add_argument("--lr", type=float, default=3e-3, help="AdamW's peak lr")
    parser.add_argument("--dropout", type=float, default=0.0, help="dropout ratio")
    parser.add_argument(
        "--sample", type=int, default=300, help="characters to generate at the end"
    )
    args = parse(parser)
    clock = Clock()

    text = load_text()
    chars = sorted(set(text))
    index = {c: i for i, c in enumerate(chars)}
    data = np.array([index[c] for c in text], dtype=np.int64)
    split = int(0.9 * len(data))
    train, val = data[:split], data[split:]
    val_x, val_t = windows(val, args.context)
    bigram = bigram_loss(train, val_x, val_t, len(chars))
    print(
        f"text: {len(text)} characters, {len(chars)} distinct; "
        f"{len(train)} train, {len(val)} validation"
    )
    print(f"bigram model: validation loss {bigram:.3f} nats")

    xgrad.manual_seed(0)
    rng = np.random.default_rng(0)
    model = GPT(
        len(chars), args.context, args.width, args.layers, args.heads, args.dropout
    )
    model.to_device(args.device)
    steps_per_epoch = max(1, len(train) // (args.batch_size * args.context))
    total_steps = steps_per_epoch * args.epochs
    optimizer = optimizers.AdamW(lr=args.lr, weight_decay=0.1).setup(model)
    optimizer.add_hook(optimizers.ClipGrad(1.0))
    scheduler = WarmupCosine(optimizer, warmup=total_steps // 10, total=total_steps)

    print(
        f"training a {args.layers}-block GPT (width {args.width}, {args.heads} "
        f"heads, context {args.context}) on {args.device}"
    )
    train_curve, val_curve = [], []
    for epoch in range(1, args.epochs + 1):
        bar = progress(range(steps_per_epoch), desc=f"epoch {epoch}")
        epoch_loss = 0.0
        for _ in bar:
            starts = rng.integers(0, len(train) - args.context - 1, args.batch_size)
            rows = starts[:, None] + np.arange(args.context)
            loss = F.softmax_cross_entropy(model(train[rows]), train[rows + 1].ravel())
            model.cleargrads()
            loss.backward()
            optimizer.update()
            scheduler.step()
            epoch_loss += float(loss.data)
            bar.set_postfix(loss=f"{float(loss.data):.3f}")
        train_curve.append(epoch_loss / steps_per_epoch)
        val_curve.append(evaluate(model, val_x, val_t, 4 * args.batch_size))
        print(
            f"epoch {epoch:3d}  loss {train_curve[-1]:.3f}  "
            f"validation {val_curve[-1]:.3f}  {clock}"
        )

    n_params = sum(p.size for p in model.params())
    gap = bigram - val_curve[-1]
    print(f"transformer: validation loss {val_curve[-1]:.3f} nats ({n_params} params)")
    print(f"bigram:      validation loss {bigram:.3f} nats")
    met = "met" if gap >= TARGET_NATS else "NOT met"
    print(f"{gap:.3f} nats below the bigram: target of {TARGET_NATS} {met}")

    prompt = data[split - args.context : split]
    new = sample(model, prompt, args.sample, temperature=0.8)
    print("sample, after the last training characters:")
    print("".join(chars[i] for i in new))

    plt = pyplot()
    if plt is not None:
        fig, ax = plt.subplots(figsize=(6, 4))
        epochs = range(1, args.epochs + 1)
        ax.plot(epochs, train_curve, "o-", label="transformer, training")
        ax.plot(epochs, val_curve, "s-", label="transformer, validation")
        ax.axhline(bigram, color="C3", ls="--", label="bigram, validation")
        ax.set(xlabel="epoch", ylabel="cross-entropy (nats per character)")
        ax.set_title(
            f"Character-level GPT on Macbeth ({args.device})\n"
            f"validation {val_curve[-1]:.3f} nats, bigram {bigram:.3f}",
            fontsize=10,
        )
        ax.legend()
        save(fig, args.out / "gpt.png")
    print(f"done in {clock}")


if __name__ == "__main__":
    main()
