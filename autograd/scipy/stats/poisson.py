"""The Poisson distribution, as ``scipy.stats.poisson``: ``pmf, logpmf, cdf`` of
``(k, mu, loc=0)``, differentiable in the rate ``mu`` (``k`` is discrete: a ``k`` that
requires grad is refused).

Examples
--------
>>> import autograd.scipy.stats.poisson as poisson
>>> mu = ag.tensor(2.0, requires_grad=True)
>>> poisson.logpmf(3, mu).backward(); mu.grad      # k/mu − 1
Tensor(0.5)
"""

from __future__ import annotations

import numpy as np

from ..._tensor import Tensor
from ...ops._util import xp_of
from ...ops.elementwise import exp, where
from ...ops.special import gammaincc, gammaln, xlogy
from ._util import args, data, nan_where, sampler

__all__ = ["pmf", "logpmf", "cdf", "rvs"]


def _k(name: str, k, loc):
    if isinstance(k, Tensor) and k.requires_grad or isinstance(loc, Tensor) and loc.requires_grad:
        raise TypeError(f"poisson.{name}: k and loc are discrete and have no gradient; pass "
                        "them as constants (t.detach())")
    k, loc = data(k), data(loc)
    if isinstance(k, np.ndarray) and isinstance(loc, np.ndarray):
        return np.asarray(k - loc, dtype=np.float64)
    xp = xp_of(k, loc)
    if isinstance(k, np.ndarray) and not xp.lazy:
        k = xp.asarray(k)
    if isinstance(loc, np.ndarray) and not xp.lazy:
        loc = xp.asarray(loc)
    return xp.astype(k - loc, xp.dtype(np.float64))


def logpmf(k, mu, loc=0):
    """``k·log(mu) − log k! − mu`` at non-negative integers ``k − loc``, −inf elsewhere."""
    k = _k("logpmf", k, loc)
    (mu,) = args(mu)
    xp = xp_of(k)
    valid = (k >= 0) & (k == xp.floor(k))
    ks = xp.where(valid, k, 0.0)
    out = where(valid, xlogy(ks, mu) - gammaln(ks + 1) - mu, -np.inf)
    return nan_where(out, ~(data(mu) >= 0))


def pmf(k, mu, loc=0):
    """``exp(logpmf(k, mu, loc))``."""
    return exp(logpmf(k, mu, loc))


def cdf(k, mu, loc=0):
    """``P(K ≤ k)``: the regularized upper incomplete gamma ``Q(floor(k) + 1, mu)``."""
    k = _k("cdf", k, loc)
    xp = xp_of(k)
    k = xp.floor(k)
    (mu,) = args(mu)
    out = where(k >= 0, gammaincc(xp.where(k >= 0, k, 0.0) + 1, mu), 0.0)
    return nan_where(out, ~(data(mu) >= 0))


rvs = sampler("poisson")
