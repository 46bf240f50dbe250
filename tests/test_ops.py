"""Every op in op_cases.py, on every backend: forward, backward, double backward."""

from __future__ import annotations

import numpy as np
import pytest

import xgrad
from xgrad.testing import gradgradcheck, gradient_check

from op_cases import CASES, OpCase

cases = pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])


def _is_float(a: np.ndarray) -> bool:
    return np.issubdtype(a.dtype, np.floating)


def _refused(case: OpCase, backend, to_backend, rng) -> bool:
    """Where the backend refuses the op by design, check its error; True if so."""
    if backend.name not in case.refused:
        return False
    xs = [xgrad.Variable(to_backend(a)) for a in case.inputs(rng)]
    with pytest.raises(NotImplementedError, match="^" + case.refused[backend.name]):
        case.func(*xs)
    return True


@cases
def test_forward_matches_numpy(case: OpCase, backend, to_backend, device, rng):
    if _refused(case, backend, to_backend, rng):
        return
    arrays = case.inputs(rng)
    inputs = [to_backend(a) for a in arrays]
    y = case.func(*[xgrad.Variable(x) for x in inputs])

    expected = np.asarray(case.reference(*arrays))
    assert backend.owns(y.data), f"result is {type(y.data)}, not a {backend.name} array"
    assert y.shape == expected.shape
    assert y.dtype == inputs[0].dtype
    assert backend.device_of(y.data) == backend.device_of(inputs[0])
    np.testing.assert_allclose(
        backend.to_numpy(y.data), expected, rtol=1e-10, atol=1e-12
    )


@cases
def test_backward_matches_central_differences(case: OpCase, backend, to_backend, rng):
    if _refused(case, backend, to_backend, rng):
        return
    gradient_check(case.func, *[to_backend(a) for a in case.inputs(rng)])


@cases
def test_double_backward_matches_central_differences(
    case: OpCase, backend, to_backend, rng
):
    if _refused(case, backend, to_backend, rng):
        return
    if not case.smooth:
        pytest.skip(f"{case.name}: second derivative undefined at the sampled points")
    gradgradcheck(case.func, *[to_backend(a) for a in case.inputs(rng)])


@cases
def test_float32_stays_float32(case: OpCase, backend, to_backend, rng):
    if _refused(case, backend, to_backend, rng):
        return
    arrays = [a.astype(np.float32) if _is_float(a) else a for a in case.inputs(rng)]
    xs = [xgrad.Variable(to_backend(a)) for a in arrays]
    y = case.func(*xs)
    y.backward()

    assert y.dtype == xs[0].dtype
    for x, a in zip(xs, arrays, strict=True):
        if _is_float(a) and x.grad is not None:
            assert x.grad.dtype == x.dtype, f"gradient of {case.name} is {x.grad.dtype}"
