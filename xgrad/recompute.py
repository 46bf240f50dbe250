"""Rematerialisation: keep a block's inputs, recompute its inside during backward.

``recompute(f, *args)`` runs ``f`` without recording a graph, so none of its
intermediate arrays outlive the call, and stands in the graph as one Function
whose backward runs ``f`` again, with the graph on, and backpropagates
through that copy with the one engine (:func:`xgrad.backprop.run`). Memory
for a deep stack of blocks falls from every intermediate to the blocks'
inputs and outputs, for one more forward pass of compute.

PyTorch and JAX call this *checkpointing*; ``xgrad.checkpoint`` is kept as
that spelling. Saving a training run to disk is a different thing:
:func:`xgrad.serialization.save_checkpoint`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from . import backprop
from .config import Config, enable_backprop, no_grad, using_config
from .core import Function, Variable
from .functions.shape import Identity

__all__ = ["Recompute", "checkpoint", "recompute"]


class Recompute(Function):
    """``f(*xs)`` recorded as one node; its backward recomputes ``f``."""

    def __init__(self, f: Callable[..., Any]) -> None:
        self.f = f
        self.single = True

    def forward(self, *xs: Any) -> Any:
        self.train = Config.train  # the recomputation runs in the same mode
        with no_grad():
            ys = self.f(*[Variable(x) for x in xs])
        self.single = not isinstance(ys, tuple | list)
        if self.single:
            return _data(ys)
        return tuple(_data(y) for y in ys)

    def backward(self, *gys: Variable | None) -> tuple[Variable | None, ...]:
        create_graph = enable_backprop.get()  # backward(create_graph=...) set it
        with using_config("enable_backprop", True), using_config("train", self.train):
            xs = [Identity()(x) for x in self.inputs]  # the pass stops at these
            ys = self.f(*xs)
        ys = (ys,) if self.single else tuple(ys)
        seeds = [(y, gy) for y, gy in zip(ys, gys, strict=True) if gy is not None]
        # Leaves that f reads (parameters) get their gradients in .grad, as in
        # any backward pass; the inputs' gradients come back to the outer pass.
        return tuple(
            backprop.run(seeds, wrap=Variable, targets=xs, create_graph=create_graph)
        )


def _data(y: Any) -> Any:
    if not isinstance(y, Variable):
        raise TypeError(
            f"recompute: the function must return Variables (or a tuple of them), "
            f"got {type(y).__name__}"
        )
    return y.data


def recompute(f: Callable[..., Any], *args: Any) -> Any:
    """``f(*args)`` without keeping its intermediates; backward recomputes them.

    Parameters
    ----------
    f : callable
        Takes Variables, returns a Variable or a tuple of them. It must compute
        the same thing twice (the backward runs it again): no fresh randomness
        such as dropout masks. ``Config.train`` is restored for the rerun.
    *args : Variable or array
        The inputs whose gradients flow through the checkpoint. Bind other
        arguments with a lambda or :func:`functools.partial`. A Variable that
        ``f`` reads without taking it as an argument must be a leaf (a
        Parameter, say): its gradient is added by the recomputation; pass any
        computed Variable as an argument instead.

    Returns
    -------
    Variable or tuple of Variable
        What ``f`` returns, connected to ``args`` by one Function.

    Examples
    --------
    >>> import numpy as np, xgrad, xgrad.functions as F
    >>> W = xgrad.Variable(np.full((3, 3), 0.1))
    >>> def block(h):
    ...     return F.tanh(F.linear(h, W))
    >>> x = xgrad.Variable(np.ones((2, 3)))
    >>> y = xgrad.recompute(block, xgrad.recompute(block, x))
    >>> F.sum(y).backward()
    >>> x.grad.shape, W.grad.shape
    ((2, 3), (3, 3))
    """
    if not args:
        raise ValueError("recompute: give f at least one input to differentiate")
    node = Recompute(f)
    out = node(*args)
    if node.single:
        return out
    return tuple(out) if isinstance(out, list) else (out,)


#: The name PyTorch and JAX use for :func:`recompute`.
checkpoint = recompute
