"""Namespaces derived from a library's: what a backend mends or shortcuts."""

from __future__ import annotations

from types import ModuleType
from typing import Any


def derived_namespace(base: ModuleType, name: str, **replaced: Any) -> ModuleType:
    """A copy of the namespace ``base`` with the functions in ``replaced`` swapped in.

    For a backend whose library needs a mended function (Dask's ``reshape``)
    or offers a direct one where array-api-compat only forwards (NumPy's
    ``matmul``); everything else is ``base``'s.
    """
    ns = ModuleType(name, base.__doc__)
    skip = {"__name__", "__doc__", "__spec__", "__loader__", "__package__"}
    ns.__dict__.update({k: v for k, v in vars(base).items() if k not in skip})
    ns.__dict__.update(replaced)
    return ns
