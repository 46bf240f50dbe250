"""Turning the inputs of a Function call into Variables.

Arrays are wrapped; Python scalars become 0-d arrays of the other inputs'
library, device and (where the kind fits) dtype: scalars are weak, so
``float32 * 2.0`` stays float32 while ``int_array * 0.5`` becomes floating.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from . import backends
from .domains import kind, non_numeric
from .variable import Constant, Variable

if TYPE_CHECKING:
    from .function import Function


# Target dtype of a Python scalar combined with an array dtype, keyed by
# (backend, dtype, scalar type): Python scalars are weak, so `float32 * 2.0`
# stays float32, but `int_array * 0.5` needs a floating dtype.
_SCALAR_DTYPES: dict[tuple[Any, Any, type], Any] = {}


def _scalar_dtype(backend: backends.Backend, dtype: Any, kind: type) -> Any:
    key = (backend, dtype, kind)
    try:
        return _SCALAR_DTYPES[key]
    except KeyError:
        pass
    xp = backend.xp
    fits = {
        bool: "bool",
        int: ("integral", "real floating", "complex floating"),
        float: ("real floating", "complex floating"),
        complex: "complex floating",
    }
    result = dtype if kind in fits and xp.isdtype(dtype, fits[kind]) else None
    _SCALAR_DTYPES[key] = result
    return result


def _reference_array(inputs: tuple[Any, ...]) -> Any:
    for x in inputs:
        if isinstance(x, Variable):
            return x.data
    for x in inputs:
        if not isinstance(x, bool | int | float | complex | np.generic):
            return x
    return None


def as_variables(inputs: tuple[Any, ...], func: Function) -> list[Variable]:
    """Wrap the inputs of one Function call; Python scalars follow the arrays."""
    ref = _reference_array(inputs)
    out = []
    for x in inputs:
        if isinstance(x, Variable):
            out.append(x)
        elif isinstance(x, bool | int | float | complex) and ref is not None:
            backend = backends.of(ref, op=func)
            dtype = _scalar_dtype(backend, ref.dtype, type(x))
            out.append(Constant(backend.asarray(x, dtype, backend.device_of(ref))))
        elif isinstance(x, bool | int | float | complex):
            out.append(Constant(np.asarray(x)))
        else:
            out.append(_constant(x, func.function_name, len(out)))
    return out


def _describe(x: Any) -> str:
    """``x`` for an error message: its type and, if short, its value."""
    text = repr(x)
    return type(x).__name__ + (f" {text}" if len(text) <= 40 else "")


def _constant(x: Any, op: str, i: int) -> Constant:
    """A plain input of ``op`` as a Constant; clear errors for what is no array."""
    if x is None:
        raise TypeError(
            f"{op}: input {i} is None; pass an array or a Variable (a layer's "
            f"Parameter holds None until the layer has seen its first input)"
        )
    if isinstance(x, list | tuple | str | bytes | dict | set):
        raise TypeError(
            f"{op}: input {i} is a {_describe(x)}, not an array; convert it "
            f"first with xgrad.asarray(...)"
        )
    check_numeric(op, x, i)
    try:
        return Constant(x)
    except TypeError as exc:
        raise TypeError(f"{op}: input {i}: {exc}") from None


def check_numeric(op: str, x: Any, i: int = 0) -> None:
    """Refuse a NumPy-style array of a dtype no array-API op accepts (object, str)."""
    kind = getattr(getattr(x, "dtype", None), "kind", "b")
    if kind not in "biufc":
        raise non_numeric(op, x, i)


def operand(x: Any, op: str, i: int = 0) -> Variable:
    """Input ``i`` of a wrapper that reads shapes before calling its Function.

    A Variable is returned as it is, an array becomes a :class:`Constant`;
    None, an empty Variable or a non-array raises a ``TypeError`` naming ``op``.
    """
    if isinstance(x, Variable):
        if x._data is None:
            raise TypeError(
                f"{op}: input {i} is a Variable with no data (None), such as the "
                f"Parameter of a layer that has not seen an input; call the layer "
                f"once or give it its input size (in_size=..., in_channels=...)"
            )
        return x
    return _constant(x, op, i)


def floating(backend: backends.Backend, x: Any, scalar: type | None = None) -> Any:
    """``x`` cast to the default float dtype where the standard needs it.

    The standard leaves ``int_array * 0.5`` and ``int_array / 2`` undefined
    (``scalar`` is the Python scalar's type, None for a true division); NumPy
    and PyTorch answer with a floating array, and so does xgrad on every
    backend. Floating arrays are returned untouched.
    """
    if scalar is int or scalar is bool:
        return x
    if kind(backend, x.dtype) in ("real floating", "complex floating"):
        return x
    return backend.xp.astype(x, backend.default_float(backend.device_of(x)))


def data_like(obj: Any, like: Any) -> Any:
    """Non-differentiable data (labels, ids, index arrays) on ``like``'s backend and device.

    Variables give their array; lists and arrays of another library or device
    are converted, so labels fresh from NumPy serve a model on any device.
    """
    if isinstance(obj, Variable):
        obj = obj.data
    backend = backends.of(like)
    native = backend.device_of(like)
    if backend.owns(obj):
        return obj if backend.device_of(obj) == native else backend.move(obj, native)
    if hasattr(obj, "shape") and not isinstance(obj, np.generic):
        # Its own library's conversion: recorded, while xgrad.jit records a
        # step that takes NumPy ids for a model on another library.
        return backend.from_numpy(backends.of(obj).to_numpy(obj), native)
    return backend.from_numpy(np.asarray(obj), native)
