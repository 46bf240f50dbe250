"""Errors the array library raises inside an op, re-raised under the op's name.

``Function.__call__`` sends here what ``forward`` raised. xgrad's own checks
already name the op (``"Clip: got complex input ..."``) and pass unchanged;
a library's bare message (``operands could not be broadcast together ...``)
is re-raised as the same built-in exception type (``ValueError`` for
PyTorch's ``RuntimeError``), prefixed with the op's name and followed by the
inputs' shapes and dtypes and the op's advice (:meth:`Function.explain`).
The library's message is kept in the text; its traceback is dropped, so the
error points at the user's call, not into the library.
"""

from __future__ import annotations

from typing import Any, NoReturn

_KINDS = (IndexError, ValueError, TypeError, RuntimeError)


class Unsupported(NotImplementedError):
    """An operation xgrad itself declines on a backend (a boolean mask on Dask).

    Its message already names the function and the way around; raised inside
    an op, it passes :func:`reraise_named` unchanged, while a plain
    ``NotImplementedError`` there is the array library's.
    """


class AxisError(ValueError, IndexError):
    """An axis out of range for an array's dimensions.

    A ``ValueError`` as xgrad's other bad-input errors are, and an
    ``IndexError`` as the array API standard asks (NumPy's ``AxisError`` is
    both, for the same reason).
    """


def reraise_named(op: Any, inputs: tuple[Any, ...], error: Exception) -> NoReturn:
    """Raise ``error`` again with ``op``'s name, the inputs and a fix.

    Passed on unchanged: errors from Functions defined outside xgrad (their
    authors want their own traceback), xgrad's own messages (they start with
    the op's name), and subclasses such as ``RecursionError`` or an
    out-of-memory error, which are not bad input. A ``NotImplementedError``
    that the library raised (a kernel it lacks, such as PyTorch's integer
    matrix product on CUDA) keeps its type and gains the op and the inputs.
    """
    name = type(op).__name__
    lacking = type(error) is NotImplementedError  # not Unsupported: xgrad's own
    if (
        (type(error) not in _KINDS and not lacking)
        or not type(op).__module__.startswith("xgrad.")
        or str(error).startswith((f"{name}:", f"{op.function_name}:"))
    ):
        raise error
    described = ", ".join(
        f"input {i}: shape {tuple(x.shape)} {x.dtype}" for i, x in enumerate(inputs)
    )
    reason = str(error).strip().rstrip(".")
    if lacking:
        raise NotImplementedError(
            f"{name}: the array library cannot compute this for these inputs "
            f"({described}): {reason}. This is the library's limit: use a dtype "
            f"or device it supports (floating dtypes are the most widely "
            f"implemented)"
        ) from None
    advice = op.explain(tuple(x._data for x in inputs))
    message = f"{name}: the array library rejected the inputs ({described}): {reason}"
    if advice:
        message += f". {advice}"
    # One type for one mistake on every library: PyTorch's RuntimeError for
    # shapes that do not fit is NumPy's ValueError.
    kind = next(k for k in _KINDS if isinstance(error, k))
    raise (ValueError if kind is RuntimeError else kind)(message) from None


def broadcast_advice(*shapes: tuple[int, ...]) -> str:
    """Why ``shapes`` do not broadcast together, and the fix; "" if they do."""
    ndim = max(len(s) for s in shapes)
    for axis in range(1, ndim + 1):
        lengths = {s[-axis] for s in shapes if len(s) >= axis} - {1}
        if len(lengths) > 1:
            shown = " and ".join(str(tuple(s)) for s in shapes)
            return (
                f"Shapes {shown} do not broadcast: aligned from the right, each "
                f"axis's lengths must be equal or 1, and axis -{axis} has "
                f"{sorted(lengths)}. Reshape, transpose or F.expand_dims an input "
                f"so that they match"
            )
    return ""


class JitError(RuntimeError):
    """A step that ``xgrad.jit`` cannot record or replay faithfully (docs/jit.md)."""


#: What using an array of a finished ``xgrad.jit`` recording raises.
FINISHED_RECORDING = (
    "xgrad.jit: an array of a finished recording was used again. The outputs "
    "of a jitted function hold no graph: call backward() inside it"
)
