"""Layer normalisation over the last axis, with its gradient as one fused op."""

from __future__ import annotations

from typing import Any

from ..core import Function, Variable
from .reduction import mean
from .reduction import sum as sum_
from .shape import broadcast_to, sum_to, sum_to_array
from .temporaries import add_into, multiply_into, subtract_into


class LayerNorm(Function):
    """``(x - mean) / sqrt(var + eps) * gamma + beta`` over the last axis."""

    domain = "real floating"
    function_name = "layer_norm"

    def __init__(self, eps: float, has_gamma: bool, has_beta: bool) -> None:
        self.eps, self.has_gamma, self.has_beta = eps, has_gamma, has_beta

    def check(self, x: Any, *params: Any) -> None:
        if x.ndim == 0:
            raise ValueError(
                "layer_norm: x is 0-d; it normalises over the last axis, so pass an "
                "array of at least one dimension"
            )
        want = tuple(x.shape[-1:])
        for name, p in zip(self._names(), params, strict=True):
            if tuple(p.shape) != want:
                raise ValueError(
                    f"layer_norm: {name} has shape {tuple(p.shape)}, but x of shape "
                    f"{tuple(x.shape)} needs {want}: one value per element of the "
                    f"last axis"
                )

    def _names(self) -> list[str]:
        return [
            n for n, on in (("gamma", self.has_gamma), ("beta", self.has_beta)) if on
        ]

    def forward(self, x, *params):
        xp = self.xp
        xhat = x - xp.mean(x, axis=-1, keepdims=True)  # centred; ours, so in place
        rstd = 1.0 / xp.sqrt(_row_mean_of_product(xp, xhat, xhat) + self.eps)
        xhat = multiply_into(xhat, rstd)
        self.saved = (xhat, rstd)  # for the gradient: not recomputed
        found = iter(params)
        y = xhat * next(found) if self.has_gamma else xhat
        if not self.has_beta:
            return y
        beta = next(found)
        return add_into(y, beta) if self.has_gamma else y + beta  # xhat is saved

    def backward(self, gy):
        x = self.inputs[0]
        gamma = (self.inputs[1],) if self.has_gamma else ()
        grad = LayerNormGrad(self.eps, self.has_gamma, self.has_beta, self.saved)
        grads = grad(x, *gamma, gy)
        return tuple(grads) if isinstance(grads, list) else grads


def _row_mean_of_product(xp: Any, a: Any, b: Any) -> Any:
    """``mean(a * b, axis=-1, keepdims=True)`` with no ``a * b`` array: a dot
    product along the last axis (the library's, with its own dtype rules)."""
    if a.dtype != b.dtype:
        return xp.mean(a * b, axis=-1, keepdims=True)
    return xp.expand_dims(xp.vecdot(a, b, axis=-1), axis=-1) / a.shape[-1]


def _project(v: Variable, xhat: Variable) -> Variable:
    """``v - mean(v) - xhat * mean(v * xhat)`` over the last axis: the layer
    norm's Jacobian (a symmetric matrix) applied to ``v``, less the ``1/std``."""
    return v - mean(v, axis=-1, keepdims=True) - xhat * mean(v * xhat, -1, True)


class LayerNormGrad(Function):
    """Layer norm's gradients ``gx``, ``ggamma``, ``gbeta`` from ``x``, ``gamma``
    and ``gy``, as one op: ``gx = (g - mean(g) - xhat mean(g xhat)) / std`` with
    ``g = gy * gamma``; ``ggamma``, ``gbeta`` sum ``gy * xhat``, ``gy`` over
    every axis but the last.

    Its backward gives the second derivatives in closed form, from xgrad
    functions, so every higher order follows.
    """

    def __init__(self, eps, has_gamma, has_beta, saved) -> None:
        self.eps, self.has_gamma, self.has_beta = eps, has_gamma, has_beta
        self.saved = saved

    def forward(self, x, *rest):
        xp, (xhat, rstd) = self.xp, self.saved
        gy = rest[-1]
        g = gy * rest[0] if self.has_gamma else gy
        # gx = rstd (g - mean(g) - xhat mean(g xhat)), in one array of our own
        gx = xhat * _row_mean_of_product(xp, g, xhat)
        gx = add_into(gx, xp.mean(g, axis=-1, keepdims=True))
        gx = multiply_into(subtract_into(gx, g), -rstd)
        out = [gx]
        params = tuple(x.shape[-1:])
        if self.has_gamma:  # gy * xhat summed over every axis but the last
            if gy.dtype == xhat.dtype and params[0] > 0:
                rows = (-1, params[0])  # a dot product down the columns
                gy_rows, xhat_rows = xp.reshape(gy, rows), xp.reshape(xhat, rows)
                out.append(xp.vecdot(gy_rows, xhat_rows, axis=-2))
            else:
                out.append(sum_to_array(xp, gy * xhat, params))
        if self.has_beta:
            out.append(sum_to_array(xp, gy, params))
        return tuple(out) if len(out) > 1 else out[0]

    def backward(self, *ggs):
        x, gy = self.inputs[0], self.inputs[-1]
        gamma = self.inputs[1] if self.has_gamma else None
        found = iter(ggs)
        u = next(found)  # upstream of gx, ggamma, gbeta (None: no gradient)
        p = next(found) if self.has_gamma else None
        q = next(found) if self.has_beta else None
        n = x.shape[-1]
        centred = x - mean(x, axis=-1, keepdims=True)
        r = (mean(centred * centred, axis=-1, keepdims=True) + self.eps) ** -0.5
        xhat = centred * r
        g = gy * gamma if gamma is not None else gy
        # gy: gx, ggamma, gbeta are linear in gy; their adjoint is layer norm's
        # Jacobian-vector product in the direction (u, p, q).
        terms = []
        if u is not None:
            ru = r * _project(u, xhat)
            terms.append(ru * gamma if gamma is not None else ru)
        if p is not None:
            terms.append(xhat * p)
        if q is not None:
            terms.append(broadcast_to(q, x.shape))
        ggy = _total(terms)
        ggamma = None
        if gamma is not None and u is not None:
            ggamma = sum_to(gy * ru, gamma.shape)
        # x: S = r <u - mean(u), g> - r/n <g, xhat> <u, xhat> + <p gy, xhat> per
        # row, a function of xhat and r, each a function of x.
        d_xhat, d_r = [], None
        if u is not None:
            g_xhat = sum_(g * xhat, axis=-1, keepdims=True)
            u_xhat = sum_(u * xhat, axis=-1, keepdims=True)
            u_c = u - mean(u, axis=-1, keepdims=True)
            d_r = sum_(u_c * g, axis=-1, keepdims=True) - g_xhat * u_xhat / n
            d_xhat.append(-(r / n) * (g * u_xhat + u * g_xhat))
        if p is not None:
            d_xhat.append(p * gy)
        gx = None
        if d_xhat:
            gx = r * _project(_total(d_xhat), xhat)  # type: ignore[arg-type]  # not empty
            if d_r is not None:
                gx = gx - (r * r / n) * d_r * xhat
        return (gx, ggamma, ggy) if gamma is not None else (gx, ggy)


def _total(terms: list[Variable]) -> Variable | None:
    total = None
    for term in terms:
        total = term if total is None else total + term
    return total


def layer_norm(
    x: Any, gamma: Any = None, beta: Any = None, eps: float = 1e-5
) -> Variable:
    """Normalise ``x`` over its last axis, then scale by ``gamma`` and shift by ``beta``.

    ``(x - mean) / sqrt(var + eps) * gamma + beta``, the mean and (biased)
    variance taken over the last axis of each row, as PyTorch's
    ``layer_norm(x, (D,), gamma, beta, eps)``.

    Parameters
    ----------
    x : Variable or array
        Input of shape (..., D).
    gamma, beta : Variable, array or None, default None
        Scale and shift of shape (D,); None leaves them out.
    eps : float, default 1e-5
        Added to the variance before its square root.

    Returns
    -------
    Variable
        ``x``'s shape and dtype.
    """
    params = [p for p in (gamma, beta) if p is not None]
    return LayerNorm(eps, gamma is not None, beta is not None)(x, *params)
