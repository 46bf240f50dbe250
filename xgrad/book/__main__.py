"""``python -m xgrad.book [--device SPEC] PROGRAM.py [args ...]``: run a book program.

The program runs as ``__main__`` with ``sys.argv`` and ``sys.path[0]`` as
``python PROGRAM.py args`` would set them, in book mode (:mod:`xgrad.book`).
"""

from __future__ import annotations

import argparse
import os
import runpy
import sys

from . import install


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m xgrad.book",
        description="Run a program of 'Deep Learning from Scratch 3' unchanged on "
        "xgrad: `import dezero` is xgrad, random numbers come from NumPy's global "
        "stream in DeZero's order, and the book's numbers are printed.",
    )
    parser.add_argument(
        "--device",
        default=None,
        help="run on this device instead of NumPy: cupy, torch:cpu, torch:cuda:0 "
        "... (default: numpy)",
    )
    parser.add_argument("program", help="the book's program, e.g. steps/step45.py")
    parser.add_argument("args", nargs=argparse.REMAINDER, help="the program's own")
    options = parser.parse_args(argv)
    if not os.path.isfile(options.program):
        parser.error(f"no such program: {options.program}")
    install(options.device)
    sys.argv = [options.program, *options.args]
    sys.path.insert(0, os.path.dirname(os.path.abspath(options.program)))
    runpy.run_path(options.program, run_name="__main__")


if __name__ == "__main__":
    main()
