"""The gamma distribution, as ``scipy.stats.gamma``: ``pdf, logpdf, cdf`` of
``(x, a, loc=0, scale=1)``, differentiable in ``x`` and every parameter (the cdf's derivative
in the shape ``a`` is computed numerically: first order only, see ``autograd.ops.incomplete``).

Examples
--------
>>> import autograd.scipy.stats.gamma as gamma
>>> gamma.logpdf(ag.tensor([1.0]), a=2.0)
Tensor([-1.])
"""

from __future__ import annotations

import numpy as np

from ...ops.elementwise import exp, log, where
from ...ops.special import gammainc, gammaln, xlogy
from ._util import args, data, nan_where, positive, sampler

__all__ = ["pdf", "logpdf", "cdf", "rvs"]


def logpdf(x, a, loc=0.0, scale=1.0):
    """``(a − 1)·log z − z − log Γ(a) − log(scale)`` for ``z = (x − loc)/scale ≥ 0``, −inf
    below the support."""
    x, a, loc, scale = args(x, a, loc, scale)
    z = (x - loc) / scale
    inside = data(z) >= 0
    zs = where(inside, z, 1.0)  # a safe value outside the support, where the result is −inf
    out = where(inside, xlogy(a - 1, zs) - zs - gammaln(a) - log(scale), -np.inf)
    return nan_where(out, positive(a, scale))


def pdf(x, a, loc=0.0, scale=1.0):
    """The density ``exp(logpdf(x, a, loc, scale))``."""
    return exp(logpdf(x, a, loc, scale))


def cdf(x, a, loc=0.0, scale=1.0):
    """The regularized lower incomplete gamma function ``P(a, max(z, 0))``."""
    x, a, loc, scale = args(x, a, loc, scale)
    z = (x - loc) / scale
    return nan_where(gammainc(a, where(data(z) > 0, z, 0.0)), positive(a, scale))


rvs = sampler("gamma")
