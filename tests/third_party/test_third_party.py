"""The third-party matrix: SciPy, scikit-learn, array-api-extra and einops
calls, differentiated through xgrad's namespace on each backend.

Every row of ``matrix_*.py`` is one call made into a scalar loss. A row that
passes gives, on Variables, the value the same loss gives on NumPy arrays,
and a gradient that agrees with float64 central differences. A row that
cannot be differentiated there (the library hands the data to NumPy,
writes into the user's leaf, returns a Python float) raises its named
error or returns the float: never a gradient that is silently wrong. docs/array_api.md lists
every row with its outcome on NumPy, array-api-strict and PyTorch.
"""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import numpy as np
import pytest

from xgrad import Variable
from xgrad.testing import assert_close, gradient_check

from . import matrix_extra, matrix_scipy, matrix_sklearn
from .matrix_call import PASSES, Call, KnownBug, Refused

CALLS: list[Call] = [*matrix_scipy.CALLS, *matrix_sklearn.CALLS, *matrix_extra.CALLS]
#: the backends the matrix covers (CuPy where a GPU is lent)
MATRIX_BACKENDS = {"numpy": "NumPy", "array_api_strict": "strict", "torch": "PyTorch"}
MATRIX_BACKENDS |= {"cupy": "CuPy"}
DOCS = Path(__file__).resolve().parents[2] / "docs" / "array_api.md"


@pytest.fixture
def matrix_backend(backend):
    if backend.name not in MATRIX_BACKENDS:
        pytest.skip(
            f"{backend.name}: the third-party matrix runs on eager backends "
            f"({', '.join(MATRIX_BACKENDS)}); SciPy and scikit-learn treat a "
            "lazy Dask graph apart"
        )
    return backend


@pytest.mark.parametrize("call", CALLS, ids=[c.id for c in CALLS])
def test_call(call: Call, matrix_backend, device, request) -> None:
    outcome = call.outcome(matrix_backend.name)
    inputs = [Variable(matrix_backend.from_numpy(a, device)) for a in call.inputs]
    if isinstance(outcome, Refused):
        if outcome.error is None:
            assert type(call.loss(*inputs)) is float, outcome.why
        else:
            with pytest.raises(outcome.error, match=outcome.match):
                call.loss(*inputs)
        return
    if isinstance(outcome, KnownBug):
        request.applymarker(pytest.mark.xfail(reason=outcome.reason, strict=True))
    with warnings.catch_warnings():
        if call.numpy_warns:
            warnings.filterwarnings("ignore", call.numpy_warns, RuntimeWarning)
        _check_gradient(call, matrix_backend, inputs)


def _check_gradient(call: Call, matrix_backend, inputs) -> None:
    loss = call.loss(*inputs)
    assert isinstance(loss, Variable), f"{call.id} left the tape: {type(loss)}"
    assert loss.shape == ()
    on_numpy = call.loss(*call.inputs)  # the same loss on plain NumPy arrays
    got = matrix_backend.to_numpy(loss.data)
    assert_close(got, np.asarray(on_numpy), rtol=call.value_rtol, atol=1e-12)
    gradient_check(call.loss, *inputs, rtol=call.rtol, atol=call.atol)


def test_at_least_36_of_40_calls_pass_on_every_backend() -> None:
    assert len(CALLS) >= 40
    for name in ("numpy", "array_api_strict", "torch"):
        passing = [c for c in CALLS if c.outcome(name) == PASSES]
        assert len(passing) >= 36, f"{name}: {len(passing)} of {len(CALLS)}"


def _docs_rows() -> dict[tuple[str, str], list[str]]:
    """docs/array_api.md's tested-calls table: (library, call) -> its cells."""
    rows = {}
    for line in DOCS.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 5 and cells[1].startswith("`"):
            rows[(cells[0], cells[1].strip("`"))] = cells[2:]
    return rows


def _says(cell: str, outcome: object) -> bool:
    if outcome == PASSES:
        return cell == "pass"
    if isinstance(outcome, KnownBug):
        return cell.startswith("NaN")
    return cell != "pass" and bool(re.search(r"\w", cell))


def test_the_docs_list_every_call_with_its_outcome() -> None:
    rows = _docs_rows()
    for call in CALLS:
        key = (call.library, call.call)
        assert key in rows, f"docs/array_api.md: no row for {key}"
        for cell, name in zip(rows[key], MATRIX_BACKENDS, strict=False):
            assert _says(cell, call.outcome(name)), f"{key} on {name}: {cell!r}"
    assert len(rows) == len(CALLS), "docs/array_api.md lists calls the matrix lacks"


_JITTED_IDS = (
    "SciPy:special.logsumexp",
    "SciPy:special.logsumexp(b=)",  # writes into an array it read before
    "SciPy:special.softmax",
    "SciPy:stats.zscore",
    "SciPy:integrate.trapezoid",
)
JITTED = [c for c in CALLS if c.id in _JITTED_IDS]


@pytest.mark.parametrize("call", JITTED, ids=[c.id for c in JITTED])
def test_a_jitted_call_replays_as_eager(call: Call, matrix_backend, device) -> None:
    """xgrad.jit records SciPy's own code and replays it: the same value and
    gradient, checked against an eager call by ``check=True``."""
    import xgrad

    if call.outcome(matrix_backend.name) != PASSES:
        pytest.skip(f"{call.id}: no gradient on {matrix_backend.name}")
    arrays = [matrix_backend.from_numpy(a, device) for a in call.inputs]

    def step(*arrays):
        inputs = [Variable(a) for a in arrays]
        loss = call.loss(*inputs)
        loss.backward()
        return loss, [x.grad for x in inputs]

    run = xgrad.jit(step, check=True)
    for _ in range(4):
        loss, grads = run(*arrays)
    eager_loss, eager_grads = step(*arrays)
    assert_close(loss, eager_loss, rtol=0, atol=0)
    for got, expected in zip(grads, eager_grads, strict=True):
        assert_close(got, expected, rtol=0, atol=0)
