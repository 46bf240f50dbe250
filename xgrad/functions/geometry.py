"""Window geometry of convolution and pooling: DeZero's ``utils`` helpers.

``xgrad.utils`` re-exports them under the book's names; the ops and layers
read them here, below the layers that use them.
"""

from __future__ import annotations

__all__ = ["get_conv_outsize", "get_deconv_outsize", "pair"]


def get_conv_outsize(input_size: int, kernel_size: int, stride: int, pad: int) -> int:
    """Output length of a convolution along one axis."""
    return (input_size + pad * 2 - kernel_size) // stride + 1


def get_deconv_outsize(size: int, k: int, s: int, p: int) -> int:
    """Output length of a transposed convolution along one axis."""
    return s * (size - 1) + k - 2 * p


def pair(x: int | tuple[int, int]) -> tuple[int, int]:
    """``x`` as a pair: an int is repeated, a pair is returned as is."""
    if isinstance(x, int):
        return (x, x)
    if isinstance(x, tuple) and len(x) == 2:
        return x
    raise ValueError(f"pair: expected an int or a pair of ints, got {x!r}")
