"""Functions: the operations of the graph, with a forward and a backward.

A :class:`Function` computes ``forward`` on raw arrays through the inputs'
array-API namespace and records itself as the creator of its outputs. Its
``backward`` is written with xgrad functions on Variables, so with
``create_graph=True`` every derivative is itself differentiable. How a call
runs, step by step, is in docs/engine.md.
"""

from __future__ import annotations

import weakref
from collections.abc import Sequence
from types import ModuleType
from typing import Any, ClassVar

from . import backends, observing
from ._errors import reraise_named
from ._inputs import as_variables
from .backends import BY_TYPE
from .config import enable_backprop
from .domains import DOMAINS, check_domain_name, conform
from .variable import Constant, Variable

# The kinds of an op with per-input domains or a shape rule: none, so that
# every call goes through Function._enforce.
_ENFORCE: frozenset[str] = frozenset()

__all__ = ["Function"]


class Function:
    """Base class of every differentiable operation.

    Subclasses implement ``forward(*arrays)`` with the standard functions of
    ``self.xp`` and ``backward(*grads)`` with xgrad functions on Variables.
    Calling an instance enforces the op's input rules, runs ``forward``, wraps
    the results in Variables and, while ``Config.enable_backprop`` holds,
    records the graph.

    An op states its rules once, as class attributes, and every call obeys
    them, whether through a wrapper (``F.exp``) or directly (``Exp()(x)``):

    - ``domain``: the dtype kinds it accepts (:mod:`xgrad.domains`):
      ``"any"`` (the default), ``"real"``, ``"floating"``, ``"real floating"``,
      or a tuple of them, one per input;
    - ``check(*arrays)``: a shape rule that raises a ``ValueError`` naming the
      function and the fix (Chainer's ``check_type_forward``);
    - ``function_name``: the function users call it by, named in input
      errors (``"linear"`` for ``Linear``; the class name by default).

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
    inputs: Sequence[Variable]  # a tuple, or a list when arrays were wrapped
    outputs: tuple[weakref.ref[Variable], ...]

    domain: ClassVar[str | tuple[str, ...]] = "any"
    function_name: ClassVar[str] = "Function"
    # Derived from domain and check when a subclass is made: None (no rule), the
    # kinds every input may have as they are, or _ENFORCE (ask _enforce).
    _accepts: ClassVar[frozenset[str] | None] = None

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        check_domain_name(cls.__name__, cls.domain)
        if "function_name" not in cls.__dict__:
            cls.function_name = cls.__name__
        if isinstance(cls.domain, tuple) or cls.check is not Function.check:
            cls._accepts = _ENFORCE
        else:
            cls._accepts = DOMAINS[cls.domain]

    def __call__(self, *inputs: Any, _observed: bool = False) -> Any:
        """Run ``forward`` on the inputs' arrays and record the graph.

        While observers are registered (:mod:`xgrad.observing`) the call goes
        to them first; they call back with ``_observed=True`` to run it.
        """
        if observing.active and not _observed:
            return observing.forward(self, inputs)
        for x in inputs:
            if not isinstance(x, Variable):
                inputs = as_variables(inputs, self)  # type: ignore[assignment]  # a list
                break
        backend: backends.Backend | None
        try:  # free unless raised: the library's errors get this op's name
            # One and two inputs are the common cases, kept lean: they run for
            # every op.
            accepts = self._accepts
            if len(inputs) == 1:
                data = inputs[0]._data
                backend = BY_TYPE.get(type(data)) or backends.of(data, op=self)
                self.backend = backend
                if accepts is not None and backend.kinds.get(data.dtype) not in accepts:
                    (data,) = self._enforce((data,))
                ys = self.forward(data)
            elif len(inputs) == 2:
                a, b = inputs[0]._data, inputs[1]._data
                backend = BY_TYPE.get(type(a))
                if backend is None or type(b) is not type(a) or backend.multi_device:
                    backend = backends.of(a, b, op=self)
                self.backend = backend
                if accepts is not None and (
                    backend.kinds.get(a.dtype) not in accepts
                    or backend.kinds.get(b.dtype) not in accepts
                ):
                    a, b = self._enforce((a, b))
                ys = self.forward(a, b)
            else:
                xs: Sequence[Any] = [x._data for x in inputs]
                self.backend = backend = backends.of(*xs, op=self)
                if accepts is not None:
                    xs = self._enforce(xs)
                ys = self.forward(*xs)
        except (IndexError, ValueError, TypeError, RuntimeError) as error:
            reraise_named(self, inputs, error)
        if type(ys) is not tuple:
            output = Variable(
                ys if type(ys) is type(inputs[0]._data) else self.backend.fix(ys)
            )
            if enable_backprop.get():
                first = inputs[0]
                first._consumed = True  # a later write keeps its value for us
                generation, needed = first.generation, first.requires_grad
                for x in inputs[1:]:
                    x._consumed = True
                    generation = max(generation, x.generation)
                    needed = needed or x.requires_grad
                if not needed:  # made from Constants alone: no gradient flows back
                    output.__class__ = Constant
                self.generation = generation
                output.creator = self
                output.generation = generation + 1
                self.inputs = inputs
                self.outputs = (weakref.ref(output),)
            return output
        kind = type(inputs[0]._data)
        outputs = [Variable(y if type(y) is kind else self.backend.fix(y)) for y in ys]
        if enable_backprop.get():
            for x in inputs:
                x._consumed = True
            self.generation = generation = max([x.generation for x in inputs])
            needed = any(x.requires_grad for x in inputs)
            for output in outputs:
                if not needed:  # made from Constants alone: no gradient flows back
                    output.__class__ = Constant
                output.creator = self
                output.generation = generation + 1
            self.inputs = inputs
            self.outputs = tuple([weakref.ref(output) for output in outputs])
        return outputs if len(outputs) > 1 else outputs[0]

    @property
    def xp(self) -> ModuleType:
        """The array-API namespace of this call's inputs."""
        return self.backend.xp

    def check(self, *xs: Any) -> None:
        """Refuse inputs whose shapes the op cannot take: raise a ``ValueError``
        whose message starts with ``function_name`` and gives the shapes and the
        fix. Runs on the raw arrays before ``forward``, on every call."""

    def _enforce(self, xs: Any) -> tuple[Any, ...]:
        """The inputs as ``domain`` wants them (cast or refused), then ``check``."""
        domain = self.domain
        domains = domain if isinstance(domain, tuple) else (domain,) * len(xs)
        if len(domains) != len(xs):  # optional inputs (a bias) take the last rule
            domains = (*domains, *(domains[-1:] * len(xs)))[: len(xs)]
        pairs = enumerate(zip(xs, domains, strict=True))
        xs = tuple(conform(self, x, i, d) for i, (x, d) in pairs)
        self.check(*xs)
        return xs

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
        return self.inputs[i].requires_grad

    def __repr__(self) -> str:
        return f"<{type(self).__name__} generation={getattr(self, 'generation', 0)}>"
