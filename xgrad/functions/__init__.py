"""Differentiable functions: ``import xgrad.functions as F``.

Each op is a :class:`~xgrad.Function` whose forward uses the array API
standard and whose backward uses these functions again, so derivatives of any
order work on every backend.
"""

from ..core import as_array, as_variable
from .activation import (
    leaky_relu,
    log_softmax,
    relu,
    sigmoid,
    sigmoid_simple,
    softmax,
    softmax_simple,
)
from .arithmetic import add, div, mul, neg, pow, rdiv, rpow, rsub, sub
from .conv import (
    average_pooling,
    col2im,
    conv2d,
    conv2d_simple,
    deconv2d,
    im2col,
    pooling,
    pooling_simple,
)
from .elementwise import (
    abs,
    clip,
    cos,
    exp,
    log,
    maximum,
    minimum,
    sin,
    sqrt,
    square,
    tan,
    tanh,
    where,
)
from .indexing import get_item
from .linalg import dot, linear, linear_simple, matmul
from .loss import (
    binary_cross_entropy,
    mean_squared_error,
    sigmoid_cross_entropy,
    softmax_cross_entropy,
    softmax_cross_entropy_simple,
)
from .nn import accuracy, batch_norm, batch_nrom, dropout, embed_id
from .reduction import average, logsumexp, max, mean, min, sum
from .shape import (
    broadcast_to,
    concat,
    expand_dims,
    flatten,
    matrix_transpose,
    reshape,
    split,
    squeeze,
    stack,
    sum_to,
    transpose,
)

matmaul = matmul  # the misspelling DeZero 0.0.13 shipped

__all__ = [
    "abs", "accuracy", "add", "as_array", "as_variable", "average",
    "average_pooling", "col2im", "conv2d", "conv2d_simple", "deconv2d", "im2col",
    "pooling", "pooling_simple",
    "batch_norm", "batch_nrom", "binary_cross_entropy", "broadcast_to", "clip",
    "concat", "cos", "div", "dot", "dropout", "embed_id",
    "exp", "expand_dims", "flatten", "get_item", "leaky_relu", "linear",
    "linear_simple", "log", "log_softmax", "logsumexp", "matmaul", "matmul",
    "matrix_transpose", "max", "maximum", "mean", "mean_squared_error", "min",
    "minimum", "mul", "neg", "pow", "rdiv", "relu", "reshape", "rpow", "rsub",
    "sigmoid", "sigmoid_cross_entropy", "sigmoid_simple", "sin", "softmax",
    "softmax_cross_entropy", "softmax_cross_entropy_simple", "softmax_simple",
    "split", "sqrt", "square", "squeeze", "stack", "sub", "sum", "sum_to", "tan",
    "tanh", "transpose", "where",
]  # fmt: skip
