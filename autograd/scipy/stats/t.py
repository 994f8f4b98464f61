"""Student's t distribution, as ``scipy.stats.t``: ``pdf, logpdf, cdf, logcdf`` of
``(x, df, loc=0, scale=1)``, differentiable in ``x``, ``df``, ``loc`` and ``scale`` (the
cdf's derivative in ``df`` is computed numerically: first order only, see
``autograd.ops.incomplete``).

Examples
--------
>>> import autograd.scipy.stats.t as t
>>> t.logpdf(ag.tensor([0.0]), df=3.0)
Tensor([-1.0008888])
"""

from __future__ import annotations

import math

from ...ops.elementwise import exp, log
from ...ops.special import gammaln, stdtr, xlog1py
from ._util import args, nan_where, positive, sampler

__all__ = ["pdf", "logpdf", "cdf", "logcdf", "rvs"]


def logpdf(x, df, loc=0.0, scale=1.0):
    """``log Γ((ν+1)/2) − log Γ(ν/2) − log(νπ)/2 − log(scale) − (ν+1)/2·log1p(z²/ν)``,
    ``z = (x − loc)/scale``."""
    x, df, loc, scale = args(x, df, loc, scale)
    z = (x - loc) / scale
    half = (df + 1) * 0.5
    out = (gammaln(half) - gammaln(df * 0.5) - log(df * math.pi) * 0.5 - log(scale)
           - xlog1py(half, z * z / df))
    return nan_where(out, positive(df, scale))


def pdf(x, df, loc=0.0, scale=1.0):
    """The density ``exp(logpdf(x, df, loc, scale))``."""
    return exp(logpdf(x, df, loc, scale))


def cdf(x, df, loc=0.0, scale=1.0):
    """``P(T ≤ x)``: scipy.special.stdtr at ``(x − loc)/scale``."""
    x, df, loc, scale = args(x, df, loc, scale)
    return nan_where(stdtr(df, (x - loc) / scale), positive(df, scale))


def logcdf(x, df, loc=0.0, scale=1.0):
    """``log P(T ≤ x)``."""
    return log(cdf(x, df, loc, scale))


rvs = sampler("t")
