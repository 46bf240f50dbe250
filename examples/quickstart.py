"""xgrad in a few seconds: a neural network learns to tell three spiral arms apart.

    python examples/quickstart.py                       # NumPy on the CPU
    python examples/quickstart.py --device torch:cpu    # the same code on PyTorch
    python examples/quickstart.py --device gpu          # CuPy on an NVIDIA GPU
    python examples/quickstart.py --jit                 # the step recorded, replayed

The book's spiral: 300 points on three interleaved arms, which no straight
line separates. A multi-layer perceptron (2 -> 64 -> 64 -> 3, tanh) learns
them with Adam, the whole training set in each step; every step is a forward
pass that records the graph, one backward pass through it, and an update.
It prints the loss and training accuracy as it goes, then the accuracy on
the test spiral (other noise), and draws the class the network gives to
every point of the plane: quickstart.png. With --jit the training step runs
under ``xgrad.jit``: recorded once, then replayed as the array calls it
makes, with the same numbers; the last line gives the time per step.
"""

from __future__ import annotations

from _common import Clock, make_parser, numpy, parse, plot_boundary, pyplot, save

import xgrad
import xgrad.functions as F
from xgrad import optimizers
from xgrad.datasets import Spiral
from xgrad.models import MLP


def main() -> None:
    parser = make_parser(__doc__, epochs=500, jit=True)
    parser.add_argument("--lr", type=float, default=0.01, help="Adam's alpha")
    args = parse(parser)
    clock = Clock()

    train, test = Spiral(train=True), Spiral(train=False)
    x = xgrad.asarray(train.data, device=args.device)  # (300, 2) float32
    t = train.label  # (300,) class indices; NumPy labels serve any device

    xgrad.manual_seed(0)
    model = MLP((64, 64, 3), activation=F.tanh)  # weights made at the first call
    optimizer = optimizers.Adam(alpha=args.lr).setup(model)

    def train_step(x, t):
        y = model(x)
        loss = F.softmax_cross_entropy(y, t)
        model.cleargrads()
        loss.backward()
        optimizer.update()
        return loss, F.accuracy(y, t)  # of the forward pass, before the update

    step = xgrad.jit(train_step) if args.jit else train_step
    mode = " (xgrad.jit)" if args.jit else ""
    print(
        f"training a 2-64-64-3 MLP on {len(train)} spiral points on {args.device}{mode}"
    )
    every = max(1, args.epochs // 10)
    training = Clock()
    for epoch in range(1, args.epochs + 1):
        loss, acc = step(x, t)
        if epoch % every == 0 or epoch == args.epochs:
            print(
                f"epoch {epoch:4d}  loss {float(loss.data):.4f}  "
                f"accuracy {float(acc.data):.3f}  {clock}"
            )

    per_step = training.seconds / args.epochs * 1e3
    print(f"{args.epochs} training steps, {per_step:.2f} ms per step{mode}")
    with xgrad.no_grad(), xgrad.test_mode():
        y = model(xgrad.asarray(test.data, device=args.device))
        test_acc = float(F.accuracy(y, test.label).data)
    n_params = sum(p.size for p in model.params())
    print(f"test accuracy {test_acc:.3f} ({n_params} parameters, on {model.device})")

    plt = pyplot()
    if plt is not None:
        fig, ax = plt.subplots(figsize=(5.5, 5.5))
        plot_boundary(ax, model, numpy(x), t, args.device)
        ax.set_title(
            f"Points: the {len(train)} training points of the book's spiral, by class\n"
            f"Background: the MLP's class (test accuracy {test_acc:.3f} on {args.device})",
            fontsize=10,
        )
        ax.legend(loc="lower right")
        save(fig, args.out / "quickstart.png")
    print(f"done in {clock}")


if __name__ == "__main__":
    main()
