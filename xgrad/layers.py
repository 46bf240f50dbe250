"""Layers: objects that own Parameters, and move them between devices as one.

``Layer`` registers every ``Parameter`` and ``Layer`` attribute in the order
it was assigned, so ``params()`` is deterministic, and implements
``to_device`` once for all its parameters, their gradients and any
persistent arrays (running statistics); ``to_gpu``/``to_cpu`` are spellings.
"""

from __future__ import annotations

import math
import weakref
from collections.abc import Iterator
from typing import Any

import numpy as np

from . import backends
from . import functions as F
from . import random as xrandom
from .core import Parameter, Variable
from .devices import DeviceResident, get_default_device, to_device
from .devices import device as _device

__all__ = ["Layer", "Linear"]


class Layer(DeviceResident):
    """Base class of layers and models.

    Assign Parameters and sub-Layers as attributes; call
    :meth:`register_persistent` for plain arrays that belong to the state
    (for example batch-norm statistics) so they move with the layer.
    """

    def __init__(self) -> None:
        object.__setattr__(self, "_params", {})
        object.__setattr__(self, "_persistent", {})

    def __setattr__(self, name: str, value: Any) -> None:
        if isinstance(value, Parameter | Layer):
            self._params[name] = None  # an ordered set: definition order
        super().__setattr__(name, value)

    def register_persistent(self, name: str) -> None:
        """Treat attribute ``name`` (an array or None) as state that moves with the layer."""
        self._persistent[name] = None

    def __call__(self, *inputs: Any) -> Any:
        outputs = self.forward(*inputs)
        if not isinstance(outputs, tuple):
            outputs = (outputs,)
        self.inputs = [weakref.ref(x) for x in inputs if isinstance(x, Variable)]
        self.outputs = [weakref.ref(y) for y in outputs]
        return outputs if len(outputs) > 1 else outputs[0]

    def forward(self, *inputs: Any) -> Any:
        raise NotImplementedError(f"{type(self).__name__}.forward")

    def params(self) -> Iterator[Parameter]:
        """Every Parameter of this layer and its sub-layers, in definition order."""
        for name in self._params:
            obj = self.__dict__[name]
            if isinstance(obj, Layer):
                yield from obj.params()
            else:
                yield obj

    def layers(self) -> Iterator[Layer]:
        """This layer and every sub-layer, depth first."""
        yield self
        for name in self._params:
            obj = self.__dict__[name]
            if isinstance(obj, Layer):
                yield from obj.layers()

    def cleargrads(self) -> None:
        """Forget the gradients of every Parameter."""
        for param in self.params():
            param.cleargrad()

    def to_device(self, spec: Any) -> Layer:
        """Move every Parameter, gradient and persistent array to ``spec``; returns self."""
        target = _device(spec)
        for layer in self.layers():
            layer._device = target
            for name in layer._persistent:
                value = layer.__dict__.get(name)
                if value is not None:
                    object.__setattr__(layer, name, to_device(value, target))
        for param in self.params():
            param.to_device(target)
        return self

    def _any_array(self) -> Any:
        for param in self.params():
            if param.data is not None:
                return param.data
        return None

    @property
    def device(self) -> Any:
        """Where this layer's parameters live (or will be created)."""
        array = self._any_array()
        if array is not None:
            from .devices import device_of

            return device_of(array)
        return self.__dict__.get("_device") or get_default_device()


def _dtype_on(backend: backends.Backend, dtype: Any, native: Any) -> Any:
    """``dtype`` (a NumPy dtype or a name) as the backend's own dtype on a device.

    A device without float64 gets float32.
    """
    name = np.dtype(dtype).name if not isinstance(dtype, str) else dtype
    if name == "float64" and not backend.has_float64(native):
        name = "float32"
    return getattr(backend.xp, name)


class Linear(Layer):
    """``y = x W + b``: a fully connected layer, as in DeZero.

    ``in_size`` may be left out: ``W`` is then created at the first call, on
    the input's device. Parameters are drawn from ``xgrad.random`` on the
    layer's device in ``dtype`` (float32 by default).
    """

    def __init__(
        self,
        out_size: int,
        nobias: bool = False,
        dtype: Any = np.float32,
        in_size: int | None = None,
    ) -> None:
        super().__init__()
        self.in_size, self.out_size, self.dtype = in_size, out_size, dtype
        self.W = Parameter(None, name="W")
        if in_size is not None:
            self._init_W(self.device)
        if nobias:
            self.b = None
        else:
            dev = _device(self.device)
            backend = backends.get(dev.backend)
            dtype = _dtype_on(backend, dtype, dev.native)
            self.b = Parameter(
                backend.xp.zeros(out_size, dtype=dtype, device=dev.native), name="b"
            )

    def _init_W(self, device: Any) -> None:
        dev = _device(device)
        backend = backends.get(dev.backend)
        dtype = _dtype_on(backend, self.dtype, dev.native)
        scale = math.sqrt(1 / self.in_size)
        self.W.data = xrandom.normal(
            0.0, scale, (self.in_size, self.out_size), dtype=dtype, device=dev
        )

    def forward(self, x: Any) -> Variable:
        if self.W.data is None:
            data = x.data if isinstance(x, Variable) else x
            self.in_size = data.shape[1]
            from .devices import device_of

            self._init_W(device_of(data))
            if self.b is not None:  # made at construction, maybe elsewhere
                self.b.to_device(device_of(data))
        return F.linear(x, self.W, self.b)
