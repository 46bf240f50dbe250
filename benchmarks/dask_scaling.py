"""Gradient throughput on a Dask LocalCluster as the data grow, against NumPy.

    python benchmarks/dask_scaling.py                       # 1e5, 1e6, 1e7 rows
    python benchmarks/dask_scaling.py --rows 100000 1000000 --repeats 5

For a linear model (features -> 1) and an MLP (features -> hidden -> 1, tanh)
it times one full-batch gradient of the mean squared error: the lazy forward
and backward pass, then ``xgrad.compute`` of every parameter's gradient.
The data are generated on the workers in chunks of --chunk rows and
persisted there before timing, so the figure is the gradient alone. Each
size runs on a loopback LocalCluster of 1 and of 2 single-threaded worker
processes, and on xgrad's NumPy backend with the same data in this process
while it fits in --numpy-limit bytes. It prints rows per second (median of
--repeats) and the ratio to NumPy. The interesting number on one machine is
how the time grows with the rows (linear is the goal); a speed-up needs more
cores than the two a small machine shares.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from typing import Any

import numpy as np

import xgrad
import xgrad.functions as F
from xgrad import Variable


def params(features: int, hidden: int, model: str) -> list[np.ndarray]:
    rng = np.random.default_rng(0)
    if model == "linear":
        return [rng.standard_normal((features, 1)) * 0.1, np.zeros(1)]
    shapes = [(features, hidden), (hidden,), (hidden, 1), (1,)]
    return [rng.standard_normal(s) * 0.1 for s in shapes]


def gradients(x: Any, y: Any, arrays: list[Any]) -> list[Any]:
    """The gradient of every parameter, lazy on Dask: linear or a tanh MLP."""
    vs = [Variable(a) for a in arrays]
    h = x
    for i in range(0, len(vs) - 2, 2):
        h = F.tanh(F.linear(h, vs[i], vs[i + 1]))
    loss = F.mean_squared_error(F.linear(h, vs[-2], vs[-1]), y)
    loss.backward()
    return [v.grad for v in vs]


def median_seconds(run: Callable[[], Any], repeats: int) -> float:
    run()  # warm-up: imports, first graph
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def dask_data(rows: int, features: int, chunk: int) -> tuple[Any, Any]:
    import dask.array as da

    rng = da.random.default_rng(1)
    x = rng.standard_normal((rows, features), chunks=(chunk, features))
    return x, da.sin(x[:, :1])


def time_dask(args: argparse.Namespace, rows: int, workers: int) -> dict[str, float]:
    from dask.distributed import Client, LocalCluster

    with (
        LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            host="127.0.0.1",
            dashboard_address="127.0.0.1:0",
        ) as cluster,
        Client(cluster) as client,
    ):
        x, y = client.persist(list(dask_data(rows, args.features, args.chunk)))
        client.wait_for_workers(workers)
        out = {}
        for model in ("linear", "mlp"):
            ps = [
                xgrad.asarray(p, device="dask")
                for p in params(args.features, args.hidden, model)
            ]
            seconds = median_seconds(
                lambda ps=ps: xgrad.compute(*gradients(x, y, ps)), args.repeats
            )
            out[model] = rows / seconds
        return out


def time_numpy(args: argparse.Namespace, rows: int) -> dict[str, float] | None:
    # the data, and the MLP's activations and their gradients, all at once
    if rows * 8 * (args.features + 1 + 4 * args.hidden) > args.numpy_limit:
        return None
    x, y = (np.asarray(a) for a in xgrad.compute(*dask_data(rows, args.features, rows)))
    out = {}
    for model in ("linear", "mlp"):
        ps = params(args.features, args.hidden, model)
        seconds = median_seconds(lambda ps=ps: gradients(x, y, ps), args.repeats)
        out[model] = rows / seconds
    return out


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--rows", type=int, nargs="+", default=[10**5, 10**6, 10**7], help="sizes"
    )
    parser.add_argument(
        "--workers", type=int, nargs="*", default=[1, 2], help="(1 2; none: NumPy only)"
    )
    parser.add_argument("--features", type=int, default=16, help="(16)")
    parser.add_argument("--hidden", type=int, default=32, help="MLP width (32)")
    parser.add_argument("--chunk", type=int, default=250_000, help="(250000)")
    parser.add_argument("--repeats", type=int, default=3, help="(3)")
    parser.add_argument(
        "--numpy-limit", type=float, default=4e9, help="bytes NumPy may hold (4e9)"
    )
    args = parser.parse_args()
    print(
        f"gradient of the MSE, float64, {args.features} features, MLP hidden "
        f"{args.hidden}, chunks of {args.chunk} rows; rows/s, median of "
        f"{args.repeats}"
    )
    header = f"{'rows':>10} {'model':>6} {'numpy':>12}"
    header += "".join(f" {f'dask x{w}':>12} {'/ numpy':>8}" for w in args.workers)
    print(header)
    for rows in args.rows:
        eager = time_numpy(args, rows)
        lazy = {w: time_dask(args, rows, w) for w in args.workers}
        for model in ("linear", "mlp"):
            base = eager[model] if eager else None
            line = f"{rows:>10} {model:>6} {f'{base:.3g}' if base else '-':>12}"
            for w in args.workers:
                rate = lazy[w][model]
                ratio = f"{rate / base:.2f}" if base else "-"
                line += f" {rate:>12.3g} {ratio:>8}"
            print(line, flush=True)


if __name__ == "__main__":
    main()
