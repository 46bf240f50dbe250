#!/usr/bin/env -S uv run --script
# /// script
# dependencies = ["nox>=2024.4.15"]
# ///
"""Test sessions, one per array library: ``nox -l`` lists them.

Each ``backends/<name>.txt`` gives one ``tests-<name>`` session that installs
xgrad with that file's requirements and runs the suite on that backend alone.
A backend whose class declares ``gpu_only`` (CuPy) has its session left out
of a default run: run it by hand on a GPU host (``nox -s tests-cupy``).
"""

from __future__ import annotations

import runpy
import shutil
from pathlib import Path

import nox

nox.needs_version = ">=2024.4.15"
nox.options.default_venv_backend = "virtualenv"
nox.options.reuse_existing_virtualenvs = True

HERE = Path(__file__).parent
BACKENDS = sorted(
    p.stem for p in (HERE / "backends").glob("*.txt") if p.stem != "common"
)
# gpu_only and test_args as each backend's class declares them, read from its
# source: nox's own environment has no NumPy to import xgrad with.
_declared = runpy.run_path(str(HERE / "xgrad" / "backends" / "_declared.py"))
METADATA = {name: _declared["declared"](name) for name in BACKENDS}


def _tests(name: str):
    def session(session: nox.Session) -> None:
        session.install("-e", ".", "-r", f"backends/{name}.txt")
        session.run(
            "pytest",
            f"--backend={name}",
            "-n",
            "2",
            "-p",
            "no:cacheprovider",
            *METADATA[name]["test_args"],
            *session.posargs,
        )

    session.__doc__ = f"Run the test suite on the {name} backend."
    return session


for _name in BACKENDS:
    _default = not METADATA[_name]["gpu_only"]
    nox.session(name=f"tests-{_name}", default=_default)(_tests(_name))


@nox.session
def lint(session: nox.Session) -> None:
    """Ruff (lint and format check) and mypy (the package's types, pyproject.toml)."""
    # xgrad itself brings NumPy, whose annotations mypy checks calls against.
    session.install("--group", "lint", "-e", ".")
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")
    session.run("mypy")


@nox.session(default=False)
def bench(session: nox.Session) -> None:
    """Overhead benchmark: xgrad vs DeZero 0.0.13 vs PyTorch (CPU)."""
    session.install("-e", ".", "dezero==0.0.13", "torch==2.13.0")
    session.run("python", "benchmarks/overhead.py", *session.posargs)
    session.run("python", "benchmarks/higher_order.py")


# The wheel and the docs: not in the default run (the README's test command);
# .ci/run runs them after it: nox -s build docs docs-examples.
@nox.session(default=False)
def build(session: nox.Session) -> None:
    """Build the sdist and wheel, check them, smoke-test the wheel in a fresh venv."""
    session.install("--group", "build")
    dist = Path(session.create_tmp()) / "dist"
    shutil.rmtree(dist, ignore_errors=True)
    session.run("python", "-m", "build", "--outdir", str(dist), ".")
    archives = sorted(str(p) for p in dist.iterdir())
    session.run("twine", "check", "--strict", *archives)
    fresh = dist.parent / "wheel-env"
    session.run("python", "-m", "venv", "--clear", str(fresh))
    python = str(fresh / "bin" / "python")
    (wheel,) = dist.glob("*.whl")
    session.run(python, "-m", "pip", "install", "-q", str(wheel), external=True)
    session.run(python, "-I", "tests/packaging/wheel_smoke.py", external=True)


@nox.session(name="docs-examples", default=False)
def docs_examples(session: nox.Session) -> None:
    """Run every Python block of README.md and docs/*.md, and xgrad's docstrings."""
    backends = ("numpy", "array_api_strict", "torch", "dask")
    session.install("-e", ".", "--group", "docs-examples")
    session.install(
        *(arg for name in backends for arg in ("-r", f"backends/{name}.txt"))
    )
    session.run(
        "pytest",
        "-p",
        "executed_docs",
        "-p",
        "no:cacheprovider",
        "-W",
        "default::RuntimeWarning",  # NaN and Inf examples warn, as NumPy does
        "--doctest-modules",
        "tests/docs/harness_checks.py",
        "README.md",
        "docs",
        "xgrad",
        *session.posargs,
        env={"PYTHONPATH": "tests/docs"},
    )


@nox.session(default=False)
def docs(session: nox.Session) -> None:
    """Build the HTML guide and API reference into build/site, warnings as errors."""
    session.install("-e", ".", "--group", "docs")
    quiet = {"NO_MKDOCS_2_WARNING": "1"}  # Material's end-of-life banner
    session.run("mkdocs", "build", "--strict", *session.posargs, env=quiet)


if __name__ == "__main__":
    nox.main()
