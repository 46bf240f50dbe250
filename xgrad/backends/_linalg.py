"""The linalg extension of the standard, as ops reach it: ``backend.linalg(name)``.

Every library xgrad runs on has ``xp.linalg``, but not always all of it:
:func:`standard_linalg` returns the library's function or raises xgrad's
``Unsupported`` naming the function and the backend, so an op never meets
an ``AttributeError``. :func:`chunked_linalg` serves Dask, whose ``linalg`` works on
single 2-D arrays only: it runs NumPy's function on each chunk of a stack.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from .._errors import Unsupported

if TYPE_CHECKING:
    from ._base import Backend

# The core dimensions of each decomposition, in NumPy's gufunc notation (k is
# min(m, n)); qr and svd depend on their option and are looked up with it.
SIGNATURES: dict[str | tuple[str, Any], str] = {
    "cholesky": "(m,m)->(m,m)",
    "det": "(m,m)->()",
    "eigh": "(m,m)->(m),(m,m)",
    "eigvalsh": "(m,m)->(m)",
    "inv": "(m,m)->(m,m)",
    "pinv": "(m,n)->(n,m)",
    "slogdet": "(m,m)->(),()",
    "solve": "(m,m),(m,p)->(m,p)",
    "svdvals": "(m,n)->(k)",
    ("qr", "reduced"): "(m,n)->(m,k),(k,n)",
    ("qr", "complete"): "(m,n)->(m,m),(m,n)",
    ("svd", False): "(m,n)->(m,k),(k),(k,n)",
    ("svd", True): "(m,n)->(m,m),(k),(n,n)",
}
MAPPED = {key if isinstance(key, str) else key[0] for key in SIGNATURES}


def standard_linalg(backend: Backend, name: str) -> Callable[..., Any]:
    """``xp.linalg.<name>`` of ``backend``, or ``Unsupported`` saying it lacks it."""
    found = getattr(getattr(backend.xp, "linalg", None), name, None)
    if found is None:
        raise Unsupported(
            f"{name}: the {backend.name} backend's array library has no "
            f"linalg.{name}; move the data to a backend that has it "
            f"(x.to_device('numpy'))"
        )
    return found


def chunked_linalg(backend: Backend, name: str) -> Callable[..., Any]:
    """For Dask: NumPy's ``linalg.<name>`` mapped lazily over the chunks of a
    stack of matrices, or the namespace's own where it has no matrix axes to
    keep whole (``vector_norm``, ``diagonal``).

    The matrix axes of each input become one chunk (each matrix must fit in
    a worker's memory); the stack's axes keep their chunks, so a stack of
    many small matrices is decomposed in parallel, chunk by chunk.
    """
    if name not in MAPPED:
        return standard_linalg(backend, name)

    def mapped(*xs: Any, **options: Any) -> Any:
        import dask.array as da

        option = options.get("mode", options.get("full_matrices"))
        signature = SIGNATURES.get(name) or SIGNATURES[(name, option)]
        m, n = xs[0].shape[-2:]
        outputs = signature.split("->")[1].count("(")
        dtype = xs[0].dtype
        return da.apply_gufunc(
            functools.partial(getattr(np.linalg, name), **options),
            signature,
            *xs,
            output_dtypes=dtype if outputs == 1 else (dtype,) * outputs,
            output_sizes={"k": min(m, n)},
            allow_rechunk=True,
        )

    return mapped
