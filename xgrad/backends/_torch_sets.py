"""The standard's ``unique_*`` functions for PyTorch tensors.

array-api-compat has no ``unique_all`` for PyTorch (``torch.unique`` cannot
say where each value first occurs), and ``torch.unique`` takes no complex
tensors. One stable sort serves all four functions, for every dtype:

- a stable sort keeps equal values in their original order, so the first
  element of each run of equal values is the first occurrence (``indices``)
  and holds the value the standard returns (``-0.0`` or ``0.0``, whichever
  comes first);
- complex values sort by real part, then imaginary part (two stable sorts,
  the minor key first);
- runs start where a value differs from the one before it (``!=``), so each
  NaN, which equals nothing, is a value of its own, as the standard says.
"""

from __future__ import annotations

from typing import Any, NamedTuple


class UniqueAllResult(NamedTuple):
    values: Any
    indices: Any
    inverse_indices: Any
    counts: Any


class UniqueCountsResult(NamedTuple):
    values: Any
    counts: Any


class UniqueInverseResult(NamedTuple):
    values: Any
    inverse_indices: Any


def _stable_order(flat: Any) -> Any:
    """The permutation that sorts ``flat`` stably (complex: real, then imag)."""
    import torch

    if not flat.is_complex():
        return torch.sort(flat, stable=True).indices
    by_imag = torch.sort(flat.imag, stable=True).indices
    by_real = torch.sort(flat.real[by_imag], stable=True).indices
    return by_imag[by_real]


def _runs(x: Any) -> tuple[Any, Any, Any]:
    """``x`` flattened: its stable sorting permutation, the sorted values, and
    where each run of equal values starts in them."""
    import torch

    flat = x.reshape(-1)
    order = _stable_order(flat)
    ordered = flat[order]
    starts = torch.ones(flat.shape[0], dtype=torch.bool, device=x.device)
    starts[1:] = ordered[1:] != ordered[:-1]
    return order, ordered, starts


def unique_all(x: Any, /) -> UniqueAllResult:
    """The distinct values of ``x``, where each first occurs in ``x`` flattened,
    the index of each element's value in them (shaped like ``x``), and how
    often each occurs."""
    import torch

    order, ordered, starts = _runs(x)
    n = ordered.shape[0]
    inverse = torch.empty(n, dtype=torch.int64, device=x.device)
    inverse[order] = torch.cumsum(starts, 0) - 1  # each element's value number
    first = torch.nonzero(starts).reshape(-1)
    ends = torch.cat([first[1:], torch.tensor([n], device=x.device)])
    return UniqueAllResult(
        ordered[first], order[first], inverse.reshape(x.shape), ends - first
    )


def unique_counts(x: Any, /) -> UniqueCountsResult:
    """The distinct values of ``x`` and how often each occurs."""
    found = unique_all(x)
    return UniqueCountsResult(found.values, found.counts)


def unique_inverse(x: Any, /) -> UniqueInverseResult:
    """The distinct values of ``x`` and, shaped like ``x``, the index of each
    element's value in them."""
    found = unique_all(x)
    return UniqueInverseResult(found.values, found.inverse_indices)


def unique_values(x: Any, /) -> Any:
    """The distinct values of ``x`` (each NaN counts as one)."""
    _order, ordered, starts = _runs(x)
    return ordered[starts]


__all__ = [
    "UniqueAllResult",
    "UniqueCountsResult",
    "UniqueInverseResult",
    "unique_all",
    "unique_counts",
    "unique_inverse",
    "unique_values",
]
