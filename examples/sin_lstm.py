"""An LSTM learns to predict the next value of a noisy sine wave.

    python examples/sin_lstm.py                       # NumPy on the CPU
    python examples/sin_lstm.py --device torch:cpu    # PyTorch
    python examples/sin_lstm.py --epochs 20 --hidden 50

The book's step 60. SinCurve gives 999 points of sin(x) plus noise on
[0, 2 pi], each with the next point as its target. A SeqDataLoader cuts the
series into 30 parallel streams and hands out one time step of all of them
per batch; the network (an LSTM of 100 units and a linear layer) reads one
step at a time, keeping its state. Truncated backpropagation through time:
every 30 steps the summed loss is backpropagated, the optimizer steps, and
unchain_backward() cuts the graph behind it, so memory stays bounded while
the state carries on. Then, with no_grad, the trained network predicts the
next value of a cosine it has never seen. Writes sin_lstm.png.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from _common import Clock, make_parser, numpy, parse, pyplot, save

import xgrad
import xgrad.functions as F
import xgrad.layers as L
from xgrad import optimizers
from xgrad.dataloaders import SeqDataLoader
from xgrad.datasets import SinCurve
from xgrad.models import Model
from xgrad.transforms import ToFloat


class BetterRNN(Model):
    """LSTM then Linear, as the book names it."""

    def __init__(self, hidden_size: int, out_size: int) -> None:
        super().__init__()
        self.rnn = L.LSTM(hidden_size)
        self.fc = L.Linear(out_size)

    def reset_state(self) -> None:
        self.rnn.reset_state()

    def forward(self, x: Any) -> Any:
        return self.fc(self.rnn(x))


def train_epoch(model: Any, loader: SeqDataLoader, optimizer: Any, bptt: int) -> float:
    """One pass over the series with truncated BPTT; the mean squared error per step."""
    model.reset_state()
    loss, total, count = 0, 0.0, 0
    for x, t in loader:
        y = model(x)
        loss = loss + F.mean_squared_error(y, t)
        count += 1
        if count % bptt == 0 or count == len(loader):
            model.cleargrads()
            loss.backward()
            loss.unchain_backward()  # the state stays; the graph behind it goes
            optimizer.update()
            total += float(loss.data)
            loss = 0
    return total / count


def main() -> None:
    parser = make_parser(__doc__, epochs=100)
    parser.add_argument("--hidden", type=int, default=100, help="LSTM units")
    parser.add_argument(
        "--batch-size", type=int, default=30, help="parallel streams of the curve"
    )
    parser.add_argument(
        "--bptt", type=int, default=30, help="time steps per backward pass and update"
    )
    args = parse(parser)
    clock = Clock()

    to_float = ToFloat()  # SinCurve is float64; the layers are float32
    train_set = SinCurve(train=True, transform=to_float, target_transform=to_float)
    test_set = SinCurve(train=False, transform=to_float, target_transform=to_float)
    xgrad.manual_seed(0)
    loader = SeqDataLoader(train_set, args.batch_size, device=args.device)
    model = BetterRNN(args.hidden, 1)
    optimizer = optimizers.Adam().setup(model)

    print(
        f"sine curve: {len(train_set)} points in {args.batch_size} streams, "
        f"LSTM({args.hidden}), BPTT every {args.bptt} steps, on {args.device}"
    )
    every = max(1, args.epochs // 10)
    losses = []
    for epoch in range(1, args.epochs + 1):
        losses.append(train_epoch(model, loader, optimizer, args.bptt))
        if epoch % every == 0 or epoch == 1 or epoch == args.epochs:
            print(f"epoch {epoch:3d}  loss {losses[-1]:.5f}  {clock}")

    model.reset_state()
    predictions = []
    with xgrad.no_grad():
        for i in range(len(test_set)):
            x, _ = test_set[i]
            y = model(xgrad.asarray(x.reshape(1, 1), device=args.device))
            predictions.append(float(numpy(y).item()))
    predicted, target = np.array(predictions), test_set.label[:, 0]
    error = float(np.mean((predicted - target) ** 2))
    print(
        f"cosine, next value: mean squared error {error:.5f} over {len(target)} points"
    )

    plt = pyplot()
    if plt is not None:
        plot(plt, args, losses, train_set, target, predicted)
    print(f"done in {clock}")


def plot(
    plt: Any, args: Any, losses: list, train_set: Any, target: Any, pred: Any
) -> None:
    fig, (ax0, ax1) = plt.subplots(1, 2, figsize=(12, 4.2))
    ax0.plot(range(1, len(losses) + 1), losses)
    ax0.set(xlabel="epoch", ylabel="mean squared error", yscale="log")
    ax0.set_title(f"training loss (LSTM {args.hidden}, {args.device})")
    xs = np.linspace(0, 2 * np.pi, len(train_set) + 1)[1:]
    ax1.plot(
        xs,
        train_set.label[:, 0],
        ".",
        markersize=2,
        color="lightgray",
        label="training data: sin(x) + noise",
    )
    ax1.plot(xs, target, label="cos(x), the next value", linewidth=2)
    ax1.plot(xs, pred, "--", label="LSTM prediction", linewidth=2)
    ax1.set(xlabel="x", title="predicting one step ahead on an unseen cosine")
    ax1.legend(loc="lower left", fontsize=8)
    save(fig, args.out / "sin_lstm.png")


if __name__ == "__main__":
    main()
