"""Convolution on NCHW images: im2col/col2im, conv2d, deconv2d (pooling: pooling.py).

Standard operations only: ``im2col`` stacks the ``KH * KW`` strided slices of a
padded image, ``col2im`` adds them back into a zero buffer one kernel offset at
a time (no scatter), convolutions are matrix products over the windows, and
every backward uses these functions again (exact derivatives of any order).
Images are (N, C, H, W); ``kernel_size``, ``stride``, ``pad`` are ints or
(height, width) pairs; ``OH = (H + 2 * PH - KH) // SH + 1`` (``get_conv_outsize``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .. import utils as _utils
from .._inputs import operand
from ..core import Function, Variable
from .linalg import linear
from .reduction import sum as sum_
from .shape import reshape, transpose

if TYPE_CHECKING:
    from ..backends import Backend

Pair = int | tuple[int, int]
IntPair = tuple[int, int]


# -- geometry and checks ----------------------------------------------------------
def _pairs(op: str, *values: Any) -> list[IntPair]:
    """Each value as an (int, int) pair; errors name ``op``."""
    try:
        return [_utils.pair(tuple(v) if isinstance(v, list) else v) for v in values]
    except ValueError as exc:
        raise ValueError(f"{op}: {exc}") from None


def _outsize(size: Any, k: IntPair, s: IntPair, p: IntPair) -> IntPair:
    out = _utils.get_conv_outsize
    return out(size[0], k[0], s[0], p[0]), out(size[1], k[1], s[1], p[1])


def _check(op: str, shape: Any, k: IntPair, s: IntPair, p: IntPair) -> IntPair:
    """Check the geometry and that windows fit an (N, C, H, W) ``shape``; (OH, OW)."""
    if min(k) < 1 or min(s) < 1 or min(p) < 0:
        raise ValueError(f"{op}: need kernel_size, stride >= 1, pad >= 0: {k} {s} {p}")
    if "pool" in op and op != "average_pooling" and (p[0] >= k[0] or p[1] >= k[1]):
        raise ValueError(f"{op}: pad {p} must be smaller than kernel_size {k}")
    oh, ow = _outsize(shape[2:], k, s, p) if len(shape) == 4 else (0, 0)
    if oh < 1 or ow < 1:
        want = f"(N, C, H, W) that a {k} kernel with pad {p} fits"
        fix = "pass NCHW images, a larger pad or a smaller kernel"
        raise ValueError(f"{op}: input of shape {tuple(shape)} is not {want}; {fix}")
    return oh, ow


def _check_weights(op: str, x: Any, W: Any, b: Any, c_axis: int) -> None:
    """x and W 4-D, x's channels on W's ``c_axis``, one bias per output channel
    (arrays or Variables; ``b`` may be None)."""
    xs, Ws = tuple(x.shape), tuple(W.shape)
    W_ = "(OC, C, KH, KW)" if c_axis else "(C, OC, KH, KW)"
    if len(xs) != 4 or len(Ws) != 4:
        fix = "add a batch axis: x[None]" if len(xs) == 3 else "reshape to 4-D"
        raise ValueError(
            f"{op}: want x (N, C, H, W) and W {W_}, got x {xs} and W {Ws}; {fix}"
        )
    if xs[1] != Ws[c_axis]:
        raise ValueError(
            f"{op}: x {xs} has {xs[1]} channels but W {Ws} {W_} expects "
            f"{Ws[c_axis]}; give W {xs[1]} input channels or pass images with "
            f"{Ws[c_axis]} (NCHW order: channels on axis 1)"
        )
    if b is not None and tuple(b.shape) != (Ws[1 - c_axis],):
        raise ValueError(
            f"{op}: bias of shape {tuple(b.shape)} for W {Ws}; want "
            f"({Ws[1 - c_axis]},), one value per output channel"
        )


# -- array level: raw arrays of any array-API library, no graph -------------------
def _rows(i: int, s: int, n: int) -> slice:
    """Rows kernel offset ``i`` visits: ``i, i + s, ..., i + s * (n - 1)``."""
    return slice(i, i + s * (n - 1) + 1, s)  # an exact stop: no out-of-range slices


def _im2col(
    backend: Backend, x: Any, k: IntPair, s: IntPair, p: IntPair, fill: float = 0.0
) -> Any:
    """(N, C, H, W) image to (N, C, KH, KW, OH, OW) windows, padded with ``fill``."""
    xp, (n, c, h, w), (oh, ow) = backend.xp, x.shape, _outsize(x.shape[2:], k, s, p)
    img = x
    if p[0] or p[1]:
        shape = (n, c, h + 2 * p[0], w + 2 * p[1])
        img = xp.full(shape, fill, dtype=x.dtype, device=backend.device_of(x))
        img[:, :, p[0] : p[0] + h, p[1] : p[1] + w] = x
    offsets = [(i, j) for i in range(k[0]) for j in range(k[1])]
    parts = [img[:, :, _rows(i, s[0], oh), _rows(j, s[1], ow)] for i, j in offsets]
    return xp.reshape(xp.stack(parts, axis=2), (n, c, k[0], k[1], oh, ow))


def _col2im(
    backend: Backend, col: Any, shape: tuple[int, ...], s: IntPair, p: IntPair
) -> Any:
    """Sum (N, C, KH, KW, OH, OW) windows back into an (N, C, H, W) image."""
    (n, c, h, w), (_, _, kh, kw, oh, ow) = shape, col.shape
    padded = (n, c, h + 2 * p[0], w + 2 * p[1])
    # A fresh buffer of our own, so adding into slices of it is safe everywhere.
    img = backend.xp.zeros(padded, dtype=col.dtype, device=backend.device_of(col))
    for i in range(kh):
        for j in range(kw):
            img[:, :, _rows(i, s[0], oh), _rows(j, s[1], ow)] += col[:, :, i, j, ...]
    return img[:, :, p[0] : p[0] + h, p[1] : p[1] + w] if p[0] or p[1] else img


def _to_matrix(xp: Any, col: Any) -> Any:
    """(N, C, KH, KW, OH, OW) to DeZero's matrix (N * OH * OW, C * KH * KW)."""
    n, c, kh, kw, oh, ow = col.shape
    col = xp.permute_dims(col, (0, 4, 5, 1, 2, 3))
    return xp.reshape(col, (n * oh * ow, c * kh * kw))


def _from_matrix(xp: Any, col: Any, shape: Any, k: Any, s: Any, p: Any) -> Any:
    """DeZero's matrix (N * OH * OW, C * KH * KW) back to (N, C, KH, KW, OH, OW)."""
    oh, ow = _outsize(shape[2:], k, s, p)
    col = xp.reshape(col, (shape[0], oh, ow, shape[1], k[0], k[1]))
    return xp.permute_dims(col, (0, 3, 4, 5, 1, 2))


# -- im2col / col2im: each one's gradient is the other ---------------------------
class _Windows(Function):
    """A Function over the windows of an image, its geometry kept as pairs."""

    def __init__(self, kernel_size: Pair, stride: Pair = 1, pad: Pair = 0) -> None:
        op = type(self).__name__
        self.kernel_size, self.stride, self.pad = _pairs(op, kernel_size, stride, pad)

    def check(self, x: Any) -> None:
        """The windows fit an (N, C, H, W) image."""
        _check(self.function_name, x.shape, self.kernel_size, self.stride, self.pad)


class Im2col(_Windows):
    function_name = "im2col"

    def __init__(
        self, kernel_size: Pair, stride: Pair, pad: Pair, to_matrix: bool,
        fill: float = 0.0,
    ) -> None:  # fmt: skip
        super().__init__(kernel_size, stride, pad)
        self.to_matrix, self.fill = to_matrix, fill  # fill: -inf for max pooling

    def forward(self, x):
        self.input_shape, k, s, p = (
            tuple(x.shape),
            self.kernel_size,
            self.stride,
            self.pad,
        )
        col = _im2col(self.backend, x, k, s, p, self.fill)
        return _to_matrix(self.xp, col) if self.to_matrix else col

    def backward(self, gy):
        k, s, p = self.kernel_size, self.stride, self.pad
        return col2im(gy, self.input_shape, k, s, p, self.to_matrix)


class Col2im(_Windows):
    function_name = "col2im"

    def __init__(
        self, input_shape: Any, kernel_size: Pair, stride: Pair, pad: Pair,
        to_matrix: bool,
    ) -> None:  # fmt: skip
        super().__init__(kernel_size, stride, pad)
        self.input_shape, self.to_matrix = tuple(input_shape), to_matrix

    def check(self, x: Any) -> None:
        """``x`` holds the windows of an image of ``input_shape``, as im2col gives."""
        k, shape = self.kernel_size, self.input_shape
        oh, ow = _check("col2im", shape, k, self.stride, self.pad)
        n, c = shape[:2]
        want = (n * oh * ow, c * k[0] * k[1]) if self.to_matrix else (n, c, *k, oh, ow)
        if tuple(x.shape) != want:
            raise ValueError(f"col2im: x {tuple(x.shape)} does not fit; want {want}")

    def forward(self, col):
        k, s, p = self.kernel_size, self.stride, self.pad
        if self.to_matrix:
            col = _from_matrix(self.xp, col, self.input_shape, k, s, p)
        return _col2im(self.backend, col, self.input_shape, s, p)

    def backward(self, gx):
        return im2col(gx, self.kernel_size, self.stride, self.pad, self.to_matrix)


def im2col(
    x: Any, kernel_size: Pair, stride: Pair = 1, pad: Pair = 0, to_matrix: bool = True
) -> Variable:
    """The sliding windows of a zero-padded (N, C, H, W) image, in DeZero's layout.

    Returns (N * OH * OW, C * KH * KW) if ``to_matrix``, else (N, C, KH, KW, OH, OW):
    ``F.im2col(np.ones((1, 3, 7, 7)), 5).shape == (9, 75)``.
    """
    return Im2col(kernel_size, stride, pad, to_matrix)(x)


def col2im(
    x: Any, input_shape: Any, kernel_size: Pair, stride: Pair = 1, pad: Pair = 0,
    to_matrix: bool = True,
) -> Variable:  # fmt: skip
    """Windows ``x`` (shaped as :func:`im2col` returns them) summed into an image.

    The result has ``input_shape`` (N, C, H, W). Overlapping windows add up,
    so this is the adjoint of :func:`im2col`: ``<im2col(x), c> == <x, col2im(c)>``.
    """
    return Col2im(input_shape, kernel_size, stride, pad, to_matrix)(x)


# -- convolution ------------------------------------------------------------------
class _Conv(Function):
    def __init__(self, stride: Pair = 1, pad: Pair = 0) -> None:
        self.stride, self.pad = _pairs(type(self).__name__, stride, pad)

    def _grads(
        self, gx: Variable | None, gW: Variable, gy: Variable
    ) -> tuple[Any, ...]:
        gb = sum_(gy, axis=(0, 2, 3)) if len(self.inputs) == 3 else None
        return (gx, gW) if gb is None else (gx, gW, gb)


class Conv2d(_Conv):
    """``y[n, o] = sum_c W[o, c] (*) x[n, c] + b[o]``, a cross-correlation."""

    function_name = "conv2d"

    def check(self, x: Any, W: Any, b: Any = None) -> None:
        _check_weights("conv2d", x, W, b, 1)
        _check("conv2d", x.shape, tuple(W.shape[2:]), self.stride, self.pad)

    def forward(self, x, W, b=None):
        xp, (oc, c, kh, kw) = self.xp, W.shape
        col = _im2col(self.backend, x, (kh, kw), self.stride, self.pad)
        n, (oh, ow) = x.shape[0], col.shape[4:]
        # (OC, C*KH*KW) @ (N, C*KH*KW, OH*OW): one product per image, NCHW out.
        col = xp.reshape(col, (n, c * kh * kw, oh * ow))
        y = xp.reshape(xp.matmul(xp.reshape(W, (oc, -1)), col), (n, oc, oh, ow))
        return y if b is None else y + xp.reshape(b, (1, oc, 1, 1))

    def backward(self, gy):
        x, W = self.inputs[:2]
        gx = None  # a data batch passed as a plain array needs no gradient
        if self.needs_grad(0):
            gx = deconv2d(gy, W, stride=self.stride, pad=self.pad, outsize=x.shape[2:])  # type: ignore[arg-type]  # (H, W) of NCHW
        gW = Conv2DGradW(W.shape[2:], self.stride, self.pad)(x, gy)
        return self._grads(gx, gW, gy)


class Deconv2d(_Conv):
    """Transposed convolution: each input pixel adds ``x * W`` into its window."""

    function_name = "deconv2d"

    def check(self, x: Any, W: Any, b: Any = None) -> None:
        _check_weights("deconv2d", x, W, b, 0)
        k, s, p, h_w = tuple(W.shape[2:]), self.stride, self.pad, tuple(x.shape[2:])
        _check("deconv2d", (1, 1, *k), k, s, p)  # the geometry: a kernel fits itself
        if self.outsize is not None and _outsize(self.outsize, k, s, p) != h_w:
            raise ValueError(
                f"deconv2d: outsize {self.outsize} does not convolve back to {h_w}"
            )

    def __init__(self, stride: Pair = 1, pad: Pair = 0, outsize: Any = None) -> None:
        super().__init__(stride, pad)
        self.outsize = outsize and _pairs("Deconv2d", outsize)[0]

    def forward(self, x, W, b=None):
        xp, (c, oc, kh, kw), (n, _, h, w) = self.xp, W.shape, x.shape
        # (OC*KH*KW, C) @ (N, C, H*W): every kernel tap of every input pixel.
        Wt = xp.permute_dims(xp.reshape(W, (c, oc * kh * kw)), (1, 0))
        col = xp.matmul(Wt, xp.reshape(x, (n, c, h * w)))
        (sh, sw), (ph, pw), size = self.stride, self.pad, _utils.get_deconv_outsize
        out = self.outsize or (size(h, kh, sh, ph), size(w, kw, sw, pw))
        col = xp.reshape(col, (n, oc, kh, kw, h, w))
        y = _col2im(self.backend, col, (n, oc, *out), self.stride, self.pad)
        return y if b is None else y + xp.reshape(b, (1, oc, 1, 1))

    def backward(self, gy):
        x, W = self.inputs[:2]
        gx = conv2d(gy, W, stride=self.stride, pad=self.pad)
        gW = Conv2DGradW(W.shape[2:], self.stride, self.pad)(gy, x)
        return self._grads(gx, gW, gy)


class Conv2DGradW(Function):
    """Weight gradient ``gW[o, c] = sum_n x[n, c] (*) gy[n, o]`` of a convolution.

    Bilinear in ``x`` and ``gy``: its backward is a deconvolution and a
    convolution by the incoming ``ggW`` (DeZero used its output ``gW`` there).
    """

    def __init__(self, kernel_size: Any, stride: IntPair, pad: IntPair) -> None:
        self.kernel_size, self.stride, self.pad = tuple(kernel_size), stride, pad

    def forward(self, x, gy):
        col = _im2col(self.backend, x, self.kernel_size, self.stride, self.pad)
        return self.xp.tensordot(gy, col, axes=((0, 2, 3), (0, 4, 5)))

    def backward(self, ggW):
        x, gy = self.inputs
        gx = deconv2d(gy, ggW, stride=self.stride, pad=self.pad, outsize=x.shape[2:])  # type: ignore[arg-type]  # (H, W) of NCHW
        return gx, conv2d(x, ggW, stride=self.stride, pad=self.pad)


def conv2d(x: Any, W: Any, b: Any = None, stride: Pair = 1, pad: Pair = 0) -> Variable:
    """2-D convolution (a cross-correlation, as in every deep learning library).

    Parameters
    ----------
    x, W, b : Variable or array
        Shapes (N, C, H, W), (OC, C, KH, KW) and (OC,); ``b`` is optional.
        The result is (N, OC, OH, OW).
    stride, pad : int or (int, int)

    Examples
    --------
    >>> import numpy as np, xgrad.functions as F
    >>> F.conv2d(np.ones((1, 3, 7, 7)), np.ones((8, 3, 3, 3)), pad=1).shape
    (1, 8, 7, 7)
    """
    f = Conv2d(stride, pad)
    return f(x, W) if b is None else f(x, W, b)


def deconv2d(
    x: Any, W: Any, b: Any = None, stride: Pair = 1, pad: Pair = 0,
    outsize: Pair | None = None,
) -> Variable:  # fmt: skip
    """2-D transposed convolution: :func:`conv2d`'s gradient with respect to x.

    Parameters
    ----------
    x, W, b : Variable or array
        Shapes (N, C, H, W), (C, OC, KH, KW) (DeZero's layout: input channels
        first) and (OC,); ``b`` is optional.
    stride, pad : int or (int, int)
        Those of the convolution this one transposes.
    outsize : (OH, OW), optional
        Default ``SH * (H - 1) + KH - 2 * PH``; up to ``SH - 1`` more also works.
    """
    f = Deconv2d(stride, pad, outsize)
    return f(x, W) if b is None else f(x, W, b)


def conv2d_simple(
    x: Any, W: Any, b: Any = None, stride: Pair = 1, pad: Pair = 0
) -> Variable:
    """The book's conv2d (step 57), :func:`im2col` then :func:`linear`: same results."""
    x, W = operand(x, "conv2d_simple", 0), operand(W, "conv2d_simple", 1)
    b = None if b is None else operand(b, "conv2d_simple", 2)
    _check_weights("conv2d_simple", x, W, b, 1)
    k, s, p = _pairs("conv2d_simple", W.shape[2:], stride, pad)
    (oh, ow), n, oc = _check("conv2d_simple", x.shape, k, s, p), x.shape[0], W.shape[0]
    y = linear(im2col(x, k, s, p), transpose(reshape(W, (oc, -1))), b)
    return transpose(reshape(y, (n, oh, ow, oc)), (0, 3, 1, 2))


from .pooling import (
    AveragePooling,
    Pooling,
    average_pooling,
    pooling,
    pooling_simple,
)

__all__ = [
    "AveragePooling",
    "Col2im",
    "Conv2DGradW",
    "Conv2d",
    "Deconv2d",
    "Im2col",
    "Pooling",
    "average_pooling",
    "col2im",
    "conv2d",
    "conv2d_simple",
    "deconv2d",
    "im2col",
    "pooling",
    "pooling_simple",
]
