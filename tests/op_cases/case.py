"""The row type of the op table, and how a row is called.

An :class:`OpCase` says how to call one op (``func``), what it should give
(``reference``, NumPy on float64 arrays), and where its inputs come from:
fixed ``examples`` (deterministic arrays and options, checked tightly by
tests/test_ops.py), a Hypothesis strategy ``fuzz`` (drawn shapes and values,
tests/fuzz/test_fuzz_ops.py), or both. An optional ``torch`` reference adds a
second opinion on first and second derivatives (tests/test_against_torch.py).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from hypothesis.strategies import SearchStrategy

import xgrad.functions as F
from xgrad.testing.gradients import real_loss as loss_of

Arrays = Callable[[np.random.Generator], list[np.ndarray]]


@dataclass
class Call:
    """Inputs for one call: arrays (float64 data; integer or boolean labels, ids,
    masks) and keyword options, passed as ``func(*arrays, **kwargs)``."""

    arrays: list[np.ndarray]
    kwargs: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Example:
    """Fixed inputs: arrays made from a seeded generator, and options."""

    arrays: Arrays
    kwargs: dict[str, Any] = field(default_factory=dict)
    name: str = ""  # tells two examples of one row apart in test ids

    def call(self, rng: np.random.Generator) -> Call:
        return Call(self.arrays(rng), dict(self.kwargs))


def ex(arrays: Arrays, name: str = "", **kwargs: Any) -> Example:
    """``Example(arrays, kwargs, name)``, with the options as keywords."""
    return Example(arrays, kwargs, name)


@dataclass(frozen=True)
class OpCase:
    """One row of the op table (tests/op_cases/table.py)."""

    name: str
    func: Callable[..., Any]  # (*arrays, **kwargs) -> Variable or list of Variables
    reference: Callable[..., Any]  # NumPy, same signature, on the float64 arrays
    examples: Sequence[Example] = ()  # fixed inputs: tests/test_ops.py
    fuzz: SearchStrategy[Call] | None = None  # drawn inputs: tests/fuzz
    torch: Callable[..., Any] | None = None  # PyTorch, same signature, on tensors
    covers: tuple[str, ...] = ()  # aliases in xgrad.functions it exercises too
    exact: bool = True  # compare forward values with the reference
    differentiable: bool = True  # check first and second derivatives
    # Backends that refuse this op by design, with a regex matching the start of
    # their NotImplementedError: the tests check the refusal there instead.
    refused: dict[str, str] = field(default_factory=dict)

    def example_id(self, example: Example) -> str:
        return f"{self.name}-{example.name}" if example.name else self.name


def same(name: str, expr: Callable[..., Any], **fields: Any) -> OpCase:
    """A row whose expression runs on Variables and on NumPy arrays alike."""
    return OpCase(name, expr, expr, **fields)


# -- calling a row ----------------------------------------------------------------------
def is_float(a: Any) -> bool:
    """Real or complex floating: an input the tests differentiate."""
    return np.issubdtype(np.asarray(a).dtype, np.inexact)


def in_precision(a: np.ndarray, dtype: Any) -> np.ndarray:
    """A float64 or complex128 array ``a`` in ``dtype``'s precision (float32:
    complex64 for a complex ``a``)."""
    if np.iscomplexobj(a):
        return a.astype(np.result_type(dtype, np.complex64))
    return a.astype(dtype)


def precision(backend: Any, dtype: Any) -> tuple[int, bool]:
    """(bits of the real part, complex?) of a backend's floating dtype: what an
    op keeps (float32 in, complex64 out for an fft)."""
    xp = backend.xp
    return xp.finfo(dtype).bits, bool(xp.isdtype(dtype, "complex floating"))


def real_loss(ys: Any) -> Any:
    """The real scalar whose gradient the tests take: each output's sum, with
    ``real + 0.5 * imag`` for a complex one (xgrad.testing's loss)."""
    return sum(loss_of(y) for y in outputs(ys))


def outputs(y: Any) -> list[Any]:
    """One op's outputs as a list (``split`` gives several)."""
    return list(y) if isinstance(y, list | tuple) else [y]


def bound(row: OpCase, call: Call, name: str | None = None) -> Callable[..., Any]:
    """``row.func`` with ``call``'s options, named after the row in error messages."""

    def f(*xs: Any) -> Any:
        return row.func(*xs, **call.kwargs)

    f.__qualname__ = name or row.name
    return f


def joined(f: Callable[..., Any]) -> Callable[..., Any]:
    """``f`` with its outputs joined into one Variable (for gradgradcheck)."""

    def g(*xs: Any) -> Any:
        outs = outputs(f(*xs))
        if len(outs) == 1:
            return outs[0]
        return F.concat([F.reshape(o, (-1,)) for o in outs])

    g.__qualname__ = f.__qualname__
    return g
