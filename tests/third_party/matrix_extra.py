"""array-api-extra and einops calls of the third-party matrix."""

from __future__ import annotations

import array_api_extra as xpx
from einops import array_api as einops

from .matrix_call import Call, Refused, namespace, normal, weighted

WRITES_INTO_LEAF = (
    "without copy=True, at() writes into the array it is given; a write into a "
    "leaf that needs a gradient raises, naming the fix (copy=True)"
)


def cov(x):
    return weighted(xpx.cov(x))


def atleast_nd(x):
    return weighted(xpx.atleast_nd(x, ndim=3))


def nanmax(x):
    return weighted(xpx.nanmax(x, axis=0))


def kron(a, b):
    return weighted(xpx.kron(a, b))


def sinc(x):
    return weighted(xpx.sinc(x))


def nunique(x):
    """nunique counts (no gradient); the count scales a differentiable sum."""
    xp = namespace(x)
    return xp.sum(x**2) * xp.astype(xpx.nunique(x), x.dtype)


def at_set(x):
    """Writes into a copy on the tape: the written entries get no gradient."""
    y = x * 2.0
    return weighted(xpx.at(y, (slice(None), 1)).set(0.5))


def at_add(x, v):
    """``copy=True`` leaves the user's ``x`` as it is."""
    return weighted(xpx.at(x, 1).add(v, copy=True))


def at_set_leaf(x):
    """Without ``copy=True``, at() writes into ``x`` itself: the user's leaf."""
    return weighted(xpx.at(x, 0).set(1.0))


def pad(x):
    return weighted(xpx.pad(x, 2))


def create_diagonal(x):
    return weighted(xpx.create_diagonal(x))


def nan_to_num(x):
    return weighted(xpx.nan_to_num(x))


def apply_where(x):
    xp = namespace(x)
    return weighted(xpx.apply_where(x > 0, x, xp.sqrt, fill_value=0.0))


def nanmean(x):
    return xpx.nanmean(x * x)


def rearrange(x):
    return weighted(einops.rearrange(x, "b (h w) c -> b c h w", h=2))


def reduce_mean(x):
    return weighted(einops.reduce(x, "b h c -> b c", "mean"))


def reduce_max(x):
    return weighted(einops.reduce(x, "b h c -> c h", "max"))


def repeat(x):
    return weighted(einops.repeat(x, "h w -> h w k", k=3))


def pack(a, b):
    packed, _ = einops.pack([a, b], "i *")
    return weighted(packed)


def unpack(x):
    first, second = einops.unpack(x, [[2], [3]], "i *")
    return weighted(first) - weighted(second**2)


CALLS = [
    Call("array-api-extra", "cov", cov, (normal(3, 6),)),
    Call("array-api-extra", "atleast_nd", atleast_nd, (normal(4),)),
    Call("array-api-extra", "nanmax", nanmax, (normal(3, 4),)),
    Call("array-api-extra", "kron", kron, (normal(2, 2), normal(2, 3))),
    Call("array-api-extra", "sinc", sinc, (normal(6),)),
    Call("array-api-extra", "nunique", nunique, (normal(5),)),
    Call("array-api-extra", "at(y, k).set(v)", at_set, (normal(3, 3),)),
    Call(
        "array-api-extra",
        "at(x, k).add(v, copy=True)",
        at_add,
        (normal(3, 2), normal(2)),
    ),
    Call(
        "array-api-extra",
        "at(x, k).set(v) of a leaf",
        at_set_leaf,
        (normal(4),),
        Refused(WRITES_INTO_LEAF, TypeError, "writes into a leaf Variable"),
    ),
    Call("array-api-extra", "pad", pad, (normal(3),)),
    Call("array-api-extra", "create_diagonal", create_diagonal, (normal(4),)),
    Call("array-api-extra", "nan_to_num", nan_to_num, (normal(5),)),
    Call("array-api-extra", "apply_where", apply_where, (normal(6),)),
    Call("array-api-extra", "nanmean", nanmean, (normal(6),)),
    Call("einops", "rearrange", rearrange, (normal(2, 6, 2),)),
    Call("einops", "reduce(mean)", reduce_mean, (normal(2, 3, 4),)),
    Call("einops", "reduce(max)", reduce_max, (normal(2, 3, 4),)),
    Call("einops", "repeat", repeat, (normal(2, 3),)),
    Call("einops", "pack", pack, (normal(3, 2), normal(3, 4, 2))),
    Call("einops", "unpack", unpack, (normal(4, 5),)),
]
