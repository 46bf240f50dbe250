"""Rows of the op table: the special functions SciPy finds as ``xp.special.<name>``
(gathered in table.py). References are mpmath's (or ``math``'s) over the
elements; PyTorch's ``torch.special`` gives a second opinion on derivatives."""

from __future__ import annotations

import math
from typing import Any

import mpmath
import numpy as np
from hypothesis import strategies as st

import xgrad.functions as F

from .case import OpCase, ex
from .inputs import given, rand, rand_between, rand_positive
from .strategies import elementwise, uniform


def _over_elements(f: Any) -> Any:
    """``f`` of a Python float, applied to every element (at 30 digits)."""

    def reference(x: Any) -> np.ndarray:
        with mpmath.workdps(30):
            return np.vectorize(
                lambda v: float(f(mpmath.mpf(float(v)))), otypes=[float]
            )(x)

    return reference


def _torch() -> Any:
    """``torch.special``, imported when a torch reference runs."""
    import torch.special

    return torch.special


def _torch_nn() -> Any:
    import torch.nn.functional

    return torch.nn.functional


def _xlogy(x, y, g=np.log):
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where((x == 0) & ~np.isnan(y), 0.0, x * g(y))


def _rel_entr(x, y):
    inside = (x > 0) & (y > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        value = x * np.log(x / y)
    return np.where(inside, value, np.where((x == 0) & (y >= 0), 0.0, np.inf))


def _entr(x):
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(x > 0, -x * np.log(x), np.where(x == 0, 0.0, -np.inf))


SQRT_HALF = math.sqrt(0.5)
erfc = np.vectorize(math.erfc, otypes=[float])
gammaln = np.vectorize(math.lgamma, otypes=[float])
erfcx = _over_elements(lambda v: mpmath.erfc(v) * mpmath.exp(v * v))
erfinv = _over_elements(mpmath.erfinv)
ndtr = _over_elements(mpmath.ncdf)
ndtri = _over_elements(lambda p: mpmath.sqrt(2) * mpmath.erfinv(2 * p - 1))
log_ndtr = _over_elements(lambda v: mpmath.log(mpmath.ncdf(v)))
digamma = _over_elements(mpmath.digamma)
i1 = _over_elements(lambda v: mpmath.besseli(1, v))


def polygamma(x, n):
    return _over_elements(lambda v: mpmath.polygamma(n, v))(x)


UNIT = uniform(0.02, 0.98)  # inside (0, 1), where central differences still work

CASES = [
    # the error function's family
    OpCase("erfc", F.erfc, erfc, [ex(rand((2, 3), low=-3.0, high=3.0)),
           ex(given([-4.0, -0.5, 0.49, 0.51, 2.0, 9.0, 26.0]), "tails")],
           elementwise(uniform(-6.0, 26.0)), torch=lambda x: _torch().erfc(x)),
    OpCase("erfcx", F.erfcx, erfcx, [ex(rand((2, 3), low=-2.0, high=5.0)),
           ex(given([-3.0, 0.4, 1.25, 2.75, 30.0, 1e3]), "pieces")],
           elementwise(uniform(-5.0, 1e4)), torch=lambda x: _torch().erfcx(x)),
    OpCase("erfinv", F.erfinv, erfinv, [ex(rand((2, 3), low=-0.95, high=0.95)),
           ex(given([-0.99, -0.5, 1e-8, 0.5001, 0.98]), "tails")],
           elementwise(uniform(-0.95, 0.95)), torch=lambda x: _torch().erfinv(x)),
    OpCase("ndtr", F.ndtr, ndtr, [ex(rand((2, 3), low=-4.0, high=4.0))],
           elementwise(uniform(-35.0, 35.0)), torch=lambda x: _torch().ndtr(x)),
    # PyTorch's ndtr and its derivatives lose the left tail (0 at -30): no torch
    OpCase("ndtr_tails", F.ndtr, ndtr, [ex(given([-30.0, -5.0, -0.7, 0.71, 8.0]))]),
    OpCase("ndtri", F.ndtri, ndtri, [ex(rand((2, 3), low=0.02, high=0.98)),
           ex(given([0.03, 0.1, 0.25, 0.75, 0.97]), "tails")],
           elementwise(UNIT), torch=lambda p: _torch().ndtri(p)),
    OpCase("log_ndtr", F.log_ndtr, log_ndtr, [ex(rand((2, 3), low=-4.0, high=4.0))],
           elementwise(uniform(-1e3, 30.0)), torch=lambda x: _torch().log_ndtr(x)),
    # PyTorch's second derivative at -200 is off by 7e-8 (a cancellation): no torch
    OpCase("log_ndtr_tails", F.log_ndtr, log_ndtr,
           [ex(given([-200.0, -20.0, -0.7, 0.71, 6.0]))]),
    # the gamma function
    OpCase("gammaln", F.gammaln, gammaln, [ex(rand_positive((2, 3), low=0.1, high=12.0)),
           ex(given([-3.5, -0.4, 1.0, 2.0, 2.6, 300.0]), "negative_and_zeros")],
           elementwise(uniform(0.05, 1e3)), torch=lambda x: _torch().gammaln(x)),
    OpCase("digamma", F.digamma, digamma, [ex(rand_positive((2, 3), low=0.1, high=12.0)),
           ex(given([-2.5, -0.3, 1.4616, 2.0, 30.0]), "negative_and_root")],
           elementwise(uniform(0.05, 1e3))),  # PyTorch's polygamma: 1e-9 off (below)
    OpCase("polygamma", lambda x, n: F.polygamma(n, x), polygamma, [
           ex(rand_positive((2, 3), low=0.2, high=8.0), "trigamma", n=1),
           ex(given([-1.5, 0.3, 4.0, 25.0]), "order3", n=3),
           ex(given([0.5, 3.0]), "order0", n=0)],
           elementwise(uniform(0.05, 1e3), n=st.integers(0, 3))),
    # (no torch reference: PyTorch's trigamma(1/2) is 4.934802202, pi^2/2 is
    # 4.934802200544704; the values are checked against mpmath instead)
    # Bessel functions
    OpCase("i0", F.i0, np.i0, [ex(rand((2, 3), low=-5.0, high=5.0)),
           ex(given([0.0, -19.9, 20.0, 22.0]), "pieces")],
           elementwise(uniform(-40.0, 40.0)), torch=lambda x: _torch().i0(x)),
    OpCase("i1", F.i1, i1, [ex(rand((2, 3), low=-5.0, high=5.0)),
           ex(given([-19.9, 20.0, 22.0]), "pieces"), ex(given([0.0, -0.3]), "zero")],
           elementwise(uniform(-40.0, 40.0)), torch=lambda x: _torch().i1(x)),
    # logistic
    OpCase("expit", F.expit, lambda x: 0.5 + 0.5 * np.tanh(0.5 * x),
           [ex(rand((2, 3), low=-5.0, high=5.0))], elementwise(uniform(-1e3, 1e3)),
           torch=lambda x: _torch().expit(x)),
    # PyTorch's second derivative at 40 is 0, the true one -4.2e-18: no torch
    OpCase("expit_tails", F.expit, lambda x: 0.5 + 0.5 * np.tanh(0.5 * x),
           [ex(given([-40.0, 0.0, 40.0]))]),
    OpCase("logit", F.logit, lambda p: np.log(p / (1 - p)),
           [ex(rand((2, 3), low=0.01, high=0.99))],
           elementwise(UNIT), torch=lambda p: _torch().logit(p)),
    # PyTorch's logit(0.5000001) is off by 2e-10 relative: no torch
    OpCase("logit_pieces", F.logit, lambda p: np.log(p / (1 - p)),
           [ex(given([0.03, 0.25, 0.5000001, 0.75, 0.97]))]),
    OpCase("log_expit", F.log_expit, lambda x: -np.logaddexp(0.0, -x),
           [ex(rand((2, 3), low=-5.0, high=5.0))], elementwise(uniform(-1e3, 1e3)),
           torch=lambda x: _torch_nn().logsigmoid(x)),
    # PyTorch's second derivative at 40 is -1.8e-18, the true one -4.2e-18: no torch
    OpCase("log_expit_far", F.log_expit, lambda x: -np.logaddexp(0.0, -x),
           [ex(given([-800.0, 0.0, 40.0]))]),
    # x log y and the entropy terms
    OpCase("xlogy", F.xlogy, _xlogy, [ex(rand_between((2, 3), (3,), lows=(-2.0, 0.1),
           highs=(2.0, 3.0)))], elementwise(uniform(-1e3, 1e3), uniform(0.05, 1e3)),
           torch=lambda x, y: _torch().xlogy(x, y)),
    # PyTorch's x-gradient is 0 wherever x == 0; here it is log(y), the derivative
    OpCase("xlogy_at_zero", F.xlogy, _xlogy, [ex(given([0.0, 0.0, 2.0], [0.3, 1.5, 0.5]))],
           elementwise(uniform(0.0, 0.0), uniform(0.05, 1e3))),
    OpCase("xlog1py", F.xlog1py, lambda x, y: _xlogy(x, y, np.log1p),
           [ex(rand_between((2, 3), (3,), lows=(-2.0, -0.9), highs=(2.0, 3.0))),
           ], elementwise(uniform(-1e3, 1e3), uniform(-0.95, 1e3)),
           torch=lambda x, y: _torch().xlog1py(x, y)),
    OpCase("xlog1py_at_zero", F.xlog1py, lambda x, y: _xlogy(x, y, np.log1p),
           [ex(given([0.0, 0.0, 2.0], [-0.5, 1.5, 0.5]))],
           elementwise(uniform(0.0, 0.0), uniform(-0.95, 1e3))),
    OpCase("entr", F.entr, _entr, [ex(rand_positive((2, 3), low=0.05, high=3.0))],
           elementwise(uniform(0.01, 1e3)), torch=lambda x: _torch().entr(x)),
    OpCase("rel_entr", F.rel_entr, _rel_entr,
           [ex(rand_positive((2, 3), (3,), low=0.05, high=3.0)),
            ex(given([1.0, 2.0, 3.0], [1.0000001, 1.0, 5.0]), "near_equal")],
           # From 0.05, as POSITIVE: nearer 0 the curvature (1/x) makes central
           # differences of the second derivative lose the digits the check needs.
           elementwise(uniform(0.05, 1e3), uniform(0.05, 1e3))),
]  # fmt: skip
