"""Variables, Functions and backpropagation: the define-by-run engine.

A :class:`Function` computes ``forward`` on raw arrays through the inputs'
array-API namespace and records itself as the creator of its outputs. Its
``backward`` is written with xgrad functions on :class:`Variable` objects, so
with ``create_graph=True`` every derivative is itself differentiable.
"""

from __future__ import annotations

import math
import weakref
from typing import Any

import numpy as np

from . import backends
from .backends import _BY_TYPE
from .config import enable_backprop
from .devices import Device, DeviceResident, device_of, to_device

__all__ = [
    "Function",
    "Parameter",
    "Constant",
    "Variable",
    "as_array",
    "as_variable",
]

# Array types already checked by Variable(); a hit skips all further checks.
_ARRAY_TYPES: set[type] = {np.ndarray}
# xgrad.debug's engine while any debugging is on (hooks, anomaly, profile).
_debug: Any = None


def _checked_array(data: Any) -> Any:
    """Validate ``data`` for a Variable (the slow path, for a new array type)."""
    from ._inputs import checked_array

    return checked_array(data, _ARRAY_TYPES)


class Variable(DeviceResident):
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

    __slots__ = ("__weakref__", "_data", "creator", "generation", "grad", "name")
    __array_priority__ = 200
    __array_ufunc__ = None  # NumPy defers `ndarray op Variable` to our operators

    def __init__(self, data: Any, name: str | None = None) -> None:
        if data is not None and type(data) not in _ARRAY_TYPES:
            data = _checked_array(data)
        self._data = data
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
        if value is not None and type(value) not in _ARRAY_TYPES:
            value = _checked_array(value)
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

    # -- devices: to_device is the primitive; to_gpu/to_cpu come from the mixin
    def to_device(self, spec: Any) -> Variable:
        """Move the array and the gradient to device ``spec``; returns ``self``.

        Examples
        --------
        >>> import xgrad
        >>> x = xgrad.Variable(xgrad.asarray([1.0, 2.0]))
        >>> str(x.to_device("array_api_strict:device1").device)
        'array_api_strict:device1'
        """
        if self._data is not None:
            self.data = to_device(self._data, spec)
        if self.grad is not None:
            self.grad.to_device(spec)
        return self

    def _any_array(self) -> Any:
        return self._data

    @property
    def backend(self) -> backends.Backend:
        """The :class:`~xgrad.backends.Backend` of the array."""
        return backends.of(self._data)

    def __len__(self) -> int:
        if self.data.ndim == 0:
            raise TypeError("len() of a 0-d Variable; use .size or .shape")
        return self.data.shape[0]

    def __repr__(self) -> str:
        if self.data is None:
            return "variable(None)"
        backend = backends.of(self.data)
        text = str(backend.to_numpy(self.data)).replace("\n", "\n" + " " * 9)
        if backend.name == "numpy":
            return f"variable({text})"
        return f"variable({text}, device='{self.device}')"

    def __float__(self) -> float:
        return float(self.data)

    def __bool__(self) -> bool:
        raise TypeError(
            "The truth value of a Variable is ambiguous; compare its array "
            "(`bool(v.data)`) or use a comparison such as `v.data > 0`"
        )

    __hash__ = object.__hash__

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
        funcs, reached = [self.creator], {id(self): self}
        while funcs:
            f = funcs.pop()
            for x in getattr(f, "inputs", ()):
                reached[id(x)] = x
                if x.creator is not None:
                    funcs.append(x.creator)
                    x.unchain()
        if self.backend.lazy:
            from .lazy import persist

            persist(*reached.values())

    def backward(self, retain_grad: bool = False, create_graph: bool = False) -> None:
        """Backpropagate from this Variable to every leaf that produced it.

        The seed gradient is ``ones_like(data)`` unless ``self.grad`` is set
        already, so a non-scalar output backpropagates the gradient of its sum.

        Parameters
        ----------
        retain_grad : bool
            Keep the gradients of intermediate Variables (default: freed).
        create_graph : bool
            Record the backward pass itself, so gradients are Variables on a
            graph and can be differentiated again (higher-order derivatives).
        """
        if self.grad is None:
            xp = backends.of(self.data).xp
            self.grad = Variable(xp.ones_like(self.data))
        if self.creator is None:  # a leaf, or made under no_grad: nothing to do
            return
        from .backprop import backpropagate

        token = enable_backprop.set(create_graph)
        try:
            backpropagate(self.creator, retain_grad)
        finally:
            enable_backprop.reset(token)


class Parameter(Variable):
    """A Variable that a Layer owns and an optimizer updates.

    ``state`` holds the optimizer's arrays for this parameter (momentum,
    moment estimates ...). They live with the parameter, so they move when
    the parameter moves.
    """

    __slots__ = ("state",)

    def __init__(self, data: Any, name: str | None = None) -> None:
        super().__init__(data, name)
        self.state: dict[str, Any] = {}

    def to_device(self, spec: Any) -> Parameter:
        super().to_device(spec)
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


class Function:
    """Base class of every differentiable operation.

    Subclasses implement ``forward(*arrays)`` with the standard functions of
    ``self.xp`` and ``backward(*grads)`` with xgrad functions on Variables.
    Calling an instance runs ``forward``, wraps the results in Variables and,
    while ``Config.enable_backprop`` holds, records the graph.

    Examples
    --------
    >>> import numpy as np
    >>> import xgrad
    >>> class Square(xgrad.Function):
    ...     def forward(self, x):
    ...         return x ** 2
    ...     def backward(self, gy):
    ...         x, = self.inputs
    ...         return 2 * x * gy
    >>> Square()(xgrad.Variable(np.array(3.0)))
    variable(9.0)
    """

    # Slots keep a graph node small (no per-instance dict unless an op stores
    # parameters of its own, such as an axis): the graph costs little per op.
    __slots__ = (
        "__dict__",
        "__weakref__",
        "backend",
        "generation",
        "inputs",
        "outputs",
    )
    backend: backends.Backend
    generation: int
    inputs: tuple[Variable, ...]
    outputs: tuple[weakref.ref[Variable], ...]

    def __call__(self, *inputs: Any) -> Any:
        if _debug is not None and _debug.intercept(self):  # xgrad.debug
            return _debug.call(self, inputs)
        for x in inputs:
            if not isinstance(x, Variable):
                from ._inputs import as_variables

                inputs = as_variables(inputs, self)
                break
        try:  # free unless raised: the library's errors get this op's name
            # One and two inputs are the common cases, kept lean: they run for
            # every op.
            if len(inputs) == 1:
                data = inputs[0]._data
                backend = _BY_TYPE.get(type(data)) or backends.of(data, op=self)
                self.backend = backend
                ys = self.forward(data)
            elif len(inputs) == 2:
                a, b = inputs[0]._data, inputs[1]._data
                backend = _BY_TYPE.get(type(a))
                if backend is None or type(b) is not type(a) or backend.multi_device:
                    backend = backends.of(a, b, op=self)
                self.backend = backend
                ys = self.forward(a, b)
            else:
                xs = [x._data for x in inputs]
                self.backend = backend = backends.of(*xs, op=self)
                ys = self.forward(*xs)
        except (IndexError, ValueError, TypeError, RuntimeError) as error:
            from ._errors import reraise_named

            reraise_named(self, inputs, error)
        if type(ys) is not tuple:
            output = Variable(
                ys if type(ys) is type(inputs[0]._data) else backend.fix(ys)
            )
            if enable_backprop.get():
                generation = inputs[0].generation
                for x in inputs[1:]:
                    generation = max(generation, x.generation)
                self.generation = generation
                output.creator = self
                output.generation = generation + 1
                self.inputs = inputs
                self.outputs = (weakref.ref(output),)
            return output
        kind = type(inputs[0]._data)
        outputs = [Variable(y if type(y) is kind else backend.fix(y)) for y in ys]
        if enable_backprop.get():
            self.generation = generation = max([x.generation for x in inputs])
            for output in outputs:
                output.creator = self
                output.generation = generation + 1
            self.inputs = inputs
            self.outputs = tuple([weakref.ref(output) for output in outputs])
        return outputs if len(outputs) > 1 else outputs[0]

    @property
    def xp(self) -> Any:
        """The array-API namespace of this call's inputs."""
        return self.backend.xp

    def forward(self, *xs: Any) -> Any:
        raise NotImplementedError(f"{type(self).__name__}.forward")

    def backward(self, *gys: Any) -> Any:
        raise NotImplementedError(
            f"{type(self).__name__} has no backward: it is not differentiable"
        )

    def explain(self, xs: tuple[Any, ...]) -> str:
        """What to do when the array library rejects ``forward(*xs)``; ops whose
        inputs must fit together (broadcasting, indices in range) say how."""
        return ""

    def needs_grad(self, i: int) -> bool:
        """Whether input ``i`` wants a gradient (False for Constants), for backward
        methods that can skip costly work."""
        return type(self.inputs[i]) is not Constant

    def __repr__(self) -> str:
        return f"<{type(self).__name__} generation={getattr(self, 'generation', 0)}>"
