"""Layers with a weight matrix or filter bank: Linear, Conv2d, Deconv2d."""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import backends
from .. import functions as F
from .. import random as xrandom
from .._inputs import operand
from ..core import Parameter, Variable
from ..devices import device as _device
from ..devices import device_of
from ..functions.geometry import pair
from ..functions.linalg import Linear as LinearOp
from .base import Layer, dtype_on, place

__all__ = ["Conv2d", "Deconv2d", "Linear"]


class _Weighted(Layer):
    """A layer with weight ``W`` and optional bias ``b``.

    ``W`` may wait for the first input to learn the input size; it is then
    created on the input's device. Weights are drawn from ``xgrad.random``
    (``Generator.weights``) with scale ``sqrt(1 / fan_in)`` in the layer's
    dtype (float32 by default).
    """

    _input_ndim: int  # 2 for (N, in_size), 4 for (N, C, H, W)

    def _setup(self, out_size: int, nobias: bool, dtype: Any, ready: bool) -> None:
        self.dtype = dtype
        self.W = Parameter(None, name="W")
        if ready:
            self._init_W(self.device)
        if nobias:
            self.b = None
        else:
            backend, dev = place(self)
            dtype = dtype_on(backend, dtype, dev.native)
            zeros = backend.xp.zeros(out_size, dtype=dtype, device=dev.native)
            self.b = Parameter(zeros, name="b")

    def _w_shape(self) -> tuple[int, ...]:
        raise NotImplementedError

    def _fan_in(self) -> int:
        raise NotImplementedError

    def _learn_input_size(self, x: Any) -> None:
        raise NotImplementedError

    def _input_size(self) -> int:
        raise NotImplementedError

    def _init_W(self, device: Any) -> None:
        dev = _device(device)
        backend = backends.get(dev.backend)
        dtype = dtype_on(backend, self.dtype, dev.native)
        generator = xrandom.default_generator()  # book mode: DeZero's own formula
        self.W.data = generator.weights(self._w_shape(), self._fan_in(), dtype, dev)

    def _ensure_W(self, x: Any) -> Variable:
        """``x`` checked; W made at the first call, on the input's device (b moved).

        A wrong input raises before the layer changes, naming the layer, the
        shapes and how its size was fixed.
        """
        x = operand(x, type(self).__name__)
        self._check_input(x)
        if self.W.data is None:
            self._learn_input_size(x)
            self._init_W(device_of(x.data))
            if self.b is not None:  # made at construction, maybe elsewhere
                self.b._relocate(device_of(x.data))
        return x

    def _check_input(self, x: Variable) -> None:
        """Raise if ``x`` does not fit W (or, before W exists, any W)."""
        ndim, name = self._input_ndim, type(self).__name__
        size = None if self.W.data is None else self._input_size()
        if x.ndim == ndim and size in (None, x.shape[1]):
            return
        want = "(N, in_size)" if ndim == 2 else "(N, C, H, W) images"
        if x.ndim != ndim:
            fix = "add a batch axis: x[None]" if x.ndim < ndim else "flatten it"
            raise ValueError(f"{name}: takes {want}, got x of shape {x.shape}; {fix}")
        what = "input features" if ndim == 2 else "input channels"
        raise ValueError(
            f"{name}: W {self.W.shape} was made for {size} {what} (given at "
            f"construction or learnt from the first input), got x of shape "
            f"{x.shape} with {x.shape[1]}; pass inputs with {size} {what}, or "
            f"use a new {name} for {x.shape[1]}"
        )


class Linear(_Weighted):
    """``y = x W + b``: a fully connected layer, as in DeZero.

    ``in_size`` may be left out: ``W`` (in_size, out_size) is then created at
    the first call, on the input's device.

    Parameters
    ----------
    out_size : int
        Number of outputs.
    nobias : bool, default False
        Leave out the bias ``b``.
    dtype : dtype, default numpy.float32
        Dtype of ``W`` and ``b``, on whatever backend the layer lives.
    in_size : int or None, default None
        Number of inputs; None to take it from the first input.

    Attributes
    ----------
    W : Parameter
        Weights (in_size, out_size), normal with scale ``sqrt(1 / in_size)``.
    b : Parameter or None
        Bias (out_size,), zeros; None when ``nobias``.
    """

    def __init__(
        self,
        out_size: int,
        nobias: bool = False,
        dtype: Any = np.float32,
        in_size: int | None = None,
    ) -> None:
        super().__init__()
        self.in_size, self.out_size = in_size, out_size
        self._setup(out_size, nobias, dtype, ready=in_size is not None)

    def _w_shape(self) -> tuple[int, ...]:
        return (self.in_size, self.out_size)  # type: ignore[return-value]  # in_size known

    def _fan_in(self) -> int:
        return self.in_size  # type: ignore[return-value]  # known once W is made

    _input_ndim = 2

    def _input_size(self) -> int:
        return self.W.shape[0]

    def _learn_input_size(self, x: Any) -> None:
        self.in_size = x.shape[1]

    def forward(self, x: Any) -> Variable:
        x = self._ensure_W(x)  # x checked against W, which the layer shaped with b
        if self.b is None:
            return LinearOp()(x, self.W)
        return LinearOp()(x, self.W, self.b)


class Conv2d(_Weighted):
    """2-D convolution (NCHW); ``W`` is (out_channels, in_channels, KH, KW).

    ``in_channels`` may be left out: ``W`` is then created at the first call.
    """

    def __init__(
        self,
        out_channels: int,
        kernel_size: int | tuple[int, int],
        stride: int | tuple[int, int] = 1,
        pad: int | tuple[int, int] = 0,
        nobias: bool = False,
        dtype: Any = np.float32,
        in_channels: int | None = None,
    ) -> None:
        super().__init__()
        self.in_channels, self.out_channels = in_channels, out_channels
        self.kernel_size, self.stride, self.pad = kernel_size, stride, pad
        self._setup(out_channels, nobias, dtype, ready=in_channels is not None)

    def _w_shape(self) -> tuple[int, ...]:
        return (self.out_channels, self.in_channels, *pair(self.kernel_size))  # type: ignore[return-value]  # in_channels known

    def _fan_in(self) -> int:
        kh, kw = pair(self.kernel_size)
        return self.in_channels * kh * kw  # type: ignore[operator]  # in_channels known

    _input_ndim = 4

    def _input_size(self) -> int:
        return self.W.shape[1]

    def _learn_input_size(self, x: Any) -> None:
        self.in_channels = x.shape[1]

    def forward(self, x: Any) -> Variable:
        x = self._ensure_W(x)
        return F.conv2d(x, self.W, self.b, self.stride, self.pad)


class Deconv2d(Conv2d):
    """2-D transposed convolution; ``W`` is (in_channels, out_channels, KH, KW)."""

    def _w_shape(self) -> tuple[int, ...]:
        return (self.in_channels, self.out_channels, *pair(self.kernel_size))  # type: ignore[return-value]  # in_channels known

    def _input_size(self) -> int:
        return self.W.shape[0]

    def forward(self, x: Any) -> Variable:
        x = self._ensure_W(x)
        return F.deconv2d(x, self.W, self.b, self.stride, self.pad)
