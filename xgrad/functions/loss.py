"""Losses: mean squared error and the cross entropies, all numerically stable."""

from __future__ import annotations

from typing import Any

from .._inputs import data_like
from ..core import Function, Variable, as_variable
from .activation import sigmoid, softmax
from .elementwise import clip, log
from .reduction import sum as sum_
from .shape import sum_to


def _batch_size(shape: tuple[int, ...]) -> int:
    return shape[0] if shape else 1


class MeanSquaredError(Function):
    def forward(self, x0, x1):
        diff = x0 - x1
        return self.xp.sum(diff * diff) / _batch_size(diff.shape)

    def backward(self, gy):
        x0, x1 = self.inputs
        diff = x0 - x1
        gx0 = gy * diff * (2.0 / _batch_size(diff.shape))
        return sum_to(gx0, x0.shape), sum_to(-gx0, x1.shape)


def mean_squared_error(x0: Any, x1: Any) -> Variable:
    """``sum((x0 - x1) ** 2) / len(x0 - x1)``: DeZero's normalisation (by the batch).

    ``x0`` and ``x1`` may broadcast; each gradient has its input's shape.
    """
    return MeanSquaredError()(x0, x1)


def _labels(t: Any, x: Variable, op: str) -> Any:
    """Check integer class labels ``t`` against logits ``x`` of shape (N, C)."""
    t = data_like(t, x.data)
    backend = x.backend
    xp = backend.xp
    if x.ndim != 2 or tuple(t.shape) != (x.shape[0],):
        raise ValueError(
            f"{op}: expected logits of shape (N, C) and labels of shape (N,), got "
            f"{x.shape} and {tuple(t.shape)}"
        )
    if not xp.isdtype(t.dtype, "integral"):
        raise TypeError(
            f"{op}: labels must be integers (class indices), got dtype {t.dtype}; "
            f"convert with xp.astype(t, xp.int64)"
        )
    n_classes = x.shape[1]
    if t.shape[0] and bool(xp.any((t < 0) | (t >= n_classes))):
        raise ValueError(
            f"{op}: labels must lie in [0, {n_classes}) for {n_classes} classes; got "
            f"values from {int(xp.min(t))} to {int(xp.max(t))}"
        )
    classes = xp.arange(n_classes, device=backend.device_of(x.data))
    return xp.astype(t[:, None] == classes[None, :], x.dtype)


class SoftmaxCrossEntropy(Function):
    def __init__(self, onehot: Any) -> None:
        self.onehot = onehot

    def forward(self, x):
        xp = self.xp
        shifted = x - xp.max(x, axis=1, keepdims=True)
        log_p = shifted - xp.log(xp.sum(xp.exp(shifted), axis=1, keepdims=True))
        return -xp.sum(log_p * self.onehot) / _batch_size(x.shape)

    def backward(self, gy):
        (x,) = self.inputs
        return (softmax(x, axis=1) - Variable(self.onehot)) * (gy / len(x))


def softmax_cross_entropy(x: Any, t: Any) -> Variable:
    """Mean cross entropy of logits ``x`` (N, C) against integer labels ``t`` (N,)."""
    x = as_variable(x)
    return SoftmaxCrossEntropy(_labels(t, x, "softmax_cross_entropy"))(x)


def softmax_cross_entropy_simple(x: Any, t: Any) -> Variable:
    """The book's cross entropy composed from softmax, log and indexing (step 47)."""
    x = as_variable(x)
    _labels(t, x, "softmax_cross_entropy_simple")
    t = data_like(t, x.data)
    xp = x.backend.xp
    rows = xp.arange(len(x), device=x.backend.device_of(x.data))
    log_p = log(clip(softmax(x, axis=1), 1e-15, 1.0))
    return -sum_(log_p[rows, t]) / len(x)


class SigmoidCrossEntropy(Function):
    def __init__(self, t: Any) -> None:
        self.t = t

    def forward(self, x):
        xp = self.xp
        # max(x, 0) - x t + log(1 + exp(-|x|)): no overflow, no log(0)
        loss = (
            xp.maximum(x, xp.zeros_like(x)) - x * self.t + xp.log1p(xp.exp(-xp.abs(x)))
        )
        return xp.sum(loss) / _batch_size(x.shape)

    def backward(self, gy):
        (x,) = self.inputs
        return (sigmoid(x) - Variable(self.t)) * (gy / _batch_size(x.shape))


def _targets(t: Any, like: Variable, op: str) -> Any:
    """Binary targets as an array of the logits' dtype and shape."""
    t = data_like(t, like.data)
    xp = like.backend.xp
    if t.ndim != like.ndim:
        t = xp.reshape(t, like.shape)
    if tuple(t.shape) != like.shape:
        raise ValueError(
            f"{op}: targets of shape {tuple(t.shape)} do not match {like.shape}"
        )
    return xp.astype(t, like.dtype)


def sigmoid_cross_entropy(x: Any, t: Any) -> Variable:
    """Binary cross entropy of logits ``x`` against 0/1 targets ``t``, summed / N."""
    x = as_variable(x)
    return SigmoidCrossEntropy(_targets(t, x, "sigmoid_cross_entropy"))(x)


def binary_cross_entropy(p: Any, t: Any) -> Variable:
    """Binary cross entropy of probabilities ``p`` against 0/1 targets ``t``, summed / N.

    ``p`` is clipped to ``[eps, 1 - eps]`` of its dtype, so 0 and 1 give a
    finite loss.
    """
    p = as_variable(p)
    t = Variable(_targets(t, p, "binary_cross_entropy"))
    eps = float(p.backend.xp.finfo(p.dtype).eps)
    p = clip(p, eps, 1.0 - eps)
    return -sum_(t * log(p) + (1 - t) * log(1 - p)) / _batch_size(p.shape)
