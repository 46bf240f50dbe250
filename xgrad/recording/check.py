"""``xgrad.jit(fn, check=True)``: one replay side by side with an eager call.

The first replay of each recording runs the step eagerly first, keeps what
it returned and the state it left, rolls the state back (the bound arrays,
the Python numbers of the optimizers, hooks and schedules the step reaches,
the default random stream), replays, and compares: outputs and state must be
equal bit for bit. A difference raises :class:`~xgrad.JitError` naming the
place. A replay that stops at a shape check (:mod:`.shapes`) runs the
step eagerly on the rolled-back state instead, and the next replay is
checked. A debugging aid, for a step that jit might record wrongly (Python
state it cannot see); it costs one extra eager step per recording.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from .. import backends
from .._compat import is_array_api_obj
from .._errors import JitError
from ..core import Variable
from ..random import default_generator
from .glue import rebuild
from .shapes import ShapeChanged
from .state import reach
from .trace import MISS, Trace

__all__ = ["checked_replay"]


def checked_replay(
    trace: Trace, fn: Callable[..., Any], args: Any, kwargs: Any, leaves: list[Any]
) -> Any:
    """A replay of ``trace``, after checking it against an eager call."""
    bindings = [binding for binding, _, _ in trace.bindings]
    arrays = [_copy(binding.read()) for binding in bindings]
    objects = [obj for obj in reach(fn, args) if not isinstance(obj, Variable)]
    for obj in list(objects):
        objects += getattr(obj, "hooks", [])
    numbers = [(obj, _numbers(obj)) for obj in objects]
    stream = default_generator().get_state()

    eager = _host(fn(*args, **kwargs))
    eager_state = [_host(binding.read()) for binding in bindings]

    for binding, array in zip(bindings, arrays, strict=True):
        binding.write(array)
    for obj, saved in numbers:
        vars(obj).update(saved)
    default_generator().set_state(stream)

    try:  # on the state as it was before the eager call
        result = trace.run(leaves)
    except ShapeChanged:  # nothing written yet: the call runs eagerly, as
        trace.checked = False  # unchecked calls do; the next replay is checked
        return fn(*args, **kwargs)
    assert result is not MISS
    differences = _compare("the result", eager, _host(result))
    for binding, before in zip(bindings, eager_state, strict=True):
        differences += _compare(repr(binding), before, _host(binding.read()))
    if differences:
        raise JitError(
            "xgrad.jit(check=True): the replay differs from the eager call: "
            + "; ".join(differences[:5])
            + ". Some state the step reads is invisible to jit (a Python number "
            "or an array it does not reach): pass it as an argument (docs/jit.md)"
        )
    return result


def _copy(x: Any) -> Any:
    if x is None:
        return None
    return backends.of(x).xp.asarray(x, copy=True)


def _numbers(obj: Any) -> dict[str, Any]:
    return {
        k: v for k, v in vars(obj).items() if isinstance(v, int | float | str | bool)
    }


def _host(obj: Any) -> Any:
    """``obj`` with every array and Variable as a NumPy copy, for comparing."""

    def to_numpy(x: Any) -> Any:
        data = x._data if isinstance(x, Variable) else x
        return None if data is None else np.array(backends.of(data).to_numpy(data))

    if obj is None:
        return None
    if isinstance(obj, Variable) or is_array_api_obj(obj):
        return to_numpy(obj)
    return rebuild(obj, to_numpy)


def _compare(place: str, expected: Any, got: Any) -> list[str]:
    if isinstance(expected, np.ndarray) or isinstance(got, np.ndarray):
        if not isinstance(expected, np.ndarray) or not isinstance(got, np.ndarray):
            return [f"{place}: {type(expected).__name__} against {type(got).__name__}"]
        if expected.shape != got.shape or not np.array_equal(
            expected, got, equal_nan=True
        ):
            return [f"{place}: eager {_brief(expected)}, replayed {_brief(got)}"]
        return []
    if isinstance(expected, list | tuple) and isinstance(got, list | tuple):
        found: list[str] = []
        for i, (a, b) in enumerate(zip(expected, got, strict=False)):
            found += _compare(f"{place}[{i}]", a, b)
        return found
    if isinstance(expected, dict) and isinstance(got, dict):
        found = []
        for k in expected:
            found += _compare(f"{place}[{k!r}]", expected[k], got.get(k))
        return found
    return [] if expected == got else [f"{place}: eager {expected!r}, replayed {got!r}"]


def _brief(a: np.ndarray) -> str:
    return np.array2string(a.ravel()[:4], precision=6) + (" ..." if a.size > 4 else "")
