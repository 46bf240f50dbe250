"""xgrad.jit against eager xgrad, eager PyTorch and hand-written NumPy (CPU).

What
----
Three measurements, each a set of contestants timed side by side in one
process, in orders that change round by round (``alternate.orders``), repeated in
``--processes`` fresh processes; a ratio is the median over processes of
each process's median per-round ratio, as ``mlp.py`` reports.

* ``chain``: ``--ops`` (1,000) ``tanh`` ops on one float64 element, forward
  and backward (``overhead.py``'s chain): jitted xgrad, eager xgrad, eager
  PyTorch and the same chain written by hand in NumPy (the floor). Target:
  jitted xgrad at most 0.5x eager PyTorch.
* ``derivative``: the 4th derivative of tanh on 1,000 elements by nested
  ``xgrad.grad``, jitted, against ``torch.autograd.grad`` (create_graph).
  Target: at most 0.7x.
* ``memory``: the peak memory above the state (tracemalloc, the state's own
  arrays traced) of a replayed MLP training step (``mlp.py``'s network)
  against the eager step's. Target: at most 1x: a replay holds no graph,
  frees each array after its last use and lets last step's gradients go
  before its first call (or writes the new ones into them).

The MLP step itself (jitted xgrad against the hand-written NumPy step and
against eager PyTorch) is ``python benchmarks/mlp.py --jit``.

How to run
----------
::

    python benchmarks/jit.py                 # 5 processes, 21 rounds each
    python benchmarks/jit.py --processes 9 --repeats 31
"""

from __future__ import annotations

import argparse
import gc
import json
import statistics
import sys
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from alternate import alternate, in_child
from mlp import XgradStep, data, peak_extra

import xgrad
import xgrad.functions as F

START = 0.5


class Step:
    """A contestant: ``step()`` runs it once and returns its result."""

    def __init__(self, run: Any) -> None:
        self.step = run


def chain_contestants(n: int) -> dict[str, Step]:
    def xgrad_chain(x: Any) -> tuple[Any, Any]:
        leaf = xgrad.Variable(x)
        y = leaf
        for _ in range(n):
            y = F.tanh(y)
        y.backward()
        return y, leaf.grad

    def numpy_chain(x: np.ndarray) -> tuple[Any, Any]:
        ys, y = [], x
        for _ in range(n):
            y = np.tanh(y)
            ys.append(y)
        g = np.ones_like(x)
        for y in reversed(ys):
            g = g * (1 - y * y)
        return ys[-1], g

    x = np.array([START])
    jitted = xgrad.jit(xgrad_chain)
    steps = {
        "xgrad jit": Step(lambda: jitted(x)),
        "xgrad": Step(lambda: xgrad_chain(x)),
        "numpy": Step(lambda: numpy_chain(x)),
    }
    try:
        import torch
    except ImportError:
        return steps
    torch.set_num_threads(1)

    def torch_chain() -> tuple[Any, Any]:
        leaf = torch.tensor([START], dtype=torch.float64, requires_grad=True)
        y = leaf
        for _ in range(n):
            y = torch.tanh(y)
        y.backward()
        return y, leaf.grad

    steps["torch"] = Step(torch_chain)
    return steps


def derivative_contestants() -> dict[str, Step]:
    import torch

    def fourth(f: Any) -> Any:
        for _ in range(4):
            f = xgrad.grad(lambda x, f=f: F.sum(f(x)))
        return f

    x = np.linspace(-2.0, 2.0, 1000)
    jitted = xgrad.jit(fourth(F.tanh))
    tx = torch.from_numpy(x)

    def torch_fourth() -> Any:
        leaf = tx.detach().requires_grad_(True)
        y = torch.tanh(leaf)
        for j in range(4):
            (y,) = torch.autograd.grad(y.sum(), leaf, create_graph=j < 3)
        return y

    return {"xgrad jit": Step(lambda: jitted(x)), "torch": Step(torch_fourth)}


def agree(steps: dict[str, Step]) -> bool:
    """Whether every contestant computes the same numbers (rtol 1e-10)."""
    results = [
        np.asarray(xgrad.cuda.as_numpy(_first(s.step()))) for s in steps.values()
    ]
    return all(np.allclose(r, results[0], rtol=1e-10) for r in results)


def _first(result: Any) -> Any:
    out = result[-1] if isinstance(result, tuple) else result
    return out.detach().numpy() if hasattr(out, "detach") else out


def child(kind: str, repeats: int, ops: int) -> dict[str, Any]:
    steps = chain_contestants(ops) if kind == "chain" else derivative_contestants()
    for _ in range(3):  # warm-up: eager, record, replay
        for s in steps.values():
            s.step()
    gc.disable()
    result = alternate(
        steps, "xgrad jit", "torch" if "torch" in steps else "numpy", repeats
    )
    gc.enable()
    return {**result, "agree": agree(steps)}


def run_child(kind: str, repeats: int, ops: int) -> dict[str, Any]:
    flags = ["--child", kind, "--repeats", str(repeats), "--ops", str(ops)]
    return in_child(__file__, *flags)


def memory() -> tuple[int, int]:
    """Peak bytes above the state of one eager and one replayed MLP step (NumPy)."""
    x, t = data()
    return (
        peak_extra(lambda: XgradStep(x.copy(), t, "numpy").step),
        peak_extra(lambda: XgradStep(x.copy(), t, "numpy", True).step),
    )


def report(
    kind: str, runs: list[dict[str, Any]], ops: int, targets: dict[str, float]
) -> None:
    names = list(runs[0]["ms"])
    for name in names:
        ms = statistics.median(run["ms"][name] for run in runs)
        per_op = f"  ({ms * 1e3 / ops:.2f} us/op)" if kind == "chain" else ""
        print(f"  {name:10s} {ms:9.3f} ms{per_op}")
    for name, target in targets.items():
        if name not in names:
            continue
        ratios = [run["ratios"]["xgrad jit"] / run["ratios"][name] for run in runs]
        ratio = statistics.median(ratios)
        verdict = (
            f"  target <= {target}: {'MET' if ratio <= target else 'NOT MET'}"
            if target
            else ""
        )
        print(
            f"  xgrad jit / {name}: {ratio:.3f} (per process: "
            f"{' '.join(f'{r:.3f}' for r in ratios)}){verdict}"
        )
    print(f"  results agree: {all(run['agree'] for run in runs)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=21, help="rounds per process")
    parser.add_argument("--processes", type=int, default=5)
    parser.add_argument("--ops", type=int, default=1000, help="ops in the chain")
    parser.add_argument(
        "--child", choices=["chain", "derivative"], help=argparse.SUPPRESS
    )
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.repeats, args.ops)))
        return
    print(
        f"xgrad.jit; median of {args.repeats} rounds in each of {args.processes} processes"
    )
    print(f"chain of {args.ops} tanh ops, forward and backward, one float64 element:")
    runs = [run_child("chain", args.repeats, args.ops) for _ in range(args.processes)]
    report("chain", runs, args.ops, {"torch": 0.5, "xgrad": 0.0, "numpy": 0.0})
    try:
        import torch  # noqa: F401
    except ImportError:
        print("4th derivative of tanh: skipped (PyTorch not installed)")
    else:
        print("4th derivative of tanh on 1,000 elements, nested grad:")
        runs = [run_child("derivative", args.repeats, 1) for _ in range(args.processes)]
        report("derivative", runs, 1, {"torch": 0.7})
    eager, replayed = memory()
    ratio = replayed / eager
    print(
        f"memory of one MLP step: eager {eager / 2**20:.1f} MB, replayed "
        f"{replayed / 2**20:.1f} MB, ratio {ratio:.2f}  target <= 1: "
        f"{'MET' if ratio <= 1 else 'NOT MET'}"
    )


if __name__ == "__main__":
    main()
