"""The backward pass: every Function's backward once, latest generation first.

A heap ordered by generation gives the topological order without recursion,
so a chain of any length backpropagates at the default recursion limit.
"""

from __future__ import annotations

import heapq
import itertools

from . import core
from .core import Constant, Function, Variable, as_variable

__all__ = ["backpropagate"]


def backpropagate(start: Function, retain_grad: bool) -> None:
    """Run every Function's backward once, latest generation first (a heap)."""
    debug = core._debug
    if debug is not None and debug.intercept_pass(start):
        return debug.backpropagate(start, retain_grad)
    pop, push = heapq.heappop, heapq.heappush
    order = itertools.count(1)
    funcs = [(-start.generation, 0, start)]
    seen = {start}
    while funcs:
        f = pop(funcs)[2]
        refs = f.outputs
        if len(refs) == 1:
            outputs = (refs[0](),)
            gxs = f.backward(outputs[0].grad)
        else:
            outputs = tuple(ref() for ref in refs)
            gxs = f.backward(*[None if y is None else y.grad for y in outputs])
        if type(gxs) is not tuple:
            gxs = tuple(gxs) if isinstance(gxs, list) else (gxs,)
        inputs = f.inputs
        if len(gxs) != len(inputs):
            raise ValueError(
                f"{type(f).__name__}.backward returned {len(gxs)} gradients for "
                f"{len(inputs)} inputs; return one per input (None for no gradient)"
            )
        for x, gx in zip(inputs, gxs, strict=False):  # lengths checked above
            if gx is None or type(x) is Constant:
                continue
            if type(gx) is not Variable:
                gx = as_variable(gx)
            if gx._data.shape != x._data.shape:
                _bad_grad_shape(f, x, gx)
            x.grad = gx if x.grad is None else x.grad + gx
            creator = x.creator
            if creator is not None and creator not in seen:
                seen.add(creator)
                push(funcs, (-creator.generation, next(order), creator))
        if not retain_grad:
            for y in outputs:
                if y is not None:
                    y.grad = None


def _bad_grad_shape(f: Function, x: Variable, gx: Variable) -> None:
    raise ValueError(
        f"{type(f).__name__}.backward returned a gradient of shape "
        f"{tuple(gx.data.shape)} for an input of shape {tuple(x.data.shape)}; "
        f"a gradient must have its input's shape (reduce it with F.sum_to)"
    )
