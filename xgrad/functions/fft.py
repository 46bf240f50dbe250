"""Discrete Fourier transforms: the array API standard's ``fft`` extension.

Three Functions do the transforms, each over given axes at the sizes its
input already has: :class:`FFT` (complex to complex, forward or inverse),
:class:`RFFT` (real to the half spectrum) and :class:`IRFFT` (back). The
wrappers first pad with zeros or crop to the sizes asked (``n``, ``s``), with
differentiable ops; ``hfft``, ``ihfft``, ``fftshift`` and ``ifftshift`` are
compositions. Every backward is a transform again, so derivatives of any
order work:

- the adjoint of a transform with normalisation ``norm`` is the opposite
  transform with the dual one (``"backward"`` and ``"forward"`` swap,
  ``"ortho"`` stays);
- ``rfft``'s adjoint is ``irfft`` of the gradient with its interior bins
  (those whose mirror image the half spectrum leaves out) halved, and
  ``irfft``'s is ``rfft`` with them doubled.

Gradients follow xgrad's complex convention (docs/complex.md); a real input
gets the real part.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .. import backends
from ..core import Constant, Function, Variable, as_variable
from ..devices import device as as_device
from ..devices import get_default_device
from .arrangement import roll
from .complex_numbers import conj
from .fft_arguments import check_norm, one, plan, real_only, resize
from .shape import Identity

__all__ = [
    "fft", "fftfreq", "fftn", "fftshift", "hfft", "ifft", "ifftn", "ifftshift",
    "ihfft", "irfft", "irfftn", "rfft", "rfftfreq", "rfftn",
]  # fmt: skip

#: The normalisation of a transform's adjoint.
DUAL = {"backward": "forward", "ortho": "ortho", "forward": "backward"}


def _complex(xp: Any, x: Any) -> Any:
    """``x`` as complex numbers of its precision (float32: complex64)."""
    if xp.isdtype(x.dtype, "complex floating"):
        return x
    return xp.astype(x, xp.result_type(x.dtype, xp.complex64))


def _edge_weights(f: Function, like: Any, axis: int, n: int, interior: float) -> Any:
    """Weights along ``axis`` of a half spectrum of a length-``n`` signal:
    ``interior`` on the bins whose mirror image it leaves out, 1 on the zero
    frequency (and on the Nyquist one, for even ``n``), as a Constant."""
    xp, m = f.xp, n // 2 + 1
    k = xp.arange(m, device=f.backend.device_of(like.data))
    inside = xp.astype((k >= 1) & (k <= n - m), like.dtype)
    w = 1.0 + (interior - 1.0) * inside
    shape = [1] * like.ndim
    shape[axis] = m
    return Constant(xp.reshape(w, tuple(shape)))


class FFT(Function):
    """The complex transform over ``axes`` (``inverse``: the inverse one)."""

    domain = "floating"

    def __init__(self, axes: tuple[int, ...], norm: str, inverse: bool) -> None:
        self.axes, self.norm, self.inverse = axes, norm, inverse

    def forward(self, x):
        xp = self.xp
        transform = xp.fft.ifftn if self.inverse else xp.fft.fftn
        return transform(_complex(xp, x), axes=self.axes, norm=self.norm)

    def backward(self, gy):
        return FFT(self.axes, DUAL[self.norm], not self.inverse)(gy)


class RFFT(Function):
    """Real input to the half spectrum over ``axes`` (the last one halved)."""

    domain = "real floating"

    def __init__(self, axes: tuple[int, ...], norm: str) -> None:
        self.axes, self.norm = axes, norm

    def forward(self, x):
        return self.xp.fft.rfftn(x, axes=self.axes, norm=self.norm)

    def backward(self, gy):
        (x,) = self.inputs
        sizes = tuple(x.shape[a] for a in self.axes)
        half = _edge_weights(self, x, self.axes[-1], sizes[-1], 0.5)
        return IRFFT(self.axes, sizes, DUAL[self.norm])(gy * half)


class IRFFT(Function):
    """A half spectrum back to the real signal of ``sizes`` over ``axes``."""

    domain = "floating"

    def __init__(self, axes: tuple[int, ...], sizes: tuple[int, ...], norm: str):
        self.axes, self.sizes, self.norm = axes, sizes, norm

    def forward(self, z):
        xp = self.xp
        return xp.fft.irfftn(
            _complex(xp, z), s=self.sizes, axes=self.axes, norm=self.norm
        )

    def backward(self, gx):
        twice = _edge_weights(self, gx, self.axes[-1], self.sizes[-1], 2.0)
        return RFFT(self.axes, DUAL[self.norm])(gx) * twice


# -- the standard's functions -------------------------------------------------------
def fft(
    x: Any, /, *, n: int | None = None, axis: int = -1, norm: str = "backward"
) -> Variable:
    """The one-dimensional discrete Fourier transform along ``axis``.

    ``n`` pads the signal with zeros or crops it first; ``norm`` scales the
    forward transform by 1 (``"backward"``), ``1/sqrt(n)`` (``"ortho"``) or
    ``1/n`` (``"forward"``). Real input is taken as complex.
    """
    return _complex_transform("fft", x, one(n), (axis,), norm, inverse=False)


def ifft(
    x: Any, /, *, n: int | None = None, axis: int = -1, norm: str = "backward"
) -> Variable:
    """The inverse of :func:`fft` (scaled by ``1/n`` with ``norm="backward"``)."""
    return _complex_transform("ifft", x, one(n), (axis,), norm, inverse=True)


def fftn(x: Any, /, *, s: Sequence[int] | None = None, axes: Sequence[int] | None = None,
         norm: str = "backward") -> Variable:  # fmt: skip
    """The n-dimensional transform over ``axes`` (all, or the last ``len(s)``),
    each padded or cropped to its size in ``s`` first."""
    return _complex_transform("fftn", x, s, axes, norm, inverse=False)


def ifftn(x: Any, /, *, s: Sequence[int] | None = None, axes: Sequence[int] | None = None,
          norm: str = "backward") -> Variable:  # fmt: skip
    """The inverse of :func:`fftn`."""
    return _complex_transform("ifftn", x, s, axes, norm, inverse=True)


def rfft(
    x: Any, /, *, n: int | None = None, axis: int = -1, norm: str = "backward"
) -> Variable:
    """The transform of a real signal along ``axis``: its ``n // 2 + 1``
    non-negative frequencies (the others are their conjugates)."""
    return _real_transform("rfft", x, one(n), (axis,), norm)


def rfftn(x: Any, /, *, s: Sequence[int] | None = None, axes: Sequence[int] | None = None,
          norm: str = "backward") -> Variable:  # fmt: skip
    """The n-dimensional transform of a real array, halved along the last axis."""
    return _real_transform("rfftn", x, s, axes, norm)


def irfft(
    x: Any, /, *, n: int | None = None, axis: int = -1, norm: str = "backward"
) -> Variable:
    """The real signal of length ``n`` (default ``2 * (m - 1)`` for ``m`` bins)
    whose :func:`rfft` is ``x``; the imaginary parts of the zero and Nyquist
    bins, which no real signal has, get no gradient."""
    return _inverse_real_transform("irfft", x, one(n), (axis,), norm)


def irfftn(x: Any, /, *, s: Sequence[int] | None = None, axes: Sequence[int] | None = None,
           norm: str = "backward") -> Variable:  # fmt: skip
    """The inverse of :func:`rfftn`: a real array of sizes ``s``."""
    return _inverse_real_transform("irfftn", x, s, axes, norm)


def hfft(
    x: Any, /, *, n: int | None = None, axis: int = -1, norm: str = "backward"
) -> Variable:
    """The real spectrum of a signal with Hermitian symmetry given by its first
    half ``x``: ``irfft(conj(x))`` with the dual normalisation."""
    check_norm("hfft", norm)
    return irfft(conj(x), n=n, axis=axis, norm=DUAL[norm])


def ihfft(
    x: Any, /, *, n: int | None = None, axis: int = -1, norm: str = "backward"
) -> Variable:
    """The inverse of :func:`hfft`: ``conj(rfft(x))`` with the dual normalisation."""
    check_norm("ihfft", norm)
    return conj(rfft(x, n=n, axis=axis, norm=DUAL[norm]))


def fftshift(x: Any, /, *, axes: int | Sequence[int] | None = None) -> Variable:
    """The zero frequency moved to the middle of ``axes`` (all by default): a roll."""
    return _shift("fftshift", x, axes, 1)


def ifftshift(x: Any, /, *, axes: int | Sequence[int] | None = None) -> Variable:
    """The inverse of :func:`fftshift` (they differ for odd lengths)."""
    return _shift("ifftshift", x, axes, -1)


def fftfreq(
    n: int, /, *, d: float = 1.0, dtype: Any = None, device: Any = None
) -> Variable:
    """The sample frequencies of :func:`fft`'s bins for spacing ``d``: a
    Constant on ``device`` (xgrad's default), in its default float."""
    return _frequencies("fftfreq", n, d, dtype, device)


def rfftfreq(
    n: int, /, *, d: float = 1.0, dtype: Any = None, device: Any = None
) -> Variable:
    """The sample frequencies of :func:`rfft`'s ``n // 2 + 1`` bins."""
    return _frequencies("rfftfreq", n, d, dtype, device)


# -- the calls ------------------------------------------------------------------------
def _complex_transform(op: str, x: Any, s: Any, axes: Any, norm: str, inverse: bool) -> Variable:  # fmt: skip
    x = as_variable(x)
    axes, sizes = plan(op, x, s, axes, norm)
    if sizes is not None:
        x = resize(x, axes, sizes)
    return FFT(axes, norm, inverse)(x)


def _real_transform(op: str, x: Any, s: Any, axes: Any, norm: str) -> Variable:
    x = as_variable(x)
    real_only(op, x, op[1:])
    axes, sizes = plan(op, x, s, axes, norm)
    if sizes is not None:
        x = resize(x, axes, sizes)
    return RFFT(axes, norm)(x)


def _inverse_real_transform(op: str, x: Any, s: Any, axes: Any, norm: str) -> Variable:
    x = as_variable(x)
    axes, sizes = plan(op, x, s, axes, norm)
    if sizes is None:  # the even signal whose half spectrum has x's length
        sizes = (*(x.shape[a] for a in axes[:-1]), 2 * (x.shape[axes[-1]] - 1))
        if sizes[-1] < 1:
            raise ValueError(
                f"{op}: a half spectrum of {x.shape[axes[-1]]} bin along axis "
                f"{axes[-1]} gives no signal; pass the signal's length (n or s)"
            )
    halves = (*sizes[:-1], sizes[-1] // 2 + 1)
    return IRFFT(axes, sizes, norm)(resize(x, axes, halves))


def _shift(op: str, x: Any, axes: Any, sign: int) -> Variable:
    x = as_variable(x)
    if isinstance(axes, int):
        axes = (axes,)
    axes, _ = plan(op, x, None, axes, "backward")
    if not axes:  # a 0-d array: nothing to move
        return Identity()(x)
    shifts = tuple(sign * (x.shape[a] // 2) for a in axes)
    return roll(x, shifts, axis=axes)


def _frequencies(op: str, n: Any, d: float, dtype: Any, device: Any) -> Variable:
    if not isinstance(n, int) or n < 1:
        raise ValueError(
            f"{op}: n must be a positive integer (the signal's length), got {n!r}"
        )
    target = get_default_device() if device is None else as_device(device)
    backend = backends.get(target.backend)
    dtype = dtype or backend.default_float(target.native)
    found = getattr(backend.xp.fft, op)(n, d=d, dtype=dtype, device=target.native)
    return Constant(found)
