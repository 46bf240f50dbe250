"""Layer: an object that owns Parameters and moves them between devices as one.

``Layer`` registers every ``Parameter`` and ``Layer`` attribute in the order
it was assigned, so ``params()`` is deterministic, and implements
``to_device`` once for all its parameters, their gradients and any
persistent arrays (running statistics); ``to_gpu``/``to_cpu`` are spellings.
"""

from __future__ import annotations

import os
import weakref
from collections.abc import Iterator, Mapping
from typing import Any, Self

import numpy as np

from .. import backends
from ..core import Parameter, Variable
from ..devices import Device, DeviceResident, device_of, get_default_device, to_device
from ..devices import device as _device
from ..recording.host import current as jit_recording
from ..weight_files import read_weights, write_arrays

__all__ = ["Layer", "assign_weights", "weight_arrays", "weights_dict"]


class Layer(DeviceResident):
    """Base class of layers and models.

    Assign Parameters and sub-Layers as attributes; call
    :meth:`register_persistent` for plain arrays that belong to the state
    (for example batch-norm statistics) so they move with the layer.
    """

    # Names of Parameter and Layer attributes, and of persistent arrays, in
    # assignment order (dicts used as ordered sets); set by __init__.
    _params: dict[str, None]
    _persistent: dict[str, None]
    #: Attributes holding state carried from call to call as a Variable (or
    #: None after ``reset_state()``): a recurrent layer's hidden state.
    #: ``xgrad.jit`` reads and writes them around each replay.
    recurrent_state: tuple[str, ...] = ()

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

    def __call__(self, *inputs: Any, **options: Any) -> Any:
        """``forward(*inputs, **options)``; the inputs and outputs are remembered
        (weakly) as DeZero's ``inputs``/``outputs``. Options are keywords such
        as an attention ``mask``."""
        recording = jit_recording()
        if recording is not None:  # xgrad.jit: this layer's state is the step's
            recording.report_layer(self)
        outputs = self.forward(*inputs, **options)
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

    def to_device(self, spec: Any) -> Self:
        """Move every Parameter, gradient and persistent array to ``spec``; returns self."""
        target = _device(spec)
        for layer in self._layers():
            layer._device = target
            for name in layer._persistent:
                value = layer.__dict__.get(name)
                if value is not None:
                    object.__setattr__(layer, name, to_device(value, target))
        for param in self.params():
            param._relocate(target)
        return self

    def save_weights(self, path: str | os.PathLike[str]) -> None:
        """Save every parameter to ``path`` (.npz, DeZero's ``l0/W`` keys).

        A path ending in neither ``.npz`` nor ``.safetensors`` gets ``.npz``
        added, as ``np.savez`` does. The model stays on its device.
        """
        write_arrays(path, weight_arrays(self))

    def load_weights(self, path: str | os.PathLike[str]) -> None:
        """Load ``path`` onto the model's current backend, device and dtype.

        ``path`` follows :meth:`save_weights`' suffix rule, so ``"x"`` reads
        ``x.npz``. Raises ``FileNotFoundError`` for a missing file and
        ``ValueError``, changing nothing, for a corrupt file or mismatched
        keys or shapes. Never executes code from the file.
        """
        current = weight_arrays(self)
        owner = type(self).__name__
        assign_weights(self, read_weights(path, current, self.device, owner))

    def load_torch(self, module: Any) -> Layer:
        """Copy the weights of the matching PyTorch module into this layer; returns self.

        ``Linear`` takes a ``torch.nn.Linear``, ``Conv2d`` a ``Conv2d``,
        ``LayerNorm``, ``BatchNorm`` (``BatchNorm1d``/``2d``), ``Embedding``,
        ``RNN``, ``LSTM``, ``GRU`` their namesakes and ``MultiHeadAttention`` a
        ``MultiheadAttention``. The arrays keep the module's dtype and land on
        this layer's device; a lazy layer takes its sizes from the module.
        A module of another type, configuration or size raises, changing
        nothing (:mod:`xgrad.layers.torch_weights`).
        """
        from .torch_weights import load_torch

        load_torch(self, module)
        return self

    def _any_array(self) -> Any:
        for param in self.params():
            if param.data is not None:
                return param.data
        return None

    @property
    def device(self) -> Device:
        """Where this layer's parameters live (or will be created)."""
        array = self._any_array()
        if array is not None:
            return device_of(array)
        return self.__dict__.get("_device") or get_default_device()


def dtype_on(backend: backends.Backend, dtype: Any, native: Any) -> Any:
    """``dtype`` (a NumPy dtype or a name) as the backend's own dtype on a device.

    A device without float64 gets float32.
    """
    name = np.dtype(dtype).name if not isinstance(dtype, str) else dtype
    if name == "float64" and not backend.has_float64(native):
        name = "float32"
    return getattr(backend.xp, name)


def place(layer: Layer) -> tuple[backends.Backend, Device]:
    dev = _device(layer.device)
    return backends.get(dev.backend), dev


def weights_dict(layer: Layer, prefix: str = "") -> dict[str, Any]:
    """``{"l0/W": Parameter, "bn/avg_mean": (layer, "avg_mean"), ...}``.

    Every Parameter of ``layer`` and its sub-layers under DeZero's
    slash-separated keys, and every persistent array as its ``(layer,
    attribute)`` pair.
    """
    out: dict[str, Any] = {}
    for name in layer._params:
        obj = layer.__dict__[name]
        key = f"{prefix}/{name}" if prefix else name
        if isinstance(obj, Layer):
            out.update(weights_dict(obj, key))
        else:
            out[key] = obj
    for name in layer._persistent:
        out[f"{prefix}/{name}" if prefix else name] = (layer, name)
    return out


def weight_arrays(layer: Layer) -> dict[str, Any]:
    """The array under each key of :func:`weights_dict` (None: not created yet)."""
    return {key: _array_of(entry) for key, entry in weights_dict(layer).items()}


def assign_weights(layer: Layer, arrays: Mapping[str, Any]) -> None:
    """Put each array of ``arrays`` under its key in ``layer``, unchecked.

    The caller has checked keys, shapes, backend and device (as
    :meth:`Layer.load_weights` does), so nothing here can fail half-way.
    """
    entries = weights_dict(layer)
    for key, array in arrays.items():
        entry = entries[key]
        if isinstance(entry, tuple):  # a persistent array: (layer, attribute)
            object.__setattr__(entry[0], entry[1], array)
        else:
            entry.data = array


def _array_of(entry: Any) -> Any:
    if isinstance(entry, tuple):  # a persistent array: (layer, attribute)
        owner, name = entry
        return owner.__dict__.get(name)
    return entry.data
