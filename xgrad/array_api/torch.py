"""The array API standard on Variables of torch arrays (see xgrad.array_api).

array-api-compat has no ``unique_all`` for PyTorch, and ``torch.unique``
takes no complex tensors: the four ``unique_*`` functions here are xgrad's
own (:mod:`xgrad.backends._torch_sets`), with the standard's signatures.
"""

import sys

from .. import backends
from ..backends import _torch_sets
from ..lifting import lift
from .build import fill

_module = fill(sys.modules[__name__], backends.get("torch"))
for _name in ("unique_all", "unique_counts", "unique_inverse", "unique_values"):
    _library = _module.__dict__[_name]  # the same signature, docstring, module
    _own = lift(getattr(_torch_sets, _name), _name)
    _own.__signature__ = _library.__signature__  # type: ignore[attr-defined]
    _own.__doc__, _own.__module__ = _library.__doc__, _library.__module__
    setattr(_module, _name, _own)
