"""A trace's glue, written as code: what a replay does around its calls.

Before the calls, a replay reads the state the recording binds (each
Parameter's array and gradient, optimizer state), checks that it still fits
the recording, and lets go of the gradients the step drops; after them, it
writes the final state back and builds the step's result. Done by a loop
over binding objects, that is a few dozen calls of small methods, and it
runs right after the previous step's array work has pushed the interpreter's
objects out of the caches, where every function and object it touches costs
a miss. :func:`compile_glue` writes it instead as straight-line code for the
recording's own bindings, as :mod:`.calls` writes the calls (docs/jit.md
gives the figures).

Two functions come from one text: ``fits(leaves)``, whether the recording
fits this call's arguments and the state now (``xgrad.jit(check=True)`` asks
it before its eager call), and ``run(leaves)``, the replay itself, which
returns :data:`MISS` where ``fits`` would say no.
"""

from __future__ import annotations

import copy
import keyword
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from .._compat import is_array_api_obj
from .._errors import JitError
from ..core import Variable
from .buffers import donatable, memory_order
from .codegen import Source
from .host import user_line

if TYPE_CHECKING:
    from .trace import Trace

__all__ = ["MISS", "NEVER", "Replayed", "compile_glue", "rebuild", "results"]

#: What ``run`` returns when the recording does not fit this call.
MISS = object()
#: ``Trace.written`` of a binding whose final array never fits the recording
#: again (another shape or dtype): no replay can take it unchecked.
NEVER = object()


class Replayed(Variable):
    """A result of a replay: its array, with no graph behind it."""

    __slots__ = ()

    def backward(self, retain_grad: bool = False, create_graph: bool = False) -> None:
        raise JitError(
            f"xgrad.jit: backward() on the result of a replayed call, at "
            f"{user_line()}: a replay keeps no graph, so the gradient would reach "
            f"nothing. Call backward() inside the jitted function (and return the "
            f"gradients you need), or jit the whole training step"
        )


def rebuild(obj: Any, leaf: Callable[[Any], Any]) -> Any:
    """``obj`` with every array and Variable replaced by ``leaf(it)``, in the
    order the signature of :func:`~xgrad.jit` met them."""
    kind = type(obj)
    if isinstance(obj, tuple) and hasattr(obj, "_fields"):  # a namedtuple
        return kind(*(rebuild(x, leaf) for x in obj))
    if isinstance(obj, tuple | list):
        return kind(rebuild(x, leaf) for x in obj)
    if isinstance(obj, dict):
        new = copy.copy(obj)  # the same kind of dict (OrderedDict, defaultdict)
        new.update({k: rebuild(v, leaf) for k, v in obj.items()})
        return new
    if isinstance(obj, Variable) or is_array_api_obj(obj):
        return leaf(obj)
    return obj


def results(output: Any, values: list[Any], grads: list[Any]) -> Any:
    """The step's result (``output``, with Traced leaves) rebuilt from
    output values: Variables with no graph, with the ``.grad`` the step
    left them (as ``retain_grad`` does)."""
    it, grad_it = iter(values), iter(grads)

    def leaf(x: Any) -> Any:
        value, grad = next(it), next(grad_it)
        return replayed(value, grad) if isinstance(x, Variable) else value

    return rebuild(output, leaf)


def replayed(value: Any, grad: Any) -> Replayed:
    out = Replayed(value)
    if grad is not None:
        out.grad = Variable(grad)
    return out


def compile_glue(trace: Trace, variables: list[int | None]) -> tuple[Any, Any]:
    """``(fits, run)`` for ``trace`` (see the module doc); ``variables``: per
    array argument of the step, None, or for a Variable the position where
    the arguments first hold it."""
    source = Source()
    arguments = {i: f"L[{position}]" for i, position in trace.arguments}

    def owner(i: int) -> str:
        """Binding ``i``'s owner as code: this call's argument, or a constant."""
        return arguments.get(i) or source.constant(trace.bindings[i][0].owner)

    # W: trace.written, a local of both functions.
    checks = ["    L = leaves", f"    W = {source.constant(trace.written)}"]
    # The same Variable at the same positions as when recorded: its gradient
    # sums over all of them, one binding; distinct ones, one binding each.
    firsts: list[int] = []
    for j, first in enumerate(variables):
        if first is None:
            continue
        if first != j:
            checks.append(f"    if L[{j}] is not L[{first}]: return MISS")
            continue
        checks += [f"    if L[{j}] is L[{k}]: return MISS" for k in firsts]
        firsts.append(j)
    for j, param in trace.pinned:
        checks.append(f"    if L[{j}] is not {source.constant(param)}: return MISS")
    for i, (binding, _, _) in enumerate(trace.bindings):
        if binding.read_code:
            read = binding.read_code.format(owner=owner(i), value=f"v{i}")
            checks.append(f"    {read}")
        else:
            checks.append(f"    v{i} = {source.constant(binding.read)}()")
        expected = trace.expected[i]
        if expected is None:
            wrong = f"v{i} is not None"
        else:
            shape, dtype, layout = map(source.expr, expected)
            wrong = f"v{i} is None or v{i}.shape != {shape} or v{i}.dtype != {dtype}"
            if expected[2] is not None:  # NumPy: laid out as recorded
                wrong += f" or memory_order(v{i}) != {layout}"
            wrong = f"({wrong})"
        if trace.written[i] is not NEVER:  # the previous replay's: unchanged
            wrong = f"v{i} is not W[{i}] and {wrong}"
        checks.append(f"    if {wrong}: return MISS")
    for obj, name, value in trace.guards:
        held_by = source.constant(obj)
        # Python reads a non-ASCII name in code as its NFKC form ("µ" as "μ"):
        # only an ASCII identifier is written as an attribute.
        plain = name.isascii() and name.isidentifier() and not keyword.iskeyword(name)
        attribute = f"{held_by}.{name}" if plain else f"getattr({held_by}, {name!r})"
        checks.append(f"    if {attribute} != {source.expr(value)}: return MISS")

    def write(i: int, value: str) -> str:
        binding = trace.bindings[i][0]
        if not binding.write_code:
            return f"{source.constant(binding.write)}({value})"
        return binding.write_code.format(owner=owner(i), value=value)

    run = list(checks)
    for i in trace.released:  # gradients, let go as cleargrads() would
        run.append(f"    {owner(i)}.grad = None")
        if trace.written[i] is not NEVER:
            run.append(f"    W[{i}] = None")
        if i in trace.donated:  # counted as donatable() expects: one list holds it
            expected = source.expr(trace.donated[i])
            run.append(f"    held = [v{i}]; v{i} = None")
            run.append(f"    if not donatable(held[0], {expected}): held[0] = None")
            run.append(f"    v{i} = held.pop()")
        else:
            run.append(f"    v{i} = None")  # let go now: not passed in
    inputs = [
        f"L[{j}]" if v is None else f"L[{j}]._data" for j, v in enumerate(variables)
    ]
    inputs += [f"v{i}" for i in trace.bound_inputs]
    run.append(f"    inputs = [{', '.join(inputs)}]")
    if trace.bindings:  # the replay alone holds the inputs, and frees them
        run.append(f"    del {', '.join(f'v{i}' for i in range(len(trace.bindings)))}")
    this = source.constant(trace)
    if trace.graphs is not None:  # a call refused a graph: compile again
        graphs = source.constant(trace.graphs)
        run.append(f"    if {graphs}.stale: {this}.replay = {graphs}.compile()")
    run.append(f"    values = {this}.replay(inputs)")
    n, m = trace.n_outputs, len(trace.bindings)
    for i in range(m):
        run.append(f"    value = values[{n + i}]")
        run.append(f"    {write(i, 'value')}")
        if trace.written[i] is not NEVER:
            run.append(f"    W[{i}] = value")
    if isinstance(trace.output, Variable):  # most steps: the loss alone
        run.append(f"    return replayed(values[0], values[{n + m}])")
    else:
        output = source.constant(trace.output)
        run.append(f"    return results({output}, values[:{n}], values[{n + m}:])")
    text = "\n".join(
        ["def check(leaves):", *checks, "    return True", "", "def run(leaves):", *run]
    )
    namespace = {
        **source.constants,
        "MISS": MISS,
        "Variable": Variable,
        "donatable": donatable,
        "memory_order": memory_order,
        "replayed": replayed,
        "results": results,
    }
    # Made here from binding indices and constant names, never from user
    # strings (a guard's attribute name is written as a string literal).
    exec(compile(text + "\n", "<xgrad.jit glue>", "exec"), namespace)  # noqa: S102
    namespace["run"].source = text
    check = namespace["check"]  # True, or MISS (as run's checks return)

    def fits(leaves: list[Any]) -> bool:
        return check(leaves) is not MISS

    return fits, namespace["run"]
