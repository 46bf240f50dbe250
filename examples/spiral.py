"""The book's spiral classifier, in mini-batches: Dataset, DataLoader, optimizer.

    python examples/spiral.py                       # NumPy on the CPU
    python examples/spiral.py --device torch:cpu    # PyTorch
    python examples/spiral.py --epochs 30 --hidden 30

Steps 48 to 50 of the book: an MLP (2 -> 10 -> 3, sigmoid) trained by SGD
(lr 1.0) on shuffled batches of 30 spiral points from a DataLoader that puts
each batch on --device. After every epoch it measures the loss and accuracy
on the training set and on the test spiral. Writes spiral.png: the decision
regions with the training points, and the loss and accuracy curves.
"""

from __future__ import annotations

from typing import Any

from _common import Clock, make_parser, parse, plot_boundary, pyplot, save

import xgrad
import xgrad.functions as F
from xgrad import optimizers
from xgrad.dataloaders import DataLoader
from xgrad.datasets import Spiral
from xgrad.models import MLP


def run_epoch(
    model: Any, loader: DataLoader, optimizer: Any = None
) -> tuple[float, float]:
    """Mean loss and accuracy over one pass of ``loader``; trains if ``optimizer``."""
    total_loss = total_acc = 0.0
    for x, t in loader:
        y = model(x)
        loss = F.softmax_cross_entropy(y, t)
        if optimizer is not None:
            model.cleargrads()
            loss.backward()
            optimizer.update()
        total_loss += float(loss.data) * t.shape[0]
        total_acc += float(F.accuracy(y, t).data) * t.shape[0]
    n = loader.data_size
    return total_loss / n, total_acc / n


def main() -> None:
    parser = make_parser(__doc__, epochs=300)
    parser.add_argument("--batch-size", type=int, default=30, help="points per batch")
    parser.add_argument("--hidden", type=int, default=10, help="hidden units")
    parser.add_argument("--lr", type=float, default=1.0, help="SGD's learning rate")
    args = parse(parser)
    clock = Clock()

    train_set, test_set = Spiral(train=True), Spiral(train=False)
    xgrad.manual_seed(0)  # the weights and the shuffling
    train_loader = DataLoader(train_set, args.batch_size, device=args.device)
    test_loader = DataLoader(
        test_set, args.batch_size, shuffle=False, device=args.device
    )
    model = MLP((args.hidden, 3))
    optimizer = optimizers.SGD(lr=args.lr).setup(model)

    print(
        f"spiral: {len(train_set)} training and {len(test_set)} test points, "
        f"batches of {args.batch_size} on {args.device}"
    )
    history: dict[str, list[float]] = {k: [] for k in ("loss", "acc", "tloss", "tacc")}
    every = max(1, args.epochs // 10)
    for epoch in range(1, args.epochs + 1):
        loss, acc = run_epoch(model, train_loader, optimizer)
        with xgrad.no_grad(), xgrad.test_mode():
            test_loss, test_acc = run_epoch(model, test_loader)
        for key, value in zip(history, (loss, acc, test_loss, test_acc), strict=True):
            history[key].append(value)
        if epoch % every == 0 or epoch == 1 or epoch == args.epochs:
            print(
                f"epoch {epoch:3d}  loss {loss:.4f}  accuracy {acc:.3f}  "
                f"test loss {test_loss:.4f}  test accuracy {test_acc:.3f}  "
                f"{clock}"
            )
    print(f"test accuracy {history['tacc'][-1]:.3f} after {args.epochs} epochs")

    plt = pyplot()
    if plt is not None:
        plot(plt, args, model, train_set, history)
    print(f"done in {clock}")


def plot(plt: Any, args: Any, model: Any, train_set: Spiral, history: dict) -> None:
    fig, (ax0, ax1, ax2) = plt.subplots(1, 3, figsize=(15, 4.6))
    plot_boundary(ax0, model, train_set.data, train_set.label, args.device)
    ax0.set_title(f"decision regions ({args.device})")
    ax0.legend(loc="lower right", fontsize=8)
    epochs = range(1, args.epochs + 1)
    ax1.plot(epochs, history["loss"], label="train")
    ax1.plot(epochs, history["tloss"], label="test")
    ax1.set(xlabel="epoch", ylabel="softmax cross entropy", title="loss")
    ax1.legend()
    ax2.plot(epochs, history["acc"], label="train")
    ax2.plot(epochs, history["tacc"], label="test")
    ax2.set(xlabel="epoch", ylabel="accuracy", title="accuracy", ylim=(0, 1.02))
    ax2.legend(loc="lower right")
    save(fig, args.out / "spiral.png")


if __name__ == "__main__":
    main()
