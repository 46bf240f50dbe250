"""Tools to test gradients and results, for xgrad's tests and for its users.

Everything here works through the array API standard alone (no ``nditer``,
no writes into elements), so it checks ops on every backend, and it never
modifies the arrays it is given.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from . import backends
from .core import Variable
from .functions.reduction import sum as sum_

__all__ = [
    "assert_close",
    "check_backends",
    "gradgradcheck",
    "gradient_check",
    "numerical_grad",
]


def _array(x: Any) -> Any:
    return x.data if isinstance(x, Variable) else x


def _is_float(x: Any) -> bool:
    x = _array(x)
    return hasattr(x, "dtype") and backends.of(x).xp.isdtype(x.dtype, "real floating")


def _float64(x: Any) -> Any:
    xp = backends.of(x).xp
    return xp.astype(x, xp.float64)


def _total(y: Any) -> Any:
    """Sum of every output of ``f`` as a float64 0-d array."""
    outputs = y if isinstance(y, list | tuple) else [y]
    arrays = [_array(o) for o in outputs]
    xp = backends.of(arrays[0]).xp
    return sum(xp.sum(xp.astype(a, xp.float64)) for a in arrays)


def numerical_grad(
    f: Callable[..., Any], x: Any, *args: Any, eps: float = 1e-4, **kwargs: Any
) -> Any:
    """Gradient of ``sum(f(x, *args, **kwargs))`` by central differences in float64.

    Each element of ``x`` is perturbed through a one-hot array built with
    standard functions, so this runs on every backend.
    """
    x = _float64(_array(x))
    backend = backends.of(x)
    xp = backend.xp
    size = int(np.prod(x.shape))
    positions = xp.reshape(xp.arange(size, device=backend.device_of(x)), x.shape)
    slopes = []
    for i in range(size):
        step = xp.astype(positions == i, xp.float64) * eps
        plus = _total(f(Variable(x + step), *args, **kwargs))
        minus = _total(f(Variable(x - step), *args, **kwargs))
        slopes.append((plus - minus) / (2 * eps))
    if not slopes:
        return xp.zeros_like(x)
    return xp.reshape(xp.stack(slopes), x.shape)


def _analytic_grads(f: Callable[..., Any], inputs: Sequence[Any]) -> list[Any]:
    variables = [Variable(_float64(_array(x))) if _is_float(x) else x for x in inputs]
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


def _name(f: Any) -> str:
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
                    Variable(_float64(_array(a))) if _is_float(a) and j != i else a
                    for j, a in enumerate(args)
                ]
            )

        want = numerical_grad(f_i, x, eps=eps)
        _compare(
            backends.of(got).to_numpy(got),
            backends.of(want).to_numpy(want),
            rtol,
            atol,
            f"gradient_check({_name(f)}): input {i}",
        )


def _compare(
    got: np.ndarray, want: np.ndarray, rtol: float, atol: float, what: str
) -> None:
    got, want = np.asarray(got, dtype=np.float64), np.asarray(want, dtype=np.float64)
    if got.shape != want.shape:
        raise AssertionError(
            f"{what}: gradient shape {got.shape}, expected {want.shape}"
        )
    excess = np.abs(got - want) - (atol + rtol * np.abs(want))
    excess = np.where(np.isnan(got) != np.isnan(want), np.inf, excess)
    if got.size and np.nanmax(excess) > 0:
        worst = np.unravel_index(int(np.nanargmax(excess)), got.shape)
        raise AssertionError(
            f"{what}: backward gives {got[worst]!r} at index {tuple(map(int, worst))}, "
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
    floats = [i for i, x in enumerate(inputs) if _is_float(x)]
    weights = {}
    for i in floats:
        x = _array(inputs[i])
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
            raise AssertionError(f"gradgradcheck({_name(f)}): no input has a gradient")
        return total

    first_derivative.__qualname__ = f"grad of {_name(f)}"
    gradient_check(first_derivative, *inputs, rtol=rtol, atol=atol, eps=eps)


def assert_close(
    actual: Any, desired: Any, *, rtol: float = 1e-7, atol: float = 0.0
) -> None:
    """Assert that two arrays share library, device, dtype and shape, then values."""
    actual, desired = _array(actual), _array(desired)
    b_actual, b_desired = backends.of(actual), backends.of(desired)
    if b_actual is not b_desired:
        raise AssertionError(
            f"assert_close: library {b_actual.name} != {b_desired.name}"
        )
    dev_a, dev_d = b_actual.device_of(actual), b_desired.device_of(desired)
    if dev_a != dev_d:
        raise AssertionError(f"assert_close: device {dev_a} != {dev_d}")
    if actual.dtype != desired.dtype:
        raise AssertionError(f"assert_close: dtype {actual.dtype} != {desired.dtype}")
    if tuple(actual.shape) != tuple(desired.shape):
        raise AssertionError(
            f"assert_close: shape {tuple(actual.shape)} != {tuple(desired.shape)}"
        )
    np.testing.assert_allclose(
        b_actual.to_numpy(actual), b_desired.to_numpy(desired), rtol=rtol, atol=atol
    )


# Default tolerances of check_backends, by dtype of the reference result.
_BACKEND_TOLERANCES = {
    np.dtype(np.float64): (1e-7, 1e-9),
    np.dtype(np.float32): (1e-4, 1e-5),
    np.dtype(np.float16): (1e-2, 1e-3),
}


def _run_everywhere(f: Callable[..., Any], inputs: Sequence[Any]) -> list[Any]:
    """Outputs of ``f``, then the gradient of their sum for each floating input."""
    variables = [Variable(x) if _is_float(x) else x for x in inputs]
    y = f(*variables)
    outputs = list(y) if isinstance(y, list | tuple) else [y]
    floating = [o for o in outputs if _is_float(o)]
    if floating:
        total = sum_(floating[0])
        for o in floating[1:]:
            total = total + sum_(o)
        total.backward()
    grads = [
        backends.of(v.data).xp.zeros_like(v.data) if v.grad is None else v.grad.data
        for v in variables
        if isinstance(v, Variable)
    ]
    return [_array(o) for o in outputs] + grads


def check_backends(
    f: Callable[..., Any],
    *inputs: Any,
    backends: Sequence[str] | None = None,
    rtol: float | None = None,
    atol: float | None = None,
) -> list[str]:
    """Check that ``f`` gives the same values and gradients on other backends as on NumPy.

    ``f`` runs on the NumPy ``inputs`` (the reference), then on each backend
    after ``backend.from_numpy``. Every output, and the gradient of the sum
    of the outputs with respect to every floating input, must come back on
    that backend and device with the reference's dtype and shape, and values
    within ``rtol``/``atol``. Integer inputs (labels) and non-arrays are
    passed through.

    Parameters
    ----------
    f : callable
        Takes the inputs (floating ones as Variables); returns a Variable or
        a tuple of them.
    *inputs : numpy.ndarray or object
        The reference inputs.
    backends : sequence of str, optional
        Backend names or device specs (``"torch"``, ``"array_api_strict:device1"``).
        Default: every available backend but NumPy. Unavailable ones are
        skipped.
    rtol, atol : float, optional
        Default by dtype: float64 1e-7 and 1e-9, float32 1e-4 and 1e-5.

    Returns
    -------
    list of str
        The backends checked.

    Raises
    ------
    AssertionError
        Naming ``f``, the backend, the output or input, and the worst element.

    Examples
    --------
    >>> import numpy as np
    >>> import xgrad.functions as F
    >>> from xgrad.testing import check_backends
    >>> checked = check_backends(F.tanh, np.linspace(-1.0, 1.0, 5))
    """
    from . import backends as registry
    from .devices import device

    inputs = tuple(np.asarray(x) if isinstance(x, np.generic) else x for x in inputs)
    reference = [np.asarray(r) for r in _run_everywhere(f, inputs)]
    n_outputs = len(reference) - sum(1 for x in inputs if _is_float(x))
    float_inputs = [i for i, x in enumerate(inputs) if _is_float(x)]
    labels = [f"output {i}" for i in range(n_outputs)]
    labels += [f"gradient of input {i}" for i in float_inputs]
    specs = [n for n in registry.available() if n != "numpy"]
    checked = []
    for spec in specs if backends is None else backends:
        try:
            dev = device(spec)
        except RuntimeError:  # the library is not installed here
            continue
        backend = registry.get(dev.backend)
        if dev.kind == "gpu" and dev not in backend.devices():
            continue
        moved = list(inputs)
        arrays = []
        for i, x in enumerate(inputs):
            if isinstance(x, np.ndarray):
                moved[i] = backend.from_numpy(x, dev.native)
                arrays.append(moved[i])
        where = f"check_backends({_name(f)}): {spec}"
        results = _run_everywhere(f, moved)
        if len(results) != len(reference):
            raise AssertionError(
                f"{where}: {len(results) - len(float_inputs)} outputs, NumPy gives "
                f"{n_outputs}"
            )
        for label, got, want in zip(labels, results, reference, strict=True):
            _check_one(f"{where}, {label}", backend, arrays, got, want, rtol, atol)
        checked.append(spec)
    return checked


def _check_one(
    where: str,
    backend: backends.Backend,
    arrays: list[Any],
    got: Any,
    want: np.ndarray,
    rtol: float | None,
    atol: float | None,
) -> None:
    from . import backends as registry
    from .devices import device_of

    try:
        library = registry.of(got).name
    except TypeError:
        library = type(got).__name__
    if library != backend.name:
        raise AssertionError(
            f"{where}: result is a {library} array, not {backend.name}"
        )
    if arrays:
        dev, expected = device_of(got), device_of(arrays[0])
        if dev != expected:
            raise AssertionError(
                f"{where}: result on device {dev}, inputs on {expected}"
            )
    got = np.asarray(backend.to_numpy(got))
    if got.dtype != want.dtype:
        raise AssertionError(f"{where}: dtype {got.dtype}, NumPy gives {want.dtype}")
    if got.shape != want.shape:
        raise AssertionError(f"{where}: shape {got.shape}, NumPy gives {want.shape}")
    default_rtol, default_atol = _BACKEND_TOLERANCES.get(want.dtype, (0.0, 0.0))
    rtol = default_rtol if rtol is None else rtol
    atol = default_atol if atol is None else atol
    g, w = got.astype(np.float64), want.astype(np.float64)
    excess = np.abs(g - w) - (atol + rtol * np.abs(w))
    excess = np.where(np.isnan(g) != np.isnan(w), np.inf, excess)
    if got.size and np.nanmax(excess) > 0:
        worst = np.unravel_index(int(np.nanargmax(excess)), got.shape)
        raise AssertionError(
            f"{where}: {got[worst].item()!r} at index {tuple(map(int, worst))}, NumPy "
            f"gives {want[worst].item()!r} (rtol={rtol}, atol={atol})"
        )
