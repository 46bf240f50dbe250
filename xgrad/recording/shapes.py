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

from collections.abc import Container
from typing import Any

from .buffers import ufunc_of
from .codegen import name_of
from .traced import Traced, traced_in

__all__ = ["shapes_from_values"]

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


def shapes_from_values(entries: list[Any], hosts: Container[int]) -> set[int]:
    """The slots whose shape a replay may find other than the recording's
    (see the module doc), and every slot made from one."""
    varying: set[int] = set()
    for i, (fn, args, kwargs, outputs) in enumerate(entries):
        read = list(traced_in((args, kwargs)))
        name = name_of(fn).removeprefix("method_")
        from_values = (
            i in hosts
            or any(t.index in varying for t in read)
            or name in _SHAPE_FROM_VALUES
            or (name == "where" and len(args) == 1)  # np.where(c): nonzero
            or (name in _INDEXING and any(map(_is_bool, traced_in(args[1:]))))
            or (ufunc_of(fn) is None and any(t._backend is None for t in read))
        )
        # Arrays only (a number has no shape; a call reading it is above), and
        # not an argument written in place, which keeps its shape.
        made = {t.index for t in traced_in(outputs) if t._backend is not None}
        if from_values and not made <= {t.index for t in read}:
            varying |= made
    return varying


def _is_bool(traced: Traced) -> bool:
    """Whether ``traced`` is a boolean array (a mask, as an index)."""
    backend = traced._backend
    return backend is not None and backend.xp.isdtype(traced.value.dtype, "bool")
