"""A replay's own output buffers on NumPy: big temporaries made once, reused.

An eager step allocates every temporary afresh and frees it; a replay knows
the shape and dtype of each array it makes, and which of them never leave
it. For a NumPy ufunc (``np.add``, ``np.matmul``, ``x * y`` ...) whose result
is big, is not returned or written to state, and is only read by other
ufuncs (no view of it can escape), the replay passes a buffer of its own as
``out=``, allocated at the first replay and reused by every later one: no
allocation, no page faults. The numbers are the same: a ufunc computes the
same values into ``out`` as into a fresh array.

An elementwise ufunc's result may instead go into one of its operands,
when that operand is an array the replay made with a ufunc, has the result's
shape and dtype, dies at that call and has no view (``np.multiply(mask, g,
out=g)`` for ReLU's gradient, :mod:`.fusing`). That memory was written a
moment ago and is still in the CPU's caches; a buffer's, or a fresh array's,
was last written a step ago. On the NumPy MLP step such writes into cold
memory, not the allocations, were what cost: about 1% of the step.

A gradient the step drops unread (``cleargrads()`` before ``backward()``)
is *donated* the same way: the ufunc that makes its successor writes into
the old array, when the replay finds that nothing but itself holds that
array (:func:`donatable`). Without it the replay would free the old
gradients and allocate new ones each step, and the allocator, handed back
megabytes at the top of its heap, returns them to the system, so every
page of the new ones faults again.
"""

from __future__ import annotations

import operator
import sys
from collections.abc import Container
from typing import Any

import numpy as np

from .traced import Traced, traced_in

__all__ = [
    "C_ORDER",
    "MIN_BYTES",
    "donatable",
    "donated_outputs",
    "fresh_ufunc",
    "is_in_place_operator",
    "memory_order",
    "reusable_outputs",
    "reused_operands",
    "ufunc_of",
]

#: Results smaller than this come from NumPy's own small-block allocator cheaply.
MIN_BYTES = 1 << 16

OPERATORS = {
    operator.add: np.add,
    operator.sub: np.subtract,
    operator.mul: np.multiply,
    operator.truediv: np.true_divide,
    operator.floordiv: np.floor_divide,
    operator.mod: np.remainder,
    operator.pow: np.power,
    operator.matmul: np.matmul,
    operator.neg: np.negative,
    operator.lt: np.less,
    operator.le: np.less_equal,
    operator.gt: np.greater,
    operator.ge: np.greater_equal,
    operator.eq: np.equal,
    operator.ne: np.not_equal,
}
# In-place operators read and write their first operand and make no alias.
INPLACE_OPERATORS = frozenset(
    {
        operator.iadd,
        operator.isub,
        operator.imul,
        operator.itruediv,
        operator.ifloordiv,
        operator.imod,
        operator.ipow,
        operator.imatmul,
        operator.iand,
        operator.ior,
        operator.ixor,
    }
)


# Looked up by identity: a recorded function may be unhashable (a host call's
# callable object), and it is never one of these unless it is the very one.
_UFUNCS_BY_ID = {id(op): ufunc for op, ufunc in OPERATORS.items()}
_IN_PLACE_IDS = frozenset(map(id, INPLACE_OPERATORS))


def ufunc_of(fn: Any) -> Any:
    """The NumPy ufunc a recorded function computes (a ufunc, or one of
    Python's operators on arrays), or None."""
    if isinstance(fn, np.ufunc):
        return fn
    return _UFUNCS_BY_ID.get(id(fn))


def is_in_place_operator(fn: Any) -> bool:
    """Whether ``fn`` is one of Python's in-place operators (``operator.iadd``)."""
    return id(fn) in _IN_PLACE_IDS


def fresh_ufunc(fn: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    """The NumPy ufunc of a call that only reads its arguments and makes its
    results afresh (no ``out``, given by keyword or position, no ``where``);
    None for any other call."""
    ufunc = ufunc_of(fn)
    if ufunc is None or len(args) > ufunc.nin or "out" in kwargs or "where" in kwargs:
        return None
    return ufunc


def _fresh_result(fn: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    """:func:`fresh_ufunc` of a call with one result, which may take ``out=``
    instead; None for any other call."""
    ufunc = fresh_ufunc(fn, args, kwargs)
    return ufunc if ufunc is not None and ufunc.nout == 1 else None


def reusable_outputs(
    entries: list[tuple[Any, tuple[Any, ...], dict[str, Any], Any]],
    keep: set[int],
    skipped: Container[int] = (),
) -> dict[int, Any]:
    """Entry index -> (ufunc, buffer) for the results a replay may write into
    a buffer of its own (see the module doc); ``keep``: slots that leave, or
    whose shape may change (:mod:`.shapes`);
    ``skipped``: entries the replay does not call."""
    escapes = _escaping(entries, keep)
    found: dict[int, Any] = {}
    for i, (fn, args, kwargs, outputs) in enumerate(entries):
        ufunc = _fresh_result(fn, args, kwargs)
        if ufunc is None or i in skipped or not isinstance(outputs, Traced):
            continue
        value = outputs.value
        if (
            type(value) is np.ndarray
            and value.nbytes >= MIN_BYTES
            and outputs.index not in escapes
        ):
            found[i] = (ufunc, np.empty_like(value))
    return found


def _escaping(entries: list[Any], keep: set[int]) -> set[int]:
    """``keep`` and every slot a call other than a ufunc or an in-place
    operator reads: such a call may make a view of it, or keep it."""
    escapes = set(keep)
    for fn, args, kwargs, _ in entries:
        if ufunc_of(fn) is None and not is_in_place_operator(fn):
            escapes.update(t.index for t in traced_in((args, kwargs)))
    return escapes


def reused_operands(
    entries: list[tuple[Any, tuple[Any, ...], dict[str, Any], Any]],
    keep: set[int],
    varying: set[int],
    buffers: dict[int, Any],
    skipped: Container[int] = (),
) -> dict[int, tuple[Any, int]]:
    """Entry index -> (ufunc, slot) for the elementwise ufunc calls whose
    result may go into an operand that dies at that call (see the module
    doc). ``keep``: slots that leave; ``varying``: slots whose shape may
    change, made afresh (a bigger result does not fit an operand of the
    recording's shape); ``skipped``: entries the replay does not call, or
    whose result goes into a donated array. Where such a result may leave
    the replay, the buffer its memory came from is taken out of ``buffers``."""
    escapes = _escaping(entries, keep | varying)
    last_use: dict[int, int] = {}
    for i, (_, args, kwargs, _) in enumerate(entries):
        last_use.update((t.index, i) for t in traced_in((args, kwargs)))
    home: dict[int, int] = {}  # slot -> the entry whose call made its memory
    found: dict[int, tuple[Any, int]] = {}
    for i, (fn, args, kwargs, outputs) in enumerate(entries):
        ufunc = _fresh_result(fn, args, kwargs)
        if ufunc is None or i in skipped or not isinstance(outputs, Traced):
            continue
        if outputs.index in home or type(outputs.value) is not np.ndarray:
            continue
        home[outputs.index] = i
        if ufunc.signature is not None or outputs.index in varying:
            continue  # matmul, or a result that may outgrow its operand
        for operand in args:
            if _dies_here(operand, outputs, i, last_use, escapes, home):
                found[i] = (ufunc, operand.index)
                home[outputs.index] = home[operand.index]
                buffers.pop(i, None)
                if outputs.index in escapes:  # it may leave: fresh memory
                    buffers.pop(home[operand.index], None)
                break
    return found


def _dies_here(
    operand: Any,
    result: Traced,
    i: int,
    last_use: dict[int, int],
    escapes: set[int],
    home: dict[int, int],
) -> bool:
    """Whether ``result`` may be written over ``operand``: a big C-contiguous
    array the replay made with a ufunc, of the result's shape, dtype and
    layout (``order="F"`` makes another: its reshape copies), that nothing
    reads after call ``i`` and nothing else holds (no view of it)."""
    if not isinstance(operand, Traced) or operand.index not in home:
        return False
    value, made = operand.value, result.value
    return (
        last_use.get(operand.index) == i
        and operand.index not in escapes
        and type(value) is np.ndarray
        and value.nbytes >= MIN_BYTES  # small: a keyword costs more than it saves
        and (value.shape, value.dtype) == (made.shape, made.dtype)
        and value.flags.c_contiguous
        and made.flags.c_contiguous
    )


def donated_outputs(
    entries: list[tuple[Any, tuple[Any, ...], dict[str, Any], Any]],
    donors: dict[int, int],
    taken: dict[int, Any],
) -> dict[int, tuple[Any, int]]:
    """Entry index -> (ufunc, input slot) for the entries whose result may go
    into an array given up by the step: ``donors`` maps a result slot (a new
    gradient) to the input slot of the array it replaces (the old one, which
    nothing in the step reads). ``taken``: entries given buffers already."""
    found: dict[int, tuple[Any, int]] = {}
    for i, (fn, args, kwargs, outputs) in enumerate(entries):
        ufunc = _fresh_result(fn, args, kwargs)
        if (
            ufunc is not None
            and i not in taken
            and isinstance(outputs, Traced)
            and outputs.index in donors
            and type(outputs.value) is np.ndarray
            and outputs.value.flags.c_contiguous
        ):
            found[i] = (ufunc, donors[outputs.index])
    return found


C_ORDER = ()  # the memory order of every C-contiguous array (no strides to list)


def memory_order(x: Any) -> tuple[int, ...] | None:
    """How a NumPy array is laid out, as far as a replay can tell: its strides
    over the dimensions longer than 1 (a dimension of length 1 has any stride:
    a ``(1, n)`` array made afresh and one made by ``.T`` are laid out alike);
    None for arrays of other libraries, whose replays write into no array of
    their own."""
    if type(x) is not np.ndarray:
        return None
    if x.flags.c_contiguous:  # most arrays: its shape says the rest
        return C_ORDER
    return tuple(s for n, s in zip(x.shape, x.strides, strict=True) if n != 1)


def donatable(x: Any, expected: tuple[tuple[int, ...], Any, Any]) -> bool:
    """Whether the replay may write a new result into ``x``: a NumPy array of
    the ``expected`` (shape, dtype, :func:`memory_order`), C-contiguous as a
    fresh result is (a ufunc may round differently into another layout),
    owning its memory,
    writeable, that nothing else holds (no Variable, no name, no view: each
    keeps a reference). Call it as a replay's glue does, ``donatable(held[0],
    expected)`` with ``held`` a list alone holding ``x``: the count of
    references it expects is taken that way."""
    return (
        type(x) is np.ndarray
        and x.flags.owndata
        and x.flags.c_contiguous
        and x.flags.aligned
        and x.flags.writeable
        and (x.shape, x.dtype, memory_order(x)) == expected
        and _references(x) == _ONLY_THE_REPLAY
    )


def _references(x: Any) -> int:
    return sys.getrefcount(x)


def _references_inside(x: Any) -> int:
    """:func:`donatable`'s count, from a frame like its own."""
    return _references(x)


def _only_the_replay() -> int | None:
    """The references :func:`donatable` counts for an array that only the
    replay's list holds, measured on this interpreter, which may take or
    borrow references for a call's arguments (CPython 3.14 borrows more than
    3.11); None where there is no count (PyPy): then nothing is donated."""
    if not hasattr(sys, "getrefcount"):
        return None
    held = [np.empty(1)]
    return _references_inside(held[0])


_ONLY_THE_REPLAY = _only_the_replay()
