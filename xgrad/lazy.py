"""Evaluating lazy results: :func:`compute` and :func:`persist`.

On a lazy backend (Dask) a forward and backward pass only builds a graph.
These two functions run it, and evaluate everything they are given in one
pass, so intermediates shared by several results (the forward activations
behind every gradient) are computed once:

- :func:`compute` returns the values, as arrays of the chunks' library
  (NumPy arrays for Dask arrays of NumPy chunks);
- :func:`persist` keeps the values where they were computed (in the workers'
  memory on a ``dask.distributed`` cluster) and puts them back into the
  Variables, Layers and optimizer state it was given, so that later graphs
  start from them instead of repeating the work.

On eager backends (NumPy, CuPy, PyTorch, array-api-strict) both return what
they were given and do no work.

Examples
--------
>>> import numpy as np
>>> import xgrad
>>> x = xgrad.Variable(np.array([1.0, 2.0]))
>>> y = (x * x).sum()
>>> y.backward()
>>> value, grad = xgrad.compute(y, x.grad)
>>> float(value), grad.tolist()
(5.0, [2.0, 4.0])
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from . import backends

if TYPE_CHECKING:
    from .layers import Layer

__all__ = ["compute", "persist"]

# A place that holds an array: read it with get, write the evaluated one with set.
_Slot = tuple[Callable[[], Any], Callable[[Any], None]]


def is_variable(obj: Any) -> bool:
    """Whether ``obj`` is a Variable: what holds an array, a gradient and a creator.

    Told by these attributes, so this module sits below the Variable class,
    whose ``unchain_backward`` persists through it.
    """
    return hasattr(obj, "creator") and hasattr(obj, "grad") and hasattr(obj, "data")


def _array(obj: Any, fn: str, i: int) -> Any:
    if is_variable(obj):
        return obj.data
    if obj is None or hasattr(obj, "shape"):
        return obj
    raise TypeError(
        f"xgrad.{fn}: argument {i} is a {type(obj).__name__}; pass Variables, "
        f"gradients (v.grad) or arrays"
        + ("; for a Layer use xgrad.persist(layer)" if fn == "compute" else "")
    )


def _evaluate(arrays: list[Any], how: str) -> list[Any]:
    """``arrays`` evaluated, one call per lazy backend; None and eager ones kept."""
    groups: dict[backends.Backend, list[int]] = {}
    for i, a in enumerate(arrays):
        if a is not None:
            backend = backends.of(a, op=f"xgrad.{how}")
            if backend.lazy:
                groups.setdefault(backend, []).append(i)
    out = list(arrays)
    for backend, where in groups.items():
        done = getattr(backend, how)([arrays[i] for i in where])
        for i, value in zip(where, done, strict=True):
            out[i] = value
    return out


def compute(*items: Any) -> tuple[Any, ...]:
    """The values of Variables, gradients or arrays, evaluated in one pass.

    Parameters
    ----------
    *items : Variable or array or None
        A Variable gives its array (``loss``, ``w.grad``); None stays None.

    Returns
    -------
    tuple
        One concrete array per item, in order: the chunks' library for a
        Dask array (NumPy, or CuPy on GPU workers); eager arrays unchanged.
        The Variables themselves are not modified; see :func:`persist`.
    """
    arrays = [_array(obj, "compute", i) for i, obj in enumerate(items)]
    return tuple(_evaluate(arrays, "compute"))


def _slots_of_variable(v: Any) -> list[_Slot]:
    slots: list[_Slot] = [(lambda: v.data, lambda a: setattr(v, "data", a))]
    if v.grad is not None:
        g = v.grad
        slots.append((lambda: g.data, lambda a: setattr(g, "data", a)))
    state = getattr(v, "state", None)  # a Parameter's optimizer state
    if state:
        for key, value in state.items():
            if hasattr(value, "shape"):
                slots.append(
                    (lambda k=key: state[k], lambda a, k=key: state.__setitem__(k, a))  # type: ignore[misc]  # lambdas with default arguments
                )
    return slots


def _slots_of_layer(layer: Layer) -> list[_Slot]:
    slots = [s for p in layer.params() for s in _slots_of_variable(p)]
    for sub in layer._layers():
        for name in sub._persistent:
            if sub.__dict__.get(name) is not None:
                slots.append(
                    (
                        lambda s=sub, n=name: s.__dict__[n],  # type: ignore[misc]  # lambdas with default arguments
                        lambda a, s=sub, n=name: object.__setattr__(s, n, a),  # type: ignore[misc]  # lambdas with default arguments
                    )
                )
    return slots


def persist(*items: Any) -> tuple[Any, ...]:
    """Evaluate lazy results in one pass and keep them where they live.

    Parameters
    ----------
    *items : Variable, Layer, array or None
        A Variable has its array and its gradient's array replaced by the
        evaluated ones; a Parameter also its optimizer state; a Layer (or
        Model) every Parameter, gradient, optimizer state and persistent
        array (batch-norm statistics). Arrays are returned evaluated.

    Returns
    -------
    tuple
        The items, in order: the same Variables and Layers (now holding
        evaluated arrays), and the evaluated arrays. On a
        ``dask.distributed`` cluster the work continues in the background
        and the arrays point at the workers' results; locally it is done
        when this returns.

    Examples
    --------
    A training step on Dask that keeps the graph one step long::

        loss.backward()
        optimizer.update()  # lazy: the new weights are formulas of the old
        xgrad.persist(model, loss)  # one pass: weights, state and the loss
    """
    slots: list[_Slot] = []
    returned: list[Any] = []
    for i, obj in enumerate(items):
        if is_variable(obj):
            slots += _slots_of_variable(obj)
            returned.append(obj)
        elif hasattr(obj, "params") and hasattr(obj, "_layers"):
            slots += _slots_of_layer(obj)
            returned.append(obj)
        else:
            box = [_array(obj, "persist", i)]
            slots.append((lambda b=box: b[0], lambda a, b=box: b.__setitem__(0, a)))  # type: ignore[misc]  # lambdas with default arguments
            returned.append(box)
    done = _evaluate([get() for get, _ in slots], "persist")
    for (get, put), value in zip(slots, done, strict=True):
        if value is not get():
            put(value)
    return tuple(r[0] if isinstance(r, list) else r for r in returned)
