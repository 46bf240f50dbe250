"""Input domains: the dtype kinds an op accepts, declared once per Function.

A Function states its domain as a class attribute, and ``Function.__call__``
enforces it before ``forward`` runs, so a direct ``Exp()(x)`` is as safe as
``F.exp(x)``::

    class Exp(Function):
        domain = "floating"  # integers and bool become the default float

The domains:

==================  ===================================================
``"any"``           no rule (the default): arithmetic, shapes, indexing
``"real"``          bool, integer or real floating; complex is refused,
                    as the op compares values (relu, max, clip)
``"floating"``      real or complex floating; bool and integer arrays
                    become the library's default float, on the array's
                    device (exp, log, sin, division)
``"real floating"`` real floating; integers become the default float,
                    complex is refused (softmax, leaky_relu, losses)
``"numeric"``       integer, real or complex floating, kept as they
                    are; bool is refused (round, sign)
``"real numeric"``  integer or real floating, kept as they are; bool
                    and complex are refused (floor, remainder)
==================  ===================================================

A tuple gives one domain per input (``("real floating", "any")`` for logits
and labels). Object and string arrays are refused by every domain but
``"any"``. Each (backend, dtype) pair is classified once, by the library's
``isdtype``, into one of :data:`KINDS`; every dtype rule of xgrad reads that
one table through :func:`kind`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .backends import Backend
    from .function import Function

__all__ = ["DOMAINS", "KINDS", "conform", "kind", "non_numeric"]

#: The kinds a dtype can be, in the array API standard's words; "other" is
#: anything no standard function accepts (object, str).
KINDS = ("bool", "integral", "real floating", "complex floating")

#: Domain name -> the kinds its inputs may have unchanged (None: no rule).
DOMAINS: dict[str, frozenset[str] | None] = {
    "any": None,
    "real": frozenset({"bool", "integral", "real floating"}),
    "floating": frozenset({"real floating", "complex floating"}),
    "real floating": frozenset({"real floating"}),
    "numeric": frozenset({"integral", "real floating", "complex floating"}),
    "real numeric": frozenset({"integral", "real floating"}),
}
_CAST_TO_FLOAT = {"floating", "real floating"}  # domains that cast bool and ints


def kind(backend: Backend, dtype: Any) -> str:
    """``"bool"``, ``"integral"``, ``"real floating"``, ``"complex floating"`` or
    ``"other"``: the library's ``isdtype`` asked once per backend and dtype.

    The answers live in ``backend.kinds``, one table per library (dtypes of
    two libraries are never compared: array-api-strict's warn against NumPy's).
    """
    found = backend.kinds.get(dtype)
    if found is None:
        xp = backend.xp
        found = next((k for k in KINDS if xp.isdtype(dtype, k)), "other")
        backend.kinds[dtype] = found
    return found


def non_numeric(op: str, x: Any, i: int) -> TypeError:
    """The error for input ``i`` of ``op`` whose dtype no standard function
    accepts (object, str), with the fix."""
    return TypeError(
        f"{op}: input {i} has dtype {x.dtype} (shape {tuple(x.shape)}), which no "
        f"array-API function accepts; convert it to a numeric array first, "
        f"e.g. xgrad.asarray(x.astype(np.float64))"
    )


def check_domain_name(owner: str, domain: Any) -> None:
    """Refuse a domain declaration that names no domain, at class creation."""
    names = domain if isinstance(domain, tuple) else (domain,)
    for name in names:
        if name not in DOMAINS:
            raise TypeError(
                f"{owner}.domain = {domain!r}: {name!r} is no domain; use one of "
                f"{sorted(DOMAINS)} (or a tuple of them, one per input)"
            )


def conform(func: Function, x: Any, i: int, domain: str) -> Any:
    """Input ``i`` of ``func`` (a raw array) as ``domain`` wants it, or an error.

    Called by ``Function.__call__`` when the cached kind is not one the
    domain accepts as it is: casts bool and integer input for floating
    domains, and raises a ``TypeError`` naming the op for the rest.
    """
    accepts = DOMAINS[domain]
    if accepts is None:
        return x
    backend = func.backend
    found = kind(backend, x.dtype)
    if found in accepts:
        return x
    name = type(func).__name__
    if found == "other":
        raise non_numeric(name, x, i)
    shown = f"(dtype {x.dtype}, shape {tuple(x.shape)})"
    if found == "complex floating":
        why = (
            "this op is defined for real numbers only"
            if domain == "real numeric"
            else "this op compares values, which complex numbers do not allow"
        )
        raise TypeError(
            f"{name}: got complex input {shown}; {why}. Pass the real part or the "
            f"magnitude (xp.real(x), xp.abs(x)) as a real floating array"
        )
    if found == "bool" and domain in ("numeric", "real numeric"):
        raise TypeError(
            f"{name}: got a bool array {shown}; this op takes numbers, not truth "
            f"values. Convert it first: xp.astype(x, xp.int8) or to a float dtype"
        )
    if domain in _CAST_TO_FLOAT:  # bool or integral: NumPy's and PyTorch's rule
        return backend.xp.astype(x, backend.default_float(backend.device_of(x)))
    raise AssertionError(f"{name}: no rule for {found} input in domain {domain!r}")
