"""DeZero's random numbers: every draw from NumPy's global stream, DeZero's way.

:class:`NumPyGlobalGenerator` is a :class:`xgrad.random.Generator` whose draws
are the very ``np.random`` calls DeZero makes, in DeZero's order and with its
dtypes; book mode (:mod:`xgrad.book`) makes it the default. Import it from
:mod:`xgrad.random`.
"""

from __future__ import annotations

from typing import Any, cast

import numpy as np

from .. import backends
from ..devices import device as _device
from ..devices import get_default_device, to_device
from ..recording.host import host
from .generator import Generator, Shape, shape_of


def _numpy_dtype(dtype: Any, device: Any) -> np.dtype:
    """The NumPy dtype matching ``dtype`` (of any backend) on ``device``."""
    if dtype is None or isinstance(dtype, np.dtype | type | str):
        return np.dtype(dtype)
    backend = backends.get(_device(device).backend)
    empty = backend.xp.empty((0,), dtype=dtype, device=_device(device).native)
    return backend.to_numpy(empty).dtype


class NumPyGlobalGenerator(Generator):
    """Draws from NumPy's global stream, as DeZero does: DeZero's calls and dtypes.

    ``np.random.seed(n)`` seeds it. Draws are made on the host with the very
    calls DeZero makes (``randn`` for weights, ``rand() > ratio`` for dropout
    masks, ``permutation`` for shuffling) and then moved to the device, so a
    program prints DeZero's numbers on every backend. Results keep NumPy's
    dtypes unless a dtype is asked for, as in DeZero: weights are
    ``randn(...).astype(dtype) * np.sqrt(1 / fan_in)``, which NumPy 2 makes
    float64.
    """

    dezero_order = True

    def __init__(self) -> None:
        super().__init__(None)

    @staticmethod
    def _global() -> np.random.RandomState:
        """The RandomState behind ``np.random.*`` (``np.random.seed`` reseeds it)."""
        return np.random.mtrand._rand

    def get_state(self) -> dict[str, Any]:
        """NumPy's global state, as JSON-ready lists (checkpoints store it so)."""
        legacy = cast(
            tuple[Any, ...], self._global().get_state()
        )  # legacy=True: a tuple
        name, keys, pos, has_gauss, cached = legacy
        state = [name, keys.tolist(), pos, has_gauss, cached]
        return {"seed": None, "streams": {}, "numpy_global": state}

    def set_state(self, state: dict[str, Any]) -> None:
        """Resume NumPy's global stream where :meth:`get_state` left it."""
        if "numpy_global" in state:
            name, keys, pos, has_gauss, cached = state["numpy_global"]
            keys = np.asarray(keys, dtype=np.uint32)
            self._global().set_state((name, keys, pos, has_gauss, cached))

    def _out(self, draw: Any, dtype: Any, device: Any) -> Any:

        dev = get_default_device() if device is None else _device(device)
        moved = to_device(np.asarray(draw), dev)
        if dtype is None:
            return moved
        return backends.get(dev.backend).xp.astype(moved, dtype)

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
        draw = self._global().uniform(low, high, shape_of(size))
        return self._out(draw, dtype, device)

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
        draw = self._global().normal(loc, scale, shape_of(size))
        return self._out(draw, dtype, device)

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
        draw = self._global().randint(low, high, shape_of(size))
        return self._out(draw, dtype, device)

    @host(
        shapes_from_arguments=True
    )  # xgrad.jit replays draw anew, from the same stream
    def permutation(self, n: int, device: Any = None) -> Any:
        return self._out(self._global().permutation(n), None, device)

    @host(
        shapes_from_arguments=True
    )  # xgrad.jit replays draw anew, from the same stream
    def bernoulli(
        self, p: float, size: Shape = (), dtype: Any = None, device: Any = None
    ) -> Any:
        """DeZero's dropout mask: ``np.random.rand(*shape) > 1 - p``."""
        dev = get_default_device() if device is None else _device(device)
        dtype = dtype or backends.get(dev.backend).default_float(dev.native)
        draw = self._global().rand(*shape_of(size)) > 1.0 - p
        return self._out(draw, dtype, dev)

    def weights(
        self, shape: Shape, fan_in: int | None, dtype: Any = None, device: Any = None
    ) -> Any:
        """``randn(*shape).astype(dtype) * np.sqrt(1 / fan_in)``; ``randn`` alone without."""
        draw = self._global().randn(*shape_of(shape))
        if fan_in is not None:
            draw = draw.astype(_numpy_dtype(dtype, device)) * np.sqrt(1 / fan_in)
        return self._out(draw, None, device)

    def numpy_state(self, seed: int) -> np.random.RandomState:
        """The global stream, reseeded with ``seed`` (DeZero's datasets do this)."""
        state = self._global()
        state.seed(seed)
        return state
