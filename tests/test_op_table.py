"""The op table, ``xgrad.functions`` and docs/functions.md agree with each other.

Every public function has a row (or a reason below why it has none) and a
place in the docs' table of functions; every name the docs give exists; every
row is checked by something. Adding an op: its class, one row in
tests/op_cases/table.py, its line in docs/functions.md.
"""

from __future__ import annotations

import inspect
import itertools
import re
from pathlib import Path

import xgrad
import xgrad.functions as F
import xgrad.functions_conv as Fc

from op_cases import CASES

DOC = Path(__file__).parent.parent / "docs" / "functions.md"

# Public functions of xgrad.functions with no row, and why.
NO_ROW = {
    "as_array": "DeZero's conversion of a scalar to a 0-d array: no op, no gradient",
    "as_variable": "DeZero's wrapping of data in a Variable: no op, no gradient",
}

CODE = re.compile(r"`([^`]+)`")
NAME = re.compile(r"^(?:F\.)?([A-Za-z_]\w*)(?:\(.*\))?$")  # `name`, `F.name(args)`


def _doc_sections() -> tuple[list[str], str, str, str]:
    """docs/functions.md's table of functions (the second column of each row),
    the paragraph on ``xgrad.functions_conv``, the one on Variable methods, and
    the whole text."""
    text = DOC.read_text()
    lines = text.splitlines()
    start = lines.index("| family | functions |") + 2  # past the header and |---|
    rows = itertools.takewhile(lambda line: line.startswith("|"), lines[start:])
    table = [line.split("|")[2] for line in rows]
    paragraphs = text.split("\n\n")
    conv = next(p for p in paragraphs if "xgrad.functions_conv" in p)
    methods = next(p for p in paragraphs if p.startswith("Variables also have"))
    return table, conv, methods, text


def _names(text: str) -> set[str]:
    """The function names a text gives in code spans: `name` and `name(...)`."""
    found = (NAME.match(span) for span in CODE.findall(text))
    return {m.group(1) for m in found if m}


def _parameters(names: set[str]) -> set[str]:
    """The parameter names of these functions of ``xgrad.functions``."""
    return {p for n in names for p in inspect.signature(getattr(F, n)).parameters}


def _covered(rows) -> set[str]:
    return {name for row in rows for name in (row.name, *row.covers)}


def test_every_public_function_has_a_row():
    """...with fixed examples (tests/test_ops.py) and a fuzz strategy (tests/fuzz)."""
    covered = _covered(CASES)
    ops = set(F.__all__) - set(NO_ROW)
    missing = ops - covered
    assert not missing, f"no row of tests/op_cases/table.py covers {sorted(missing)}"
    unfuzzed = ops - _covered(row for row in CASES if row.fuzz is not None)
    assert not unfuzzed, f"no row with a fuzz strategy covers {sorted(unfuzzed)}"
    unexampled = ops - _covered(row for row in CASES if row.examples)
    assert not unexampled, f"no row with examples covers {sorted(unexampled)}"
    stale = set(NO_ROW) - set(F.__all__)
    assert not stale, f"NO_ROW lists {sorted(stale)}, not in xgrad.functions"
    listed_and_covered = set(NO_ROW) & covered
    assert not listed_and_covered, f"{sorted(listed_and_covered)}: row and NO_ROW"


def test_every_row_is_checked_and_named_once():
    names = [row.name for row in CASES]
    assert len(names) == len(set(names)), "two rows share a name"
    for row in CASES:
        assert row.examples or row.fuzz is not None, f"{row.name}: nothing runs it"
        assert not row.torch or row.examples, f"{row.name}: torch needs examples"
        ids = [row.example_id(e) for e in row.examples]
        assert len(ids) == len(set(ids)), f"{row.name}: examples need names: {ids}"


def test_every_public_function_is_in_the_docs_table():
    table = _doc_sections()[0]
    missing = set(F.__all__) - set().union(*map(_names, table))
    assert not missing, f"docs/functions.md's table lacks {sorted(missing)}"


def test_the_docs_name_only_functions_that_exist():
    table, conv, methods, text = _doc_sections()
    for cell in table:  # a function, or a parameter of a function of its row
        functions = _names(cell) & set(F.__all__)
        unknown = _names(cell) - functions - _parameters(functions)
        assert not unknown, f"docs/functions.md's table names {sorted(unknown)}"
    qualified = set(re.findall(r"\bF\.(\w+)", text))
    assert qualified <= set(F.__all__), f"F.{sorted(qualified - set(F.__all__))}"
    conv_names = _names(conv) - {"xgrad.functions_conv"}
    unknown = {n for n in conv_names if not hasattr(Fc, n)}
    assert not unknown, f"not in xgrad.functions_conv: {sorted(unknown)}"
    attributes = set(re.findall(r"`\.(\w+)", methods))
    assert attributes, "the paragraph on Variable methods names none"
    unknown = {a for a in attributes if not hasattr(xgrad.Variable, a)}
    assert not unknown, f"Variable has no {sorted(unknown)}"
