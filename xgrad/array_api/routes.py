"""The standard's differentiable functions, routed to :mod:`xgrad.functions`.

Where an xgrad function already has the standard's signature it serves as
it is (``exp``); otherwise a thin adapter here gives the standard's names and
keywords and calls it. Every function here records on the tape. Functions of
the standard that have a derivative but no route yet are refused when an
input needs a gradient (``build.py``), never answered without one.
"""

from __future__ import annotations

from typing import Any, Literal

from .. import functions as F
from ..core import Variable, as_input
from ..domains import kind
from ..functions.linalg_results import EighResult, QRResult, SlogdetResult, SVDResult
from ..functions.shape import Identity
from ..functions.transfer import Cast
from ..lifting import wrap
from .special_beta import betainc, betaincc


def _is_scalar(x: Any) -> bool:
    return isinstance(x, bool | int | float | complex)


# -- elementwise ---------------------------------------------------------------
def add(x1: Any, x2: Any, /) -> Variable:
    return F.add(x1, x2)


def subtract(x1: Any, x2: Any, /) -> Variable:
    return F.rsub(x2, x1) if _is_scalar(x1) else F.sub(x1, x2)


def multiply(x1: Any, x2: Any, /) -> Variable:
    return F.mul(x1, x2)


def divide(x1: Any, x2: Any, /) -> Variable:
    return F.rdiv(x2, x1) if _is_scalar(x1) else F.div(x1, x2)


def pow(x1: Any, x2: Any, /) -> Variable:
    return F.rpow(x2, x1) if _is_scalar(x1) else F.pow(x1, x2)


def negative(x: Any, /) -> Variable:
    return F.neg(x)


def positive(x: Any, /) -> Variable:
    return Identity()(x)


def maximum(x1: Any, x2: Any, /) -> Variable:
    return F.maximum(x1, x2)


def minimum(x1: Any, x2: Any, /) -> Variable:
    return F.minimum(x1, x2)


def clip(x: Any, /, min: Any = None, max: Any = None) -> Variable:
    return F.clip(x, min, max)


def where(condition: Any, x1: Any, x2: Any, /) -> Variable:
    return F.where(condition, x1, x2)


# Functions of xgrad.functions with the standard's name and signature.
AS_IS = [
    "prod", "std", "var", "cumulative_sum", "cumulative_prod", "diff", "flip",
    "roll", "moveaxis", "permute_dims", "repeat", "tile", "unstack", "sort",
    "take", "take_along_axis", "acos", "acosh", "asin", "asinh", "atan", "atan2",
    "atanh", "sinh", "cosh", "log2", "log10", "logaddexp", "hypot", "copysign",
    "reciprocal", "floor", "ceil", "round", "trunc", "sign", "remainder",
    "floor_divide",
]  # fmt: skip
UNARY = ["abs", "exp", "log", "log1p", "expm1", "sin", "cos", "tan", "tanh", "sqrt"]
UNARY += ["square"]


# -- statistics ----------------------------------------------------------------
def _cast(x: Any, dtype: Any) -> Any:
    return x if dtype is None else astype(x, dtype)


def sum(
    x: Any, /, *, axis: Any = None, dtype: Any = None, keepdims: bool = False
) -> Variable:
    y = F.sum(_cast(x, dtype), axis=axis, keepdims=keepdims)
    # A library may widen small integers while summing; the standard keeps dtype.
    return y if dtype is None or y.dtype == dtype else astype(y, dtype, copy=False)


def mean(x: Any, /, *, axis: Any = None, keepdims: bool = False) -> Variable:
    return F.mean(x, axis=axis, keepdims=keepdims)


def max(x: Any, /, *, axis: Any = None, keepdims: bool = False) -> Variable:
    return F.max(x, axis=axis, keepdims=keepdims)


def min(x: Any, /, *, axis: Any = None, keepdims: bool = False) -> Variable:
    return F.min(x, axis=axis, keepdims=keepdims)


# -- manipulation and linear algebra ------------------------------------------
def reshape(x: Any, /, shape: Any, *, copy: bool | None = None) -> Variable:
    return F.reshape(x, tuple(shape))


def expand_dims(x: Any, /, axis: int) -> Variable:
    return F.expand_dims(x, axis)


def squeeze(x: Any, /, axis: Any) -> Variable:
    return F.squeeze(x, axis)


def broadcast_to(x: Any, /, shape: Any) -> Variable:
    return F.broadcast_to(x, tuple(shape))


def broadcast_arrays(*arrays: Any) -> list[Variable]:
    return list(F.broadcast_arrays(*arrays))


def concat(arrays: Any, /, *, axis: int | None = 0) -> Variable:
    if axis is None:
        return F.concat([F.reshape(a, (-1,)) for a in arrays], axis=0)
    return F.concat(list(arrays), axis=axis)


def stack(arrays: Any, /, *, axis: int = 0) -> Variable:
    return F.stack(list(arrays), axis=axis)


def matmul(x1: Any, x2: Any, /) -> Variable:
    return F.matmul(x1, x2)


def matrix_transpose(x: Any, /) -> Variable:
    return F.matrix_transpose(x)


# -- complex parts -------------------------------------------------------------------
def real(x: Any, /) -> Variable:
    """The real part; for a real array, a copy on the tape (docs/complex.md)."""
    return F.real(as_input(x))


def conj(x: Any, /) -> Variable:
    """The complex conjugate; for a real array, a copy on the tape."""
    return F.conj(as_input(x))


def imag(x: Any, /) -> Variable:
    """The imaginary part; for a real array, zeros (no gradient flows)."""
    return F.imag(as_input(x))


# -- dtypes ------------------------------------------------------------------------
def astype(x: Any, dtype: Any, /, *, copy: bool = True, device: Any = None) -> Any:
    """``x`` as ``dtype``. A cast between real or complex floating dtypes
    records on the tape (its gradient is cast back, real for a real ``x``); a
    cast to integers or booleans gives a Constant, since its derivative is
    zero wherever it exists."""
    x = as_input(x)
    if device is not None:
        x = x.to_device(device)
    if x.dtype == dtype:
        return Identity()(x) if copy else x
    floating = ("real floating", "complex floating")
    source, target = kind(x.backend, x.dtype), kind(x.backend, dtype)
    if x.requires_grad and source in floating and target in floating:
        return Cast(dtype)(x)  # to real: the real part; from real: a real gradient
    return wrap(x.backend.xp.astype(x.data, dtype))


MAIN: dict[str, Any] = {name: getattr(F, name) for name in (*UNARY, *AS_IS)}
MAIN |= {
    f.__name__: f
    for f in (
        add, subtract, multiply, divide, pow, negative, positive, maximum, minimum,
        clip, where, sum, mean, max, min, reshape, expand_dims,
        squeeze, broadcast_to, broadcast_arrays, concat, stack, matmul, matrix_transpose,
        real, conj,
        imag,
        astype,
    )
}  # fmt: skip


def _promoted(y: Variable, x1: Any, x2: Any) -> Variable:
    """``y`` in the standard's result dtype of ``x1`` and ``x2``: a library may
    widen small integers while it sums (NumPy: uint8 to uint64)."""
    a, b = as_input(x1), as_input(x2)
    dtype = a.backend.xp.result_type(a.data, b.data)
    return y if y.dtype == dtype else astype(y, dtype, copy=False)


def vecdot(x1: Any, x2: Any, /, *, axis: int = -1) -> Variable:
    return _promoted(F.vecdot(x1, x2, axis=axis), x1, x2)


def tensordot(x1: Any, x2: Any, /, *, axes: Any = 2) -> Variable:
    return _promoted(F.tensordot(x1, x2, axes=axes), x1, x2)


def trace(x: Any, /, *, offset: int = 0, dtype: Any = None) -> Variable:
    return F.trace(_cast(x, dtype), offset=offset)


def _complex_constant(x: Any) -> bool:
    x = as_input(x)
    return not x.requires_grad and kind(x.backend, x.dtype) == "complex floating"


def _by_library(name: str, result: Any, x: Any, **options: Any) -> Any:
    """The library's decomposition of a complex Constant (xgrad's own are real),
    in the standard's named tuple."""
    x = as_input(x)
    found = getattr(x.backend.xp.linalg, name)(x.data, **options)
    return result(*(wrap(part) for part in found))


def slogdet(x: Any, /) -> Any:
    if _complex_constant(x):
        return _by_library("slogdet", SlogdetResult, x)
    return F.slogdet(x)


def qr(x: Any, /, *, mode: Literal["reduced", "complete"] = "reduced") -> Any:
    if _complex_constant(x):
        return _by_library("qr", QRResult, x, mode=mode)
    return F.qr(x, mode=mode)


def eigh(x: Any, /) -> Any:
    if _complex_constant(x):
        return _by_library("eigh", EighResult, x)
    return F.eigh(x)


def svd(x: Any, /, *, full_matrices: bool = True) -> Any:
    if _complex_constant(x):
        return _by_library("svd", SVDResult, x, full_matrices=full_matrices)
    return F.svd(x, full_matrices=full_matrices)


_LINALG_AS_IS = (
    "solve", "inv", "det", "cholesky", "eigvalsh",
    "svdvals", "pinv", "matrix_power", "vector_norm", "matrix_norm", "diagonal",
    "outer", "cross",
)  # fmt: skip
LINALG: dict[str, Any] = {name: getattr(F, name) for name in _LINALG_AS_IS}
_CONTRACTIONS: dict[str, Any] = {"vecdot": vecdot, "tensordot": tensordot}
LINALG |= {"matmul": matmul, "matrix_transpose": matrix_transpose, "trace": trace}
LINALG |= _CONTRACTIONS
LINALG |= {"slogdet": slogdet, "qr": qr, "eigh": eigh, "svd": svd}
MAIN |= _CONTRACTIONS
_FFT_AS_IS = (
    "fft", "ifft", "fftn", "ifftn", "rfft", "irfft", "rfftn", "irfftn", "hfft",
    "ihfft", "fftshift", "ifftshift",
)  # fmt: skip
#: ``xp.fft``: the differentiable transforms (fftfreq and rfftfreq are creation).
FFT: dict[str, Any] = {name: getattr(F, name) for name in _FFT_AS_IS}


def polygamma(n: Any, x: Any) -> Variable:
    """SciPy's ``polygamma(n, x)``; ``n`` may be a 0-d integer array."""
    return F.polygamma(int(n), x)


_SPECIAL_AS_IS = (
    "erf", "erfc", "erfcx", "erfinv", "ndtr", "ndtri", "log_ndtr", "gammaln",
    "digamma", "i0", "i1", "expit", "logit", "log_expit", "xlogy", "xlog1py",
    "entr", "rel_entr", "log1p", "expm1",
)  # fmt: skip
#: ``xp.special``: what SciPy looks up before it falls back to NumPy. Only
#: functions with a gradient live here, so SciPy's own fallback runs otherwise.
SPECIAL: dict[str, Any] = {name: getattr(F, name) for name in _SPECIAL_AS_IS}
SPECIAL |= {"psi": F.digamma, "polygamma": polygamma}
SPECIAL |= {"betainc": betainc, "betaincc": betaincc}
