"""The regularized incomplete beta function, for ``xp.special.betainc`` and
``betaincc``: what SciPy's ``_SimpleBeta`` (the p-values of ``pearsonr`` and,
through ``stdtr``, the t-tests) looks up before it falls back to NumPy.

The values come from the function's continued fraction, evaluated with
standard functions alone (so on every backend) by the modified Lentz method,
on the side of ``x = (a + 1) / (a + b + 2)`` where it converges fast; the
other side follows from ``I_x(a, b) = 1 - I_{1-x}(b, a)``. The gradient is
taken with respect to ``x`` (the integrand,
``x**(a-1) (1-x)**(b-1) / B(a, b)``); ``a`` and ``b`` are the distribution's
shape, which a test statistic does not move: a gradient with respect to
them is refused.
"""

from __future__ import annotations

from typing import Any

from .. import functions as F
from .._errors import Unsupported
from ..core import Function, Variable, as_input

#: at most this many terms of the continued fraction: it needs about
#: sqrt(max(a, b)) of them, so shapes into the hundreds of thousands (a
#: correlation of that many points) converge; checked every _CHECK_EVERY terms
_MAX_TERMS = 3000
_CHECK_EVERY = 16


class Betainc(Function):
    """``I_x(a, b)``; differentiable in ``x``, with ``a`` and ``b`` held fixed."""

    domain = "real floating"

    def forward(self, *arrays: Any) -> Any:
        a, b, x = arrays
        xp = self.xp
        a, b, x = xp.broadcast_arrays(a, b, x)
        outside = ~((x >= 0) & (x <= 1) & (a > 0) & (b > 0))  # NaN too
        a, b = (
            xp.where(outside, xp.ones_like(a), a),
            xp.where(outside, xp.ones_like(b), b),
        )
        x = xp.where(outside, xp.full_like(x, 0.5), x)
        flip = x > (a + 1) / (a + b + 2)
        a, b = xp.where(flip, b, a), xp.where(flip, a, b)
        x = xp.where(flip, 1 - x, x)
        front = xp.exp(_xlogy(xp, a, x) + _xlogy(xp, b, 1 - x) - self._log_beta(a, b))
        value = front * _continued_fraction(self.backend, a, b, x) / a
        value = xp.where(flip, 1 - value, value)
        return xp.where(outside, xp.full_like(value, xp.nan), value)

    def _log_beta(self, a: Any, b: Any) -> Any:
        gammaln = self.backend.special.gammaln
        return gammaln(a) + gammaln(b) - gammaln(a + b)

    def backward(self, *gys: Any) -> Any:
        (gy,) = gys
        a, b, x = self.inputs
        log_beta = F.gammaln(a) + F.gammaln(b) - F.gammaln(a + b)
        density = F.exp(F.xlogy(a - 1, x) + F.xlog1py(b - 1, -x) - log_beta)
        return None, None, gy * density


def _xlogy(xp: Any, a: Any, x: Any) -> Any:
    """``a * log(x)`` for ``a > 0``: ``-inf`` where ``x`` is 0, without the
    warning a library gives for ``log(0)``."""
    safe = xp.where(x == 0, xp.ones_like(x), x)
    return xp.where(x == 0, xp.full_like(x, -xp.inf), a * xp.log(safe))


def _continued_fraction(backend: Any, a: Any, b: Any, x: Any) -> Any:
    """``1 / (1 + d1 / (1 + d2 / (1 + ...)))`` of the incomplete beta
    function, by the modified Lentz method (each term kept away from 0).
    A lazy library's arrays are persisted at each convergence check, so the
    check does not recompute every term before it."""
    xp = backend.xp
    dtype = x.dtype
    tiny = xp.finfo(dtype).smallest_normal * 1e3
    eps = xp.finfo(dtype).eps

    def away_from_zero(v: Any) -> Any:
        return xp.where(xp.abs(v) < tiny, xp.full_like(v, tiny), v)

    c = xp.ones_like(x)
    d = 1 / away_from_zero(1 - (a + b) * x / (a + 1))
    h = d
    for m in range(1, _MAX_TERMS + 1):
        for coefficient in (
            m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m)),
            -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1)),
        ):
            d = 1 / away_from_zero(1 + coefficient * d)
            c = away_from_zero(1 + coefficient / c)
            h = h * d * c
        if m % _CHECK_EVERY == 0:
            h, c, d = backend.persist([h, c, d])
            if bool(xp.all(~(xp.abs(d * c - 1) > eps))):
                break
    return h


def _fixed_shape(name: str, **shapes: Any) -> None:
    for which, value in shapes.items():
        if isinstance(value, Variable) and value.requires_grad:
            raise Unsupported(
                f"xgrad.array_api: special.{name} has a gradient with respect to x "
                f"only; its {which} (shape {value.shape}, dtype {value.dtype}) "
                f"needs one. Pass it as a constant (`{which}.data`, or "
                f"`xp.asarray({which}.data)`)"
            )


def _shape_beside(value: Any, x: Variable) -> Any:
    """A shape parameter as an array on ``x``'s device: SciPy makes them with
    ``xp.asarray(n / 2 - 1)``, on the default device, whatever ``x``'s is."""
    data = value.data if isinstance(value, Variable) else value
    device = x.backend.device_of(x.data)
    if hasattr(data, "to_device"):
        return data.to_device(device)
    return x.backend.xp.asarray(data, dtype=x.dtype, device=device)


def betainc(a: Any, b: Any, x: Any) -> Variable:
    """The regularized incomplete beta function ``I_x(a, b)``: the Beta(a, b)
    distribution's CDF at ``x``. NaN outside ``0 <= x <= 1``, ``a, b > 0``."""
    _fixed_shape("betainc", a=a, b=b)
    x = as_input(x)
    return Betainc()(_shape_beside(a, x), _shape_beside(b, x), x)


def betaincc(a: Any, b: Any, x: Any) -> Variable:
    """``1 - I_x(a, b)``, the Beta(a, b) survival function at ``x``, computed
    as ``I_{1-x}(b, a)`` so that small tails keep their digits."""
    _fixed_shape("betaincc", a=a, b=b)
    x = as_input(x)
    return Betainc()(_shape_beside(b, x), _shape_beside(a, x), F.rsub(x, 1.0))


__all__ = ["Betainc", "betainc", "betaincc"]
