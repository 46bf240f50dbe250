"""Smoke test of an installed xgrad wheel, run by ``nox -s build``.

``nox -s build`` installs the wheel it built into a fresh virtual environment
and runs this file there with ``python -I``, so ``import xgrad`` finds the
installed copy, never the source tree. Not collected by pytest.
"""

from __future__ import annotations

import importlib.metadata
import sys
from pathlib import Path

import numpy as np

import xgrad
import xgrad.functions as F
from xgrad.datasets import Digits

SOURCE_TREE = Path(__file__).resolve().parents[2]


def check_installed_copy() -> Path:
    package = Path(xgrad.__file__).resolve().parent
    if package == SOURCE_TREE / "xgrad":
        sys.exit(f"xgrad was imported from the source tree ({package}), not the wheel")
    if not (package / "py.typed").is_file():
        sys.exit(f"the wheel has no xgrad/py.typed in {package}")
    return package


def check_backward() -> None:
    x = xgrad.Variable(np.array([0.5, -2.0]))
    F.sum(x * F.tanh(x)).backward()
    t = np.tanh(x.data)
    np.testing.assert_allclose(x.grad.data, t + x.data * (1 - t**2), rtol=1e-12)


def check_bundled_digits() -> None:
    train, test = Digits(), Digits(train=False)
    x, label = train[0]
    if (len(train), len(test), x.shape, str(x.dtype)) != (1500, 297, (64,), "float32"):
        sys.exit(f"Digits: got {len(train)}, {len(test)}, {x.shape}, {x.dtype}")
    if not 0 <= int(label) <= 9:
        sys.exit(f"Digits: label {label} is not a digit")


def check_metadata() -> None:
    meta = importlib.metadata.metadata("xgrad")
    if (
        meta["License-Expression"] != "BSD-3-Clause"
        or meta["Version"] != xgrad.__version__
    ):
        sys.exit(f"metadata: {meta['License-Expression']}, {meta['Version']}")
    files = importlib.metadata.files("xgrad") or []
    licenses = {f.name for f in files if "licenses" in f.parts}
    if licenses != {"LICENSE", "NOTICE"}:
        sys.exit(f"the wheel's .dist-info/licenses holds {sorted(licenses)}")


if __name__ == "__main__":
    where = check_installed_copy()
    check_backward()
    check_bundled_digits()
    check_metadata()
    print(f"xgrad {xgrad.__version__} wheel OK: {where}")
