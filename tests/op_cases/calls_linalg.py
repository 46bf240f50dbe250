"""The linear-algebra calls of the op table, written once for three libraries.

A decomposition's row differentiates a function of its input that is unique
where the decomposition is not: Cholesky of ``x @ x^T`` (symmetric positive
definite for any invertible ``x``), eigenvectors and singular vectors
through their squares (a column's sign is arbitrary), and the symmetric part
of ``x`` for ``eigh`` (only one triangle is read). Each call is spelled once,
over a :class:`Lib`: xgrad (the row), NumPy (the reference), PyTorch (the
second opinion).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

import xgrad.functions as F


@dataclass(frozen=True)
class Lib:
    """The few operations a call needs, in one library's spelling."""

    linalg: Any  # solve, inv, det, ... with the standard's names
    matmul: Any
    mT: Any


XG = Lib(F, F.matmul, F.matrix_transpose)
NP = Lib(np.linalg, np.matmul, lambda x: np.swapaxes(x, -1, -2))


def torch_module() -> Any:
    """PyTorch, imported when a torch reference runs (torch is optional)."""
    import torch

    return torch


def torch_lib() -> Lib:
    """PyTorch's spelling of the calls."""
    torch = torch_module()
    return Lib(torch.linalg, torch.matmul, lambda x: x.mT)


def sym(lib: Lib, x: Any) -> Any:
    return 0.5 * (x + lib.mT(x))


def cholesky(lib: Lib, x: Any, upper: bool = False) -> Any:
    return lib.linalg.cholesky(lib.matmul(x, lib.mT(x)), upper=upper)


def signed_logdet(lib: Lib, x: Any) -> Any:
    sign, logabsdet = lib.linalg.slogdet(x)
    return sign * logabsdet


def eigh(lib: Lib, x: Any) -> Any:
    """``w[j] * V[i, j]**2``: eigenvalues and eigenvectors, signs cancelled."""
    w, v = lib.linalg.eigh(sym(lib, x))
    return w[..., None, :] * (v * v)


def eigvalsh(lib: Lib, x: Any) -> Any:
    return lib.linalg.eigvalsh(sym(lib, x))


def svd(lib: Lib, x: Any) -> Any:
    """``sum_k U[i, k]**2 S[k] Vh[k, j]**2``: every output of the thin SVD."""
    u, s, vh = lib.linalg.svd(x, full_matrices=False)
    return lib.matmul(u * u, s[..., :, None] * (vh * vh))


def svd_values_only(lib: Lib, x: Any) -> Any:
    """The singular values through ``svd``'s default, full_matrices=True."""
    return lib.linalg.svd(x)[1]


def qr(lib: Lib, x: Any) -> Any:
    """``Q**2 @ R**2``: both factors of the reduced QR decomposition, with the
    signs of the pairs of a column of Q and a row of R cancelled."""
    q, r = lib.linalg.qr(x)
    return lib.matmul(q * q, r * r)


def torch_cross(a: Any, b: Any, axis: int = -1) -> Any:
    """PyTorch's cross product, which wants its inputs broadcast first."""
    torch = torch_module()
    return torch.linalg.cross(*torch.broadcast_tensors(a, b), dim=axis)
