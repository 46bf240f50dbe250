"""Fixtures that run each test on every backend in the registry.

``backend`` is parametrized from :func:`xgrad.backends.names`, narrowed by
``--backend`` (repeatable) or ``XGRAD_BACKENDS=a,b``; a backend that is not
installed, or has no device, skips with a one-line reason. ``xp`` and
``device`` derive from it; ``device`` is a non-default device where the
library has one (array-api-strict's ``device1``), so that tests catch arrays
left on the default device.
"""

from __future__ import annotations

import os
from collections import Counter
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, settings

import xgrad
from xgrad import backends

# Hypothesis profiles for tests/fuzz: ``ci`` is what the fuzz modules use unless
# a fuzz profile is loaded; ``long`` (``--hypothesis-profile=long``) draws many
# more examples per op. Registered here, not in tests/fuzz/conftest.py, because
# Hypothesis loads the profile before pytest reaches sub-folder conftests.
# No deadline (a backend's first call is slow); the function-scoped backend
# fixtures hold no per-example state.
_FUZZ_SETTINGS = {
    "deadline": None,
    "print_blob": True,
    "suppress_health_check": [
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
    ],
}
settings.register_profile("ci", max_examples=20, **_FUZZ_SETTINGS)
settings.register_profile("long", max_examples=150, **_FUZZ_SETTINGS)

# ``--device torch:cuda`` (repeatable) sets or replaces a backend's test device,
# which its class declares as ``test_device`` (array-api-strict's ``device1``).
_TEST_DEVICES: dict[str, str] = {}


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--backend",
        action="append",
        default=[],
        help="run backend tests only on this backend (repeatable); "
        f"one of {backends.names()}",
    )
    parser.addoption(
        "--device",
        action="append",
        default=[],
        metavar="BACKEND:NAME",
        help="run the device-aware tests of BACKEND on its device NAME "
        "(repeatable), e.g. --device torch:cuda on a GPU host",
    )


def pytest_configure(config: pytest.Config) -> None:
    for spec in config.getoption("--device"):
        name, _, device = spec.partition(":")
        if name not in backends.names() or not device:
            raise pytest.UsageError(
                f"--device {spec!r}: expected BACKEND:NAME with BACKEND one of "
                f"{backends.names()}, e.g. torch:cuda"
            )
        _TEST_DEVICES[name] = device


def _selected(config: pytest.Config) -> set[str] | None:
    chosen = list(config.getoption("--backend"))
    env = os.environ.get("XGRAD_BACKENDS", "")
    chosen += [name.strip() for name in env.split(",") if name.strip()]
    unknown = set(chosen) - set(backends.names())
    if unknown:
        raise pytest.UsageError(
            f"--backend: unknown backend(s) {sorted(unknown)}; known: {backends.names()}"
        )
    return set(chosen) or None


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "backend_name" in metafunc.fixturenames:
        selected = _selected(metafunc.config)
        params = [
            pytest.param(
                name,
                id=name,
                marks=[pytest.mark.gpu] if backends.get(name).gpu_only else [],
            )
            for name in backends.names()
            if selected is None or name in selected
        ]
        metafunc.parametrize("backend_name", params, scope="session")


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    """One line per distinct skip reason, with how many tests it skipped.

    The suite skips whole backends' worth of tests (a backend not selected or
    not installed), so ``-rs`` would print hundreds of lines saying a few
    things; ``-rs`` still lists them one by one, and then this is not printed.
    """
    reportchars = config.getoption("reportchars")
    skipped = terminalreporter.stats.get("skipped", [])
    if not skipped or any(c in reportchars for c in "saA"):
        return
    reasons = Counter(
        str(r.longrepr[2]).removeprefix("Skipped: ")
        if isinstance(r.longrepr, tuple)
        else str(r.longrepr)
        for r in skipped
    )
    terminalreporter.section(f"{len(skipped)} skipped, by reason", sep="-")
    for reason, count in reasons.most_common():
        terminalreporter.line(f"{count:5d}  {reason}")


@pytest.fixture(scope="session")
def backend_name(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def backend(backend_name: str, request: pytest.FixtureRequest) -> backends.Backend:
    """The Backend under test; skips when it is not selected or not usable here."""
    b = backends.get(backend_name)
    if not b.is_available():
        pytest.skip(b.unavailable_reason())
    for marker in request.node.iter_markers("skip_backend"):
        _check_marker(marker)
        if marker.args[0] == backend_name:
            pytest.skip(f"{backend_name}: {marker.kwargs['reason']}")
    for marker in request.node.iter_markers("xfail_backend"):
        _check_marker(marker)
        if marker.args[0] == backend_name:
            request.applymarker(
                pytest.mark.xfail(reason=marker.kwargs["reason"], strict=True)
            )
    return b


def _check_marker(marker: pytest.Mark) -> None:
    if (
        len(marker.args) != 1
        or marker.args[0] not in backends.names()
        or "reason" not in marker.kwargs
    ):
        raise pytest.UsageError(
            f"@pytest.mark.{marker.name} takes one registered backend name and reason=...; "
            f"got args={marker.args} kwargs={marker.kwargs}"
        )


@pytest.fixture(scope="session")
def dask_array(request: pytest.FixtureRequest) -> Any:
    """``dask.array``, for the Dask-only tests (tests/test_dask*.py).

    Skips unless the dask backend is selected (``--backend dask``, or no
    selection) and installed, so the other backends' sessions skip them.
    """
    selected = _selected(request.config)
    if selected is not None and "dask" not in selected:
        pytest.skip("dask: not selected (--backend dask runs the Dask-only tests)")
    dask = backends.get("dask")
    if not dask.is_available():
        pytest.skip(dask.unavailable_reason())
    import dask.array

    return dask.array


@pytest.fixture
def xp(backend: backends.Backend) -> Any:
    """The array namespace of the backend under test."""
    return backend.xp


@pytest.fixture
def device(backend: backends.Backend) -> Any:
    """A device of the backend under test, non-default where one exists."""
    name = _TEST_DEVICES.get(backend.name, backend.test_device)
    return backend.native_device(name) if name else None


@pytest.fixture
def device_spec(backend: backends.Backend, device: Any) -> str:
    """The ``device`` fixture as a spec string (``"array_api_strict:device1"``)."""
    return str(xgrad.device(device)) if device is not None else backend.name


@pytest.fixture
def to_backend(backend: backends.Backend, device: Any):
    """Turn NumPy data into an array of the backend under test, on ``device``."""

    def convert(a: Any) -> Any:
        return backend.from_numpy(np.asarray(a), device)

    return convert


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(0)


@pytest.fixture(autouse=True)
def _fresh_config():
    """Every test starts with the default settings."""
    with xgrad.using_config("enable_backprop", True), xgrad.using_config("train", True):
        yield
