"""The :class:`Generator` and the default generator's functions (:mod:`xgrad.random`
tells how draws are made on each backend and device)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .. import backends
from ..devices import device as _device
from ..devices import get_default_device
from ..recording.host import host

__all__ = [
    "Generator",
    "Shape",
    "shape_of",
    "bernoulli",
    "default_generator",
    "integers",
    "manual_seed",
    "normal",
    "permutation",
    "set_default_generator",
    "uniform",
]

Shape = int | tuple[int, ...]


def shape_of(size: Shape) -> tuple[int, ...]:
    return (size,) if isinstance(size, int) else tuple(size)


class Generator:
    """Random streams, one per device, all started from one seed.

    Examples
    --------
    >>> import xgrad
    >>> g = xgrad.random.Generator(0)
    >>> g.uniform(size=3).shape
    (3,)
    """

    #: Whether draws come at the moments DeZero makes them (a DataLoader
    #: shuffles when it is made and at each epoch's end, not at its first batch).
    dezero_order = False

    def __init__(self, seed: int | None = None) -> None:
        self.seed = seed
        self._streams: dict[Any, Any] = {}

    def _stream(self, device: Any) -> tuple[backends.Backend, Any, Any]:
        dev = get_default_device() if device is None else _device(device)
        backend = backends.get(dev.backend)
        stream = self._streams.get(dev)
        if stream is None:
            stream = self._streams[dev] = backend.random(self.seed, dev.native)
        return backend, stream, dev.native

    def get_state(self) -> dict[str, Any]:
        """The seed and each device stream's state, to resume draws exactly."""
        streams = {}
        for dev, stream in self._streams.items():
            try:
                streams[str(dev)] = stream.get_state()
            except NotImplementedError:
                continue  # restored from the seed alone
        return {"seed": self.seed, "streams": streams}

    def set_state(self, state: dict[str, Any]) -> None:
        """Restore :meth:`get_state`'s result; streams resume where they were."""
        self.seed = state["seed"]
        self._streams.clear()
        for spec, stream_state in state["streams"].items():
            _, stream, _ = self._stream(spec)
            stream.set_state(stream_state)

    @host(
        shapes_from_arguments=True
    )  # xgrad.jit replays draw anew, from the same stream
    def uniform(
        self,
        low: float = 0.0,
        high: float = 1.0,
        size: Shape = (),
        dtype: Any = None,
        device: Any = None,
    ) -> Any:
        """Floats drawn uniformly from ``[low, high)``."""
        backend, stream, native = self._stream(device)
        return stream.uniform(
            low, high, shape_of(size), dtype or backend.default_float(native)
        )

    @host(
        shapes_from_arguments=True
    )  # xgrad.jit replays draw anew, from the same stream
    def normal(
        self,
        loc: float = 0.0,
        scale: float = 1.0,
        size: Shape = (),
        dtype: Any = None,
        device: Any = None,
    ) -> Any:
        """Floats from a normal distribution with mean ``loc`` and std ``scale``."""
        backend, stream, native = self._stream(device)
        return stream.normal(
            loc, scale, shape_of(size), dtype or backend.default_float(native)
        )

    @host(
        shapes_from_arguments=True
    )  # xgrad.jit replays draw anew, from the same stream
    def integers(
        self,
        low: int,
        high: int | None = None,
        size: Shape = (),
        dtype: Any = None,
        device: Any = None,
    ) -> Any:
        """Integers from ``[low, high)`` (from ``[0, low)`` when ``high`` is None)."""
        if high is None:
            low, high = 0, low
        _, stream, _ = self._stream(device)
        return stream.integers(low, high, shape_of(size), dtype)

    @host(
        shapes_from_arguments=True
    )  # xgrad.jit replays draw anew, from the same stream
    def permutation(self, n: int, device: Any = None) -> Any:
        """A random ordering of ``0 .. n-1``, as an integer array."""
        _, stream, _ = self._stream(device)
        return stream.permutation(n)

    @host(
        shapes_from_arguments=True
    )  # xgrad.jit replays draw anew, from the same stream
    def bernoulli(
        self, p: float, size: Shape = (), dtype: Any = None, device: Any = None
    ) -> Any:
        """1 with probability ``p``, else 0, in the device's default float dtype."""
        backend, stream, native = self._stream(device)
        dtype = dtype or backend.default_float(native)
        draws = stream.uniform(0.0, 1.0, shape_of(size), dtype)
        return backend.xp.astype(draws < p, dtype)

    def weights(
        self, shape: Shape, fan_in: int | None, dtype: Any = None, device: Any = None
    ) -> Any:
        """Initial weights: normal with std ``sqrt(1 / fan_in)`` (1 without fan-in)."""
        scale = 1.0 if fan_in is None else math.sqrt(1 / fan_in)
        return self.normal(0.0, scale, shape, dtype, device)

    def numpy_state(self, seed: int) -> np.random.RandomState:
        """A NumPy ``RandomState`` seeded with ``seed``, for data made on the host.

        A private one: the global stream is left alone (DeZero reseeds it).
        """
        return np.random.RandomState(seed)


_default = Generator()


def default_generator() -> Generator:
    """The generator behind the module-level functions and xgrad's own draws."""
    return _default


def set_default_generator(generator: Generator) -> Generator:
    """Make ``generator`` the default (book mode sets a :class:`NumPyGlobalGenerator`)."""
    global _default
    _default = generator
    return generator


def manual_seed(seed: int) -> Generator:
    """Reseed the default generator: initialisation, dropout and shuffling repeat."""
    global _default
    _default = Generator(seed)
    return _default


@host(
    shapes_from_arguments=True
)  # a replay draws from the default generator of its time (manual_seed)
def uniform(
    low: float = 0.0,
    high: float = 1.0,
    size: Shape = (),
    dtype: Any = None,
    device: Any = None,
) -> Any:
    """:meth:`Generator.uniform` on the default generator."""
    return _default.uniform(low, high, size, dtype, device)


@host(
    shapes_from_arguments=True
)  # a replay draws from the default generator of its time (manual_seed)
def normal(
    loc: float = 0.0,
    scale: float = 1.0,
    size: Shape = (),
    dtype: Any = None,
    device: Any = None,
) -> Any:
    """:meth:`Generator.normal` on the default generator."""
    return _default.normal(loc, scale, size, dtype, device)


@host(
    shapes_from_arguments=True
)  # a replay draws from the default generator of its time (manual_seed)
def integers(
    low: int,
    high: int | None = None,
    size: Shape = (),
    dtype: Any = None,
    device: Any = None,
) -> Any:
    """:meth:`Generator.integers` on the default generator."""
    return _default.integers(low, high, size, dtype, device)


@host(
    shapes_from_arguments=True
)  # a replay draws from the default generator of its time (manual_seed)
def permutation(n: int, device: Any = None) -> Any:
    """:meth:`Generator.permutation` on the default generator."""
    return _default.permutation(n, device)


@host(
    shapes_from_arguments=True
)  # a replay draws from the default generator of its time (manual_seed)
def bernoulli(p: float, size: Shape = (), dtype: Any = None, device: Any = None) -> Any:
    """:meth:`Generator.bernoulli` on the default generator."""
    return _default.bernoulli(p, size, dtype, device)
