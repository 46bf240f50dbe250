"""The modified Bessel functions of the first kind of orders 0 and 1: i0, i1.

Values come from the backend (:attr:`Backend.special`): standard functions
to within 10 units in the last place in float64, up to where they
overflow (``|x|`` about 713.98).
"""

from __future__ import annotations

import math
from typing import Any

from ..core import Function, Variable
from .elementwise import where


class I0(Function):
    domain = "real floating"

    def forward(self, x):
        return self.backend.special.i0(x)

    def backward(self, gy):
        (x,) = self.inputs
        return gy * i1(x)  # I0' = I1


class I1(Function):
    domain = "real floating"

    def forward(self, x):
        return self.backend.special.i1(x)

    def backward(self, gy):
        (x,) = self.inputs
        y = self.outputs[0]()
        # I1' = I0 - I1/x = 1/2 + 3x^2/16 + ...: 1/2 to the last bit for tiny x,
        # where I1(x)/x would round (I1 of a subnormal x loses its digits)
        tiny = self.xp.abs(x.data) < math.sqrt(float(self.xp.finfo(x.dtype).eps))
        safe = where(tiny, 1.0, x)  # no 0/0, in this pass or the next
        return gy * where(tiny, 0.5, i0(x) - y / safe)


def i0(x: Any) -> Variable:
    """The modified Bessel function of the first kind of order 0, elementwise
    (even; ``e**|x| / sqrt(2 pi |x|)`` for large ``|x|``)."""
    return I0()(x)


def i1(x: Any) -> Variable:
    """The modified Bessel function of the first kind of order 1, elementwise
    (odd). Its gradient ``i0(x) - i1(x)/x`` takes its limit, 1/2, at 0."""
    return I1()(x)
