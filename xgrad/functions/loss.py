"""Losses: mean squared error and the cross entropies, all numerically stable."""

from __future__ import annotations

import math
from typing import Any

from .._inputs import (
    check_numeric,
    data_like,
    floating,
    operand,
)
from ..core import Function, Variable
from ..domains import kind
from .activation import sigmoid, softmax
from .clipping import clip
from .complex_numbers import conj_of
from .elementwise import log
from .reduction import sum as sum_
from .shape import sum_to
from .temporaries import multiply_into, subtract_into


def _batch_size(shape: tuple[int, ...]) -> int:
    return shape[0] if shape else 1


class MeanSquaredError(Function):
    def forward(self, x0, x1):
        diff = x0 - x1
        total = floating(self.backend, self.xp.sum(diff * diff))  # int: floating
        return total / _batch_size(diff.shape)

    def backward(self, gy):
        x0, x1 = self.inputs
        diff = conj_of(x0 - x1, self.backend)  # complex: the holomorphic rule
        n = _batch_size(diff.shape)
        scale = 2.0 / n if n else math.nan  # an empty batch: NaN, like the loss
        gx0 = diff * scale * gy  # int diff: floating
        return sum_to(gx0, x0.shape), sum_to(-gx0, x1.shape)


def mean_squared_error(x0: Any, x1: Any) -> Variable:
    """``sum((x0 - x1) ** 2) / len(x0 - x1)``: DeZero's normalisation (by the batch).

    ``x0`` and ``x1`` may broadcast; each gradient has its input's shape.

    Parameters
    ----------
    x0, x1 : Variable or array
        Predictions and targets; the first axis is the batch.

    Returns
    -------
    Variable
        A 0-d Variable.
    """
    return MeanSquaredError()(x0, x1)


def _logits(x: Any, op: str) -> Variable:
    """Real logits (or probabilities) as a Variable; clear errors for the rest."""
    x = operand(x, op, 0)
    check_numeric(op, x.data)
    if kind(x.backend, x.dtype) == "complex floating":
        raise TypeError(
            f"{op}: got complex logits (dtype {x.dtype}, shape {x.shape}); "
            f"pass a real floating array"
        )
    return x


def _labels(t: Any, x: Variable, op: str) -> Any:
    """Integer class labels ``t``, checked against logits ``x`` (N, C), one-hot."""
    t = _checked_labels(t, x, op)
    backend, dtype = x.backend, x.dtype
    if kind(backend, dtype) != "real floating":  # integer logits: as forward
        dtype = backend.default_float(backend.device_of(x.data))
    return backend.one_hot(t, x.shape[1], dtype)


def _checked_labels(t: Any, x: Variable, op: str) -> Any:
    """Integer class labels ``t`` checked against logits ``x`` of shape (N, C); on
    a lazy backend the range check runs with the graph that uses the result."""
    t = data_like(t, x.data)
    backend = x.backend
    if x.ndim != 2 or tuple(t.shape) != (x.shape[0],):
        raise ValueError(
            f"{op}: expected logits of shape (N, C) and labels of shape (N,), got "
            f"{x.shape} and {tuple(t.shape)}; labels are class indices, not one-hot "
            f"rows (one-hot t: xp.argmax(t, axis=1))"
        )
    if kind(backend, t.dtype) != "integral":
        raise TypeError(
            f"{op}: labels must be integers (class indices), got dtype {t.dtype}; "
            f"convert with xp.astype(t, xp.int64)"
        )
    shape = x.shape  # now: the message may be made later (a replay, a lazy graph)
    n_classes = shape[1]
    if t.shape[0]:  # checked by the backend: lazy ones check when the graph runs
        t = backend.assert_in_range(
            t,
            0,
            n_classes,
            lambda lo, hi: ValueError(
                f"{op}: labels must lie in [0, {n_classes}) for logits {shape} "
                f"of {n_classes} classes; got values from {int(lo)} to {int(hi)}. "
                f"Fix the labels, or give the model's last layer one output per "
                f"class"
            ),
        )
    return t


class SoftmaxCrossEntropy(Function):
    domain = "real floating"

    def __init__(self, onehot: Any) -> None:
        self.onehot = onehot

    def forward(self, x):
        xp = self.xp
        top = xp.max(x, axis=1, keepdims=True)
        e = xp.exp(x - top)
        total = xp.sum(e, axis=1, keepdims=True)
        self.exp_total = (e, total)  # the softmax, for the backward pass
        # sum(log_p * onehot), log_p = x - (top + log(total)): each row's picked
        # logit less its log-sum-exp (a row of onehot sums to 1), no log_p array
        if x.dtype == self.onehot.dtype:
            picked = xp.vecdot(x, self.onehot, axis=-1)
        else:
            picked = xp.sum(x * self.onehot, axis=1)
        lse = top[:, 0] + xp.log(total[:, 0])
        return -xp.sum(picked - lse) / _batch_size(x.shape)

    def backward(self, gy):
        grad = SoftmaxCrossEntropyGrad(self.onehot, self.exp_total)
        return grad(self.inputs[0], gy)


class SoftmaxCrossEntropyGrad(Function):
    """``(softmax(x) - onehot) * gy / N``: the loss's gradient as one op.

    Its backward, built from differentiable functions, gives the higher
    derivatives: the softmax's Jacobian for ``x``, and ``sum((p - t) * g) / N``
    for ``gy``.
    """

    def __init__(self, onehot: Any, exp_total: tuple[Any, Any]) -> None:
        self.onehot, self.exp_total = onehot, exp_total

    def forward(self, x, gy):
        e, total = self.exp_total  # from the loss's forward pass: not recomputed
        gx = e / total  # ours: the rest in place
        gx = subtract_into(gx, self.onehot)
        return multiply_into(gx, gy / _batch_size(x.shape))

    def backward(self, ggx):
        x, gy = self.inputs
        n = _batch_size(x.shape)
        p = softmax(x, axis=1)
        u = ggx * (gy / n)  # the upstream gradient of softmax(x)
        pu = p * u
        gx = pu - p * sum_(pu, axis=1, keepdims=True)
        ggy = sum_((p - Variable(self.onehot)) * ggx) / n
        return gx, ggy


def softmax_cross_entropy(x: Any, t: Any) -> Variable:
    """Mean cross entropy of logits ``x`` (N, C) against integer labels ``t`` (N,).

    The logits are shifted by their row maximum, so logits of any size give
    finite values.

    Parameters
    ----------
    x : Variable or array
        Unnormalised scores, shape (N, C), real floating.
    t : array of int
        Labels in ``[0, C)``, shape (N,); moved to ``x``'s backend and device.

    Returns
    -------
    Variable
        A 0-d Variable: ``-mean(log_softmax(x)[i, t[i]])``.

    Raises
    ------
    ValueError
        If the shapes disagree or a label is outside ``[0, C)`` (on a lazy
        backend, when the result is computed).
    TypeError
        If the labels are not integers.
    """
    x = _logits(x, "softmax_cross_entropy")
    return SoftmaxCrossEntropy(_labels(t, x, "softmax_cross_entropy"))(x)


def softmax_cross_entropy_simple(x: Any, t: Any) -> Variable:
    """The book's cross entropy composed from softmax, log and indexing (step 47)."""
    x = _logits(x, "softmax_cross_entropy_simple")
    t = _checked_labels(t, x, "softmax_cross_entropy_simple")
    xp = x.backend.xp
    rows = xp.arange(len(x), device=x.backend.device_of(x.data))
    log_p = log(clip(softmax(x, axis=1), 1e-15, 1.0))
    return -sum_(log_p[rows, t]) / len(x)


class SigmoidCrossEntropy(Function):
    domain = "real floating"

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
    """Binary targets in [0, 1], as an array of the logits' shape and float dtype."""
    t = data_like(t, like.data)
    backend = like.backend
    xp = backend.xp
    if math.prod(t.shape) != like.size or (
        t.ndim == like.ndim and tuple(t.shape) != like.shape
    ):
        raise ValueError(
            f"{op}: targets of shape {tuple(t.shape)} do not match the input's "
            f"shape {like.shape}; pass one 0/1 target per element"
        )
    if not xp.isdtype(t.dtype, ("bool", "integral", "real floating")):
        raise TypeError(
            f"{op}: targets must be bool, integer or real floating, got dtype "
            f"{t.dtype}; convert with xp.astype(t, xp.float32)"
        )
    if t.ndim != like.ndim:
        t = xp.reshape(t, like.shape)
    dtype = like.dtype
    if not xp.isdtype(dtype, "real floating"):
        dtype = backend.default_float(backend.device_of(like.data))
    t = xp.astype(t, dtype)
    if like.size:  # checked by the backend: lazy ones check when the graph runs
        t = backend.assert_in_range(
            t,
            0,
            1,
            lambda lo, hi: ValueError(
                f"{op}: targets must lie in [0, 1]; got values from {lo} to {hi}. "
                f"For class indices use softmax_cross_entropy"
            ),
            include_high=True,
        )
    return t


def sigmoid_cross_entropy(x: Any, t: Any) -> Variable:
    """Binary cross entropy of logits ``x`` against 0/1 targets ``t``, summed / N."""
    x = _logits(x, "sigmoid_cross_entropy")
    return SigmoidCrossEntropy(_targets(t, x, "sigmoid_cross_entropy"))(x)


def binary_cross_entropy(p: Any, t: Any) -> Variable:
    """Binary cross entropy of probabilities ``p`` against 0/1 targets ``t``, summed / N.

    Each log takes ``eps`` (the dtype's machine epsilon) more than its
    argument, rescaled by ``1 + eps``: ``log((p + eps) / (1 + eps))``. A right
    answer (``p == t``, 0 or 1) costs 0 up to rounding and keeps its one-sided
    slope (-1 or 1, divided by N); a wrong certain answer costs ``-log(eps)`` with a
    large finite gradient towards the target; probabilities near 0 or 1, such
    as those a sigmoid gives, keep their gradient (clipping them to
    ``[eps, 1 - eps]`` would zero it). ``p`` outside ``[0, 1]`` is clipped.
    """
    p = _logits(p, "binary_cross_entropy")
    t = Variable(_targets(t, p, "binary_cross_entropy"))
    if not p.backend.xp.isdtype(p.dtype, "real floating"):
        p = p * 1.0  # integer input becomes the default float dtype, as in `/`
    eps = float(p.backend.xp.finfo(p.dtype).eps)
    p = clip(p, 0.0, 1.0)
    log_p = log(p + eps) - math.log1p(eps)
    log_not_p = log((1.0 + eps) - p) - math.log1p(eps)
    return -sum_(t * log_p + (1 - t) * log_not_p) / _batch_size(p.shape)
