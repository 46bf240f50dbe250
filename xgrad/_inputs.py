"""Turning the inputs of a Function call into Variables.

Arrays are wrapped; Python scalars become 0-d arrays of the other inputs'
library, device and (where the kind fits) dtype: scalars are weak, so
``float32 * 2.0`` stays float32 while ``int_array * 0.5`` becomes floating.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from . import backends
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
            out.append(_constant(x, type(func).__name__, len(out)))
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
        raise TypeError(
            f"{op}: input {i} has dtype {x.dtype} (shape {tuple(x.shape)}), which no "
            f"array-API function accepts; convert it to a numeric array first, "
            f"e.g. xgrad.asarray(x.astype(np.float64))"
        )


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


class _PerBackend(dict[Any, set[Any]]):
    """Backend -> the set of its dtypes seen so far with some property.

    One set per backend: dtypes of two libraries never meet, as comparing
    them can warn (array-api-strict's with NumPy's).
    """

    def __missing__(self, backend: backends.Backend) -> set[Any]:
        self[backend] = found = set()
        return found


# Floating (real or complex) and real floating dtypes seen so far: the forward
# of an op that needs floating input passes these on untouched, and calls
# `as_floating` (the slow path) for anything else.
FLOATING: dict[backends.Backend, set[Any]] = _PerBackend()
REAL_FLOATING: dict[backends.Backend, set[Any]] = _PerBackend()
# Dtypes that are not complex (bool, integer, real floating), for ops that order.
REAL: dict[backends.Backend, set[Any]] = _PerBackend()


_KIND_NAMES = ("bool", "integral", "real floating", "complex floating")
_KIND: dict[tuple[backends.Backend, Any], str] = {}


def dtype_kind(backend: backends.Backend, dtype: Any) -> str:
    """``"bool"``, ``"integral"``, ``"real floating"``, ``"complex floating"``, or
    ``"other"`` (object, str): ``xp.isdtype`` asked once per backend and dtype.

    Checks that run every step (labels are integers, logits are real) use this
    dictionary lookup instead of the library's ``isdtype``.
    """
    try:
        return _KIND[backend, dtype]
    except KeyError:
        xp = backend.xp
        kind = next((k for k in _KIND_NAMES if xp.isdtype(dtype, k)), "other")
        _KIND[backend, dtype] = kind
        return kind


def as_floating(func: Function, x: Any, real: bool = False) -> Any:
    """``x`` for an op defined on floating input (exp, log, softmax ...).

    Floating dtypes pass unchanged (complex too, unless ``real``); bool and
    integer arrays become the library's default float dtype on the array's
    device, on every backend (NumPy's and PyTorch's rule, which the standard
    leaves open). Other dtypes raise a ``TypeError`` naming the op.
    """
    backend = func.backend
    xp, dtype = backend.xp, x.dtype
    if real:
        check_real(func, x)
    else:
        check_numeric(type(func).__name__, x)
    if xp.isdtype(dtype, "real floating"):
        REAL_FLOATING[backend].add(dtype)
        FLOATING[backend].add(dtype)
        return x
    if xp.isdtype(dtype, "complex floating"):
        FLOATING[backend].add(dtype)
        return x
    return xp.astype(x, backend.default_float(backend.device_of(x)))


def check_real(func: Function, x: Any) -> None:
    """Refuse complex input to an op that orders values (relu, max, softmax ...)."""
    check_numeric(type(func).__name__, x)
    if func.backend.xp.isdtype(x.dtype, "complex floating"):
        raise TypeError(
            f"{type(func).__name__}: got complex input (dtype {x.dtype}, shape "
            f"{tuple(x.shape)}); this op compares values, which complex numbers "
            f"do not allow. Pass the real part or the magnitude "
            f"(xp.real(x), xp.abs(x)) as a real floating array"
        )
    REAL[func.backend].add(x.dtype)


# Whether an array of (backend, dtype) must become floating before meeting a
# Python scalar of a given type (or before true division, keyed by None).
_TO_FLOAT: dict[tuple[Any, Any, type | None], Any] = {}


def floating(backend: backends.Backend, x: Any, scalar: type | None = None) -> Any:
    """``x`` cast to the default float dtype where the standard needs it.

    The standard leaves ``int_array * 0.5`` and ``int_array / 2`` undefined;
    NumPy and PyTorch answer with a floating array, and so does xgrad on every
    backend. Floating arrays are returned untouched.
    """
    key = (backend, x.dtype, scalar)
    try:
        target = _TO_FLOAT[key]
    except KeyError:
        xp = backend.xp
        needs = scalar is None or scalar is float or scalar is complex
        is_float = xp.isdtype(x.dtype, ("real floating", "complex floating"))
        target = None
        if needs and not is_float:
            target = xp.__array_namespace_info__().default_dtypes()["real floating"]
        _TO_FLOAT[key] = target
    return x if target is None else backend.xp.astype(x, target)


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
        obj = backends.of(obj).to_numpy(obj)
    return backend.from_numpy(np.asarray(obj), native)
