"""Rows of the op table: the array API standard's elementwise functions
(trigonometric, logarithms, magnitudes, rounding) and ``clip`` with array
bounds (gathered in table.py). Special values, integer input and errors:
tests/test_elementwise_standard.py."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

import xgrad.functions as F

from .case import OpCase, ex
from .inputs import given, rand, rand_between, rand_nonzero, rand_positive
from .strategies import (
    AWAY_FROM_0,
    KINKED,
    NONZERO,
    POSITIVE,
    SCALAR,
    W,
    elementwise,
    reals,
    uniform,
)
from .strategies_elementwise import STEPS, clip_bounds_case, division_case
from .strategies_ops import clip_case

X23 = rand((2, 3))
INSIDE_1 = rand((2, 3), low=-0.9, high=0.9)  # acos, asin, atanh: inside (-1, 1)
PAIR = rand((2, 3), (3,))
NONZERO_PAIR = rand_nonzero((2, 3), (3,))
DIVISION = rand_between((2, 3), (3,), lows=(-5.0, 0.7), highs=(5.0, 1.9))
NEAR_1 = uniform(-0.9, 0.9)


def unary(name: str, numpy: Callable[..., Any], examples, fuzz) -> OpCase:
    """A row ``F.<name>(x)`` with PyTorch's ``x.<name>()`` as a second opinion."""
    return OpCase(name, getattr(F, name), numpy, examples, fuzz,
                  torch=lambda x: getattr(x, name)())  # fmt: skip


def binary(name: str, numpy: Callable[..., Any], examples, fuzz) -> OpCase:
    """A row ``F.<name>(x1, x2)`` with PyTorch's ``x1.<name>(x2)``."""
    return OpCase(name, getattr(F, name), numpy, examples, fuzz,
                  torch=lambda a, b: getattr(a, name)(b))  # fmt: skip


def scalar(name: str, numpy: Callable[..., Any], x, c, first: bool = False) -> OpCase:
    """A row with a Python float on one side: ``F.<name>(x, c)`` (``c`` first if
    ``first``), the scalar weak (float32 stays float32)."""
    f = getattr(F, name)
    if first:
        return OpCase(f"{name}_scalar_first", lambda x, c: f(c, x),
                      lambda x, c: numpy(c, x), fuzz=elementwise(x, c=c))  # fmt: skip
    return OpCase(f"{name}_scalar", lambda x, c: f(x, c),
                  lambda x, c: numpy(x, c), fuzz=elementwise(x, c=c))  # fmt: skip


def torch_clamp(x, lo=None, hi=None):
    return x.clamp(lo, hi)


CASES = [
    # inverse trigonometric and hyperbolic (xgrad/functions/trigonometric.py)
    unary("acos", np.arccos, [ex(INSIDE_1)], elementwise(NEAR_1)),
    unary("asin", np.arcsin, [ex(INSIDE_1)], elementwise(NEAR_1)),
    unary("atan", np.arctan, [ex(X23)], elementwise(W)),
    binary("atan2", np.arctan2, [
        ex(PAIR),
        ex(given([1.0, 1.0, -1.0, -1.0, 2.0], [2.0, -2.0, 2.0, -2.0, -1e-3]),
           "quadrants"),
    ], elementwise(AWAY_FROM_0, uniform(-1e3, 1e3))),
    scalar("atan2", np.arctan2, AWAY_FROM_0, SCALAR),
    scalar("atan2", np.arctan2, uniform(-1e3, 1e3), reals(0.5, 1e3), first=True),
    unary("sinh", np.sinh, [ex(X23)], elementwise(uniform(-30.0, 30.0))),
    unary("cosh", np.cosh, [ex(X23)], elementwise(uniform(-30.0, 30.0))),
    unary("acosh", np.arccosh, [ex(rand((2, 3), low=1.2, high=3.0))],
          elementwise(uniform(1.1, 1e6))),
    unary("asinh", np.arcsinh, [ex(X23)], elementwise(W)),
    unary("atanh", np.arctanh, [ex(INSIDE_1)], elementwise(NEAR_1)),
    # logarithms (xgrad/functions/logarithms.py)
    unary("log2", np.log2, [ex(rand_positive((2, 3)))], elementwise(POSITIVE)),
    unary("log10", np.log10, [ex(rand_positive((2, 3)))], elementwise(POSITIVE)),
    binary("logaddexp", np.logaddexp, [
        ex(PAIR),
        ex(given([1000.0, -1000.0, 5.0, 0.0], [1000.5, -999.0, -700.0, 0.0]), "large"),
    ], elementwise(uniform(-1e3, 1e3), uniform(-1e3, 1e3))),
    scalar("logaddexp", np.logaddexp, uniform(-1e3, 1e3), SCALAR),
    # magnitudes and signs (xgrad/functions/magnitudes.py)
    binary("hypot", np.hypot, [ex(PAIR)], elementwise(AWAY_FROM_0, W)),
    scalar("hypot", np.hypot, W, reals(0.5, 1e3), first=True),
    binary("copysign", np.copysign, [ex(NONZERO_PAIR)],
           elementwise(AWAY_FROM_0, AWAY_FROM_0)),
    scalar("copysign", np.copysign, AWAY_FROM_0, NONZERO),
    scalar("copysign", np.copysign, AWAY_FROM_0, NONZERO, first=True),
    unary("reciprocal", np.reciprocal, [ex(rand_nonzero((2, 3)))],
          elementwise(AWAY_FROM_0)),
    # step functions: zero gradient (xgrad/functions/rounding.py)
    unary("floor", np.floor, [ex(rand((2, 3), low=-3.0, high=3.0))], STEPS),
    unary("ceil", np.ceil, [ex(rand((2, 3), low=-3.0, high=3.0))], STEPS),
    unary("trunc", np.trunc, [ex(rand((2, 3), low=-3.0, high=3.0))], STEPS),
    unary("round", np.round, [ex(rand((2, 3), low=-3.0, high=3.0))], STEPS),
    unary("sign", np.sign, [ex(rand_nonzero((2, 3)))], KINKED),
    binary("remainder", np.remainder, [
        ex(DIVISION), ex(given([5.5, -5.5, 7.25], [-2.0, 3.0, 2.0]), "signs"),
    ], division_case()),
    OpCase("remainder_scalar", lambda x, c: F.remainder(x, c),
           lambda x, c: np.remainder(x, c), fuzz=division_case(scalar=1)),
    OpCase("remainder_scalar_first", lambda x, c: F.remainder(c, x),
           lambda x, c: np.remainder(c, x), fuzz=division_case(scalar=0)),
    # PyTorch has no derivative of floor_divide: central differences only
    OpCase("floor_divide", F.floor_divide, np.floor_divide, [ex(DIVISION)],
           division_case()),
    # clip with array bounds that broadcast, gradients to the bounds too
    OpCase("clip_arrays", F.clip, np.clip, [
        ex(given([[-1.5, 0.25, 0.75, 3.0], [2.0, -2.0, 0.1, 2.25]],
                 [-1.0, 0.0, 0.5, -1.0], [[1.0], [2.5]])),
    ], clip_bounds_case(), torch=torch_clamp),
    OpCase("clip_array_max", lambda x, hi: F.clip(x, max=hi),
           lambda x, hi: np.clip(x, None, hi),
           [ex(given([[-1.0, 0.25, 3.0], [-1.0, 2.5, 1.0]], [[0.5], [2.0]]))],
           clip_bounds_case("max"), torch=lambda x, hi: x.clamp(max=hi)),
    OpCase("clip_array_min_scalar_max", lambda x, lo, c: F.clip(x, lo, c),
           lambda x, lo, c: np.clip(x, lo, c),
           [ex(given([-1.0, 0.25, 3.0], [-0.5, 0.0, 0.5]), c=2.0)],
           clip_bounds_case("min", scalar_max=True)),
    OpCase("clip_keywords", lambda x, x_min, x_max: F.clip(x, min=x_min, max=x_max),
           lambda x, x_min, x_max: np.clip(x, x_min, x_max),
           [ex(given([-1.5, 0.25, 3.0]), x_min=-1.0, x_max=None)], clip_case()),
]  # fmt: skip
