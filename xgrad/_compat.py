"""The one place xgrad imports array-api-compat.

Everything else asks this module, so a change in array-api-compat's API is
mended here once.
"""

from array_api_compat import (
    array_namespace,
    device,
    is_array_api_obj,
    is_array_api_strict_namespace,
    is_cupy_array,
    is_dask_array,
    is_numpy_array,
    is_torch_array,
    to_device,
)

__all__ = [
    "array_namespace",
    "device",
    "is_array_api_obj",
    "is_array_api_strict_namespace",
    "is_cupy_array",
    "is_dask_array",
    "is_numpy_array",
    "is_torch_array",
    "to_device",
]
