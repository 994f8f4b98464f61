"""The normal distribution, as ``scipy.stats.norm``: ``pdf, logpdf, cdf, logcdf, sf, logsf``
of ``(x, loc=0, scale=1)`` and the quantiles ``ppf, isf`` of ``(q, loc=0, scale=1)``,
differentiable in ``x`` (or ``q``), ``loc`` and ``scale``.

Examples
--------
>>> import autograd.scipy.stats.norm as norm
>>> x = ag.tensor([0.5, 1.0], requires_grad=True)
>>> norm.logpdf(x).sum().backward(); x.grad      # −x
Tensor([-0.5, -1. ])
"""

from __future__ import annotations

import math

from ...ops.elementwise import exp, log
from ...ops.special import log_ndtr, ndtr, ndtri
from ._util import args, nan_where, positive, sampler

__all__ = ["pdf", "logpdf", "cdf", "logcdf", "sf", "logsf", "ppf", "isf", "rvs"]

_LOG_SQRT_2PI = 0.5 * math.log(2 * math.pi)


def _z(x, loc, scale):
    x, loc, scale = args(x, loc, scale)
    return (x - loc) / scale, scale


def logpdf(x, loc=0.0, scale=1.0):
    """``−(x − loc)²/(2·scale²) − log(scale) − log(2π)/2``."""
    z, scale = _z(x, loc, scale)
    return nan_where(z * z * -0.5 - log(scale) - _LOG_SQRT_2PI, positive(scale))


def pdf(x, loc=0.0, scale=1.0):
    """The density ``exp(logpdf(x, loc, scale))``."""
    return exp(logpdf(x, loc, scale))


def cdf(x, loc=0.0, scale=1.0):
    """``Φ((x − loc)/scale)`` (scipy.special.ndtr)."""
    z, scale = _z(x, loc, scale)
    return nan_where(ndtr(z), positive(scale))


def logcdf(x, loc=0.0, scale=1.0):
    """``log Φ((x − loc)/scale)``, accurate far in the lower tail (log_ndtr)."""
    z, scale = _z(x, loc, scale)
    return nan_where(log_ndtr(z), positive(scale))


def sf(x, loc=0.0, scale=1.0):
    """The survival function ``1 − cdf = Φ(−(x − loc)/scale)``."""
    z, scale = _z(x, loc, scale)
    return nan_where(ndtr(-z), positive(scale))


def logsf(x, loc=0.0, scale=1.0):
    """``log(1 − cdf)``, accurate far in the upper tail."""
    z, scale = _z(x, loc, scale)
    return nan_where(log_ndtr(-z), positive(scale))


def ppf(q, loc=0.0, scale=1.0):
    """The quantile function: ``loc + scale·Φ⁻¹(q)`` (scipy.special.ndtri)."""
    q, loc, scale = args(q, loc, scale)
    return nan_where(loc + scale * ndtri(q), positive(scale))


def isf(q, loc=0.0, scale=1.0):
    """The inverse survival function ``ppf(1 − q) = loc − scale·Φ⁻¹(q)``."""
    q, loc, scale = args(q, loc, scale)
    return nan_where(loc - scale * ndtri(q), positive(scale))


rvs = sampler("norm")
