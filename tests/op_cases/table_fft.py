"""Rows of the op table: the standard's ``fft`` extension (gathered in table.py).

Each transform has a row with fixed examples (both normalisations that
scale, a padded and a cropped length, even and odd lengths: the edge bins of
``rfft``/``irfft`` differ between them), a fuzz strategy, and PyTorch's
``torch.fft`` as a second opinion on the first and second derivatives.
Special cases and errors: tests/test_fft.py.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import xgrad.functions as F

from .case import Call, OpCase, ex
from .inputs import rand
from .strategies import reals
from .table_complex import complex_away

X35 = rand((3, 5))
X34 = rand((3, 4))
Z35 = complex_away((3, 5))
Z34 = complex_away((3, 4))
NORMS = ("backward", "ortho", "forward")


@st.composite
def signal(draw, complex_: bool, many: bool, inverse_real: bool = False):
    """A 1-D to 3-D signal (every axis at least 1 long; 2 for the half spectrum
    of an inverse real transform), its norm, and ``n`` or ``axes`` and ``s``."""
    low = 2 if inverse_real else 1
    shape = draw(hnp.array_shapes(min_dims=1, max_dims=3, min_side=low, max_side=4))
    values = hnp.arrays(np.float64, shape, elements=reals(-10.0, 10.0))
    x = draw(values)
    if complex_:
        x = np.asarray(x + 1j * draw(values))
    options: dict[str, Any] = {"norm": draw(st.sampled_from(NORMS))}
    ndim = len(shape)
    if many:
        axes = draw(st.permutations(range(ndim)).map(tuple))[
            : draw(st.integers(1, ndim))
        ]
        options["axes"] = axes
        if draw(st.booleans()):
            options["s"] = tuple(draw(st.integers(1, 5)) for _ in axes)
    else:
        options["axis"] = draw(st.integers(-ndim, ndim - 1))
        if draw(st.booleans()):
            options["n"] = draw(st.integers(1, 6))
    return Call([x], options)


def transform(
    name: str, examples: list, fuzz: Any, torch_name: str | None = None
) -> OpCase:
    """``F.<name>`` against ``np.fft.<name>`` and ``torch.fft.<name>``."""
    torch_name = torch_name or name

    def numpy(x: np.ndarray, **options: Any) -> Any:
        return getattr(np.fft, name)(x, **options)

    def torch(x: Any, **options: Any) -> Any:
        import torch as t

        renamed = {
            {"axis": "dim", "axes": "dim"}.get(k, k): v for k, v in options.items()
        }
        return getattr(t.fft, torch_name)(x, **renamed)

    return OpCase(name, getattr(F, name), numpy, examples, fuzz, torch=torch)


def one_axis(x: Any, z: Any) -> list:
    """Examples of a one-dimensional transform: the defaults, each scaling
    ``norm``, a padded and a cropped length, another axis."""
    return [
        ex(x, "default"),
        ex(x, "ortho", norm="ortho"),
        ex(x, "forward", norm="forward"),
        ex(x, "padded", n=7),
        ex(z, "cropped", n=3, axis=0),
    ]


def many_axes(x: Any) -> list:
    return [
        ex(x, "default"),
        ex(x, "ortho-sized", s=(4, 3), axes=(0, 1), norm="ortho"),
        ex(x, "one-axis", axes=(0,), norm="forward"),
    ]


def frequencies(name: str, numpy: Callable[..., Any]) -> OpCase:
    """``F.<name>`` for the length of a signal ``x``, on its device and dtype."""

    def call(x: Any, d: float = 1.0) -> Any:
        return getattr(F, name)(x.shape[-1], d=d, dtype=x.dtype, device=x.device)

    def reference(x: np.ndarray, d: float = 1.0) -> Any:
        return numpy(x.shape[-1], d=d)

    fuzz = signal(complex_=False, many=False).map(lambda c: Call(c.arrays, {"d": 0.5}))
    return OpCase(name, call, reference, [ex(X35), ex(X34, "d", d=0.1)], fuzz,
                  differentiable=False)  # fmt: skip


CASES = [
    transform("fft", one_axis(Z35, Z34), signal(True, False)),
    transform("ifft", one_axis(Z34, Z35), signal(True, False)),
    transform("fftn", many_axes(Z35), signal(True, True)),
    transform("ifftn", many_axes(Z34), signal(True, True)),
    transform("rfft", one_axis(X35, X34), signal(False, False)),
    transform("rfftn", many_axes(X34), signal(False, True)),
    transform("irfft", one_axis(Z35, Z34), signal(True, False, inverse_real=True)),
    transform("irfftn", many_axes(Z35), signal(True, True, inverse_real=True)),
    transform("hfft", one_axis(Z34, Z35), signal(True, False, inverse_real=True)),
    transform("ihfft", one_axis(X35, X34), signal(False, False)),
    transform("fftshift", [ex(X35), ex(Z34, "axes", axes=(0,))],
              signal(False, False).map(lambda c: Call(c.arrays, {}))),
    transform("ifftshift", [ex(X35), ex(Z35, "axes", axes=(1, 0))],
              signal(True, False).map(lambda c: Call(c.arrays, {}))),
    frequencies("fftfreq", np.fft.fftfreq),
    frequencies("rfftfreq", np.fft.rfftfreq),
]  # fmt: skip
