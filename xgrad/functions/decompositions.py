"""Matrix decompositions of stacks of matrices: cholesky, qr, eigh, svd.

Each forward pass calls the standard's ``linalg`` extension through the
backend; each backward pass uses xgrad functions on the outputs, so second
derivatives work. Gradients: Murray (2016) for Cholesky; for QR, the
reduced decomposition of a tall matrix (Walter and Lehmann; Liao et al.
2019); for eigh and svd, the usual perturbation formulas (Giles 2008,
Townsend 2016), valid where the eigenvalues (singular values) are distinct.
"""

from __future__ import annotations

from typing import Any, Literal

from .._errors import Unsupported
from ..core import Function, Variable
from .linalg import matmul
from .linalg_results import EighResult, QRResult, SVDResult
from .matrix_checks import MatrixFunction, identity, lower
from .shape import expand_dims, matrix_transpose
from .solvers import Solve


def _solve_right(x: Variable, r: Variable) -> Variable:
    """``x @ R^-T`` (``R`` invertible), as a transposed solve."""
    return matrix_transpose(Solve()(r, matrix_transpose(x)))


def _outputs(f: Function) -> list[Variable]:
    """``f``'s outputs as Variables, for its backward. An output the caller
    dropped (``eigh(x).eigenvectors`` keeps no eigenvalues) is gone: then the
    decomposition runs again on the input, which gives the same values."""
    outputs = [ref() for ref in f.outputs]
    if any(y is None for y in outputs):
        outputs = list(type(f)(*_options(f))(*f.inputs))
    return outputs  # type: ignore[return-value]  # none is None now


def _options(f: Function) -> tuple[Any, ...]:
    """The constructor arguments of decomposition ``f`` (its mode, if any)."""
    return tuple(vars(f)[key] for key in ("mode", "full_matrices") if key in vars(f))


def _rows_of(w: Variable) -> Variable:
    """``w`` (..., n) as a row (..., 1, n), to scale the columns of a matrix."""
    return expand_dims(w, -2)


def _gaps(w: Variable, eye: Variable) -> Variable:
    """``E[i, j] = w[j] - w[i]`` off the diagonal and 1 on it (a safe divisor)."""
    return _rows_of(w) - expand_dims(w, -1) + eye


def _skew(k: Variable) -> Variable:
    return k - matrix_transpose(k)


class Cholesky(MatrixFunction):
    function_name = "cholesky"

    def forward(self, x):
        return self.backend.linalg("cholesky")(x)

    def backward(self, gl):
        low = self.outputs[0]()
        lt = matrix_transpose(low)
        # Murray: S = L^-T phi(L^T gL) L^-1, phi = the lower triangle, half diagonal
        phi = matmul(lt, gl) * lower(self.backend, gl.data, gl.shape[-1], 0.5)
        s = matrix_transpose(Solve()(lt, matrix_transpose(Solve()(lt, phi))))
        return 0.5 * (s + matrix_transpose(s))  # symmetric, as the input is


class Qr(MatrixFunction):
    function_name = "qr"
    square = False

    def __init__(self, mode: str) -> None:
        self.mode = mode

    def forward(self, x):
        q, r = self.backend.linalg("qr")(x, mode=self.mode)
        return q, r

    def backward(self, gq, gr):
        (x,) = self.inputs
        m, n = x.shape[-2:]
        if m < n or (self.mode == "complete" and m != n):
            raise Unsupported(
                f"qr: the gradient is defined for mode='reduced' with M >= N "
                f"(Q then has orthonormal columns and R is invertible), got "
                f"shape {x.shape} with mode={self.mode!r}; use mode='reduced' "
                f"on a matrix with at least as many rows as columns (qr of the "
                f"transpose for a wide one)"
            )
        q, r = _outputs(self)
        # gA = (gQ + Q copyltu(M)) R^-T, M = R gR^T - gQ^T Q (Liao et al. 2019)
        mm = 0.0 if gr is None else matmul(r, matrix_transpose(gr))
        if gq is not None:
            mm = mm - matmul(matrix_transpose(gq), q)
        strict = mm * lower(self.backend, x.data, n, 0.0)
        diagonal = mm * identity(self.backend, x.data, n)
        b = matmul(q, strict + matrix_transpose(strict) + diagonal)
        return _solve_right(b if gq is None else b + gq, r)


class Eigh(MatrixFunction):
    function_name = "eigh"

    def forward(self, x):
        w, v = self.backend.linalg("eigh")(x)
        return w, v

    def backward(self, gw, gv):
        w, v = _outputs(self)
        eye = identity(self.backend, v.data, v.shape[-1])
        vt = matrix_transpose(v)
        inner = 0.0 if gw is None else _rows_of(gw) * eye  # diag(gw)
        if gv is not None:  # F o skew(V^T gV), F[i, j] = 1 / (w[j] - w[i])
            inner = inner + _skew(matmul(vt, gv)) / (2.0 * _gaps(w, eye))
        return matmul(matmul(v, inner), vt)


class Svd(MatrixFunction):
    function_name = "svd"
    square = False

    def __init__(self, full_matrices: bool) -> None:
        self.full_matrices = full_matrices

    def forward(self, x):
        u, s, vh = self.backend.linalg("svd")(x, full_matrices=self.full_matrices)
        return u, s, vh

    def backward(self, gu, gs, gvh):
        (x,) = self.inputs
        m, n = x.shape[-2:]
        if self.full_matrices and m != n and (gu is not None or gvh is not None):
            raise Unsupported(
                f"svd: with full_matrices=True the extra columns of U or rows of "
                f"Vh of a {m} by {n} matrix are not unique, so no gradient flows "
                f"through them; use full_matrices=False (the gradient through "
                f"S alone is defined either way)"
            )
        # S alone of a full decomposition: the thin one, whose U and Vh carry
        # second derivatives (the extra columns of the full ones cannot)
        thin = self.full_matrices and m != n
        u, s, vh = Svd(False)(x) if thin else _outputs(self)
        return _svd_grad(self.backend, u, s, vh, gu, gs, gvh)


class Eigvalsh(MatrixFunction):
    function_name = "eigvalsh"

    def forward(self, x):
        return self.backend.linalg("eigvalsh")(x)

    def backward(self, gw):
        v = eigh(self.inputs[0]).eigenvectors
        return matmul(v * _rows_of(gw), matrix_transpose(v))  # V diag(gw) V^T


class Svdvals(MatrixFunction):
    function_name = "svdvals"
    square = False

    def forward(self, x):
        return self.backend.linalg("svdvals")(x)

    def backward(self, gs):
        u, _, vh = svd(self.inputs[0], full_matrices=False)
        return matmul(u * _rows_of(gs), vh)  # U diag(gS) Vh


def _svd_grad(backend, u, s, vh, gu, gs, gvh):
    """Townsend's gradient of the thin SVD, written with xgrad functions."""
    eye = identity(backend, s.data, s.shape[-1])
    inner: Variable | float = 0.0 if gs is None else _rows_of(gs) * eye  # diag(gS)
    gaps = _gaps(s * s, eye)  # s[j]^2 - s[i]^2 off the diagonal
    column = expand_dims(s, -1)
    out: Variable | float = 0.0
    if gu is not None:
        ut_gu = matmul(matrix_transpose(u), gu)
        inner = inner + _skew(ut_gu) / gaps * _rows_of(s)
        out = (gu - matmul(u, ut_gu)) / _rows_of(s)  # the part outside U's span
        out = matmul(out, vh)
    if gvh is not None:
        vh_gv = matmul(vh, matrix_transpose(gvh))
        inner = inner + column * (_skew(vh_gv) / gaps)
        beyond = (gvh - matmul(matmul(gvh, matrix_transpose(vh)), vh)) / column
        out = out + matmul(u, beyond)  # the part outside V's span
    return matmul(matmul(u, inner), vh) + out


def cholesky(x: Any, /, *, upper: bool = False) -> Variable:
    """The Cholesky factor of each symmetric positive-definite matrix of a stack.

    Returns lower-triangular ``L`` with ``x = L @ L^T`` (``upper=True``: the
    upper-triangular ``U = L^T``, ``x = U^T @ U``). Only the lower triangle of
    ``x`` is read, as in NumPy and PyTorch; the gradient (Murray 2016) is
    symmetric, the gradient with respect to a symmetric matrix.
    """
    factor = Cholesky()(x)
    return matrix_transpose(factor) if upper else factor


def qr(x: Any, /, *, mode: Literal["reduced", "complete"] = "reduced") -> QRResult:
    """The QR decomposition of each matrix of a stack ``(..., M, N)``.

    Returns the named tuple ``(Q, R)``: ``Q`` with orthonormal columns and
    upper-triangular ``R``, ``x = Q @ R``; ``mode="complete"`` makes ``Q``
    square. The gradient is defined for ``mode="reduced"`` with ``M >= N``
    (and for a square ``x`` in either mode); elsewhere backward raises
    ``NotImplementedError``, since ``Q`` or ``R`` is not unique there.
    """
    if mode not in ("reduced", "complete"):
        raise ValueError(
            f"qr: mode must be 'reduced' or 'complete', got {mode!r}; the "
            f"standard has no other modes"
        )
    q, r = Qr(mode)(x)
    return QRResult(q, r)


def eigh(x: Any, /) -> EighResult:
    """Eigenvalues (ascending) and eigenvectors of each symmetric matrix of a stack.

    Returns the named tuple ``(eigenvalues, eigenvectors)``. Only the lower
    triangle is read. The gradient through the eigenvalues is always defined;
    through the eigenvectors it divides by the gaps between eigenvalues, so
    it needs distinct ones: for a repeated eigenvalue the eigenvectors are
    not unique and their gradient is infinite (NaN or inf, as in PyTorch),
    unless the loss depends on them only through their span.
    """
    w, v = Eigh()(x)
    return EighResult(w, v)


def eigvalsh(x: Any, /) -> Variable:
    """The eigenvalues (ascending) of each symmetric matrix of a stack.

    Its gradient, ``V diag(gw) V^T``, is defined for repeated eigenvalues too
    (backward computes the eigenvectors ``V`` then, with :func:`eigh`).
    """
    return Eigvalsh()(x)


def svd(x: Any, /, *, full_matrices: bool = True) -> SVDResult:
    """The singular value decomposition of each matrix of a stack ``(..., M, N)``.

    Returns the named tuple ``(U, S, Vh)`` with ``x = U @ (S[..., None] * Vh)``
    and ``S`` in descending order. ``full_matrices=True`` (the standard's
    default) makes ``U`` and ``Vh`` square; their extra columns are not unique,
    so for a non-square ``x`` a gradient may flow through ``S`` only (backward
    raises ``NotImplementedError`` otherwise); ``full_matrices=False``
    gives the thin decomposition, differentiable in all three outputs where
    the singular values are distinct and nonzero (gaps and ``1/S`` appear in
    the gradient of ``U`` and ``Vh``).
    """
    u, s, vh = Svd(bool(full_matrices))(x)
    return SVDResult(u, s, vh)


def svdvals(x: Any, /) -> Variable:
    """The singular values (descending) of each matrix of a stack ``(..., M, N)``.

    Their gradient, ``U diag(gS) Vh``, is defined for repeated values too
    (backward computes ``U`` and ``Vh`` then, with :func:`svd`).
    """
    return Svdvals()(x)
