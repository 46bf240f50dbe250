"""Newton's method with second derivatives from xgrad, against gradient descent.

    python examples/newton.py                      # NumPy on the CPU
    python examples/newton.py --device torch:cpu   # the same code on PyTorch

First the book's f(x) = x^4 - 2x^2 from x = 2 (steps 29 and 33): Newton's
method, x <- x - f'(x) / f''(x) with f'' from backward(create_graph=True),
reaches the minimum x = 1 in seven steps, where gradient descent takes over a
hundred. Then the Rosenbrock function f(x0, x1) = 100 (x1 - x0^2)^2 + (x0 - 1)^2
from (0, 2): gradient descent crawls along its curved valley for thousands of
steps; Newton's method, with the 2x2 Hessian from xgrad.hessian, gets to the
minimum (1, 1) in a handful. Writes newton.png.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from _common import Clock, make_parser, numpy, parse, pyplot, save

import xgrad
from xgrad import Variable
from xgrad.progress import progress


def f(x: Variable) -> Variable:
    return x**4 - 2 * x**2


def newton_1d(device: xgrad.Device, iters: int) -> list[float]:
    """The book's step 33: f'' by differentiating f' again."""
    x = Variable(xgrad.asarray(2.0, device=device))
    path = [float(x.data)]
    for i in range(iters):
        y = f(x)
        x.cleargrad()
        y.backward(create_graph=True)  # x.grad is a Variable on a graph
        gx = x.grad
        x.cleargrad()
        gx.backward()  # x.grad = f''(x)
        gx2 = x.grad
        x.data = x.data - gx.data / gx2.data
        path.append(float(x.data))
        print(f"  step {i + 1}: x = {path[-1]:.16f}")
    return path


def gradient_descent_1d(device: xgrad.Device, lr: float, tol: float) -> list[float]:
    """Plain gradient descent on the same f, until x is within ``tol`` of 1."""
    x = Variable(xgrad.asarray(2.0, device=device))
    path = [float(x.data)]
    while abs(path[-1] - 1.0) > tol and len(path) < 10_000:
        y = f(x)
        x.cleargrad()
        y.backward()
        x.data = x.data - lr * x.grad.data
        path.append(float(x.data))
    return path


def rosenbrock(x: Variable) -> Variable:
    x0, x1 = x[0], x[1]
    return 100 * (x1 - x0**2) ** 2 + (x0 - 1) ** 2


def gradient_descent_2d(device: xgrad.Device, iters: int, lr: float) -> np.ndarray:
    x = Variable(xgrad.asarray([0.0, 2.0], device=device))
    path = [numpy(x)]
    bar = progress(range(iters), desc="gradient descent")
    for i in bar:
        y = rosenbrock(x)
        x.cleargrad()
        y.backward()
        x.data = x.data - lr * x.grad.data
        if i % 100 == 0:
            bar.set_postfix(f=float(y.data))
        path.append(numpy(x))
    return np.array(path)


def newton_2d(device: xgrad.Device, iters: int) -> np.ndarray:
    """x <- x - H^-1 g, with g and H by xgrad.grad and xgrad.hessian.

    Stops after ``iters`` steps, or earlier once a step is below 1e-12.
    """
    x = xgrad.asarray([0.0, 2.0], device=device)
    grad, hessian = xgrad.grad(rosenbrock), xgrad.hessian(rosenbrock)
    path = [numpy(x)]
    for i in range(iters):
        g, h = numpy(grad(x)), numpy(hessian(x))
        step = np.linalg.solve(h, g)  # a 2x2 system: solved on the host
        x = x - xgrad.asarray(step, dtype=x.dtype, device=device)
        path.append(numpy(x))
        value = float(numpy(rosenbrock(Variable(x)).data))
        print(f"  step {i + 1}: x = ({path[-1][0]:.6f}, {path[-1][1]:.6f})", end="")
        print(f"  f = {value:.3e}")
        if np.abs(step).max() < 1e-12:
            break
    return np.array(path)


def plot(plt: Any, out: Any, paths: dict[str, Any]) -> None:
    fig, (ax0, ax1) = plt.subplots(1, 2, figsize=(11, 4.5))
    xs = np.linspace(-1.6, 2.1, 300)
    ax0.plot(xs, xs**4 - 2 * xs**2, color="black", linewidth=1)
    gd = np.array(paths["gd_1d"])
    ax0.plot(
        gd,
        gd**4 - 2 * gd**2,
        ".",
        color="tab:orange",
        markersize=5,
        label=f"gradient descent: {len(gd) - 1} steps",
    )
    nt = np.array(paths["newton_1d"])
    ax0.plot(
        nt,
        nt**4 - 2 * nt**2,
        "o",
        color="tab:blue",
        markersize=7,
        label=f"Newton: {len(nt) - 1} steps",
    )
    ax0.set(xlabel="x", ylabel="f(x)", ylim=(-1.5, 8.5), title="f(x) = x⁴ - 2x²")
    ax0.legend()

    g0, g1 = np.meshgrid(np.linspace(-1.5, 2.0, 300), np.linspace(-0.5, 3.0, 300))
    z = 100 * (g1 - g0**2) ** 2 + (g0 - 1) ** 2
    ax1.contour(g0, g1, np.log10(z + 1e-3), levels=20, cmap="viridis", linewidths=0.7)
    gd, nt = paths["gd_2d"], paths["newton_2d"]
    ax1.plot(
        gd[:, 0],
        gd[:, 1],
        color="tab:orange",
        linewidth=2,
        label=f"gradient descent: {len(gd) - 1} steps",
    )
    ax1.plot(
        nt[:, 0], nt[:, 1], "o-", color="tab:blue", label=f"Newton: {len(nt) - 1} steps"
    )
    ax1.plot([1], [1], "*", color="red", markersize=14, label="minimum (1, 1)")
    ax1.set(xlabel="x0", ylabel="x1", title="Rosenbrock from (0, 2)")
    ax1.legend(loc="upper left")
    save(fig, out / "newton.png")


def main() -> None:
    parser = make_parser(__doc__)
    parser.add_argument(
        "--iters", type=int, default=10_000, help="gradient-descent steps on Rosenbrock"
    )
    parser.add_argument(
        "--lr", type=float, default=0.001, help="the learning rate of those steps"
    )
    args = parse(parser)
    clock = Clock()
    paths: dict[str, Any] = {}

    print(f"f(x) = x^4 - 2x^2 from x = 2, Newton's method on {args.device}:")
    paths["newton_1d"] = newton_1d(args.device, iters=7)
    paths["gd_1d"] = gradient_descent_1d(args.device, lr=0.01, tol=1e-6)
    print(f"  gradient descent (lr 0.01) needs {len(paths['gd_1d']) - 1} steps")

    print(f"Rosenbrock from (0, 2), {args.iters} gradient steps (lr {args.lr}):")
    start = Clock()
    paths["gd_2d"] = gradient_descent_2d(args.device, args.iters, args.lr)
    x0, x1 = paths["gd_2d"][-1]
    print(f"  gradient descent -> ({x0:.6f}, {x1:.6f}) in {start}")
    print("Newton's method with xgrad.hessian:")
    paths["newton_2d"] = newton_2d(args.device, iters=20)
    x0, x1 = paths["newton_2d"][-1]
    print(f"  Newton -> ({x0:.6f}, {x1:.6f}); the minimum is (1, 1)")

    plt = pyplot()
    if plt is not None:
        plot(plt, args.out, paths)
    print(f"done on {args.device} in {clock}")


if __name__ == "__main__":
    main()
