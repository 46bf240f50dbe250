"""The state a step reads and writes besides its arguments, as bindings.

A replay takes its inputs from the step's arguments and from *bindings*:
places that hold arrays between calls (a Parameter's data, its gradient and
optimizer state, a layer's persistent arrays and recurrent state). A binding
reads its place when a replay starts and writes the step's final value back
when it ends, so everything looks as after an eager call. :func:`reach`
finds the places a step can touch: Layers, Models, optimizers and
Parameters among its arguments, its closure, ``self`` of a method and the
globals its code names. Parameters met later in the recording are adopted
then (:meth:`Bindings.adopt`). :func:`optimizer_guards` names the Python
numbers of that state which a replay would not read again.
"""

from __future__ import annotations

import gc
import warnings
from collections.abc import Callable, Iterator
from types import MethodType
from typing import Any

from .. import observing
from .._errors import JitError
from ..core import Parameter, Variable
from ..layers import Layer
from ..optimizer_base import Optimizer
from ..schedules import LRScheduler
from .host import user_line
from .traced import Traced

__all__ = [
    "Adopter",
    "Binding",
    "Bindings",
    "existing_variables",
    "optimizer_guards",
    "reach",
]


class Binding:
    """One place of state: ``read()`` its array (None if empty), ``write()`` it."""

    #: The Variable that install() gave the stand-in, when not the owner.
    installed: Variable | None = None
    #: read() as statements that put the array in ``{value}``, and write() as
    #: one that stores ``{value}``, where they are that plain (a replay's glue
    #: inlines them, :mod:`.glue`); None: the glue calls the method.
    read_code: str | None = None
    write_code: str | None = None

    def __init__(self, owner: Any, key: Any = None) -> None:
        self.owner, self.key = owner, key

    def read(self) -> Any:
        raise NotImplementedError

    def install(self, value: Any) -> None:
        """Put a recording's stand-in in place, keeping the owner's objects."""
        self.write(value)

    def restore(self, value: Any) -> None:
        """After the recording, give the Variable that install() changed its
        real array back: one kept by the caller (``g = p.grad``) holds last
        step's array, as after an eager call, not a stand-in."""
        if self.installed is not None:
            self.installed._data = value
            self.installed = None

    def write(self, value: Any) -> None:
        raise NotImplementedError

    def __repr__(self) -> str:
        name = getattr(self.owner, "name", None) or type(self.owner).__name__
        return f"{type(self).__name__}({name}, {self.key!r})"


class DataBinding(Binding):
    """A Variable's (a Parameter's) array."""

    read_code = "{value} = {owner}._data"
    write_code = "{owner}._data = {value}"

    def read(self) -> Any:
        return self.owner._data

    def write(self, value: Any) -> None:
        self.owner._data = value


class GradBinding(Binding):
    """A Parameter's gradient: the array of ``param.grad``, or None."""

    read_code = (
        "{value} = {owner}.grad\n    if {value} is not None: {value} = {value}._data"
    )
    write_code = "{owner}.grad = None if {value} is None else Variable({value})"

    def read(self) -> Any:
        grad = self.owner.grad
        return None if grad is None else grad._data

    def install(self, value: Any) -> None:
        self.installed = self.owner.grad
        self.installed._data = value

    def write(self, value: Any) -> None:
        self.owner.grad = None if value is None else Variable(value)


class StateBinding(Binding):
    """One array of ``param.state`` (optimizer state), or None while absent."""

    def read(self) -> Any:
        return self.owner.state.get(self.key)

    def write(self, value: Any) -> None:
        if value is None:
            self.owner.state.pop(self.key, None)
        else:
            self.owner.state[self.key] = value


class AttributeBinding(Binding):
    """A layer's attribute holding a Variable (recurrent state) or an array."""

    def __init__(self, owner: Any, key: str, wrapped: bool) -> None:
        super().__init__(owner, key)
        self.wrapped = wrapped  # a Variable (True) or a plain array

    def read(self) -> Any:
        value = getattr(self.owner, self.key)
        return value._data if isinstance(value, Variable) else value

    def install(self, value: Any) -> None:
        current = getattr(self.owner, self.key)
        if isinstance(current, Variable):
            self.installed = current
            current._data = value
        else:
            object.__setattr__(self.owner, self.key, value)

    def write(self, value: Any) -> None:
        wrapped = self.wrapped and value is not None
        object.__setattr__(self.owner, self.key, Variable(value) if wrapped else value)


class Bindings:
    """The bindings of one recording, each once, in the order they were met."""

    def __init__(self, install: Callable[[Binding], None]) -> None:
        self.items: list[Binding] = []
        self._seen: set[tuple[int, type, Any]] = set()
        self._install = install
        self.params: list[Parameter] = []
        self._adopted: set[int] = set()  # ids of params (kept alive by it)

    def add(self, binding: Binding) -> None:
        key = (id(binding.owner), type(binding), binding.key)
        if key not in self._seen:
            self._seen.add(key)
            self.items.append(binding)
            self._install(binding)

    def adopt(self, param: Parameter) -> None:
        """Bind a Parameter's data, gradient and optimizer state (of one
        passed as an argument too, whose data and gradient are bound already)."""
        if id(param) in self._adopted:
            return
        self._adopted.add(id(param))
        self.params.append(param)
        self.add(DataBinding(param))
        self.add(GradBinding(param))
        for key in list(param.state):
            self.add(StateBinding(param, key))

    def adopt_new_state(self) -> None:
        """Bind the optimizer state a step created (the first update's zeros)."""
        for param in self.params:
            for key in list(param.state):
                self.add(StateBinding(param, key))

    def adopt_layer(self, layer: Layer) -> None:
        for sub in layer._layers():
            for name, value in list(vars(sub).items()):
                if name.startswith("_") or name in sub._params:
                    continue
                if name in sub._persistent:
                    self.add(AttributeBinding(sub, name, wrapped=False))
                elif isinstance(value, Variable) or name in sub.recurrent_state:
                    self.add(AttributeBinding(sub, name, wrapped=True))
        for param in layer.params():
            self.adopt(param)


class Adopter(observing.Observer):
    """Binds the Variables a step's Functions meet that hold real arrays and
    existed before the step (a Variable made in the step from a fresh array is
    a constant of it, made anew by every eager call)."""

    def __init__(self, bindings: Bindings, existing: set[int]) -> None:
        self.bindings, self.existing = bindings, existing

    def _unbound(self, x: Any) -> bool:
        """Whether ``x`` is a Variable from before the step still holding a
        real array (not yet bound)."""
        return (
            isinstance(x, Variable)
            and not isinstance(x._data, Traced | None)
            and id(x) in self.existing
        )

    def forward_preprocess(self, call: observing.Call, inputs: tuple[Any, ...]) -> None:
        for x in inputs:
            if self._unbound(x):
                if isinstance(x, Parameter):
                    self.bindings.adopt(x)
                else:
                    self.bindings.add(DataBinding(x))
                    self.bindings.add(GradBinding(x))

    def backward_preprocess(
        self, call: observing.Call, grads: list[Variable | None]
    ) -> None:
        for x in call.function.inputs:
            if x.requires_grad and self._unbound(x):
                raise JitError(
                    f"xgrad.jit: the backward pass reaches "
                    f"{type(call.function).__name__}, made before this call (a "
                    f"graph kept from an earlier step, such as recurrent state "
                    f"not cut), at {user_line()}. A replay cannot reach an earlier "
                    f"call's graph: cut it with unchain_backward() after backward, "
                    f"as truncated backpropagation does"
                )


def existing_variables() -> set[int]:
    """The ids of every Variable alive now: a step's state is among them.

    One scan of the collector's objects, once per recording.
    """
    # type(), not isinstance(): some objects answer __class__ with a warning.
    return {id(x) for x in gc.get_objects() if issubclass(type(x), Variable)}


def reach(fn: Callable[..., Any], args: tuple[Any, ...]) -> Iterator[Any]:
    """Layers, optimizers, schedules and Variables that ``fn`` can reach.

    Also one level into the attributes of other objects among the arguments
    and ``self`` (a trainer holding a model and an optimizer).
    """
    seen: set[int] = set()
    pending: list[Any] = list(args)
    code = getattr(fn, "__code__", None)
    if hasattr(fn, "__self__"):
        pending.append(fn.__self__)
    for obj in list(pending):
        if not isinstance(obj, Layer | Optimizer | type) and hasattr(obj, "__dict__"):
            pending += list(vars(obj).values())
    for cell in getattr(fn, "__closure__", None) or ():
        try:
            pending.append(cell.cell_contents)
        except ValueError:  # an empty cell
            continue
    if code is not None:
        names = _names(code)
        globals_ = getattr(fn, "__globals__", {})
        pending += [globals_[n] for n in names if n in globals_]
    if isinstance(fn, Layer):
        pending.append(fn)
    while pending:
        obj = pending.pop()
        if id(obj) in seen:
            continue
        seen.add(id(obj))
        if isinstance(obj, Layer | Optimizer | Variable | LRScheduler):
            yield obj
            if isinstance(obj, Optimizer) and obj.target is not None:
                pending.append(obj.target)
        elif isinstance(obj, MethodType):  # schedule.step handed over as a callable
            pending.append(obj.__self__)
        elif type(obj) in (list, tuple):
            pending += obj
        elif type(obj) is dict:
            pending += obj.values()


def optimizer_guards(optimizer: Optimizer) -> list[tuple[Any, str, Any]]:
    """Python numbers a replay would not read again: a change records anew."""
    owners: list[Any] = list(optimizer.hooks)
    if not getattr(optimizer, "replayable", False):
        owners.append(optimizer)
        warnings.warn(
            f"xgrad.jit: {type(optimizer).__name__} reads its hyperparameters in "
            f"update_one, so a change of any of them (its step count t included) "
            f"records the step again; see docs/jit.md for a replayable optimizer",
            stacklevel=4,
        )
    numbers = [
        (owner, name, value)
        for owner in owners
        for name, value in vars(owner).items()
        if isinstance(value, int | float) and not isinstance(value, bool)
    ]
    # A hook added or taken off (FreezeParam, WeightDecay) records again.
    return [*numbers, (optimizer, "hooks", list(optimizer.hooks))]


def _names(code: Any) -> set[str]:
    names = set(code.co_names)
    for const in code.co_consts:
        if hasattr(const, "co_names"):
            names |= _names(const)
    return names
