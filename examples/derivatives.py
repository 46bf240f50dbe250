"""Derivatives three ways, then derivatives of derivatives.

    python examples/derivatives.py                      # NumPy on the CPU
    python examples/derivatives.py --device torch:cpu   # the same on PyTorch

First the book's opening example, y = square(exp(square(x))) = exp(2 x^2), on
linspace(-1, 1): its derivative by central differences (the numerical
derivative of the book's step 4), by backpropagation, and from the closed
form 4 x exp(2 x^2). Then the 1st to 4th derivatives of tanh, each computed by
nesting xgrad.grad one level deeper and checked against its closed form.
Writes derivatives.png and tanh.png.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from _common import Clock, make_parser, numpy, parse, pyplot, save

import xgrad
import xgrad.functions as F
from xgrad import Variable


def f(x: Variable) -> Variable:
    return F.square(F.exp(F.square(x)))


def numerical_diff(f: Callable, x: Any, eps: float = 1e-4) -> Any:
    """(f(x + eps) - f(x - eps)) / 2 eps, elementwise: the book's step 4."""
    y0 = f(Variable(x - eps))
    y1 = f(Variable(x + eps))
    return (y1.data - y0.data) / (2 * eps)


def derivative(fn: Callable) -> Callable:
    """``fn'`` for an elementwise ``fn``: the gradient of ``sum(fn(x))``.

    ``xgrad.grad`` of a function that itself calls ``xgrad.grad`` records
    the inner backward pass, so this nests to any order.
    """
    return xgrad.grad(lambda x: F.sum(fn(x)))


def tanh_closed_forms(t: np.ndarray) -> list[np.ndarray]:
    """tanh and its first four derivatives, written with t = tanh(x)."""
    s = 1 - t**2  # tanh' = 1 - tanh^2
    return [t, s, -2 * t * s, -2 * s * (1 - 3 * t**2), 8 * t * s * (2 - 3 * t**2)]


def seed_example(device: xgrad.Device, points: int, out: Any, plt: Any) -> None:
    xs = xgrad.asarray(np.linspace(-1.0, 1.0, points), device=device)
    x = Variable(xs)
    y = f(x)
    y.backward()  # y is elementwise, so x.grad[i] = dy[i]/dx[i]
    backprop = numpy(x.grad)
    numerical = numpy(numerical_diff(f, xs))
    x_np = numpy(xs)
    closed = 4 * x_np * np.exp(2 * x_np**2)  # d/dx exp(2x^2)
    print(f"y = square(exp(square(x))) at {points} points of [-1, 1], {x.dtype}")
    for name, values in (("backprop", backprop), ("central diff", numerical)):
        label = f"max |{name} - closed form|"
        print(f"  {label:32} = {np.abs(values - closed).max():.1e}")
    if plt is None:
        return
    fig, (ax0, ax1) = plt.subplots(1, 2, figsize=(10, 4))
    ax0.plot(x_np, numpy(y), label="y = exp(2x²)", color="black")
    ax0.plot(x_np, backprop, label="dy/dx by backprop", linewidth=2)
    ax0.plot(x_np, numerical, "o", markersize=4, label="dy/dx by central differences")
    ax0.set(xlabel="x", title="square(exp(square(x))) and its derivative")
    ax0.legend()
    ax1.semilogy(x_np, np.abs(backprop - closed) + 1e-17, label="backprop")
    ax1.semilogy(x_np, np.abs(numerical - closed) + 1e-17, label="central differences")
    ax1.set(xlabel="x", ylabel="|error| vs 4x·exp(2x²)", title="error of each method")
    ax1.legend()
    save(fig, out / "derivatives.png")


def tanh_example(device: xgrad.Device, points: int, out: Any, plt: Any) -> None:
    xs = xgrad.asarray(np.linspace(-4.0, 4.0, points), device=device)
    fns = [F.tanh]
    for _ in range(4):
        fns.append(derivative(fns[-1]))
    x_np = numpy(xs)
    closed = tanh_closed_forms(np.tanh(x_np))
    curves = []
    print(f"tanh and its derivatives at {points} points of [-4, 4]")
    for order, (fn, want) in enumerate(zip(fns, closed, strict=True)):
        clock = Clock()
        got = numpy(fn(xs))
        err, ms = np.abs(got - want).max(), clock.seconds * 1e3
        print(f"  order {order}: max |xgrad - closed form| = {err:.1e}  ({ms:.1f} ms)")
        curves.append(got)
    if plt is None:
        return
    fig, ax = plt.subplots(figsize=(7, 4.5))
    names = ["tanh(x)", "1st derivative", "2nd", "3rd", "4th"]
    for order, (got, name) in enumerate(zip(curves, names, strict=True)):
        ax.plot(x_np, got, label=name, linewidth=2.5 if order == 0 else 1.5)
    ax.set(xlabel="x", title="tanh and its derivatives by nested xgrad.grad")
    ax.axhline(0, color="gray", linewidth=0.5)
    ax.legend()
    save(fig, out / "tanh.png")


def main() -> None:
    parser = make_parser(__doc__)
    parser.add_argument("--points", type=int, default=50, help="points on [-1, 1]")
    args = parse(parser)
    clock = Clock()
    plt = pyplot()
    seed_example(args.device, args.points, args.out, plt)
    tanh_example(args.device, 4 * args.points, args.out, plt)
    print(f"done on {args.device} in {clock}")


if __name__ == "__main__":
    main()
