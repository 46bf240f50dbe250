"""``xgrad.jit``: run a step eagerly once, record it once, then replay it.

See docs/jit.md. A :class:`Jitted` function keeps, per signature of its
arguments (shapes, dtypes, devices and backends of arrays; values of other
arguments; ``Config.train`` and ``enable_backprop``), up to ``max_traces``
recordings. The first call of a signature runs eagerly (lazy layers and
optimizer state come into being), the second records, the later ones replay
the recording whose guards hold (the state's shapes, which state exists,
hyperparameters that a replay would not read again).
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from typing import Any

from .. import backends
from .._compat import is_array_api_obj
from .._errors import JitError
from ..config import settings
from ..core import Variable
from ..layers import Layer
from ..optimizer_base import Optimizer
from .buffers import memory_order
from .check import checked_replay
from .host import current
from .shapes import ShapeChanged
from .trace import MISS, record

__all__ = ["Jitted", "jit"]


def jit(
    fn: Callable[..., Any] | None = None,
    *,
    max_traces: int = 8,
    check: bool = False,
    graphs: bool = False,
) -> Any:
    """Trace ``fn`` once and replay it: ``@xgrad.jit`` on a training step.

    Parameters
    ----------
    fn : callable
        The step. It takes arrays, Variables and any other values, and
        returns Variables, arrays, or tuples, lists and dicts of them.
    max_traces : int
        Recordings kept per signature; beyond them a call runs eagerly.
    check : bool
        Run the first replay side by side with an eager call and raise
        :class:`JitError` if they differ (a debugging aid; slow).
    graphs : bool
        Capture runs of the replay's calls as CUDA graphs (CuPy; docs/jit.md).
        Not yet run on a GPU: off unless asked for.
    """
    if fn is None:
        return functools.partial(jit, max_traces=max_traces, check=check, graphs=graphs)
    return Jitted(fn, max_traces=max_traces, check=check, graphs=graphs)


#: Signatures a jitted function remembers (a Python number argument that
#: changes at every call makes a new one each time).
_SIGNATURES = 64


class Jitted:
    """A jitted function (:func:`jit`); call it as ``fn`` itself."""

    def __init__(
        self, fn: Callable[..., Any], max_traces: int, check: bool, graphs: bool = False
    ) -> None:
        self.fn, self.max_traces, self.check = fn, max_traces, check
        self.graphs = graphs
        self._cache: dict[Any, list[Any]] = {}  # signature -> [calls, traces]
        self._lock = threading.RLock()
        functools.update_wrapper(self, fn)

    def __get__(self, obj: Any, objtype: Any = None) -> Any:
        """``@xgrad.jit`` on a method: bound to the instance, which becomes an
        argument of the step (each instance its own signature)."""
        if obj is None:
            return self
        return functools.partial(self.__call__, obj)

    @property
    def source(self) -> list[str]:
        """The replay code of every recording (for reading and debugging)."""
        return [t.replay.source for entry in self._cache.values() for t in entry[1]]

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if current() is not None:  # inside another recording: part of it
            return self.fn(*args, **kwargs)
        leaves: list[Any] = []
        refs: list[Any] = []
        key = None if kwargs else _array_signature(args, leaves)
        if key is None:
            leaves.clear()
            key = _signature((args, kwargs), leaves, refs)
        if key is None:  # a lazy backend (Dask): nothing to gain
            return self.fn(*args, **kwargs)
        with self._lock:
            entry = self._cache.get(key)
            if entry is None:
                if len(self._cache) >= _SIGNATURES:  # forget the oldest signature
                    del self._cache[next(iter(self._cache))]
                entry = self._cache[key] = [0, [], refs]
            entry[0] += 1
            for trace in entry[1]:
                if self.check and not trace.checked:
                    if trace.fits(leaves):
                        trace.checked = True
                        return checked_replay(trace, self.fn, args, kwargs, leaves)
                    continue
                try:
                    result = trace.run(leaves)
                except ShapeChanged:  # a shape the step's Python read
                    return self.fn(*args, **kwargs)
                if result is not MISS:
                    return result
            if entry[0] == 1 or len(entry[1]) >= self.max_traces:
                return self.fn(*args, **kwargs)  # warm-up, or too many variants
            trace, result = record(self.fn, args, kwargs, self.graphs)
            entry[1].append(trace)
            return result


def _signature(obj: Any, leaves: list[Any], refs: list[Any]) -> Any:
    """A hashable key of the arguments; their arrays appended to ``leaves``,
    the objects keyed by identity to ``refs`` (kept alive with the key, so
    no later object can take their ``id``).

    Called before every replay, right after the previous step's array work
    has pushed the interpreter's data out of the caches: arrays are looked
    up in the registry first, containers are taken apart before
    ``is_array_api_obj`` is asked of them, and dtype objects are kept as
    they are.
    """
    parts: list[Any] = [settings()]
    pending = [obj]
    by_type = backends.BY_TYPE
    while pending:
        x = pending.pop()
        kind = type(x)
        data = x._data if isinstance(x, Variable) else x
        backend = by_type.get(type(data))
        if backend is None and isinstance(x, tuple | list | dict):
            # Containers before is_array_api_obj, which costs more than the rest.
            if isinstance(x, dict):
                parts.append((kind, tuple(x)))
                pending += reversed(list(x.values()))
            else:
                parts.append((kind, len(x)))
                pending += reversed(x)
        elif backend is not None or data is not x or is_array_api_obj(data):
            backend = backend or backends.of(data)
            if backend.lazy:
                return None
            parts.append(_array_part(kind, data, backend))
            leaves.append(x)
        elif kind in (int, float, complex, bool):  # 1, 1.0, True and -0.0 differ
            parts.append((kind, repr(x)))
        elif isinstance(x, Layer | Optimizer) or not _hashable(x):
            _refuse_hidden_arrays(x)
            parts.append(("id", id(x)))
            refs.append(x)
        else:
            parts.append((kind, x))
    return tuple(parts)


def _array_signature(args: tuple[Any, ...], leaves: list[Any]) -> Any:
    """:func:`_signature` of positional arguments that are all arrays or
    Variables of eager libraries (most training steps: ``step(x, t)``), the
    same key made without its general walk; None for any other arguments."""
    parts: list[Any] = [settings(), _ARGS_AND_KWARGS, (tuple, len(args))]
    by_type = backends.BY_TYPE
    for x in args:
        kind = type(x)
        data = x._data if isinstance(x, Variable) else x
        backend = by_type.get(type(data))
        if backend is None or backend.lazy:
            return None
        parts.append(_array_part(kind, data, backend))
        leaves.append(x)
    parts.append(_NO_KWARGS)
    return tuple(parts)


def _array_part(kind: type, data: Any, backend: Any) -> tuple[Any, ...]:
    """One array argument's part of the key (``kind``: of the argument, a
    Variable's or the array's own): its library's type, shape, dtype, device
    and, for NumPy, memory order (:func:`~.buffers.memory_order`). A NumPy
    replay writes into arrays laid out as the recording's (buffers, operands,
    a mask's product), where an eager call's follow its arguments' order
    (``x.T`` makes Fortran-ordered results, whose reshape copies)."""
    device = str(backend.device_of(data)) if backend.multi_device else None
    return (kind, type(data), data.shape, data.dtype, device, memory_order(data))


_ARGS_AND_KWARGS = (tuple, 2)
_NO_KWARGS = (dict, ())


def _refuse_hidden_arrays(x: Any) -> None:
    """An object argument whose attributes hold arrays: those arrays would be
    constants of the recording, so a new object's data would be ignored."""
    if isinstance(x, Layer | Optimizer) or not hasattr(x, "__dict__"):
        return
    for name, value in vars(x).items():
        if isinstance(value, Variable) or is_array_api_obj(value):
            raise JitError(
                f"xgrad.jit: argument {type(x).__name__} holds an array in "
                f".{name}; a recording would keep that array as a constant. Pass "
                f"the arrays themselves (a tuple, a namedtuple or a dict of them)"
            )


def _hashable(x: Any) -> bool:
    try:
        hash(x)
    except TypeError:
        return False
    return True
