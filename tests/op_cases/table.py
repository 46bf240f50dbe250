"""The op table: one row per op (or per way of calling it), read by every op test.

A row names the call, its NumPy reference, fixed ``examples`` for
tests/test_ops.py, a ``fuzz`` strategy for tests/fuzz/test_fuzz_ops.py and,
where PyTorch gives a second opinion, a ``torch`` reference for
tests/test_against_torch.py. tests/test_op_table.py checks that every public
function of ``xgrad.functions`` has a row and a line in docs/functions.md.
"""

from __future__ import annotations

from typing import Any

import numpy as np

import xgrad
import xgrad.functions as F
from xgrad import Variable

from . import references as R
from .case import OpCase, ex, same
from .inputs import (
    given,
    rand,
    rand_between,
    rand_binary,
    rand_distinct,
    rand_ids,
    rand_labels,
    rand_masked,
    rand_nonzero,
    rand_positive,
    rand_where,
)
from .strategies import (
    AWAY_FROM_0,
    DISTINCT,
    KINKED,
    NONZERO,
    POSITIVE,
    SCALAR,
    W,
    at_least,
    axis_case,
    elementwise,
    lattice,
    reals,
    reduction,
    uniform,
)
from .strategies_nn import (
    accuracy_case,
    batch_norm_case,
    binary_targets,
    col2im_case,
    conv_case,
    deconv_case,
    embed_case,
    im2col_case,
    labelled_logits,
    linear_case,
    matmul_case,
    mse_case,
    pooling_case,
)
from .strategies_ops import (
    basic_index_case,
    broadcast_to_case,
    clip_case,
    concat_case,
    expand_dims_case,
    extremum_pair,
    integer_index_case,
    mask_case,
    pow_constant,
    reshape_case,
    split_case,
    squeeze_case,
    sum_to_case,
    tangent_points,
    transpose_case,
    where_case,
)


# -- calls that need more than the function ------------------------------------------
def _on(like: Variable, a: np.ndarray) -> Any:
    """NumPy data ``a`` (drawn options) on ``like``'s backend, device and dtype."""
    b = like.backend
    out = b.from_numpy(np.asarray(a), b.device_of(like.data))
    return b.xp.astype(out, like.dtype)


def _split(x, indices, axis, keep):
    pieces = F.split(x, indices, axis=axis)
    return [pieces[i] for i in keep]


def _dropout(x, ratio):
    xgrad.manual_seed(0)  # the same mask on every call of a gradient check
    return F.dropout(x, ratio)


def _batch_norm_train(x, g, b):
    xp = g.backend.xp
    return F.batch_norm(x, g, b, xp.zeros_like(g.data), xp.ones_like(g.data))


def _batch_norm_test(x, g, b, mean, var):
    with xgrad.test_mode():
        return F.batch_norm(x, g, b, _on(x, mean), _on(x, var))


def _rosenbrock(x):
    return (100 * (x[1:] - x[:-1] ** 2) ** 2 + (x[:-1] - 1) ** 2).sum()


def _power_and_division(a, b):
    return (a**b) / (1.0 + b * b)


def _torch_logsumexp(x, axis=None, keepdims=False):
    """PyTorch's ``logsumexp`` takes no ``dim=None``: every axis, spelled out."""
    return x.logsumexp(tuple(range(x.ndim)) if axis is None else axis, keepdims)


MASK_ON_DASK = r"get_item: a boolean mask of shape \([\d, ]*\) on a dask"
X23 = rand((2, 3))

CASES = [
    # arithmetic, with broadcasting and Python scalars on either side
    OpCase("add", F.add, np.add, [ex(rand((3, 4), (4,)))], elementwise(W, W)),
    same("add_scalar", lambda x, c: x + c, examples=[ex(X23, c=2.5)],
         fuzz=elementwise(W, c=SCALAR)),
    same("radd_scalar", lambda x, c: c + x, examples=[ex(X23, c=2.5)],
         fuzz=elementwise(W, c=SCALAR)),
    OpCase("sub", F.sub, np.subtract, [ex(rand((2, 1, 3), (4, 3)))], elementwise(W, W)),
    OpCase("rsub", F.rsub, lambda a, b: b - a, [ex(rand((2, 3), (3,)))],
           elementwise(W, W)),
    same("sub_scalar", lambda x, c: x - c, fuzz=elementwise(W, c=SCALAR)),
    same("rsub_scalar", lambda x, c: c - x, examples=[ex(rand((3,)), c=1.5)],
         fuzz=elementwise(W, c=SCALAR)),
    OpCase("mul", F.mul, np.multiply, [ex(rand((3, 1), (1, 4)))], elementwise(W, W)),
    same("mul_scalar", lambda x, c: x * c, examples=[ex(rand((2, 2)), c=3.0)]),
    same("rmul_scalar", lambda x, c: c * x, fuzz=elementwise(W, c=SCALAR)),
    OpCase("div", F.div, np.divide,
           [ex(rand_between((2, 3), (3,), lows=(-2, 0.5), highs=(2, 2)))],
           elementwise(W, AWAY_FROM_0)),
    OpCase("rdiv", F.rdiv, lambda a, b: b / a,
           [ex(rand_between((3,), (2, 3), lows=(0.5, -2), highs=(2, 2)))],
           elementwise(AWAY_FROM_0, W)),
    same("div_scalar", lambda x, c: x / c, fuzz=elementwise(W, c=NONZERO)),
    same("rdiv_scalar", lambda x, c: c / x, examples=[ex(rand_positive((2, 3)), c=1.0)],
         fuzz=elementwise(AWAY_FROM_0, c=SCALAR)),
    OpCase("neg", F.neg, np.negative, [ex(X23)], elementwise(W)),
    same("neg_operator", lambda x: -x, fuzz=elementwise(W)),
    OpCase("pow", F.pow, lambda x, c: x**c, [ex(rand_positive((2, 3)), c=2.5)],
           pow_constant()),
    same("pow_operator", lambda x, c: x**c, examples=[ex(X23, c=3)], fuzz=pow_constant()),
    OpCase("pow_variable", F.pow, np.power,
           [ex(rand_between((2, 3), (3,), lows=(0.5, -2), highs=(2, 2)))],
           elementwise(uniform(0.1, 1e2), uniform(-3, 3))),
    OpCase("rpow", F.rpow, lambda a, b: b**a,
           [ex(rand_between((3,), (2, 3), lows=(-2, 0.5), highs=(2, 2)))],
           elementwise(uniform(-3, 3), uniform(0.1, 1e2))),
    same("rpow_scalar", lambda x, c: c**x, examples=[ex(X23, c=2.0)],
         fuzz=elementwise(uniform(-10, 10), c=reals(0.1, 10))),
    # compositions PyTorch checks as a whole
    same("power_and_division", _power_and_division,
         examples=[ex(rand_positive((2, 3), (3,)))], torch=_power_and_division),
    same("rosenbrock", _rosenbrock, examples=[ex(rand_positive((5,)))],
         torch=_rosenbrock),
    # elementwise
    OpCase("exp", F.exp, np.exp, [ex(X23)], elementwise(uniform(-30.0, 30.0))),
    OpCase("log", F.log, np.log, [ex(rand_positive((2, 3)))], elementwise(POSITIVE)),
    OpCase("sin", F.sin, np.sin, [ex(X23)], elementwise(uniform(-1e4, 1e4))),
    OpCase("cos", F.cos, np.cos, [ex(X23)], elementwise(uniform(-1e4, 1e4))),
    OpCase("tan", F.tan, np.tan, [ex(rand((2, 3), low=-1.0, high=1.0))],
           tangent_points()),
    OpCase("tanh", F.tanh, np.tanh, [ex(X23)],
           elementwise(uniform(-1e3, 1e3)), torch=lambda x: x.tanh()),
    OpCase("sqrt", F.sqrt, np.sqrt, [ex(rand_positive((2, 3)))], elementwise(POSITIVE)),
    OpCase("abs", F.abs, np.abs, [ex(rand_nonzero((2, 3)))], KINKED),
    OpCase("square", F.square, np.square, [ex(X23)], elementwise(W)),
    OpCase("clip", F.clip, lambda x, x_min, x_max: np.clip(x, x_min, x_max),
           [ex(given([[-1.2, -0.3, 0.1], [0.4, 0.9, 1.7]]), x_min=-0.5, x_max=0.5)],
           clip_case()),
    OpCase("maximum", F.maximum, np.maximum, [ex(rand((2, 3), (3,)))], extremum_pair()),
    OpCase("minimum", F.minimum, np.minimum, [ex(rand((2, 1), (2, 3)))],
           extremum_pair()),
    OpCase("where", F.where, np.where, [ex(rand_where((2, 3), (3,)))], where_case()),
    OpCase("where_scalar", F.where, lambda c, x, x1: np.where(c, x, x1),
           fuzz=where_case(True)),
    # reductions; max, min, mean and logsumexp of nothing: test_edge_cases.py
    OpCase("sum", F.sum, np.sum, [
        ex(rand((2, 3, 4))), ex(rand((2, 3, 4)), "axis", axis=1),
        ex(rand((2, 3, 4)), "tuple_axis", axis=(0, 2)),
        ex(rand((2, 3)), "negative_keepdims", axis=-1, keepdims=True),
    ], reduction(W)),
    OpCase("mean", F.mean, np.mean, [ex(rand((3, 4))), ex(rand((3, 4)), "axis", axis=0)],
           reduction(W, True), covers=("average",)),
    OpCase("max", F.max, np.max, [
        ex(rand((3, 4))), ex(rand((2, 3, 4)), "negative_axis", axis=-1),
        ex(rand((2, 3, 4)), "tuple_keepdims", axis=(0, 2), keepdims=True),
    ], reduction(DISTINCT, True)),
    OpCase("min", F.min, np.min, [ex(rand((3, 4)), axis=0)], reduction(DISTINCT, True)),
    OpCase("logsumexp", F.logsumexp, R.logsumexp,
           [ex(rand((3, 4)), axis=1), ex(rand((2, 3)), "all")],
           reduction(uniform(-1e3, 1e3), True),
           torch=_torch_logsumexp),
    # shape
    OpCase("reshape", F.reshape, np.reshape, [ex(X23, shape=(3, 2))], reshape_case()),
    OpCase("reshape_method", lambda x, shape: x.reshape(*shape), np.reshape,
           [ex(X23, shape=(6, -1))], reshape_case()),
    OpCase("transpose", F.transpose, np.transpose,
           [ex(rand((2, 3, 4))), ex(rand((2, 3, 4)), "axes", axes=(1, -1, 0))],
           transpose_case()),
    same("T", lambda x: x.T, examples=[ex(X23)], fuzz=elementwise(W)),
    OpCase("matrix_transpose", F.matrix_transpose, lambda x: np.swapaxes(x, -1, -2),
           [ex(rand((2, 3, 4)))], at_least(2, elementwise(W))),
    OpCase("expand_dims", F.expand_dims, np.expand_dims, [ex(X23, axis=1)],
           expand_dims_case()),
    OpCase("squeeze", F.squeeze, np.squeeze, [ex(rand((2, 1, 3)))], squeeze_case()),
    OpCase("flatten", F.flatten, R.flatten, [ex(rand((2, 3, 2)))],
           at_least(1, elementwise(W))),
    OpCase("broadcast_to", F.broadcast_to, np.broadcast_to,
           [ex(rand((3, 1)), shape=(2, 3, 4))], broadcast_to_case()),
    OpCase("sum_to", F.sum_to, R.sum_to, [ex(rand((2, 3, 4)), shape=(3, 1))],
           sum_to_case()),
    OpCase("concat", lambda *xs, axis: F.concat(list(xs), axis=axis),
           lambda *xs, axis: np.concatenate(xs, axis=axis),
           [ex(rand((2, 3), (2, 1)), axis=1)], concat_case()),
    OpCase("stack", lambda *xs, axis: F.stack(list(xs), axis=axis),
           lambda *xs, axis: np.stack(xs, axis=axis),
           [ex(rand((2, 3), (2, 3)), axis=-1)], concat_case(same=True)),
    OpCase("split", _split, R.split, [ex(rand((2, 4)), indices=[1, 3], axis=1, keep=[1])],
           split_case()),
    OpCase("get_item", F.get_item, lambda x, slices: x[slices], [
        ex(rand((3, 4)), "slice", slices=(slice(1, None), slice(None, None, 2))),
        ex(rand((3, 4)), "int", slices=1),
        ex(rand((3, 4)), "repeated", slices=(np.array([[0], [2], [0]]), np.array([[1, 3]]))),
        ex(rand((3, 2)), "repeated_rows", slices=np.array([0, 2, 0, 0])),
    ], basic_index_case(), torch=lambda x, slices: x[slices]),
    same("get_item_integer_array", lambda x, index: x[index], fuzz=integer_index_case()),
    same("get_item_mask", lambda x, mask: x[mask], examples=[ex(rand_masked((3, 4)))],
         fuzz=mask_case(), refused={"dask": MASK_ON_DASK}),
    # linear algebra
    OpCase("matmul", F.matmul, np.matmul, [
        ex(rand((2, 3), (3, 4))), ex(rand((3,), (3, 2)), "vector_matrix"),
        ex(rand((2, 3), (3,)), "matrix_vector"), ex(rand((3,), (3,)), "vectors"),
        ex(rand((2, 3, 4), (2, 4, 2)), "batched"),
        ex(rand((2, 3, 4), (4, 5)), "batched_matrix"),
        ex(rand((2, 1, 3, 4), (3, 4, 2)), "broadcast"),
    ], matmul_case(), torch=lambda a, b: a @ b, covers=("dot", "matmaul")),
    same("matmul_operator", lambda a, b: a @ b, examples=[ex(rand((2, 3), (3, 2)))],
         fuzz=matmul_case()),
    OpCase("linear", F.linear, lambda x, w, b=0.0: x @ w + b,
           [ex(rand((4, 3), (3, 2), (2,))), ex(rand((4, 3), (3, 2)), "nobias")],
           linear_case(), torch=lambda x, w, b=0.0: x @ w + b),
    OpCase("linear_simple", F.linear_simple, lambda x, w, b=0.0: x @ w + b,
           [ex(rand((4, 3), (3, 2), (2,))), ex(rand((4, 3), (3, 2)), "nobias")],
           linear_case()),
    # activations
    OpCase("sigmoid", F.sigmoid, R.sigmoid, [ex(rand((2, 3), low=-5.0, high=5.0))],
           elementwise(uniform(-1e3, 1e3)), torch=lambda x: x.sigmoid()),
    OpCase("sigmoid_simple", F.sigmoid_simple, R.sigmoid, [ex(X23)],
           elementwise(uniform(-30, 30))),
    OpCase("relu", F.relu, lambda x: np.maximum(x, 0.0), [ex(rand_nonzero((2, 3)))],
           KINKED),
    OpCase("leaky_relu", F.leaky_relu, R.leaky_relu, [ex(rand_nonzero((2, 3)))],
           elementwise(lattice(), slope=reals(0.0, 2.0))),
    OpCase("softmax", F.softmax, R.softmax,
           [ex(rand((3, 4))), ex(rand((3, 4)), "axis0", axis=0)], axis_case(uniform(-100, 100)),
           torch=lambda x, axis=1: x.softmax(axis)),
    OpCase("softmax_simple", F.softmax_simple, R.softmax, [ex(rand((3, 4)))],
           axis_case(uniform(-30, 30))),
    OpCase("log_softmax", F.log_softmax, R.log_softmax, [ex(rand((3, 4)))],
           axis_case(uniform(-100, 100)),
           torch=lambda x, axis=1: x.log_softmax(axis)),
    # losses; empty batches: test_edge_cases.py
    OpCase("mean_squared_error", F.mean_squared_error, R.mean_squared_error,
           [ex(rand((4, 3), (4, 3))), ex(rand((3, 1), (3,)), "broadcast")], mse_case(),
           torch=lambda a, b: ((a - b) ** 2).sum() / (a - b).shape[0]),
    OpCase("softmax_cross_entropy", F.softmax_cross_entropy, R.softmax_cross_entropy,
           [ex(rand_labels((4, 3)))], labelled_logits(uniform(-100, 100)),
           torch=lambda x, t: R.torch_nn().cross_entropy(x, t)),
    OpCase("softmax_cross_entropy_simple", F.softmax_cross_entropy_simple,
           R.softmax_cross_entropy, [ex(rand_labels((4, 3)))],
           labelled_logits(uniform(-5, 5))),  # the book's clip at 1e-15: no further
    OpCase("sigmoid_cross_entropy", F.sigmoid_cross_entropy, R.sigmoid_cross_entropy,
           [ex(rand_binary((4, 2))), ex(rand_binary((4,)), "vector")],
           binary_targets(uniform(-100, 100)),
           torch=lambda x, t: R.torch_nn().binary_cross_entropy_with_logits(
               x, t.to(x.dtype), reduction="sum") / x.shape[0]),
    OpCase("binary_cross_entropy", F.binary_cross_entropy, R.binary_cross_entropy,
           [ex(rand_binary((5,), low=0.1, high=0.9))],
           binary_targets(uniform(0.02, 0.98))),  # closer, -log: too much curvature
    # convolution and pooling
    OpCase("conv2d", F.conv2d, R.np_conv2d, [
        ex(rand((1, 2, 4, 4), (3, 2, 3, 3), (3,))),
        ex(rand((1, 2, 4, 4), (3, 2, 3, 3)), "nobias_stride2_pad1", stride=2, pad=1),
        ex(rand((2, 2, 5, 4), (2, 2, 3, 2), (2,)), "rectangular", stride=(2, 1),
           pad=(1, 0)),
    ], conv_case()),
    OpCase("conv2d_simple", F.conv2d_simple, R.np_conv2d,
           [ex(rand((1, 2, 4, 4), (2, 2, 3, 3), (2,)), stride=2, pad=1)], conv_case()),
    OpCase("deconv2d", F.deconv2d, R.np_deconv2d, [
        ex(rand((1, 2, 3, 3), (2, 3, 3, 3), (3,)), stride=2, pad=1),
        ex(rand((1, 2, 3, 3), (2, 2, 3, 2)), "nobias_outsize", stride=2, pad=1,
           outsize=(6, 5)),
    ], deconv_case()),
    OpCase("pooling", F.pooling, R.windowed(R.np_pooling), [
        ex(rand_distinct((1, 2, 5, 5)), "pad1", kernel_size=3, stride=2, pad=1),
        ex(rand_distinct((2, 1, 4, 5)), "rectangular", kernel_size=(2, 3),
           stride=(2, 1)),
    ], pooling_case()),
    OpCase("pooling_simple", F.pooling_simple, R.windowed(R.np_pooling),
           [ex(rand_distinct((1, 2, 4, 4)), kernel_size=2, stride=2, pad=1)],
           pooling_case()),
    OpCase("average_pooling", F.average_pooling, R.windowed(R.np_average_pooling),
           [ex(rand((1, 2, 4, 4)), "rectangular", kernel_size=(3, 2), stride=(1, 2),
               pad=(1, 0))],
           pooling_case(average=True)),
    OpCase("im2col", F.im2col, R.windowed(R.np_im2col), [
        ex(rand((1, 2, 3, 3)), kernel_size=2, stride=1, pad=1),
        ex(rand((1, 2, 3, 4)), "tensor", kernel_size=(2, 3), stride=(1, 2),
           pad=(0, 1), to_matrix=False),
    ], im2col_case()),
    OpCase("col2im", F.col2im, R.windowed(R.np_col2im), [
        ex(rand((4, 4)), input_shape=(1, 1, 3, 3), kernel_size=2, stride=1, pad=0),
        ex(rand((1, 1, 2, 3, 4, 2)), "tensor", input_shape=(1, 1, 3, 3),
           kernel_size=(2, 3), stride=(1, 2), pad=1, to_matrix=False),
    ], col2im_case()),
    # neural networks
    OpCase("dropout", _dropout, lambda x, ratio: x,  # shapes only: the backend's mask
           [ex(X23, ratio=0.5)], elementwise(W, ratio=reals(0.0, 0.9)), exact=False),
    OpCase("batch_norm", _batch_norm_train, R.batch_norm,
           [ex(rand((4, 3), (3,), (3,))), ex(rand((2, 3, 2, 2), (3,), (3,)), "4d")],
           batch_norm_case(), covers=("batch_nrom",)),
    OpCase("batch_norm_test_mode", _batch_norm_test, R.batch_norm,
           [ex(rand((4, 3), (3,), (3,)), mean=np.array([0.1, -0.2, 0.3]),
               var=np.array([0.5, 1.0, 2.0]))],
           batch_norm_case(False)),
    OpCase("embed_id", F.embed_id, lambda ids, w: w[ids], [ex(rand_ids((2, 3), (5, 4)))],
           embed_case()),
    OpCase("accuracy", F.accuracy, R.accuracy, [ex(rand_labels((4, 3)))],
           accuracy_case(), differentiable=False),
]  # fmt: skip

ROWS = {row.name: row for row in CASES}
