"""Gradient checks: central differences computed with standard functions alone
(no ``nditer``, no element writes, so on every backend), compared with what
backward gives; the arrays given are never modified."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from .. import backends
from ..core import Variable
from ..functions.reduction import sum as sum_

__all__ = [
    "array_of",
    "gradgradcheck",
    "gradient_check",
    "is_floating",
    "name_of",
    "numerical_grad",
    "total",
    "worst_mismatch",
]


def array_of(x: Any) -> Any:
    return x.data if isinstance(x, Variable) else x


def is_floating(x: Any) -> bool:
    x = array_of(x)
    return hasattr(x, "dtype") and backends.of(x).xp.isdtype(x.dtype, "real floating")


def _float64(x: Any) -> Any:
    xp = backends.of(x).xp
    return xp.astype(x, xp.float64)


def total(y: Any) -> Any:
    """Sum of every output of ``f`` as a float64 0-d array."""
    outputs = y if isinstance(y, list | tuple) else [y]
    arrays = [array_of(o) for o in outputs]
    xp = backends.of(arrays[0]).xp
    return sum(xp.sum(xp.astype(a, xp.float64)) for a in arrays)


def numerical_grad(
    f: Callable[..., Any], x: Any, *args: Any, eps: float = 1e-4, **kwargs: Any
) -> Any:
    """Gradient of ``sum(f(x, *args, **kwargs))`` by central differences in float64.

    Each element of ``x`` is perturbed through a one-hot array built with
    standard functions, so this runs on every backend.
    """
    x = _float64(array_of(x))
    backend = backends.of(x)
    xp = backend.xp
    size = int(np.prod(x.shape))
    positions = xp.reshape(xp.arange(size, device=backend.device_of(x)), x.shape)
    slopes = []
    for i in range(size):
        step = xp.astype(positions == i, xp.float64) * eps
        plus = total(f(Variable(x + step), *args, **kwargs))
        minus = total(f(Variable(x - step), *args, **kwargs))
        slopes.append((plus - minus) / (2 * eps))
    if not slopes:
        return xp.zeros_like(x)
    return xp.reshape(xp.stack(slopes), x.shape)


def _analytic_grads(f: Callable[..., Any], inputs: Sequence[Any]) -> list[Any]:
    variables = [
        Variable(_float64(array_of(x))) if is_floating(x) else x for x in inputs
    ]
    y = f(*variables)
    outputs = y if isinstance(y, list | tuple) else [y]
    total: Variable = outputs[0] if len(outputs) == 1 else sum(sum_(o) for o in outputs)  # type: ignore[assignment]  # sum() of Variables: a Variable
    total.backward()
    grads: list[Any] = []
    for v in variables:
        if not isinstance(v, Variable):
            grads.append(None)
        elif v.grad is None:  # the output does not depend on this input
            grads.append(backends.of(v.data).xp.zeros_like(v.data))
        else:
            grads.append(v.grad.data)
    return grads


def worst_mismatch(
    got: np.ndarray, want: np.ndarray, rtol: float, atol: float
) -> tuple[int, ...] | None:
    """The index of the element furthest outside ``atol + rtol * |want|`` (a NaN
    against a number counts as infinitely far), or None if all are inside."""
    excess = np.abs(got - want) - (atol + rtol * np.abs(want))
    excess = np.where(np.isnan(got) != np.isnan(want), np.inf, excess)
    if not got.size or not np.nanmax(excess) > 0:
        return None
    return tuple(int(i) for i in np.unravel_index(int(np.nanargmax(excess)), got.shape))


def name_of(f: Any) -> str:
    return getattr(f, "__qualname__", None) or type(f).__name__


def gradient_check(
    f: Callable[..., Any],
    *inputs: Any,
    rtol: float = 1e-4,
    atol: float = 1e-5,
    eps: float = 1e-4,
) -> None:
    """Check the backward pass of ``f`` against central differences, in float64.

    Every floating input is differentiated; integer inputs (labels) are
    passed through. Raises AssertionError naming ``f``, the input, the worst
    element and both values.
    """
    analytic = _analytic_grads(f, inputs)
    for i, (x, got) in enumerate(zip(inputs, analytic, strict=True)):
        if got is None:
            continue

        def f_i(xi: Variable, i: int = i) -> Any:
            args = list(inputs)
            args[i] = xi
            return f(
                *[
                    Variable(_float64(array_of(a))) if is_floating(a) and j != i else a
                    for j, a in enumerate(args)
                ]
            )

        want = numerical_grad(f_i, x, eps=eps)
        _compare(
            backends.of(got).to_numpy(got),
            backends.of(want).to_numpy(want),
            rtol,
            atol,
            f"gradient_check({name_of(f)}): input {i}",
        )


def _compare(
    got: np.ndarray, want: np.ndarray, rtol: float, atol: float, what: str
) -> None:
    got, want = np.asarray(got, dtype=np.float64), np.asarray(want, dtype=np.float64)
    if got.shape != want.shape:
        raise AssertionError(
            f"{what}: gradient shape {got.shape}, expected {want.shape}"
        )
    worst = worst_mismatch(got, want, rtol, atol)
    if worst is not None:
        raise AssertionError(
            f"{what}: backward gives {got[worst]!r} at index {worst}, "
            f"central differences give {want[worst]!r} (rtol={rtol}, atol={atol})"
        )


def gradgradcheck(
    f: Callable[..., Any],
    *inputs: Any,
    rtol: float = 1e-3,
    atol: float = 1e-4,
    eps: float = 1e-4,
    seed: int = 0,
) -> None:
    """Check second derivatives: the gradient of ``<grad f, w>`` against differences.

    The first-order gradients are built with ``create_graph=True`` for a fixed
    random upstream gradient, contracted with fixed random weights ``w``, and
    that scalar's gradient is checked by :func:`gradient_check`.
    """
    rng = np.random.default_rng(seed)
    floats = [i for i, x in enumerate(inputs) if is_floating(x)]
    weights = {}
    for i in floats:
        x = array_of(inputs[i])
        backend = backends.of(x)
        w = rng.standard_normal(tuple(x.shape))
        weights[i] = backend.from_numpy(w, backend.device_of(x))
    upstream: dict[str, Any] = {}

    def first_derivative(*xs: Any) -> Variable:
        y = f(*xs)
        if "gy" not in upstream:
            backend = backends.of(y.data)
            gy = rng.standard_normal(tuple(y.shape))
            upstream["gy"] = backend.from_numpy(gy, backend.device_of(y.data))
        y.grad = Variable(upstream["gy"])
        y.backward(create_graph=True)
        total = None
        for i in floats:
            gx, xs[i].grad = xs[i].grad, None  # keep the second pass's sums clean
            if gx is None:
                continue
            term = sum_(gx * Variable(weights[i]))
            total = term if total is None else total + term
        if total is None:
            raise AssertionError(
                f"gradgradcheck({name_of(f)}): no input has a gradient"
            )
        return total

    first_derivative.__qualname__ = f"grad of {name_of(f)}"
    gradient_check(first_derivative, *inputs, rtol=rtol, atol=atol, eps=eps)
