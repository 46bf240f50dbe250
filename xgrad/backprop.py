"""The backward engine: the one chain-rule loop, and the one graph walk.

:func:`run` serves ``Variable.backward``, every transform of
:mod:`xgrad.functional` and :func:`xgrad.recompute`. It runs each Function's
backward once, latest generation first: a heap ordered by generation gives
the topological order without recursion, so a chain of any length
backpropagates at the default recursion limit. Gradients of the pass live in
a dictionary; where they end up is the caller's choice (``.grad`` of the
leaves, or returned for chosen targets). Observers (:mod:`xgrad.observing`)
are told about every backward and every completed gradient.

:func:`walk` visits every Function behind some Variables once, iteratively:
``unchain_backward`` and graph pictures use it.

The engine knows the graph by its attributes alone: a Variable has
``creator``, ``grad``, ``_data`` and ``requires_grad`` (False for Constants); a
Function has ``inputs``, ``outputs`` (weak references), ``generation`` and
``backward``.
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

from . import backends, observing
from .config import enable_backprop
from .domains import kind
from .operators import OPS

if TYPE_CHECKING:
    from .function import Function
    from .variable import Variable

__all__ = ["run", "walk"]


def walk(
    variables: Iterable[Variable], stop: Callable[[Variable], bool] | None = None
) -> Iterator[Function]:
    """Every Function behind ``variables``, once each, depth first, iteratively.

    ``stop(variable)`` true means: do not go behind that Variable.
    """
    seen: set[Function] = set()
    todo = [
        v.creator
        for v in variables
        if v.creator is not None and (stop is None or not stop(v))
    ]
    while todo:
        f = todo.pop()
        if f in seen:
            continue
        seen.add(f)
        yield f
        for x in f.inputs:
            creator = x.creator
            fresh = creator is not None and creator not in seen
            if fresh and (stop is None or not stop(x)):
                todo.append(creator)  # type: ignore[arg-type]  # fresh: not None


def run(
    seeds: Sequence[tuple[Variable, Any]],
    *,
    wrap: type[Variable],
    targets: Sequence[Variable] = (),
    create_graph: bool = False,
    retain_grad: bool = False,
    accumulate: bool = True,
) -> list[Variable | None]:
    """Backpropagate ``seeds`` (``(output, its gradient)`` pairs) through the graph.

    Parameters
    ----------
    wrap : type
        The gradient type (Variable): what a backward returned is made one if
        it is not (an array becomes a Variable).
    targets : sequence of Variables
        The pass stops at these and returns their gradients (None where none
        arrived), in order.
    create_graph : bool
        Record the backward pass, so the gradients are differentiable again.
    retain_grad : bool
        Also add each intermediate Variable's gradient to its ``.grad``.
    accumulate : bool
        Add the gradients of the leaves reached (other than targets) to their
        ``.grad``, as ``backward()`` does. If False (the transforms), leaves'
        gradients are dropped and no Function older than every target runs:
        a Function's generation is its inputs' highest, so an older one
        cannot depend on a target.
    """
    observe = observing.dispatch() if observing.active else None
    # Variables are keys by identity: each live one hashes apart from the others,
    # so the dictionary never compares two of them with ``==``.
    stop = set(targets)
    floor = None if accumulate or not stop else min(t.generation for t in targets)
    grads: dict[Variable, Variable] = {}  # Variable -> this pass's gradient
    leaves: list[Variable] = []  # leaves reached, for .grad at the end
    heap: list[tuple[int, int, Function]] = []
    queued: set[Function] = set()
    order = itertools.count()
    push, pop = heapq.heappush, heapq.heappop
    # Each round delivers gradients to ``inputs`` (first the seeds), then runs
    # the newest queued Function's backward, whose results are the next round's.
    inputs: Sequence[Variable]
    f, inputs, gxs = None, tuple(y for y, _ in seeds), tuple(g for _, g in seeds)
    token = enable_backprop.set(create_graph)
    try:
        while True:
            for x, gx in zip(inputs, gxs, strict=False):  # lengths checked below
                if gx is None or not x.requires_grad:
                    continue
                if not isinstance(gx, wrap):
                    gx = wrap(gx)
                if gx._data.shape != x._data.shape:
                    _bad_shape(f, x, gx)
                if gx._data.dtype is not x._data.dtype:  # rare: mixed real/complex
                    gx = _real_part(x, gx)
                if x in grads:  # a second gradient: the creator is queued already
                    grads[x] = grads[x] + gx
                    continue
                grads[x] = gx
                creator = x.creator
                if creator is None:
                    if accumulate and x not in stop:
                        leaves.append(x)
                elif creator not in queued and (
                    not stop
                    or (
                        x not in stop and (floor is None or creator.generation >= floor)
                    )
                ):
                    queued.add(creator)
                    push(heap, (-creator.generation, next(order), creator))
            if not heap:
                break
            f = pop(heap)[2]
            refs = f.outputs
            if len(refs) == 1 and observe is None and not retain_grad:  # fast path
                gxs = f.backward(grads.pop(refs[0]()))  # type: ignore[arg-type]  # live
            else:
                gys = _output_grads(f, grads, observe, retain_grad)
                gxs = f.backward(*gys) if observe is None else observe.backward(f, gys)
            if type(gxs) is not tuple:  # one gradient, or a list
                gxs = tuple(gxs) if isinstance(gxs, list) else (gxs,)
            inputs = f.inputs
            if len(gxs) != len(inputs):
                _bad_count(f, gxs, inputs)
        for x in leaves:
            gx = grads[x] if observe is None else observe.gradient(x, grads[x])
            x.grad = gx if x.grad is None else x.grad + gx
    finally:
        enable_backprop.reset(token)
    return [grads.get(t) for t in targets]


def _output_grads(
    f: Function,
    grads: dict[Variable, Variable],
    observe: observing.Dispatch | None,
    retain_grad: bool,
) -> list[Variable | None]:
    """The complete gradients of ``f``'s outputs, taken out of ``grads``."""
    gys: list[Variable | None] = []
    for ref in f.outputs:
        y = ref()
        gy = None if y is None else grads.pop(y, None)
        if gy is not None:
            if observe is not None:
                gy = observe.gradient(y, gy)  # type: ignore[arg-type]  # y lives
            if retain_grad:
                y.grad = gy if y.grad is None else y.grad + gy  # type: ignore[union-attr]  # y lives
        gys.append(gy)
    return gys


def _real_part(x: Variable, gx: Variable) -> Variable:
    """The real part of a complex gradient for a real input (a real operand of
    a mixed real/complex op: ``dL/dx`` of a real ``x`` is real); ``gx`` as it
    is otherwise."""
    backend = backends.of(x._data)
    complex_gradient = kind(backend, gx._data.dtype) == "complex floating"
    if complex_gradient and kind(backend, x._data.dtype) != "complex floating":
        return OPS.real(gx)  # xgrad.functions.real
    return gx


def _bad_count(f: Function, gxs: tuple[Any, ...], inputs: Sequence[Variable]) -> None:
    raise ValueError(
        f"{type(f).__name__}.backward returned {len(gxs)} gradients for "
        f"{len(inputs)} inputs; return one per input (None for no gradient)"
    )


def _bad_shape(f: Function | None, x: Variable, gx: Variable) -> None:
    if f is None:  # a seed: set by hand (y.grad = ...) or given to a transform
        raise ValueError(
            f"backward: the starting gradient has shape {tuple(gx._data.shape)} "
            f"for an output of shape {tuple(x._data.shape)}; give it the output's "
            f"shape (y.grad = ones of y.shape, or leave y.grad as None)"
        )
    raise ValueError(
        f"{type(f).__name__}.backward returned a gradient of shape "
        f"{tuple(gx._data.shape)} for an input of shape {tuple(x._data.shape)}; "
        f"a gradient must have its input's shape (reduce it with F.sum_to)"
    )
