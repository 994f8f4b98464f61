"""The Dirichlet distribution, as ``scipy.stats.dirichlet``: ``logpdf, pdf`` of
``(x, alpha)``, differentiable in ``x`` and ``alpha``.

As scipy's, ``x``'s first axis holds the components (K of them, or K − 1 with the last one
``1 − sum``) and the other axes are a batch; ``x`` must lie on the simplex.

Examples
--------
>>> import autograd.scipy.stats.dirichlet as dirichlet
>>> dirichlet.logpdf(ag.tensor([0.2, 0.3, 0.5]), ag.tensor([1.0, 2.0, 3.0]))
Tensor(1.5040774)
"""

from __future__ import annotations

import numpy as np

from ..._tensor import Tensor
from ...backend import to_numpy
from ...ops._util import xp_of
from ...ops.elementwise import exp, where
from ...ops.reduce import sum
from ...ops.shape import concatenate, expand_dims, reshape
from ...ops.special import gammaln, xlogy
from ._util import args, data, sampler

__all__ = ["logpdf", "pdf", "rvs"]


def _check(x: Tensor, alpha: Tensor):
    """``x`` with its last component added where it is left out, after scipy's checks; and,
    for a lazy backend, where they cannot be asked without computing, the points that fail
    them (else None)."""
    a = data(alpha)
    xa = xp_of(alpha)  # alpha's own backend: a numpy alpha beside a dask x is checked here
    if not xa.lazy and bool(xa.min(a) <= 0):
        raise ValueError("All parameters must be greater than 0")
    if a.ndim != 1:
        raise ValueError(f"Parameter vector 'a' must be one dimensional, but a.shape = {a.shape}.")
    if x.ndim == 0 or x.shape[0] + 1 != a.shape[0] and x.shape[0] != a.shape[0]:
        raise ValueError("Vector 'x' must have either the same number of entries as, or one "
                         f"entry fewer than, parameter vector 'a', but alpha.shape = {a.shape} "
                         f"and x.shape = {x.shape}.")
    if x.shape[0] != a.shape[0]:
        if x.ndim > 2:
            raise ValueError("The input must be one dimensional or a two dimensional matrix "
                             "containing the entries.")
        x = concatenate([x, expand_dims(1 - sum(x, axis=0), 0)], axis=0)
    xd = data(x)
    xp = xp_of(x, alpha)
    below_one = xa.reshape(a < 1, (-1,) + (1,) * (xd.ndim - 1))
    total = xp.sum(xd, axis=0)
    if xp.lazy:  # NaN at the points that fail, as scipy gives for invalid parameters
        per_point = (xp.any((xd < 0) | (xd > 1) | ((xd == 0) & below_one), axis=0)
                     | (xp.abs(total - 1.0) > 10e-10))
        return x, per_point | xa.any(a <= 0)
    if bool(xp.min(xd) < 0):
        raise ValueError("Each entry in 'x' must be greater than or equal to zero.")
    if bool(xp.max(xd) > 1):
        raise ValueError("Each entry in 'x' must be smaller or equal one.")
    if bool(xp.any((xd == 0) & below_one)):
        raise ValueError("Each entry in 'x' must be greater than zero if its alpha is less "
                         "than one.")
    if bool(xp.any(xp.abs(total - 1.0) > 10e-10)):
        raise ValueError("The input vector 'x' must lie within the normal simplex. but "
                         f"np.sum(x, 0) = {to_numpy(total)}.")
    return x, None


def logpdf(x, alpha) -> Tensor:
    """``Σᵢ (αᵢ − 1)·log xᵢ + log Γ(Σα) − Σ log Γ(αᵢ)`` for each point."""
    x, alpha = args(x, alpha)
    x = x if isinstance(x, Tensor) else args(np.asarray(x, dtype=float))[0]
    alpha = alpha if isinstance(alpha, Tensor) else args(np.asarray(alpha, dtype=float))[0]
    x, failing = _check(x, alpha)
    a = reshape(alpha, (-1,) + (1,) * (x.ndim - 1))
    out = sum(xlogy(a - 1, x), axis=0) + gammaln(sum(alpha)) - sum(gammaln(alpha))
    return out if failing is None else where(failing, np.nan, out)


def pdf(x, alpha) -> Tensor:
    """The density ``exp(logpdf(x, alpha))``."""
    return exp(logpdf(x, alpha))


rvs = sampler("dirichlet")
