"""Where arrays live: device specs, the default device, and moving things.

A device is named by a spec ``"<backend>[:<device>]"``: ``"numpy"``,
``"cpu"``, ``"gpu"``, ``"cupy:0"``, ``"cuda:1"``, ``"torch:cuda:0"``,
``"array_api_strict:device1"``. :func:`device` turns a spec into a
:class:`Device`, which compares by backend and device name, so code never
compares raw library device objects (``torch.device('cpu') == 'cpu'`` is
False).
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator
from typing import Any, Self

from . import backends
from ._device import Device
from .backends import device_of

__all__ = [
    "Device",
    "DeviceResident",
    "default_device",
    "device",
    "device_of",
    "get_default_device",
    "to_device",
]

# Aliases for the backend part of a spec. "gpu" and "cuda" mean CuPy, as in
# the book; "torch:cuda" names PyTorch's GPU.
_ALIASES = {"cpu": "numpy", "gpu": "cupy", "cuda": "cupy"}


def device(spec: Any) -> Device:
    """Parse a device spec (or a library device object) into a :class:`Device`.

    Examples
    --------
    >>> import xgrad
    >>> xgrad.device("cpu")
    Device(backend='numpy', name=None, kind='cpu', index=None)
    >>> str(xgrad.device("array_api_strict:device1"))
    'array_api_strict:device1'
    """
    if isinstance(spec, Device):
        return spec
    if not isinstance(spec, str):
        return _from_native(spec)
    name, _, rest = spec.partition(":")
    if name == "cuda" and rest == "":
        rest = "0"
    name = _ALIASES.get(name, name)
    try:
        backend = backends.get(name)
    except ValueError:
        raise ValueError(
            f"xgrad.device: unknown backend {name!r} in spec {spec!r}; a spec is "
            f"'<backend>[:<device>]' with a backend in {backends.names()}, or "
            f"'cpu', 'gpu', 'cuda:N'"
        ) from None
    if not backend.is_available():
        raise RuntimeError(f"xgrad.device({spec!r}): {backend.unavailable_reason()}")
    return backend.device(rest or None)


def _from_native(obj: Any) -> Device:
    """A library's own device object (``torch.device('cpu')``) as a Device."""
    for backend in backends._REGISTRY.values():
        dev = backend.device_from_native(obj)
        if dev is not None:
            return dev
    raise TypeError(
        f"xgrad.device: cannot read {obj!r} as a device; pass a spec string "
        f"such as 'numpy', 'torch:cuda:0' or 'array_api_strict:device1'"
    )


_DEFAULT: contextvars.ContextVar[Device | None] = contextvars.ContextVar(
    "default_device", default=None
)


def get_default_device() -> Device:
    """Where new arrays go when no device is given: NumPy unless changed."""
    return _DEFAULT.get() or device("numpy")


@contextlib.contextmanager
def default_device(spec: Any) -> Iterator[Device]:
    """Create new arrays (``asarray``, ``zeros``, parameters ...) on ``spec``.

    Per thread and per asyncio task, like ``Config``.

    Examples
    --------
    >>> import xgrad
    >>> with xgrad.default_device("array_api_strict:device1"):
    ...     print(xgrad.backends.of(xgrad.zeros(2)).name)
    array_api_strict
    """
    dev = device(spec)
    token = _DEFAULT.set(dev)
    try:
        yield dev
    finally:
        _DEFAULT.reset(token)


def to_device(x: Any, spec: Any) -> Any:
    """Array ``x`` on device ``spec``, moved within its library or across libraries.

    Across libraries the move tries DLPack and ``asarray`` first and falls
    back to a round trip through NumPy.
    """
    target = device(spec)
    source = backends.of(x)
    backend = backends.get(target.backend)
    if target.kind == "gpu" and target not in backend.devices():
        raise RuntimeError(
            f"to_device({target}): this machine has no such device; "
            f"{backend.name} has {[str(d) for d in backend.devices()]}"
        )
    if not backend.has_float64(target.native) and _is_float64(source, x):
        x = source.xp.astype(x, source.xp.float32)  # the device has no float64
    if source is backend:
        return backend.move(x, target.native)
    return backend.import_array(x, source, target.native)


def _is_float64(backend: backends.Backend, x: Any) -> bool:
    xp = backend.xp
    return x.dtype == xp.float64


def gpu_device(x: Any) -> Device:
    """Where ``to_gpu()`` sends ``x``: its own library's GPU, else CuPy."""
    backend = backends.of(x)
    dev = backend.gpu_device()
    if dev is not None:
        return dev
    cupy = backends.get("cupy")
    if cupy.is_available():
        return cupy.device(None)
    own = f"; {backend.name} has no GPU here" if backend.name != "cupy" else ""
    raise RuntimeError(
        f"to_gpu: no GPU to move to: {cupy.unavailable_reason()}{own}. Install "
        f"CuPy for your CUDA (pip install cupy-cuda12x) on a machine with an "
        f"NVIDIA GPU, or stay on the CPU (to_device('numpy'))."
    )


def cpu_device(x: Any) -> Device:
    """Where ``to_cpu()`` sends ``x``: its own library's CPU, else NumPy."""
    return backends.of(x).cpu_device() or device("numpy")


class DeviceResident:
    """Things that hold arrays: ``to_device`` is the one primitive to implement.

    ``to_gpu`` and ``to_cpu`` are spellings of a move in place, as in the
    book, and return ``self`` so calls chain. A Variable's ``to_device``
    returns a new Variable instead (the array API standard's meaning), so its
    in-place move is ``_relocate``, which ``to_gpu``/``to_cpu`` call.
    """

    __slots__ = ()

    def to_device(self, spec: Any) -> Any:
        raise NotImplementedError

    def _relocate(self, spec: Any) -> Self:
        """Move in place to ``spec``; returns ``self``."""
        return self.to_device(spec)

    def _any_array(self) -> Any:
        """One array this object holds, to decide where to_gpu/to_cpu go."""
        raise NotImplementedError

    def to_gpu(self, device: Any = None) -> Self:
        """Move to ``device``, or to this library's GPU (else CuPy's), in place."""
        if device is not None:
            spec = device if isinstance(device, str | Device) else f"cupy:{device}"
            return self._relocate(spec)
        array = self._any_array()
        return self._relocate(gpu_device(array) if array is not None else "cupy")

    def to_cpu(self) -> Self:
        """Move to this library's CPU (else NumPy's), in place."""
        array = self._any_array()
        return self._relocate(cpu_device(array) if array is not None else "numpy")
