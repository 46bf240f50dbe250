"""Calls a replay need not make again: results fixed by the signature alone.

A recording is replayed only for arguments and state of the shapes and
dtypes it was made with, so some of its calls compute the same array every
time: ``ones_like(loss)``, the seed of every ``backward()``, depends on the
loss's shape and dtype and not on its values, and ``seed / batch`` in a mean's
backward depends on nothing else. :func:`folded_results` finds such calls; the
replay takes their results from the recording run as constants.

A result is folded only when no one can tell: it does not leave the step (not
returned, not written to state) and every call that reads it only reads it
(an elementwise operator or NumPy ufunc making a fresh array, the right-hand
side of an in-place operator). A folded array is shared by every replay, so a
call that could write into it or keep a view of it keeps it computed afresh.

Not every array keeps its shape from replay to replay (:mod:`.shapes`):
``ones_like`` of a boolean selection (``x[x > 0]``), or of anything made
from one, is made at every replay. So is a call that reads an array from
outside the step (a closure's class weights): the caller may change it
between calls, and the replay reads it then, as an eager call does.
"""

from __future__ import annotations

import operator
from collections.abc import Container
from typing import Any

import numpy as np

from .._compat import is_array_api_obj
from .buffers import fresh_ufunc, is_in_place_operator, ufunc_of
from .traced import Traced, traced_in

__all__ = ["folded_results"]

#: Namespace functions whose result depends on their other arguments and, for
#: the ``*_like`` ones, only on the shape, dtype and device of the first.
_LIKE = ("ones_like", "zeros_like", "full_like")
_CREATION = ("ones", "zeros", "full", "eye", "arange", "linspace")
#: Functions that may return a view of their first argument: folded with it
#: when only read themselves (the seed reshaped and broadcast in a backward).
_VIEWS = ("reshape", "broadcast_to", "expand_dims", "squeeze", "permute_dims")
Entry = tuple[Any, tuple[Any, ...], dict[str, Any], Any]


def folded_results(
    entries: list[Entry], keep: set[int], varying: Container[int]
) -> dict[int, Any]:
    """Entry index -> the result a replay may take as a constant.

    ``keep``: the slots that leave the step (results, final state);
    ``varying``: the slots whose shape may change (:mod:`.shapes`). Call it
    before the recording forgets its values: the constants are those values.
    """
    candidates: dict[int, int] = {}  # slot -> entry index
    for i, (fn, args, kwargs, outputs) in enumerate(entries):
        kind = _kind(fn, args, kwargs, outputs)
        if kind is None or not isinstance(outputs, Traced) or outputs.index in keep:
            continue
        if kind == "like" and any(t.index in varying for t in traced_in(args[:1])):
            continue  # the shape of this call's array, not the recording's
        if _reads_outside_array((args, kwargs)):
            continue  # its values at this call, not at the recording
        if all(t.index in candidates for t in _values_read(kind, args, kwargs)):
            candidates[outputs.index] = i
    changed = True
    while changed:  # drop what is written or escapes, then what was made from it
        changed = False
        for slot, i in list(candidates.items()):
            fn, args, kwargs, outputs = entries[i]
            kind = _kind(fn, args, kwargs, outputs)
            made_from = _values_read(kind, args, kwargs)
            if not _only_read(slot, entries, candidates) or any(
                t.index not in candidates for t in made_from
            ):
                del candidates[slot]
                changed = True
    return {i: entries[i][3].value for i in candidates.values()}


def _reads_outside_array(obj: Any) -> bool:
    """Whether ``obj`` holds an array from outside the step (a closure's, an
    object's): a replay reads it as it is then, as an eager call does."""
    if isinstance(obj, (Traced, np.generic)):  # np.float32(2): a number
        return False
    if type(obj) in (tuple, list):
        return any(map(_reads_outside_array, obj))
    if type(obj) is dict:
        return any(map(_reads_outside_array, obj.values()))
    return is_array_api_obj(obj)


def _kind(fn: Any, args: tuple[Any, ...], kwargs: dict[str, Any], outputs: Any) -> Any:
    """How a call uses its arguments: "like", "fresh", "creation", "view", or None."""
    if ufunc_of(fn) is not None:
        return "fresh" if fresh_ufunc(fn, args, kwargs) is not None else None
    if fn is operator.getitem:
        return "view"
    backend = getattr(outputs, "_backend", None)
    if backend is None:
        return None
    for kind, names in (("like", _LIKE), ("creation", _CREATION), ("view", _VIEWS)):
        if any(fn is getattr(backend.xp, name, None) for name in names):
            return kind
    return None


def _values_read(kind: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> list:
    """The Traced whose values a call's result depends on."""
    if kind == "like" and args and isinstance(args[0], Traced):
        args = args[1:]  # its shape and dtype only, fixed by the signature
    return list(traced_in((args, kwargs)))


def _only_read(slot: int, entries: list[Entry], candidates: dict[int, int]) -> bool:
    """Whether every call that meets ``slot`` only reads it, or makes a view
    of it that is folded too (so only read)."""
    for fn, args, kwargs, outputs in entries:
        uses = [t.index for t in traced_in((args, kwargs))]
        if slot not in uses:
            continue
        if isinstance(outputs, Traced) and outputs.index == slot:
            return False  # written in place (out=, an in-place backend method)
        kind = _kind(fn, args, kwargs, outputs)
        if kind == "fresh":
            continue
        first = args[0] if args else None
        if is_in_place_operator(fn) and not _is_slot(first, slot):
            continue  # the right-hand side of ``x *= folded``
        if kind == "like" and _is_slot(first, slot) and slot not in uses[1:]:
            continue  # ``ones_like(folded)`` asks only its shape
        if kind == "view" and getattr(outputs, "index", None) in candidates:
            continue
        return False
    return True


def _is_slot(x: Any, slot: int) -> bool:
    return isinstance(x, Traced) and x.index == slot
