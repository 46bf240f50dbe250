"""Layer: an object that owns Parameters and moves them between devices as one.

``Layer`` registers every ``Parameter`` and ``Layer`` attribute in the order
it was assigned, so ``params()`` is deterministic, and implements
``to_device`` once for all its parameters, their gradients and any
persistent arrays (running statistics); ``to_gpu``/``to_cpu`` are spellings.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterator
from typing import Any

import numpy as np

from .. import backends
from ..core import Parameter, Variable
from ..devices import DeviceResident, get_default_device, to_device
from ..devices import device as _device

__all__ = ["Layer"]


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
        else:
            self._params.pop(name, None)  # `self.b = None` is no parameter any more
        super().__setattr__(name, value)

    def register_persistent(self, name: str) -> None:
        """Treat attribute ``name`` (an array or None) as state that moves with the layer."""
        self._persistent[name] = None

    def __call__(self, *inputs: Any) -> Any:
        outputs = self.forward(*inputs)
        if not isinstance(outputs, tuple):
            outputs = (outputs,)
        # Plain attributes, never Parameters: skip __setattr__'s bookkeeping.
        attrs = self.__dict__
        attrs["inputs"] = [weakref.ref(x) for x in inputs if isinstance(x, Variable)]
        attrs["outputs"] = [weakref.ref(y) for y in outputs]
        return outputs if len(outputs) > 1 else outputs[0]

    def forward(self, *inputs: Any) -> Any:
        raise NotImplementedError(f"{type(self).__name__}.forward")

    def params(self) -> Iterator[Parameter]:
        """Every Parameter of this layer and its sub-layers, in definition order."""
        found: list[Parameter] = []
        self._collect_params(found)  # one call per layer, not a generator chain
        return iter(found)

    def _collect_params(self, found: list[Parameter]) -> None:
        attrs = self.__dict__
        for name in self._params:
            obj = attrs[name]
            if not isinstance(obj, Layer):
                found.append(obj)
            elif type(obj).params is Layer.params:
                obj._collect_params(found)
            else:  # a layer that chooses its own parameters
                found.extend(obj.params())

    def _layers(self) -> Iterator[Layer]:
        """This layer and every sub-layer, depth first."""
        yield self
        for name in self._params:
            obj = self.__dict__[name]
            if isinstance(obj, Layer):
                yield from obj._layers()

    def cleargrads(self) -> None:
        """Forget the gradients of every Parameter."""
        for param in self.params():
            param.cleargrad()

    def to_device(self, spec: Any) -> Layer:
        """Move every Parameter, gradient and persistent array to ``spec``; returns self."""
        target = _device(spec)
        for layer in self._layers():
            layer._device = target
            for name in layer._persistent:
                value = layer.__dict__.get(name)
                if value is not None:
                    object.__setattr__(layer, name, to_device(value, target))
        for param in self.params():
            param.to_device(target)
        return self

    def save_weights(self, path: str) -> None:
        """Save every parameter to ``path`` (.npz, DeZero's ``l0/W`` keys).

        The model stays on its device.
        """
        from ..serialization import save_weights

        save_weights(self, path)

    def load_weights(self, path: str) -> None:
        """Load ``path`` onto the model's current backend, device and dtype.

        Raises ValueError, changing nothing, for a corrupt file or mismatched
        keys or shapes. Never executes code from the file.
        """
        from ..serialization import load_weights

        load_weights(self, path)

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
            from ..devices import device_of

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


def _place(layer: Layer) -> tuple[backends.Backend, Any]:
    dev = _device(layer.device)
    return backends.get(dev.backend), dev
