"""Fit a Gamma distribution by gradient descent through SciPy's special functions.

    python examples/scipy_grad.py                      # NumPy, then PyTorch
    python examples/scipy_grad.py --also none --no-plot

The negative log-likelihood of Gamma(shape k, scale theta) is written with
scipy.special (gammaln, xlogy), code that knows nothing of xgrad. SciPy finds
the arrays' namespace through __array_namespace__, which for xgrad
Variables is xgrad.array_api.<backend>, so every SciPy call records on
xgrad's tape and backward() gives the gradient in (log k, log mean). The
fit runs on --device (NumPy), then the same code on --also (PyTorch), and
both land on the maximum-likelihood fit that scipy.stats.gamma.fit finds on
NumPy. Writes scipy_grad.png. Needs SciPy (pip install scipy); sets
SCIPY_ARRAY_API=1 before it imports SciPy, which SciPy requires.
"""

from __future__ import annotations

import os
import sys
from typing import Any

os.environ.setdefault("SCIPY_ARRAY_API", "1")

import numpy as np
from _common import Clock, make_parser, numpy, parse, pyplot, save

import xgrad
from xgrad import Constant, Variable

try:
    from scipy import special, stats
except ImportError:  # --help still works; main() says what to install
    special = stats = None

TRUE_SHAPE, TRUE_SCALE = 2.5, 1.5


def negative_log_likelihood(log_shape: Any, log_mean: Any, x: Any) -> Any:
    """The mean negative log-likelihood of the Gamma distribution with shape
    ``k = exp(log_shape)`` and mean ``k theta = exp(log_mean)``, written for any
    array-API library with scipy.special. (Shape and mean, unlike shape and
    scale, are orthogonal parameters: plain gradient descent converges fast.)"""
    xp = x.__array_namespace__()
    k = xp.exp(log_shape)
    log_scale = log_mean - log_shape
    log_pdf = special.xlogy(k - 1, x) - x / xp.exp(log_scale) - special.gammaln(k)
    return -xp.mean(log_pdf - k * log_scale)


def fit(samples: np.ndarray, device: xgrad.Device, steps: int, lr: float) -> dict:
    """Gradient descent on (log k, log mean) from (0, 0), on ``device``."""
    x = Constant(xgrad.asarray(samples, device=device))
    log_shape = Variable(xgrad.asarray(0.0, device=device))
    log_mean = Variable(xgrad.asarray(0.0, device=device))
    losses = []
    for step in range(1, steps + 1):
        loss = negative_log_likelihood(log_shape, log_mean, x)
        log_shape.cleargrad()
        log_mean.cleargrad()
        loss.backward()
        for p in (log_shape, log_mean):
            p.data = p.data - lr * p.grad.data
        losses.append(float(numpy(loss.data)))
        if step == 1 or step % max(1, steps // 5) == 0:
            print(f"  step {step:4d}  loss {losses[-1]:.6f}")
    shape = float(np.exp(numpy(log_shape.data)))
    scale = float(np.exp(numpy(log_mean.data))) / shape
    return {"shape": shape, "scale": scale, "losses": losses}


def plot(plt: Any, out: Any, samples: np.ndarray, fits: dict[str, dict]) -> None:
    fig, (ax0, ax1) = plt.subplots(1, 2, figsize=(11, 4.2))
    ax0.hist(samples, bins=40, density=True, color="0.8", label="samples")
    grid = np.linspace(1e-3, samples.max(), 300)
    for (name, result), style in zip(fits.items(), ("-", "--"), strict=False):
        pdf = stats.gamma.pdf(grid, result["shape"], scale=result["scale"])
        label = f"{name}: k={result['shape']:.3f}, θ={result['scale']:.3f}"
        ax0.plot(grid, pdf, style, linewidth=2, label=label)
        ax1.plot(result["losses"], style, label=name)
    ax0.set(xlabel="x", ylabel="density", title="Gamma fit through scipy.special")
    ax0.legend()
    ax1.set(xlabel="step", ylabel="negative log-likelihood", title="loss")
    ax1.legend()
    save(fig, out / "scipy_grad.png")


def main() -> None:
    parser = make_parser(__doc__)
    parser.add_argument(
        "--also",
        default="torch:cpu",
        help="a second device that repeats the fit with the same code ('none': skip)",
    )
    parser.add_argument("--samples", type=int, default=2000, help="Gamma samples")
    parser.add_argument("--steps", type=int, default=200, help="gradient steps")
    parser.add_argument("--lr", type=float, default=0.5, help="the step size")
    parser.add_argument("--no-plot", action="store_true", help="write no PNG file")
    args = parse(parser)
    if special is None:
        sys.exit("scipy_grad.py needs SciPy, an optional dependency: pip install scipy")
    clock = Clock()
    rng = np.random.default_rng(0)
    samples = rng.gamma(TRUE_SHAPE, TRUE_SCALE, args.samples)
    k, _, theta = stats.gamma.fit(samples, floc=0)  # SciPy's own MLE, on NumPy
    print(f"{args.samples} samples of Gamma(k={TRUE_SHAPE}, θ={TRUE_SCALE})")
    print(f"scipy.stats.gamma.fit (NumPy): k = {k:.4f}, θ = {theta:.4f}")

    devices = [args.device]
    if args.also != "none":
        try:
            devices.append(xgrad.device(args.also))
        except (ValueError, RuntimeError) as exc:
            print(f"--also {args.also}: {exc}; fitting on {args.device} only")
    fits = {}
    for device in devices:
        print(f"gradient descent through scipy.special on {device}:")
        result = fit(samples, device, args.steps, args.lr)
        fits[str(device)] = result
        print(
            f"  k = {result['shape']:.4f}, θ = {result['scale']:.4f}  "
            f"(|Δk| from scipy.stats.gamma.fit: {abs(result['shape'] - k):.1e})"
        )
    plt = None if args.no_plot else pyplot()
    if plt is not None:
        plot(plt, args.out, samples, fits)
    print(f"done on {', '.join(fits)} in {clock}")


if __name__ == "__main__":
    main()
