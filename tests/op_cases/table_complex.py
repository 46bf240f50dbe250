"""Rows of the op table on complex input (gathered in table.py): the ops whose
domain admits complex numbers, checked under xgrad's convention (docs/complex.md)
against complex128 central differences and PyTorch's complex autograd.

Values keep both parts away from 0, so no row meets a branch cut (they lie
on the axes) or the kink of ``abs`` at 0. A real input beside a complex one
(``mul``, ``add``, ``matmul`` of mixed dtypes) gets a real gradient: the
real part.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from hypothesis import strategies as st

import xgrad.functions as F

from .case import Arrays, OpCase, ex
from .strategies import elementwise, signed


def complex_away(
    *shapes: tuple[int, ...], low: float = 0.3, high: float = 1.5
) -> Arrays:
    """Complex values whose real and imaginary parts both have |.| in [low, high]."""

    def arrays(rng: np.random.Generator) -> list[np.ndarray]:
        def part(shape: tuple[int, ...]) -> np.ndarray:
            return rng.uniform(low, high, shape) * rng.choice([-1.0, 1.0], shape)

        return [part(s) + 1j * part(s) for s in shapes]

    return arrays


def real_and_complex(real: tuple[int, ...], complex_: tuple[int, ...]) -> Arrays:
    """A real array and a complex one (a mixed real/complex op)."""
    return lambda rng: [rng.uniform(-2, 2, real), *complex_away(complex_)(rng)]


def complex_values(low: float = 0.3, high: float = 1e2) -> Callable[[Any], Any]:
    """Drawn complex arrays whose parts both have |.| in [low, high]."""

    def draw(shape):
        parts = st.tuples(signed(low, high)(shape), signed(low, high)(shape))
        return parts.map(lambda p: np.asarray(p[0] + 1j * p[1]))

    return draw


Z = complex_away((2, 3))
ZZ = complex_away((2, 3), (3,))
COMPLEX = elementwise(complex_values())


def unary(name: str, numpy: Callable[..., Any], **fields: Any) -> OpCase:
    """``F.<name>`` on complex input, PyTorch's ``torch.<name>`` beside it."""
    return OpCase(f"{name} of complex", getattr(F, name), numpy, [ex(Z)],
                  torch=lambda x: getattr(x, name)(), **fields)  # fmt: skip


CASES = [
    # the complex parts: differentiable, and each with a fuzz strategy
    OpCase("real", F.real, np.real, [ex(Z)], COMPLEX, torch=lambda z: z.real * 1),
    OpCase("imag", F.imag, np.imag, [ex(Z)], COMPLEX, torch=lambda z: z.imag * 1),
    OpCase("conj", F.conj, np.conj, [ex(Z)], COMPLEX,
           torch=lambda z: z.conj_physical()),
    # holomorphic functions: the gradient is gy * conj(f'(z))
    *(unary(name, numpy) for name, numpy in [
        ("exp", np.exp), ("log", np.log), ("sin", np.sin), ("cos", np.cos),
        ("tan", np.tan), ("tanh", np.tanh), ("sqrt", np.sqrt), ("square", np.square),
        ("sigmoid", lambda z: 1 / (1 + np.exp(-z))), ("expm1", np.expm1),
        ("log1p", np.log1p), ("acos", np.arccos), ("asin", np.arcsin),
        ("atan", np.arctan), ("acosh", np.arccosh), ("asinh", np.arcsinh),
        ("atanh", np.arctanh), ("sinh", np.sinh), ("cosh", np.cosh),
        ("log2", np.log2), ("log10", np.log10), ("reciprocal", np.reciprocal),
    ]),
    # abs: gy * z / |z| (0 at 0); sign, z / |z|: (gy - conj(gy) w**2) / (2 |z|)
    OpCase("abs of complex", F.abs, np.abs, [ex(Z)], torch=lambda z: z.abs()),
    OpCase("sign of complex", F.sign, np.sign, [ex(Z)], torch=lambda z: z.sgn()),
    OpCase("mul of complex", F.mul, np.multiply, [ex(ZZ)], torch=lambda a, b: a * b),
    OpCase("div of complex", F.div, np.divide, [ex(ZZ)], torch=lambda a, b: a / b),
    OpCase("pow of complex", lambda z: z ** (2 - 0.5j), lambda z: z ** (2 - 0.5j),
           [ex(Z)], torch=lambda z: z ** (2 - 0.5j)),
    OpCase("power of complex", F.pow, np.power, [ex(ZZ)], torch=lambda a, b: a**b),
    OpCase("constants with complex", lambda z: (2 - 1j) / (z * (1 + 3j) - 0.5j),
           lambda z: (2 - 1j) / (z * (1 + 3j) - 0.5j), [ex(Z)],
           torch=lambda z: (2 - 1j) / (z * (1 + 3j) - 0.5j)),
    OpCase("matmul of complex", F.matmul, np.matmul,
           [ex(complex_away((2, 3), (3, 2)))], torch=lambda a, b: a @ b),
    OpCase("linear of complex", F.linear, lambda x, W, b: x @ W + b,
           [ex(complex_away((2, 3), (3, 2), (2,)))],
           torch=lambda x, W, b: x @ W + b),
    OpCase("prod of complex", F.prod, np.prod, [ex(Z)], torch=lambda z: z.prod()),
    OpCase("cumulative_prod of complex",
           lambda z: F.cumulative_prod(z, axis=1), lambda z: np.cumprod(z, axis=1),
           [ex(Z)], torch=lambda z: z.cumprod(dim=1)),
    OpCase("vecdot of complex", F.vecdot, lambda a, b: np.sum(np.conj(a) * b, -1),
           [ex(ZZ)], torch=lambda a, b: (a.conj() * b).sum(-1)),
    OpCase("mean_squared_error of complex", F.mean_squared_error,
           lambda a, b: np.sum((a - b) ** 2) / len(a), [ex(complex_away((2, 3), (2, 3)))]),
    # a real operand of a mixed op gets the real part of its gradient
    OpCase("mul of real and complex", F.mul, np.multiply,
           [ex(real_and_complex((2, 3), (3,)))], torch=lambda a, b: a * b),
    OpCase("add of real and complex", F.add, np.add,
           [ex(real_and_complex((3,), (2, 3)))], torch=lambda a, b: a + b),
    OpCase("matmul of real and complex", F.matmul, np.matmul,
           [ex(real_and_complex((2, 3), (3, 2)))], torch=lambda a, b: a.to(b.dtype) @ b),
    OpCase("abs of exp of complex", lambda z: F.abs(F.exp(z)),
           lambda z: np.abs(np.exp(z)), [ex(Z)], torch=lambda z: z.exp().abs()),
]  # fmt: skip
