"""The chi-squared distribution, as ``scipy.stats.chi2``: ``pdf, logpdf, cdf`` of
``(x, df, loc=0, scale=1)``, the gamma distribution with ``a = df/2`` and twice the scale.

Examples
--------
>>> import autograd.scipy.stats.chi2 as chi2
>>> chi2.cdf(ag.tensor([2.0]), df=2.0)
Tensor([0.63212055])
"""

from __future__ import annotations

from . import gamma
from ._util import args, sampler

__all__ = ["pdf", "logpdf", "cdf", "rvs"]


def logpdf(x, df, loc=0.0, scale=1.0):
    """``gamma.logpdf(x, df/2, loc, 2·scale)``."""
    x, df, loc, scale = args(x, df, loc, scale)
    return gamma.logpdf(x, df * 0.5, loc, scale * 2)


def pdf(x, df, loc=0.0, scale=1.0):
    """``gamma.pdf(x, df/2, loc, 2·scale)``."""
    x, df, loc, scale = args(x, df, loc, scale)
    return gamma.pdf(x, df * 0.5, loc, scale * 2)


def cdf(x, df, loc=0.0, scale=1.0):
    """``gamma.cdf(x, df/2, loc, 2·scale)``."""
    x, df, loc, scale = args(x, df, loc, scale)
    return gamma.cdf(x, df * 0.5, loc, scale * 2)


rvs = sampler("chi2")
