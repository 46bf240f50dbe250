"""Pictures of computational graphs, as Graphviz DOT text.

``get_dot_graph`` needs no binary; ``plot_dot_graph`` renders with
Graphviz's ``dot`` where it is installed, and otherwise writes the ``.dot``
file and says how to render it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile

from .backprop import walk
from .core import Function, Variable
from .devices import device_of

__all__ = ["get_dot_graph", "plot_dot_graph"]


def _dot_var(v: Variable, verbose: bool) -> str:
    label = "" if v.name is None else v.name
    if verbose and v.data is not None:
        if v.name is not None:
            label += ": "
        label += f"{v.shape} {v.dtype}"
        dev = device_of(v.data)
        if dev.backend != "numpy":
            label += f" {dev}"
    return f'{id(v)} [label="{label}", color=orange, style=filled]\n'


def _dot_func(f: Function) -> str:
    text = f'{id(f)} [label="{type(f).__name__}", color=lightblue, style=filled, shape=box]\n'
    for x in f.inputs:
        text += f"{id(x)} -> {id(f)}\n"
    for ref in f.outputs:
        y = ref()
        if y is not None:
            text += f"{id(f)} -> {id(y)}\n"
    return text


def get_dot_graph(output: Variable, verbose: bool = True) -> str:
    """DOT text of the graph that produced ``output``: the nodes and edges of DeZero.

    With ``verbose`` each Variable shows its shape and dtype, and its backend
    and device when it is not on NumPy.
    """
    text = _dot_var(output, verbose)
    for func in walk([output]):
        text += _dot_func(func)
        for x in func.inputs:
            text += _dot_var(x, verbose)
    return "digraph g {\n" + text + "}"


def plot_dot_graph(
    output: Variable,
    verbose: bool = True,
    to_file: str | os.PathLike[str] = "graph.png",
) -> str:
    """Render the graph of ``output`` to ``to_file`` with Graphviz's ``dot``.

    Without ``dot`` on the PATH, writes the DOT text beside it (``graph.dot``
    for ``graph.png``) and prints the command that renders it. Returns the
    path written. Nothing else is written (``dot`` reads a temporary file),
    and ``dot`` runs without a shell.
    """
    to_file = os.fspath(to_file)
    dot_text = get_dot_graph(output, verbose)
    root, ext = os.path.splitext(to_file)
    fmt = ext.lstrip(".") or "png"
    dot = shutil.which("dot")
    if fmt == "dot" or dot is None:
        dot_path = root + ".dot"
        with open(dot_path, "w", encoding="utf-8") as f:
            f.write(dot_text)
        if fmt != "dot":
            print(
                f"plot_dot_graph: Graphviz's `dot` is not installed; wrote {dot_path}. "
                f"Render it with: dot -T{fmt} {dot_path} -o {to_file}"
            )
        return dot_path
    with tempfile.TemporaryDirectory() as tmp:  # never touch a file of the user's
        dot_path = os.path.join(tmp, "graph.dot")
        with open(dot_path, "w", encoding="utf-8") as f:
            f.write(dot_text)
        subprocess.run([dot, dot_path, "-T", fmt, "-o", to_file], check=True)
    return to_file
