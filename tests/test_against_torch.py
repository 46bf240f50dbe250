"""A second opinion: gradients and second derivatives agree with PyTorch's autograd.

Every example of a row of the op table (tests/op_cases/table.py) that has a
``torch`` reference: xgrad runs it on NumPy, PyTorch computes the same
function with its own autograd. Skipped where PyTorch is not installed.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import xgrad
import xgrad.functions as F

from op_cases import CASES, Example, OpCase, bound, is_float

torch = pytest.importorskip("torch", reason="torch: not installed")

CHECKED = [
    pytest.param(row, example, id=row.example_id(example))
    for row in CASES
    if row.torch is not None
    for example in row.examples
]


def _tensor(value: Any) -> Any:
    """An option for PyTorch: NumPy index arrays as tensors, tuples item by item."""
    if isinstance(value, np.ndarray):
        return torch.as_tensor(value)
    if isinstance(value, tuple):
        return tuple(_tensor(v) for v in value)
    return value


@pytest.mark.parametrize(("row", "example"), CHECKED)
def test_first_and_second_derivatives_agree_with_torch(row: OpCase, example: Example):
    call = example.call(np.random.default_rng(0))
    floats = [is_float(a) for a in call.arrays]
    inputs = [
        xgrad.Variable(a) if f else a for a, f in zip(call.arrays, floats, strict=True)
    ]
    tensors = [
        torch.tensor(a, requires_grad=True) if f else torch.as_tensor(a)
        for a, f in zip(call.arrays, floats, strict=True)
    ]
    xs = [x for x, f in zip(inputs, floats, strict=True) if f]
    ts = [t for t, f in zip(tensors, floats, strict=True) if f]

    y = bound(row, call)(*inputs)
    y_t = row.torch(*tensors, **{k: _tensor(v) for k, v in call.kwargs.items()})
    np.testing.assert_allclose(y.data, y_t.numpy(force=True), rtol=1e-12)

    # first derivatives for a fixed upstream gradient, kept on the graph
    seed = np.cos(np.arange(y.size)).reshape(y.shape)
    if np.iscomplexobj(y.data):  # a complex output's gradient is complex
        seed = seed * (1 - 0.5j)
    y.grad = xgrad.Variable(seed)
    y.backward(create_graph=True)
    grads_t = torch.autograd.grad(y_t, ts, torch.as_tensor(seed), create_graph=True)
    weights = [np.linspace(-1, 1, x.size).reshape(x.shape) for x in xs]
    for x, g_t in zip(xs, grads_t, strict=True):
        np.testing.assert_allclose(x.grad.data, g_t.numpy(force=True), rtol=1e-10)

    # second derivatives: the gradient of Re <grad, w> (real w: a real loss)
    total = sum(F.real(F.sum(x.grad * w)) for x, w in zip(xs, weights, strict=True))
    for x in xs:
        x.cleargrad()
    total.backward()
    total_t = sum(
        torch.real((g * torch.as_tensor(w)).sum())
        for g, w in zip(grads_t, weights, strict=True)
    )
    if total_t.requires_grad:
        second_t = torch.autograd.grad(total_t, ts, allow_unused=True)
    else:  # the first derivative is constant: every second derivative is 0
        second_t = [None] * len(ts)
    for x, s_t in zip(xs, second_t, strict=True):
        expected = np.zeros(x.shape) if s_t is None else s_t.numpy(force=True)
        got = np.zeros(x.shape) if x.grad is None else x.grad.data
        np.testing.assert_allclose(got, expected, rtol=1e-9, atol=1e-12)
