"""Indexing: ``x[key]`` (``get_item``) and the scatter that is its gradient;
``x[key] = value`` recorded out of place (``set_item``).

Keys have NumPy's meaning on every backend; where a library's own indexing
is narrower, its backend rewrites the key (``Backend.getitem``,
``Backend.scatter_add``; see xgrad/backends/_indexing.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .. import backends
from .._inputs import data_like
from ..core import Function, Variable, as_variable
from .shape import sum_to

if TYPE_CHECKING:
    from ..backends import Backend


def _normalize_key(key: Any, backend: Backend, like: Any) -> Any:
    """Index parts as the backend expects them: Variables and lists become arrays."""
    parts = key if isinstance(key, tuple) else (key,)
    if any(p is False for p in parts):
        raise IndexError(
            f"get_item: x[False] selects nothing (an empty new axis), which not "
            f"every library can spell; for an empty result use x[None][0:0] "
            f"(shape {(0, *like.shape)})"
        )
    # x[True] is NumPy's 0-d mask: a new axis of length 1, which None spells
    # on every library.
    parts = tuple(None if p is True else p for p in parts)
    fixed = [
        data_like(p, like)
        if isinstance(p, Variable | list)
        or (hasattr(p, "shape") and not isinstance(p, int))
        else p
        for p in parts
    ]
    # `x[1]` on a matrix means `x[1, ...]`; say so, as the standard requires.
    masks = any(
        hasattr(p, "dtype") and backend.xp.isdtype(p.dtype, "bool") for p in fixed
    )
    ellipsis = any(p is Ellipsis for p in fixed)
    indexed = sum(p is not None for p in fixed)
    if not ellipsis and not masks and indexed < like.ndim:
        return (*fixed, Ellipsis)
    return tuple(fixed) if len(fixed) != 1 or isinstance(key, tuple) else fixed[0]


class GetItem(Function):
    def __init__(self, slices: Any) -> None:
        self.slices = slices

    def forward(self, x):
        return self.backend.getitem(x, self.slices)

    def explain(self, xs: tuple[Any, ...]) -> str:
        return (
            f"x[key] on shape {tuple(xs[0].shape)}: an index into an axis of "
            f"length n must lie in [-n, n), and the key may index at most "
            f"{xs[0].ndim} axes"
        )

    def backward(self, gy):
        x = self.inputs[0]
        return GetItemGrad(self.slices, tuple(x.shape))(gy)


class GetItemGrad(Function):
    def __init__(self, slices: Any, in_shape: tuple[int, ...]) -> None:
        self.slices = slices
        self.in_shape = in_shape

    def forward(self, gy):
        xp = self.xp
        zeros = xp.zeros(
            self.in_shape, dtype=gy.dtype, device=self.backend.device_of(gy)
        )
        return self.backend.scatter_add(zeros, self.slices, gy)

    def backward(self, ggx):
        return get_item(ggx, self.slices)


def get_item(x: Any, slices: Any) -> Variable:
    """``x[slices]``: basic slices, integer arrays and boolean masks.

    The gradient adds back into the selected positions, accumulating repeated
    indices (``x[[0, 0]]`` gives element 0 the gradient 2).
    """
    x = as_variable(x)
    backend = backends.of(x.data, op="get_item")
    return GetItem(_normalize_key(slices, backend, x.data))(x)


class SetItem(Function):
    """``x`` with ``value`` written at ``x[key]``, as a new array: the Function
    that ``x[key] = value`` records (:mod:`xgrad.inplace`)."""

    def __init__(self, key: Any) -> None:
        self.key = key

    def forward(self, x, value):
        return self.backend.set_item(x, self.key, value)

    def explain(self, xs: tuple[Any, ...]) -> str:
        return (
            f"x[key] = value on shape {tuple(xs[0].shape)}: value (shape "
            f"{tuple(xs[1].shape)}) must broadcast to the selected part"
        )

    def backward(self, gy):
        _x, value = self.inputs
        gx = SetItem(self.key)(gy, 0.0) if self.needs_grad(0) else None
        gv = sum_to(get_item(gy, self.key), value.shape) if self.needs_grad(1) else None
        return gx, gv


def set_item(x: Any, key: Any, value: Any) -> Variable:
    """``x`` with ``x[key] = value``, out of place: gradients reach ``x``
    everywhere but ``x[key]``, and ``value`` (summed over its broadcasting)."""
    x = as_variable(x)
    backend = backends.of(x.data, op="set_item")
    return SetItem(_normalize_key(key, backend, x.data))(x, value)
