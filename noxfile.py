#!/usr/bin/env -S uv run --script
# /// script
# dependencies = ["nox>=2024.4.15"]
# ///
"""Test sessions, one per array library: ``nox -l`` lists them.

Each ``backends/<name>.txt`` gives one ``tests-<name>`` session that installs
xgrad with that file's requirements and runs the suite on that backend alone.
A backend whose class declares ``gpu_only`` (CuPy) has its session left out
of a default run: run it by hand on a GPU host (``nox -s tests-cupy``).
``tests-dask-heavy``, the Dask suite's slow part, is left out of the default
run (``nox``) and run by CI (``.ci/run``).
"""

from __future__ import annotations

import os
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
            *METADATA[name]["test_args"],
            *selection,
            *session.posargs,
        )

    session.__doc__ = doc
    return session


for _name in BACKENDS:
    nox.session(name=f"tests-{_name}", default=not METADATA[_name]["gpu_only"])(
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


# The array API standard's own test suite, run against xgrad's namespaces
# (xgrad.array_api.<backend>). It is not on PyPI: the session takes it from
# ARRAY_API_TESTS_DIR, else from the shared copy beside the repository, else
# clones the pinned commit. tests/array_api_tests/ holds the pinned
# requirements and one xfails file per backend, a reason above each entry.
ARRAY_API_TESTS_COMMIT = "55fcc60"
ARRAY_API_TESTS_URL = "https://github.com/data-apis/array-api-tests"
ARRAY_API_BACKENDS = ("numpy", "array_api_strict", "torch")
# Hypothesis examples per test: modest in CI; a long profile by hand with
# `nox -s array-api-tests-numpy -- --max-examples 200`.
ARRAY_API_MAX_EXAMPLES = "20"


def _array_api_suite(session: nox.Session) -> Path:
    """A private copy of the suite, found or cloned at the pinned commit."""
    found = [
        Path(p)
        for p in (
            os.environ.get("ARRAY_API_TESTS_DIR", ""),
            HERE.parent / "shared" / "third_party" / "array-api-tests",
            HERE.parent.parent / "shared" / "third_party" / "array-api-tests",
        )
        if p and (Path(p) / "array_api_tests").is_dir()
    ]
    copy = Path(session.create_tmp()) / "array-api-tests"
    shutil.rmtree(copy, ignore_errors=True)
    if found:
        shutil.copytree(found[0], copy, ignore=shutil.ignore_patterns(".git"))
        return copy
    try:
        session.run("git", "clone", "-q", ARRAY_API_TESTS_URL, str(copy), external=True)
        session.run(
            "git",
            "-C",
            str(copy),
            "checkout",
            "-q",
            ARRAY_API_TESTS_COMMIT,
            external=True,
        )
        session.run(
            "git", "-C", str(copy), "submodule", "update", "--init", external=True
        )
    except nox.command.CommandFailed:
        session.skip(
            "array-api-tests: no copy of the suite (set ARRAY_API_TESTS_DIR) and "
            f"no network to clone {ARRAY_API_TESTS_URL}"
        )
    return copy


def _array_api_tests(name: str, module: str, xfails: str | None):
    def session(session: nox.Session) -> None:
        requirements = HERE / "tests" / "array_api_tests" / "requirements.txt"
        session.install(
            "-e", ".", "-r", f"backends/{name}.txt", "-r", str(requirements)
        )
        suite = _array_api_suite(session)
        # One seed: which of the standard's special cases a run meets depends on
        # the examples drawn, so CI draws the same ones every time.
        args = ["--max-examples", ARRAY_API_MAX_EXAMPLES, "--disable-deadline"]
        args += ["--hypothesis-seed=0"]
        if xfails:  # one argument: a path given apart would make pytest look for
            # its configuration above it, in xgrad's pyproject.toml
            args += [f"--xfails-file={HERE / 'tests' / 'array_api_tests' / xfails}"]
        session.chdir(suite)
        session.run(
            "pytest", "array_api_tests", "-c", "pytest.ini", "-n", "2",
            "-p", "no:cacheprovider", "-q",
            "-W", "ignore::UserWarning", *args, *session.posargs,
            env={
                "ARRAY_API_TESTS_MODULE": module,
                "ARRAY_API_TESTS_VERSION": "2024.12",
            },
        )  # fmt: skip

    return session


for _name in ARRAY_API_BACKENDS:
    nox.session(name=f"array-api-tests-{_name}", default=False)(
        _array_api_tests(_name, f"xgrad.array_api.{_name}", f"{_name}-xfails.txt")
    )
nox.session(name="array-api-tests-reference", default=False)(
    _array_api_tests("array_api_strict", "array_api_strict", None)
)


# SciPy, scikit-learn, array-api-extra and einops calls differentiated through
# xgrad's namespaces (docs/array_api.md, tests/third_party), and the example
# that needs SciPy. Not in the default run: those libraries are not xgrad's
# dependencies; .ci/run runs it.
THIRD_PARTY_BACKENDS = ("numpy", "array_api_strict", "torch")


@nox.session(name="third-party", default=False)
def third_party(session: nox.Session) -> None:
    """The third-party matrix on NumPy, array-api-strict and PyTorch, pinned libraries."""
    requirements = [
        arg for name in THIRD_PARTY_BACKENDS for arg in ("-r", f"backends/{name}.txt")
    ]
    session.install(
        "-e", ".", *requirements, "-r", "tests/third_party/requirements.txt"
    )
    backends = [f"--backend={name}" for name in THIRD_PARTY_BACKENDS]
    common = ["-n", "2", "-p", "no:cacheprovider", *backends]
    env = {"SCIPY_ARRAY_API": "1"}  # SciPy reads it once, at import
    session.run("pytest", "tests/third_party", *common, *session.posargs, env=env)
    session.run(
        "pytest", "tests/test_examples.py", "-k", "scipy_grad", *common, env=env
    )


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
        # SciPy reads SCIPY_ARRAY_API once, at its first import, which any
        # page or docstring may make: docs/array_api.md's SciPy needs it on.
        env={"PYTHONPATH": "tests/docs", "SCIPY_ARRAY_API": "1"},
    )


@nox.session(default=False)
def docs(session: nox.Session) -> None:
    """Build the HTML guide and API reference into build/site, warnings as errors."""
    session.install("-e", ".", "--group", "docs")
    quiet = {"NO_MKDOCS_2_WARNING": "1"}  # Material's end-of-life banner
    session.run("mkdocs", "build", "--strict", *session.posargs, env=quiet)


if __name__ == "__main__":
    nox.main()
