"""A second opinion: gradients and second derivatives agree with PyTorch's autograd.

xgrad runs on NumPy; PyTorch computes the same function with its own
autograd. Skipped where PyTorch is not installed.
"""

from __future__ import annotations

import numpy as np
import pytest

import xgrad
import xgrad.functions as F

torch = pytest.importorskip("torch", reason="torch: not installed")
tf = pytest.importorskip("torch.nn.functional")

LABELS = np.array([2, 0, 1, 2])

CASES = {
    "tanh": (F.tanh, torch.tanh, [(3, 4)]),
    "sigmoid": (F.sigmoid, torch.sigmoid, [(3, 4)]),
    "softmax": (F.softmax, lambda x: torch.softmax(x, dim=1), [(4, 3)]),
    "log_softmax": (F.log_softmax, lambda x: torch.log_softmax(x, dim=1), [(4, 3)]),
    "logsumexp": (
        lambda x: F.logsumexp(x, axis=1),
        lambda x: torch.logsumexp(x, dim=1),
        [(4, 3)],
    ),
    "batched_matmul": (F.matmul, torch.matmul, [(2, 3, 4), (4, 5)]),
    "linear": (F.linear, lambda x, w, b: x @ w + b, [(4, 3), (3, 2), (2,)]),
    "softmax_cross_entropy": (
        lambda x: F.softmax_cross_entropy(x, LABELS),
        lambda x: tf.cross_entropy(x, torch.as_tensor(LABELS)),
        [(4, 3)],
    ),
    "sigmoid_cross_entropy": (
        lambda x: F.sigmoid_cross_entropy(x, (LABELS == 2).astype(np.int64)),
        lambda x: (
            tf.binary_cross_entropy_with_logits(
                x, torch.as_tensor((LABELS == 2).astype(np.float64)), reduction="sum"
            )
            / 4
        ),
        [(4,)],
    ),
    "mse_broadcast": (
        F.mean_squared_error,
        lambda a, b: ((a - b) ** 2).sum() / 3,
        [(3, 1), (3,)],
    ),
    "repeated_index": (
        lambda x: x[np.array([0, 2, 0, 0])] * 2.0,
        lambda x: x[torch.as_tensor([0, 2, 0, 0])] * 2.0,
        [(3, 2)],
    ),
    "rosenbrock": (
        lambda x: F.sum(100 * (x[1:] - x[:-1] ** 2) ** 2 + (x[:-1] - 1) ** 2),
        lambda x: torch.sum(100 * (x[1:] - x[:-1] ** 2) ** 2 + (x[:-1] - 1) ** 2),
        [(5,)],
    ),
    "power_and_division": (
        lambda a, b: (a**b) / (1.0 + b * b),
        lambda a, b: (a**b) / (1.0 + b * b),
        [(2, 3), (3,)],
    ),
}


def _inputs(shapes, seed=0):
    rng = np.random.default_rng(seed)
    return [rng.uniform(0.5, 1.5, s) for s in shapes]


@pytest.mark.parametrize("name", list(CASES))
def test_first_and_second_derivatives_agree_with_torch(name):
    ours, theirs, shapes = CASES[name]
    arrays = _inputs(shapes)
    xs = [xgrad.Variable(a) for a in arrays]
    ts = [torch.tensor(a, requires_grad=True) for a in arrays]

    y = ours(*xs)
    y_t = theirs(*ts)
    np.testing.assert_allclose(y.data, y_t.detach().numpy(), rtol=1e-12)

    # first derivatives for a fixed upstream gradient, kept on the graph
    seed = np.cos(np.arange(y.size)).reshape(y.shape)
    y.grad = xgrad.Variable(seed)
    y.backward(create_graph=True)
    grads_t = torch.autograd.grad(y_t, ts, torch.as_tensor(seed), create_graph=True)
    weights = [np.linspace(-1, 1, a.size).reshape(a.shape) for a in arrays]
    for x, g_t in zip(xs, grads_t, strict=True):
        np.testing.assert_allclose(x.grad.data, g_t.detach().numpy(), rtol=1e-10)

    # second derivatives: the gradient of <grad, w>
    total = sum(F.sum(x.grad * w) for x, w in zip(xs, weights, strict=True))
    for x in xs:
        x.cleargrad()
    total.backward()
    total_t = sum(
        (g * torch.as_tensor(w)).sum() for g, w in zip(grads_t, weights, strict=True)
    )
    if total_t.requires_grad:
        second_t = torch.autograd.grad(total_t, ts, allow_unused=True)
    else:  # the first derivative is constant: every second derivative is 0
        second_t = [None] * len(ts)
    for x, s_t in zip(xs, second_t, strict=True):
        expected = np.zeros(x.shape) if s_t is None else s_t.numpy()
        got = np.zeros(x.shape) if x.grad is None else x.grad.data
        np.testing.assert_allclose(got, expected, rtol=1e-9, atol=1e-12)
