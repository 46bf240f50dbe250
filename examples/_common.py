"""What every example shares: its command line, its device, and saving plots.

Not an example itself. Each script imports it as ``from _common import ...``,
which works because Python puts the script's own folder first on the path.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import Any

import numpy as np

import xgrad

DEVICE_HELP = (
    "where the arrays live, as an xgrad device spec: numpy (also 'cpu'), gpu or "
    "cupy:0 (CuPy), torch:cpu, torch:cuda, array_api_strict:device1"
)
THREADS_HELP = (
    "PyTorch's CPU threads per op (torch.set_num_threads) on a torch device; "
    "0 keeps PyTorch's default, one per core (docs/performance.md)"
)


class HelpFormatter(
    argparse.RawDescriptionHelpFormatter, argparse.ArgumentDefaultsHelpFormatter
):
    """``--help``: the script's docstring as written, each option's default after it.

    An option whose default is None says in its own help what happens without
    it, so no "(default: None)" is added to it.
    """

    def _get_help_string(self, action: argparse.Action) -> str | None:
        if action.default is None:
            return action.help
        return super()._get_help_string(action)


def make_parser(
    doc: str, epochs: int | None = None, threads: int = 1, jit: bool = False
) -> argparse.ArgumentParser:
    """A parser with ``--device``, ``--threads``, ``--out`` and, to train, ``--epochs``
    (and ``--jit`` where the script can replay its training step).

    ``threads`` is the default of ``--threads``: 1 for the small models of
    these scripts, where PyTorch's thread pool costs more than it gains.
    """
    parser = argparse.ArgumentParser(description=doc, formatter_class=HelpFormatter)
    parser.add_argument("--device", default="numpy", help=DEVICE_HELP)
    if epochs is not None:
        parser.add_argument(
            "--epochs", type=int, default=epochs, help="passes over the training data"
        )
    parser.add_argument("--threads", type=int, default=threads, help=THREADS_HELP)
    parser.add_argument(
        "--out", type=Path, default=Path("."), help="folder for the PNG files"
    )
    if jit:
        parser.add_argument(
            "--jit",
            action="store_true",
            help="record the training step once and replay it (xgrad.jit, docs/jit.md)",
        )
    return parser


def parse(parser: argparse.ArgumentParser) -> argparse.Namespace:
    """Parse the command line; ``args.device`` becomes an ``xgrad.Device``.

    A spec xgrad does not know, or a library not installed here, ends the
    script with xgrad's own message and exit status 2. On a PyTorch device,
    PyTorch's CPU thread count is set from ``--threads``.
    """
    args = parser.parse_args()
    if args.threads < 0:
        parser.error(
            f"--threads {args.threads}: give 1 or more, or 0 for PyTorch's default"
        )
    try:
        args.device = xgrad.device(args.device)
    except (ValueError, RuntimeError, TypeError) as exc:
        parser.error(str(exc))
    if args.device.backend == "torch" and args.threads > 0:
        import torch

        torch.set_num_threads(args.threads)
        print(f"PyTorch: {torch.get_num_threads()} CPU thread(s) per op (--threads)")
    args.out.mkdir(parents=True, exist_ok=True)
    return args


def pyplot() -> Any:
    """``matplotlib.pyplot`` on the Agg backend, or None if matplotlib is missing."""
    try:
        import matplotlib
    except ImportError:
        print("matplotlib is not installed: no plots (pip install matplotlib)")
        return None
    matplotlib.use("Agg")  # files only: no window, no display needed
    import matplotlib.pyplot as plt

    return plt


def save(fig: Any, path: Path) -> None:
    """Write ``fig`` to ``path`` as a PNG and close it."""
    import matplotlib.pyplot as plt

    if fig.get_layout_engine() is None:
        fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    print(f"saved {path}")


def numpy(x: Any) -> np.ndarray:
    """A Variable or an array of any backend, as a NumPy array (for printing, plots)."""
    return xgrad.cuda.as_numpy(x)


class Clock:
    """Seconds since it was made: ``f"{clock}"`` prints ``1.23 s``."""

    def __init__(self) -> None:
        self.start = time.perf_counter()

    @property
    def seconds(self) -> float:
        return time.perf_counter() - self.start

    def __format__(self, spec: str) -> str:
        return f"{self.seconds:.2f} s"


def plot_boundary(ax: Any, model: Any, x: Any, t: Any, device: Any) -> None:
    """Colour the plane by ``model``'s class and draw the points ``x`` (NumPy), ``t``.

    The grid is classified on ``device`` under ``no_grad`` and ``test_mode``.
    """
    from matplotlib.colors import ListedColormap

    h = 0.01
    x0 = np.arange(x[:, 0].min() - 0.1, x[:, 0].max() + 0.1, h)
    x1 = np.arange(x[:, 1].min() - 0.1, x[:, 1].max() + 0.1, h)
    g0, g1 = np.meshgrid(x0, x1)
    grid = np.stack([g0.ravel(), g1.ravel()], axis=1).astype(np.float32)
    with xgrad.no_grad(), xgrad.test_mode():
        scores = model(xgrad.asarray(grid, device=device))
    classes = numpy(scores).argmax(axis=1).reshape(g0.shape)
    light = ListedColormap(["#aec7e8", "#ffbb78", "#98df8a"])  # tab20's pale pairs
    ax.contourf(g0, g1, classes, levels=np.arange(-0.5, 3), cmap=light)
    for c, (marker, color) in enumerate(zip("oxs", ["C0", "C1", "C2"], strict=True)):
        ax.scatter(*x[t == c].T, marker=marker, s=25, c=color, label=f"class {c}")
    ax.set(xlabel="x0", ylabel="x1", aspect="equal")
