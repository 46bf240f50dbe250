"""Handwritten digits with an MLP or a small CNN: MNIST if it is here, else 8x8 digits.

    python examples/mnist.py                          # MLP, NumPy on the CPU
    python examples/mnist.py --model cnn              # a convolutional network
    python examples/mnist.py --device torch:cpu       # PyTorch
    python examples/mnist.py --dataset digits         # the bundled set, always
    python examples/mnist.py --jit                    # the step recorded, replayed

With --dataset auto (the default) it uses MNIST (60000 training and 10000
test images of 28x28 pixels) when the official files are in xgrad's cache
directory ($XGRAD_DATA, else ~/.xgrad/datasets/mnist; nothing is downloaded),
and otherwise the 8x8 digits bundled with xgrad (1500 training and 297 test
images), and says which it used. --model mlp is 784 (or 64) -> 100 -> 10 with
ReLU; --model cnn is two 3x3 convolutions (16 and 32 channels, ReLU, 2x2 max
pooling) and a linear layer. Both train with Adam on shuffled batches of 100
from a DataLoader on --device, for 5 epochs on MNIST or 20 on the digits; the
CNN sees only the first 10000 MNIST training images on a CPU unless
--train-size says otherwise. Writes mnist_<model>.png: the loss and accuracy per
epoch, and test images with the predicted digit (red where it is wrong).
With --jit the training step runs under ``xgrad.jit`` (recorded once per batch
shape, then replayed); each epoch's line gives the time per training step.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from _common import Clock, make_parser, numpy, parse, pyplot, save

import xgrad
import xgrad.functions as F
import xgrad.layers as L
from xgrad import optimizers
from xgrad.dataloaders import DataLoader
from xgrad.datasets import MNIST, Digits, get_cache_dir
from xgrad.models import MLP, Model
from xgrad.progress import progress
from xgrad.transforms import Compose, Normalize, ToFloat


class CNN(Model):
    """conv 3x3 (16) - pool - conv 3x3 (32) - pool - linear (10), ReLU between."""

    def __init__(self) -> None:
        super().__init__()
        self.conv1 = L.Conv2d(16, kernel_size=3, pad=1)
        self.conv2 = L.Conv2d(32, kernel_size=3, pad=1)
        self.fc = L.Linear(10)

    def forward(self, x: Any) -> Any:
        x = F.pooling(F.relu(self.conv1(x)), kernel_size=2, stride=2)
        x = F.pooling(F.relu(self.conv2(x)), kernel_size=2, stride=2)
        return self.fc(F.reshape(x, (x.shape[0], -1)))


def load(name: str, model: str) -> tuple[Any, Any, str]:
    """Training and test sets, and what they are. The CNN wants (1, H, W) images."""
    if name in ("auto", "mnist"):
        image = Compose([ToFloat(), Normalize(0.0, 255.0)])
        kwargs = {"transform": image} if model == "cnn" else {}
        try:
            return MNIST(train=True, **kwargs), MNIST(train=False, **kwargs), "MNIST"
        except FileNotFoundError as exc:
            if name == "mnist":
                raise SystemExit(f"mnist.py: {exc}") from None
            print(
                f"MNIST is not in {get_cache_dir() / 'mnist'}: "
                f"using the bundled 8x8 digits instead"
            )
    image = Compose([ToFloat(), Normalize(0.0, 16.0)])
    kwargs = {"transform": image} if model == "cnn" else {}
    return Digits(train=True, **kwargs), Digits(train=False, **kwargs), "8x8 digits"


def training_step(model: Any, optimizer: Any) -> Any:
    """One step on a batch: loss and accuracy of the forward pass, then an update."""

    def step(x: Any, t: Any) -> tuple[Any, Any]:
        y = model(x)
        loss = F.softmax_cross_entropy(y, t)
        model.cleargrads()
        loss.backward()
        optimizer.update()
        return loss, F.accuracy(y, t)

    return step


def evaluation_step(model: Any) -> Any:
    def step(x: Any, t: Any) -> tuple[Any, Any]:
        y = model(x)
        return F.softmax_cross_entropy(y, t), F.accuracy(y, t)

    return step


def run_epoch(
    step: Any, loader: DataLoader, desc: str | None = None
) -> tuple[float, float]:
    """Mean loss and accuracy of ``step`` over one pass of ``loader``.

    With ``desc``, a progress bar shows the batches and the latest loss.
    """
    total_loss = total_acc = 0.0
    bar = progress(loader, desc=desc, disable=desc is None)
    for x, t in bar:
        loss, acc = step(x, t)
        if desc is not None:
            bar.set_postfix(loss=float(loss.data))
        total_loss += float(loss.data) * t.shape[0]
        total_acc += float(acc.data) * t.shape[0]
    return total_loss / loader.data_size, total_acc / loader.data_size


def main() -> None:
    parser = make_parser(__doc__, jit=True)
    parser.add_argument(
        "--epochs",
        type=int,
        default=None,
        help="passes over the training images (default: 5 on MNIST, 20 on the digits)",
    )
    parser.add_argument(
        "--model", choices=["mlp", "cnn"], default="mlp", help="the network to train"
    )
    parser.add_argument(
        "--dataset",
        choices=["auto", "mnist", "digits"],
        default="auto",
        help="auto: MNIST where its files are in the cache folder, else the digits",
    )
    parser.add_argument("--batch-size", type=int, default=100, help="images per batch")
    parser.add_argument("--lr", type=float, default=0.003, help="Adam's alpha")
    parser.add_argument(
        "--train-size",
        type=int,
        default=None,
        help="train on this many images (default: all; 10000 for the CNN on "
        "MNIST on a CPU)",
    )
    args = parse(parser)
    clock = Clock()

    train_set, test_set, name = load(args.dataset, args.model)
    if args.epochs is None:
        args.epochs = 5 if name == "MNIST" else 20
    if name == "MNIST" and args.model == "cnn" and args.device.kind == "cpu":
        # an epoch of all 60000 images takes nearly a minute on two CPU cores
        args.train_size = args.train_size or 10_000
    if args.train_size is not None:  # the first images (and labels) only
        train_set.data = train_set.data[: args.train_size]
        train_set.label = train_set.label[: args.train_size]
    side = train_set.data.shape[-1]
    print(
        f"dataset: {name}, {len(train_set)} training and {len(test_set)} test "
        f"images of {side}x{side}"
    )

    xgrad.manual_seed(0)  # the weights and the shuffling
    train_loader = DataLoader(train_set, args.batch_size, device=args.device)
    test_loader = DataLoader(test_set, 1000, shuffle=False, device=args.device)
    model = CNN() if args.model == "cnn" else MLP((100, 10), activation=F.relu)
    optimizer = optimizers.Adam(alpha=args.lr).setup(model)

    train_step = training_step(model, optimizer)
    if args.jit:
        train_step = xgrad.jit(train_step)
    mode = " (xgrad.jit)" if args.jit else ""
    print(f"model: {args.model}, batches of {args.batch_size} on {args.device}{mode}")
    history: dict[str, list[float]] = {k: [] for k in ("loss", "acc", "tloss", "tacc")}
    steps = -(-len(train_set) // args.batch_size)
    for epoch in range(1, args.epochs + 1):
        training = Clock()
        loss, acc = run_epoch(train_step, train_loader, f"epoch {epoch}")
        per_step = training.seconds / steps * 1e3
        with xgrad.no_grad(), xgrad.test_mode():
            test_loss, test_acc = run_epoch(evaluation_step(model), test_loader)
        for key, value in zip(history, (loss, acc, test_loss, test_acc), strict=True):
            history[key].append(value)
        print(
            f"epoch {epoch}  loss {loss:.4f}  accuracy {acc:.4f}  "
            f"test loss {test_loss:.4f}  test accuracy {test_acc:.4f}  "
            f"{per_step:.2f} ms/step  {clock}"
        )

    plt = pyplot()
    if plt is not None:
        plot(plt, args, name, model, test_set, history)
    print(f"done in {clock}")


def plot(
    plt: Any, args: Any, name: str, model: Any, test_set: Any, history: dict
) -> None:
    fig = plt.figure(figsize=(13, 5), layout="constrained")
    left, right = fig.subfigures(1, 2, width_ratios=[1, 1.3])
    ax0, ax1 = left.subplots(2, 1, sharex=True)
    epochs = range(1, args.epochs + 1)
    ax0.plot(epochs, history["loss"], "o-", label="train")
    ax0.plot(epochs, history["tloss"], "o-", label="test")
    ax0.set(ylabel="loss", title=f"{args.model.upper()} on {name} ({args.device})")
    ax0.legend()
    ax1.plot(epochs, history["acc"], "o-", label="train")
    ax1.plot(epochs, history["tacc"], "o-", label="test")
    ax1.set(xlabel="epoch", ylabel="accuracy")
    ax1.xaxis.get_major_locator().set_params(integer=True)
    ax1.legend(loc="lower right")

    rows, cols = 4, 8
    images = np.stack([test_set[i][0] for i in range(rows * cols)])
    with xgrad.no_grad(), xgrad.test_mode():
        scores = model(xgrad.asarray(images, device=args.device))
    predicted = numpy(scores).argmax(axis=1)
    side = test_set.data.shape[-1]
    axes = right.subplots(rows, cols)
    for i, ax in enumerate(axes.flat):
        ax.imshow(test_set.data[i].reshape(side, side), cmap="gray_r")
        right_answer = predicted[i] == test_set.label[i]
        ax.set_title(str(predicted[i]), color="black" if right_answer else "red")
        ax.axis("off")
    right.suptitle("test images and predicted digits (red: wrong)")
    save(fig, args.out / f"mnist_{args.model}.png")


if __name__ == "__main__":
    main()
