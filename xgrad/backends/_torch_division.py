"""PyTorch's ``floor_divide`` and ``remainder`` of floats, mended to the standard.

PyTorch computes both from ``fmod``, which misses the standard's special
cases: ``inf // 2`` is NaN (the standard: ``inf``), ``-1 // inf`` is -1 (the
standard: ``-0``, the floor of the quotient ``-0``), and a zero remainder
keeps the dividend's sign (``0 % -3`` is ``+0``; the standard gives it the
divisor's, as Python does). The mends cost a few elementwise kernels on
floating arrays only; integers keep PyTorch's exact, unmended result.
"""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType
from typing import Any


def mended(base: ModuleType) -> dict[str, Callable[..., Any]]:
    """``floor_divide`` and ``remainder`` over ``base``, array-api-compat's
    namespace for PyTorch, which promotes their arguments as the standard says."""
    import torch

    def floor_divide(x1: Any, x2: Any, /) -> Any:
        """The standard's ``floor_divide``: where the quotient ``x1 / x2`` is
        infinite, or ``x2`` is, the quotient itself is the floor (``inf``,
        ``-inf``, ``+0`` or ``-0``); elsewhere PyTorch's answer."""
        q = base.floor_divide(x1, x2)
        if not q.is_floating_point():
            return q
        ratio = base.divide(x1, x2)
        infinite = torch.isinf(ratio) | torch.isinf(torch.as_tensor(x2))
        return torch.where(infinite, ratio, q)

    def remainder(x1: Any, x2: Any, /) -> Any:
        """The standard's ``remainder``: the sign of ``x2``, zeros included."""
        r = base.remainder(x1, x2)
        return torch.copysign(r, x2) if r.is_floating_point() else r

    return {"floor_divide": floor_divide, "remainder": remainder}


__all__ = ["mended"]
