"""What the array API standard asks of an array object, beyond its operators.

:class:`ArrayObject` is a base of ``Variable``: ``__array_namespace__`` (the
namespace that records on xgrad's tape, :mod:`xgrad.array_api`), the Python
conversions of one-element arrays (``bool``, ``int``, ``float``, ``complex``,
``operator.index``), ``mT``, and the exports to other libraries
(``__dlpack__``), which refuse a Variable that needs a gradient: handing its
memory to a NumPy solver would leave the tape without a word, and the
gradient would silently miss that path. ``np.asarray(variable)`` raises for
the same reason.
"""

from __future__ import annotations

import math
import operator
from types import ModuleType
from typing import TYPE_CHECKING, Any

from . import backends
from .operators import OPS

if TYPE_CHECKING:
    from .variable import Variable

__all__ = ["API_VERSIONS", "ArrayObject"]

#: The versions of the standard that ``__array_namespace__`` accepts.
API_VERSIONS = ("2021.12", "2022.12", "2023.12", "2024.12")


class ArrayObject:
    """The standard's array-object protocol on Variables."""

    __slots__ = ()
    _data: Any
    requires_grad: bool

    def __array_namespace__(self, /, *, api_version: str | None = None) -> ModuleType:
        """xgrad's array-API namespace for this Variable's library, whose
        functions take and return Variables and record on the tape.

        Examples
        --------
        >>> import numpy as np
        >>> import xgrad
        >>> x = xgrad.Variable(np.array([1.0, 2.0]))
        >>> xp = x.__array_namespace__()
        >>> xp.__name__
        'xgrad.array_api.numpy'
        >>> y = xp.sum(xp.exp(x))
        >>> y.backward()
        >>> x.grad
        variable([2.71828183 7.3890561 ])
        """
        if api_version is not None and api_version not in API_VERSIONS:
            raise ValueError(
                f"__array_namespace__: api_version {api_version!r} is not "
                f"supported; xgrad implements {', '.join(API_VERSIONS)}"
            )
        return OPS.namespace(backends.of(self._data, op="__array_namespace__"))

    def __len__(self) -> int:
        if self._data.ndim == 0:
            raise TypeError("len() of a 0-d Variable; use .size or .shape")
        return int(self._data.shape[0])

    # -- Python scalars from one-element arrays -------------------------------
    def _one_element(self, conversion: str) -> Any:
        """The array as a 0-d array, for ``bool()``, ``int()`` and the like."""
        data = self._data
        if data is None:
            raise TypeError(f"{conversion}() of a Variable with no data (None)")
        backend = backends.of(data, op=conversion)
        if backend.lazy and conversion != "float":
            raise TypeError(
                f"{conversion}() of a lazy {backend.name} Variable would compute "
                f"its whole graph in secret; compute it first "
                f"(`xgrad.compute(x)`) or decide with array functions "
                f"(`xp.where`)"
            )
        size = math.prod(data.shape)
        if size != 1:
            if conversion == "bool":
                raise TypeError(
                    f"The truth value of a Variable with {size} elements (shape "
                    f"{tuple(data.shape)}) is ambiguous; use xp.any(x) or xp.all(x)"
                )
            raise TypeError(
                f"{conversion}() of a Variable of shape {tuple(data.shape)}: only "
                f"a one-element Variable converts to a Python number"
            )
        return data if data.ndim == 0 else backend.xp.reshape(data, ())

    def __bool__(self) -> bool:
        return bool(self._one_element("bool"))

    def __int__(self) -> int:
        return int(self._one_element("int"))

    def __float__(self) -> float:
        return float(self._one_element("float"))

    def __complex__(self) -> complex:
        return complex(self._one_element("complex"))

    def __index__(self) -> int:
        return operator.index(self._one_element("index"))

    # -- leaving the tape ---------------------------------------------------------
    def _refuse_export(self, how: str) -> None:
        if self.requires_grad:
            raise TypeError(
                f"{how}: this Variable needs a gradient, and its memory handed "
                f"to another library would leave xgrad's tape, so the gradient "
                f"would miss that path. Compute with its namespace "
                f"(`x.__array_namespace__()`), or leave the tape on purpose "
                f"with its array: `x.data`"
            )

    def __array__(self, dtype: Any = None, copy: bool | None = None) -> Any:
        raise TypeError(
            "Variable.__array__: a Variable does not turn into a NumPy array "
            "implicitly, since the result would leave xgrad's tape and lose "
            "its gradient. Use its array (`x.data`) if that is what you mean, "
            "or compute with its namespace (`x.__array_namespace__()`)"
        )

    def __dlpack__(
        self,
        /,
        *,
        stream: Any = None,
        max_version: tuple[int, int] | None = None,
        dl_device: Any = None,
        copy: bool | None = None,
    ) -> Any:
        self._refuse_export("__dlpack__")
        given = {"stream": stream, "max_version": max_version}
        given |= {"dl_device": dl_device, "copy": copy}
        return self._data.__dlpack__(
            **{k: v for k, v in given.items() if v is not None}
        )

    def __dlpack_device__(self) -> tuple[Any, int]:
        self._refuse_export("__dlpack_device__")
        return self._data.__dlpack_device__()

    @property
    def mT(self) -> Variable:
        """The transpose of the last two axes (a stack of matrices)."""
        return OPS.matrix_transpose(self)
