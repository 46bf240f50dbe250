"""Comparing results: one array with another, one backend with NumPy.

Both check library, device, dtype and shape before values, so a result that
left its device or changed dtype fails with that reason, not a value diff.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from .. import backends as registry  # check_backends has a parameter `backends`
from ..core import Variable
from ..devices import device, device_of
from ..functions.reduction import sum as sum_
from .gradients import array_of, is_floating, name_of, worst_mismatch

__all__ = ["assert_close", "check_backends"]


def assert_close(
    actual: Any, desired: Any, *, rtol: float = 1e-7, atol: float = 0.0
) -> None:
    """Assert that two arrays share library, device, dtype and shape, then values."""
    actual, desired = array_of(actual), array_of(desired)
    b_actual, b_desired = registry.of(actual), registry.of(desired)
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
    variables = [Variable(x) if is_floating(x) else x for x in inputs]
    y = f(*variables)
    outputs = list(y) if isinstance(y, list | tuple) else [y]
    floating = [o for o in outputs if is_floating(o)]
    if floating:
        total = sum_(floating[0])
        for o in floating[1:]:
            total = total + sum_(o)
        total.backward()
    grads = [
        registry.of(v.data).xp.zeros_like(v.data) if v.grad is None else v.grad.data
        for v in variables
        if isinstance(v, Variable)
    ]
    return [array_of(o) for o in outputs] + grads


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
    inputs = tuple(np.asarray(x) if isinstance(x, np.generic) else x for x in inputs)
    reference = [np.asarray(r) for r in _run_everywhere(f, inputs)]
    n_outputs = len(reference) - sum(1 for x in inputs if is_floating(x))
    float_inputs = [i for i, x in enumerate(inputs) if is_floating(x)]
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
        where = f"check_backends({name_of(f)}): {spec}"
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
    backend: registry.Backend,
    arrays: list[Any],
    got: Any,
    want: np.ndarray,
    rtol: float | None,
    atol: float | None,
) -> None:
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
    worst = worst_mismatch(g, w, rtol, atol)
    if worst is not None:
        raise AssertionError(
            f"{where}: {got[worst].item()!r} at index {worst}, NumPy "
            f"gives {want[worst].item()!r} (rtol={rtol}, atol={atol})"
        )
