"""Property-based fuzzing of every op in ``xgrad.functions``, on every backend.

Each :class:`Fuzz` row says how to call one op and how Hypothesis draws its
inputs: shapes from 0-d to 4-D with size-0 axes and broadcasting pairs,
values up to large magnitudes, kept away from kinks and poles by
construction (lattices offset from the kinks, distinct values for maxima),
so that central differences are meaningful at every drawn point. The tests
run every row on every backend:

- ``test_forward_and_gradient``: float64 values against NumPy, and the
  gradient against central differences (``gradient_check``);
- ``test_dtype_shape_namespace_device``: float32 or float64 in, the same
  dtype, shape, library and device out, for the outputs, the gradients and
  the second-order gradients;
- ``test_second_derivative``: ``gradgradcheck`` for every differentiable op
  (piecewise-linear ones included: away from their kinks it is 0).

Numerical edge cases (1e4 logits, kinks, empty batches) are pinned one by one
in ``test_edge_cases.py``. Profiles (``ci``, ``long``) live in conftest.py.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from hypothesis.extra.array_api import make_strategies_namespace

import xgrad
import xgrad.functions as F
from xgrad import Variable
from xgrad.testing import gradgradcheck, gradient_check

from op_cases import (
    np_average_pooling,
    np_col2im,
    np_conv2d,
    np_deconv2d,
    np_im2col,
    np_pooling,
)


def _fuzz_settings() -> settings:
    """The loaded profile if it is a fuzz one (``--hypothesis-profile=long``), else
    ci: without the option, no other test's settings change."""
    if settings.get_current_profile_name().split("-with-")[0] in ("ci", "long"):
        return settings.default
    return settings(settings.get_profile("ci"), verbosity=settings.default.verbosity)


FUZZ = _fuzz_settings()
MAX_SIZE = 32  # elements per drawn array: central differences cost two calls each
BIG = 1e6  # the largest magnitude drawn where float32 cannot overflow


# -- what one row draws ---------------------------------------------------------------
@dataclass
class Case:
    """Drawn inputs: arrays (float64 data, integer or boolean data) and options."""

    arrays: list[np.ndarray]
    kwargs: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Fuzz:
    name: str
    func: Callable[..., Any]  # (*inputs, **kwargs) -> Variable or list of Variables
    reference: Callable[..., Any]  # NumPy, on the float64 arrays
    inputs: st.SearchStrategy[Case]
    covers: tuple[str, ...] = ()  # aliases in xgrad.functions it exercises too
    exact: bool = True  # compare forward values with the reference
    differentiable: bool = True


# -- shapes ---------------------------------------------------------------------------
SIDE = st.integers(1, 3)
# A size-0 axis, in about one shape of five.
EMPTY = st.sampled_from([False, False, False, False, True])


def _cap(shape: list[int]) -> list[int]:
    while math.prod(shape) > MAX_SIZE:
        shape[shape.index(max(shape))] -= 1
    return shape


@st.composite
def shapes(draw, min_dims: int = 0, max_dims: int = 4, empty: bool = True):
    """A shape of ``min_dims`` to ``max_dims`` axes, sometimes with a size-0 axis."""
    ndim = draw(st.integers(min_dims, max_dims))
    shape = _cap([draw(SIDE) for _ in range(ndim)])
    if empty and ndim and draw(EMPTY):
        shape[draw(st.integers(0, ndim - 1))] = 0
    return tuple(shape)


@st.composite
def broadcast_shapes(draw, n: int = 2, max_dims: int = 4, empty: bool = True):
    """``n`` mutually broadcastable shapes (0-d to 4-D) whose result stays small."""
    drawn = draw(
        hnp.mutually_broadcastable_shapes(
            num_shapes=n, min_dims=0, max_dims=max_dims, min_side=1, max_side=3
        )
    )
    ndim = len(drawn.result_shape)
    padded = [[1] * (ndim - len(s)) + list(s) for s in drawn.input_shapes]
    lengths = [len(s) for s in drawn.input_shapes]
    result = list(drawn.result_shape)
    while math.prod(result) > MAX_SIZE:
        axis = result.index(max(result))
        for s in padded:
            s[axis] = 1
        result[axis] = 1
    if empty and ndim and draw(EMPTY):
        axis = draw(st.integers(0, ndim - 1))
        owners = [s for s, k in zip(padded, lengths, strict=True) if ndim - k <= axis]
        wide = [s for s in owners if s[axis] != 1] or owners[:1]
        for s in wide:
            s[axis] = 0
    return [tuple(s[ndim - k :]) for s, k in zip(padded, lengths, strict=True)]


# -- values ---------------------------------------------------------------------------
def reals(low: float, high: float) -> st.SearchStrategy[float]:
    return st.floats(low, high, allow_nan=False, allow_infinity=False)


def uniform(low: float = -BIG, high: float = BIG) -> Callable[[Any], Any]:
    """Values in [low, high]: Hypothesis favours 0, the bounds and awkward floats."""
    return lambda shape: hnp.arrays(np.float64, shape, elements=reals(low, high))


def signed(low: float, high: float) -> Callable[[Any], Any]:
    """Magnitudes in [low, high] with either sign: away from a pole at 0."""

    def draw(shape):
        magnitudes = hnp.arrays(np.float64, shape, elements=reals(low, high))
        signs = hnp.arrays(np.float64, shape, elements=st.sampled_from([1.0, -1.0]))
        return st.tuples(magnitudes, signs).map(lambda ms: ms[0] * ms[1])

    return draw


SCALES = reals(0.01, 1000.0)


def lattice(offset: float = 0.5, unique: bool = False, scale=SCALES, k: int = 1000):
    """``s * (i + offset)`` for integers ``i``: at least ``s * offset`` from the
    points ``s * j``, where ops with kinks put them; ``unique`` makes every value
    distinct (no ties for maxima)."""

    def draw(shape):
        ints = hnp.arrays(np.int64, shape, elements=st.integers(-k, k), unique=unique)
        return st.tuples(ints, scale).map(lambda t: t[1] * (t[0] + offset))

    return draw


def labels(shape, n_classes: int) -> Any:
    return hnp.arrays(np.int64, shape, elements=st.integers(0, n_classes - 1))


# -- generic case builders ------------------------------------------------------------
@st.composite
def elementwise(draw, *values, shape=None, **kwargs):
    """One array per entry of ``values``, on broadcasting shapes (one shape if one)."""
    if shape is not None:
        dims = [shape] * len(values)
    elif len(values) == 1:
        dims = [draw(shapes())]
    else:
        dims = draw(broadcast_shapes(len(values)))
    arrays = [draw(v(s)) for v, s in zip(values, dims, strict=True)]
    return Case(arrays, {k: draw(v) for k, v in kwargs.items()})


@st.composite
def reduction(draw, values, nonempty: bool = False):
    """An array, an ``axis`` (None, an int or a tuple, negatives too) and keepdims."""
    shape = draw(shapes())
    ndim = len(shape)
    axis_st = [st.none(), hnp.valid_tuple_axes(ndim)]
    if ndim:
        axis_st.append(st.integers(-ndim, ndim - 1))
    axis = draw(st.one_of(axis_st))
    axes = range(ndim) if axis is None else np.atleast_1d(axis) % max(ndim, 1)
    if nonempty:  # max, min, logsumexp, mean of an empty set: test_edge_cases.py
        assume(all(shape[a] for a in axes))
    return Case([draw(values(shape))], {"axis": axis, "keepdims": draw(st.booleans())})


def _quiet(f: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """A NumPy reference, without its warnings (``filterwarnings = error``)."""
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        return f(*args, **kwargs)


# -- NumPy references -----------------------------------------------------------------
def _np_logsumexp(x, axis=None, keepdims=False):
    m = np.max(x, axis=axis, keepdims=True, initial=-np.inf)
    m = np.where(np.isfinite(m), m, 0.0)
    y = np.log(np.sum(np.exp(x - m), axis=axis, keepdims=True)) + m
    return y if keepdims else np.squeeze(y, axis=axis if axis is not None else None)


def _np_log_softmax(x, axis=1):
    return x - _np_logsumexp(x, axis=axis, keepdims=True)


def _np_softmax(x, axis=1):
    return np.exp(_np_log_softmax(x, axis))


def _np_sigmoid(x):
    return 0.5 * np.tanh(0.5 * x) + 0.5


def _batch(shape):
    return shape[0] if len(shape) else 1


def _np_mse(a, b):
    d = a - b
    return np.sum(d * d) / _batch(d.shape)


def _np_sce(x, t):
    return -np.sum(_np_log_softmax(x, 1)[np.arange(len(x)), t]) / len(x)


def _np_sigmoid_ce(x, t):
    loss = np.maximum(x, 0) - x * t + np.log1p(np.exp(-np.abs(x)))
    return np.sum(loss) / _batch(x.shape)


def _np_bce(p, t):
    return -np.sum(t * np.log(p) + (1 - t) * np.log(1 - p)) / _batch(p.shape)


def _np_batch_norm(x, g, b, mean=None, var=None, eps=2e-5):
    axes = (0, 2, 3) if x.ndim == 4 else (0,)
    shape = (1, -1, 1, 1) if x.ndim == 4 else (1, -1)
    if mean is None:
        mean, var = x.mean(axis=axes), x.var(axis=axes)
    y = (x - mean.reshape(shape)) / np.sqrt(var.reshape(shape) + eps)
    return y * g.reshape(shape) + b.reshape(shape)


def _np_sum_to(x, shape):
    lead = x.ndim - len(shape)
    axes = tuple(range(lead)) + tuple(lead + i for i, n in enumerate(shape) if n == 1)
    return x.sum(axis=axes, keepdims=True).reshape(shape)


def _np_windows(f):
    """A loop reference from op_cases.py, called with xgrad's keyword names."""

    def reference(x, *args, kernel_size, input_shape=None, **kwargs):
        if input_shape is not None:
            args = (input_shape, *args)
        elif not len(x):  # an empty batch: the loops reshape with -1, ambiguous at 0
            one = np.zeros((1, *x.shape[1:]))
            return f(one, *args, kernel=kernel_size, **kwargs)[:0]
        return f(x, *args, kernel=kernel_size, **kwargs)

    return reference


def _np_split(x, indices, axis, keep):
    pieces = np.split(x, indices, axis=axis)
    return [pieces[i] for i in keep]


# -- helpers for the op calls ---------------------------------------------------------
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


# -- op-specific case builders --------------------------------------------------------
EXPONENTS = st.one_of(st.integers(-3, 4), reals(-2.5, 3.5))


@st.composite
def pow_constant(draw):
    c = draw(EXPONENTS)
    if isinstance(c, float):
        base = uniform(0.1, 1e3)  # a real power of a positive base
    elif c > 0:
        base = uniform(-1e3, 1e3)  # 0 included: x ** 1 and x ** 2 are smooth there
    else:
        base = signed(0.1, 1e3)  # x ** 0 and negative powers: not at 0
    return Case([draw(base(draw(shapes())))], {"c": c})


@st.composite
def tangent_points(draw):
    """``k * pi + u`` with ``|u| <= 1.2``: away from the poles of tan."""
    shape = draw(shapes())
    k = draw(hnp.arrays(np.int64, shape, elements=st.integers(-100, 100)))
    u = draw(uniform(-1.2, 1.2)(shape))
    return Case([k * np.pi + u])


@st.composite
def clip_case(draw):
    s = draw(SCALES)
    lo = draw(st.integers(-1000, 999))
    hi = draw(st.integers(lo + 1, 1000))
    x = draw(lattice(scale=st.just(s))(draw(shapes())))
    x_min = draw(st.sampled_from([s * lo, None]))
    x_max = draw(st.sampled_from([s * hi, None]))
    return Case([x], {"x_min": x_min, "x_max": x_max})


@st.composite
def extremum_pair(draw):
    """Two broadcasting arrays that never tie: one on a lattice, one half a step off."""
    s0, s1 = draw(broadcast_shapes())
    s = st.just(draw(SCALES))
    a, b = draw(lattice(0.5, scale=s)(s0)), draw(lattice(0.0, scale=s)(s1))
    return Case([a, b] if draw(st.booleans()) else [b, a])


@st.composite
def where_case(draw, scalar: bool = False):
    sc, s0, s1 = draw(broadcast_shapes(3))
    cond = draw(hnp.arrays(np.bool_, sc))
    x0 = draw(uniform()(s0))
    if scalar:
        return Case([cond, x0], {"x1": draw(reals(-1e3, 1e3))})
    return Case([cond, x0, draw(uniform()(s1))])


def _divisors(n: int) -> list[int]:
    return [d for d in range(1, n + 1) if n % d == 0]


@st.composite
def reshape_case(draw):
    shape = draw(shapes())
    n = math.prod(shape)
    targets = [(n,), (-1,), shape[::-1], (1, *shape), (*shape, 1)]
    if n == 1:
        targets.append(())
    if n:
        d = draw(st.sampled_from(_divisors(n)))
        targets += [(d, n // d), (d, -1), (-1, 1, d)]
    target = draw(st.sampled_from(targets))
    return Case([draw(uniform()(shape))], {"shape": target})


@st.composite
def transpose_case(draw):
    shape = draw(shapes())
    ndim = len(shape)
    axes = draw(st.none() | st.permutations(range(ndim)).map(tuple))
    if axes is not None and ndim:
        axes = tuple(a - ndim if draw(st.booleans()) else a for a in axes)
    return Case([draw(uniform()(shape))], {"axes": axes})


@st.composite
def expand_dims_case(draw):
    shape = draw(shapes(max_dims=3))
    axis = draw(st.integers(-len(shape) - 1, len(shape)))
    return Case([draw(uniform()(shape))], {"axis": axis})


@st.composite
def squeeze_case(draw):
    shape = list(draw(shapes()))
    for i in draw(st.sets(st.integers(0, max(len(shape) - 1, 0)))) if shape else []:
        shape[i] = 1
    ones = [i for i, n in enumerate(shape) if n == 1]
    axis = draw(
        st.none() | st.sets(st.sampled_from(ones)).map(tuple) if ones else st.none()
    )
    return Case([draw(uniform()(tuple(shape)))], {"axis": axis})


@st.composite
def broadcast_to_case(draw):
    small, other = draw(broadcast_shapes())
    return Case([draw(uniform()(small))], {"shape": np.broadcast_shapes(small, other)})


@st.composite
def sum_to_case(draw):
    small, other = draw(broadcast_shapes())
    big = np.broadcast_shapes(small, other)
    return Case([draw(uniform()(big))], {"shape": small})


@st.composite
def concat_case(draw, same: bool = False):
    base = list(draw(shapes(min_dims=1, max_dims=3)))
    ndim = len(base)
    k = draw(st.integers(1, 3))
    if same:  # stack: equal shapes, a new axis anywhere
        axis = draw(st.integers(-ndim - 1, ndim))
        return Case([draw(uniform()(tuple(base))) for _ in range(k)], {"axis": axis})
    axis = draw(st.integers(-ndim, ndim - 1))
    arrays = []
    for _ in range(k):
        base[axis] = draw(st.integers(0, 3))
        arrays.append(draw(uniform()(tuple(base))))
    return Case(arrays, {"axis": axis})


@st.composite
def split_case(draw):
    shape = draw(shapes(min_dims=1, max_dims=3))
    axis = draw(st.integers(-len(shape), len(shape) - 1))
    n = shape[axis]
    if draw(st.booleans()):
        indices: Any = sorted(draw(st.lists(st.integers(0, n), max_size=3)))
        count = len(indices) + 1
    else:
        indices = draw(st.sampled_from(_divisors(n) if n else [1, 2, 3]))
        count = indices
    keep = sorted(draw(st.sets(st.integers(0, count - 1), min_size=1)))
    x = draw(uniform()(shape))
    return Case([x], {"indices": indices, "axis": axis, "keep": keep})


XPS = make_strategies_namespace(np)


@st.composite
def basic_index_case(draw):
    shape = draw(shapes())
    key = draw(XPS.indices(shape, allow_newaxis=True, allow_ellipsis=True))
    return Case([draw(uniform()(shape))], {"slices": key})


@st.composite
def integer_index_case(draw):
    shape = list(draw(shapes(min_dims=1)))
    shape[0] = max(shape[0], 1)
    n = shape[0]
    index = draw(
        hnp.arrays(np.int64, draw(shapes(max_dims=2)), elements=st.integers(-n, n - 1))
    )
    return Case([draw(uniform()(tuple(shape))), index])


@st.composite
def mask_case(draw):
    shape = draw(shapes(min_dims=1))
    mask = draw(hnp.arrays(np.bool_, shape))
    return Case([draw(uniform()(shape)), mask])


@st.composite
def matmul_case(draw):
    m, k, n = (draw(st.integers(1, 3)) for _ in range(3))
    if draw(EMPTY):
        m, k, n = (draw(st.integers(0, 3)) for _ in range(3))
    batch0, batch1 = draw(broadcast_shapes(max_dims=2, empty=False))
    kind = draw(st.sampled_from(["matrices", "vector @", "@ vector", "vectors"]))
    left = (k,) if kind in ("vector @", "vectors") else (*batch0, m, k)
    right = (k,) if kind in ("@ vector", "vectors") else (*batch1, k, n)
    values = uniform(-1e3, 1e3)
    return Case([draw(values(left)), draw(values(right))])


@st.composite
def linear_case(draw):
    n, i, o = draw(st.integers(0, 4)), draw(st.integers(1, 4)), draw(st.integers(1, 3))
    values = uniform(-1e3, 1e3)
    arrays = [draw(values((n, i))), draw(values((i, o)))]
    if draw(st.booleans()):
        arrays.append(draw(values((o,))))
    return Case(arrays)


@st.composite
def axis_case(draw, values, min_dims: int = 1):
    shape = draw(shapes(min_dims=min_dims))
    axis = draw(st.integers(-len(shape), len(shape) - 1))
    return Case([draw(values(shape))], {"axis": axis})


@st.composite
def labelled_logits(draw, values):
    n, c = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    return Case([draw(values((n, c))), draw(labels((n,), c))])


@st.composite
def binary_targets(draw, values):
    shape = draw(shapes(min_dims=0))
    assume(_batch(shape) > 0)  # a mean over an empty batch: test_edge_cases.py
    return Case([draw(values(shape)), draw(labels(shape, 2))])


@st.composite
def mse_case(draw):
    s0, s1 = draw(broadcast_shapes())
    assume(_batch(np.broadcast_shapes(s0, s1)) > 0)  # empty batch: test_edge_cases.py
    values = uniform(-1e3, 1e3)
    return Case([draw(values(s0)), draw(values(s1))])


PAIR = st.tuples(st.integers(1, 2), st.integers(1, 2))


@st.composite
def window_geometry(draw, max_pad: int = 1, pad_below_kernel: bool = False):
    """Kernel, stride, pad and an (H, W) that the windows fit."""
    k = draw(st.tuples(st.integers(1, 3), st.integers(1, 3)))
    s = draw(PAIR)
    top = [min(max_pad, kk - 1) if pad_below_kernel else max_pad for kk in k]
    p = (draw(st.integers(0, top[0])), draw(st.integers(0, top[1])))
    hw = tuple(
        draw(st.integers(max(1, kk - 2 * pp), max(1, kk - 2 * pp) + 2))
        for kk, pp in zip(k, p, strict=True)
    )
    n = 0 if draw(EMPTY) else draw(st.integers(1, 2))
    return k, s, p, hw, n


def _as_arg(pair: tuple[int, int]) -> Any:
    return pair[0] if pair[0] == pair[1] else pair


@st.composite
def conv_case(draw):
    k, s, p, (h, w), n = draw(window_geometry())
    c, oc = draw(st.integers(1, 2)), draw(st.integers(1, 2))
    values = uniform(-10.0, 10.0)
    arrays = [draw(values((n, c, h, w))), draw(values((oc, c, *k)))]
    if draw(st.booleans()):
        arrays.append(draw(values((oc,))))
    return Case(arrays, {"stride": _as_arg(s), "pad": _as_arg(p)})


@st.composite
def deconv_case(draw):
    k = draw(st.tuples(st.integers(1, 3), st.integers(1, 3)))
    s, n = draw(PAIR), draw(st.integers(1, 2))
    p = tuple(draw(st.integers(0, (kk - 1) // 2)) for kk in k)
    h, w = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    c, oc = draw(st.integers(1, 2)), draw(st.integers(1, 2))
    values = uniform(-10.0, 10.0)
    arrays = [draw(values((n, c, h, w))), draw(values((c, oc, *k)))]
    if draw(st.booleans()):
        arrays.append(draw(values((oc,))))
    outsize = None
    if draw(st.booleans()):
        geometry = zip(s, (h, w), k, p, strict=True)
        base = [ss * (i - 1) + kk - 2 * pp for ss, i, kk, pp in geometry]
        extra = [draw(st.integers(0, ss - 1)) for ss in s]
        outsize = (base[0] + extra[0], base[1] + extra[1])
    kwargs = {"stride": _as_arg(s), "pad": _as_arg(p), "outsize": outsize}
    return Case(arrays, kwargs)


@st.composite
def pooling_case(draw, average: bool = False):
    k, s, p, (h, w), n = draw(window_geometry(pad_below_kernel=not average))
    c = draw(st.integers(1, 2))
    values = uniform(-10.0, 10.0) if average else lattice(unique=True, k=10**4)
    kwargs = {"kernel_size": _as_arg(k), "stride": _as_arg(s), "pad": _as_arg(p)}
    return Case([draw(values((n, c, h, w)))], kwargs)


@st.composite
def im2col_case(draw):
    k, s, p, (h, w), n = draw(window_geometry())
    c = draw(st.integers(1, 2))
    kwargs = {
        "kernel_size": _as_arg(k),
        "stride": _as_arg(s),
        "pad": _as_arg(p),
        "to_matrix": draw(st.booleans()),
    }
    return Case([draw(uniform(-10.0, 10.0)((n, c, h, w)))], kwargs)


@st.composite
def col2im_case(draw):
    k, s, p, (h, w), n = draw(window_geometry())
    c = draw(st.integers(1, 2))
    oh, ow = ((h + 2 * p[0] - k[0]) // s[0] + 1), ((w + 2 * p[1] - k[1]) // s[1] + 1)
    to_matrix = draw(st.booleans())
    shape = (n * oh * ow, c * k[0] * k[1]) if to_matrix else (n, c, *k, oh, ow)
    kwargs = {
        "input_shape": (n, c, h, w),
        "kernel_size": _as_arg(k),
        "stride": _as_arg(s),
        "pad": _as_arg(p),
        "to_matrix": to_matrix,
    }
    return Case([draw(uniform(-10.0, 10.0)(shape))], kwargs)


@st.composite
def batch_norm_case(draw, train: bool = True):
    four_d = draw(st.booleans())
    c = draw(st.integers(1, 3))
    shape = (
        (draw(st.integers(1, 2)), c, draw(st.integers(1, 2)), draw(st.integers(1, 2)))
        if four_d
        else (draw(st.integers(1, 4)), c)
    )
    # Distinct values a lattice step of at least 0.1 apart: the batch variance
    # stays well above eps, where central differences resolve the curvature.
    values = lattice(unique=True, scale=reals(0.1, 100.0), k=100)
    params = uniform(-10.0, 10.0)
    arrays = [draw(values(shape)), draw(params((c,))), draw(params((c,)))]
    if train:
        return Case(arrays)
    mean = draw(uniform(-10.0, 10.0)((c,)))
    var = draw(uniform(0.0, 100.0)((c,)))
    return Case(arrays, {"mean": mean, "var": var})


@st.composite
def embed_case(draw):
    v, d = draw(st.integers(1, 5)), draw(st.integers(0, 3))
    ids = draw(
        hnp.arrays(np.int64, draw(shapes(max_dims=2)), elements=st.integers(0, v - 1))
    )
    return Case([ids, draw(uniform(-1e3, 1e3)((v, d)))])


@st.composite
def accuracy_case(draw):
    n, c = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    return Case([draw(lattice(unique=True)((n, c))), draw(labels((n,), c))])


# -- the rows -------------------------------------------------------------------------
# A row named after a public function covers it; ``covers`` adds aliases.
W = uniform()  # any value up to BIG
SCALAR = reals(-1e3, 1e3)
NONZERO = st.one_of(reals(0.1, 1e3), reals(-1e3, -0.1))
POSITIVE = uniform(0.05, BIG)
AWAY_FROM_0 = signed(0.5, 1e3)
KINKED = elementwise(lattice())  # abs, relu, leaky_relu bend at 0: a lattice off it
DISTINCT = lattice(unique=True)  # no ties for max and min


def same(name: str, expr: Callable[..., Any], inputs, **kwargs: Any) -> Fuzz:
    """A row whose expression runs on Variables and on NumPy arrays alike."""
    return Fuzz(name, expr, expr, inputs, **kwargs)


def _np_flatten(x):
    return x.reshape(x.shape[0], math.prod(x.shape[1:]))


def _at_least(ndim: int, inputs):
    return inputs.filter(lambda c: c.arrays[0].ndim >= ndim)


FUZZ_CASES = [
    # arithmetic, with broadcasting and Python scalars on either side
    Fuzz("add", F.add, np.add, elementwise(W, W)),
    same("add_scalar", lambda x, c: x + c, elementwise(W, c=SCALAR)),
    same("radd_scalar", lambda x, c: c + x, elementwise(W, c=SCALAR)),
    Fuzz("sub", F.sub, np.subtract, elementwise(W, W)),
    Fuzz("rsub", F.rsub, lambda a, b: b - a, elementwise(W, W)),
    same("sub_scalar", lambda x, c: x - c, elementwise(W, c=SCALAR)),
    same("rsub_scalar", lambda x, c: c - x, elementwise(W, c=SCALAR)),
    Fuzz("mul", F.mul, np.multiply, elementwise(W, W)),
    same("mul_scalar", lambda x, c: c * x, elementwise(W, c=SCALAR)),
    Fuzz("div", F.div, np.divide, elementwise(W, AWAY_FROM_0)),
    Fuzz("rdiv", F.rdiv, lambda a, b: b / a, elementwise(AWAY_FROM_0, W)),
    same("div_scalar", lambda x, c: x / c, elementwise(W, c=NONZERO)),
    same("rdiv_scalar", lambda x, c: c / x, elementwise(AWAY_FROM_0, c=SCALAR)),
    Fuzz("neg", F.neg, np.negative, elementwise(W)),
    same("neg_operator", lambda x: -x, elementwise(W)),
    Fuzz("pow", F.pow, lambda x, c: x**c, pow_constant()),
    same("pow_operator", lambda x, c: x**c, pow_constant()),
    Fuzz(
        "pow_variable", F.pow, np.power, elementwise(uniform(0.1, 1e2), uniform(-3, 3))
    ),
    Fuzz(
        "rpow",
        F.rpow,
        lambda a, b: b**a,
        elementwise(uniform(-3, 3), uniform(0.1, 1e2)),
    ),
    same(
        "rpow_scalar",
        lambda x, c: c**x,
        elementwise(uniform(-10, 10), c=reals(0.1, 10)),
    ),
    # elementwise
    Fuzz("exp", F.exp, np.exp, elementwise(uniform(-30.0, 30.0))),
    Fuzz("log", F.log, np.log, elementwise(POSITIVE)),
    Fuzz("sin", F.sin, np.sin, elementwise(uniform(-1e4, 1e4))),
    Fuzz("cos", F.cos, np.cos, elementwise(uniform(-1e4, 1e4))),
    Fuzz("tan", F.tan, np.tan, tangent_points()),
    Fuzz("tanh", F.tanh, np.tanh, elementwise(uniform(-1e3, 1e3))),
    Fuzz("sqrt", F.sqrt, np.sqrt, elementwise(POSITIVE)),
    Fuzz("abs", F.abs, np.abs, KINKED),
    Fuzz("square", F.square, np.square, elementwise(W)),
    Fuzz("clip", F.clip, lambda x, x_min, x_max: np.clip(x, x_min, x_max), clip_case()),
    Fuzz("maximum", F.maximum, np.maximum, extremum_pair()),
    Fuzz("minimum", F.minimum, np.minimum, extremum_pair()),
    Fuzz("where", F.where, np.where, where_case()),
    Fuzz(
        "where_scalar", F.where, lambda c, x, x1: np.where(c, x, x1), where_case(True)
    ),
    # reductions; max, min, mean and logsumexp of nothing: test_edge_cases.py
    Fuzz("sum", F.sum, np.sum, reduction(W)),
    Fuzz("mean", F.mean, np.mean, reduction(W, True), covers=("average",)),
    Fuzz("max", F.max, np.max, reduction(DISTINCT, True)),
    Fuzz("min", F.min, np.min, reduction(DISTINCT, True)),
    Fuzz("logsumexp", F.logsumexp, _np_logsumexp, reduction(uniform(-1e3, 1e3), True)),
    # shape
    Fuzz("reshape", F.reshape, np.reshape, reshape_case()),
    Fuzz(
        "reshape_method", lambda x, shape: x.reshape(*shape), np.reshape, reshape_case()
    ),
    Fuzz("transpose", F.transpose, np.transpose, transpose_case()),
    same("T", lambda x: x.T, elementwise(W)),
    Fuzz(
        "matrix_transpose",
        F.matrix_transpose,
        lambda x: np.swapaxes(x, -1, -2),
        _at_least(2, elementwise(W)),
    ),
    Fuzz("expand_dims", F.expand_dims, np.expand_dims, expand_dims_case()),
    Fuzz("squeeze", F.squeeze, np.squeeze, squeeze_case()),
    Fuzz("flatten", F.flatten, _np_flatten, _at_least(1, elementwise(W))),
    Fuzz("broadcast_to", F.broadcast_to, np.broadcast_to, broadcast_to_case()),
    Fuzz("sum_to", F.sum_to, _np_sum_to, sum_to_case()),
    Fuzz(
        "concat",
        lambda *xs, axis: F.concat(list(xs), axis=axis),
        lambda *xs, axis: np.concatenate(xs, axis=axis),
        concat_case(),
    ),
    Fuzz(
        "stack",
        lambda *xs, axis: F.stack(list(xs), axis=axis),
        lambda *xs, axis: np.stack(xs, axis=axis),
        concat_case(same=True),
    ),
    Fuzz("split", _split, _np_split, split_case()),
    Fuzz("get_item", F.get_item, lambda x, slices: x[slices], basic_index_case()),
    same("get_item_integer_array", lambda x, index: x[index], integer_index_case()),
    same("get_item_mask", lambda x, mask: x[mask], mask_case()),
    # linear algebra
    Fuzz("matmul", F.matmul, np.matmul, matmul_case(), covers=("dot", "matmaul")),
    same("matmul_operator", lambda a, b: a @ b, matmul_case()),
    Fuzz("linear", F.linear, lambda x, w, b=0.0: x @ w + b, linear_case()),
    Fuzz(
        "linear_simple", F.linear_simple, lambda x, w, b=0.0: x @ w + b, linear_case()
    ),
    # activations
    Fuzz("sigmoid", F.sigmoid, _np_sigmoid, elementwise(uniform(-1e3, 1e3))),
    Fuzz(
        "sigmoid_simple", F.sigmoid_simple, _np_sigmoid, elementwise(uniform(-30, 30))
    ),
    Fuzz("relu", F.relu, lambda x: np.maximum(x, 0.0), KINKED),
    Fuzz(
        "leaky_relu",
        F.leaky_relu,
        lambda x, slope: np.where(x > 0, x, slope * x),
        elementwise(lattice(), slope=reals(0.0, 2.0)),
    ),
    Fuzz("softmax", F.softmax, _np_softmax, axis_case(uniform(-100, 100))),
    Fuzz("softmax_simple", F.softmax_simple, _np_softmax, axis_case(uniform(-30, 30))),
    Fuzz("log_softmax", F.log_softmax, _np_log_softmax, axis_case(uniform(-100, 100))),
    # losses; empty batches: test_edge_cases.py
    Fuzz("mean_squared_error", F.mean_squared_error, _np_mse, mse_case()),
    Fuzz(
        "softmax_cross_entropy",
        F.softmax_cross_entropy,
        _np_sce,
        labelled_logits(uniform(-100, 100)),
    ),
    Fuzz(
        "softmax_cross_entropy_simple",
        F.softmax_cross_entropy_simple,
        _np_sce,
        labelled_logits(uniform(-5, 5)),  # the book's clip at 1e-15: no further
    ),
    Fuzz(
        "sigmoid_cross_entropy",
        F.sigmoid_cross_entropy,
        _np_sigmoid_ce,
        binary_targets(uniform(-100, 100)),
    ),
    Fuzz(
        "binary_cross_entropy",
        F.binary_cross_entropy,
        _np_bce,
        binary_targets(uniform(0.02, 0.98)),  # closer, -log has too much curvature
    ),
    # convolution and pooling
    Fuzz("conv2d", F.conv2d, np_conv2d, conv_case()),
    Fuzz("conv2d_simple", F.conv2d_simple, np_conv2d, conv_case()),
    Fuzz("deconv2d", F.deconv2d, np_deconv2d, deconv_case()),
    Fuzz("pooling", F.pooling, _np_windows(np_pooling), pooling_case()),
    Fuzz("pooling_simple", F.pooling_simple, _np_windows(np_pooling), pooling_case()),
    Fuzz(
        "average_pooling",
        F.average_pooling,
        _np_windows(np_average_pooling),
        pooling_case(average=True),
    ),
    Fuzz("im2col", F.im2col, _np_windows(np_im2col), im2col_case()),
    Fuzz("col2im", F.col2im, _np_windows(np_col2im), col2im_case()),
    # neural networks
    Fuzz(
        "dropout",
        _dropout,
        lambda x, ratio: x,  # shapes only: the mask is the backend's
        elementwise(W, ratio=reals(0.0, 0.9)),
        exact=False,
    ),
    Fuzz(
        "batch_norm",
        _batch_norm_train,
        _np_batch_norm,
        batch_norm_case(),
        covers=("batch_nrom",),
    ),
    Fuzz(
        "batch_norm_test_mode", _batch_norm_test, _np_batch_norm, batch_norm_case(False)
    ),
    Fuzz("embed_id", F.embed_id, lambda ids, w: w[ids], embed_case()),
    Fuzz(
        "accuracy",
        F.accuracy,
        lambda y, t: np.mean(np.argmax(y, axis=1) == t),
        accuracy_case(),
        differentiable=False,
    ),
]


DIFFERENTIABLE = [f for f in FUZZ_CASES if f.differentiable]


ROWS = {row.name: row for row in FUZZ_CASES}


def _rows(cases: list[Fuzz]):
    """Parametrize by row name: failure reports then name the row, not its lambdas."""
    return pytest.mark.parametrize("name", [c.name for c in cases])


# -- running a row --------------------------------------------------------------------
def _is_float(a: Any) -> bool:
    return np.issubdtype(np.asarray(a).dtype, np.floating)


def _wrap(inputs: list[Any], arrays: list[np.ndarray]) -> list[Any]:
    """Floating inputs as Variables; labels, ids, masks as they are."""
    return [
        Variable(x) if _is_float(a) else x for x, a in zip(inputs, arrays, strict=True)
    ]


def _outputs(y: Any) -> list[Any]:
    return list(y) if isinstance(y, list | tuple) else [y]


def _bound(row: Fuzz, case: Case) -> Callable[..., Any]:
    def f(*xs: Any) -> Any:
        return row.func(*xs, **case.kwargs)

    f.__qualname__ = row.name
    return f


def _single(f: Callable[..., Any]) -> Callable[..., Any]:
    """``f`` with its outputs joined into one Variable (for gradgradcheck)."""

    def joined(*xs: Any) -> Any:
        outs = _outputs(f(*xs))
        if len(outs) == 1:
            return outs[0]
        return F.concat([F.reshape(o, (-1,)) for o in outs])

    joined.__qualname__ = f.__qualname__
    return joined


def _magnitude(arrays: list[Any]) -> float:
    """Sum of absolute values: what central differences lose to rounding scales with."""
    return float(sum(np.sum(np.abs(np.asarray(a, dtype=np.float64))) for a in arrays))


def _check(what: str, v: Variable, backend, like: Any, shape: tuple) -> None:
    """``v`` is an array of ``backend`` on ``like``'s device, dtype, and ``shape``."""
    assert backend.owns(v.data), f"{what} is a {type(v.data)}, not {backend.name}"
    device, want = backend.device_of(v.data), backend.device_of(like)
    assert device == want, f"{what} on {device}, inputs on {want}"
    assert v.dtype == like.dtype, f"{what} has dtype {v.dtype}, inputs {like.dtype}"
    assert v.shape == tuple(shape), f"{what} has shape {v.shape}, expected {shape}"


# -- the tests ------------------------------------------------------------------------
@_rows(DIFFERENTIABLE)
@FUZZ
@given(data=st.data())
def test_forward_and_gradient(name: str, data, backend, to_backend):
    """Float64: values as NumPy's, gradients as float64 central differences."""
    row = ROWS[name]
    case = data.draw(row.inputs, label=name)
    f = _bound(row, case)
    inputs = [to_backend(a) for a in case.arrays]
    ys = _outputs(f(*_wrap(inputs, case.arrays)))
    want = _outputs(_quiet(row.reference, *case.arrays, **case.kwargs))
    assert len(ys) == len(want)
    floats = [a for a in case.arrays if a.size and _is_float(a)]
    scale = 1.0 + max((float(np.max(np.abs(a))) for a in floats), default=0.0)
    for y, w in zip(ys, want, strict=True):
        w = np.asarray(w)
        assert y.shape == w.shape, f"{name}: shape {y.shape}, NumPy {w.shape}"
        if row.exact:
            got = backend.to_numpy(y.data)
            np.testing.assert_allclose(got, w, rtol=1e-7, atol=1e-9 * scale)
    got = [backend.to_numpy(y.data) for y in ys]
    atol = 1e-5 + 1e-10 * (_magnitude(got) + _magnitude(case.arrays))
    gradient_check(f, *inputs, rtol=1e-4, atol=atol)


@_rows(FUZZ_CASES)
@FUZZ
@given(data=st.data(), dtype=st.sampled_from([np.float32, np.float64]))
def test_dtype_shape_namespace_device(name: str, data, dtype, backend, to_backend):
    """Outputs and gradients (first and second order) keep dtype, library, device."""
    row = ROWS[name]
    case = data.draw(row.inputs, label=name)
    arrays = [a.astype(dtype) if _is_float(a) else a for a in case.arrays]
    inputs = [to_backend(a) for a in arrays]
    like = next(x for x, a in zip(inputs, arrays, strict=True) if _is_float(a))
    xs = _wrap(inputs, arrays)
    ys = _outputs(_bound(row, case)(*xs))
    want = _outputs(_quiet(row.reference, *case.arrays, **case.kwargs))
    for i, (y, w) in enumerate(zip(ys, want, strict=True)):
        _check(f"{name}: output {i}", y, backend, like, np.shape(w))
    if not row.differentiable:
        return
    sum(F.sum(y) for y in ys).backward(create_graph=True)
    variables = [x for x in xs if isinstance(x, Variable)]
    grads = [x.grad for x in variables]
    for i, (x, g) in enumerate(zip(variables, grads, strict=True)):
        if g is not None:
            _check(f"{name}: gradient {i}", g, backend, like, x.shape)
    grads = [g for g in grads if g is not None]
    if not grads:
        return
    for x in variables:
        x.cleargrad()
    sum(F.sum(g * g) for g in grads).backward()
    for i, x in enumerate(variables):
        if x.grad is not None:
            _check(f"{name}: second-order gradient {i}", x.grad, backend, like, x.shape)


@_rows(DIFFERENTIABLE)
@FUZZ
@given(data=st.data())
def test_second_derivative(name: str, data, backend, to_backend):
    """Float64 second derivatives (``gradgradcheck``) against central differences."""
    row = ROWS[name]
    case = data.draw(row.inputs, label=name)
    inputs = [to_backend(a) for a in case.arrays]
    f = _single(_bound(row, case))
    y = backend.to_numpy(f(*_wrap(inputs, case.arrays)).data)
    atol = 1e-4 + 1e-9 * (_magnitude([y]) + _magnitude(case.arrays))
    gradgradcheck(f, *inputs, rtol=1e-3, atol=atol)


def test_every_public_function_is_fuzzed():
    """A new function in ``xgrad.functions`` needs a row here (or a reason not to)."""
    not_ops = {"as_array", "as_variable"}
    covered = {name for row in FUZZ_CASES for name in (row.name, *row.covers)}
    missing = set(F.__all__) - not_ops - covered
    assert not missing, f"no fuzz row covers {sorted(missing)}"
