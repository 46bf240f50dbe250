"""The arguments of the fft functions: axes, sizes and normalisation checked
with the standard's rules, and a signal padded with zeros or cropped to the
sizes asked, with differentiable ops (xgrad.functions.fft)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..core import Constant, Variable
from .indexing import get_item
from .shape import concat

NORMS = ("backward", "ortho", "forward")


def check_norm(op: str, norm: Any) -> None:
    if norm not in NORMS:
        raise ValueError(
            f"{op}: norm={norm!r} is none of {', '.join(map(repr, NORMS))}; "
            f"'backward' scales the inverse by 1/n, 'forward' the forward "
            f"transform, 'ortho' both by 1/sqrt(n)"
        )


def one(n: Any) -> tuple[int, ...] | None:
    """``n`` of a one-dimensional function as ``s``."""
    return None if n is None else (n,)


def plan(
    op: str,
    x: Variable,
    s: Sequence[int] | None,
    axes: Sequence[int] | None,
    norm: Any,
) -> tuple[tuple[int, ...], tuple[int, ...] | None]:
    """The transformed axes (non-negative, in order) and their sizes (None: as
    they are), as the standard reads ``s`` and ``axes``; errors name ``op``."""
    check_norm(op, norm)
    ndim = x.ndim
    if axes is None:
        count = ndim if s is None else len(s)
        axes = tuple(range(ndim - count, ndim))
    axes = tuple(axes)
    for a in axes:
        if not -ndim <= a < ndim:
            raise ValueError(
                f"{op}: axis {a} is out of range for an array of shape "
                f"{tuple(x.shape)}; pass an axis in [{-ndim}, {ndim})"
            )
    axes = tuple(a % ndim for a in axes)
    if len(set(axes)) != len(axes):
        raise ValueError(f"{op}: axes {axes} repeat an axis; name each axis once")
    if s is None:
        return axes, None
    sizes = tuple(s)
    if len(sizes) != len(axes):
        raise ValueError(
            f"{op}: s={sizes} gives {len(sizes)} sizes for the {len(axes)} axes "
            f"{axes}; give one size per transformed axis"
        )
    if any(not isinstance(n, int) or n < 1 for n in sizes):
        raise ValueError(
            f"{op}: sizes must be positive integers, got {sizes}; leave s (or n) "
            f"as None to keep the input's sizes"
        )
    return axes, sizes


def resize(x: Variable, axes: Sequence[int], sizes: Sequence[int]) -> Variable:
    """``x`` cropped or padded with zeros at the end of each axis to its size."""
    for a, n in zip(axes, sizes, strict=True):
        have = x.shape[a]
        if n < have:
            x = get_item(x, (*(slice(None),) * a, slice(0, n), ...))
        elif n > have:
            shape = list(x.shape)
            shape[a] = n - have
            data = x.data
            xp = x.backend.xp
            device = x.backend.device_of(data)
            zeros = xp.zeros(tuple(shape), dtype=data.dtype, device=device)
            x = concat([x, Constant(zeros)], axis=a)
    return x


def real_only(op: str, x: Variable, complex_op: str) -> None:
    """Refuse a complex ``x``: ``op`` transforms real signals."""
    xp = x.backend.xp
    if xp.isdtype(x.dtype, "complex floating"):
        raise TypeError(
            f"{op}: takes a real signal, got complex input (dtype {x.dtype}, shape "
            f"{tuple(x.shape)}); use {complex_op} for complex input, or pass "
            f"F.real(x) if the imaginary part is noise"
        )
