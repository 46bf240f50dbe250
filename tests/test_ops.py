"""Every example of the op table, on every backend: forward, backward, double backward.

The rows live in tests/op_cases/table.py; each example is a fixed call,
checked tightly: values against NumPy (rtol 1e-10), gradients and second
derivatives against float64 central differences, float32 kept.
"""

from __future__ import annotations

import numpy as np
import pytest

import xgrad
from xgrad.testing import gradgradcheck, gradient_check

from op_cases import (
    CASES,
    Call,
    Example,
    OpCase,
    bound,
    in_precision,
    is_float,
    joined,
    outputs,
    precision,
    real_loss,
)


def _examples(differentiable_only: bool = False):
    params = [
        pytest.param(row, example, id=row.example_id(example))
        for row in CASES
        for example in row.examples
        if row.differentiable or not differentiable_only
    ]
    return pytest.mark.parametrize(("row", "example"), params)


def _first_float(inputs: list, call: Call):
    return next(x for x, a in zip(inputs, call.arrays, strict=True) if is_float(a))


def _refused(row: OpCase, call: Call, backend, to_backend) -> bool:
    """Where the backend refuses the op by design, check its error; True if so."""
    if backend.name not in row.refused:
        return False
    xs = [xgrad.Variable(to_backend(a)) for a in call.arrays]
    with pytest.raises(NotImplementedError, match="^" + row.refused[backend.name]):
        bound(row, call)(*xs)
    return True


@_examples()
def test_forward_matches_numpy(
    row: OpCase, example: Example, backend, to_backend, device, rng
):
    call = example.call(rng)
    if _refused(row, call, backend, to_backend):
        return
    inputs = [to_backend(a) for a in call.arrays]
    ys = outputs(bound(row, call)(*[xgrad.Variable(x) for x in inputs]))

    want = outputs(row.reference(*call.arrays, **call.kwargs))
    like = _first_float(inputs, call)
    assert len(ys) == len(want)
    for y, w in zip(ys, want, strict=True):
        w = np.asarray(w)
        assert backend.owns(y.data), f"result is {type(y.data)}, not {backend.name}"
        assert y.shape == w.shape
        bits, _ = precision(backend, like.dtype)  # precision kept; complex as NumPy
        assert precision(backend, y.dtype) == (bits, np.iscomplexobj(w))
        assert backend.device_of(y.data) == backend.device_of(like)
        if row.exact:
            got = backend.to_numpy(y.data)
            np.testing.assert_allclose(got, w, rtol=1e-10, atol=1e-12)


@_examples(differentiable_only=True)
def test_backward_matches_central_differences(
    row: OpCase, example: Example, backend, to_backend, rng
):
    call = example.call(rng)
    if _refused(row, call, backend, to_backend):
        return
    f = bound(row, call, row.example_id(example))
    gradient_check(f, *[to_backend(a) for a in call.arrays])


@_examples(differentiable_only=True)
def test_double_backward_matches_central_differences(
    row: OpCase, example: Example, backend, to_backend, rng
):
    call = example.call(rng)
    if _refused(row, call, backend, to_backend):
        return
    f = joined(bound(row, call, row.example_id(example)))
    gradgradcheck(f, *[to_backend(a) for a in call.arrays])


@_examples()
def test_float32_stays_float32(row: OpCase, example: Example, backend, to_backend, rng):
    call = example.call(rng)
    if _refused(row, call, backend, to_backend):
        return
    arrays = [in_precision(a, np.float32) if is_float(a) else a for a in call.arrays]
    xs = [xgrad.Variable(to_backend(a)) for a in arrays]
    ys = outputs(bound(row, call)(*xs))
    if row.differentiable:
        real_loss(ys).backward()

    for y in ys:
        bits, _ = precision(backend, y.dtype)
        assert bits == 32, f"{row.name} gives {y.dtype} for float32 input"
    for x, a in zip(xs, arrays, strict=True):
        if is_float(a) and x.grad is not None:
            assert x.grad.dtype == x.dtype, f"gradient of {row.name} is {x.grad.dtype}"
