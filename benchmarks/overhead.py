"""Per-op Python overhead of xgrad against DeZero 0.0.13 and PyTorch (CPU).

What
----
Times a chain of ``--ops`` (default 1,000) elementwise ops on a shape-(1,)
float64 array, forward and backward, and reports microseconds per op. On one
element the arithmetic itself costs next to nothing, so the figures measure
what the framework adds around each op: building Variables and graph nodes,
dispatching to the array library, and walking the graph backward.

The chain is ``y = tanh(y)`` repeated, starting from ``x = [0.5]``
(``--op sin`` or ``--op cos`` chain those instead):

* it is numerically safe over any number of steps: iterated tanh contracts
  towards 0 without overflow or underflow (after 1,000 steps y ~ 0.04), and
  the gradient stays a normal float64;
* tanh is the activation of the book's recurrent networks. DeZero writes its
  backward as ``gy * (1 - y * y)``, three Functions (Mul, the reflected Sub
  of a Python scalar, Mul); xgrad computes the same formula as one op,
  ``TanhGrad``, whose own backward gives the higher derivatives; PyTorch runs
  one C++ autograd node per op. ``sin`` is two Functions in both xgrad and
  DeZero (``cos`` and Mul), a like-for-like comparison of the machinery.

The three frameworks run side by side in one process. Each repeat round runs
all of them once, in an order rotated from round to round, so machine noise
(two shared cores here) reaches them equally. Every timed run builds a fresh
graph from a leaf whose gradient was cleared; the graph of the previous run
is freed before the clock starts. Garbage collection is off inside the timed
sections (``gc.collect()`` runs between them) unless ``--gc`` is given: none
of the three makes reference cycles in this chain, so the collector would
only add noise.

Reported figures are medians over the repeats, after warm-up runs. The
ratios xgrad/DeZero and xgrad/PyTorch are medians of the per-round ratios of
total (forward + backward) time: each ratio compares runs made moments apart.
The ratio of the medians is printed beside them. Targets: xgrad at most
0.6 x DeZero and at most 1.5 x PyTorch.

The final value and the gradient of ``x`` are compared across the frameworks
(relative tolerance 1e-10) and the script says whether they agree.

DeZero 0.0.13 uses ``numpy.int``, removed in NumPy 2, so ``numpy.int = int``
is set before ``import dezero`` when it is missing; ``dezero.datasets`` also
imports matplotlib and ``dezero.transforms`` imports PIL at import time, so
when either is not installed an empty stub stands in for it during that
import only (the chain uses neither). A framework that is not installed is
skipped with a one-line message.

``OPENBLAS_CORETYPE``, when set, is printed in the header (it can slow NumPy);
the script does not change it.

How to run
----------
From the repository root::

    python benchmarks/overhead.py
    python benchmarks/overhead.py --ops 1000 --repeats 31 --json overhead.json
    python benchmarks/overhead.py --profile   # also cProfile xgrad's chain

Exit status is 0 whether or not the targets are met; 2 if the results of the
frameworks disagree.
"""

from __future__ import annotations

import argparse
import gc
import importlib
import importlib.metadata
import json
import math
import os
import platform
import statistics
import sys
import time
import types
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
START = 0.5
RTOL = 1e-10
TARGET_DEZERO = 0.6
TARGET_TORCH = 1.5


@dataclass
class Framework:
    """One framework under test: how to make a leaf, run the chain, read results."""

    name: str
    version: str
    leaf: Callable[[], Any]
    forward: Callable[[Any, int], Any]
    backward: Callable[[Any], None]
    value: Callable[[Any], float]
    grad: Callable[[Any], float]
    cleargrad: Callable[[Any], None]
    fwd: list[float] = field(default_factory=list)
    bwd: list[float] = field(default_factory=list)
    total: list[float] = field(default_factory=list)


# -- the frameworks -------------------------------------------------------------
def chain(op_fn: Callable[[Any], Any]) -> Callable[[Any, int], Any]:
    """``forward(x, n)``: apply ``op_fn`` n times, the same loop for every framework."""

    def forward(x: Any, n: int) -> Any:
        y = x
        for _ in range(n):
            y = op_fn(y)
        return y

    return forward


def load_xgrad(op: str) -> Framework:
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))  # run from a checkout without installing
    xgrad = importlib.import_module("xgrad")
    F = importlib.import_module("xgrad.functions")
    op_fn = getattr(F, op)

    forward = chain(op_fn)

    return Framework(
        name="xgrad",
        version=xgrad.__version__,
        leaf=lambda: xgrad.Variable(np.array([START])),
        forward=forward,
        backward=lambda y: y.backward(),
        value=lambda y: float(y.data[0]),
        grad=lambda x: float(x.grad.data[0]),
        cleargrad=lambda x: x.cleargrad(),
    )


# Modules that DeZero 0.0.13 imports at import time but that the chain never
# uses (plotting in dezero.datasets, image transforms in dezero.transforms).
_DEZERO_STUBS = {"matplotlib.pyplot": ("matplotlib",), "PIL.Image": ("PIL",)}


class _Stub(types.ModuleType):
    """An empty module whose every public attribute is None (``Image.BILINEAR``)."""

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        return None


def _import_dezero() -> types.ModuleType:
    if not hasattr(np, "int"):
        setattr(np, "int", int)  # noqa: B010  (DeZero 0.0.13 on NumPy 2)
    stubbed: list[str] = []
    for module, parents in _DEZERO_STUBS.items():
        try:
            importlib.import_module(module)
        except ImportError:
            for name in (*parents, module):
                if name not in sys.modules:
                    sys.modules[name] = _Stub(name)
                    stubbed.append(name)
            parent, _, child = module.rpartition(".")
            setattr(sys.modules[parent], child, sys.modules[module])
    try:
        return importlib.import_module("dezero")
    finally:
        for name in stubbed:  # leave no stub behind for other code
            del sys.modules[name]


def load_dezero(op: str) -> Framework:
    dezero = _import_dezero()
    op_fn = getattr(importlib.import_module("dezero.functions"), op)

    forward = chain(op_fn)

    try:
        ver = importlib.metadata.version("dezero")
    except importlib.metadata.PackageNotFoundError:
        ver = getattr(dezero, "__version__", "?")
    return Framework(
        name="DeZero",
        version=ver,
        leaf=lambda: dezero.Variable(np.array([START])),
        forward=forward,
        backward=lambda y: y.backward(),
        value=lambda y: float(y.data[0]),
        grad=lambda x: float(x.grad.data[0]),
        cleargrad=lambda x: x.cleargrad(),
    )


def load_torch(op: str) -> Framework:
    torch = importlib.import_module("torch")
    op_fn = getattr(torch, op)

    forward = chain(op_fn)

    def clear(x: Any) -> None:
        x.grad = None

    return Framework(
        name="PyTorch",
        version=f"{torch.__version__} ({torch.get_num_threads()} threads)",
        leaf=lambda: torch.tensor([START], dtype=torch.float64, requires_grad=True),
        forward=forward,
        backward=lambda y: y.backward(torch.ones_like(y)),
        value=lambda y: float(y.detach()[0]),
        grad=lambda x: float(x.grad[0]),
        cleargrad=clear,
    )


OPS = ["tanh", "sin", "cos"]  # safe to iterate: they contract, never overflow
LOADERS = {"xgrad": load_xgrad, "dezero": load_dezero, "torch": load_torch}


def load(names: list[str], op: str) -> list[Framework]:
    frameworks = []
    for name in names:
        try:
            frameworks.append(LOADERS[name](op))
        except (ImportError, AttributeError) as exc:
            print(f"{name}: skipped ({type(exc).__name__}: {exc})")
    return frameworks


# -- timing ---------------------------------------------------------------------
def run_once(fw: Framework, x: Any, n: int, collect: bool) -> tuple[float, ...]:
    """One timed forward + backward on a fresh graph; returns seconds."""
    fw.cleargrad(x)
    if not collect:
        gc.collect()
        gc.disable()
    try:
        t0 = time.perf_counter()
        y = fw.forward(x, n)
        t1 = time.perf_counter()
        fw.backward(y)
        t2 = time.perf_counter()
    finally:
        gc.enable()
    del y  # frees the graph, outside the clock
    return t1 - t0, t2 - t1, t2 - t0


def measure(
    frameworks: list[Framework], n: int, repeats: int, warmup: int, collect: bool
) -> None:
    leaves = [fw.leaf() for fw in frameworks]
    k = len(frameworks)
    for r in range(-warmup, repeats):
        for j in range(k):  # rotate the order, so that no one always runs first
            i = (j + r) % k
            fw = frameworks[i]
            fwd, bwd, total = run_once(fw, leaves[i], n, collect)
            if r >= 0:
                fw.fwd.append(fwd / n * 1e6)
                fw.bwd.append(bwd / n * 1e6)
                fw.total.append(total / n * 1e6)


def check(frameworks: list[Framework], n: int) -> tuple[bool, list[str]]:
    """Run the chain once more untimed; compare final value and gradient."""
    results = []
    for fw in frameworks:
        x = fw.leaf()
        y = fw.forward(x, n)
        fw.backward(y)
        results.append((fw.name, fw.value(y), fw.grad(x)))
    lines = [f"  {name:<8} y = {v:.17g}   dy/dx = {g:.17g}" for name, v, g in results]
    _, v0, g0 = results[0]
    ok = all(
        math.isclose(v, v0, rel_tol=RTOL) and math.isclose(g, g0, rel_tol=RTOL)
        for _, v, g in results[1:]
    )
    return ok, lines


def paired_ratio(a: Framework, b: Framework) -> dict[str, float]:
    per_round = [x / y for x, y in zip(a.total, b.total, strict=True)]
    return {
        "median_of_paired": statistics.median(per_round),
        "ratio_of_medians": statistics.median(a.total) / statistics.median(b.total),
    }


def profile_xgrad(fw: Framework, n: int, top: int) -> None:
    import cProfile
    import pstats

    x = fw.leaf()
    fw.backward(fw.forward(x, n))  # warm
    prof = cProfile.Profile()
    for _ in range(5):
        fw.cleargrad(x)
        prof.enable()
        y = fw.forward(x, n)
        fw.backward(y)
        prof.disable()
        del y
    print(f"\ncProfile of xgrad, 5 x (forward + backward) of {n} ops, by tottime:")
    stats = pstats.Stats(prof)
    stats.strip_dirs().sort_stats("tottime").print_stats(top)


# -- main -----------------------------------------------------------------------
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ops", type=int, default=1000, help="chain length")
    parser.add_argument(
        "--op", choices=OPS, default="tanh", help="the elementwise op chained"
    )
    parser.add_argument("--repeats", type=int, default=21, help="timed rounds")
    parser.add_argument("--warmup", type=int, default=3, help="untimed rounds")
    parser.add_argument(
        "--only",
        nargs="+",
        choices=list(LOADERS),
        default=list(LOADERS),
        help="frameworks to run (default: all three)",
    )
    parser.add_argument(
        "--gc", action="store_true", help="leave garbage collection on while timing"
    )
    parser.add_argument("--json", metavar="PATH", help="also write results as JSON")
    parser.add_argument(
        "--profile", action="store_true", help="also print a cProfile of xgrad"
    )
    args = parser.parse_args(argv)
    if args.ops < 1 or args.repeats < 1 or args.warmup < 0:
        parser.error("--ops and --repeats must be >= 1, --warmup >= 0")

    coretype = os.environ.get("OPENBLAS_CORETYPE")
    print(
        f"overhead: {args.ops} x {args.op} on float64 shape (1,), forward + backward; "
        f"median of {args.repeats} rounds after {args.warmup} warm-up; "
        f"gc {'on' if args.gc else 'off'} while timing; "
        f"OPENBLAS_CORETYPE={coretype if coretype is not None else '(not set)'}"
    )
    print(
        f"Python {platform.python_version()}, NumPy {np.__version__}, "
        f"{platform.machine()}, {os.cpu_count()} CPUs"
    )

    frameworks = load(args.only, args.op)
    if not frameworks:
        print("nothing to run")
        return 1
    for fw in frameworks:
        print(f"  {fw.name:<8} {fw.version}")

    agree, lines = check(frameworks, args.ops)
    measure(frameworks, args.ops, args.repeats, args.warmup, args.gc)

    print()
    print(f"{'framework':<10}{'forward':>12}{'backward':>12}{'total':>12}  µs/op")
    for fw in frameworks:
        print(
            f"{fw.name:<10}{statistics.median(fw.fwd):>12.2f}"
            f"{statistics.median(fw.bwd):>12.2f}{statistics.median(fw.total):>12.2f}"
        )
    spread = ", ".join(
        f"{fw.name} {min(fw.total):.2f}-{max(fw.total):.2f}" for fw in frameworks
    )
    print(f"total µs/op range over rounds: {spread}")

    by_name = {fw.name: fw for fw in frameworks}
    ratios: dict[str, Any] = {}
    print()
    xg = by_name.get("xgrad")
    for other, target in (("DeZero", TARGET_DEZERO), ("PyTorch", TARGET_TORCH)):
        if xg is None or other not in by_name:
            print(f"xgrad/{other}: not measured (one of them was skipped)")
            continue
        r = paired_ratio(xg, by_name[other])
        met = r["median_of_paired"] <= target
        ratios[f"xgrad/{other}"] = {**r, "target": target, "met": met}
        print(
            f"xgrad/{other:<8} total: {r['median_of_paired']:.3f} "
            f"(ratio of medians {r['ratio_of_medians']:.3f})  "
            f"target <= {target}: {'MET' if met else 'NOT MET'}"
        )

    print()
    if len(frameworks) > 1:
        if agree:
            print(f"results agree (final value and dx, rel. tol. {RTOL:g}):")
        else:
            print("!" * 72)
            print(f"!!! RESULTS DISAGREE between frameworks (rel. tol. {RTOL:g}) !!!")
            print("!" * 72)
    print("\n".join(lines))

    if args.json:
        payload = {
            "ops": args.ops,
            "repeats": args.repeats,
            "warmup": args.warmup,
            "gc_during_timing": args.gc,
            "chain": args.op,
            "OPENBLAS_CORETYPE": coretype,
            "python": platform.python_version(),
            "numpy": np.__version__,
            "frameworks": {
                fw.name: {
                    "version": fw.version,
                    "median_us_per_op": {
                        "forward": statistics.median(fw.fwd),
                        "backward": statistics.median(fw.bwd),
                        "total": statistics.median(fw.total),
                    },
                    "samples_us_per_op": {
                        "forward": fw.fwd,
                        "backward": fw.bwd,
                        "total": fw.total,
                    },
                }
                for fw in frameworks
            },
            "ratios_total": ratios,
            "results_agree": agree,
        }
        Path(args.json).write_text(json.dumps(payload, indent=2) + "\n")
        print(f"\nwrote {args.json}")

    if args.profile and xg is not None:
        profile_xgrad(xg, args.ops, top=30)
    return 0 if agree else 2


if __name__ == "__main__":
    sys.exit(main())
