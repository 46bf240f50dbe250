"""One training step of an MLP: xgrad on a device against PyTorch on a device.

What
----
Times forward + backward + SGD update of a 3-layer MLP (``in -> hidden ->
hidden -> out``, tanh, mean squared error) on a random float32 batch. The
arithmetic is large enough that this measures the array library more than
the framework: it answers "what does xgrad cost over PyTorch for real work on
this device?". Figures are medians over repeats, rounds interleaved.

How to run
----------
::

    python benchmarks/mlp_step.py                                  # NumPy vs torch CPU
    python benchmarks/mlp_step.py --xgrad-device cupy --torch-device cuda
    python benchmarks/mlp_step.py --xgrad-device torch:cuda --torch-device cuda
    python benchmarks/mlp_step.py --xgrad-device cupy --torch-device cuda --jit

On a GPU both sides synchronise before the clock stops. ``--jit`` adds the
same xgrad step under ``xgrad.jit`` (recorded once, then replayed);
``--graphs`` adds it under ``xgrad.jit(graphs=True)`` (CuPy: runs of kernels
as CUDA graphs).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import xgrad
import xgrad.functions as F
from xgrad.layers import Layer, Linear


class MLP(Layer):
    def __init__(self, sizes: list[int]) -> None:
        super().__init__()
        self.l0 = Linear(sizes[1], in_size=sizes[0])
        self.l1 = Linear(sizes[2], in_size=sizes[1])
        self.l2 = Linear(sizes[3], in_size=sizes[2])

    def forward(self, x: Any) -> Any:
        return self.l2(F.tanh(self.l1(F.tanh(self.l0(x)))))


def _sync(array: Any) -> None:
    """Wait until the device has finished computing ``array``."""
    xgrad.backends.of(array).synchronize(array)


def xgrad_step(
    device: str,
    sizes: list[int],
    batch: int,
    jitted: bool = False,
    graphs: bool = False,
) -> Any:
    with xgrad.default_device(device):
        model = MLP(sizes)
        # Plain arrays, as PyTorch's tensors: data needs no gradient.
        x = xgrad.random.normal(size=(batch, sizes[0]), dtype=model.l0.W.dtype)
        t = xgrad.random.normal(size=(batch, sizes[-1]), dtype=model.l0.W.dtype)

    def train(x: Any, t: Any) -> Any:
        loss = F.mean_squared_error(model(x), t)
        model.cleargrads()
        loss.backward()
        with xgrad.no_grad():
            for p in model.params():
                p.data = p.data - 0.01 * p.grad.data
        return loss

    run = xgrad.jit(train, graphs=graphs) if jitted else train

    def step() -> float:
        start = time.perf_counter()
        run(x, t)
        _sync(model.l2.W.data)
        return time.perf_counter() - start

    return step


def torch_step(device: str, sizes: list[int], batch: int) -> Any:
    import torch

    dev = torch.device(device)
    layers = []
    for i in range(3):
        layers.append(torch.nn.Linear(sizes[i], sizes[i + 1]))
        if i < 2:
            layers.append(torch.nn.Tanh())
    model = torch.nn.Sequential(*layers).to(dev)
    x = torch.randn(batch, sizes[0], device=dev)
    t = torch.randn(batch, sizes[-1], device=dev)
    opt = torch.optim.SGD(model.parameters(), lr=0.01)

    def step() -> float:
        start = time.perf_counter()
        loss = ((model(x) - t) ** 2).sum() / batch
        opt.zero_grad()
        loss.backward()
        opt.step()
        if dev.type == "cuda":
            torch.cuda.synchronize()
        return time.perf_counter() - start

    return step


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--xgrad-device", default="numpy")
    parser.add_argument("--torch-device", default="cpu")
    parser.add_argument("--sizes", default="784,1000,1000,10")
    parser.add_argument("--batch", type=int, default=256)
    parser.add_argument("--repeats", type=int, default=21)
    parser.add_argument("--jit", action="store_true", help="also time xgrad.jit")
    parser.add_argument(
        "--graphs", action="store_true", help="also time xgrad.jit(graphs=True)"
    )
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    device = args.xgrad_device
    steps = {f"xgrad ({device})": xgrad_step(device, sizes, args.batch)}
    if args.jit:
        steps[f"xgrad jit ({device})"] = xgrad_step(device, sizes, args.batch, True)
    if args.graphs:
        steps[f"xgrad graphs ({device})"] = xgrad_step(
            device, sizes, args.batch, jitted=True, graphs=True
        )
    try:
        steps[f"PyTorch ({args.torch_device})"] = torch_step(
            args.torch_device, sizes, args.batch
        )
    except ImportError:
        print("PyTorch: skipped (not installed)")
    times: dict[str, list[float]] = {name: [] for name in steps}
    for _ in range(3):
        for step in steps.values():
            step()
    for _ in range(args.repeats):
        for name, step in steps.items():
            times[name].append(step())
    print(f"MLP {sizes}, batch {args.batch}, float32; median of {args.repeats} steps")
    for name, values in times.items():
        print(f"  {name:28s} {statistics.median(values) * 1e3:8.2f} ms/step")
    theirs = f"PyTorch ({args.torch_device})"
    for name, values in times.items():
        if name != theirs and theirs in times:
            ratio = statistics.median(values) / statistics.median(times[theirs])
            print(f"  ratio {name} / {theirs}: {ratio:.2f}")


if __name__ == "__main__":
    main()
