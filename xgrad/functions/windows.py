"""Windows of NCHW images: ``im2col`` and ``col2im``, and their geometry.

Standard operations only: ``im2col`` stacks the ``KH * KW`` strided slices of
a padded image, ``col2im`` adds them back into a zero buffer one kernel offset
at a time (no scatter), and each is the other's backward (exact derivatives
of any order). Convolution (conv.py) and pooling (pooling.py) are built on
them. Images are (N, C, H, W); ``kernel_size``, ``stride``, ``pad`` are ints
or (height, width) pairs; ``OH = (H + 2 * PH - KH) // SH + 1``.
"""

from __future__ import annotations

from typing import Any

from ..core import Function, Variable
from . import geometry

__all__ = ["Col2im", "Im2col", "Windows", "col2im", "im2col"]

Pair = int | tuple[int, int]
IntPair = tuple[int, int]


# -- geometry and checks ----------------------------------------------------------
def pairs(op: str, *values: Any) -> list[IntPair]:
    """Each value as an (int, int) pair; errors name ``op``."""
    try:
        return [geometry.pair(tuple(v) if isinstance(v, list) else v) for v in values]
    except ValueError as exc:
        raise ValueError(f"{op}: {exc}") from None


def outsize(size: Any, k: IntPair, s: IntPair, p: IntPair) -> IntPair:
    out = geometry.get_conv_outsize
    return out(size[0], k[0], s[0], p[0]), out(size[1], k[1], s[1], p[1])


def check_windows(op: str, shape: Any, k: IntPair, s: IntPair, p: IntPair) -> IntPair:
    """Check the geometry and that windows fit an (N, C, H, W) ``shape``; (OH, OW)."""
    if min(k) < 1 or min(s) < 1 or min(p) < 0:
        raise ValueError(f"{op}: need kernel_size, stride >= 1, pad >= 0: {k} {s} {p}")
    if "pool" in op and op != "average_pooling" and (p[0] >= k[0] or p[1] >= k[1]):
        raise ValueError(f"{op}: pad {p} must be smaller than kernel_size {k}")
    oh, ow = outsize(shape[2:], k, s, p) if len(shape) == 4 else (0, 0)
    if oh < 1 or ow < 1:
        want = f"(N, C, H, W) that a {k} kernel with pad {p} fits"
        fix = "pass NCHW images, a larger pad or a smaller kernel"
        raise ValueError(f"{op}: input of shape {tuple(shape)} is not {want}; {fix}")
    return oh, ow


# -- array level: raw arrays of any array-API library, no graph -------------------
def _rows(i: int, s: int, n: int) -> slice:
    """Rows kernel offset ``i`` visits: ``i, i + s, ..., i + s * (n - 1)``."""
    return slice(i, i + s * (n - 1) + 1, s)  # an exact stop: no out-of-range slices


def im2col_array(
    backend: Any, x: Any, k: Any, s: Any, p: Any, fill: float = 0.0
) -> Any:
    """(N, C, H, W) image to (N, C, KH, KW, OH, OW) windows, padded with ``fill``."""
    xp, (n, c, h, w), (oh, ow) = backend.xp, x.shape, outsize(x.shape[2:], k, s, p)
    img = x
    if p[0] or p[1]:
        shape = (n, c, h + 2 * p[0], w + 2 * p[1])
        img = xp.full(shape, fill, dtype=x.dtype, device=backend.device_of(x))
        img[:, :, p[0] : p[0] + h, p[1] : p[1] + w] = x
    offsets = [(i, j) for i in range(k[0]) for j in range(k[1])]
    parts = [img[:, :, _rows(i, s[0], oh), _rows(j, s[1], ow)] for i, j in offsets]
    return xp.reshape(xp.stack(parts, axis=2), (n, c, k[0], k[1], oh, ow))


def col2im_array(backend: Any, col: Any, shape: Any, s: Any, p: Any) -> Any:
    """Sum (N, C, KH, KW, OH, OW) windows back into an (N, C, H, W) image."""
    (n, c, h, w), (_, _, kh, kw, oh, ow) = shape, col.shape
    padded = (n, c, h + 2 * p[0], w + 2 * p[1])
    # A fresh buffer of our own, so adding into slices of it is safe everywhere.
    img = backend.xp.zeros(padded, dtype=col.dtype, device=backend.device_of(col))
    for i in range(kh):
        for j in range(kw):
            img[:, :, _rows(i, s[0], oh), _rows(j, s[1], ow)] += col[:, :, i, j, ...]
    return img[:, :, p[0] : p[0] + h, p[1] : p[1] + w] if p[0] or p[1] else img


def windows_to_matrix(xp: Any, col: Any) -> Any:
    """(N, C, KH, KW, OH, OW) to DeZero's matrix (N * OH * OW, C * KH * KW)."""
    n, c, kh, kw, oh, ow = col.shape
    col = xp.permute_dims(col, (0, 4, 5, 1, 2, 3))
    return xp.reshape(col, (n * oh * ow, c * kh * kw))


def matrix_to_windows(xp: Any, col: Any, shape: Any, k: Any, s: Any, p: Any) -> Any:
    """DeZero's matrix (N * OH * OW, C * KH * KW) back to (N, C, KH, KW, OH, OW)."""
    oh, ow = outsize(shape[2:], k, s, p)
    col = xp.reshape(col, (shape[0], oh, ow, shape[1], k[0], k[1]))
    return xp.permute_dims(col, (0, 3, 4, 5, 1, 2))


# -- im2col / col2im: each one's gradient is the other ---------------------------
class Windows(Function):
    """A Function over the windows of an image, its geometry kept as pairs."""

    def __init__(self, kernel_size: Pair, stride: Pair = 1, pad: Pair = 0) -> None:
        op = type(self).__name__
        self.kernel_size, self.stride, self.pad = pairs(op, kernel_size, stride, pad)

    def check(self, x: Any) -> None:
        """The windows fit an (N, C, H, W) image."""
        check_windows(
            self.function_name, x.shape, self.kernel_size, self.stride, self.pad
        )


class Im2col(Windows):
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
        col = im2col_array(self.backend, x, k, s, p, self.fill)
        return windows_to_matrix(self.xp, col) if self.to_matrix else col

    def backward(self, gy):
        k, s, p = self.kernel_size, self.stride, self.pad
        return col2im(gy, self.input_shape, k, s, p, self.to_matrix)


class Col2im(Windows):
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
        oh, ow = check_windows("col2im", shape, k, self.stride, self.pad)
        n, c = shape[:2]
        want = (n * oh * ow, c * k[0] * k[1]) if self.to_matrix else (n, c, *k, oh, ow)
        if tuple(x.shape) != want:
            raise ValueError(f"col2im: x {tuple(x.shape)} does not fit; want {want}")

    def forward(self, col):
        k, s, p = self.kernel_size, self.stride, self.pad
        if self.to_matrix:
            col = matrix_to_windows(self.xp, col, self.input_shape, k, s, p)
        return col2im_array(self.backend, col, self.input_shape, s, p)

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
