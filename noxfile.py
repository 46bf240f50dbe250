#!/usr/bin/env -S uv run --script
# /// script
# dependencies = ["nox>=2024.4.15"]
# ///
"""Test sessions, one per array library: ``nox -l`` lists them.

Each ``backends/<name>.txt`` gives one ``tests-<name>`` session that installs
xgrad with that file's requirements and runs the suite on that backend alone.
``tests-cupy`` needs a GPU and is run by hand (``nox -s tests-cupy``);
``tests-dask-heavy``, the Dask suite's slow part, is left out of the default
run (``nox``) and run by CI (``.ci/run``).
"""

from __future__ import annotations

from pathlib import Path

import nox

nox.needs_version = ">=2024.4.15"
nox.options.default_venv_backend = "virtualenv"
nox.options.reuse_existing_virtualenvs = True

HERE = Path(__file__).parent
BACKENDS = sorted(
    p.stem for p in (HERE / "backends").glob("*.txt") if p.stem != "common"
)
GPU_ONLY = {"cupy"}
# Hypothesis fuzzing (tests/fuzz) runs on the eager backends: on Dask every
# drawn example builds and computes a fresh task graph, minutes per op. The
# op suite (tests/test_ops.py), the engine and everything else run on Dask.
EXTRA_ARGS = {"dask": ["--ignore=tests/fuzz"]}
# The slow part of the Dask suite, as a pytest -k expression: on Dask the
# convolution and pooling cases of the op suite (double backward above all),
# the training tests and the LocalCluster tests (marked slow), 111 of its
# 1505 tests, take more than half its time (2.6 of 4.4 minutes on a shared
# 2-core machine; 13.7 minutes for the whole at a load average of 8).
# tests-dask runs the rest in the default run; tests-dask-heavy runs this
# part, by hand and in CI (.ci/run), so the two together run everything.
DASK_HEAVY = "slow or conv2d or deconv2d or pooling or im2col or col2im or _learns"
SPLIT_ARGS = {"dask": ["-k", f"not ({DASK_HEAVY})"]}


def _tests(name: str, selection: list[str], doc: str):
    def session(session: nox.Session) -> None:
        session.install("-e", ".", "-r", f"backends/{name}.txt")
        session.run(
            "pytest",
            f"--backend={name}",
            "-n",
            "2",
            "-p",
            "no:cacheprovider",
            *EXTRA_ARGS.get(name, []),
            *selection,
            *session.posargs,
        )

    session.__doc__ = doc
    return session


for _name in BACKENDS:
    nox.session(name=f"tests-{_name}", default=_name not in GPU_ONLY)(
        _tests(
            _name,
            SPLIT_ARGS.get(_name, []),
            f"Run the test suite on the {_name} backend.",
        )
    )

nox.session(name="tests-dask-heavy", default=False)(
    _tests(
        "dask",
        ["-k", DASK_HEAVY],
        "Run the Dask suite's slow part (CI runs it; not in the default run).",
    )
)


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
