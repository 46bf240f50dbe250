"""Importing xgrad must not import any optional array library."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import xgrad

OPTIONAL = ["torch", "cupy", "dask", "array_api_strict"]


def imported_after(code: str) -> list[str]:
    """Which of the optional libraries a fresh interpreter holds after ``code``."""
    script = f"{code}\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))"
    root = str(Path(xgrad.__file__).resolve().parent.parent)
    path = os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH")]))
    env = {**os.environ, "PYTHONPATH": path}
    result = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        env=env,
        check=True,
        timeout=120,
    )
    modules = json.loads(result.stdout)
    return [name for name in OPTIONAL if name in modules]


def test_import_xgrad_imports_no_optional_library():
    assert imported_after("import xgrad") == []


def test_import_xgrad_functions_imports_no_optional_library():
    assert imported_after("import xgrad\nimport xgrad.functions") == []


def test_a_numpy_computation_imports_no_optional_library():
    code = (
        "import numpy as np, xgrad, xgrad.functions as F\n"
        "x = xgrad.Variable(np.array([1.0, 2.0]))\n"
        "F.sum(F.exp(x) * 2.0).backward()"
    )
    assert imported_after(code) == []


def test_every_public_name_exists():
    import xgrad

    missing = [name for name in xgrad.__all__ if not hasattr(xgrad, name)]
    assert missing == []
