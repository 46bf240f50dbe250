"""Anomaly detection: find the first NaN or Inf and say where it came from.

:class:`AnomalyObserver` is the engine observer that ``detect_anomaly()`` and
``set_debug(True)`` (:mod:`xgrad.debug`) register: it records where each
Function is called (the first frame outside xgrad), checks each forward
output and each gradient a backward returns with standard functions, and
raises an :class:`AnomalyError` naming the Function, its inputs' shapes,
dtypes, backend and device, and the source line of its forward call.
"""

from __future__ import annotations

import linecache
import os
import sys
import weakref
from collections.abc import Sequence
from types import FrameType
from typing import Any, NamedTuple

from . import backends, observing
from .core import Function, Variable, as_variable
from .devices import device_of

__all__ = ["AnomalyError", "AnomalyObserver"]

_PACKAGE = os.path.dirname(os.path.abspath(__file__)) + os.sep


class AnomalyError(FloatingPointError):
    """A NaN or Inf in a forward output or a backward gradient, in anomaly mode.

    Attributes
    ----------
    function : Function
        The Function whose forward made the value, or whose backward did.
    phase : {"forward", "backward"}
        Which of the two.
    """

    def __init__(self, message: str, function: Function, phase: str) -> None:
        super().__init__(message)
        self.function = function
        self.phase = phase


class _Site(NamedTuple):
    """Where a Function was called: the first frame outside xgrad."""

    filename: str
    lineno: int
    function: str
    maker: str | None  # the Function whose backward made this one, if any
    maker_site: _Site | None


# Where each Function was called, while anomaly detection was on when it was.
_sites: weakref.WeakKeyDictionary[Function, _Site] = weakref.WeakKeyDictionary()


def _maker(calls: list[observing.Call]) -> Function | None:
    """The Function whose backward is running innermost, if any."""
    return next((c.function for c in reversed(calls) if c.phase == "backward"), None)


def _call_site(calls: list[observing.Call]) -> _Site | None:
    maker = _maker(calls)
    frame: FrameType | None = sys._getframe(1)
    while frame is not None and frame.f_code.co_filename.startswith(_PACKAGE):
        frame = frame.f_back
    if frame is None:
        return None
    return _Site(
        frame.f_code.co_filename,
        frame.f_lineno,
        frame.f_code.co_name,
        None if maker is None else type(maker).__name__,
        None if maker is None else _sites.get(maker),
    )


def _format_site(name: str, site: _Site | None) -> list[str]:
    if site is None:
        return [f"  {name} was called with anomaly detection off: no call site"]
    lines = [f"  {name} was called at {site.filename}:{site.lineno} in {site.function}"]
    code = linecache.getline(site.filename, site.lineno).strip()
    if code:
        lines.append(f"      {code}")
    if site.maker is not None:
        lines.append(f"  it was made by the backward of {site.maker}:")
        lines += ["  " + line for line in _format_site(site.maker, site.maker_site)]
    return lines


def nonfinite(data: Any) -> str | None:
    """``"NaN"``, ``"Inf"``, ``"NaN and Inf"`` or None, with standard functions only."""
    xp = backends.of(data).xp
    if not xp.isdtype(data.dtype, ("real floating", "complex floating")):
        return None
    if bool(xp.all(xp.isfinite(data))):
        return None
    nan, inf = bool(xp.any(xp.isnan(data))), bool(xp.any(xp.isinf(data)))
    return "NaN and Inf" if nan and inf else "NaN" if nan else "Inf"


def _describe(x: Any) -> str:
    data = x.data if isinstance(x, Variable) else x
    if not hasattr(data, "shape"):
        return f"{type(x).__name__} {x!r:.40}"
    return f"shape {tuple(data.shape)} {str(data.dtype).rpartition('.')[2]}"


def _inputs_lines(f: Function, inputs: Sequence[Any]) -> list[str]:
    lines = [f"  {type(f).__name__}'s inputs:"]
    lines += [f"    {i}: {_describe(x)}" for i, x in enumerate(inputs)]
    arrays = [x.data if isinstance(x, Variable) else x for x in inputs]
    arrays = [a for a in arrays if hasattr(a, "shape")]
    if arrays:
        backend = backends.of(arrays[0]).name
        lines.append(f"    backend {backend}, device {device_of(arrays[0])}")
    return lines


_HINT = (
    "Look for an input outside the function's domain (log or sqrt of a negative, "
    "0/0, overflow of exp); xgrad.set_debug(False) turns these checks off."
)


def forward_error(
    f: Function, inputs: tuple[Any, ...], i: int, bad: str, maker: Function | None
) -> AnomalyError:
    if maker is not None:  # an op run by a backward: report that backward
        return backward_error(maker, None, bad, (f, inputs, i))
    name = type(f).__name__
    lines = [f"{name} produced {bad} in its forward output {i}"]
    lines += _inputs_lines(f, inputs)
    lines += _format_site(name, _sites.get(f))
    return AnomalyError("\n".join([*lines, _HINT]), f, "forward")


def backward_error(
    f: Function, i: int | None, bad: str, inner: tuple[Any, ...] | None
) -> AnomalyError:
    name = type(f).__name__
    if inner is None:
        what = f"in the gradient it returned for input {i}"
    else:
        op, op_inputs, k = inner
        shapes = ", ".join(_describe(x) for x in op_inputs)
        what = f"in output {k} of {type(op).__name__}, an op it ran on ({shapes})"
    lines = [f"the backward of {name} produced {bad} {what}"]
    lines += _inputs_lines(f, f.inputs)
    lines += _format_site(name, _sites.get(f))
    return AnomalyError("\n".join([*lines, _HINT]), f, "backward")


class AnomalyObserver(observing.Observer):
    """Raise :class:`AnomalyError` at the first NaN or Inf, forward or backward."""

    def forward_preprocess(self, call: observing.Call, inputs: tuple[Any, ...]) -> None:
        site = _call_site(observing.running()[:-1])
        if site is not None:
            _sites[call.function] = site

    def forward_postprocess(
        self,
        call: observing.Call,
        inputs: tuple[Any, ...],
        outputs: Variable | list[Variable],
    ) -> None:
        for i, y in enumerate(outputs if isinstance(outputs, list) else [outputs]):
            bad = nonfinite(y.data)
            if bad:
                maker = _maker(observing.running()[:-1])
                raise forward_error(call.function, inputs, i, bad, maker)

    def backward_postprocess(
        self,
        call: observing.Call,
        grads: list[Variable | None],
        grad_inputs: tuple[Any, ...],
    ) -> None:
        for i, gx in enumerate(grad_inputs):
            bad = None if gx is None else nonfinite(as_variable(gx).data)
            if bad:
                raise backward_error(call.function, i, bad, None)
