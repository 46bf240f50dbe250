"""The op table: one row per op (or per way of calling it), read by every op test.

A row names the call, its NumPy reference, fixed ``examples`` for
tests/test_ops.py, a ``fuzz`` strategy for tests/fuzz/test_fuzz_ops.py and,
where PyTorch gives a second opinion, a ``torch`` reference for
tests/test_against_torch.py. tests/test_op_table.py checks that every public
function of ``xgrad.functions`` has a row and a line in docs/functions.md.
"""

from __future__ import annotations

import numpy as np

import xgrad.functions as F

from . import references as R
from .calls import (
    power_and_division,
    rosenbrock,
    split,
    torch_logsumexp,
)
from .case import OpCase, ex, same
from .inputs import (
    given,
    rand,
    rand_between,
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
    elementwise,
    reals,
    reduction,
    uniform,
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

MASK_ON_DASK = r"get_item: a boolean mask of shape \([\d, ]*\) on a dask"
X23 = rand((2, 3))
from .table_complex import CASES as COMPLEX_CASES
from .table_elementwise import CASES as ELEMENTWISE_CASES
from .table_fft import CASES as FFT_CASES
from .table_linalg import CASES as LINALG_CASES
from .table_manip import CASES as MANIP_CASES
from .table_nn import CASES as NN_CASES
from .table_special import CASES as SPECIAL_CASES

CORE_CASES = [
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
    same("power_and_division", power_and_division,
         examples=[ex(rand_positive((2, 3), (3,)))], torch=power_and_division),
    same("rosenbrock", rosenbrock, examples=[ex(rand_positive((5,)))],
         torch=rosenbrock),
    # elementwise
    OpCase("exp", F.exp, np.exp, [ex(X23)], elementwise(uniform(-30.0, 30.0))),
    OpCase("log", F.log, np.log, [ex(rand_positive((2, 3)))], elementwise(POSITIVE)),
    OpCase("log1p", F.log1p, np.log1p, [ex(rand((2, 3), low=-0.5, high=2.0))],
           elementwise(uniform(-0.9, 1e3)), torch=lambda x: x.log1p()),
    OpCase("expm1", F.expm1, np.expm1, [ex(X23)], elementwise(uniform(-30.0, 30.0)),
           torch=lambda x: x.expm1()),
    OpCase("erf", F.erf, R.erf, [ex(rand((2, 3), low=-3.0, high=3.0)),
           ex(given([-6.0, -2.5, -1e-9, 0.3, 2.4999, 4.0]), "tails")],
           elementwise(uniform(-30.0, 30.0)), torch=lambda x: x.erf()),
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
           torch=torch_logsumexp),
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
    OpCase("split", split, R.split, [ex(rand((2, 4)), indices=[1, 3], axis=1, keep=[1])],
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
]  # fmt: skip

# One row per op; each area's rows live in a module of their own.
CASES = [
    *CORE_CASES,
    *NN_CASES,
    *LINALG_CASES,
    *MANIP_CASES,
    *ELEMENTWISE_CASES,
    *SPECIAL_CASES,
    *COMPLEX_CASES,
    *FFT_CASES,
]

ROWS = {row.name: row for row in CASES}
