"""A backend's test metadata, read from its module's source without importing it.

``noxfile.py`` decides which sessions exist, and which run by default, inside
nox's own environment, which holds nox and nothing else: not even NumPy, so
it cannot import xgrad. It runs this file (standard library only) to read
``gpu_only``, ``test_device`` and ``test_args``: the literals assigned in the
body of the ``@register``-ed class of ``xgrad/backends/<name>.py``, over the
defaults assigned in ``Backend``'s body in ``_base.py``. ``tests/test_registry.py``
checks that this gives what the imported classes hold.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from pathlib import Path
from typing import Any

__all__ = ["METADATA", "declared"]

METADATA = ("gpu_only", "test_device", "test_args")
_HERE = Path(__file__).resolve().parent


def declared(name: str, folder: Path = _HERE) -> dict[str, Any]:
    """``{"gpu_only": ..., "test_device": ..., "test_args": ...}`` of backend ``name``.

    ``folder`` holds its module (this package's folder unless told).
    """
    defaults = _literals(_HERE / "_base.py", lambda c: c.name == "Backend")
    return {**defaults, **_literals(folder / f"{name}.py", _is_registered)}


def _is_registered(node: ast.ClassDef) -> bool:
    """Whether a class is decorated ``@register`` or ``@backends.register``."""
    return any(
        (isinstance(d, ast.Name) and d.id == "register")
        or (isinstance(d, ast.Attribute) and d.attr == "register")
        for d in node.decorator_list
    )


def _literals(path: Path, pick: Callable[[ast.ClassDef], bool]) -> dict[str, Any]:
    """The metadata assigned in the body of the one class of ``path`` that ``pick``s."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    found = [n for n in tree.body if isinstance(n, ast.ClassDef) and pick(n)]
    if len(found) != 1:
        raise ValueError(f"{path}: expected one backend class, found {len(found)}")
    values = {}
    for statement in found[0].body:
        if isinstance(statement, ast.Assign) and len(statement.targets) == 1:
            target, value = statement.targets[0], statement.value
        elif isinstance(statement, ast.AnnAssign) and statement.value is not None:
            target, value = statement.target, statement.value
        else:
            continue
        if isinstance(target, ast.Name) and target.id in METADATA:
            try:
                values[target.id] = ast.literal_eval(value)
            except ValueError:
                raise ValueError(
                    f"{path}:{statement.lineno}: {target.id} must be a literal; "
                    f"noxfile.py reads it without importing the module"
                ) from None
    return values
