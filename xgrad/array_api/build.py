"""Building one backend's namespace: every function of the standard, each in
one of three kinds.

- **routed**: a differentiable xgrad function (``routes.py``);
- **no gradient**: results that carry none (booleans, indices, creation,
  dtypes): computed on the arrays, returned as Constants (:mod:`xgrad.lifting`);
- **no gradient yet**: functions with a derivative that xgrad does not
  compute yet: computed like the previous kind while no input needs a
  gradient, refused with :class:`~xgrad.Unsupported` when one does.

Every function carries the standard's signature (``standard.py``).
"""

from __future__ import annotations

import functools
import importlib
import sys
import types
from collections.abc import Callable
from typing import Any

from .. import backends
from .. import functions as F
from .._errors import Unsupported
from ..core import Variable
from ..functions.shape import Identity
from ..lifting import lift, refuse_gradient, unwrap, wrap
from . import routes, standard
from .info import Info, finfo_on, iinfo_on

# Functions whose results carry no gradient by nature.
NO_GRADIENT = {
    "arange", "empty", "empty_like", "eye", "from_dlpack", "full", "linspace",
    "ones", "ones_like", "zeros", "zeros_like", "can_cast", "finfo", "iinfo",
    "isdtype", "result_type", "bitwise_and", "bitwise_left_shift",
    "bitwise_invert", "bitwise_or", "bitwise_right_shift", "bitwise_xor",
    "equal", "not_equal", "greater", "greater_equal", "less", "less_equal",
    "isfinite", "isinf", "isnan", "logical_and", "logical_not", "logical_or",
    "logical_xor", "signbit", "argmax", "argmin", "count_nonzero", "nonzero",
    "searchsorted", "unique_all", "unique_counts", "unique_inverse",
    "unique_values", "argsort", "all", "any", "matrix_rank", "fftfreq",
    "rfftfreq",
}  # fmt: skip


def fill(module: types.ModuleType, backend: backends.Backend) -> types.ModuleType:
    """Fill ``module`` with the standard on ``backend``'s Variables."""
    name = module.__name__
    if not backend.is_available():
        raise ImportError(f"{name}: {backend.unavailable_reason()}")
    xp = backend.xp
    space = module.__dict__
    space["__array_api_version__"] = standard.VERSION
    space["__array_namespace_info__"] = lambda: Info(backend)
    space.update({c: getattr(xp, c) for c in standard.CONSTANTS})
    dtypes = [d for d in standard.DTYPES if d not in backend.partial_dtypes]
    space.update({d: getattr(xp, d) for d in dtypes if hasattr(xp, d)})
    space.update(_functions(standard.MAIN, routes.MAIN, xp, name))
    space["asarray"] = _asarray_on(backend)
    space["full_like"] = _full_like_on(xp)
    space["finfo"] = finfo_on(xp)
    space["iinfo"] = iinfo_on(xp)
    for extension, routed in (("linalg", routes.LINALG), ("fft", routes.FFT)):
        sub = types.ModuleType(f"{name}.{extension}")
        table = getattr(standard, extension.upper())
        sub.__dict__.update(
            _functions(table, routed, getattr(xp, extension, None), sub.__name__)
        )
        space[extension] = sub
    special = types.ModuleType(f"{name}.special")
    special.__dict__.update(routes.SPECIAL)
    space["special"] = special
    space["__all__"] = sorted(k for k in space if not k.startswith("_"))
    backend.array_api_namespace = module  # type: ignore[attr-defined]
    return module


def namespace(backend: backends.Backend) -> types.ModuleType:
    """The namespace of ``backend``: ``xgrad.array_api.<name>``, built once."""
    found = getattr(backend, "array_api_namespace", None)
    if found is not None:
        return found
    name = f"xgrad.array_api.{backend.name}"
    try:  # a module of this package fills itself, and the cache, on import
        return importlib.import_module(name)
    except ModuleNotFoundError as error:
        if error.name != name:
            raise
    module = types.ModuleType(
        name, f"The array API standard on {backend.name} Variables."
    )
    sys.modules[name] = module
    return fill(module, backend)


def _functions(
    table: dict[str, str], routes: dict[str, Any], xp: Any, where: str
) -> dict[str, Callable[..., Any]]:
    out = {}
    for name, text in table.items():
        library = getattr(xp, name, None)
        if name in routes:
            routed = _routed(routes[name], library, name)
            out[name] = _as_list(routed) if name in _LISTS else routed
            continue
        if library is None:
            function = _missing(name, where)
        elif name in NO_GRADIENT:
            function = lift(library, name)
        else:
            function = refuse_gradient(library, name, where)
        if name in _LISTS:
            function = _as_list(function)
        function.__signature__ = standard.signature(text)  # type: ignore[attr-defined]
        function.__module__ = where
        function.__doc__ = _doc(name, name in NO_GRADIENT)
        out[name] = function
    return out


# The 2024.12 standard returns these as lists (NumPy 2 gives tuples).
_LISTS = {"meshgrid", "broadcast_arrays"}


def _as_list(function: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(function)
    def listed(*args: Any, **kwargs: Any) -> Any:
        return list(function(*args, **kwargs))

    return listed


# Routes that serve Constants too: they handle them (astype, the complex
# parts), or the library's own function falls short of the standard (PyTorch's
# std and var refuse a float correction; its decompositions return no named
# tuples).
_OWN_CONSTANTS = {"astype", "real", "conj", "imag", "std", "var"}
_OWN_CONSTANTS |= {"slogdet", "qr", "eigh", "svd"}


def _routed(route: Callable[..., Any], library: Any, name: str) -> Callable[..., Any]:
    """``route`` when an input needs a gradient; else the library's own
    function on the arrays, its results as Constants: nothing to record, and
    exactly the library's answer."""
    if library is None or name in _OWN_CONSTANTS:
        return route
    plain = lift(library, name)

    @functools.wraps(route)
    def routed(*args: Any, **kwargs: Any) -> Any:
        for a in args:  # the common case first: a Variable on the tape
            if type(a) is Variable or _on_tape(a):
                return route(*args, **kwargs)
        if kwargs and any(_on_tape(v) for v in kwargs.values()):
            return route(*args, **kwargs)
        return plain(*args, **kwargs)

    return routed


def _on_tape(obj: Any) -> bool:
    """Whether ``obj`` (or a Variable in a list or tuple) needs a gradient."""
    if isinstance(obj, Variable):
        return obj.requires_grad
    if type(obj) is list or type(obj) is tuple:
        return any(_on_tape(x) for x in obj)
    return False


def _doc(name: str, no_gradient: bool) -> str:
    if no_gradient:
        return f"The standard's ``{name}``: no gradient; its arrays come back as Constants."
    return (
        f"The standard's ``{name}``: no gradient yet; refused when an input needs one."
    )


def _missing(name: str, where: str) -> Callable[..., Any]:
    def missing(*args: Any, **kwargs: Any) -> Any:
        raise Unsupported(
            f"{where}.{name}: the array library has no {name}, and xgrad none "
            f"of its own yet"
        )

    missing.__name__ = missing.__qualname__ = name
    return missing


def _asarray_on(backend: backends.Backend) -> Callable[..., Any]:
    def asarray(
        obj: Any, /, *, dtype: Any = None, device: Any = None, copy: bool | None = None
    ) -> Any:
        """``obj`` as a Variable of this library. A Variable stays on the tape
        (cast, moved or copied there); a sequence holding Variables is stacked
        on the tape; anything else becomes a Constant."""
        if isinstance(obj, Variable):
            if device is not None:
                obj = obj.to_device(device)
            if dtype is not None and dtype != obj.dtype:
                return routes.astype(obj, dtype)
            return Identity()(obj) if copy else obj
        if isinstance(obj, list | tuple) and _holds_variable(obj):
            stacked = _stack_nested(obj)
            return asarray(stacked, dtype=dtype, device=device, copy=False)
        array = backend.xp.asarray(
            unwrap(obj), dtype=dtype, device=unwrap(device), copy=copy
        )
        return wrap(array)

    return asarray


def _holds_variable(obj: Any) -> bool:
    if isinstance(obj, Variable):
        return True
    return isinstance(obj, list | tuple) and any(_holds_variable(x) for x in obj)


def _stack_nested(obj: Any) -> Any:
    if not isinstance(obj, list | tuple):
        return obj
    return F.stack([_stack_nested(x) for x in obj], axis=0)


def _full_like_on(xp: Any) -> Callable[..., Any]:
    def full_like(
        x: Any, /, fill_value: Any, *, dtype: Any = None, device: Any = None
    ) -> Any:
        """An array shaped like ``x``, all ``fill_value``: no gradient."""
        if isinstance(fill_value, Variable) and fill_value.requires_grad:
            raise Unsupported(
                "full_like: fill_value needs a gradient; use "
                "`xp.zeros_like(x) + fill_value`, which records it"
            )
        return wrap(
            xp.full_like(
                unwrap(x), unwrap(fill_value), dtype=dtype, device=unwrap(device)
            )
        )

    return full_like


__all__ = ["NO_GRADIENT", "fill", "namespace"]
