"""The named tuples of the standard's linalg extension, as xgrad returns them.

``slogdet``, ``qr``, ``eigh`` and ``svd`` return several arrays; the standard
names them, and these tuples of Variables carry the same names, so
``F.svd(x).S`` and ``u, s, vh = F.svd(x)`` both read as in NumPy and PyTorch.
"""

from __future__ import annotations

from typing import NamedTuple

from ..core import Variable


class SlogdetResult(NamedTuple):
    """``slogdet``'s result: the sign of the determinant and the log of its size."""

    sign: Variable
    logabsdet: Variable


class QRResult(NamedTuple):
    """``qr``'s result: ``Q`` with orthonormal columns and upper-triangular ``R``."""

    Q: Variable
    R: Variable


class EighResult(NamedTuple):
    """``eigh``'s result: eigenvalues in ascending order and the eigenvectors,
    one per column."""

    eigenvalues: Variable
    eigenvectors: Variable


class SVDResult(NamedTuple):
    """``svd``'s result: ``x = U @ (S[..., None] * Vh)``, ``S`` descending."""

    U: Variable
    S: Variable
    Vh: Variable
