"""A pytest plugin that runs the Python blocks of README.md and docs/*.md.

Load it with ``pytest -p executed_docs`` (this folder on ``PYTHONPATH``), as
``nox -s docs-examples`` does. The rules a doc writer follows:

- Every fenced ``python`` block runs, in order; the blocks of one file share
  one namespace, so a later block may use what an earlier one defined.
- A ``text`` block right after a ``python`` block (blank lines between are
  fine, prose is not) is that block's printed output, checked as a doctest
  checks it: ``...`` matches anything and runs of whitespace compare equal.
  A block that raises is checked the same way, its output ending with the
  exception's last traceback line, ``module.Name: message``. A ``python``
  block with no ``text`` block right after it may print anything; put a line
  of prose between them to show output that cannot be checked (timings).
- ``<!-- skip: next "needs a GPU" -->`` before a block skips it with that
  reason (``skip: start`` / ``skip: end`` bracket several); use it only for
  what CI cannot do: a GPU, a cluster, a download, a long training run.
- Each file runs in a fresh temporary working directory, so files a block
  writes (``model.save_weights("mlp.npz")``) do not land in the checkout.
"""

from __future__ import annotations

import contextlib
import doctest
import io
import os
import re
import shutil
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest
from sybil import Document, Example, Region, Sybil
from sybil.parsers.markdown import SkipParser
from sybil.parsers.markdown.lexers import FencedCodeBlockLexer

ROOT = Path(__file__).resolve().parents[2]
OUTPUT_FLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
# A ``text`` fence opening right after a block's closing fence (blank lines
# between are fine): the printed output of the block before it.
_OUTPUT = re.compile(r"\s*?\n```text\n(?P<output>.*?)^```", re.DOTALL | re.MULTILINE)


class OutputMismatch(AssertionError):
    """A block printed something other than the ``text`` block after it."""


def _evaluate(example: Example) -> None:
    source, expected = example.parsed
    code = compile(source, str(example.path), "exec", dont_inherit=True)
    printed = io.StringIO()
    try:
        with contextlib.redirect_stdout(printed):
            exec(code, example.namespace)  # noqa: S102 (running the docs is the point)
    except Exception as error:
        if expected is None:
            raise
        kind = type(error)
        printed.write(f"{kind.__module__}.{kind.__qualname__}: {error}\n")
    if expected is None:
        return
    got = printed.getvalue().replace("builtins.", "", 1)
    checker = doctest.OutputChecker()
    if not checker.check_output(expected, got, OUTPUT_FLAGS):
        raise OutputMismatch(
            f"{example.path}, line {example.line}: the block printed\n{got}"
            f"where the text block after it shows\n{expected}"
        )


class PythonWithOutputParser:
    """Find ``python`` blocks and the ``text`` block that may follow each."""

    def __init__(self) -> None:
        self.lexer = FencedCodeBlockLexer("python")

    def __call__(self, document: Document) -> Iterable[Region]:
        for lexed in self.lexer(document):
            # Line numbers in tracebacks point into the Markdown file.
            line = document.text.count("\n", 0, lexed.start) + 1
            source = "\n" * line + lexed.lexemes["source"]
            after = _OUTPUT.match(document.text, lexed.end)
            expected = after.group("output") if after else None
            end = after.end() if after else lexed.end
            yield Region(lexed.start, end, (source, expected), _evaluate)


def _enter_scratch_directory(namespace: dict[str, Any]) -> None:
    namespace["__scratch__"] = (os.getcwd(), tempfile.mkdtemp(prefix="xgrad-docs-"))
    os.chdir(namespace["__scratch__"][1])


def _leave_scratch_directory(namespace: dict[str, Any]) -> None:
    home, scratch = namespace["__scratch__"]
    os.chdir(home)
    shutil.rmtree(scratch)


markdown = Sybil(
    parsers=[SkipParser(), PythonWithOutputParser()],
    patterns=["README.md", "docs/*.md"],
    path=str(ROOT),
    setup=_enter_scratch_directory,
    teardown=_leave_scratch_directory,
    name="markdown",
)

pytest_collect_file = markdown.pytest()


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    """Leave out xgrad's array-API namespace of a library not installed here:
    importing it raises, saying which library is missing (its doctests are
    xgrad.array_api's, which run)."""
    from xgrad import backends  # only when collecting xgrad

    package = collection_path.parent
    if package.name != "array_api" or package.parent.name != "xgrad":
        return None
    name = collection_path.stem
    if name in backends.names() and not backends.get(name).is_available():
        return True
    return None


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Any:
    """Report a skipped block at its line in the Markdown file, with its reason."""
    report = yield
    if report.skipped and isinstance(report.longrepr, tuple):
        path, line, _ = item.reportinfo()
        report.longrepr = (str(path), line or 0, report.longrepr[2])
    return report
