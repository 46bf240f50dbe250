"""Recurrent layers: RNN and LSTM with the book's attribute names, and GRU."""

from __future__ import annotations

from typing import Any

from .. import functions as F
from .. import random as xrandom
from ..core import Variable
from .base import Layer
from .dense import Linear

__all__ = ["GRU", "LSTM", "RNN"]


class RNN(Layer):
    """An Elman RNN cell: ``h = tanh(x2h(x) + h2h(h))``, state kept between calls.

    ``in_size`` sizes only the input weights; the recurrent weights are
    always (hidden_size, hidden_size) (DeZero issue #32 fixed). Without
    ``in_size`` every weight is made at the first call, on the input's device.
    """

    recurrent_state = ("h",)

    def __init__(self, hidden_size: int, in_size: int | None = None) -> None:
        super().__init__()
        self.x2h = Linear(hidden_size, in_size=in_size)
        # without in_size, both wait for the first input and are made on its device
        lazy = None if in_size is None else hidden_size
        self.h2h = Linear(hidden_size, in_size=lazy, nobias=True)
        self.h: Variable | None = None

    def reset_state(self) -> None:
        """Forget the hidden state, before a new sequence."""
        self.h = None

    def forward(self, x: Any) -> Variable:
        if self.h is None:
            h_new = F.tanh(self.x2h(x))
        else:
            h_new = F.tanh(self.x2h(x) + self.h2h(self.h))
        self.h = h_new
        return h_new


class LSTM(Layer):
    """A long short-term memory cell with DeZero's attribute names (``x2f``, ``h2f`` ...)."""

    recurrent_state = ("h", "c")

    def __init__(self, hidden_size: int, in_size: int | None = None) -> None:
        super().__init__()
        H, I = hidden_size, in_size
        self.x2f = Linear(H, in_size=I)
        self.x2i = Linear(H, in_size=I)
        self.x2o = Linear(H, in_size=I)
        self.x2u = Linear(H, in_size=I)
        # made with x2*, on the first input's device; DeZero makes them here
        eager = I is not None or xrandom.default_generator().dezero_order
        lazy = H if eager else None
        self.h2f = Linear(H, in_size=lazy, nobias=True)
        self.h2i = Linear(H, in_size=lazy, nobias=True)
        self.h2o = Linear(H, in_size=lazy, nobias=True)
        self.h2u = Linear(H, in_size=lazy, nobias=True)
        self.reset_state()

    def reset_state(self) -> None:
        """Forget the hidden and cell state, before a new sequence."""
        self.h: Variable | None = None
        self.c: Variable | None = None

    def forward(self, x: Any) -> Variable:
        if self.h is None:
            f = F.sigmoid(self.x2f(x))
            i = F.sigmoid(self.x2i(x))
            o = F.sigmoid(self.x2o(x))
            u = F.tanh(self.x2u(x))
        else:
            f = F.sigmoid(self.x2f(x) + self.h2f(self.h))
            i = F.sigmoid(self.x2i(x) + self.h2i(self.h))
            o = F.sigmoid(self.x2o(x) + self.h2o(self.h))
            u = F.tanh(self.x2u(x) + self.h2u(self.h))
        c_new = i * u if self.c is None else f * self.c + i * u
        h_new = o * F.tanh(c_new)
        self.h, self.c = h_new, c_new
        return h_new


class GRU(Layer):
    """A gated recurrent unit cell, with PyTorch's equations::

        r = sigmoid(x2r(x) + h2r(h))          reset gate
        z = sigmoid(x2z(x) + h2z(h))          update gate
        n = tanh(x2n(x) + r * h2n(h))         candidate (h2n has a bias)
        h = (1 - z) * n + z * h

    The state starts at zeros, as PyTorch's does, and is kept between calls
    until :meth:`reset_state`. Without ``in_size`` every weight is made at the
    first call, on the input's device.
    """

    recurrent_state = ("h",)

    def __init__(self, hidden_size: int, in_size: int | None = None) -> None:
        super().__init__()
        H, I = hidden_size, in_size
        self.hidden_size = H
        self.x2r = Linear(H, in_size=I)
        self.x2z = Linear(H, in_size=I)
        self.x2n = Linear(H, in_size=I)
        lazy = None if I is None else H  # made with x2*, on the first input's device
        self.h2r = Linear(H, in_size=lazy, nobias=True)
        self.h2z = Linear(H, in_size=lazy, nobias=True)
        self.h2n = Linear(H, in_size=lazy)  # its bias sits inside r * (...)
        self.reset_state()

    def reset_state(self) -> None:
        """Forget the hidden state, before a new sequence."""
        self.h: Variable | None = None

    def forward(self, x: Any) -> Variable:
        x_r, x_z, x_n = self.x2r(x), self.x2z(x), self.x2n(x)
        h = self.h
        if h is None:  # zeros, on the input's backend, device and dtype
            xp = x_r.backend.xp
            h = Variable(xp.zeros_like(x_r.data))
        r = F.sigmoid(x_r + self.h2r(h))
        z = F.sigmoid(x_z + self.h2z(h))
        n = F.tanh(x_n + r * self.h2n(h))
        h_new = (1 - z) * n + z * h
        self.h = h_new
        return h_new
