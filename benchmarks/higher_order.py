"""Higher-order derivatives: nested ``xgrad.functional.grad`` against PyTorch (CPU).

What
----
Computes the 1st to 4th derivatives of tanh, elementwise, on ``--size``
(default 1,000) float64 elements, and reports milliseconds per call for each
order:

* xgrad (NumPy): nested transforms, ``d1 = grad(lambda x: F.sum(F.tanh(x)))``
  and ``d(k+1) = grad(lambda x: F.sum(dk(x)))``, called on a plain NumPy array;
* PyTorch (CPU): ``y = torch.tanh(x)`` then ``k`` calls of
  ``torch.autograd.grad(y.sum(), x, create_graph=True)`` (the last one without
  ``create_graph``), on a float64 tensor.

Both do the same work: one forward pass, then one backward pass per order,
each recorded so that it can be differentiated again. Since tanh acts
elementwise, the gradient of the sum of the k-th derivative is the
(k+1)-th derivative at every element.

One sample times ``--number`` (default 20) back-to-back calls and divides:
a single call takes well under a millisecond, and timing calls one by one
would mostly measure cold caches. Each repeat round takes one sample of every
order on both frameworks, in an order rotated from round to round, so that
noise on a shared machine reaches both alike. Garbage collection is off
inside the samples (``gc.collect()`` runs between them; nothing here makes
reference cycles) unless ``--gc`` is given. Figures are medians over the rounds,
after warm-up; the ratio xgrad/PyTorch per order is the median of the
per-round ratios (the ratio of medians is printed beside it). Target: at most
1.5 x PyTorch for the 4th derivative.

The results are checked against the closed forms in ``t = tanh(x)``
(``1 - t^2``, ``-2t(1 - t^2)``, ``(6t^2 - 2)(1 - t^2)``,
``(-24t^3 + 16t)(1 - t^2)``) and against each other, to 1e-10 (relative to
the largest magnitude of each derivative).

How to run
----------
From the repository root::

    python benchmarks/higher_order.py
    python benchmarks/higher_order.py --size 1000 --repeats 31 --json ho.json
    python benchmarks/higher_order.py --profile   # also cProfile xgrad's 4th order

Exit status is 0 whether or not the target is met; 2 if the results disagree.
"""

from __future__ import annotations

import argparse
import gc
import importlib
import json
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
TOL = 1e-10
TARGET_TORCH = 1.5  # for the highest order
MAX_ORDER = 4


def closed_forms(x: np.ndarray) -> list[np.ndarray]:
    """d^k/dx^k tanh(x) for k = 1..4, written in t = tanh(x)."""
    t = np.tanh(x)
    s = 1 - t * t
    return [s, -2 * t * s, (6 * t * t - 2) * s, (-24 * t**3 + 16 * t) * s]


def xgrad_derivatives(max_order: int) -> tuple[str, list[Callable[[Any], Any]]]:
    """Functions x -> k-th derivative of tanh at x, by nested ``grad``."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))  # run from a checkout without installing
    xgrad = importlib.import_module("xgrad")
    F = importlib.import_module("xgrad.functions")
    grad = importlib.import_module("xgrad.functional").grad

    derivs = [grad(lambda x: F.sum(F.tanh(x)))]
    for _ in range(max_order - 1):
        derivs.append(grad(lambda x, d=derivs[-1]: F.sum(d(x))))
    return xgrad.__version__, derivs


def torch_derivatives(max_order: int) -> tuple[str, list[Callable[[Any], Any]]]:
    """Functions x -> k-th derivative of tanh at x, by ``torch.autograd.grad``."""
    torch = importlib.import_module("torch")

    def derivative(k: int) -> Callable[[Any], Any]:
        def run(x: Any) -> Any:
            x = x.detach().requires_grad_(True)
            y = torch.tanh(x)
            for j in range(k):
                (y,) = torch.autograd.grad(y.sum(), x, create_graph=j < k - 1)
            return y

        return run

    version = f"{torch.__version__} ({torch.get_num_threads()} threads)"
    return version, [derivative(k) for k in range(1, max_order + 1)]


def timed(fn: Callable[[Any], Any], x: Any, number: int, collect: bool) -> float:
    """Seconds per call, over ``number`` back-to-back calls of ``fn(x)``."""
    if not collect:
        gc.collect()
        gc.disable()
    try:
        t0 = time.perf_counter()
        for _ in range(number):
            fn(x)
        t1 = time.perf_counter()
    finally:
        gc.enable()
    return (t1 - t0) / number


def measure(
    runs: dict[str, tuple[list[Callable[[Any], Any]], Any]],
    repeats: int,
    warmup: int,
    number: int,
    collect: bool,
) -> dict[str, list[list[float]]]:
    """ms per call: ``times[name][k]`` over rounds, order k+1, frameworks rotated."""
    names = list(runs)
    orders = len(next(iter(runs.values()))[0])
    times = {name: [[] for _ in range(orders)] for name in names}
    for r in range(-warmup, repeats):
        for k in range(orders):
            for j in range(len(names)):
                name = names[(j + r + k) % len(names)]
                fns, x = runs[name]
                seconds = timed(fns[k], x, number, collect)
                if r >= 0:
                    times[name][k].append(seconds * 1e3)
    return times


def check(
    results: dict[str, list[np.ndarray]], want: list[np.ndarray]
) -> tuple[bool, list[str]]:
    """Compare every framework with the closed forms, order by order."""
    ok, lines = True, []
    for name, got in results.items():
        errors = []
        for g, w in zip(got, want, strict=True):
            errors.append(float(np.max(np.abs(g - w)) / max(np.max(np.abs(w)), 1e-300)))
        ok = ok and all(e <= TOL for e in errors)
        shown = "  ".join(f"d{k + 1}: {e:.1e}" for k, e in enumerate(errors))
        lines.append(f"  {name:<8} max relative error vs closed form  {shown}")
    return ok, lines


def profile_xgrad(fn: Callable[[Any], Any], x: Any, top: int) -> None:
    import cProfile
    import pstats

    fn(x)  # warm
    prof = cProfile.Profile()
    prof.enable()
    for _ in range(20):
        fn(x)
    prof.disable()
    print("\ncProfile of xgrad, 20 x the highest order, by tottime:")
    pstats.Stats(prof).strip_dirs().sort_stats("tottime").print_stats(top)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=1000, help="elements of x")
    parser.add_argument("--orders", type=int, default=MAX_ORDER, help="highest order")
    parser.add_argument("--repeats", type=int, default=21, help="timed rounds")
    parser.add_argument("--warmup", type=int, default=3, help="untimed rounds")
    parser.add_argument(
        "--number", type=int, default=20, help="calls per timing (one sample)"
    )
    parser.add_argument(
        "--gc", action="store_true", help="leave garbage collection on while timing"
    )
    parser.add_argument("--json", metavar="PATH", help="also write results as JSON")
    parser.add_argument(
        "--profile", action="store_true", help="also print a cProfile of xgrad"
    )
    args = parser.parse_args(argv)
    if min(args.size, args.repeats, args.number) < 1 or args.warmup < 0:
        parser.error("--size, --repeats and --number must be >= 1, --warmup >= 0")
    if not 1 <= args.orders <= MAX_ORDER:
        parser.error(f"--orders must be 1 to {MAX_ORDER} (closed forms known)")

    coretype = os.environ.get("OPENBLAS_CORETYPE")
    print(
        f"higher_order: d^k/dx^k tanh(x), k = 1..{args.orders}, on {args.size} float64 "
        f"elements; {args.number} calls per sample, median of {args.repeats} rounds "
        f"after {args.warmup} warm-up; "
        f"gc {'on' if args.gc else 'off'} while timing; "
        f"OPENBLAS_CORETYPE={coretype if coretype is not None else '(not set)'}"
    )
    print(
        f"Python {platform.python_version()}, NumPy {np.__version__}, "
        f"{platform.machine()}, {os.cpu_count()} CPUs"
    )

    x = np.random.default_rng(0).uniform(-2.0, 2.0, args.size)
    want = closed_forms(x)[: args.orders]
    runs: dict[str, tuple[list[Callable[[Any], Any]], Any]] = {}
    results: dict[str, list[np.ndarray]] = {}
    version, fns = xgrad_derivatives(args.orders)
    print(f"  {'xgrad':<8} {version}")
    runs["xgrad"] = (fns, x)
    results["xgrad"] = [np.asarray(fn(x)) for fn in fns]
    try:
        version, fns = torch_derivatives(args.orders)
    except ImportError as exc:
        print(f"PyTorch: skipped ({type(exc).__name__}: {exc})")
    else:
        print(f"  {'PyTorch':<8} {version}")
        torch = importlib.import_module("torch")
        xt = torch.tensor(x, dtype=torch.float64)
        runs["PyTorch"] = (fns, xt)
        results["PyTorch"] = [fn(xt).detach().numpy() for fn in fns]

    agree, lines = check(results, want)
    times = measure(runs, args.repeats, args.warmup, args.number, args.gc)

    print()
    header = f"{'order':<7}" + "".join(f"{name + ' ms':>13}" for name in runs)
    if "PyTorch" in runs:
        header += f"{'xgrad/PyTorch':>16}{'(of medians)':>14}"
    print(header)
    ratios = []
    for k in range(args.orders):
        row = f"{k + 1:<7}" + "".join(
            f"{statistics.median(times[name][k]):>13.3f}" for name in runs
        )
        if "PyTorch" in runs:
            xs, ts = times["xgrad"][k], times["PyTorch"][k]
            paired = statistics.median(a / b for a, b in zip(xs, ts, strict=True))
            of_medians = statistics.median(xs) / statistics.median(ts)
            ratios.append({"paired": paired, "of_medians": of_medians})
            row += f"{paired:>16.3f}{of_medians:>14.3f}"
        print(row)

    print()
    if ratios:
        top = ratios[-1]["paired"]
        met = top <= TARGET_TORCH
        print(
            f"xgrad/PyTorch at order {args.orders}: {top:.3f}  "
            f"target <= {TARGET_TORCH}: {'MET' if met else 'NOT MET'}"
        )
    if agree:
        print(f"results agree with the closed forms (rel. tol. {TOL:g}):")
    else:
        print("!" * 72)
        print(f"!!! RESULTS DISAGREE (rel. tol. {TOL:g}) !!!")
        print("!" * 72)
    print("\n".join(lines))

    if args.json:
        payload = {
            "size": args.size,
            "orders": args.orders,
            "repeats": args.repeats,
            "warmup": args.warmup,
            "calls_per_sample": args.number,
            "gc_during_timing": args.gc,
            "OPENBLAS_CORETYPE": coretype,
            "python": platform.python_version(),
            "numpy": np.__version__,
            "median_ms": {
                name: [statistics.median(t) for t in times[name]] for name in runs
            },
            "samples_ms": times,
            "ratios_xgrad_over_torch": ratios,
            "results_agree": agree,
        }
        Path(args.json).write_text(json.dumps(payload, indent=2) + "\n")
        print(f"\nwrote {args.json}")

    if args.profile:
        profile_xgrad(runs["xgrad"][0][-1], x, top=25)
    return 0 if agree else 2


if __name__ == "__main__":
    sys.exit(main())
