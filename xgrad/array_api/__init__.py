"""The array API standard on Variables: ``x.__array_namespace__()``.

One namespace per backend, ``xgrad.array_api.<backend>`` (``numpy``,
``torch``, ``cupy``, ``array_api_strict``, ``dask``), built once and kept on
the backend. Its functions take and return Variables and record on xgrad's
tape, so code written for the standard (SciPy, scikit-learn,
array-api-extra, einops) becomes differentiable without a change:

>>> import numpy as np
>>> import xgrad
>>> x = xgrad.Variable(np.array([0.5, 2.0]))
>>> xp = x.__array_namespace__()
>>> y = xp.sum(xp.sqrt(x) * x)
>>> y.backward()
>>> x.grad
variable([1.06066017 2.12132034])

docs/array_api.md says what is differentiable and how.
"""

from __future__ import annotations

from ..operators import OPS
from .build import NO_GRADIENT, namespace

OPS.namespace = namespace

__all__ = ["NO_GRADIENT", "namespace"]
