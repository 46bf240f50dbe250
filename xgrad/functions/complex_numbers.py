"""Complex numbers: real, imag, conj, and the one gradient convention of xgrad.

For a real loss ``L`` of a complex Variable ``z = x + iy``, ``z.grad`` is
``dL/dx + i dL/dy`` (twice the conjugate Wirtinger derivative, PyTorch's
convention), so a gradient step ``z - lr * z.grad`` descends ``L`` as it
does for real numbers. Each backward follows from it:

- a holomorphic op ``w = f(z)`` gives ``gz = gw * conj(f'(z))``: the real
  formula with the inputs conjugated (``conj_of`` below, free on real data);
- ``real(z)`` gives ``gw + 0j``, ``imag(z)`` gives ``1j * gw``, ``conj(z)``
  gives ``conj(gw)``, ``abs(z)`` gives ``gw * z / |z|`` (0 at 0);
- a real input of a mixed real/complex op gets the real part of its
  gradient (the backward engine takes it, once, for every op).
"""

from __future__ import annotations

from typing import Any

from .. import backends
from ..core import Constant, Function, Variable, as_variable
from ..domains import kind
from .shape import Identity

COMPLEX = "complex floating"


# The real dtype that is_complex classified last. Nearly every check meets it
# again, and an identity test is some four times cheaper than the table's
# lookup (hashing a NumPy dtype): the real path stays as fast as before.
_last_real: Any = None


def is_complex(x: Variable, backend: Any) -> bool:
    """Whether ``x`` holds complex numbers: the backend's table of dtype kinds,
    filled on a dtype's first use (``xgrad.domains.kind``)."""
    global _last_real
    dtype = x._data.dtype
    if dtype is _last_real:
        return False
    if (backend.kinds.get(dtype) or kind(backend, dtype)) == COMPLEX:
        return True
    _last_real = dtype  # kept alive here, so no other dtype takes its identity
    return False


def conj_of(x: Variable, backend: Any) -> Variable:
    """``conj(x)`` on the tape for complex ``x``; ``x`` itself for real ``x``.

    Backward methods call it on the factors of ``gy``: on real data it adds no
    op, and costs an identity test.
    """
    return Conj()(x) if is_complex(x, backend) else x


class Conj(Function):
    domain = "numeric"

    def forward(self, x):
        return self.xp.conj(x)

    def backward(self, gy):
        return Conj()(gy)  # conj is its own adjoint under the convention


class Real(Function):
    domain = "numeric"

    def forward(self, x):
        return self.xp.real(x)

    def backward(self, gy):
        (x,) = self.inputs
        return Complexify(x.dtype, imaginary=False)(gy)  # gy + 0j


class Imag(Function):
    domain = "numeric"

    def forward(self, x):
        return self.xp.imag(x)

    def backward(self, gy):
        (x,) = self.inputs
        return Complexify(x.dtype, imaginary=True)(gy)  # 0 + 1j * gy


class Complexify(Function):
    """A real ``gy`` as the complex ``dtype``: ``gy + 0j``, or ``1j * gy`` if
    ``imaginary`` (real's and imag's backward).

    Its own backward gives the real gradient of its real input: the real
    part of ``ggz``, or the imaginary part.
    """

    def __init__(self, dtype: Any, imaginary: bool) -> None:
        self.dtype, self.imaginary = dtype, imaginary

    def forward(self, gy):
        z = self.xp.astype(gy, self.dtype)
        return z * 1j if self.imaginary else z

    def backward(self, ggz):
        return Imag()(ggz) if self.imaginary else Real()(ggz)


def real(x: Any, /) -> Variable:
    """The real part of ``x``; for a real ``x``, a copy on the tape.

    Its gradient is ``gy + 0j``: the imaginary part gets none.
    """
    x = as_variable(x)
    if not is_complex(x, backends.of(x._data)):
        return Identity()(x)
    return Real()(x)


def imag(x: Any, /) -> Variable:
    """The imaginary part of ``x`` (zeros for a real ``x``, with no gradient).

    Its gradient is ``1j * gy``: the real part gets none.
    """
    x = as_variable(x)
    backend = backends.of(x._data)
    if not is_complex(x, backend):
        return Constant(backend.xp.zeros_like(x._data))
    return Imag()(x)


def conj(x: Any, /) -> Variable:
    """The complex conjugate of ``x``; for a real ``x``, a copy on the tape.

    Its gradient is ``conj(gy)``.
    """
    x = as_variable(x)
    if not is_complex(x, backends.of(x._data)):
        return Identity()(x)
    return Conj()(x)
