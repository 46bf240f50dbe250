"""Gradient checks: central differences computed with standard functions alone
(no ``nditer``, no element writes, so on every backend), compared with what
backward gives; the arrays given are never modified.

Complex inputs and outputs are checked under xgrad's convention
(docs/complex.md): the loss is real, ``sum(real(y) + 0.5 * imag(y))`` for a
complex output ``y``, and a complex input's gradient is the loss's slope
along its real part plus ``1j`` times its slope along its imaginary part,
each by central differences in complex128.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from .. import backends
from ..core import Variable
from ..domains import kind
from ..functions.complex_numbers import imag, real
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


#: The weight of the imaginary part in the real loss of a complex output.
IMAG_WEIGHT = 0.5


def is_floating(x: Any) -> bool:
    """Whether ``x`` holds real or complex floating numbers (differentiated)."""
    x = array_of(x)
    return hasattr(x, "dtype") and backends.of(x).xp.isdtype(
        x.dtype, ("real floating", "complex floating")
    )


def _is_complex(x: Any) -> bool:
    return kind(backends.of(x), x.dtype) == "complex floating"


def _float64(x: Any) -> Any:
    """``x`` in double precision: float64, or complex128 for complex ``x``."""
    xp = backends.of(x).xp
    return xp.astype(x, xp.complex128 if _is_complex(x) else xp.float64)


def total(y: Any) -> Any:
    """The real loss of ``f``'s outputs as a float64 0-d array: their sum, with
    ``real + 0.5 * imag`` of a complex output."""
    outputs = y if isinstance(y, list | tuple) else [y]
    arrays = [array_of(o) for o in outputs]
    xp = backends.of(arrays[0]).xp
    parts = []
    for a in arrays:
        if _is_complex(a):
            a = xp.real(a) + IMAG_WEIGHT * xp.imag(a)
        parts.append(xp.sum(xp.astype(a, xp.float64)))
    return sum(parts)


def real_loss(y: Variable) -> Variable:
    """:func:`total` on the tape: ``sum(y)``, or ``sum(real(y) + 0.5 * imag(y))``."""
    if _is_complex(y.data):
        return sum_(real(y)) + sum_(imag(y)) * IMAG_WEIGHT
    return sum_(y)


def numerical_grad(
    f: Callable[..., Any], x: Any, *args: Any, eps: float = 1e-4, **kwargs: Any
) -> Any:
    """Gradient of ``sum(f(x, *args, **kwargs))`` by central differences in float64.

    Each element of ``x`` is perturbed through a one-hot array built with
    standard functions, so this runs on every backend. A complex ``x`` is
    perturbed along its real part, then its imaginary part (complex128), and
    a complex output counts as ``real + 0.5 * imag`` (:func:`total`).
    """
    x = _float64(array_of(x))
    backend = backends.of(x)
    xp = backend.xp
    size = int(np.prod(x.shape))
    positions = xp.reshape(xp.arange(size, device=backend.device_of(x)), x.shape)
    directions = (1.0, 1j) if _is_complex(x) else (1.0,)
    parts = []
    for direction in directions:  # along the real part, then the imaginary part
        slopes = []
        for i in range(size):
            step = xp.astype(positions == i, x.dtype) * (eps * direction)
            plus = total(f(Variable(x + step), *args, **kwargs))
            minus = total(f(Variable(x - step), *args, **kwargs))
            slopes.append((plus - minus) / (2 * eps))
        if not slopes:
            return xp.zeros_like(x)
        parts.append(xp.astype(xp.reshape(xp.stack(slopes), x.shape), x.dtype))
    return parts[0] if len(parts) == 1 else parts[0] + parts[1] * 1j


def _analytic_grads(f: Callable[..., Any], inputs: Sequence[Any]) -> list[Any]:
    variables = [
        Variable(_float64(array_of(x))) if is_floating(x) else x for x in inputs
    ]
    y = f(*variables)
    outputs = y if isinstance(y, list | tuple) else [y]
    total: Variable = sum(real_loss(o) for o in outputs)  # type: ignore[assignment]  # sum() of Variables: a Variable
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

    Every real or complex floating input is differentiated; integer inputs
    (labels) are passed through. Raises AssertionError naming ``f``, the input, the worst
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
    dtype = (
        np.complex128 if np.iscomplexobj(got) or np.iscomplexobj(want) else np.float64
    )
    got, want = np.asarray(got, dtype=dtype), np.asarray(want, dtype=dtype)
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
            if _is_complex(y.data):  # a complex output's gradient is complex
                gy = gy + 1j * rng.standard_normal(tuple(y.shape))
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
