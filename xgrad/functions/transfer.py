"""Moving a Variable to another device, library or dtype, as a node of the graph."""

from __future__ import annotations

from typing import Any

from .. import backends
from ..core import Function, Variable
from ..devices import device, device_of, to_device
from ..domains import kind
from .complex_numbers import COMPLEX, real

__all__ = ["Cast", "ToDevice"]


class ToDevice(Function):
    """``x`` on device ``target``; the gradient goes back to where ``x`` was,
    so a graph may cross devices and libraries (``Variable.to_device``)."""

    def __init__(self, target: Any) -> None:
        self.target = device(target)

    def forward(self, x):
        self.source = device_of(x)
        # The outputs belong to the target's library: Function.__call__ asks
        # self.backend to normalise them.
        self.backend = backends.get(self.target.backend)
        return to_device(x, self.target)

    def backward(self, gy):
        return ToDevice(self.source)(gy)


class Cast(Function):
    """``x`` as ``dtype``; the gradient comes back in ``x``'s dtype (the
    namespace's ``astype``, and the ``dtype=`` options of reductions)."""

    def __init__(self, dtype: Any) -> None:
        self.dtype = dtype

    def forward(self, x):
        self.source = x.dtype
        xp = self.xp
        if _is_complex(self.backend, x.dtype) and not _is_complex(
            self.backend, self.dtype
        ):
            x = xp.real(x)  # complex to real keeps the real part, as NumPy does
        return xp.astype(x, self.dtype)

    def backward(self, gy):
        backend = self.backend
        if _is_complex(backend, gy.dtype) and not _is_complex(backend, self.source):
            gy = real(gy)  # a real input's gradient is real (docs/complex.md)
        return Cast(self.source)(gy)


def _is_complex(backend: Any, dtype: Any) -> bool:
    return kind(backend, dtype) == COMPLEX


def move(x: Variable, target: Any) -> Variable:
    """``x.to_device(target)``: a new Variable on ``target``, on the tape."""
    if x.data is None:
        raise TypeError(
            "to_device: the Variable has no data (None), such as a Parameter of a "
            "layer that has not seen an input; move the layer instead "
            "(`layer.to_device(...)`), which moves its Parameters in place"
        )
    return ToDevice(target)(x)
