"""The book's import path, ``dezero.functions_conv``: re-exports :mod:`xgrad.functions.conv`.

``import xgrad.functions_conv as Fc`` (or ``from xgrad.functions_conv import
conv2d``) runs the book's step 57 code with only the package name changed. The
array-level ``im2col_array`` and ``col2im_array`` of DeZero live here.
"""

from typing import Any

from .functions.conv import (
    AveragePooling,
    Col2im,
    Conv2d,
    Conv2DGradW,
    Deconv2d,
    Im2col,
    Pooling,
    average_pooling,
    col2im,
    conv2d,
    conv2d_simple,
    deconv2d,
    im2col,
    pooling,
    pooling_simple,
)
from .functions.geometry import get_conv_outsize, get_deconv_outsize, pair
from .functions.linalg import linear
from .functions.shape import broadcast_to

__all__ = [
    "AveragePooling", "Col2im", "Conv2DGradW", "Conv2d", "Deconv2d", "Im2col",
    "Pooling", "average_pooling", "broadcast_to", "col2im", "col2im_array",
    "conv2d", "conv2d_simple", "deconv2d", "get_conv_outsize",
    "get_deconv_outsize", "im2col", "im2col_array", "linear", "pair", "pooling",
    "pooling_simple",
]  # fmt: skip


def im2col_array(
    img: Any, kernel_size: Any, stride: Any, pad: Any, to_matrix: bool = True
) -> Any:
    """DeZero's array-level :func:`im2col`: an array of ``img``'s library, no graph."""
    return im2col(img, kernel_size, stride, pad, to_matrix).data


def col2im_array(
    col: Any, img_shape: Any, kernel_size: Any, stride: Any, pad: Any,
    to_matrix: bool = True,
) -> Any:  # fmt: skip
    """DeZero's array-level :func:`col2im`: an array of ``col``'s library, no graph."""
    return col2im(col, img_shape, kernel_size, stride, pad, to_matrix).data
