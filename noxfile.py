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
    """Ruff: lint and format check."""
    session.install("ruff==0.17.6")
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")


@nox.session(default=False)
def bench(session: nox.Session) -> None:
    """Overhead benchmark: xgrad vs DeZero 0.0.13 vs PyTorch (CPU)."""
    session.install("-e", ".", "dezero==0.0.13", "torch==2.13.0")
    session.run("python", "benchmarks/overhead.py", *session.posargs)
    session.run("python", "benchmarks/higher_order.py")


if __name__ == "__main__":
    nox.main()
