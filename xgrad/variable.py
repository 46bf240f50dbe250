"""Variables: the nodes of the graph that hold arrays and their gradients.

A :class:`Variable` holds an array of any array-API library, its gradient and
the Function that made it (:mod:`xgrad.function`). ``backward()`` hands the
graph to the one backward engine, :func:`xgrad.backprop.run`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Self

import numpy as np

from . import backends, backprop, hooks
from ._errors import JitError
from .array_check import ARRAY_TYPES, checked_array
from .array_object import ArrayObject
from .devices import Device, DeviceResident, device_of, to_device
from .domains import kind
from .lazy import persist
from .operators import OPS, Operators
from .recording.host import current as jit_recording
from .recording.host import user_line

if TYPE_CHECKING:
    from .function import Function

__all__ = [
    "Constant",
    "Parameter",
    "Variable",
    "as_array",
    "as_input",
    "as_variable",
]


class Variable(Operators, ArrayObject, DeviceResident):
    """A node of the graph: an array, its gradient and the Function that made it.

    Parameters
    ----------
    data : array or None
        An array of any library that array-api-compat recognises (NumPy, CuPy,
        PyTorch, array-api-strict, Dask, ...). A NumPy scalar becomes a 0-d
        array. ``None`` leaves the Variable empty (a lazily shaped Parameter).
    name : str, optional
        A label shown in graph pictures.

    Examples
    --------
    >>> import numpy as np
    >>> import xgrad
    >>> x = xgrad.Variable(np.array(3.0))
    >>> y = x ** 2
    >>> y.backward()
    >>> x.grad
    variable(6.0)
    """

    __slots__ = (
        "__weakref__",
        "_consumed",
        "_data",
        "creator",
        "generation",
        "grad",
        "name",
    )
    _is_xgrad_variable = True  # the registry refuses a Variable where an array goes
    __array_priority__ = 200
    requires_grad = True  # backward passes compute its gradient (not Constants')
    __array_ufunc__ = None  # NumPy defers `ndarray op Variable` to our operators

    def __init__(self, data: Any, name: str | None = None) -> None:
        if data is not None and type(data) not in ARRAY_TYPES:
            data = checked_array(data)
        self._data = data
        self._consumed = False  # read by a recorded Function (xgrad.inplace)
        self.name = name
        self.grad: Variable | None = None
        self.creator: Function | None = None
        self.generation = 0

    # -- array attributes ------------------------------------------------------
    @property
    def data(self) -> Any:
        """The array. Assigning checks it, so ``v.data = v.data - eps`` stays an array."""
        return self._data

    @data.setter
    def data(self, value: Any) -> None:
        if value is not None and type(value) not in ARRAY_TYPES:
            value = checked_array(value)
        self._data = value

    @property
    def shape(self) -> tuple[int, ...]:
        return tuple(self._data.shape)

    @property
    def ndim(self) -> int:
        return self._data.ndim

    @property
    def size(self) -> int:
        return math.prod(self._data.shape)

    @property
    def dtype(self) -> Any:
        return self._data.dtype

    @property
    def device(self) -> Device:
        """Where the array lives, as a :class:`~xgrad.Device` (``"torch:cpu"``)."""
        return device_of(self._data)

    # -- devices: to_device records a move; to_gpu/to_cpu move in place (the book)
    def to_device(self, device: Any, /, *, stream: Any = None) -> Variable:
        """This Variable on ``device`` (a spec such as ``"torch:cpu"``): a new
        Variable, recorded on the tape, so the gradient flows back across
        devices and libraries. ``self`` stays where it is, as in the array API
        standard and PyTorch's ``.to()``: write ``x = x.to_device(...)``.
        ``to_gpu()``/``to_cpu()`` move in place, as in the book, and so do
        Layers, Models, optimizers and data loaders.

        >>> import xgrad
        >>> x = xgrad.Variable(xgrad.asarray([1.0, 2.0]))
        >>> str(x.to_device("array_api_strict:device1").device), str(x.device)
        ('array_api_strict:device1', 'numpy')
        """
        if stream is not None:
            raise ValueError("to_device: xgrad takes no stream; leave it None")
        return OPS.to_device(self, device)

    def _relocate(self, spec: Any) -> Self:
        """Move the array and the gradient to ``spec`` in place; returns ``self``.
        What ``to_gpu``/``to_cpu`` and the moves of Layers and optimizers do."""
        if self._data is not None:
            self.data = to_device(self._data, spec)
        if self.grad is not None:
            self.grad._relocate(spec)
        return self

    def _any_array(self) -> Any:
        return self._data

    @property
    def backend(self) -> backends.Backend:
        """The :class:`~xgrad.backends.Backend` of the array."""
        return backends.of(self._data)

    def __repr__(self) -> str:
        if self.data is None:
            return "variable(None)"
        backend = backends.of(self.data)
        text = str(backend.to_numpy(self.data)).replace("\n", "\n" + " " * 9)
        if backend.name == "numpy":
            return f"variable({text})"
        return f"variable({text}, device='{self.device}')"

    # -- graph ------------------------------------------------------------------
    def set_creator(self, func: Function) -> None:
        """Record ``func`` as the Function that produced this Variable."""
        self.creator = func
        self.generation = func.generation + 1

    def cleargrad(self) -> None:
        """Forget the gradient, before a new backward pass."""
        self.grad = None

    def unchain(self) -> None:
        """Cut the link to the creator: this Variable becomes a leaf."""
        self.creator = None

    def unchain_backward(self) -> None:
        """Cut every link behind this Variable's creator, freeing the graph before it.

        The Variable keeps its own creator, as in DeZero: a later ``backward``
        still reaches the inputs of the last Function (truncated BPTT). On a
        lazy backend (Dask) every Variable reached, with its gradient, is
        evaluated in one pass (:func:`xgrad.persist`): state carried on, such
        as an RNN's hidden state, starts the next graph as values, and the
        optimizer's update reads evaluated gradients instead of computing the
        window's graph again.
        """
        if self.creator is None:
            return
        reached = [self]
        for f in list(backprop.walk([self])):
            reached += f.inputs
            for x in f.inputs:
                x.unchain()
        if self.backend.lazy:
            persist(*{id(x): x for x in reached}.values())

    def backward(self, retain_grad: bool = False, create_graph: bool = False) -> None:
        """Backpropagate from this Variable to every leaf that produced it.

        The seed gradient is ``ones_like(data)`` unless ``self.grad`` is set
        already, so a non-scalar output backpropagates the gradient of its sum.
        A complex output needs its seed set by hand (docs/complex.md).

        Parameters
        ----------
        retain_grad : bool
            Keep the gradients of intermediate Variables (default: freed).
        create_graph : bool
            Record the backward pass itself, so gradients are Variables on a
            graph and can be differentiated again (higher-order derivatives).
        """
        seed = self.grad  # set by hand (the book's step 7), or ones
        if seed is None:
            backend = backends.of(self._data)
            if kind(backend, self._data.dtype) == "complex floating":
                raise TypeError(
                    f"backward: the output is complex (dtype {self.dtype}, shape "
                    f"{self.shape}); a gradient is implicitly created only for real "
                    f"outputs. Reduce it to a real loss (F.abs, F.real) or set "
                    f"y.grad to the complex gradient dL/dRe(y) + 1j*dL/dIm(y) first"
                )
            seed = Variable(backend.xp.ones_like(self._data))
        elif type(seed) is not Variable:
            seed = as_variable(seed)
        if self.creator is None:  # a leaf, or made under no_grad: nothing to do
            self.grad = seed
            return
        self.grad = None  # the seed is this pass's gradient of self
        backprop.run(
            [(self, seed)],
            wrap=Variable,
            create_graph=create_graph,
            retain_grad=retain_grad,
        )

    def register_hook(self, hook: Callable[[Variable], Any]) -> hooks.HookHandle:
        """Call ``hook(grad)`` each time a backward pass completes this gradient.

        ``hook`` gets the gradient (a Variable) and returns None to keep it or a
        Variable of the same shape to replace it. It runs once per pass that
        computes this gradient (under ``backward()`` and every transform), on
        the sum of the pass's contributions: for a Variable made by a Function,
        before that Function's backward uses it (a replacement flows upstream);
        for a leaf, at the end, before it is added to ``.grad``. Under
        ``create_graph=True`` what the hook computes is differentiable.

        Returns
        -------
        HookHandle
            ``handle.remove()`` takes the hook off (also a context manager).

        Examples
        --------
        >>> import numpy as np
        >>> import xgrad
        >>> x = xgrad.Variable(np.array(3.0))
        >>> handle = x.register_hook(lambda g: g * 10)
        >>> (x * x).backward()
        >>> x.grad
        variable(60.0)
        >>> handle.remove()
        """
        return hooks.register_hook(self, hook)


class Parameter(Variable):
    """A Variable that a Layer owns and an optimizer updates.

    ``state`` holds the optimizer's arrays for this parameter (momentum,
    moment estimates ...). They live with the parameter, so they move when
    the parameter moves.
    """

    __slots__ = ("state",)

    def __init__(self, data: Any, name: str | None = None) -> None:
        if jit_recording() is not None:
            raise JitError(
                f"xgrad.jit: Parameter {name or ''} is created while a step is "
                f"recorded, at {user_line()}. A replay cannot create objects: make "
                f"the model (and its lazy layers' weights) before the jitted step"
            )
        super().__init__(data, name)
        self.state: dict[str, Any] = {}

    def _relocate(self, spec: Any) -> Self:
        super()._relocate(spec)
        for key, value in self.state.items():
            if hasattr(value, "shape"):
                self.state[key] = to_device(value, spec)
        return self


class Constant(Variable):
    """An input that needs no gradient: an array passed to an op as it is.

    Ops turn plain arrays into Constants, so backward skips their gradient
    (``Function.needs_grad``): data fed to a model costs no input gradient.
    """

    __slots__ = ()
    requires_grad = False


def as_variable(obj: Any) -> Variable:
    """Return ``obj`` if it is a Variable, else wrap the array in one."""
    return obj if isinstance(obj, Variable) else Variable(obj)


def as_input(obj: Any) -> Variable:
    """``obj`` if it is a Variable, else a :class:`Constant` wrapping the array."""
    return obj if isinstance(obj, Variable) else Constant(obj)


def as_array(x: Any, array_module: Any = np) -> Any:
    """DeZero's helper: a Python or NumPy scalar becomes a 0-d array of ``array_module``."""
    if np.isscalar(x):
        return array_module.asarray(x)
    return x
