"""PyTorch tensors, on the CPU or a CUDA device, through array-api-compat."""

from __future__ import annotations

from typing import Any

import numpy as np

from .._compat import is_torch_array
from . import register
from ._base import Backend


@register
class Torch(Backend):
    name = "torch"

    def owns(self, x: Any) -> bool:
        return is_torch_array(x)

    def native_device(self, spec: str | None) -> Any:
        import torch

        return None if spec is None else torch.device(spec)

    def device_of(self, x: Any) -> Any:
        return x.device

    def to_numpy(self, x: Any) -> np.ndarray:
        return x.detach().cpu().resolve_conj().resolve_neg().numpy()

    def from_numpy(self, a: np.ndarray, device: Any = None) -> Any:
        import torch

        return torch.asarray(np.array(a, order="C"), device=device)  # keeps 0-d as 0-d

    def segment_sum(self, index: Any, values: Any, size: int) -> Any:
        out = values.new_zeros((size,))
        return out.index_add_(0, index, values)
