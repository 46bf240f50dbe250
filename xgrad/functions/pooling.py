"""Max and average pooling on NCHW images, over the windows of ``im2col``.

Max pooling pads with -inf (DeZero padded with 0) and shares the gradient
among tied maxima as ``F.max`` does; average pooling takes non-square kernels.
"""

from __future__ import annotations

from typing import Any

from ..config import Config
from ..core import Variable
from .reduction import max as max_
from .shape import broadcast_to, expand_dims, reshape, transpose
from .windows import Im2col, Pair, Windows, check_windows, col2im, im2col_array

__all__ = [
    "AveragePooling",
    "Pooling",
    "average_pooling",
    "pooling",
    "pooling_simple",
]


class Pooling(Windows):
    domain = "real"
    function_name = "pooling"

    def _windows(self, x: Any) -> Any:
        """(N, C, KH * KW, OH, OW) windows of raw array ``x``, padded with -inf."""
        inf = float("inf")
        col = im2col_array(
            self.backend, x, self.kernel_size, self.stride, self.pad, -inf
        )
        n, c, kh, kw, oh, ow = col.shape
        return self.xp.reshape(col, (n, c, kh * kw, oh, ow))

    def forward(self, x):
        return self.xp.max(self._windows(x), axis=2)

    def backward(self, gy):
        # Each window's gradient goes to its maximum; ties share as in F.max.
        x, xp = self.inputs[0], self.xp
        y = xp.expand_dims(self.outputs[0]().data, axis=2)  # type: ignore[union-attr]  # outputs live while backward runs
        winners = xp.astype(self._windows(x.data) == y, gy.dtype)
        if Config.max_ties == "split":
            winners = winners / xp.sum(winners, axis=2, keepdims=True)
        gcol = expand_dims(gy, 2) * Variable(winners)
        gcol = reshape(gcol, (*x.shape[:2], *self.kernel_size, *gy.shape[2:]))
        return col2im(gcol, x.shape, self.kernel_size, self.stride, self.pad, False)


class AveragePooling(Windows):
    domain = "floating"
    function_name = "average_pooling"

    def forward(self, x):
        col = im2col_array(self.backend, x, self.kernel_size, self.stride, self.pad)
        return self.xp.mean(col, axis=(2, 3))

    def backward(self, gy):
        (kh, kw), (n, c, oh, ow), x = self.kernel_size, gy.shape, self.inputs[0]
        gy = reshape(gy * (1.0 / (kh * kw)), (n, c, 1, 1, oh, ow))  # 1/(KH*KW) each
        gcol = broadcast_to(gy, (n, c, kh, kw, oh, ow))
        return col2im(gcol, x.shape, self.kernel_size, self.stride, self.pad, False)


def pooling(x: Any, kernel_size: Pair, stride: Pair = 1, pad: Pair = 0) -> Variable:
    """Max pooling: the largest value of each window of ``x`` (N, C, H, W).

    Padding is ``-inf`` (DeZero's 0 beat all-negative windows), so ``pad`` must
    be smaller than ``kernel_size``. A window's gradient goes to its maximum;
    ties share it as in :func:`~xgrad.functions.max` (``Config.max_ties``), where
    PyTorch and DeZero give all of it to the first.

    Parameters
    ----------
    x : Variable or array
        Input of shape (N, C, H, W).
    kernel_size : int or (int, int)
        Window height and width.
    stride : int or (int, int), default 1
        Step between windows.
    pad : int or (int, int), default 0
        ``-inf`` rows and columns added on each side.

    Returns
    -------
    Variable
        Shape (N, C, OH, OW) with ``OH = (H + 2 * pad - KH) // stride + 1``.

    Examples
    --------
    >>> import numpy as np, xgrad.functions as F
    >>> F.pooling(np.arange(16.0).reshape(1, 1, 4, 4), 2, stride=2).data
    array([[[[ 5.,  7.],
             [13., 15.]]]])
    """
    return Pooling(kernel_size, stride, pad)(x)


def average_pooling(
    x: Any, kernel_size: Pair, stride: Pair = 1, pad: Pair = 0
) -> Variable:
    """Average pooling: the mean of each window, zero padding counted.

    Shapes as :func:`pooling`. Non-square kernels work forward and backward
    (DeZero's backward assumed KH == KW).
    """
    return AveragePooling(kernel_size, stride, pad)(x)


def pooling_simple(
    x: Any, kernel_size: Pair, stride: Pair = 1, pad: Pair = 0
) -> Variable:
    """The book's max pooling (step 57), :func:`im2col` then ``max``: same results."""
    f = Im2col(kernel_size, stride, pad, to_matrix=True, fill=-float("inf"))
    oh, ow = check_windows("pooling_simple", x.shape, f.kernel_size, f.stride, f.pad)
    (kh, kw), (n, c) = f.kernel_size, x.shape[:2]
    y = max_(reshape(f(x), (-1, kh * kw)), axis=1)
    return transpose(reshape(y, (n, oh, ow, c)), (0, 3, 1, 2))
