"""The beta distribution, as ``scipy.stats.beta``: ``pdf, logpdf, cdf`` of
``(x, a, b, loc=0, scale=1)``, differentiable in ``x`` and every parameter (the cdf's
derivatives in ``a`` and ``b`` are computed numerically: first order only, see
``autograd.ops.incomplete``).

Examples
--------
>>> import autograd.scipy.stats.beta as beta
>>> beta.pdf(ag.tensor([0.5]), 2.0, 2.0)
Tensor([1.5])
"""

from __future__ import annotations

import numpy as np

from ...ops.elementwise import clip, exp, log, where
from ...ops.special import betainc, betaln, xlog1py, xlogy
from ._util import args, data, nan_where, positive, sampler

__all__ = ["pdf", "logpdf", "cdf", "rvs"]


def logpdf(x, a, b, loc=0.0, scale=1.0):
    """``(a − 1)·log z + (b − 1)·log(1 − z) − log B(a, b) − log(scale)`` on ``0 ≤ z ≤ 1``,
    ``z = (x − loc)/scale``; −inf outside."""
    x, a, b, loc, scale = args(x, a, b, loc, scale)
    z = (x - loc) / scale
    zd = data(z)
    inside = (zd >= 0) & (zd <= 1)
    zs = where(inside, z, 0.5)  # a safe value outside the support, where the result is −inf
    out = xlogy(a - 1, zs) + xlog1py(b - 1, -zs) - betaln(a, b) - log(scale)
    return nan_where(where(inside, out, -np.inf), positive(a, b, scale))


def pdf(x, a, b, loc=0.0, scale=1.0):
    """The density ``exp(logpdf(x, a, b, loc, scale))``."""
    return exp(logpdf(x, a, b, loc, scale))


def cdf(x, a, b, loc=0.0, scale=1.0):
    """The regularized incomplete beta function ``I_z(a, b)``, ``z`` clipped to [0, 1]."""
    x, a, b, loc, scale = args(x, a, b, loc, scale)
    z = (x - loc) / scale
    return nan_where(betainc(a, b, clip(z, 0.0, 1.0)), positive(a, b, scale))


rvs = sampler("beta")
