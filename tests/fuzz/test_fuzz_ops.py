"""Property-based fuzzing of every op in ``xgrad.functions``, on every backend.

Each row of the op table (tests/op_cases/table.py) with a ``fuzz`` strategy
says how Hypothesis draws its inputs (tests/op_cases/strategies*.py): shapes
from 0-d to 4-D with size-0 axes and broadcasting pairs, values up to large
magnitudes, kept away from kinks and poles by construction. The tests run
every such row on every backend:

- ``test_forward_and_gradient``: float64 values against NumPy, and the
  gradient against central differences (``gradient_check``);
- ``test_dtype_shape_namespace_device``: float32 or float64 in, the same
  dtype, shape, library and device out, for the outputs, the gradients and
  the second-order gradients;
- ``test_second_derivative``: ``gradgradcheck`` for every differentiable op
  (piecewise-linear ones included: away from their kinks it is 0).

Numerical edge cases (1e4 logits, kinks, empty batches) are pinned one by one
in ``test_edge_cases.py``. Profiles (``ci``, ``long``) live in conftest.py.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from xgrad import Variable
from xgrad.testing import gradgradcheck, gradient_check

from op_cases import (
    CASES,
    ROWS,
    Call,
    OpCase,
    bound,
    in_precision,
    is_float,
    joined,
    outputs,
    precision,
    quiet,
    real_loss,
)


def _fuzz_settings() -> settings:
    """The loaded profile if it is a fuzz one (``--hypothesis-profile=long``), else
    ci: without the option, no other test's settings change."""
    if settings.get_current_profile_name().split("-with-")[0] in ("ci", "long"):
        return settings.default
    return settings(settings.get_profile("ci"), verbosity=settings.default.verbosity)


FUZZ = _fuzz_settings()
FUZZED = [row for row in CASES if row.fuzz is not None]
DIFFERENTIABLE = [row for row in FUZZED if row.differentiable]


def _rows(rows: list[OpCase]):
    """Parametrize by row name: failure reports then name the row, not its lambdas."""
    return pytest.mark.parametrize("name", [row.name for row in rows])


# -- running a row --------------------------------------------------------------------
def _wrap(inputs: list[Any], arrays: list[np.ndarray]) -> list[Any]:
    """Floating inputs as Variables; labels, ids, masks as they are."""
    return [
        Variable(x) if is_float(a) else x for x, a in zip(inputs, arrays, strict=True)
    ]


def _refused(row: OpCase, call: Call, backend, inputs: list[Any]) -> bool:
    """Where the backend refuses the op by design, check its error; True if so."""
    if backend.name not in row.refused:
        return False
    with pytest.raises(NotImplementedError, match="^" + row.refused[backend.name]):
        bound(row, call)(*_wrap(inputs, call.arrays))
    return True


def _magnitude(arrays: list[Any]) -> float:
    """Sum of absolute values: what central differences lose to rounding scales with."""
    return float(sum(np.sum(np.abs(np.asarray(a)), dtype=np.float64) for a in arrays))


def _check(
    what: str, v: Variable, backend, like: Any, shape: tuple, complex_: bool
) -> None:
    """``v`` is an array of ``backend`` on ``like``'s device, with ``like``'s
    precision (complex if ``complex_``), and ``shape``."""
    assert backend.owns(v.data), f"{what} is a {type(v.data)}, not {backend.name}"
    device, want = backend.device_of(v.data), backend.device_of(like)
    assert device == want, f"{what} on {device}, inputs on {want}"
    bits, _ = precision(backend, like.dtype)
    got = precision(backend, v.dtype)
    assert got == (bits, complex_), f"{what} has dtype {v.dtype}, inputs {like.dtype}"
    assert v.shape == tuple(shape), f"{what} has shape {v.shape}, expected {shape}"


def _is_complex(backend, v: Variable) -> bool:
    return precision(backend, v.dtype)[1]


# -- the tests ------------------------------------------------------------------------
@_rows(DIFFERENTIABLE)
@FUZZ
@given(data=st.data())
def test_forward_and_gradient(name: str, data, backend, to_backend):
    """Float64: values as NumPy's, gradients as float64 central differences."""
    row = ROWS[name]
    call = data.draw(row.fuzz, label=name)
    f = bound(row, call)
    inputs = [to_backend(a) for a in call.arrays]
    if _refused(row, call, backend, inputs):
        return
    ys = outputs(f(*_wrap(inputs, call.arrays)))
    want = outputs(quiet(row.reference, *call.arrays, **call.kwargs))
    assert len(ys) == len(want)
    floats = [a for a in call.arrays if a.size and is_float(a)]
    scale = 1.0 + max((float(np.max(np.abs(a))) for a in floats), default=0.0)
    for y, w in zip(ys, want, strict=True):
        w = np.asarray(w)
        assert y.shape == w.shape, f"{name}: shape {y.shape}, NumPy {w.shape}"
        if row.exact:
            got = backend.to_numpy(y.data)
            np.testing.assert_allclose(got, w, rtol=1e-7, atol=1e-9 * scale)
    got = [backend.to_numpy(y.data) for y in ys]
    atol = 1e-5 + 1e-10 * (_magnitude(got) + _magnitude(call.arrays))
    gradient_check(f, *inputs, rtol=1e-4, atol=atol)


@_rows(FUZZED)
@FUZZ
@given(data=st.data(), dtype=st.sampled_from([np.float32, np.float64]))
def test_dtype_shape_namespace_device(name: str, data, dtype, backend, to_backend):
    """Outputs and gradients (first and second order) keep dtype, library, device."""
    row = ROWS[name]
    call = data.draw(row.fuzz, label=name)
    arrays = [in_precision(a, dtype) if is_float(a) else a for a in call.arrays]
    inputs = [to_backend(a) for a in arrays]
    like = next(x for x, a in zip(inputs, arrays, strict=True) if is_float(a))
    if _refused(row, call, backend, inputs):
        return
    xs = _wrap(inputs, arrays)
    ys = outputs(bound(row, call)(*xs))
    want = outputs(quiet(row.reference, *call.arrays, **call.kwargs))
    for i, (y, w) in enumerate(zip(ys, want, strict=True)):
        complex_ = np.iscomplexobj(w)
        _check(f"{name}: output {i}", y, backend, like, np.shape(w), complex_)
    if not row.differentiable:
        return
    real_loss(ys).backward(create_graph=True)
    variables = [x for x in xs if isinstance(x, Variable)]
    grads = [x.grad for x in variables]
    for i, (x, g) in enumerate(zip(variables, grads, strict=True)):
        if g is not None:
            complex_ = _is_complex(backend, x)  # a real input's gradient is real
            _check(f"{name}: gradient {i}", g, backend, like, x.shape, complex_)
    grads = [g for g in grads if g is not None]
    if not grads:
        return
    for x in variables:
        x.cleargrad()
    real_loss([g * g for g in grads]).backward()
    for i, x in enumerate(variables):
        if x.grad is not None:
            what, complex_ = (
                f"{name}: second-order gradient {i}",
                _is_complex(backend, x),
            )
            _check(what, x.grad, backend, like, x.shape, complex_)


@_rows(DIFFERENTIABLE)
@FUZZ
@given(data=st.data())
def test_second_derivative(name: str, data, backend, to_backend):
    """Float64 second derivatives (``gradgradcheck``) against central differences."""
    row = ROWS[name]
    call = data.draw(row.fuzz, label=name)
    inputs = [to_backend(a) for a in call.arrays]
    if _refused(row, call, backend, inputs):
        return
    f = joined(bound(row, call))
    y = backend.to_numpy(f(*_wrap(inputs, call.arrays)).data)
    atol = 1e-4 + 1e-9 * (_magnitude([y]) + _magnitude(call.arrays))
    gradgradcheck(f, *inputs, rtol=1e-3, atol=atol)
