"""Activations: sigmoid, relu, leaky_relu, softmax, log_softmax, softplus, silu
(gelu has a module of its own)."""

from __future__ import annotations

from typing import Any

from .._inputs import operand
from ..core import Function, Variable, as_variable
from .complex_numbers import conj_of, is_complex
from .elementwise import exp
from .reduction import sum as sum_
from .shape import normalize_axes, sum_to
from .temporaries import multiply_into


class Sigmoid(Function):
    domain = "floating"

    def forward(self, x):
        return self.xp.tanh(x * 0.5) * 0.5 + 0.5  # never overflows, unlike 1/(1+e^-x)

    def backward(self, gy):
        y = self.outputs[0]()
        if is_complex(y, self.backend):  # type: ignore[arg-type]  # y lives
            y = conj_of(y, self.backend)  # type: ignore[arg-type]  # y lives
            return gy * y * (1.0 - y)  # composed: SigmoidGrad is real-only
        return SigmoidGrad()(y, gy)


class SigmoidGrad(Function):
    """``gy * y * (1 - y)``, the sigmoid's gradient from its output ``y``, as one op."""

    def forward(self, y, gy):
        return gy * y * (1.0 - y)

    def backward(self, ggx):
        y, gy = self.inputs
        return ggx * gy * (1.0 - 2.0 * y), ggx * y * (1.0 - y)


def sigmoid(x: Any) -> Variable:
    """``1 / (1 + exp(-x))``, computed stably."""
    return Sigmoid()(x)


def sigmoid_simple(x: Any) -> Variable:
    """The book's sigmoid composed from ``exp`` (step 43)."""
    x = as_variable(x)
    return 1 / (1 + exp(-x))


class ReLU(Function):
    domain = "real"

    def forward(self, x):
        return self.xp.maximum(x, 0)  # a scalar: no zeros array to allocate

    def backward(self, gy):
        return ReLUGrad()(self.inputs[0], gy)


class ReLUGrad(Function):
    """``gy`` where ``x > 0``, else 0: relu's gradient as one op.

    Its own backward passes ``ggx`` through the same mask (relu is piecewise
    linear, so there is no gradient with respect to ``x``).
    """

    def forward(self, x, gy):
        # The mask is a fresh array: multiply into it rather than allocate a third
        # (libraries whose arrays are immutable rebind instead).
        mask = self.xp.astype(x > 0, gy.dtype)
        mask *= gy
        return mask

    def backward(self, ggx):
        x = self.inputs[0]
        return None, ReLUGrad()(x, ggx)


def relu(x: Any) -> Variable:
    """``max(x, 0)``; the gradient at 0 is 0."""
    return ReLU()(x)


class LeakyReLU(Function):
    domain = "real floating"

    def __init__(self, slope: float) -> None:
        self.slope = slope

    def forward(self, x):
        return self.xp.where(x > 0, x, x * self.slope)

    def backward(self, gy):
        (x,) = self.inputs
        xp = self.xp
        ones = xp.ones_like(gy.data)  # gy's dtype: floating even for integer x
        scale = xp.where(x.data > 0, ones, ones * self.slope)
        return gy * Variable(scale)


def leaky_relu(x: Any, slope: float = 0.2) -> Variable:
    """``x`` where positive, ``slope * x`` elsewhere."""
    return LeakyReLU(slope)(x)


class Softmax(Function):
    domain = "real floating"

    def __init__(self, axis: int) -> None:
        self.axis = axis

    def forward(self, x):
        xp = self.xp
        if 0 in x.shape:  # nothing to normalise (xp.max has no identity)
            return x
        y = xp.exp(x - xp.max(x, axis=self.axis, keepdims=True))
        y /= xp.sum(y, axis=self.axis, keepdims=True)  # y is ours: in place
        return y

    def backward(self, gy):
        return SoftmaxGrad(self.axis)(self.outputs[0](), gy)


class SoftmaxGrad(Function):
    """``y * (gy - sum(y * gy, axis))``, softmax's gradient from its output ``y``,
    as one op (one pass over memory fewer than three ops, no ``y * gy`` kept).

    Linear in ``gy`` with a symmetric Jacobian, so its gradient with respect to
    ``gy`` is the same op again; the one with respect to ``y`` is in closed form.
    """

    domain = "real floating"
    function_name = "softmax"

    def __init__(self, axis: int | tuple[int, ...]) -> None:
        self.axis = axis

    def forward(self, y, gy):
        xp, axis = self.xp, self.axis
        if isinstance(axis, int) and y.dtype == gy.dtype:
            # a dot product along the axis: no y * gy array. The axis counted
            # from the end, as y and gy may broadcast to more leading axes.
            end = axis - len(y.shape) if axis >= 0 else axis
            dot = xp.expand_dims(xp.vecdot(y, gy, axis=end), axis=end)
        else:
            dot = xp.sum(y * gy, axis=axis, keepdims=True)
        return multiply_into(gy - dot, y)

    def backward(self, ggx):
        y, gy = self.inputs
        axis, y_grad, ggy = self.axis, None, None
        if isinstance(axis, int) and axis >= 0:  # from the end: see forward
            axis -= len(y.shape)
        if self.needs_grad(0):
            # d/dy_k of <ggx, y (gy - <y, gy>)> = ggx_k (gy_k - <y, gy>) - gy_k <ggx, y>
            gy_y = sum_(gy * y, axis=axis, keepdims=True)
            ggx_y = sum_(ggx * y, axis=axis, keepdims=True)
            y_grad = sum_to(ggx * (gy - gy_y) - gy * ggx_y, y.shape)
        if self.needs_grad(1):
            ggy = sum_to(SoftmaxGrad(axis)(y, ggx), gy.shape)
        return y_grad, ggy


def softmax(x: Any, axis: int = 1) -> Variable:
    """``exp(x) / sum(exp(x), axis)``, shifted by the maximum so it never overflows."""
    return Softmax(_axis(x, axis, "softmax"))(x)


def _axis(x: Any, axis: Any, op: str) -> Any:
    """``axis`` (an int or a tuple) of ``x``, checked and made non-negative."""
    axes = normalize_axes(axis, operand(x, op).ndim, op)
    return axes if isinstance(axis, tuple | list) else axes[0]


def softmax_simple(x: Any, axis: int = 1) -> Variable:
    """The book's softmax composed from ``exp`` and ``sum`` (step 47)."""
    y = exp(as_variable(x))
    return y / sum_(y, axis=axis, keepdims=True)


class LogSoftmax(Function):
    domain = "real floating"

    def __init__(self, axis: int) -> None:
        self.axis = axis

    def forward(self, x):
        xp = self.xp
        if 0 in x.shape:  # nothing to normalise (xp.max has no identity)
            return x
        shifted = x - xp.max(x, axis=self.axis, keepdims=True)
        return shifted - xp.log(xp.sum(xp.exp(shifted), axis=self.axis, keepdims=True))

    def backward(self, gy):
        y = self.outputs[0]()
        return gy - exp(y) * sum_(gy, axis=self.axis, keepdims=True)


def log_softmax(x: Any, axis: int = 1) -> Variable:
    """``x - logsumexp(x, axis)``: finite even for logits of magnitude 1e4."""
    return LogSoftmax(_axis(x, axis, "log_softmax"))(x)


class Softplus(Function):
    domain = "real floating"

    def __init__(self, beta: float) -> None:
        self.beta = beta

    def forward(self, x):
        xp, bx = self.xp, x * self.beta
        # max(bx, 0) + log(1 + exp(-|bx|)): no overflow for any x
        return (xp.maximum(bx, 0.0) + xp.log1p(xp.exp(-xp.abs(bx)))) / self.beta

    def backward(self, gy):
        (x,) = self.inputs
        return gy * sigmoid(x * self.beta)


def softplus(x: Any, beta: float = 1.0) -> Variable:
    """``log(1 + exp(beta * x)) / beta``, a smooth relu, finite for any ``x``."""
    if not beta > 0:
        raise ValueError(f"softplus: beta must be positive, got {beta}")
    return Softplus(beta)(x)


class SiLU(Function):
    domain = "real floating"
    function_name = "silu"

    def forward(self, x):
        return x * (self.xp.tanh(x * 0.5) * 0.5 + 0.5)

    def backward(self, gy):
        (x,) = self.inputs
        s = sigmoid(x)
        return gy * (s * (1.0 + x * (1.0 - s)))


def silu(x: Any) -> Variable:
    """``x * sigmoid(x)`` (also called swish)."""
    return SiLU()(x)
