"""Moving a Variable to another device, library or dtype, as a node of the graph."""

from __future__ import annotations

from typing import Any

from .. import backends
from ..core import Function, Variable
from ..devices import device, device_of, to_device

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
        return self.xp.astype(x, self.dtype)

    def backward(self, gy):
        return Cast(self.source)(gy)


def move(x: Variable, target: Any) -> Variable:
    """``x.to_device(target)``: a new Variable on ``target``, on the tape."""
    if x.data is None:
        raise TypeError(
            "to_device: the Variable has no data (None), such as a Parameter of a "
            "layer that has not seen an input; move the layer instead "
            "(`layer.to_device(...)`), which moves its Parameters in place"
        )
    return ToDevice(target)(x)
