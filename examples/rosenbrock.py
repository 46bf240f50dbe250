"""Minimise the Rosenbrock function with gradient descent, then with Newton's method.

    python examples/rosenbrock.py                      # NumPy on the CPU
    python examples/rosenbrock.py --device torch:cpu   # the same code on PyTorch

The minimum is at (1, 1). Gradient descent crawls along the curved valley;
Newton's method, with the Hessian from xgrad's second derivatives, gets there
in a handful of steps.
"""

from __future__ import annotations

import argparse
import time

import xgrad
from xgrad import Variable


def rosenbrock(x0: Variable, x1: Variable) -> Variable:
    return 100 * (x1 - x0**2) ** 2 + (x0 - 1) ** 2


def gradient_descent(device: str, iters: int, lr: float) -> tuple[float, float]:
    x0 = Variable(xgrad.asarray(0.0, device=device))
    x1 = Variable(xgrad.asarray(2.0, device=device))
    for i in range(iters):
        y = rosenbrock(x0, x1)
        x0.cleargrad()
        x1.cleargrad()
        y.backward()
        with xgrad.no_grad():
            x0.data = x0.data - lr * x0.grad.data
            x1.data = x1.data - lr * x1.grad.data
        if i % (iters // 5) == 0:
            print(f"  step {i:6d}  f = {float(y.data):.6f}")
    return float(x0.data), float(x1.data)


def newton(device: str, iters: int) -> tuple[float, float]:
    """Newton's method with the exact 2x2 Hessian from double backprop."""
    x = [Variable(xgrad.asarray(v, device=device)) for v in (0.0, 2.0)]
    for i in range(iters):
        y = rosenbrock(*x)
        for v in x:
            v.cleargrad()
        y.backward(create_graph=True)
        grads = [v.grad for v in x]
        hessian = []
        for g in grads:  # one backward pass per row of the Hessian
            for v in x:
                v.cleargrad()
            g.backward()
            hessian.append([float(v.grad.data) for v in x])
        g0, g1 = (float(g.data) for g in grads)
        (a, b), (c, d) = hessian
        det = a * d - b * c
        step = ((d * g0 - b * g1) / det, (a * g1 - c * g0) / det)
        with xgrad.no_grad():
            for v, s in zip(x, step, strict=True):
                v.data = v.data - s
        print(
            f"  step {i}  f = {float(y.data):.3e}  x = "
            f"({float(x[0].data):.6f}, {float(x[1].data):.6f})"
        )
    return float(x[0].data), float(x[1].data)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="numpy", help="e.g. numpy, torch:cpu, cupy")
    parser.add_argument("--iters", type=int, default=10_000, help="gradient steps")
    parser.add_argument("--lr", type=float, default=0.001)
    args = parser.parse_args()

    print(f"Gradient descent on {args.device}, {args.iters} steps:")
    start = time.perf_counter()
    x0, x1 = gradient_descent(args.device, args.iters, args.lr)
    print(f"  -> ({x0:.6f}, {x1:.6f}) in {time.perf_counter() - start:.2f} s")

    print("Newton's method with automatic second derivatives:")
    x0, x1 = newton(args.device, iters=7)
    print(f"  -> ({x0:.6f}, {x1:.6f}); the minimum is (1, 1)")


if __name__ == "__main__":
    main()
