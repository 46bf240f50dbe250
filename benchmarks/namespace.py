"""The cost of a call through xgrad's array-API namespace against the same op
through ``xgrad.functions``.

What
----
Chains of ``--ops`` (default 500) calls of one op on a shape-(1,) float64
Variable that needs a gradient, forward and backward, written once with the
namespace (``xp = x.__array_namespace__()``: ``xp.exp``, ``xp.add``,
``xp.sum``) and once with ``xgrad.functions`` (``F.exp``, ``F.add``,
``F.sum``). On one element the arithmetic costs next to nothing, so the ratio
is what the namespace adds: its check for a Variable on the tape and, for
``sum``, the standard's keywords. Target: at most 1.2x.

How
---
Each round runs both chains, in alternating order (``alternate.py``); the
ratio is the median of the per-round ratios, the times are medians.

Run: ``python benchmarks/namespace.py [--ops N] [--repeats R]``.
"""

from __future__ import annotations

import argparse
import gc

import numpy as np
from alternate import alternate

import xgrad
import xgrad.functions as F

TARGET = 1.2


class Chain:
    """``ops`` calls of ``op`` from a fresh leaf, then backward."""

    def __init__(self, op, ops: int) -> None:
        self.op, self.ops = op, ops

    def step(self) -> None:
        x = xgrad.Variable(np.array([0.5]))
        y = x
        for _ in range(self.ops):
            y = self.op(y)
        y.backward()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ops", type=int, default=500)
    parser.add_argument("--repeats", type=int, default=31)
    args = parser.parse_args()
    xp = xgrad.Variable(np.zeros(1)).__array_namespace__()
    pairs = {
        "exp": (lambda y: xp.exp(y * 0.001), lambda y: F.exp(y * 0.001)),
        "add": (lambda y: xp.add(y, y), lambda y: F.add(y, y)),
        "sum": (lambda y: xp.sum(y, axis=0, keepdims=True),
                lambda y: F.sum(y, axis=0, keepdims=True)),
    }  # fmt: skip
    gc.disable()
    worst = 0.0
    for name, (ours, theirs) in pairs.items():
        steps = {
            "namespace": Chain(ours, args.ops),
            "functions": Chain(theirs, args.ops),
        }
        for chain in steps.values():
            chain.step()  # warm-up
        found = alternate(steps, "namespace", "functions", args.repeats)
        worst = max(worst, found["ratio"])
        ms = found["ms"]
        print(
            f"{name:4s} namespace {ms['namespace'] / args.ops * 1e3:6.2f} us/op, "
            f"functions {ms['functions'] / args.ops * 1e3:6.2f} us/op, "
            f"ratio {found['ratio']:.3f}"
        )
    verdict = "MET" if worst <= TARGET else "NOT MET"
    print(f"worst ratio {worst:.3f}  target <= {TARGET}: {verdict}")


if __name__ == "__main__":
    main()
