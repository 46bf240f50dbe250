"""The backend registry: which array library an array belongs to, and what it can do.

Op code never asks "is this NumPy?": it asks the registry for the arrays'
:class:`Backend` and calls its methods. Adding a library is one module with a
``@register``-ed class (and, in the repository, ``backends/<name>.txt``): every
module of this package whose name does not start with ``_`` is imported here,
in name order, so no list names them. Those modules import their library only
when first used, so ``import xgrad`` imports none.

Examples
--------
>>> import numpy as np
>>> from xgrad import backends
>>> backends.of(np.ones(3)).name
'numpy'
"""

from __future__ import annotations

import importlib
import pkgutil
from typing import Any, TypeVar

from .._compat import array_check, array_namespace, is_array_api_obj
from .._device import Device
from ._base import Backend

__all__ = ["Backend", "available", "get", "names", "of", "register"]

_REGISTRY: dict[str, Backend] = {}
#: Array type -> its backend, filled on first sight: an op pays one lookup.
BY_TYPE: dict[type, Backend] = {}
_B = TypeVar("_B", bound=type[Backend])


def register(cls: _B) -> _B:
    """Class decorator: add a :class:`Backend` subclass to the registry.

    A later registration under the same ``name`` replaces the earlier one.
    """
    backend = cls()
    if not backend.name:
        raise ValueError(f"register: {cls.__name__} must set a non-empty `name`")
    if cls.owns is Backend.owns and array_check(backend.name) is None:
        raise TypeError(
            f"register: {cls.__name__} must implement owns(x): array-api-compat "
            f"has no is_{backend.name}_array to tell {backend.name!r} arrays apart"
        )
    _REGISTRY[backend.name] = backend
    BY_TYPE.clear()
    return cls


def names() -> list[str]:
    """Names of every registered backend, installed or not."""
    return list(_REGISTRY)


def available() -> list[str]:
    """Names of the backends usable on this machine."""
    return [name for name, b in _REGISTRY.items() if b.is_available()]


def get(name: str) -> Backend:
    """The registered backend called ``name``."""
    try:
        return _REGISTRY[name]
    except KeyError:
        raise ValueError(
            f"xgrad.backends.get: no backend {name!r}; registered: {names()}"
        ) from None


def _backend_of_type(x: Any, op: Any = "xgrad", i: int = 0) -> Backend:
    cls = type(x)
    for backend in reversed(_REGISTRY.values()):  # later registrations win
        if backend.owns(x):
            BY_TYPE[cls] = backend
            return backend
    if getattr(x, "_is_xgrad_variable", False):
        raise TypeError(
            f"{_name(op)}: input {i} is an xgrad Variable where an array is "
            f"expected; pass its array (`x.data`)"
        )
    if is_array_api_obj(x):  # a library nobody registered: serve it by the standard
        backend = _generic(x)
        BY_TYPE[cls] = backend
        return backend
    if x is None:  # an empty Variable, e.g. a Parameter not yet shaped
        name = getattr(op, "function_name", _name(op))  # "linear" for Linear
        raise TypeError(
            f"{name}: input {i} is a Variable with no data (None), such as the "
            f"Parameter of a layer that has not seen an input; call the layer once "
            f"or give it its input size (in_size=..., in_channels=...)"
        )
    raise TypeError(
        f"{_name(op)}: input {i} is a {cls.__module__}.{cls.__qualname__}, not an "
        f"array of any array-API library; convert it with xgrad.asarray(...)"
    )


def of(*arrays: Any, op: Any = "xgrad") -> Backend:
    """The backend that all ``arrays`` belong to.

    Raises
    ------
    TypeError
        If the arrays belong to different libraries.
    ValueError
        If they live on different devices.
    """
    first = arrays[0]
    kind = type(first)
    backend = BY_TYPE.get(kind) or _backend_of_type(first, op)
    for x in arrays[1:]:  # the common case: one array type on a one-device library
        if type(x) is not kind:
            break
    else:
        if not backend.multi_device:
            return backend
    for i, x in enumerate(arrays[1:], 1):
        other = BY_TYPE.get(type(x)) or _backend_of_type(x, op, i)
        if other is not backend and getattr(backend, "real", None) is other:
            continue  # xgrad.jit records: an array of its library is a constant
        if other is not backend and getattr(other, "real", None) is backend:
            backend = other
            continue
        if other is not backend:
            raise TypeError(
                f"{_name(op)}: inputs come from different array libraries: input 0 is "
                f"{backend.name} (shape {tuple(first.shape)}), input {i} is "
                f"{other.name} (shape {tuple(x.shape)}). Move one with "
                f"`x = x.to_device('{backend.name}')` or xgrad.asarray(..., "
                f"device='{backend.name}') before combining them."
            )
    if backend.multi_device:
        dev = backend.device_of(first)
        for i, x in enumerate(arrays[1:], 1):
            other_dev = backend.device_of(x)
            if other_dev != dev:
                _mixed_devices(op, backend, first, x, i)
    return backend


def device_of(x: Any) -> Device:
    """The :class:`~xgrad.Device` an array lives on (``xgrad.devices.device_of``)."""
    backend = of(x)
    return backend.device_from_native(backend.device_of(x)) or backend.device(None)


def _mixed_devices(op: Any, backend: Backend, a: Any, b: Any, i: int) -> None:
    dev, other = device_of(a), device_of(b)
    raise ValueError(
        f"{_name(op)}: inputs live on different devices: input 0 (shape "
        f"{tuple(a.shape)}) on {dev}, input {i} (shape {tuple(b.shape)}) on "
        f"{other}. Move one, e.g. `x = x.to_device('{dev}')` for a Variable, "
        f"`layer.to_device('{dev}')` for a layer, "
        f"or xgrad.asarray(x, device='{dev}'), so that all inputs share a device."
    )


def _name(op: Any) -> str:
    return op if isinstance(op, str) else type(op).__name__


class _Generic(Backend):
    """A library that array-api-compat knows but no module here registered."""

    array_type: type  # the type of the first array seen, set by _generic

    def owns(self, x: Any) -> bool:
        return isinstance(x, self.array_type)


def _generic(x: Any) -> Backend:
    backend = _Generic()
    backend.name = type(x).__module__.partition(".")[0]
    backend.array_type = type(x)
    backend.__dict__["xp"] = array_namespace(x)  # fills the cached property
    return backend


def _import_backend_modules() -> None:
    """Import every public module of this package: each registers its backend."""
    for module in pkgutil.iter_modules(__path__):
        if not module.name.startswith("_"):
            importlib.import_module(f"{__name__}.{module.name}")


_import_backend_modules()
