"""Convolution on NCHW images: conv2d and deconv2d, over the windows of windows.py.

Convolutions are matrix products over the windows that ``im2col`` stacks
(windows.py), and every backward uses these functions again (exact
derivatives of any order); pooling is in pooling.py. Images are
(N, C, H, W); ``kernel_size``, ``stride``, ``pad`` are ints or (height,
width) pairs; ``OH = (H + 2 * PH - KH) // SH + 1`` (``get_conv_outsize``).
"""

from __future__ import annotations

from typing import Any

from .._inputs import operand
from ..core import Function, Variable
from . import geometry
from .binary import refuse_complex
from .linalg import linear
from .pooling import (
    AveragePooling,
    Pooling,
    average_pooling,
    pooling,
    pooling_simple,
)
from .reduction import sum as sum_
from .shape import reshape, transpose
from .windows import (
    Col2im,
    Im2col,
    IntPair,
    Pair,
    check_windows,
    col2im,
    col2im_array,
    im2col,
    im2col_array,
    outsize,
    pairs,
)


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


# -- convolution ------------------------------------------------------------------
class _Conv(Function):
    def __init__(self, stride: Pair = 1, pad: Pair = 0) -> None:
        self.stride, self.pad = pairs(type(self).__name__, stride, pad)

    def _grads(
        self, gx: Variable | None, gW: Variable, gy: Variable
    ) -> tuple[Any, ...]:
        for x in self.inputs:  # the products below are not conjugated
            refuse_complex(self, x)
        gb = sum_(gy, axis=(0, 2, 3)) if len(self.inputs) == 3 else None
        return (gx, gW) if gb is None else (gx, gW, gb)


class Conv2d(_Conv):
    """``y[n, o] = sum_c W[o, c] (*) x[n, c] + b[o]``, a cross-correlation."""

    function_name = "conv2d"

    def check(self, x: Any, W: Any, b: Any = None) -> None:
        _check_weights("conv2d", x, W, b, 1)
        check_windows("conv2d", x.shape, tuple(W.shape[2:]), self.stride, self.pad)

    def forward(self, x, W, b=None):
        xp, (oc, c, kh, kw) = self.xp, W.shape
        col = im2col_array(self.backend, x, (kh, kw), self.stride, self.pad)
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
        check_windows(
            "deconv2d", (1, 1, *k), k, s, p
        )  # the geometry: a kernel fits itself
        if self.outsize is not None and outsize(self.outsize, k, s, p) != h_w:
            raise ValueError(
                f"deconv2d: outsize {self.outsize} does not convolve back to {h_w}"
            )

    def __init__(self, stride: Pair = 1, pad: Pair = 0, outsize: Any = None) -> None:
        super().__init__(stride, pad)
        self.outsize = outsize and pairs("Deconv2d", outsize)[0]

    def forward(self, x, W, b=None):
        xp, (c, oc, kh, kw), (n, _, h, w) = self.xp, W.shape, x.shape
        # (OC*KH*KW, C) @ (N, C, H*W): every kernel tap of every input pixel.
        Wt = xp.permute_dims(xp.reshape(W, (c, oc * kh * kw)), (1, 0))
        col = xp.matmul(Wt, xp.reshape(x, (n, c, h * w)))
        (sh, sw), (ph, pw), size = self.stride, self.pad, geometry.get_deconv_outsize
        out = self.outsize or (size(h, kh, sh, ph), size(w, kw, sw, pw))
        col = xp.reshape(col, (n, oc, kh, kw, h, w))
        y = col2im_array(self.backend, col, (n, oc, *out), self.stride, self.pad)
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
        col = im2col_array(self.backend, x, self.kernel_size, self.stride, self.pad)
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
    k, s, p = pairs("conv2d_simple", W.shape[2:], stride, pad)
    (oh, ow), n, oc = (
        check_windows("conv2d_simple", x.shape, k, s, p),
        x.shape[0],
        W.shape[0],
    )
    y = linear(im2col(x, k, s, p), transpose(reshape(W, (oc, -1))), b)
    return transpose(reshape(y, (n, oh, ow, oc)), (0, 3, 1, 2))


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
