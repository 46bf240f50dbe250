"""The catalogue of bad input (docs/bad_input.md): every case raises a clear error.

Each row of ``CASES`` is one way to call xgrad wrongly. The test checks, on
every backend where the case means something, that the call raises the
documented exception, that its message names the xgrad function, what is
wrong (shapes, dtypes, devices) and the fix, that the exception is raised by
xgrad itself (not from inside NumPy, PyTorch or array-api-compat), and that the
inputs are left as they were. The rules that are not errors (integer input
to float functions, ``backward`` on a non-scalar, ``backward`` after
``unchain_backward``) are tested below the table.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import xgrad
import xgrad.functions as F
import xgrad.layers as L
from xgrad import Parameter, Variable, backends

XGRAD_DIR = Path(xgrad.__file__).parent
DOC = Path(__file__).parents[1] / "docs" / "bad_input.md"


@dataclass(frozen=True)
class Case:
    """One bad call: ``call(*inputs(A))`` where ``A`` turns NumPy data into arrays
    of the backend under test; ``message`` must match from the start."""

    name: str  # the first column of the table in docs/bad_input.md
    inputs: Callable[[Callable[[Any], Any]], tuple[Any, ...]]
    call: Callable[..., Any]
    error: type[Exception]
    message: str
    only: str | None = None  # the one backend where the case is meaningful


def ones(*shape: int) -> np.ndarray:
    return np.ones(shape)


CASES = [
    # -- wrong types --------------------------------------------------------------
    Case(
        "a list into an op",
        lambda A: (A(ones(3)), [1.0, 2.0, 3.0]),
        F.add,
        TypeError,
        r"Add: input 1 is a list \[1\.0, 2\.0, 3\.0\], not an array; convert it "
        r"first with xgrad\.asarray",
    ),
    Case(
        "a string into an op",
        lambda A: (A(ones(3)), "abc"),
        F.mul,
        TypeError,
        r"Mul: input 1 is a str 'abc', not an array; convert it first with "
        r"xgrad\.asarray",
    ),
    Case(
        "None into an op",
        lambda A: (None,),
        F.exp,
        TypeError,
        r"Exp: input 0 is None; pass an array or a Variable",
    ),
    Case(
        "operands that do not broadcast",
        lambda A: (A(ones(2, 3)), A(ones(4))),
        F.add,
        ValueError,
        r"Add: the array library rejected the inputs \(input 0: shape \(2, 3\) .*, "
        r"input 1: shape \(4,\) .*\): .*Shapes \(2, 3\) and \(4,\) do not "
        r"broadcast: .*axis -1 has \[3, 4\]\. Reshape, transpose or F\.expand_dims",
    ),
    Case(
        "an index out of range",
        lambda A: (A(ones(2, 3)),),
        lambda x: Variable(x)[:, 5],
        IndexError,
        r"GetItem: the array library rejected the inputs \(input 0: shape \(2, 3\) "
        r".*\): .*x\[key\] on shape \(2, 3\): an index into an axis of length n "
        r"must lie in \[-n, n\)",
    ),
    Case(
        "a reshape to another size",
        lambda A: (A(ones(2, 3)), (4,)),
        F.reshape,
        ValueError,
        r"Reshape: the array library rejected the inputs \(input 0: shape \(2, 3\) "
        r".*\): .*A reshape keeps the element count: shape \(2, 3\) holds 6 "
        r"elements, and \(4,\) must too",
    ),
    Case(
        "None into matmul",
        lambda A: (A(ones(2, 2)), None),
        F.matmul,
        TypeError,
        r"matmul: input 1 is None; pass an array or a Variable",
    ),
    Case(
        "an empty Parameter into an op",
        lambda A: (Parameter(None),),
        F.tanh,
        TypeError,
        r"Tanh: input 0 is a Variable with no data \(None\).*call the layer once "
        r"or give it its input size",
    ),
    Case(
        "an empty Parameter into linear",
        lambda A: (A(ones(2, 3)), Parameter(None)),
        F.linear,
        TypeError,
        r"linear: input 1 is a Variable with no data \(None\).*call the layer once "
        r"or give it its input size",
    ),
    Case(
        "an object-dtype array into an op",
        lambda A: (np.array([1.0, 2.0], dtype=object),),
        F.exp,
        TypeError,
        r"Exp: input 0 has dtype object \(shape \(2,\)\), which no array-API "
        r"function accepts; convert it to a numeric array",
        only="numpy",
    ),
    Case(
        "an object-dtype array in a Variable",
        lambda A: (Variable(np.array([1.0, 2.0], dtype=object)),),
        F.log,
        TypeError,
        r"Log: input 0 has dtype object .*convert it to a numeric array",
        only="numpy",
    ),
    Case(
        "a string array into a reduction",
        lambda A: (np.array(["a", "b"]),),
        F.sum,
        TypeError,
        r"sum: input 0 has dtype <U1 \(shape \(2,\)\).*convert it to a numeric",
        only="numpy",
    ),
    # -- shapes -------------------------------------------------------------------
    Case(
        "matmul, inner axes differ",
        lambda A: (A(ones(2, 3)), A(ones(4, 5))),
        F.matmul,
        ValueError,
        r"matmul: shapes \(2, 3\) and \(4, 5\) do not line up: the last axis of "
        r"the first \(3\) must equal the second-to-last axis of the second \(4\); "
        r"transpose or reshape one of them",
    ),
    Case(
        "matmul, batch axes differ",
        lambda A: (A(ones(2, 3, 4)), A(ones(5, 4, 6))),
        F.matmul,
        ValueError,
        r"matmul: the batch axes of shapes \(2, 3, 4\) and \(5, 4, 6\) do not "
        r"broadcast \(\(2,\) against \(5,\)\); make them equal or 1",
    ),
    Case(
        "linear, x and W differ",
        lambda A: (A(ones(2, 3)), A(ones(4, 5))),
        F.linear,
        ValueError,
        r"linear: expected x of shape \(N, in\) and W of shape \(in, out\), got "
        r"x \(2, 3\) and W \(4, 5\); x's last axis must equal W's first",
    ),
    Case(
        "linear, x not 2-D",
        lambda A: (A(ones(2, 3, 4)), A(ones(12, 5))),
        F.linear,
        ValueError,
        r"linear: expected x of shape \(N, in\).*got x \(2, 3, 4\) and W \(12, 5\); "
        r"flatten x first",
    ),
    Case(
        "linear, bias of the wrong size",
        lambda A: (A(ones(2, 3)), A(ones(3, 5)), A(ones(4))),
        F.linear,
        ValueError,
        r"linear: bias b of shape \(4,\) does not fit x \(2, 3\) @ W \(3, 5\) = "
        r"\(2, 5\); b should have shape \(5,\)",
    ),
    Case(
        "conv2d, channels differ",
        lambda A: (A(ones(1, 3, 5, 5)), A(ones(2, 4, 3, 3))),
        F.conv2d,
        ValueError,
        r"conv2d: x \(1, 3, 5, 5\) has 3 channels but W \(2, 4, 3, 3\) "
        r"\(OC, C, KH, KW\) expects 4; give W 3 input channels or pass images "
        r"with 4",
    ),
    Case(
        "conv2d, x not 4-D",
        lambda A: (A(ones(3, 5, 5)), A(ones(2, 3, 3, 3))),
        F.conv2d,
        ValueError,
        r"conv2d: want x \(N, C, H, W\) and W \(OC, C, KH, KW\), got x \(3, 5, 5\) "
        r"and W \(2, 3, 3, 3\); add a batch axis: x\[None\]",
    ),
    Case(
        "conv2d, bias of the wrong size",
        lambda A: (A(ones(1, 3, 5, 5)), A(ones(2, 3, 3, 3)), A(ones(3))),
        F.conv2d,
        ValueError,
        r"conv2d: bias of shape \(3,\) for W \(2, 3, 3, 3\); want \(2,\), one "
        r"value per output channel",
    ),
    Case(
        "conv2d, kernel larger than the image",
        lambda A: (A(ones(1, 3, 2, 2)), A(ones(2, 3, 3, 3))),
        F.conv2d,
        ValueError,
        r"conv2d: input of shape \(1, 3, 2, 2\) is not \(N, C, H, W\) that a "
        r"\(3, 3\) kernel with pad \(0, 0\) fits; pass NCHW images, a larger pad",
    ),
    # -- labels and targets ----------------------------------------------------------
    Case(
        "float labels",
        lambda A: (A(ones(2, 3)), A(np.array([0.0, 1.0]))),
        F.softmax_cross_entropy,
        TypeError,
        r"softmax_cross_entropy: labels must be integers \(class indices\), got "
        r"dtype \S*float64; convert with xp\.astype\(t, xp\.int64\)",
    ),
    Case(
        "labels out of range",
        lambda A: (A(ones(2, 3)), A(np.array([0, 3]))),
        F.softmax_cross_entropy,
        ValueError,
        r"softmax_cross_entropy: labels must lie in \[0, 3\) for logits \(2, 3\) "
        r"of 3 classes; got values from 0 to 3\. Fix the labels, or give the "
        r"model's last layer one output per class",
    ),
    Case(
        "negative labels",
        lambda A: (A(ones(2, 3)), np.array([-1, 0])),
        F.softmax_cross_entropy_simple,
        ValueError,
        r"softmax_cross_entropy_simple: labels must lie in \[0, 3\).*from -1 to 0",
    ),
    Case(
        "one-hot labels",
        lambda A: (A(ones(2, 3)), A(np.eye(3, dtype=np.int64)[[0, 1]])),
        F.softmax_cross_entropy,
        ValueError,
        r"softmax_cross_entropy: expected logits of shape \(N, C\) and labels of "
        r"shape \(N,\), got \(2, 3\) and \(2, 3\); labels are class indices, not "
        r"one-hot rows",
    ),
    Case(
        "binary targets of the wrong shape",
        lambda A: (A(ones(2, 3)), A(np.array([0, 1]))),
        F.sigmoid_cross_entropy,
        ValueError,
        r"sigmoid_cross_entropy: targets of shape \(2,\) do not match the input's "
        r"shape \(2, 3\); pass one 0/1 target per element",
    ),
    Case(
        "binary targets out of [0, 1]",
        lambda A: (A(np.full(2, 0.5)), A(np.array([0, 2]))),
        F.binary_cross_entropy,
        ValueError,
        r"binary_cross_entropy: targets must lie in \[0, 1\]; got values from 0\.0 "
        r"to 2\.0\. For class indices use softmax_cross_entropy",
    ),
    Case(
        "complex logits",
        lambda A: (A(np.ones((2, 3), dtype=complex)), np.array([0, 1])),
        F.softmax_cross_entropy,
        TypeError,
        r"softmax_cross_entropy: got complex logits \(dtype \S*complex128, shape "
        r"\(2, 3\)\); pass a real floating array",
    ),
    # -- axes -------------------------------------------------------------------
    Case(
        "sum, axis out of range",
        lambda A: (A(ones(2, 3)),),
        lambda x: F.sum(x, axis=2),
        ValueError,
        r"sum: axis 2 is out of range for a 2-D input \(valid: -2 to 1\); pass an "
        r"axis in that range",
    ),
    Case(
        "max, axis out of range",
        lambda A: (A(ones(2, 3)),),
        lambda x: F.max(x, axis=-3),
        ValueError,
        r"max: axis -3 is out of range for a 2-D input \(valid: -2 to 1\)",
    ),
    Case(
        "mean, repeated axis",
        lambda A: (A(ones(2, 3)),),
        lambda x: F.mean(x, axis=(1, -1)),
        ValueError,
        r"average: repeated axis in \(1, -1\); name each axis once",
    ),
    Case(
        "softmax, axis out of range",
        lambda A: (A(ones(2, 3)),),
        lambda x: F.softmax(x, axis=2),
        ValueError,
        r"softmax: axis 2 is out of range for a 2-D input \(valid: -2 to 1\)",
    ),
    Case(
        "softmax of a vector, default axis",
        lambda A: (A(ones(3)),),
        F.softmax,
        ValueError,
        r"softmax: axis 1 is out of range for a 1-D input \(valid: -1 to 0\)",
    ),
    Case(
        "log_softmax, axis out of range",
        lambda A: (A(ones(2, 3)),),
        lambda x: F.log_softmax(x, axis=-3),
        ValueError,
        r"log_softmax: axis -3 is out of range for a 2-D input",
    ),
    Case(
        "logsumexp, axis out of range",
        lambda A: (A(ones(2, 3)),),
        lambda x: F.logsumexp(x, axis=5),
        ValueError,
        r"logsumexp: axis 5 is out of range for a 2-D input",
    ),
    Case(
        "concat, axis out of range",
        lambda A: (A(ones(2, 3)), A(ones(2, 3))),
        lambda x, y: F.concat([x, y], axis=2),
        ValueError,
        r"concat: axis 2 is out of range for a 2-D input \(valid: -2 to 1\)",
    ),
    Case(
        "concat, shapes differ",
        lambda A: (A(ones(2, 3)), A(ones(2, 4))),
        lambda x, y: F.concat([x, y], axis=0),
        ValueError,
        r"concat: shapes \[\(2, 3\), \(2, 4\)\] differ off axis 0; every input "
        r"needs the same number of axes and the same length on all but axis 0",
    ),
    Case(
        "concat of nothing",
        lambda A: (),
        lambda: F.concat([]),
        TypeError,
        r"concat: expected a non-empty list of Variables or arrays, got list "
        r"\(empty\); pass \[x, y, \.\.\.\]",
    ),
    Case(
        "a non-square matrix into det",
        lambda A: (A(ones(2, 3)),),
        F.det,
        ValueError,
        r"det: wants square matrices, shape \(\.\.\., M, M\), got shape \(2, 3\); "
        r"for a rectangular matrix use F\.pinv or F\.svd",
    ),
    Case(
        "solve, x2 does not fit",
        lambda A: (A(np.eye(3)), A(ones(2, 2))),
        F.solve,
        ValueError,
        r"solve: x2 of shape \(2, 2\) does not fit x1 of shape \(3, 3\): x2 must "
        r"be \(\.\.\., 3, K\), or a vector of length 3",
    ),
    Case(
        "a gradient through a full SVD's extra columns",
        lambda A: (Variable(A(np.arange(6.0).reshape(3, 2))),),
        lambda x: F.sum(F.svd(x).U).backward(),
        NotImplementedError,
        r"svd: with full_matrices=True the extra columns of U or rows of Vh of a 3 "
        r"by 2 matrix are not unique",
    ),
    Case(
        "stack, axis out of range",
        lambda A: (A(ones(2, 3)), A(ones(2, 3))),
        lambda x, y: F.stack([x, y], axis=4),
        ValueError,
        r"stack: axis 4 is out of range for a 2-D input \(valid: -3 to 2, counting "
        r"the new axis\)",
    ),
    Case(
        "split, axis out of range",
        lambda A: (A(ones(2, 4)),),
        lambda x: F.split(x, 2, axis=3),
        ValueError,
        r"split: axis 3 is out of range for a 2-D input",
    ),
    Case(
        "expand_dims, axis out of range",
        lambda A: (A(ones(2, 3)),),
        lambda x: F.expand_dims(x, 4),
        ValueError,
        r"expand_dims: axis 4 is out of range for a 2-D input \(valid: -3 to 2, "
        r"counting the new axis\)",
    ),
    Case(
        "transpose, axes out of range",
        lambda A: (A(ones(2, 3)),),
        lambda x: F.transpose(x, (0, 3)),
        ValueError,
        r"transpose: axis 3 is out of range for a 2-D input",
    ),
    Case(
        "an axis that is not an int",
        lambda A: (A(ones(2, 3)),),
        lambda x: F.sum(x, axis=1.0),
        TypeError,
        r"sum: axis must be an int \(or a tuple of ints\), got float 1\.0; pass "
        r"int\(axis\)",
    ),
    # -- complex input where values are compared ---------------------------------
    Case(
        "complex into relu",
        lambda A: (A(np.array([1 + 1j, -2])),),
        F.relu,
        TypeError,
        r"ReLU: got complex input \(dtype \S*complex128, shape \(2,\)\); this op "
        r"compares values.*Pass the real part or the magnitude",
    ),
    Case(
        "complex into max",
        lambda A: (A(np.array([1 + 1j, -2])),),
        F.max,
        TypeError,
        r"Max: got complex input \(dtype \S*complex128",
    ),
    Case(
        "complex into softmax",
        lambda A: (A(np.ones((2, 2), dtype=complex)),),
        F.softmax,
        TypeError,
        r"Softmax: got complex input \(dtype \S*complex128, shape \(2, 2\)\)",
    ),
    Case(
        "complex into maximum",
        lambda A: (A(ones(2)), A(np.array([1j, 2]))),
        F.maximum,
        TypeError,
        r"Maximum: got complex input",
    ),
    Case(
        "complex into max pooling",
        lambda A: (A(np.ones((1, 1, 2, 2), dtype=complex)),),
        lambda x: F.pooling(x, 2),
        TypeError,
        r"Pooling: got complex input \(dtype \S*complex128, shape \(1, 1, 2, 2\)\)",
    ),
    Case(
        "complex into clip",
        lambda A: (A(np.array([1j, 2])),),
        lambda x: F.clip(x, 0.0, 1.0),
        TypeError,
        r"Clip: got complex input",
    ),
    Case(
        "bool into floor",
        lambda A: (A(np.array([True, False])),),
        F.floor,
        TypeError,
        r"Floor: got a bool array \(dtype .*bool, shape \(2,\)\); this op takes "
        r"numbers, not truth values\. Convert it first: xp\.astype\(x, xp\.int8\)",
    ),
    Case(
        "complex into remainder",
        lambda A: (A(np.array([1j, 2])), A(np.array([2.0, 2.0]))),
        F.remainder,
        TypeError,
        r"Remainder: got complex input \(dtype .*complex128, shape \(2,\)\); this "
        r"op is defined for real numbers only\. Pass the real part",
    ),
    Case(
        "clip's bound given twice",
        lambda A: (A(ones(3)),),
        lambda x: F.clip(x, 0.0, x_min=0.5),
        TypeError,
        r"clip: got both min= and x_min= \(0\.0 and 0\.5\); pass one \(x_min is the "
        r"book's name for min\)",
    ),
]


def _arrays(objs: Any) -> list[tuple[Any, np.ndarray]]:
    """(object, NumPy copy of its data) for every array or Variable in ``objs``."""
    out = []
    for obj in objs:
        data = obj.data if isinstance(obj, Variable) else obj
        if data is not None and hasattr(data, "shape"):
            out.append((data, np.array(backends.of(data).to_numpy(data), copy=True)))
    return out


def assert_raised_by_xgrad(info: pytest.ExceptionInfo, name: str) -> None:
    """The exception comes from xgrad's own code, with nothing deeper behind it."""
    exc = info.value
    raised_in = Path(str(info.traceback[-1].path))
    assert XGRAD_DIR in raised_in.parents, f"{name}: raised in {raised_in}"
    assert exc.__cause__ is None, f"{name}: caused by {exc.__cause__!r}"
    assert exc.__context__ is None or exc.__suppress_context__, (
        f"{name}: raised while handling {exc.__context__!r}"
    )


def assert_unchanged(before: list[tuple[Any, np.ndarray]]) -> None:
    for data, copy in before:
        after = backends.of(data).to_numpy(data)
        assert after.dtype == copy.dtype
        np.testing.assert_array_equal(after, copy)


def _call_and_run(case: Case, inputs: tuple[Any, ...], backend: Any) -> None:
    """The bad call; on a lazy backend also run the graph, where value checks
    (labels in range) happen."""
    result = case.call(*inputs)
    if backend.lazy:
        xgrad.compute(result)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_bad_input_raises_a_clear_error(case: Case, backend, to_backend):
    if case.only is not None and backend.name != case.only:
        pytest.skip(f"{case.name}: only meaningful on {case.only}")
    inputs = case.inputs(to_backend)
    before = _arrays(inputs)
    with pytest.raises(case.error, match="^" + case.message) as info:
        _call_and_run(case, inputs, backend)
    assert_raised_by_xgrad(info, case.name)
    assert_unchanged(before)
    for x in inputs:
        if isinstance(x, Variable):
            assert x.grad is None
            assert x.creator is None


def test_the_guide_lists_every_case():
    rows = {
        line.split("|")[1].strip()
        for line in DOC.read_text().splitlines()
        if line.startswith("| ")
    }
    missing = [c.name for c in CASES if c.name not in rows]
    assert not missing, f"docs/bad_input.md has no row for {missing}"


# -- mixed libraries and mixed devices ------------------------------------------------

PAIRS = [("numpy", "torch"), ("numpy", "array_api_strict"), ("torch", "numpy")]


@pytest.mark.parametrize(("first", "second"), PAIRS)
@pytest.mark.parametrize("op", [F.add, F.matmul, F.linear])
def test_inputs_of_two_libraries_name_both_and_the_move(first, second, op):
    a, b = backends.get(first), backends.get(second)
    for lib in (a, b):
        if not lib.is_available():
            pytest.skip(lib.unavailable_reason())
    x, W = a.from_numpy(ones(2, 2)), b.from_numpy(ones(2, 2))
    with pytest.raises(TypeError) as info:
        op(x, W)
    pattern = (
        rf"^\w+: inputs come from different array libraries: input 0 is {first} "
        rf"\(shape \(2, 2\)\), input 1 is {second} \(shape \(2, 2\)\)\. Move one "
        rf"with `x = x\.to_device\('{first}'\)`"
    )
    assert re.match(pattern, str(info.value)), str(info.value)
    assert_raised_by_xgrad(info, op.__name__)


def _strict_on(device: str, a: np.ndarray) -> Any:
    strict = backends.get("array_api_strict")
    if not strict.is_available():
        pytest.skip(strict.unavailable_reason())
    return strict.from_numpy(a, strict.native_device(device))


@pytest.mark.parametrize(
    ("name", "op", "shapes"),
    [
        ("Add", F.add, [(2, 3), (2, 3)]),
        ("MatMul", F.matmul, [(2, 3), (3, 4)]),
        ("Linear", F.linear, [(2, 3), (3, 4)]),
        ("Conv2d", F.conv2d, [(1, 3, 5, 5), (2, 3, 3, 3)]),
        ("Concat", lambda x, y: F.concat([x, y]), [(2, 3), (2, 3)]),
    ],
)
def test_inputs_on_two_devices_name_both_and_the_move(name, op, shapes):
    x = _strict_on("device1", np.ones(shapes[0]))
    w = _strict_on("device2", np.ones(shapes[1]))
    before = _arrays([x, w])
    with pytest.raises(ValueError, match=rf"^{name}: inputs live on") as info:
        op(x, Variable(w))
    message = str(info.value)
    assert message.startswith(
        f"{name}: inputs live on different devices: input 0 (shape {shapes[0]}) on "
        f"array_api_strict:device1, input 1 (shape {shapes[1]}) on "
        f"array_api_strict:device2. Move one, e.g. "
        f"`x = x.to_device('array_api_strict:device1')`"
    ), message
    assert_raised_by_xgrad(info, name)
    assert_unchanged(before)


def test_a_layer_fed_from_another_device_names_both():
    layer = L.Linear(4)
    layer(Variable(_strict_on("device1", ones(2, 3))))
    W = np.array(backends.get("array_api_strict").to_numpy(layer.W.data), copy=True)
    with pytest.raises(ValueError, match=r"^Linear: inputs live on different") as info:
        layer(_strict_on("device2", ones(2, 3)))
    assert "array_api_strict:device2" in str(info.value)
    assert "array_api_strict:device1" in str(info.value)
    assert_raised_by_xgrad(info, "Linear")
    np.testing.assert_array_equal(
        backends.get("array_api_strict").to_numpy(layer.W.data), W
    )


# -- layers: the wrong input size after lazy initialisation ----------------------------


def _weights(layer: L.Layer) -> list[tuple[Any, np.ndarray]]:
    return _arrays([p for p in layer.params() if p.data is not None])


@pytest.mark.parametrize(
    ("make", "first", "second", "message"),
    [
        (
            lambda: L.Linear(4),
            (2, 3),
            (2, 5),
            (
                r"Linear: W \(3, 4\) was made for 3 input features \(given at "
                r"construction or learnt from the first input\), got x of shape "
                r"\(2, 5\) with 5; pass inputs with 3 input features, or use a new "
                r"Linear for 5"
            ),
        ),
        (
            lambda: L.Linear(4, in_size=3),
            None,
            (2, 5),
            r"Linear: W \(3, 4\) was made for 3 input features",
        ),
        (
            lambda: L.Linear(4),
            (2, 3),
            (3,),
            r"Linear: takes \(N, in_size\), got x of shape \(3,\); add a batch axis",
        ),
        (
            lambda: L.Conv2d(4, 3),
            (1, 3, 5, 5),
            (1, 2, 5, 5),
            (
                r"Conv2d: W \(4, 3, 3, 3\) was made for 3 input channels .*got x of "
                r"shape \(1, 2, 5, 5\) with 2; pass inputs with 3 input channels, or "
                r"use a new Conv2d for 2"
            ),
        ),
        (
            lambda: L.Conv2d(4, 3),
            (1, 3, 5, 5),
            (3, 5, 5),
            (
                r"Conv2d: takes \(N, C, H, W\) images, got x of shape \(3, 5, 5\); "
                r"add a batch axis: x\[None\]"
            ),
        ),
        (
            lambda: L.Deconv2d(4, 3),
            (1, 2, 5, 5),
            (1, 3, 5, 5),
            r"Deconv2d: W \(2, 4, 3, 3\) was made for 2 input channels",
        ),
    ],
    ids=["Linear", "Linear-in_size", "Linear-1d", "Conv2d", "Conv2d-3d", "Deconv2d"],
)
def test_a_layer_called_with_the_wrong_size_says_what_it_was_made_for(
    make, first, second, message, backend, to_backend, device_spec
):
    with xgrad.default_device(device_spec):
        layer = make()
    if first is not None:
        layer(to_backend(np.ones(first, dtype=np.float32)))
    before = _weights(layer)
    x = to_backend(np.ones(second, dtype=np.float32))
    with pytest.raises(ValueError, match="^" + message) as info:
        layer(x)
    assert_raised_by_xgrad(info, type(layer).__name__)
    assert_unchanged(before + _arrays([x]))


def test_a_lazy_layer_left_unbuilt_by_a_bad_first_input(to_backend):
    layer = L.Linear(4)
    with pytest.raises(ValueError, match=r"^Linear: takes \(N, in_size\)"):
        layer(to_backend(ones(3)))
    assert layer.W.data is None
    assert layer.in_size is None
    layer(to_backend(ones(2, 3)))
    assert layer.W.shape == (3, 4)


# -- integer and complex input: the rule ----------------------------------------------

FLOAT_OPS = [
    F.exp,
    F.log,
    F.sin,
    F.cos,
    F.tan,
    F.tanh,
    F.sqrt,
    F.sigmoid,
    F.softmax,
    F.log_softmax,
    lambda x: F.pow(x, 0.5),
    lambda x: F.leaky_relu(x, 0.1),
    lambda x: F.logsumexp(x, axis=1),
    lambda x: F.average_pooling(F.reshape(x, (1, 1, 2, 3)), (2, 1)),
]


@pytest.mark.parametrize("op", FLOAT_OPS)
@pytest.mark.parametrize("dtype", [np.int64, np.int8, np.uint8, np.bool_])
def test_integer_input_to_a_float_op_becomes_the_default_float(
    op, dtype, backend, to_backend, device
):
    a = np.array([[1, 2, 3], [4, 5, 6]]).astype(dtype)
    x = to_backend(a)
    before = _arrays([x])
    y = op(x)
    assert y.dtype == backend.default_float(device)
    expected = op(to_backend(a.astype(np.float64))).data
    np.testing.assert_allclose(
        backend.to_numpy(y.data), backend.to_numpy(expected), rtol=1e-6
    )
    assert_unchanged(before)


def test_mean_squared_error_of_integers_is_floating(backend, to_backend, device):
    x = Variable(to_backend(np.array([1, 2, 3])))
    loss = F.mean_squared_error(x, to_backend(np.array([0, 0, 0])))
    assert loss.dtype == backend.default_float(device)
    assert float(backend.to_numpy(loss.data)) == pytest.approx(14 / 3)
    loss.backward()
    np.testing.assert_allclose(backend.to_numpy(x.grad.data), [2 / 3, 4 / 3, 2.0])


def test_integer_input_on_a_device_without_float64_becomes_float32():
    x = _strict_on("no_float64", np.array([1, 2], dtype=np.int32))
    y = F.log(x)
    assert str(y.dtype) == "array_api_strict.float32"
    assert str(y.device) == "array_api_strict:no_float64"


def test_the_gradient_of_an_integer_variable_is_floating(backend, to_backend, device):
    x = Variable(to_backend(np.array([1, 2, 4])))
    F.sum(F.log(x)).backward()
    assert x.grad.dtype == backend.default_float(device)
    np.testing.assert_allclose(backend.to_numpy(x.grad.data), [1.0, 0.5, 0.25])


@pytest.mark.parametrize("op", [F.relu, F.max, F.sum, lambda x: F.mul(x, x)])
def test_exact_ops_keep_integers(op, backend, to_backend):
    x = to_backend(np.array([[1, -2], [3, 4]]))
    assert op(x).dtype == x.dtype


def test_integer_matmul_keeps_integers_or_names_the_missing_kernel(backend, to_backend):
    x = to_backend(np.array([[1, -2], [3, 4]]))
    try:
        backend.xp.matmul(x, x)
    except NotImplementedError:  # PyTorch on CUDA has no integer matrix product
        with pytest.raises(NotImplementedError, match=r"^MatMul: .*int64.*supports"):
            F.matmul(x, x)
    else:
        assert F.matmul(x, x).dtype == x.dtype


def test_a_kernel_the_library_lacks_is_named_with_the_inputs(monkeypatch):
    def integer_matmul_on_this_device(a, b):
        raise NotImplementedError("\"addmm_cuda\" not implemented for 'Long'")

    monkeypatch.setattr(
        backends.get("numpy").xp, "matmul", integer_matmul_on_this_device
    )
    with pytest.raises(NotImplementedError) as info:
        F.matmul(np.ones((2, 3), dtype=np.int64), np.ones((3, 4), dtype=np.int64))
    message = str(info.value)
    assert message.startswith("MatMul: the array library cannot compute this")
    assert "input 0: shape (2, 3) int64, input 1: shape (3, 4) int64" in message
    assert "addmm_cuda" in message
    assert "the library's limit: use a dtype or device it supports" in message
    assert info.value.__suppress_context__  # the library's traceback is dropped


@pytest.mark.parametrize("op", [F.exp, F.log, F.sin, lambda x: F.sum(F.mul(x, x))])
def test_complex_input_is_computed_where_values_are_not_compared(
    op, backend, to_backend
):
    a = np.array([1 + 1j, 2 - 0.5j])
    y = op(to_backend(a))
    assert np.iscomplexobj(backend.to_numpy(y.data))


def test_integer_logits_become_floating_in_the_losses(backend, to_backend, device):
    x = to_backend(np.array([[2, 0, 1], [0, 3, 0]]))
    t = np.array([0, 1])
    loss = F.softmax_cross_entropy(x, t)
    assert loss.dtype == backend.default_float(device)
    ref = F.softmax_cross_entropy(to_backend(np.array([[2.0, 0, 1], [0, 3, 0]])), t)
    np.testing.assert_allclose(
        float(backend.to_numpy(loss.data)), float(backend.to_numpy(ref.data)), 1e-6
    )
    p = to_backend(np.array([1, 0]))
    assert F.binary_cross_entropy(p, p).dtype == backend.default_float(device)


# -- backward: the seed of a non-scalar, and a graph cut by unchain_backward ----------


def test_backward_of_a_non_scalar_is_the_gradient_of_its_sum(backend, to_backend):
    a = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    x = Variable(to_backend(a))
    y = x * x
    y.backward()
    x_sum = Variable(to_backend(a))
    F.sum(x_sum * x_sum).backward()
    np.testing.assert_array_equal(backend.to_numpy(x.grad.data), 2 * a)
    np.testing.assert_array_equal(
        backend.to_numpy(x.grad.data), backend.to_numpy(x_sum.grad.data)
    )


def test_a_seed_set_before_backward_is_used(backend, to_backend):
    x = Variable(to_backend(np.array([1.0, 2.0])))
    y = x * x
    y.grad = Variable(to_backend(np.array([1.0, 0.0])))
    y.backward()
    np.testing.assert_array_equal(backend.to_numpy(x.grad.data), [2.0, 0.0])


def test_backward_after_unchain_backward_reaches_only_the_last_functions_inputs(
    backend, to_backend
):
    x = Variable(to_backend(np.array([1.0, 2.0])))
    h = F.tanh(x) * 3.0
    loss = F.sum(h * h)
    loss.backward()
    first = backend.to_numpy(x.grad.data).copy()
    loss.unchain_backward()
    x.cleargrad()
    h.cleargrad()
    loss.backward()  # allowed: truncated BPTT backpropagates through old losses
    assert x.grad is None  # behind the cut: no gradient, not a stale one
    assert h.creator is None  # the cut Variables are leaves now
    tail = loss.creator.inputs[0]  # h * h: still connected to loss
    np.testing.assert_allclose(
        backend.to_numpy(tail.grad.data), np.ones(2), rtol=0, atol=0
    )
    # Running the forward pass again builds a new graph with the full gradient.
    F.sum((F.tanh(x) * 3.0) ** 2).backward()
    np.testing.assert_allclose(backend.to_numpy(x.grad.data), first)
