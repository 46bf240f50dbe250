"""Writes into a Variable on the tape: ``x[k] = v`` and ``x += y``.

The array API standard (and the SciPy and scikit-learn code written for it)
writes into arrays, sometimes after they have been read: SciPy's
``logsumexp(b=...)`` overwrites entries of a result it has already used.
xgrad records such a write as an out-of-place Function, and keeps every
gradient exact:

1. the value before the write moves to a new Variable, ``old`` (its array,
   its creator and generation);
2. the write is computed out of place from ``old`` (``compute(old)``);
3. every Function that has already read ``x`` reads ``old`` instead (its
   ``inputs`` are rewritten), and ``x``'s creator now makes ``old``;
4. ``x`` becomes the result: its array, creator and generation.

So a Function recorded before the write computes its backward from the
value it saw, and one recorded after from the new value. Finding the
Functions that read ``x`` costs a scan of the heap (:func:`gc.get_referrers`),
so it runs only for a Variable that has been read since it was made or last
written (``Function.__call__`` marks it): a write before any read, the usual
case, is cheap.

A write into a leaf that needs a gradient (a Parameter, a ``Variable`` made
by hand) is refused: its gradient is defined for the value it holds, and
after the write there would be nothing left to give it to.
"""

from __future__ import annotations

import gc
import weakref
from collections.abc import Callable

from .config import enable_backprop
from .function import Function
from .variable import Constant, Variable

__all__ = ["write"]


def write(x: Variable, compute: Callable[[Variable], Variable], where: str) -> None:
    """Make ``x`` the Variable ``compute(old)`` returns, where ``old`` holds
    ``x``'s value before the write; Functions that read ``x`` keep ``old``."""
    if x.creator is None and x.requires_grad and enable_backprop.get():
        raise TypeError(
            f"{where}: writes into a leaf Variable that needs a gradient (shape "
            f"{x.shape}, dtype {x.dtype}); its gradient would lose the value the "
            f"write replaces. Write into a copy on the tape: "
            f"`x = xp.asarray(x, copy=True)`, or into its array outside the tape "
            f"(`x.data`), or under `xgrad.no_grad()`"
        )
    old = _snapshot(x)
    new = compute(old)
    if x.creator is not None:
        _redirect_outputs(x.creator, x, old)
    if x._consumed:
        _redirect_readers(x, old, exclude=new.creator)
    _become(x, new)


def _snapshot(x: Variable) -> Variable:
    old = object.__new__(type(x))
    for name in ("_data", "creator", "generation", "name", "_consumed"):
        setattr(old, name, getattr(x, name))
    old.grad = None
    if hasattr(x, "state"):  # a Parameter (written under no_grad)
        old.state = {}  # type: ignore[attr-defined]
    return old


def _redirect_outputs(creator: Function, x: Variable, old: Variable) -> None:
    creator.outputs = tuple(
        weakref.ref(old) if ref() is x else ref for ref in creator.outputs
    )


def _redirect_readers(x: Variable, old: Variable, exclude: Function | None) -> None:
    """Every Function whose ``inputs`` hold ``x`` gets ``old`` there instead."""
    holders = [h for h in gc.get_referrers(x) if type(h) is tuple or type(h) is list]
    if not holders:
        return
    ids = {id(h) for h in holders}
    for f in gc.get_referrers(*holders):
        if isinstance(f, Function) and f is not exclude and id(f.inputs) in ids:
            fixed = [old if v is x else v for v in f.inputs]
            f.inputs = fixed if isinstance(f.inputs, list) else tuple(fixed)


def _become(x: Variable, new: Variable) -> None:
    x._data = new._data
    x.creator = new.creator
    x.generation = new.generation
    x.grad = None
    x._consumed = False
    if type(x) is Variable or type(x) is Constant:
        x.__class__ = type(new)
    if new.creator is not None:
        _redirect_outputs(new.creator, new, x)
