"""The stand-ins a recording hands to a step: arrays whose every use is recorded.

While :func:`xgrad.jit` records a step, the arrays of its arguments and of
its state (Parameters, their gradients and optimizer state, layers'
recurrent state) are :class:`Traced`: each operator, attribute and namespace
call on one runs the real call on the real array and appends it to the
recording. Op code needs no change: a Traced array's namespace
(``__array_namespace__``) and backend (the registry) are recording proxies
of the real ones. Reading a value into Python (``float``, ``bool``,
``.item()``, NumPy conversion) would bake one step's value into every replay,
so it raises :class:`JitError` naming the line.
"""

from __future__ import annotations

import functools
import operator
from collections.abc import Callable, Iterator
from types import ModuleType
from typing import TYPE_CHECKING, Any

from .._errors import JitError
from .host import user_line

if TYPE_CHECKING:
    from .calls import Recording

__all__ = [
    "RecordingBackend",
    "RecordingNamespace",
    "Traced",
    "refuse_reading",
    "traced_in",
]


def refuse_reading(what: str) -> JitError:
    return JitError(
        f"xgrad.jit: {what} reads an array's value into Python while the step "
        f"is recorded, at {user_line()}. A replay runs array calls only, so the "
        f"value read now would be baked into every later call. Keep the value "
        f"an array (xp.where instead of if, return it instead of float()), or "
        f"call the function without jit."
    )


def _operator(op: Any, dunder: str, kind: str = "") -> Any:
    """``op`` on a Traced array as a recorded call (``kind``: "r" reflected,
    "i" in place). With a Variable, what the real array does: its ``dunder``
    steps aside (NumPy's ``x * p``), so NotImplemented and the Variable's own
    operator records the op on the tape, or it raises (``ndarray += p``)."""

    def method(self: Traced, other: Any) -> Any:
        if getattr(other, "_is_xgrad_variable", False):
            real = getattr(type(self.value), dunder, None)
            if real is None or real(self.value, other) is NotImplemented:
                return NotImplemented
            kind_of = type(self.value).__name__  # a library that computes with it
            raise JitError(f"xgrad.jit: {kind_of}.{dunder} of a Variable: put it first")
        args = (other, self) if kind == "r" else (self, other)
        into = self if kind == "i" else None
        return self._recording.call(op, args, {}, self._backend, into)

    return method


def _unary(op: Any) -> Any:
    def method(self: Traced) -> Any:
        return self._recording.call(op, (self,), {}, self._backend)

    return method


def _refusing(what: str) -> Any:
    def method(self: Traced, *args: Any, **kwargs: Any) -> Any:
        raise refuse_reading(what)

    return method


@functools.cache
def method_caller(name: str) -> Any:
    """A function ``f(x, *args)`` that calls ``x.<name>(*args)``, for recordings."""

    def call(x: Any, *args: Any, **kwargs: Any) -> Any:
        return getattr(x, name)(*args, **kwargs)

    call.__qualname__ = call.__name__ = f"method_{name}"
    return call


class Traced:
    """An array of a step being recorded: the real array plus its slot."""

    __slots__ = ("__weakref__", "_backend", "_recording", "index", "value")
    __hash__ = object.__hash__

    def __init__(self, value: Any, index: int, recording: Recording, backend: Any):
        self.value, self.index = value, index
        self._recording, self._backend = recording, backend

    # -- static during a recording: the signature guards it, and a replay
    # checks a shape that follows values once the step's Python has read it
    @property
    def shape(self) -> Any:
        self._recording.shapes_read.add(self.index)
        return self.value.shape

    @property
    def dtype(self) -> Any:
        return self.value.dtype

    @property
    def ndim(self) -> int:
        return int(self.value.ndim)

    @property
    def size(self) -> Any:
        self._recording.shapes_read.add(self.index)
        return self.value.size

    @property
    def device(self) -> Any:
        return self.value.device

    def __len__(self) -> int:
        self._recording.shapes_read.add(self.index)
        return len(self.value)

    def __repr__(self) -> str:
        return f"<array recorded by xgrad.jit: shape {self.value.shape}, {self.dtype}>"

    def __array_namespace__(self, api_version: str | None = None) -> Any:
        return self._recording.backend_for(self._backend).xp

    @property
    def T(self) -> Any:
        return self._recording.call(_attr_T, (self,), {}, self._backend)

    @property
    def mT(self) -> Any:
        return self._recording.call(_attr_mT, (self,), {}, self._backend)

    def __getitem__(self, key: Any) -> Any:
        return self._recording.call(operator.getitem, (self, key), {}, self._backend)

    def __setitem__(self, key: Any, value: Any) -> None:
        self._recording.call(operator.setitem, (self, key, value), {}, self._backend)

    def __iter__(self) -> Any:
        return (self[i] for i in range(len(self)))

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):  # __array_interface__ would hand NumPy the values
            raise AttributeError(f"{type(self).__name__} has no attribute {name!r}")
        attr = getattr(self.value, name)
        if callable(attr):
            caller = method_caller(name)
            return functools.partial(self._recording.call_method, caller, self)
        if self._recording.is_array(attr, self._backend):
            return self._recording.call(
                operator.attrgetter(name), (self,), {}, self._backend
            )
        self._recording.shapes_read.add(self.index)  # .nbytes, .strides: of the shape
        return attr

    def __array_ufunc__(
        self, ufunc: Any, method: str, *inputs: Any, **kwargs: Any
    ) -> Any:
        """NumPy's ufuncs on a Traced array (``np.exp(x.data)``, ``a + x``) record."""
        out = kwargs.get("out", ())  # NumPy hands it over as a tuple
        if out and (len(out) != 1 or not isinstance(out[0], Traced)):
            raise JitError(
                f"xgrad.jit: np.{ufunc.__name__}(..., out=...) writes into an "
                f"array that the recording does not follow, at {user_line()}: "
                f"write the result to a new array (y = x + 1, not x += 1 on "
                f"an array made outside xgrad)"
            )
        fn = ufunc if method == "__call__" else getattr(ufunc, method)
        return self._recording.call(fn, inputs, kwargs, self._backend)  # out=: a write

    @classmethod
    def __torch_function__(
        cls, func: Any, types: Any, args: Any = (), kwargs: Any = None
    ) -> Any:
        if getattr(func, "__name__", None) in _TORCH_VALUE_READS:
            raise refuse_reading(f"torch.{func.__name__}")  # a Python bool
        traced = next(traced_in(tuple(args)))
        return traced._recording.call(
            func, tuple(args), dict(kwargs or {}), traced._backend
        )

    __bool__ = _refusing("bool(array)")
    __float__ = _refusing("float(array)")
    __int__ = _refusing("int(array)")
    __index__ = _refusing("operator.index(array)")
    __complex__ = _refusing("complex(array)")
    __array__ = _refusing("a NumPy conversion (np.asarray)")
    item = _refusing(".item()")
    tolist = _refusing(".tolist()")


def traced_in(obj: Any) -> Iterator[Traced]:
    """Every Traced in ``obj`` and the tuples, lists, dicts and slices in it."""
    if isinstance(obj, Traced):
        yield obj
    elif type(obj) in (tuple, list):
        for x in obj:
            yield from traced_in(x)
    elif type(obj) is dict:
        for x in obj.values():
            yield from traced_in(x)
    elif type(obj) is slice:
        yield from traced_in((obj.start, obj.stop, obj.step))


def replace_traced(obj: Any, leaf: Callable[[Traced], Any]) -> Any:
    """``obj`` with each Traced in it replaced by ``leaf(traced)``."""
    if isinstance(obj, Traced):
        return leaf(obj)
    if type(obj) in (tuple, list):
        return type(obj)(replace_traced(x, leaf) for x in obj)
    if type(obj) is dict:
        return {k: replace_traced(v, leaf) for k, v in obj.items()}
    if type(obj) is slice:
        return slice(*replace_traced((obj.start, obj.stop, obj.step), leaf))
    return obj


#: PyTorch functions that answer with a Python bool computed from values.
_TORCH_VALUE_READS = frozenset({"equal", "allclose", "is_nonzero"})
_attr_T = operator.attrgetter("T")
_attr_mT = operator.attrgetter("mT")

_BINARY = "add sub mul truediv floordiv mod pow matmul and or xor lshift rshift"
for _name in _BINARY.split():
    _op = getattr(operator, f"{_name}_" if _name in ("and", "or") else _name)
    for _kind, _fn in {"": _op, "r": _op, "i": getattr(operator, f"i{_name}")}.items():
        _dunder = f"__{_kind}{_name}__"
        setattr(Traced, _dunder, _operator(_fn, _dunder, _kind))
for _name in ["lt", "le", "gt", "ge", "eq", "ne"]:
    _dunder = f"__{_name}__"
    setattr(Traced, _dunder, _operator(getattr(operator, _name), _dunder))
for _name in ["neg", "pos", "abs", "invert"]:
    setattr(Traced, f"__{_name}__", _unary(getattr(operator, _name)))


def _record_callable(wrap: Any, obj: Any) -> Any:
    if callable(obj) and not isinstance(obj, ModuleType):
        return wrap(_Holder(obj)).f
    return wrap(obj)


class _Holder:
    def __init__(self, f: Any) -> None:
        self.f = f


class RecordingNamespace:
    """An array namespace whose functions record on a :class:`Recording`."""

    def __init__(self, real: ModuleType, recording: Recording, backend: Any) -> None:
        self._real, self._recording, self._backend = real, recording, backend

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._real, name)
        if isinstance(attr, ModuleType) or name in ("linalg", "fft"):
            value: Any = RecordingNamespace(attr, self._recording, self._backend)
        elif callable(attr) and not isinstance(attr, type) and name[0] != "_":
            value = functools.partial(
                self._recording.call_function, attr, self._backend
            )
        else:  # dtypes, constants: the same objects as the real namespace's
            value = attr
        self.__dict__[name] = value
        return value


# Backend methods that only answer questions about types and devices: they
# run on the real arrays and are not recorded.
_STATIC = frozenset(
    [
        "owns",
        "device_of",
        "native_device",
        "device",
        "device_from_native",
        "devices",
        "cpu_device",
        "gpu_device",
        "default_float",
        "has_float64",
        "is_available",
        "unavailable_reason",
        "is_writable",
    ]
)
# Backend methods that return a library's functions: those functions record.
_FACTORIES = frozenset({"linalg", "special"})
# Backend methods that compute a lazy library's arrays (Dask, which jit never
# records); on the others they hand the arrays back as they are.
_REFUSED = frozenset(["compute", "persist"])
# Backend methods that write their result into their first argument where they
# can and return it (an optimizer step): recorded as that write, else as new.
_IN_PLACE = frozenset(["apply_step", "write_into"])


class RecordingBackend:
    """A backend whose array-making methods record on a :class:`Recording`."""

    def __init__(self, real: Any, recording: Recording) -> None:
        self.real, self._recording = real, recording
        self.xp = RecordingNamespace(real.xp, recording, real)

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self.real, name)
        value: Any
        if name in _REFUSED:  # never met: a lazy backend's step is not recorded
            value = functools.partial(_refusing(name), None) if self.real.lazy else attr
        elif name in _STATIC:
            value = functools.partial(self._static, attr)
        elif name in _FACTORIES:
            value = self._factory(attr)
        elif name in _IN_PLACE:
            value = functools.partial(self._in_place, attr)
        elif name == "to_numpy":  # a NumPy array, recorded: a replay makes it anew
            value = functools.partial(self._recording.call_function, attr, None)
        elif callable(attr) and name[0] != "_":
            value = functools.partial(self._recording.call_function, attr, self.real)
        else:
            value = attr
        self.__dict__[name] = value
        return value

    def _factory(self, attr: Any) -> Any:
        wrap = functools.partial(
            RecordingNamespace, recording=self._recording, backend=self.real
        )
        if not callable(attr):  # a property: an object of functions
            return wrap(attr)
        return lambda *args, **kwargs: _record_callable(wrap, attr(*args, **kwargs))

    def _in_place(self, method: Any, target: Any, *args: Any, **kwargs: Any) -> Any:
        into = target if isinstance(target, Traced) else None
        return self._recording.call(method, (target, *args), kwargs, self.real, into)

    def _static(self, method: Any, *args: Any, **kwargs: Any) -> Any:
        unwrap = self._recording.unwrap
        return method(*unwrap(args), **unwrap(kwargs))
