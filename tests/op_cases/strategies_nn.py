"""Hypothesis strategies of the linear-algebra, loss, convolution and nn rows."""

from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import assume
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from .case import Call
from .references import batch
from .strategies import (
    EMPTY,
    broadcast_shapes,
    elementwise,
    labels,
    lattice,
    reals,
    shapes,
    uniform,
)


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
    return Call([draw(values(left)), draw(values(right))])


@st.composite
def linear_case(draw):
    n, i, o = draw(st.integers(0, 4)), draw(st.integers(1, 4)), draw(st.integers(1, 3))
    values = uniform(-1e3, 1e3)
    arrays = [draw(values((n, i))), draw(values((i, o)))]
    if draw(st.booleans()):
        arrays.append(draw(values((o,))))
    return Call(arrays)


@st.composite
def labelled_logits(draw, values):
    n, c = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    return Call([draw(values((n, c))), draw(labels((n,), c))])


@st.composite
def binary_targets(draw, values):
    shape = draw(shapes(min_dims=0))
    assume(batch(shape) > 0)  # a mean over an empty batch: test_edge_cases.py
    return Call([draw(values(shape)), draw(labels(shape, 2))])


@st.composite
def mse_case(draw):
    s0, s1 = draw(broadcast_shapes())
    assume(batch(np.broadcast_shapes(s0, s1)) > 0)  # empty batch: test_edge_cases.py
    values = uniform(-1e3, 1e3)
    return Call([draw(values(s0)), draw(values(s1))])


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
    return Call(arrays, {"stride": _as_arg(s), "pad": _as_arg(p)})


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
    return Call(arrays, kwargs)


@st.composite
def pooling_case(draw, average: bool = False):
    k, s, p, (h, w), n = draw(window_geometry(pad_below_kernel=not average))
    c = draw(st.integers(1, 2))
    values = uniform(-10.0, 10.0) if average else lattice(unique=True, k=10**4)
    kwargs = {"kernel_size": _as_arg(k), "stride": _as_arg(s), "pad": _as_arg(p)}
    return Call([draw(values((n, c, h, w)))], kwargs)


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
    return Call([draw(uniform(-10.0, 10.0)((n, c, h, w)))], kwargs)


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
    return Call([draw(uniform(-10.0, 10.0)(shape))], kwargs)


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
        return Call(arrays)
    mean = draw(uniform(-10.0, 10.0)((c,)))
    var = draw(uniform(0.0, 100.0)((c,)))
    return Call(arrays, {"mean": mean, "var": var})


@st.composite
def embed_case(draw):
    v, d = draw(st.integers(1, 5)), draw(st.integers(0, 3))
    ids = draw(
        hnp.arrays(np.int64, draw(shapes(max_dims=2)), elements=st.integers(0, v - 1))
    )
    return Call([ids, draw(uniform(-1e3, 1e3)((v, d)))])


@st.composite
def accuracy_case(draw):
    n, c = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    return Call([draw(lattice(unique=True)((n, c))), draw(labels((n,), c))])


@st.composite
def layer_norm_case(draw):
    shape = draw(shapes(min_dims=1, empty=False))
    d = (shape[-1],)
    # distinct values a step of at least 0.1 apart: the variance stays above eps
    x = draw(lattice(unique=True, scale=reals(0.1, 100.0), k=100)(shape))
    params = uniform(-10.0, 10.0)
    which = draw(st.sampled_from(["both", "gamma", "none"]))
    arrays = [x] + [
        draw(params(d)) for _ in range({"both": 2, "gamma": 1}.get(which, 0))
    ]
    return Call(arrays)


@st.composite
def attention_case(draw):
    """q (..., Tq, d), k (..., Tk, d), v (..., Tk, dv) with broadcasting leading
    axes, and maybe a boolean mask (some rows fully masked) and ``causal``."""
    lead = draw(broadcast_shapes(3, max_dims=2, empty=False))
    tq, tk, d, dv = (draw(st.integers(1, 3)) for _ in range(4))
    values = uniform(-3.0, 3.0)
    q, k, v = (
        draw(values((*lead[0], tq, d))),
        draw(values((*lead[1], tk, d))),
        draw(values((*lead[2], tk, dv))),
    )
    kwargs = {"causal": draw(st.booleans())}
    if draw(st.booleans()):
        kwargs["mask"] = draw(hnp.arrays(np.bool_, (tq, tk)))
    return Call([q, k, v], kwargs)


def gelu_case() -> Any:
    return elementwise(
        uniform(-100.0, 100.0), approximate=st.sampled_from(["none", "tanh"])
    )
