"""The normal distribution, as ``scipy.stats.norm``: ``pdf, logpdf, cdf, logcdf, sf, logsf``
of ``(x, loc=0, scale=1)``, differentiable in ``x``, ``loc`` and ``scale``.

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
from ...ops.special import log_ndtr, ndtr
from ._util import args, nan_where, positive

__all__ = ["pdf", "logpdf", "cdf", "logcdf", "sf", "logsf"]

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
