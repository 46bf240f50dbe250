"""Checks of the executed-docs harness itself (``executed_docs.py``).

Not collected by the default test run (it needs Sybil); ``nox -s
docs-examples`` runs it by path before the docs.
"""

from __future__ import annotations

import textwrap
from pathlib import Path
from unittest import SkipTest

import pytest
from executed_docs import OutputMismatch, PythonWithOutputParser
from sybil import Document
from sybil.parsers.markdown import SkipParser


def run(tmp_path: Path, markdown: str) -> None:
    """Run every example of a Markdown text, in order, as the docs run."""
    path = tmp_path / "page.md"
    path.write_text(textwrap.dedent(markdown))
    document = Document.parse(str(path), SkipParser(), PythonWithOutputParser())
    for example in document.examples():
        example.evaluate()


def test_blocks_of_one_file_share_a_namespace(tmp_path):
    run(
        tmp_path,
        """
        ```python
        x = 2
        ```

        Later:

        ```python
        print(x * 21)
        ```

        ```text
        42
        ```
        """,
    )


def test_printed_output_must_match_the_text_block(tmp_path):
    page = """
        ```python
        print([1.0, 2.0])
        ```

        ```text
        [1.0, 3.0]
        ```
        """
    with pytest.raises(OutputMismatch, match=r"page.md, line 2: the block printed"):
        run(tmp_path, page)


def test_ellipsis_and_whitespace_are_loose(tmp_path):
    run(
        tmp_path,
        """
        ```python
        print("loss 0.1234567", "at", "epoch   3")
        ```

        ```text
        loss 0.123... at epoch 3
        ```
        """,
    )


def test_an_exception_is_output_when_the_text_block_shows_it(tmp_path):
    run(
        tmp_path,
        """
        ```python
        print("before")
        int("seven")
        ```

        ```text
        before
        ValueError: invalid literal for int() with base 10: 'seven'
        ```
        """,
    )


def test_an_exception_without_a_text_block_fails_the_block(tmp_path):
    with pytest.raises(ZeroDivisionError):
        run(tmp_path, "```python\n1 / 0\n```\n")


def test_prose_between_makes_a_text_block_an_illustration(tmp_path):
    run(
        tmp_path,
        """
        ```python
        print("12.3 ms")
        ```

        prints something like:

        ```text
        9.9 ms
        ```
        """,
    )


def test_skip_names_its_reason(tmp_path):
    page = """
        <!-- skip: next "needs a GPU" -->

        ```python
        import cupy
        ```
        """
    with pytest.raises(SkipTest, match="needs a GPU"):
        run(tmp_path, page)


def test_tracebacks_point_into_the_markdown_file(tmp_path):
    page = "Text.\n\n```python\nx = 1\nraise RuntimeError('here')\n```\n"
    with pytest.raises(RuntimeError) as caught:
        run(tmp_path, page)
    frame = caught.traceback[-1]
    assert (Path(str(frame.path)).name, frame.lineno + 1) == ("page.md", 5)
