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
from .arrangement import (
    broadcast_arrays,
    flip,
    moveaxis,
    permute_dims,
    repeat,
    roll,
    tile,
    unstack,
)
from .attention import scaled_dot_product_attention
from .clipping import clip
from .complex_numbers import conj, imag, real
from .contractions import cross, diagonal, outer, tensordot, trace, vecdot
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
from .cumulative import cumulative_prod, cumulative_sum, diff
from .decompositions import cholesky, eigh, eigvalsh, qr, svd, svdvals
from .elementwise import (
    abs,
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
from .fft import (
    fft,
    fftfreq,
    fftn,
    fftshift,
    hfft,
    ifft,
    ifftn,
    ifftshift,
    ihfft,
    irfft,
    irfftn,
    rfft,
    rfftfreq,
    rfftn,
)
from .gelu import gelu
from .indexing import get_item
from .linalg import dot, linear, linear_simple, matmul
from .logarithms import log2, log10, logaddexp
from .loss import (
    binary_cross_entropy,
    mean_squared_error,
    sigmoid_cross_entropy,
    softmax_cross_entropy,
    softmax_cross_entropy_simple,
)
from .magnitudes import copysign, hypot, reciprocal
from .nn import accuracy, batch_norm, batch_nrom, dropout, embed_id
from .normalization import layer_norm
from .norms import matrix_norm, vector_norm
from .reduction import average, logsumexp, max, mean, min, sum
from .rounding import ceil, floor, floor_divide, remainder, round, sign, trunc
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
from .solvers import det, inv, matrix_power, pinv, slogdet, solve
from .sorting import sort, take, take_along_axis
from .special import erf, expm1, log1p
from .special_bessel import i0, i1
from .special_entropy import entr, rel_entr, xlog1py, xlogy
from .special_gamma import digamma, gammaln, polygamma
from .special_logistic import expit, log_expit, logit
from .special_normal import erfc, erfcx, erfinv, log_ndtr, ndtr, ndtri
from .statistics import prod, std, var
from .trigonometric import acos, acosh, asin, asinh, atan, atan2, atanh, cosh, sinh

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
    # linear algebra of stacks of matrices (the standard's linalg extension)
    "cholesky", "cross", "det", "diagonal", "eigh", "eigvalsh", "inv",
    "matrix_norm", "matrix_power", "outer", "pinv", "qr", "slogdet", "solve",
    "svd", "svdvals", "tensordot", "trace", "vecdot", "vector_norm",
    "broadcast_arrays", "cumulative_prod", "cumulative_sum", "diff", "flip",
    "moveaxis", "permute_dims", "prod", "repeat", "roll", "sort", "std", "take",
    "take_along_axis", "tile", "unstack", "var",
    # the array API standard's elementwise functions
    "acos", "acosh", "asin", "asinh", "atan", "atan2", "atanh", "ceil", "copysign",
    "cosh", "floor", "floor_divide", "hypot", "log10", "log2", "logaddexp",
    "reciprocal", "remainder", "round", "sign", "sinh", "trunc",
]  # fmt: skip

__all__ += ["conj", "imag", "real"]  # complex numbers (docs/complex.md)
__all__ += [  # the standard's fft extension
    "fft", "fftfreq", "fftn", "fftshift", "hfft", "ifft", "ifftn", "ifftshift",
    "ihfft", "irfft", "irfftn", "rfft", "rfftfreq", "rfftn",
]  # fmt: skip
__all__ += [  # the special functions SciPy finds as xp.special.<name>
    "digamma", "entr", "erfc", "erfcx", "erfinv", "expit", "gammaln", "i0", "i1",
    "log_expit", "log_ndtr", "logit", "ndtr", "ndtri", "polygamma", "rel_entr",
    "xlog1py", "xlogy",
]  # fmt: skip
