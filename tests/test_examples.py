"""Every script in examples/ runs at a tiny size and writes what it says it writes.

Each runs in a subprocess with this interpreter, in a temporary folder that is
also its ``--out`` folder, with an empty dataset cache (so ``mnist.py`` falls
back to the bundled digits) and downloads off. The PNG checks need
matplotlib (``backends/numpy.txt`` installs it); without it they skip and the
scripts must still run, saying that they do not plot.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
HAS_MATPLOTLIB = importlib.util.find_spec("matplotlib") is not None
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"

# gpt.py at a tiny size: one epoch of 3 steps, a 1-block model of width 16
GPT_TINY = ["--epochs", "1", "--context", "16", "--width", "16", "--layers", "1"]
GPT_TINY += ["--heads", "2", "--batch-size", "1500", "--sample", "20"]

# id: (script, tiny arguments, lines the output must contain, PNG files)
CASES = {
    "quickstart": (
        "quickstart.py",
        ["--epochs", "20"],
        ["epoch   20  loss", "test accuracy", "on numpy"],
        ["quickstart.png"],
    ),
    "derivatives": (
        "derivatives.py",
        ["--points", "11"],
        ["max |backprop - closed form|", "order 4: max |xgrad - closed form|"],
        ["derivatives.png", "tanh.png"],
    ),
    "newton": (
        "newton.py",
        ["--iters", "200"],
        ["step 7: x = 1.0000000000000000", "Newton -> (1.000000, 1.000000)"],
        ["newton.png"],
    ),
    "spiral": (
        "spiral.py",
        ["--epochs", "2"],
        ["epoch   2  loss", "test accuracy"],
        ["spiral.png"],
    ),
    "mnist-mlp": (
        "mnist.py",
        ["--epochs", "1", "--train-size", "300"],
        ["using the bundled 8x8 digits", "dataset: 8x8 digits", "epoch 1  loss"],
        ["mnist_mlp.png"],
    ),
    "mnist-cnn": (
        "mnist.py",
        ["--model", "cnn", "--epochs", "1", "--train-size", "200"],
        ["dataset: 8x8 digits", "model: cnn", "epoch 1  loss"],
        ["mnist_cnn.png"],
    ),
    "sin_lstm": (
        "sin_lstm.py",
        ["--epochs", "1", "--hidden", "8"],
        ["epoch   1  loss", "cosine, next value: mean squared error"],
        ["sin_lstm.png"],
    ),
    "gpt": (
        "gpt.py",
        GPT_TINY,
        ["bigram model: validation loss", "epoch   1  loss", "sample, after"],
        ["gpt.png"],
    ),
    "scipy_grad": (
        "scipy_grad.py",
        ["--steps", "60", "--samples", "300"],
        ["scipy.stats.gamma.fit (NumPy): k = ", "through scipy.special on numpy"],
        ["scipy_grad.png"],
    ),
    "graph": (
        "graph.py",
        ["--order", "2"],
        ["dz/dx = -5376.0, dz/dy = 8064.0", "wrote", "tanh_grad2.dot"],
        [],
    ),
}


def run(
    script: str, *args: str, cwd: Path, **env: str
) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "XGRAD_DATA": str(cwd / "no-datasets"),  # MNIST absent, whatever ~ holds
        "XGRAD_DOWNLOAD": "0",
        "PYTHONWARNINGS": "error::RuntimeWarning",  # overflow, invalid values
        **env,
    }
    return subprocess.run(
        [sys.executable, str(EXAMPLES / script), *args, "--out", str(cwd)],
        cwd=cwd,
        env=env,
        capture_output=True,
        check=False,
        text=True,
        timeout=120,
    )


# Examples that need an optional library, which the default test sessions do not
# install: they skip there, and the third-party nox session runs them.
OPTIONAL = {"scipy_grad": "scipy"}


def needs_optional(case: str) -> None:
    """Skip ``case`` when the optional library its script needs is missing."""
    module = OPTIONAL.get(case)
    if module and importlib.util.find_spec(module) is None:
        pytest.skip(
            f"{CASES[case][0]} needs {module}, an optional dependency "
            "(the third-party nox session installs it)"
        )


def check(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 0, f"exit {result.returncode}\n{result.stderr}"
    return result.stdout


@pytest.fixture
def numpy_session(backend_name: str) -> None:
    """Runs a test once, in the numpy session: the scripts' default device is NumPy.

    Another backend's session would repeat the same NumPy runs, and without
    matplotlib (only backends/numpy.txt installs it) check less.
    """
    if backend_name != "numpy":
        pytest.skip("the examples on their default device, NumPy: --backend numpy")


def test_every_example_has_a_case() -> None:
    scripts = {p.name for p in EXAMPLES.glob("*.py") if not p.name.startswith("_")}
    scripts -= {p.name for p in EXAMPLES.glob("dask_*.py")}  # test_dask_examples.py
    assert scripts == {script for script, *_ in CASES.values()}


@pytest.mark.usefixtures("numpy_session")
@pytest.mark.parametrize("case", list(CASES))
def test_example_runs(case: str, tmp_path: Path) -> None:
    needs_optional(case)
    script, args, lines, pngs = CASES[case]
    out = check(run(script, *args, cwd=tmp_path))
    for line in lines:
        assert line in out, f"{line!r} not in the output of {script}:\n{out}"
    if pngs and not HAS_MATPLOTLIB:
        assert "matplotlib is not installed" in out
        pytest.skip("matplotlib is not installed: PNG files not checked")
    for name in pngs:
        path = tmp_path / name
        assert path.read_bytes()[:8] == PNG_MAGIC, f"{script} did not write {name}"
        assert f"saved {path}" in out


@pytest.mark.usefixtures("numpy_session")
def test_examples_run_without_matplotlib(tmp_path: Path) -> None:
    """A missing matplotlib costs the plots, in one line, and nothing else."""
    blocker = tmp_path / "blocker"
    blocker.mkdir()
    (blocker / "matplotlib.py").write_text("raise ImportError('no matplotlib')\n")
    path = os.pathsep.join([str(blocker), os.environ.get("PYTHONPATH", "")])
    out = check(run("quickstart.py", "--epochs", "2", cwd=tmp_path, PYTHONPATH=path))
    assert "matplotlib is not installed: no plots" in out
    assert "test accuracy" in out
    assert not list(tmp_path.glob("*.png"))


@pytest.mark.usefixtures("numpy_session")
def test_derivatives_agree_with_closed_forms(tmp_path: Path) -> None:
    out = check(run("derivatives.py", "--points", "21", cwd=tmp_path))
    backprop = re.search(r"max \|backprop - closed form\| += (\S+)", out)
    numerical = re.search(r"max \|central diff - closed form\| += (\S+)", out)
    assert backprop, out
    assert float(backprop.group(1)) < 1e-12, out
    assert numerical, out
    assert float(numerical.group(1)) < 1e-5, out  # central differences: O(eps^2)
    orders = re.findall(r"order (\d): max \|xgrad - closed form\| = (\S+)", out)
    assert [int(n) for n, _ in orders] == [0, 1, 2, 3, 4]
    assert all(float(err) < 1e-12 for _, err in orders), out


def test_scipy_grad_fits_what_scipy_fits_on_each_device(
    backend_name: str, tmp_path: Path
) -> None:
    """Gradient descent through scipy.special lands on scipy.stats' own fit."""
    needs_optional("scipy_grad")
    if backend_name not in ("numpy", "torch"):
        pytest.skip("scipy_grad.py fits on NumPy, then on PyTorch: --backend numpy")
    args = ["--steps", "60", "--samples", "300", "--no-plot"]
    if backend_name == "torch":
        pytest.importorskip("torch")
        args += ["--device", "torch:cpu", "--also", "none"]
    else:
        args += ["--also", "none"]
    out = check(run("scipy_grad.py", *args, cwd=tmp_path))
    gaps = re.findall(r"\|Δk\| from scipy.stats.gamma.fit: (\S+)\)", out)
    assert len(gaps) == 1, out
    assert float(gaps[0]) < 1e-6, out
    assert not list(tmp_path.glob("*.png"))  # --no-plot


@pytest.mark.usefixtures("numpy_session")
def test_graph_writes_dot_text(tmp_path: Path) -> None:
    out = check(run("graph.py", "--order", "3", cwd=tmp_path))
    for name in ("goldstein", "tanh_grad3"):
        text = (tmp_path / f"{name}.dot").read_text(encoding="utf-8")
        assert text.startswith("digraph g {")
        assert text.endswith("}")
        assert "->" in text
        if shutil.which("dot") is None:
            assert "Graphviz's dot is not installed" in out
        else:
            assert (tmp_path / f"{name}.png").read_bytes()[:8] == PNG_MAGIC


SEQUENTIAL_ON_DASK = (
    "a sequence trained one time step at a time is thousands of tiny lazy ops; "
    "Dask's per-task cost makes it minutes long (docs/dask.md: when to use Dask)"
)


@pytest.mark.parametrize(
    "script",
    [
        "spiral.py",
        pytest.param(
            "sin_lstm.py",
            marks=pytest.mark.skip_backend("dask", reason=SEQUENTIAL_ON_DASK),
        ),
    ],
)
def test_example_on_the_backend_under_test(
    script: str, device_spec: str, tmp_path: Path
) -> None:
    """DataLoader, SeqDataLoader, layers and plots on each backend's device."""
    args = ["--epochs", "1", "--device", device_spec, "--hidden", "8"]
    out = check(run(script, *args, cwd=tmp_path))
    assert f"on {device_spec}" in out


def test_gpt_on_the_backend_under_test(device_spec: str, tmp_path: Path) -> None:
    """Embeddings, attention, layer norm, AdamW and sampling on each backend."""
    out = check(run("gpt.py", *GPT_TINY, "--device", device_spec, cwd=tmp_path))
    assert f"on {device_spec}" in out
    losses = re.search(r"transformer: validation loss (\S+) nats", out)
    bigram = re.search(r"bigram:      validation loss (\S+) nats", out)
    assert losses, out
    assert bigram, out
    # untrained but finite, below the 4.2 nats of a uniform guess over 67 chars
    assert 0.0 < float(losses.group(1)) < 4.2, out
    assert "target of 0.3" in out


@pytest.mark.usefixtures("numpy_session")
def test_unknown_device_is_a_usage_error(tmp_path: Path) -> None:
    result = run("newton.py", "--device", "nonsense", cwd=tmp_path)
    assert result.returncode == 2
    assert "unknown backend 'nonsense'" in result.stderr


@pytest.mark.usefixtures("numpy_session")
def test_mnist_without_files_says_where_to_put_them(tmp_path: Path) -> None:
    result = run("mnist.py", "--dataset", "mnist", cwd=tmp_path)
    assert result.returncode != 0
    assert "train-images-idx3-ubyte" in result.stderr
    assert str(tmp_path / "no-datasets" / "mnist") in result.stderr


SCRIPTS = sorted(p.name for p in EXAMPLES.glob("*.py") if not p.name.startswith("_"))


def help_entries(script: str) -> dict[str, str]:
    """``script --help``'s options: each option's first line -> its whole help text."""
    result = subprocess.run(
        [sys.executable, str(EXAMPLES / script), "--help"],
        env={**os.environ, "COLUMNS": "100"},
        capture_output=True,
        check=True,
        text=True,
        timeout=60,
    )
    _, _, options = result.stdout.partition("\noptions:\n")
    entries: dict[str, str] = {}
    for line in options.splitlines():
        if line.startswith("  -"):
            flag = line.split()[0].rstrip(",")
            entries[flag] = line
        elif line.startswith("   ") and entries:
            entries[flag] += " " + line.strip()
    return {flag: " ".join(text.split()) for flag, text in entries.items()}


@pytest.mark.usefixtures("numpy_session")
@pytest.mark.parametrize("script", SCRIPTS)
def test_help_shows_every_default(script: str) -> None:
    """A reader of ``--help`` knows what the script does when given no options."""
    entries = help_entries(script)
    assert "--epochs" in entries or script in {
        "derivatives.py",
        "graph.py",
        "newton.py",
        "scipy_grad.py",
    }
    for flag, text in entries.items():
        if flag != "-h":
            assert "(default: " in text, f"{script} --help: {flag} has no default"


@pytest.mark.usefixtures("numpy_session")
def test_newton_help_shows_its_defaults() -> None:
    entries = help_entries("newton.py")
    assert entries["--iters"].endswith("(default: 10000)")
    assert entries["--lr"].endswith("(default: 0.001)")
    assert entries["--device"].endswith("(default: numpy)")
    assert entries["--threads"].endswith("(default: 1)")


def test_threads_sets_pytorchs_thread_count(backend_name: str, tmp_path: Path) -> None:
    """``--threads`` reaches PyTorch, and only where the arrays are PyTorch's."""
    if backend_name != "torch":
        pytest.skip("--threads acts on PyTorch devices: run with --backend torch")
    pytest.importorskip("torch")
    args = ["--epochs", "1", "--hidden", "4", "--device", "torch:cpu"]
    out = check(run("spiral.py", *args, "--threads", "2", cwd=tmp_path))
    assert "PyTorch: 2 CPU thread(s) per op (--threads)" in out
    out = check(run("spiral.py", *args, cwd=tmp_path))
    assert "PyTorch: 1 CPU thread(s) per op (--threads)" in out
    out = check(run("spiral.py", "--epochs", "1", "--hidden", "4", cwd=tmp_path))
    assert "PyTorch" not in out  # on NumPy: nothing to set, nothing said


@pytest.mark.usefixtures("numpy_session")
def test_negative_threads_is_a_usage_error(tmp_path: Path) -> None:
    result = run("newton.py", "--threads", "-1", cwd=tmp_path)
    assert result.returncode == 2
    assert "--threads -1: give 1 or more, or 0 for PyTorch's default" in result.stderr
