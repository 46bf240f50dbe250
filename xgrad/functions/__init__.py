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
    silu,
    softmax,
    softmax_simple,
    softplus,
)
from .arithmetic import add, div, mul, neg, pow, rdiv, rpow, rsub, sub
from .attention import scaled_dot_product_attention
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
from .gelu import gelu
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
from .normalization import layer_norm
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
from .special import erf, expm1, log1p

matmaul = matmul  # the misspelling DeZero 0.0.13 shipped

__all__ = [
    "abs", "accuracy", "add", "as_array", "as_variable", "average",
    "average_pooling", "col2im", "conv2d", "conv2d_simple", "deconv2d", "im2col",
    "pooling", "pooling_simple",
    "batch_norm", "batch_nrom", "binary_cross_entropy", "broadcast_to", "clip",
    "concat", "cos", "div", "dot", "dropout", "embed_id", "erf",
    "exp", "expand_dims", "expm1", "flatten", "gelu", "get_item", "layer_norm",
    "leaky_relu", "linear", "linear_simple", "log", "log1p", "log_softmax", "logsumexp", "matmaul", "matmul",
    "matrix_transpose", "max", "maximum", "mean", "mean_squared_error", "min",
    "minimum", "mul", "neg", "pow", "rdiv", "relu", "reshape", "rpow", "rsub",
    "scaled_dot_product_attention", "sigmoid", "sigmoid_cross_entropy",
    "sigmoid_simple", "silu", "sin", "softmax", "softmax_cross_entropy",
    "softmax_cross_entropy_simple", "softmax_simple", "softplus",
    "split", "sqrt", "square", "squeeze", "stack", "sub", "sum", "sum_to", "tan",
    "tanh", "transpose", "where",
]  # fmt: skip
