"""Function transforms, as in JAX: grad, value_and_grad, vjp, jvp, jacobian, hessian, hvp.

Arrays in give arrays out (same backend and device), the graph dropped;
Variables in, or a call inside another transform, give Variables on a recorded
graph, so transforms nest. No ``.grad`` is touched. See docs/functional.md; the
examples below assume ``from xgrad.functional import *``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from . import backends
from .core import Constant, Variable
from .functions.reduction import sum as sum_
from .functions.shape import reshape, stack
from .tracing import (
    as_result,
    check_tangents,
    floating_arg,
    gradients,
    mode_of,
    name_of,
    plain,
    trace,
)

__all__ = ["grad", "hessian", "hvp", "jacobian", "jvp", "value_and_grad", "vjp"]

Argnums = int | Sequence[int]


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
    where = f"{kind}({name_of(f)})"

    def value_and_grad_f(*args: Any, **kwargs: Any) -> Any:
        outs, many, aux, ts, mode = trace(where, f, args, argnums, kwargs, has_aux)
        if many or outs[0].size != 1:
            got = f"{len(outs)} outputs" if many else f"output shape {outs[0].shape}"
            raise (TypeError if many else ValueError)(
                f"{where}: f returned {got}; grad needs one scalar (size-1) output: "
                f"reduce it (F.sum), use has_aux=True, or jacobian(f) or vjp(f, x)"
            )
        (y,) = outs
        seed = Constant(backends.of(y.data).xp.ones_like(y.data))  # no gradient back
        gs = gradients([(y, seed)], ts, mode == "graph")
        grads = [as_result(g, t, mode) for g, t in zip(gs, ts, strict=True)]
        grads = grads[0] if isinstance(argnums, int) else tuple(grads)  # type: ignore[assignment]  # one or a tuple
        aux = plain(aux) if mode == "array" else aux
        if kind == "grad":
            return (grads, aux) if has_aux else grads
        return (
            (as_result(y, y, mode), aux) if has_aux else as_result(y, y, mode)
        ), grads

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
    where = f"vjp({name_of(f)})"
    outs, many, _, targets, mode = trace(where, f, primals, range(len(primals)), {})

    def vjp_fn(cotangent: Any) -> tuple[Any, ...]:
        cts = cotangent if many else (cotangent,)
        if not isinstance(cts, tuple | list) or len(cts) != len(outs):
            raise TypeError(f"{where}: vjp_fn takes a tuple of {len(outs)} cotangents")
        back = mode_of((*primals, *cts))
        seeds = []
        for i, (o, ct) in enumerate(zip(outs, cts, strict=True)):
            seeds.append((o, floating_arg(where, f"cotangent {i}", ct, o.shape)))
        gs = gradients(seeds, targets, back == "graph")
        return tuple(as_result(g, t, back) for g, t in zip(gs, targets, strict=True))

    result = [as_result(o, o, mode) for o in outs]
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
    where = f"jvp({name_of(f)})"
    primals, ts = check_tangents(where, primals, tangents)
    outs, many, _, targets, _ = trace(where, f, primals, range(len(primals)), {})
    mode = mode_of((*primals, *tangents))
    us = [Variable(backends.of(o.data).xp.zeros_like(o.data)) for o in outs]
    for u in us:  # newer than the outputs: the second pass skips the forward graph
        u.generation = max(o.generation for o in outs) + 1
    gs = gradients(list(zip(outs, us, strict=True)), targets, create_graph=True)
    seeds = [(g, t) for g, t in zip(gs, ts, strict=True) if g is not None]
    jts = gradients(seeds, us, mode == "graph") if seeds else [None] * len(us)
    out = [as_result(o, o, mode) for o in outs]
    jt = [as_result(j, o, mode) for j, o in zip(jts, outs, strict=True)]
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
    where = f"jacobian({name_of(f)})"

    def jacobian_f(*args: Any, **kwargs: Any) -> Any:
        outs, many, _, targets, mode = trace(where, f, args, argnums, kwargs)
        result = [_jacobians(out, targets, mode, argnums) for out in outs]
        return tuple(result) if many else result[0]

    jacobian_f.__name__ = jacobian_f.__qualname__ = where
    return jacobian_f


def _jacobians(out: Variable, targets: list[Variable], mode: str, argnums: Any) -> Any:
    """The Jacobian of ``out`` by each target: ``out.size`` backward passes."""
    backend = backends.of(out.data)
    xp, device = backend.xp, backend.device_of(out.data)
    eye = xp.eye(out.size, dtype=out.dtype, device=device)
    seeds = [Constant(xp.reshape(eye[i, :], out.shape)) for i in range(out.size)]
    rows = [gradients([(out, s)], targets, mode == "graph") for s in seeds]
    jacobians = []
    for k, t in enumerate(targets):
        shape = out.shape + t.shape
        if not rows:  # an empty output
            j = Variable(xp.zeros(shape, dtype=t.dtype, device=device))
        else:
            j = reshape(stack([as_result(gs[k], t, "graph") for gs in rows]), shape)
        jacobians.append(as_result(j, j, mode))
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
    hessian_f.__name__ = hessian_f.__qualname__ = f"hessian({name_of(f)})"
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
    where = f"hvp({name_of(f)})"
    if not isinstance(primals, tuple | list):
        primals, v = (primals,), v if isinstance(v, tuple | list) else (v,)
    xs, _ = check_tangents(where, primals, v)
    n = len(xs)
    g = grad(f, tuple(range(n)))

    def directional(*args: Any) -> Variable:  # <grad f(x), v>
        return sum(sum_(gi * vi) for gi, vi in zip(g(*args[:n]), args[n:], strict=True))  # type: ignore[return-value]  # sum() of Variables: a Variable

    directional.__name__ = where
    result = grad(directional, tuple(range(n)))(*xs, *v)
    return result[0] if n == 1 else result
