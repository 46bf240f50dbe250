"""Python code that a replay runs again: the hook by which ``xgrad.jit`` sees it.

A replay of a recorded step runs array calls, not the step's Python code.
Python code whose effects must happen at every step (an optimizer's step
counter and bias-corrected learning rate, a schedule, a random draw) is
marked with :func:`host`: while a step is recorded, a call of it is kept
as one entry of the recording, run again at every replay, and its results
(arrays and Python numbers) become inputs of the calls that follow.
Outside a recording a host function costs one ContextVar read.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import sys
import traceback
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar, overload

if TYPE_CHECKING:
    from .calls import Recording

__all__ = ["current", "host", "recording_in", "user_line"]

_F = TypeVar("_F", bound=Callable[..., Any])

#: The recording of this thread or task, None while nothing records.
_recording: contextvars.ContextVar[Recording | None] = contextvars.ContextVar(
    "xgrad_jit_recording", default=None
)


def current() -> Recording | None:
    """The recording running in this context, or None."""
    return _recording.get()


@contextlib.contextmanager
def recording_in(recording: Recording | None) -> Iterator[None]:
    """Make ``recording`` this context's recording (None: record nothing) for a while."""
    token = _recording.set(recording)
    try:
        yield
    finally:
        _recording.reset(token)


_PACKAGE = str(Path(__file__).resolve().parents[1])


def user_line() -> str:
    """``file:line: code`` of the innermost frame outside xgrad, for messages."""
    for frame in reversed(traceback.extract_stack(sys._getframe(1))):
        if not str(Path(frame.filename).resolve()).startswith(_PACKAGE):
            return f"{frame.filename}:{frame.lineno}: {(frame.line or '').strip()}"
    return "(inside xgrad)"


@overload
def host(fn: _F, *, shapes_from_arguments: bool = False) -> _F: ...
@overload
def host(
    fn: None = None, *, shapes_from_arguments: bool = False
) -> Callable[[_F], _F]: ...


def host(fn: Any = None, *, shapes_from_arguments: bool = False) -> Any:
    """Mark ``fn`` as Python code that a replay runs again (see module doc).

    ``shapes_from_arguments``: the arrays ``fn`` returns have the shapes its
    arguments ask for (a random draw of ``size``), not shapes that follow
    data, so a replay may keep what is made from them in buffers of those
    shapes (``xgrad/recording/shapes.py``). Otherwise a host call's arrays
    may come back in any shape at each replay.
    """
    if fn is None:
        return functools.partial(host, shapes_from_arguments=shapes_from_arguments)

    @functools.wraps(fn)
    def call(*args: Any, **kwargs: Any) -> Any:
        recording = _recording.get()
        if recording is None:
            return fn(*args, **kwargs)
        return recording.host_call(fn, args, kwargs, shapes_from_arguments)

    return call
