"""The book's ``DataLoader`` and ``SeqDataLoader``: mini-batches on any device.

A dataset is anything with ``len(dataset)`` and ``dataset[i] -> (x, t)``, as
DeZero's ``Dataset``. A loader is its own iterator, as in DeZero: ``for x, t in
loader`` runs one epoch, and the end of the epoch rewinds it for the next one.
Each batch is a pair of arrays on the loader's device, the examples' ``x``
stacked along a new first axis and their ``t`` likewise (``t`` is None when
every example's label is None).

Shuffling draws a permutation with NumPy on the host, through
:mod:`xgrad.random`, so ``xgrad.manual_seed(n)`` (or ``seed=n``) repeats the
order whatever the device; only the finished batches cross to the device.
"""

from __future__ import annotations

import math
from typing import Any, Protocol, Self

import numpy as np

from . import backends
from . import random as xrandom
from .devices import Device, DeviceResident, get_default_device, to_device
from .devices import device as _device

__all__ = ["DataLoader", "SeqDataLoader"]


class _Examples(Protocol):
    """What a loader reads: ``len(dataset)`` and ``dataset[i] -> (x, t)``."""

    def __len__(self) -> int: ...
    def __getitem__(self, index: int, /) -> Any: ...


class DataLoader(DeviceResident):
    """Batches of ``batch_size`` examples of ``dataset``, one epoch per iteration.

    Parameters
    ----------
    dataset
        Any object with ``__len__`` and ``__getitem__(i) -> (x, t)``.
    batch_size : int
        Examples per batch; the last batch of an epoch holds what is left
        (``len(dataset) % batch_size`` examples when that is not zero).
    shuffle : bool
        Visit the examples in a new random order each epoch (else in order).
    gpu : bool
        Put batches on the GPU, as the book's ``gpu=True`` does (``to_gpu()``).
    device
        Where batches go, any spec (``"torch:cpu"``, ``"cupy:0"``); default: the
        default device when the loader is made. Give ``gpu`` or ``device``, not both.
    seed : int, optional
        Shuffle with a generator of this loader's own, started from ``seed``;
        without it, shuffling draws from xgrad's default generator.

    Attributes
    ----------
    iteration : int
        Batches given out in the current epoch.
    max_iter : int
        Batches per epoch, ``ceil(len(dataset) / batch_size)``; also ``len(loader)``.
    index : numpy.ndarray
        The order of the examples in the current epoch.

    Examples
    --------
    >>> import numpy as np
    >>> from xgrad.dataloaders import DataLoader
    >>> data = [(np.full(2, i, dtype=np.float32), i % 3) for i in range(10)]
    >>> loader = DataLoader(data, batch_size=4, shuffle=False)
    >>> [x.shape for x, t in loader]
    [(4, 2), (4, 2), (2, 2)]
    >>> len(loader)
    3
    """

    def __init__(
        self,
        dataset: _Examples,
        batch_size: int,
        shuffle: bool = True,
        gpu: bool = False,
        device: Any = None,
        *,
        seed: int | None = None,
    ) -> None:
        if isinstance(batch_size, bool) or not isinstance(batch_size, int | np.integer):
            raise TypeError(
                f"{type(self).__name__}: batch_size must be an int, got "
                f"{type(batch_size).__name__} {batch_size!r}"
            )
        if batch_size < 1:
            raise ValueError(
                f"{type(self).__name__}: batch_size must be at least 1, "
                f"got {batch_size}"
            )
        if gpu and device is not None:
            raise ValueError(
                f"{type(self).__name__}: give gpu=True or device={device!r}, not both; "
                f"device='<backend>:<gpu>' names a GPU by itself"
            )
        self.dataset = dataset
        self.batch_size = int(batch_size)
        self.shuffle = shuffle
        self.data_size = len(dataset)
        self.max_iter = math.ceil(self.data_size / self.batch_size)
        self._generator = None if seed is None else xrandom.Generator(seed)
        self.device: Device = get_default_device()
        if device is not None:
            self.to_device(device)
        if gpu:
            self.to_gpu()
        self.reset()

    # -- the book's iteration protocol -----------------------------------------
    def reset(self) -> None:
        """Rewind to the start of an epoch (with a new order when shuffling).

        The order is drawn at the epoch's first batch, not here, so random
        state saved between epochs (``xgrad.serialization.save_checkpoint``)
        brings back the next epoch's order when training resumes. A generator
        in DeZero's order (book mode) draws it here, as DeZero does.
        """
        self.iteration = 0
        self._index: np.ndarray | None = None
        if self.shuffle and self.generator.dezero_order:
            self._index = self.index  # drawn now, where DeZero draws it

    @property
    def index(self) -> np.ndarray:
        """The order of the examples in this epoch, as NumPy integers."""
        if self._index is None:
            if self.shuffle:  # drawn on the host, whatever the loader's device
                self._index = self.generator.permutation(self.data_size, device="numpy")
            else:
                self._index = np.arange(self.data_size)
        return self._index

    @property
    def generator(self) -> xrandom.Generator:
        """The generator shuffling draws from: this loader's own, or the default."""
        return self._generator or xrandom.default_generator()

    def __iter__(self) -> DataLoader:
        return self

    def __next__(self) -> tuple[Any, Any]:
        if self.iteration >= self.max_iter:
            self.reset()
            raise StopIteration
        batch = self._batch_index()
        self.iteration += 1
        return self._collate([self.dataset[int(i)] for i in batch])

    def next(self) -> tuple[Any, Any]:
        """The next batch (the book's spelling of ``next(loader)``)."""
        return self.__next__()

    def __len__(self) -> int:
        """Batches per epoch."""
        return self.max_iter

    def _batch_index(self) -> Any:
        i, size = self.iteration, self.batch_size
        return self.index[i * size : (i + 1) * size]

    def _collate(self, examples: list[Any]) -> tuple[Any, Any]:
        xs, ts = [], []
        for example in examples:
            x, t = example  # the Dataset protocol: dataset[i] -> (x, t)
            xs.append(x)
            ts.append(t)
        return self._stack(xs, "x"), self._stack(ts, "t")

    def _stack(self, values: list[Any], what: str) -> Any:
        """``values`` stacked along a new first axis, on the loader's device."""
        if all(v is None for v in values):
            return None
        first = values[0]
        if hasattr(first, "shape") and not isinstance(first, np.ndarray | np.generic):
            stacked = backends.of(*values).xp.stack(values)  # arrays of another library
        else:
            try:
                stacked = np.asarray(values)
            except ValueError:
                shapes = sorted({np.shape(v) for v in values})
                raise ValueError(
                    f"{type(self).__name__}: the examples' {what} have different "
                    f"shapes {shapes}; a batch stacks {what} of one shape"
                ) from None
        return to_device(stacked, self.device)

    # -- devices ---------------------------------------------------------------
    def to_device(self, spec: Any) -> Self:
        """Give out the following batches on ``spec``; returns self."""
        target = _device(spec)
        to_device(self._any_array(), target)  # fails here, not at the next batch
        self.device = target
        return self

    def _any_array(self) -> Any:
        # An empty array on the loader's device, so that to_gpu/to_cpu pick the
        # device library's own GPU or CPU and fail as a Variable's would.
        backend = backends.get(self.device.backend)
        return backend.xp.empty((0,), device=self.device.native)

    @property
    def gpu(self) -> bool:
        """Whether batches go to a GPU (the book's flag)."""
        return self.device.kind == "gpu"

    @gpu.setter
    def gpu(self, value: bool) -> None:
        if value and not self.gpu:
            self.to_gpu()
        elif not value and self.gpu:
            self.to_cpu()

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}({type(self.dataset).__name__} of {self.data_size}, "
            f"batch_size={self.batch_size}, shuffle={self.shuffle}, "
            f"device='{self.device}')"
        )


class SeqDataLoader(DataLoader):
    """Batches for sequences: row ``b`` of batch ``i`` is example ``b * jump + i``.

    ``jump = len(dataset) // batch_size``, so each row of the batch walks its
    own stretch of the series, one step per batch, as a truncated-BPTT RNN
    wants (the book's step 60). Indices wrap around the end of the dataset;
    every batch has ``batch_size`` rows and nothing is shuffled.

    Examples
    --------
    >>> import numpy as np
    >>> from xgrad.dataloaders import SeqDataLoader
    >>> data = [(np.array([i]), i + 1) for i in range(6)]
    >>> [t.tolist() for x, t in SeqDataLoader(data, batch_size=2)]
    [[1, 4], [2, 5], [3, 6]]
    """

    def __init__(
        self,
        dataset: _Examples,
        batch_size: int,
        gpu: bool = False,
        device: Any = None,
    ) -> None:
        super().__init__(dataset, batch_size, shuffle=False, gpu=gpu, device=device)

    def _batch_index(self) -> Any:
        jump = self.data_size // self.batch_size
        return [
            (b * jump + self.iteration) % self.data_size for b in range(self.batch_size)
        ]
