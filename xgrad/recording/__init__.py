"""Trace once, replay fast: ``xgrad.jit`` records a step's array calls and replays them.

- :mod:`.host`: marking Python code that a replay runs again;
- :mod:`.traced`: the stand-in arrays, namespace and backend that record;
- :mod:`.calls`: the recording and its compiled replay;
- :mod:`.state`: the state a step touches (Parameters, optimizer state ...);
- :mod:`.jit`: :func:`jit` itself, its cache and guards.

See docs/jit.md.
"""

# Only the host marker here: the core (Variable, optimizers, random) imports it
# before the rest of the package can be imported.
from .host import current, host

__all__ = ["current", "host"]
