"""The one place xgrad imports array-api-compat.

Everything else asks this module, so a change in array-api-compat's API is
mended here once. Nothing here names a particular library: a backend finds
its own type check through :func:`array_check`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import array_api_compat
from array_api_compat import (
    array_namespace,
    device,
    is_array_api_obj,
    to_device,
)

__all__ = [
    "array_check",
    "array_namespace",
    "device",
    "is_array_api_obj",
    "to_device",
]


def array_check(library: str) -> Callable[[Any], bool] | None:
    """array-api-compat's ``is_<library>_array``, or None if it has none.

    These checks look at an object's type alone and never import the library,
    so ``import xgrad`` stays free of optional libraries.
    """
    return getattr(array_api_compat, f"is_{library}_array", None)
