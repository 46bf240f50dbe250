"""Array functions with no gradient, run on Variables: comparisons, bitwise and
logical operators, integer results, creation.

Such a function computes on the Variables' arrays and wraps each array it
returns in a :class:`~xgrad.Constant`: a Variable with no creator that backward
never enters. So every result of an operator or of xgrad's array-API
namespace is a Variable, and code that mixes results never meets a bare array
of the library. Where a function could have a gradient but xgrad has none for
it yet, :func:`refuse_gradient` makes it raise instead of silently returning
a result that backward would not reach.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import numpy as np

from . import backends
from ._device import Device
from ._errors import Unsupported
from .domains import kind
from .recording.host import current as jit_recording
from .variable import Constant, Variable

__all__ = ["lift", "operand", "refuse_gradient", "unwrap", "wrap"]

_SCALARS = (bool, int, float, complex)


def unwrap(obj: Any) -> Any:
    """The arrays of the Variables in ``obj`` (also inside lists and tuples);
    an xgrad :class:`~xgrad.Device` becomes the library's own device object."""
    if isinstance(obj, Variable):
        return obj._data
    if type(obj) is tuple or type(obj) is list:
        return type(obj)(unwrap(x) for x in obj)
    if isinstance(obj, Device):
        return obj.native  # None: the library's default device
    return obj


def wrap(result: Any) -> Any:
    """Each array in ``result`` as a Constant; tuples (named ones too) and lists
    keep their type; anything else (a dtype, a Python number) as it is."""
    if isinstance(result, np.generic) or _is_array(result):
        return Constant(result)
    if isinstance(result, tuple):
        items = [wrap(x) for x in result]
        return type(result)(*items) if hasattr(result, "_fields") else tuple(items)
    if isinstance(result, list):
        return [wrap(x) for x in result]
    return result


def _is_array(x: Any) -> bool:
    if type(x) in backends.BY_TYPE or isinstance(x, np.ndarray):
        return True
    if x is None or isinstance(x, (Variable, str, *_SCALARS)):
        return False
    try:  # a library's first array (a torch.Tensor has no __array_namespace__)
        backends.of(x)
    except TypeError:
        return False
    return True


def lift(function: Callable[..., Any], name: str | None = None) -> Callable[..., Any]:
    """``function`` run on the arrays of Variable arguments, its arrays returned
    as Constants: for functions whose results carry no gradient."""

    @functools.wraps(function)
    def lifted(*args: Any, **kwargs: Any) -> Any:
        args = tuple(unwrap(a) for a in args)
        kwargs = {k: unwrap(v) for k, v in kwargs.items()}
        recording = jit_recording()
        if recording is not None:  # xgrad.jit records: the call is part of the step
            return wrap(recording.call_function(function, None, *args, **kwargs))
        return wrap(function(*args, **kwargs))

    if name is not None:
        lifted.__name__ = lifted.__qualname__ = name
    return lifted


def _wants_gradient(obj: Any) -> bool:
    """Whether ``obj`` (a Variable, or a tuple or list of them) holds a
    floating Variable that needs a gradient."""
    if isinstance(obj, Variable):
        return obj.requires_grad and obj._data is not None and _floating(obj._data)
    if type(obj) is tuple or type(obj) is list:
        return any(_wants_gradient(x) for x in obj)
    return False


def _floating(array: Any) -> bool:
    return kind(backends.of(array), array.dtype) in (
        "real floating",
        "complex floating",
    )


def refuse_gradient(
    function: Callable[..., Any], name: str, where: str
) -> Callable[..., Any]:
    """``lift(function)``, but raising :class:`~xgrad.Unsupported` when a
    floating argument needs a gradient: for functions that have a derivative
    xgrad does not compute yet. ``where`` names the namespace for the message."""
    lifted = lift(function, name)

    @functools.wraps(lifted)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        if _wants_gradient(args) or _wants_gradient(tuple(kwargs.values())):
            raise Unsupported(
                f"{where}.{name}: xgrad has no gradient for {name} yet, and an "
                f"input needs one. Compute it with differentiable functions, or "
                f"leave the tape on purpose by passing arrays (`x.data`) or "
                f"Constants (`xgrad.Constant(x.data)`)"
            )
        return lifted(*args, **kwargs)

    return guarded


def operand(x: Variable, other: Any, op: str) -> Any:
    """``other`` as the array (or Python scalar) to combine with ``x``'s array in
    a lifted operator, checked to be of ``x``'s library and device;
    ``NotImplemented`` for anything else, so Python tries the other side."""
    if isinstance(other, _SCALARS):
        return other
    if isinstance(other, Variable):
        other = other._data
    elif not _is_array(other):
        return NotImplemented
    backends.of(x._data, other, op=op)  # one library, one device, or a clear error
    return other
