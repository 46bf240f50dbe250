"""Function transforms, as in JAX: grad, value_and_grad, vjp, jvp, jacobian, hessian, hvp.

Arrays in give arrays out (same backend and device), the graph dropped;
Variables in, or a call inside another transform, give Variables on a recorded
graph, so transforms nest. No ``.grad`` is touched. See docs/functional.md; the
examples below assume ``from xgrad.functional import *``.
"""

from __future__ import annotations

import contextvars
import weakref
from collections.abc import Callable, Sequence
from typing import Any

from . import backends, backprop, observing
from .config import enable_backprop
from .core import Variable, as_variable
from .functions.reduction import sum as sum_
from .functions.shape import Identity, reshape, stack

__all__ = ["grad", "hessian", "hvp", "jacobian", "jvp", "value_and_grad", "vjp"]

Argnums = int | Sequence[int]

# Transforms running the user's function: an inner one keeps its graph even for arrays.
_DEPTH: contextvars.ContextVar[int] = contextvars.ContextVar("depth", default=0)


# id of the node a transform made for a Variable argument -> that Variable,
# while the node lives (keyed by id: Variables compare by value in the standard).
_STANDS_FOR: dict[int, Variable] = {}


def _stand_for(node: Variable, x: Variable) -> None:
    _STANDS_FOR[id(node)] = x
    weakref.finalize(node, _STANDS_FOR.pop, id(node), None).atexit = False


def _backprop(
    seeds: list[tuple[Variable, Variable]], targets: list[Variable], create_graph: bool
) -> list[Variable | None]:
    """Gradients of ``sum(seed * output)`` by each target (None: no path): one
    pass of the engine that stops at the targets and touches no ``.grad``.

    The pass reaches a caller's Variable through the node standing for it, so
    that Variable's observers (gradient hooks) see the gradient there.
    """
    grads = backprop.run(
        seeds,
        wrap=as_variable,
        targets=targets,
        create_graph=create_graph,
        accumulate=False,
    )
    for k, (t, g) in enumerate(zip(targets, grads, strict=True)):
        owner = _STANDS_FOR.get(id(t))
        while id(owner) in _STANDS_FOR:  # an outer transform's node: go to the caller's
            owner = _STANDS_FOR[id(owner)]
        if owner is not None and g is not None and observing.active:
            grads[k] = observing.gradient(owner, g)
    return grads


def _mode(objs: Sequence[Any]) -> str:
    """Mode: "graph" (Variables out) if given Variables or nested, unless no_grad; else "array"."""
    nested = _DEPTH.get() > 0 or any(isinstance(o, Variable) for o in objs)
    return "graph" if nested and enable_backprop.get() else "array"


def _out(g: Variable | None, like: Variable, mode: str) -> Any:
    """A result as ``mode`` returns it; None (no path) becomes zeros like ``like``."""
    if g is None:
        g = Variable(backends.of(like.data).xp.zeros_like(like.data))
    return g if mode == "graph" else g.data


def _floating(where: str, what: str, x: Any, shape: tuple | None = None) -> Variable:
    """``x`` as a Variable of a real floating dtype (and ``shape``), or an error."""
    v = x if isinstance(x, Variable) or not hasattr(x, "dtype") else Variable(x)
    if not isinstance(v, Variable):
        raise TypeError(f"{where}: {what} is {type(x).__name__}, not an array")
    if not backends.of(v.data).xp.isdtype(v.dtype, "real floating"):
        raise TypeError(f"{where}: {what} has dtype {v.dtype}; cast it to floating")
    if shape is not None and v.shape != shape:
        raise ValueError(f"{where}: {what} has shape {v.shape}, expected {shape}")
    return v


def _forward(
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
    mode, call, targets = _mode(args), list(args), []
    for i in (i % n for i in nums):
        x = v = _floating(where, f"argument {i}", args[i])
        if v is args[i]:  # the caller's Variable: a node of our own
            v = Identity()(x) if mode == "graph" else Variable(x.data)
            _stand_for(v, x)
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
    outs = [_floating(where, f"output {i}", o) for i, o in enumerate(ys)]
    return outs, many, aux, targets, mode


def _name(f: Any) -> str:
    return getattr(f, "__name__", None) or type(f).__name__


def _plain(obj: Any) -> Any:
    """Variables inside tuples, lists and dicts replaced by their arrays."""
    if isinstance(obj, dict):
        return {k: _plain(v) for k, v in obj.items()}
    if isinstance(obj, tuple | list):
        return type(obj)(_plain(o) for o in obj)
    return obj.data if isinstance(obj, Variable) else obj


def _tangents(where: str, primals: Any, tangents: Any) -> tuple[tuple, list[Variable]]:
    """Check that ``primals``/``tangents`` are tuples that match; tangents as Variables."""
    for what, xs in (("primals", primals), ("tangents", tangents)):
        if not isinstance(xs, tuple | list):
            raise TypeError(f"{where}: {what} must be a tuple, e.g. (x,)")
    if len(primals) != len(tangents):
        raise ValueError(f"{where}: {len(primals)} primals, {len(tangents)} tangents")
    ts = []
    for i, (x, t) in enumerate(zip(primals, tangents, strict=True)):
        shape = _floating(where, f"primal {i}", x).shape
        ts.append(_floating(where, f"tangent {i}", t, shape))
    return tuple(primals), ts


def value_and_grad(
    f: Callable[..., Any], argnums: Argnums = 0, has_aux: bool = False
) -> Callable[..., Any]:
    """A function returning ``(f(*args), grad(f)(*args))`` from one forward pass.

    Parameters
    ----------
    f : callable
        Maps arrays (Variables, inside) to one scalar, of size 1; a larger
        output raises a ValueError (use :func:`jacobian` or :func:`vjp`).
    argnums : int or sequence of int
        The arguments to differentiate; a tuple gives a tuple of gradients.
    has_aux : bool
        ``f`` returns ``(output, aux)``; the result is ``((value, aux), grads)``.

    Examples
    --------
    >>> import numpy as np
    >>> import xgrad.functions as F
    >>> value, g = value_and_grad(lambda x: F.sum(x**2))(np.array([1.0, 2.0]))
    >>> float(value), g
    (5.0, array([2., 4.]))
    """
    return _value_and_grad("value_and_grad", f, argnums, has_aux)


def _value_and_grad(
    kind: str, f: Callable[..., Any], argnums: Argnums, has_aux: bool
) -> Callable[..., Any]:
    where = f"{kind}({_name(f)})"

    def value_and_grad_f(*args: Any, **kwargs: Any) -> Any:
        outs, many, aux, ts, mode = _forward(where, f, args, argnums, kwargs, has_aux)
        if many or outs[0].size != 1:
            got = f"{len(outs)} outputs" if many else f"output shape {outs[0].shape}"
            raise (TypeError if many else ValueError)(
                f"{where}: f returned {got}; grad needs one scalar (size-1) output: "
                f"reduce it (F.sum), use has_aux=True, or jacobian(f) or vjp(f, x)"
            )
        (y,) = outs
        seed = Variable(backends.of(y.data).xp.ones_like(y.data))
        gs = _backprop([(y, seed)], ts, mode == "graph")
        grads = [_out(g, t, mode) for g, t in zip(gs, ts, strict=True)]
        grads = grads[0] if isinstance(argnums, int) else tuple(grads)  # type: ignore[assignment]  # one or a tuple
        aux = _plain(aux) if mode == "array" else aux
        if kind == "grad":
            return (grads, aux) if has_aux else grads
        return ((_out(y, y, mode), aux) if has_aux else _out(y, y, mode)), grads

    value_and_grad_f.__name__ = value_and_grad_f.__qualname__ = where
    return value_and_grad_f


def grad(
    f: Callable[..., Any], argnums: Argnums = 0, has_aux: bool = False
) -> Callable[..., Any]:
    """The gradient of a scalar function, as a function; nests (``grad(grad(f))``).

    Parameters as :func:`value_and_grad`; with ``has_aux=True`` the result is
    ``(grads, aux)``.

    Examples
    --------
    >>> import numpy as np
    >>> import xgrad.functions as F
    >>> f = lambda x: F.sum(x**3)
    >>> grad(f)(np.array([1.0, 2.0]))
    array([ 3., 12.])
    >>> grad(lambda x: F.sum(grad(f)(x)))(np.array([1.0, 2.0]))
    array([ 6., 12.])
    """
    return _value_and_grad("grad", f, argnums, has_aux)


def vjp(f: Callable[..., Any], *primals: Any) -> tuple[Any, Callable[..., Any]]:
    """``f(*primals)`` and ``vjp_fn``, pulling a cotangent back: ``ct @ J``.

    ``f`` runs once; each ``vjp_fn(ct)`` is one backward pass over the kept
    graph (alive as long as ``vjp_fn``) and returns a tuple, one array per
    primal. ``ct`` has the output's shape, or is a tuple for a tuple output.

    Examples
    --------
    >>> import numpy as np
    >>> out, vjp_fn = vjp(lambda x: x * x, np.array([1.0, 2.0]))
    >>> vjp_fn(np.array([1.0, 10.0]))
    (array([ 2., 40.]),)
    """
    where = f"vjp({_name(f)})"
    outs, many, _, targets, mode = _forward(where, f, primals, range(len(primals)), {})

    def vjp_fn(cotangent: Any) -> tuple[Any, ...]:
        cts = cotangent if many else (cotangent,)
        if not isinstance(cts, tuple | list) or len(cts) != len(outs):
            raise TypeError(f"{where}: vjp_fn takes a tuple of {len(outs)} cotangents")
        back = _mode((*primals, *cts))
        seeds = []
        for i, (o, ct) in enumerate(zip(outs, cts, strict=True)):
            seeds.append((o, _floating(where, f"cotangent {i}", ct, o.shape)))
        gs = _backprop(seeds, targets, back == "graph")
        return tuple(_out(g, t, back) for g, t in zip(gs, targets, strict=True))

    result = [_out(o, o, mode) for o in outs]
    return (tuple(result) if many else result[0]), vjp_fn


def jvp(
    f: Callable[..., Any], primals: Sequence[Any], tangents: Sequence[Any]
) -> tuple[Any, Any]:
    """``(f(*primals), J @ tangents)``, for tuples of arrays shaped alike.

    By the double-vjp trick, in reverse mode: with a dummy cotangent ``u``,
    ``g(u) = u @ J`` is recorded (linear in ``u``) and the vjp of ``g`` with
    the tangents is ``J @ tangents``. One forward and two backward passes.

    Examples
    --------
    >>> import numpy as np
    >>> jvp(lambda x: x**3, (np.array([1.0, 2.0]),), (np.array([1.0, 0.5]),))
    (array([1., 8.]), array([3., 6.]))
    """
    where = f"jvp({_name(f)})"
    primals, ts = _tangents(where, primals, tangents)
    outs, many, _, targets, _ = _forward(where, f, primals, range(len(primals)), {})
    mode = _mode((*primals, *tangents))
    us = [Variable(backends.of(o.data).xp.zeros_like(o.data)) for o in outs]
    gs = _backprop(list(zip(outs, us, strict=True)), targets, create_graph=True)
    seeds = [(g, t) for g, t in zip(gs, ts, strict=True) if g is not None]
    jts = _backprop(seeds, us, mode == "graph") if seeds else [None] * len(us)
    out = [_out(o, o, mode) for o in outs]
    jt = [_out(j, o, mode) for j, o in zip(jts, outs, strict=True)]
    return (tuple(out), tuple(jt)) if many else (out[0], jt[0])


def jacobian(f: Callable[..., Any], argnums: Argnums = 0) -> Callable[..., Any]:
    """The Jacobian, shaped ``out.shape + x.shape``: ``J[i..., j...] = d out[i...] / d x[j...]``.

    ``f`` runs once; the graph is then walked ``out.size`` times, seeded with
    the rows of an identity matrix. A tuple ``argnums`` gives a tuple over
    arguments; a tuple output gives a tuple over outputs (of those).

    Examples
    --------
    >>> import numpy as np
    >>> jacobian(lambda x: x**2)(np.array([1.0, 2.0]))
    array([[2., 0.],
           [0., 4.]])
    """
    where = f"jacobian({_name(f)})"

    def jacobian_f(*args: Any, **kwargs: Any) -> Any:
        outs, many, _, targets, mode = _forward(where, f, args, argnums, kwargs)
        result = [_jacobians(out, targets, mode, argnums) for out in outs]
        return tuple(result) if many else result[0]

    jacobian_f.__name__ = jacobian_f.__qualname__ = where
    return jacobian_f


def _jacobians(out: Variable, targets: list[Variable], mode: str, argnums: Any) -> Any:
    """The Jacobian of ``out`` by each target: ``out.size`` backward passes."""
    backend = backends.of(out.data)
    xp, device = backend.xp, backend.device_of(out.data)
    eye = xp.eye(out.size, dtype=out.dtype, device=device)
    seeds = [Variable(xp.reshape(eye[i, :], out.shape)) for i in range(out.size)]
    rows = [_backprop([(out, s)], targets, mode == "graph") for s in seeds]
    jacobians = []
    for k, t in enumerate(targets):
        shape = out.shape + t.shape
        if not rows:  # an empty output
            j = Variable(xp.zeros(shape, dtype=t.dtype, device=device))
        else:
            j = reshape(stack([_out(gs[k], t, "graph") for gs in rows]), shape)
        jacobians.append(_out(j, j, mode))
    return jacobians[0] if isinstance(argnums, int) else tuple(jacobians)


def hessian(f: Callable[..., Any], argnums: Argnums = 0) -> Callable[..., Any]:
    """The Hessian of a scalar function, ``jacobian(grad(f, argnums), argnums)``.

    Shaped ``x.shape + x.shape``; a tuple ``argnums`` gives nested tuples
    ``H[i][j] = d^2 f / dx_i dx_j``. ``f`` runs once.

    Examples
    --------
    >>> import numpy as np
    >>> import xgrad.functions as F
    >>> hessian(lambda x: F.sum(x**3))(np.array([1.0, 2.0]))
    array([[ 6.,  0.],
           [ 0., 12.]])
    """
    hessian_f = jacobian(grad(f, argnums), argnums)
    hessian_f.__name__ = hessian_f.__qualname__ = f"hessian({_name(f)})"
    return hessian_f


def hvp(f: Callable[..., Any], primals: Any, v: Any) -> Any:
    """The Hessian-vector product ``H @ v``, as JAX's ``jvp(grad(f), primals, v)[1]``.

    ``primals`` and ``v`` are tuples of arrays (or one array each); an array
    comes back for one primal, else a tuple. Computed as the gradient of
    ``<grad f(x), v>``: one forward and two backward passes, ``H`` never formed.

    Examples
    --------
    >>> import numpy as np
    >>> import xgrad.functions as F
    >>> hvp(lambda x: F.sum(x**3), np.array([1.0, 2.0]), np.array([1.0, 1.0]))
    array([ 6., 12.])
    """
    where = f"hvp({_name(f)})"
    if not isinstance(primals, tuple | list):
        primals, v = (primals,), v if isinstance(v, tuple | list) else (v,)
    xs, _ = _tangents(where, primals, v)
    n = len(xs)
    g = grad(f, tuple(range(n)))

    def directional(*args: Any) -> Variable:  # <grad f(x), v>
        return sum(sum_(gi * vi) for gi, vi in zip(g(*args[:n]), args[n:], strict=True))  # type: ignore[return-value]  # sum() of Variables: a Variable

    directional.__name__ = where
    result = grad(directional, tuple(range(n)))(*xs, *v)
    return result[0] if n == 1 else result
