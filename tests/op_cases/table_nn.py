"""Rows of the op table: linear algebra, activations, losses, convolution and
pooling, neural networks (gathered in table.py)."""

from __future__ import annotations

import numpy as np

import xgrad.functions as F

from . import references as R
from .calls import (
    FULLY_MASKED,
    PADDING,
    batch_norm_test,
    batch_norm_train,
    dropout,
    torch_layer_norm,
)
from .case import OpCase, ex, same
from .inputs import (
    rand,
    rand_binary,
    rand_distinct,
    rand_ids,
    rand_labels,
    rand_nonzero,
)
from .strategies import (
    KINKED,
    W,
    axis_case,
    elementwise,
    lattice,
    reals,
    uniform,
)
from .strategies_nn import (
    accuracy_case,
    attention_case,
    batch_norm_case,
    binary_targets,
    col2im_case,
    conv_case,
    deconv_case,
    embed_case,
    gelu_case,
    im2col_case,
    labelled_logits,
    layer_norm_case,
    linear_case,
    matmul_case,
    mse_case,
    pooling_case,
)

MASK_ON_DASK = r"get_item: a boolean mask of shape \([\d, ]*\) on a dask"
X23 = rand((2, 3))

CASES = [
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
    OpCase("softplus", F.softplus, R.softplus, [ex(X23), ex(X23, "beta", beta=2.5)],
           elementwise(uniform(-1e3, 1e3), beta=reals(0.1, 10.0)),
           torch=lambda x, beta=1.0: R.torch_nn().softplus(x, beta)),
    OpCase("silu", F.silu, R.silu, [ex(rand((2, 3), low=-5.0, high=5.0))],
           elementwise(uniform(-1e3, 1e3)), torch=lambda x: R.torch_nn().silu(x)),
    OpCase("gelu", F.gelu, R.gelu, [ex(rand((2, 3), low=-4.0, high=4.0)),
           ex(rand((2, 3), low=-2.5, high=2.5), "tanh", approximate="tanh")], gelu_case(),
           torch=lambda x, approximate="none": R.torch_nn().gelu(x, approximate=approximate)),
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
    OpCase("dropout", dropout, lambda x, ratio: x,  # shapes only: the backend's mask
           [ex(X23, ratio=0.5)], elementwise(W, ratio=reals(0.0, 0.9)), exact=False),
    OpCase("batch_norm", batch_norm_train, R.batch_norm,
           [ex(rand((4, 3), (3,), (3,))), ex(rand((2, 3, 2, 2), (3,), (3,)), "4d")],
           batch_norm_case(), covers=("batch_nrom",)),
    OpCase("batch_norm_test_mode", batch_norm_test, R.batch_norm,
           [ex(rand((4, 3), (3,), (3,)), mean=np.array([0.1, -0.2, 0.3]),
               var=np.array([0.5, 1.0, 2.0]))],
           batch_norm_case(False)),
    OpCase("layer_norm", F.layer_norm, R.layer_norm, [
        ex(rand((4, 3), (3,), (3,))), ex(rand((2, 3, 4), (4,), (4,)), "3d"),
        ex(rand((2, 5)), "no_params"), ex(rand((3, 4), (4,)), "gamma_only"),
    ], layer_norm_case(), torch=torch_layer_norm),
    OpCase("scaled_dot_product_attention", F.scaled_dot_product_attention, R.attention, [
        ex(rand((2, 3, 4), (2, 5, 4), (2, 5, 3))),
        ex(rand((2, 2, 4, 3), (2, 2, 4, 3), (2, 2, 4, 2)), "causal", causal=True),
        ex(rand((2, 1, 3, 4), (2, 1, 5, 4), (2, 1, 5, 2)), "padding", mask=PADDING),
        ex(rand((3, 4), (3, 4), (3, 4)), "additive", mask=np.triu(np.full((3, 3), -1.5))),
        ex(rand((4, 2), (3, 2), (3, 3)), "causal_rectangular", causal=True),
    ], attention_case(), torch=R.torch_attention),
    OpCase("attention_fully_masked", F.scaled_dot_product_attention, R.attention, [
        ex(rand((2, 3, 4), (2, 3, 4), (2, 3, 2)), "boolean", mask=FULLY_MASKED),
        ex(rand((3, 4), (3, 4), (3, 4)), "additive", mask=np.where(FULLY_MASKED, 0, -np.inf)),
    ], attention_case()),
    OpCase("embed_id", F.embed_id, lambda ids, w: w[ids], [ex(rand_ids((2, 3), (5, 4)))],
           embed_case()),
    OpCase("accuracy", F.accuracy, R.accuracy, [ex(rand_labels((4, 3)))],
           accuracy_case(), differentiable=False),
]  # fmt: skip
