"""Settings the third-party libraries read once, at import.

SciPy reads ``SCIPY_ARRAY_API`` when it is first imported, and
scikit-learn's ``array_api_dispatch`` needs it: set here, before any test
module imports them. This folder is left out of the default test run
(``norecursedirs`` in pyproject.toml): the ``third-party`` nox session runs
it with the libraries pinned in requirements.txt.
"""

from __future__ import annotations

import os
import sys

import pytest

if "scipy" in sys.modules and os.environ.get("SCIPY_ARRAY_API") != "1":
    raise pytest.UsageError(
        "tests/third_party: SciPy was imported before SCIPY_ARRAY_API=1 was set; "
        "run this folder on its own (nox -s third-party) or export SCIPY_ARRAY_API=1"
    )
os.environ["SCIPY_ARRAY_API"] = "1"

import sklearn  # after SCIPY_ARRAY_API, which its array API dispatch requires

sklearn.set_config(array_api_dispatch=True)
