"""Rows of the op table: the linear-algebra functions of the standard's
``linalg`` extension (gathered in table.py).

Decompositions are checked through the calls of calls_linalg.py, which are
unique where the decompositions are not; each row compares with NumPy and,
through the same call spelled with ``torch.linalg``, with PyTorch.
"""

from __future__ import annotations

import math

import numpy as np
from hypothesis import strategies as st

import xgrad.functions as F

from . import calls_linalg as L
from .calls_linalg import NP, XG, torch_cross, torch_lib, torch_module
from .case import OpCase, ex
from .inputs import rand
from .strategies_linalg import (
    diagonal_case,
    matrix_case,
    outer_case,
    solve_case,
    square_case,
    tensordot_case,
    vector_norm_case,
    vector_pair,
)


def well_conditioned(*shapes: tuple[int, ...]):
    """Random matrices plus twice the identity in their square part: invertible,
    with distinct singular values (and eigenvalues of the symmetric part)."""

    def arrays(rng: np.random.Generator) -> list[np.ndarray]:
        out = []
        for s in shapes:
            k = min(s[-2:])
            x = rng.uniform(-0.5, 0.5, s)
            x[..., range(k), range(k)] += np.arange(1, k + 1) * rng.choice([-1, 1], k)
            out.append(x)
        return out

    return arrays


def composed(call, **fixed):
    """A call of calls_linalg.py as a row: xgrad, NumPy and PyTorch spellings."""
    return {
        "func": lambda *xs, **kw: call(XG, *xs, **fixed, **kw),
        "reference": lambda *xs, **kw: call(NP, *xs, **fixed, **kw),
        "torch": lambda *xs, **kw: call(torch_lib(), *xs, **fixed, **kw),
    }


def row(name, call, examples, fuzz, **fixed) -> OpCase:
    return OpCase(name, examples=examples, fuzz=fuzz, **composed(call, **fixed))


def direct(name: str):
    """``linalg.<name>`` called as it is, in every library."""
    return lambda lib, *xs, **kw: getattr(lib.linalg, name)(*xs, **kw)


SQ = well_conditioned((3, 3))
STACK = well_conditioned((2, 3, 3))
ORDS = [2, 1, math.inf, -math.inf, 0, 3, 0.5, -1.5]
MATRIX_ORDS = ["fro", "nuc", 1, -1, 2, -2, math.inf, -math.inf]

CASES = [
    row("solve", direct("solve"), [
        ex(well_conditioned((2, 3, 3), (2, 3, 2))),
        ex(lambda rng: [*SQ(rng), rng.uniform(-1, 1, 3)], "vector"),
        ex(well_conditioned((3, 3), (2, 1, 3, 2)), "broadcast"),
    ], solve_case()),
    row("inv", direct("inv"), [ex(SQ), ex(STACK, "stack")], square_case()),
    row("det", direct("det"), [ex(SQ), ex(STACK, "stack")], square_case()),
    row("slogdet", L.signed_logdet, [ex(SQ), ex(STACK, "stack")], square_case()),
    row("cholesky", L.cholesky, [ex(STACK)], square_case()),
    row("cholesky_upper", L.cholesky, [ex(SQ)], square_case(), upper=True),
    row("qr", L.qr, [ex(well_conditioned((2, 4, 3))), ex(SQ, "square")],
        matrix_case(tall=True)),
    row("eigh", L.eigh, [ex(STACK)], square_case()),
    row("eigvalsh", L.eigvalsh, [ex(STACK)], square_case()),
    row("svd", L.svd, [
        ex(well_conditioned((2, 4, 3))), ex(well_conditioned((3, 5)), "wide"),
    ], matrix_case()),
    row("svd_values", L.svd_values_only, [ex(well_conditioned((4, 3)))], matrix_case()),
    row("svdvals", direct("svdvals"), [ex(well_conditioned((2, 4, 3)))], matrix_case()),
    row("pinv", direct("pinv"), [
        ex(well_conditioned((2, 4, 3))), ex(well_conditioned((3, 5)), "wide"),
    ], matrix_case()),
    row("matrix_power", lambda lib, x, n: lib.linalg.matrix_power(x, n), [
        ex(STACK, "cube", n=3), ex(SQ, "inverse_square", n=-2), ex(SQ, "zero", n=0),
    ], square_case(n=st.integers(-2, 3))),
    OpCase("vector_norm", F.vector_norm, np.linalg.vector_norm, [
        *(ex(rand((3, 4), low=0.2), f"ord{p}", axis=-1, ord=p) for p in ORDS[:4]),
        ex(rand((2, 3, 4)), "axes", axis=(0, 2), keepdims=True),
        ex(rand((2, 3)), "all"), ex(rand((3, 4)), "p3", ord=3, axis=0),
    ], vector_norm_case(),
        torch=lambda x, axis=None, keepdims=False, ord=2: torch_module().linalg.vector_norm(
            x, dim=axis, keepdim=keepdims, ord=ord)),
    OpCase("matrix_norm", F.matrix_norm, np.linalg.matrix_norm, [
        ex(well_conditioned((2, 3, 4)), f"{o}", ord=o) for o in MATRIX_ORDS
    ] + [ex(well_conditioned((3, 3)), "keepdims", keepdims=True, ord=1)],
        square_case(ord=st.sampled_from(MATRIX_ORDS), keepdims=st.booleans()),
        torch=lambda x, keepdims=False, ord="fro": torch_module().linalg.matrix_norm(
            x, keepdim=keepdims, ord=ord)),
    OpCase("diagonal", F.diagonal, lambda x, offset=0: np.diagonal(x, offset, -2, -1), [
        ex(rand((2, 3, 4))), ex(rand((3, 4)), "above", offset=1),
        ex(rand((2, 4, 3)), "below", offset=-2),
    ], diagonal_case(), torch=lambda x, offset=0: x.diagonal(offset, -2, -1)),
    OpCase("trace", F.trace, lambda x, offset=0: np.trace(x, offset, -2, -1), [
        ex(rand((2, 3, 4))), ex(rand((3, 3)), "offset", offset=-1),
    ], diagonal_case(), torch=lambda x, offset=0: x.diagonal(offset, -2, -1).sum(-1)),
    OpCase("vecdot", F.vecdot, lambda a, b, axis=-1: np.sum(a * b, axis=axis), [
        ex(rand((2, 3), (4, 1, 3))), ex(rand((3, 2), (3, 2)), "axis", axis=-2),
    ], vector_pair(), torch=lambda a, b, axis=-1: (a * b).sum(axis)),
    OpCase("outer", F.outer, np.outer, [ex(rand((3,), (4,)))], outer_case(),
           torch=lambda a, b: a[:, None] * b[None, :]),
    OpCase("cross", F.cross, lambda a, b, axis=-1: np.cross(a, b, axis=axis), [
        ex(rand((2, 3), (4, 1, 3))), ex(rand((3, 2), (3, 2)), "axis", axis=-2),
    ], vector_pair(length=3),
        torch=torch_cross),
    OpCase("tensordot", F.tensordot, np.tensordot, [
        ex(rand((2, 3, 4), (3, 4, 2))), ex(rand((2, 3), (3, 2)), "one", axes=1),
        ex(rand((2, 3, 4), (4, 2, 2)), "pairs", axes=((0, 2), (1, 0))),
    ], tensordot_case(), torch=lambda a, b, axes=2: torch_module().tensordot(a, b, dims=axes)),
]  # fmt: skip
