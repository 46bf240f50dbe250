"""Running a function under a transform: its arguments as nodes of a graph,
its outputs checked, and the engine's backward passes over it.

:mod:`xgrad.functional` builds ``grad``, ``vjp``, ``jvp``, ``jacobian`` ...
from these. A transform stands a fresh node for each argument it
differentiates, so a backward pass stops there; the caller's Variable behind
that node still sees its gradient (hooks), through :func:`gradients`.
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable, Sequence
from typing import Any

from . import backends, backprop, observing
from .config import enable_backprop, using_config
from .core import Variable
from .functions.shape import Identity

__all__ = [
    "Argument",
    "as_result",
    "caller_of",
    "check_tangents",
    "floating_arg",
    "gradients",
    "mode_of",
    "name_of",
    "plain",
    "trace",
]

# Transforms running the user's function: an inner one keeps its graph even for arrays.
_DEPTH: contextvars.ContextVar[int] = contextvars.ContextVar("depth", default=0)


class Argument(Identity):
    """The node a transform stands for a caller's Variable argument: its backward
    passes stop here, and the caller's Variable, one input behind, sees the
    gradient (:func:`caller_of`)."""


def caller_of(node: Variable) -> Variable | None:
    """The caller's Variable that ``node`` stands for, through nested transforms."""
    found = None
    while node.creator is not None and type(node.creator) is Argument:
        found = node = node.creator.inputs[0]
    return found


def gradients(
    seeds: list[tuple[Variable, Variable]], targets: list[Variable], create_graph: bool
) -> list[Variable | None]:
    """Gradients of ``sum(seed * output)`` by each target (None: no path): one
    pass of the engine that stops at the targets and touches no ``.grad``.

    The pass reaches a caller's Variable through the node standing for it, so
    that Variable's observers (gradient hooks) see the gradient there.
    """
    grads = backprop.run(
        seeds,
        wrap=Variable,
        targets=targets,
        create_graph=create_graph,
        accumulate=False,
    )
    if observing.active:
        for k, (t, g) in enumerate(zip(targets, grads, strict=True)):
            owner = caller_of(t)
            if owner is not None and g is not None:
                grads[k] = observing.gradient(owner, g)
    return grads


def mode_of(objs: Sequence[Any]) -> str:
    """Mode: "graph" (Variables out) if given Variables or nested, unless no_grad; else "array"."""
    nested = _DEPTH.get() > 0 or any(isinstance(o, Variable) for o in objs)
    return "graph" if nested and enable_backprop.get() else "array"


def as_result(g: Variable | None, like: Variable, mode: str) -> Any:
    """A result as ``mode`` returns it; None (no path) becomes zeros like ``like``."""
    if g is None:
        g = Variable(backends.of(like.data).xp.zeros_like(like.data))
    return g if mode == "graph" else g.data


def floating_arg(where: str, what: str, x: Any, shape: tuple | None = None) -> Variable:
    """``x`` as a Variable of a real floating dtype (and ``shape``), or an error."""
    v = x if isinstance(x, Variable) or not hasattr(x, "dtype") else Variable(x)
    if not isinstance(v, Variable):
        raise TypeError(f"{where}: {what} is {type(x).__name__}, not an array")
    if not backends.of(v.data).xp.isdtype(v.dtype, "real floating"):
        raise TypeError(f"{where}: {what} has dtype {v.dtype}; cast it to floating")
    if shape is not None and v.shape != shape:
        raise ValueError(f"{where}: {what} has shape {v.shape}, expected {shape}")
    return v


def trace(
    where: str,
    f: Callable[..., Any],
    args: Any,
    argnums: Any,
    kw: Any,
    aux: bool = False,
) -> tuple[list[Variable], bool, Any, list[Variable], str]:
    """Call ``f`` once on wrapped arguments: (outs, is tuple, aux, targets, mode)."""
    n = len(args)
    nums = (argnums,) if isinstance(argnums, int) else tuple(argnums)
    if not nums or len({i % n for i in nums if -n <= i < n}) < len(nums):
        raise ValueError(
            f"{where}: argnums={argnums!r} does not fit {n} positional argument(s): "
            f"use distinct indices from {-n} to {n - 1}"
        )
    mode, call, targets = mode_of(args), list(args), []
    for i in (i % n for i in nums):
        x = v = floating_arg(where, f"argument {i}", args[i])
        if v is args[i]:  # the caller's Variable: a node of our own
            with using_config("enable_backprop", True):
                v = Argument()(x)
        call[i] = v
        targets.append(v)
    depth, on = _DEPTH.set(_DEPTH.get() + 1), enable_backprop.set(True)
    try:
        y = f(*call, **kw)
    finally:
        enable_backprop.reset(on)
        _DEPTH.reset(depth)
    if aux and not (isinstance(y, tuple | list) and len(y) == 2):
        raise TypeError(f"{where}: has_aux=True needs f to return (output, aux)")
    y, aux = y if aux else (y, None)  # type: ignore[assignment]  # the flag, then the value
    many, ys = isinstance(y, tuple | list), y if isinstance(y, tuple | list) else [y]
    outs = [floating_arg(where, f"output {i}", o) for i, o in enumerate(ys)]
    return outs, many, aux, targets, mode


def name_of(f: Any) -> str:
    return getattr(f, "__name__", None) or type(f).__name__


def plain(obj: Any) -> Any:
    """Variables inside tuples, lists and dicts replaced by their arrays."""
    if isinstance(obj, dict):
        return {k: plain(v) for k, v in obj.items()}
    if isinstance(obj, tuple | list):
        return type(obj)(plain(o) for o in obj)
    return obj.data if isinstance(obj, Variable) else obj


def check_tangents(
    where: str, primals: Any, tangents: Any
) -> tuple[tuple, list[Variable]]:
    """Check that ``primals``/``tangents`` are tuples that match; tangents as Variables."""
    for what, xs in (("primals", primals), ("tangents", tangents)):
        if not isinstance(xs, tuple | list):
            raise TypeError(f"{where}: {what} must be a tuple, e.g. (x,)")
    if len(primals) != len(tangents):
        raise ValueError(f"{where}: {len(primals)} primals, {len(tangents)} tangents")
    ts = []
    for i, (x, t) in enumerate(zip(primals, tangents, strict=True)):
        shape = floating_arg(where, f"primal {i}", x).shape
        ts.append(floating_arg(where, f"tangent {i}", t, shape))
    return tuple(primals), ts
