"""Fixed inputs for the examples of the op table: functions of a seeded generator.

Each returns ``rng -> [arrays]``, one array per shape, at points where central
differences are meaningful (kinks and poles out of reach of their step).
"""

from __future__ import annotations

import numpy as np

from .case import Arrays


def rand(*shapes: tuple[int, ...], low: float = -2.0, high: float = 2.0) -> Arrays:
    return lambda rng: [rng.uniform(low, high, s) for s in shapes]


def rand_nonzero(
    *shapes: tuple[int, ...], low: float = 0.3, high: float = 2.0
) -> Arrays:
    """Values with |x| in [low, high]: keeps kinks and poles out of reach of eps."""
    return lambda rng: [
        rng.uniform(low, high, s) * rng.choice([-1.0, 1.0], s) for s in shapes
    ]


def rand_positive(
    *shapes: tuple[int, ...], low: float = 0.5, high: float = 2.0
) -> Arrays:
    return rand(*shapes, low=low, high=high)


def rand_labels(shape: tuple[int, int]) -> Arrays:
    """Logits of ``shape`` (N, C) and N integer class labels."""
    return lambda rng: [rng.uniform(-2, 2, shape), rng.integers(0, shape[1], shape[0])]


def rand_ids(shape: tuple[int, ...], table: tuple[int, int]) -> Arrays:
    """Integer ids of ``shape`` into the rows of a ``table`` (V, D), and the table."""
    return lambda rng: [rng.integers(0, table[0], shape), rng.uniform(-2, 2, table)]


def rand_binary(shape: tuple[int, ...], low: float = -2.0, high: float = 2.0) -> Arrays:
    """Values in [low, high] and 0/1 targets of the same shape."""
    return lambda rng: [rng.uniform(low, high, shape), rng.integers(0, 2, shape)]


def rand_distinct(
    shape: tuple[int, ...], step: float = 0.1, low: float = -2.0
) -> Arrays:
    """Evenly spaced distinct values in random order: max pooling without ties."""
    size = int(np.prod(shape))
    return lambda rng: [low + step * rng.permutation(size).reshape(shape)]


def rand_masked(shape: tuple[int, ...]) -> Arrays:
    """Nonzero values and the mask of the positive ones: ``[x, x > 0]``."""

    def arrays(rng: np.random.Generator) -> list[np.ndarray]:
        (x,) = rand_nonzero(shape)(rng)
        return [x, x > 0]

    return arrays


def rand_where(shape: tuple[int, ...], other: tuple[int, ...]) -> Arrays:
    """``[x > 0, x, y]``: a condition taken from nonzero ``x``, and ``y``."""

    def arrays(rng: np.random.Generator) -> list[np.ndarray]:
        x, y = rand_nonzero(shape, other)(rng)
        return [x > 0, x, y]

    return arrays


def rand_between(
    *shapes: tuple[int, ...], lows: tuple[float, ...], highs: tuple[float, ...]
) -> Arrays:
    """One array per shape, each uniform in its own [low, high]."""
    return lambda rng: [
        rng.uniform(lo, hi, s) for s, lo, hi in zip(shapes, lows, highs, strict=True)
    ]


def given(*arrays: np.ndarray) -> Arrays:
    """These exact arrays (a kink placed on purpose, for example)."""
    return lambda rng: [np.array(a) for a in arrays]
