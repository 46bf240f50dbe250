"""Which arrays of a recording may have another shape at the next replay.

A recording is replayed only for arguments and state of the shapes it was
made with, but not every array made from them keeps its shape: a boolean
selection (``x[x > 0]``), ``nonzero``, ``unique_values``, a host call's
array or a slice by a number the replay passes in (``x[:n]``) has a length
that follows values, and so does anything made from one. A number the
replay passes in (a host call's, an optimizer's rate) changes no array's
shape unless a call reads it as one (``x[:n]``, ``ones(n)``). A replay may not
take such an array from the recording run (:mod:`.folding`), nor write it
into a buffer of the recording's shape (:mod:`.buffers`), where NumPy would
broadcast a shorter result into it without a word.
"""

from __future__ import annotations

import operator
from collections.abc import Container
from typing import Any, NamedTuple

import numpy as np

from .. import backends
from .._compat import is_array_api_obj
from .._errors import JitError
from .buffers import is_in_place_operator, ufunc_of
from .codegen import name_of
from .traced import Traced, traced_in

__all__ = ["ShapeChanged", "ValueShapes", "value_shapes"]

#: ``x[key]`` as an operator and as a backend's method (``Backend.getitem``).
_INDEXING = ("getitem", "__getitem__")
#: Functions (and methods) whose result's shape follows their arguments' values.
_SHAPE_FROM_VALUES = frozenset(
    {
        "nonzero",
        "argwhere",
        "flatnonzero",
        "unique",
        "unique_all",
        "unique_counts",
        "unique_inverse",
        "unique_values",
        "unique_consecutive",
        "compress",
        "extract",
        "masked_select",
        "repeat",
        "repeat_interleave",
        "bincount",
        "delete",
        "insert",
        "trim_zeros",
        "intersect1d",
        "setdiff1d",
        "setxor1d",
        "union1d",
    }
)

#: Splits that take their points as an array too (``torch.tensor_split(x, t)``):
#: then the values of that array set the parts' lengths.
_SPLITS = frozenset(
    {"tensor_split", "split", "array_split", "hsplit", "vsplit", "dsplit"}
)


class ValueShapes(NamedTuple):
    """What a recording's shapes that follow values ask of its replays."""

    #: The slots whose shape a replay may find other than the recording's
    #: (see the module doc): where such a shape begins, and all made from it.
    varying: set[int]
    #: The entries where such shapes begin (a selection, ``nonzero``).
    sources: list[int]
    #: Entry index -> (slot, shape) a replay checks right after that entry.
    guards: dict[int, list[tuple[int, Any]]]


def value_shapes(recording: Any) -> ValueShapes:
    """The :class:`ValueShapes` of a recording whose step has run; the guards
    as :func:`_guards` finds them."""
    varying, sources = _walk(
        recording.entries, recording.host_entries - recording.sized_hosts
    )
    return ValueShapes(varying, sources, _guards(recording, varying, sources))


def _walk(entries: list[Any], hosts: Container[int]) -> tuple[set[int], list[int]]:
    """:attr:`ValueShapes.varying` and :attr:`ValueShapes.sources`."""
    varying: set[int] = set()
    sources: list[int] = []
    for i, (fn, args, kwargs, outputs) in enumerate(entries):
        read = list(traced_in((args, kwargs)))
        name = name_of(fn).removeprefix("method_")
        begins = (
            i in hosts
            or name in _SHAPE_FROM_VALUES
            or (name == "where" and len(args) == 1)  # np.where(c): nonzero
            or (name in _INDEXING and _has_mask(args[1:]))
            or (name in _SPLITS and any(True for _ in traced_in((args[1:], kwargs))))
            or (ufunc_of(fn) is None and any(t._backend is None for t in read))
        )
        # Arrays only (a number has no shape; a call reading it is above), and
        # not an argument written in place, which keeps its shape.
        made = {t.index for t in traced_in(outputs) if t._backend is not None}
        if made <= {t.index for t in read}:
            continue
        if begins:
            sources.append(i)
        if begins or any(t.index in varying for t in read):
            varying |= made
    return varying, sources


class ShapeChanged(Exception):
    """A replay met an array of another shape than the recording's, where the
    step's Python read that shape: the call runs eagerly instead."""


def _guards(
    recording: Any, varying: set[int], sources: list[int]
) -> dict[int, list[tuple[int, Any]]]:
    """Entry index -> (slot, shape) for the arrays a replay checks as soon as
    it makes them: where a value-dependent shape begins, when the step's
    Python read the shape of such an array (``broadcast_to(g, x.shape)`` in a
    backward pass), which a replay would otherwise keep. Empty when it read
    none. Raises :class:`JitError` when a host call or a write into an
    argument or the state, or a view of one, comes before a check: running
    the step eagerly after a failed check would do it twice.
    """
    entries = recording.entries
    if varying.isdisjoint(recording.shapes_read):
        return {}
    inputs = {t.index for t in recording.inputs}  # and views of them
    for i, (fn, args, _, outputs) in enumerate(entries[: max(sources) + 1]):
        made = {t.index for t in traced_in(outputs)}
        written = made & inputs
        writes_first = _writes_first(fn, args, outputs)
        written |= {args[0].index} & inputs if writes_first else set()
        if _may_view(fn, args) and not inputs.isdisjoint(map(_index, args[:1])):
            inputs |= made  # v = a[:2]; v += 1 writes into a
        if i in recording.host_entries or written:
            raise JitError(
                f"xgrad.jit: the step makes an array whose shape follows values "
                f"({name_of(entries[max(sources)][0])}) and reads that shape, "
                f"after {'a host call' if i in recording.host_entries else 'a write'} "
                f"({name_of(fn)}) that a replay could not take back if the shape "
                f"changed. Keep shapes fixed (xp.where(mask, x, 0) instead of "
                f"x[mask]), or call the step without jit"
            )
    return {
        i: [(t.index, t.value.shape) for t in traced_in(entries[i][3]) if t._backend]
        for i in sources
    }


#: Functions (and methods) that may return a view of their first argument.
_VIEWS = frozenset(
    [
        "reshape",
        "broadcast_to",
        "expand_dims",
        "squeeze",
        "permute_dims",
        "matrix_transpose",
        "transpose",
        "swapaxes",
        "moveaxis",
        "ravel",
        "view",
        "view_as",
        "flip",
        "diagonal",
        "real",
        "imag",
        "attrgetter",
        "narrow",
        "expand",
        "unsqueeze",
        "movedim",
        "unflatten",
        "flatten",
        "select",
        "as_strided",
        "detach",
        "unstack",
        "split",
        "chunk",
        "unbind",
        "asarray",
        "astype",
    ]
)


def _may_view(fn: Any, args: tuple[Any, ...]) -> bool:
    """Whether a call may hand back a view of its first argument: a basic
    index (no array in the key), a reshape, a transpose."""
    name = name_of(fn).removeprefix("method_")
    if name in _INDEXING:
        return next(traced_in(args[1:]), None) is None
    return name in _VIEWS


def _index(x: Any) -> int | None:
    return x.index if isinstance(x, Traced) else None


def _writes_first(fn: Any, args: tuple[Any, ...], outputs: Any) -> bool:
    """Whether a call writes into its first argument: ``x += y``,
    ``x[k] = v``, a write that returns nothing, PyTorch's ``x.add_(y)``."""
    if not args or not isinstance(args[0], Traced):
        return False
    name = name_of(fn).removeprefix("method_")
    in_place = name.endswith("_") and not name.startswith("_")  # PyTorch's
    return (
        is_in_place_operator(fn)
        or fn is operator.setitem
        or in_place
        or (outputs is None)
    )


def _has_mask(key: Any) -> bool:
    """Whether an index holds a boolean array: the step's own (``x[x > 0]``)
    or one from outside it (a closure's mask, which the caller may change)."""
    if type(key) in (tuple, list):
        return any(map(_has_mask, key))
    if isinstance(key, Traced):
        backend = key._backend
        return backend is not None and backend.xp.isdtype(key.value.dtype, "bool")
    if isinstance(key, np.generic) or not is_array_api_obj(key):
        return False
    return bool(backends.of(key).xp.isdtype(key.dtype, "bool"))
