"""What may enter a Variable: arrays of a registered library, checked once per type.

``Variable(data)`` pays one set lookup for an array type seen before; the
first array of a type takes :func:`checked_array`, which validates it (or
says what to pass instead). Book mode's ``--device`` sends NumPy arrays
through the checked path, which moves them (:func:`follow_host_arrays`).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from . import backends
from .devices import Device, to_device

__all__ = ["ARRAY_TYPES", "checked_array", "follow_host_arrays"]

# Array types already checked by Variable(); a hit skips all further checks.
ARRAY_TYPES: set[type] = {np.ndarray}


# Where NumPy arrays entering Variables go, while book mode's --device holds.
_host_arrays_to: Device | None = None


def follow_host_arrays(device: Device | None) -> None:
    """Move every NumPy array that enters a Variable to ``device`` (None: stop).

    Book mode's ``--device`` runs a program written for NumPy on another
    device this way, as the book's own ``cuda.as_cupy`` calls would. While it
    holds, NumPy arrays take the checked path of :func:`checked_array`.
    """
    global _host_arrays_to
    _host_arrays_to = device
    if device is None:
        ARRAY_TYPES.add(np.ndarray)
    else:
        ARRAY_TYPES.discard(np.ndarray)


def checked_array(data: Any) -> Any:
    """Validate ``data`` for a Variable; NumPy scalars become 0-d arrays.

    The slow path, for an array type not seen before: a type that passes
    joins ``ARRAY_TYPES``, so the next Variable skips the checks.
    """
    if _host_arrays_to is not None and isinstance(data, np.ndarray | np.generic):
        return to_device(np.asarray(data), _host_arrays_to)
    if isinstance(data, np.generic):
        return np.asarray(data)
    if getattr(data, "_is_xgrad_variable", False):
        raise TypeError(
            "Variable: got a Variable; pass its array (`v.data`) or use the "
            "Variable itself instead of wrapping it again"
        )
    if isinstance(data, bool | int | float | complex | list | tuple | str | bytes):
        raise TypeError(
            f"Variable: expected an array or None, got {type(data).__name__} "
            f"{data!r:.60}. Wrap it first: Variable(xgrad.asarray({data!r:.40}))"
        )
    try:
        backends.of(data, op="Variable")
    except TypeError:
        raise TypeError(
            f"Variable: {type(data).__module__}.{type(data).__qualname__} is not an "
            f"array of any array-API library. Convert it with xgrad.asarray(...)"
        ) from None
    if _host_arrays_to is None or type(data) is not np.ndarray:
        ARRAY_TYPES.add(type(data))
    return data
