"""The package's imports point one way, and its modules stay small.

Every module of xgrad has a layer (docs/engine.md draws them); a module
imports from its own layer or lower ones, never higher, and the imports
inside a layer form no cycle. An import inside a function, which would hide
a cycle, is refused (imports of optional libraries such as torch are not
xgrad's and pass), as is a private name imported from another module.
``TYPE_CHECKING`` imports are annotations only and pass. An exception is
listed below with its reason.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "xgrad"

# Lowest first. A name ending in "." covers a package and all its modules.
LAYERS = [
    (
        "base",
        [
            "_compat",
            "_device",
            "_errors",
            "config",
            "domains",
            "observing",
            "recording",
            "recording.host",
        ],
    ),
    ("operators", ["operators"]),
    ("backends", ["backends."]),
    ("devices", ["devices", "random."]),
    (
        "engine",
        [
            "hooks",
            "lazy",
            "backprop",
            "array_check",
            "array_object",
            "variable",
            "_inputs",
            "lifting",
            "function",
            "inplace",
        ],
    ),
    ("engine names", ["core", "creation"]),
    ("arrays on disk", ["safe_npz", "weight_files"]),
    ("functions", ["functions.", "functions_conv"]),
    ("array API", ["array_api."]),
    ("tracing", ["tracing", "recompute", "anomaly"]),
    ("transforms and tools", ["functional", "debug"]),
    ("debugging", ["profiler", "graph", "core_simple"]),
    (
        "models",
        [
            "layers.",
            "models",
            "optimizer_hooks",
            "optimizer_base",
            "optimizers",
            "schedules",
        ],
    ),
    (
        "jit",
        [
            "recording.traced",
            "recording.codegen",
            "recording.buffers",
            "recording.shapes",
            "recording.folding",
            "recording.fusing",
            "recording.calls",
            "recording.segment",
            "recording.graphs",
            "recording.state",
            "recording.glue",
            "recording.trace",
            "recording.check",
            "recording.jit",
        ],
    ),
    ("training", ["training_state", "serialization"]),
    ("data", ["datasets.", "dataloaders", "transforms", "progress"]),
    ("helpers", ["utils", "testing.", "cuda", "book."]),
    ("package", ["__init__", "__main__"]),
]

# module -> (imported module, reason): the imports allowed against the rules.
EXCEPTIONS: dict[tuple[str, str], str] = {
    ("layers.base", "layers.torch_weights"): (
        "Layer.load_torch calls the converter, which knows every layer class "
        "(all above layers.base) and imports torch: only when called"
    ),
}

MAX_LINES = 350


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE).with_suffix("").parts
    if parts[-1] == "__init__" and len(parts) > 1:
        parts = parts[:-1]
    return ".".join(parts)


def layer_of(name: str) -> int:
    for rank, (_, members) in enumerate(LAYERS):
        for member in members:
            if name == member or (member.endswith(".") and name.startswith(member)):
                return rank
            if member.endswith(".") and name == member[:-1]:
                return rank
    raise AssertionError(f"xgrad.{name} has no layer: add it to LAYERS")


def resolve(module: str, is_package: bool, node: ast.ImportFrom) -> list[str]:
    """The xgrad modules an import statement reads (relative or absolute)."""
    if node.level == 0:
        if not (node.module or "").startswith("xgrad"):
            return []
        base = node.module.split(".")[1:]
    else:
        here = module.split(".") if module != "__init__" else []
        package = here if is_package else here[:-1]
        up = node.level - 1
        base = package[: len(package) - up] + (node.module or "").split(".")
        base = [p for p in base if p]
    found = []
    for alias in node.names:
        candidate = ".".join([*base, alias.name])
        if (PACKAGE / Path(*candidate.split("."))).with_suffix(".py").exists() or (
            PACKAGE / Path(*candidate.split(".")) / "__init__.py"
        ).exists():
            found.append(candidate)  # a submodule: `from . import backends`
        elif base:
            found.append(".".join(base))
    return found or ["__init__"]


def imports() -> list[tuple[str, str, ast.ImportFrom, bool, bool]]:
    """(module, imported module, node, inside a function, under TYPE_CHECKING)."""
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        module = module_name(path)
        tree = ast.parse(path.read_text(encoding="utf-8"))
        typing_only: set[int] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
                typing_only |= {id(n) for b in node.body for n in ast.walk(b)}
        nested: set[int] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                nested |= {id(n) for n in ast.walk(node) if n is not node}
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                for target in resolve(module, path.name == "__init__.py", node):
                    found.append(
                        (
                            module,
                            target,
                            node,
                            id(node) in nested,
                            id(node) in typing_only,
                        )
                    )
    return found


ALL = imports()


def test_imports_point_down_the_layers():
    upward = []
    for module, target, node, _, typing_only in ALL:
        if typing_only or module == target or (module, target) in EXCEPTIONS:
            continue
        if layer_of(target) > layer_of(module):
            upward.append(f"xgrad.{module}:{node.lineno} imports xgrad.{target}")
    assert upward == []


def test_no_cycles_inside_a_layer():
    graph: dict[str, set[str]] = {}
    for module, target, _, _, typing_only in ALL:
        if not typing_only and module != target and (module, target) not in EXCEPTIONS:
            graph.setdefault(module, set()).add(target)
    state: dict[str, int] = {}
    cycles = []

    def visit(name: str, path: list[str]) -> None:
        state[name] = 1
        for nxt in sorted(graph.get(name, ())):
            if state.get(nxt) == 1:
                cycles.append(" -> ".join([*path[path.index(nxt) :], nxt]))
            elif nxt not in state:
                visit(nxt, [*path, nxt])
        state[name] = 2

    for name in sorted(graph):
        if name not in state:
            visit(name, [name])
    assert cycles == []


def test_no_xgrad_import_hides_inside_a_function():
    hidden = [
        f"xgrad.{module}:{node.lineno} imports xgrad.{target} inside a function"
        for module, target, node, nested, typing_only in ALL
        if nested and not typing_only and (module, target) not in EXCEPTIONS
    ]
    assert hidden == []


def test_no_private_name_crosses_modules():
    private = [
        f"xgrad.{module}:{node.lineno} imports {alias.name} from xgrad.{target}"
        for module, target, node, _, _ in ALL
        for alias in node.names
        if alias.name.startswith("_") and not alias.name.startswith("__")
        if not target.endswith(alias.name)  # a module such as _compat, not a name
        if (module, target) not in EXCEPTIONS and module != target
    ]
    assert private == []


@pytest.mark.parametrize(
    "path", sorted(PACKAGE.rglob("*.py")), ids=lambda p: module_name(p)
)
def test_modules_stay_small(path):
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{module_name(path)} has {lines} lines: split it"


def test_every_module_has_a_layer():
    for path in PACKAGE.rglob("*.py"):
        layer_of(module_name(path))
