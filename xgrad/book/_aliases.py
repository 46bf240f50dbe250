"""``import dezero...`` as xgrad: an import hook that aliases the book's modules.

``dezero`` is ``xgrad`` and ``dezero.<name>`` is ``xgrad.<name>``: the same
module objects, so ``dezero.Variable is xgrad.Variable`` and a program mixing
both spellings shares one graph, one Config and one random stream.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import sys
from types import ModuleType

PREFIX = "dezero"


def target_name(fullname: str) -> str:
    """``dezero.functions`` -> ``xgrad.functions``."""
    return "xgrad" + fullname[len(PREFIX) :]


class DezeroAliases(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Finds ``dezero`` and ``dezero.*`` and loads the xgrad module of that name."""

    def __init__(self) -> None:
        self._specs: dict[int, importlib.machinery.ModuleSpec | None] = {}

    def find_spec(
        self, fullname: str, path: object = None, target: object = None
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname != PREFIX and not fullname.startswith(PREFIX + "."):
            return None
        module = _import_target(fullname)
        spec = importlib.machinery.ModuleSpec(
            fullname, self, is_package=hasattr(module, "__path__")
        )
        spec.loader_state = module
        return spec

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType:
        module = spec.loader_state
        self._specs[id(module)] = module.__spec__
        return module

    def exec_module(self, module: ModuleType) -> None:
        # The import system stamped the alias's spec on the xgrad module; give
        # it back its own, so reloads, pickles and tracebacks name xgrad.
        module.__spec__ = self._specs.pop(id(module), module.__spec__)


def _import_target(fullname: str) -> ModuleType:
    name = target_name(fullname)
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as error:
        if error.name != name:
            raise
        raise ModuleNotFoundError(
            f"import {fullname}: book mode maps dezero.* to xgrad.*, and xgrad "
            f"has no module {name!r}; "
            f"the book's modules are dezero.{{core, functions, layers, models, "
            f"optimizers, datasets, dataloaders, transforms, utils, cuda, "
            f"functions_conv, core_simple}}",
            name=fullname,
        ) from None


def install(finder: DezeroAliases) -> None:
    """Put ``finder`` first on ``sys.meta_path``; refuse if real DeZero is loaded."""
    loaded = sys.modules.get(PREFIX)
    if loaded is not None and not loaded.__name__.startswith("xgrad"):
        raise RuntimeError(
            f"xgrad.book.install(): the real DeZero is already imported "
            f"({getattr(loaded, '__file__', '?')}); install book mode before "
            f"`import dezero`, or restart the interpreter (notebook kernel)"
        )
    if finder not in sys.meta_path:
        sys.meta_path.insert(0, finder)


def uninstall(finder: DezeroAliases) -> None:
    """Remove ``finder`` and forget the ``dezero`` aliases it made."""
    if finder in sys.meta_path:
        sys.meta_path.remove(finder)
    for name in [n for n in sys.modules if n == PREFIX or n.startswith(PREFIX + ".")]:
        if sys.modules[name].__name__.startswith("xgrad"):
            del sys.modules[name]
