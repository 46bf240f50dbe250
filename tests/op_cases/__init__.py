"""The op table: one row per op, read by every op test.

- ``table.py``: the rows (``CASES``, ``ROWS`` by name), gathered from one
  module per area (``table_nn.py``, ...);
- ``case.py``: the row type :class:`OpCase`, its fixed :class:`Example`
  inputs, drawn :class:`Call` inputs, and how a row is called;
- ``inputs.py``: fixed inputs for the examples; ``strategies*.py``: the
  Hypothesis strategies of the fuzz rows; ``references.py``: NumPy references;
  ``calls.py``: the few calls that need more than the function.

tests/test_ops.py runs the examples, tests/fuzz/test_fuzz_ops.py the fuzz
strategies, tests/test_against_torch.py the PyTorch references, and
tests/test_op_table.py checks the table against ``xgrad.functions`` and
docs/functions.md. Adding an op: its class, one row in table.py, its line in
docs/functions.md (docs/testing.md, "Adding an op").
"""

from .case import (
    Call,
    Example,
    OpCase,
    bound,
    in_precision,
    is_float,
    joined,
    outputs,
    precision,
    real_loss,
)
from .references import (
    np_average_pooling,
    np_col2im,
    np_conv2d,
    np_deconv2d,
    np_im2col,
    np_pooling,
    quiet,
)
from .table import CASES, ROWS

__all__ = [
    "CASES",
    "ROWS",
    "Call",
    "Example",
    "OpCase",
    "bound",
    "in_precision",
    "is_float",
    "joined",
    "np_average_pooling",
    "np_col2im",
    "np_conv2d",
    "np_deconv2d",
    "np_im2col",
    "np_pooling",
    "outputs",
    "precision",
    "quiet",
    "real_loss",
]
