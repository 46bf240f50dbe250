"""Seedable random numbers on any backend and device.

A :class:`Generator` draws with the library's own generator where it has one
(NumPy's ``Generator``, ``torch.Generator`` on the target device,
``cupy.random``) and otherwise on the host with NumPy, moving the result.
:func:`manual_seed` reseeds the default generator that parameter
initialisation, dropout and shuffling use.

Reproducibility: one seed gives the same values on NumPy and on every backend
without a generator of its own (array-api-strict, any device). PyTorch and
CuPy use their own algorithms, so their values differ from NumPy's, and
PyTorch's CPU and CUDA generators differ from each other; each is
reproducible on its own device.

DeZero's order: :class:`NumPyGlobalGenerator` draws everything from NumPy's
global stream (``np.random``) with DeZero's own calls, in DeZero's order and
with DeZero's dtypes, so a book program seeded with ``np.random.seed(0)``
prints the book's numbers. Book mode (:mod:`xgrad.book`) makes it the default.
"""

from .generator import (
    Generator,
    Shape,
    bernoulli,
    default_generator,
    integers,
    manual_seed,
    normal,
    permutation,
    set_default_generator,
    uniform,
)
from .numpy_global import NumPyGlobalGenerator

__all__ = [
    "Generator",
    "NumPyGlobalGenerator",
    "Shape",
    "bernoulli",
    "default_generator",
    "integers",
    "manual_seed",
    "normal",
    "permutation",
    "set_default_generator",
    "uniform",
]
