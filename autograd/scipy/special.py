"""``scipy.special`` on Tensors: the differentiable special functions and scipy's
``logsumexp``, ``softmax``, ``log_softmax`` and ``multigammaln`` with scipy's signatures.

The ufuncs (``gammaln``, ``digamma``, ``erf``, ``jv``, ...) are autograd ops declared in
``autograd.ops.special`` and ``autograd.ops.bessel``: scipy's own ufuncs applied to a Tensor
dispatch to them, so ``scipy.special.gammaln(t)`` and ``ag.scipy.special.gammaln(t)`` are the
same differentiable call.
"""

from __future__ import annotations

import numpy as np

from .. import ops
from .._tensor import Tensor
from ..ops._util import as_tensor, normalize_axis
from ..ops.bessel import i0, i1, iv, ive, j0, j1, jn, jv, y0, y1, yn
from ..ops.elementwise import abs, exp, log, where
from ..ops.reduce import sum
from ..ops.shape import broadcast_to, expand_dims, reshape
from ..ops.special import (
    beta,
    betainc,
    betaln,
    digamma,
    erf,
    erfc,
    erfcinv,
    erfinv,
    expit,
    gamma,
    gammainc,
    gammaincc,
    gammaln,
    gammasgn,
    log_ndtr,
    logit,
    ndtr,
    ndtri,
    polygamma,
    rgamma,
    stdtr,
    xlog1py,
    xlogy,
)

psi = digamma

__all__ = [
    "gamma", "gammaln", "gammasgn", "rgamma", "digamma", "psi", "polygamma", "beta", "betaln",
    "betainc", "gammainc", "gammaincc", "erf", "erfc", "erfinv", "erfcinv", "ndtr", "ndtri",
    "log_ndtr", "stdtr", "expit", "logit", "xlogy", "xlog1py", "j0", "j1", "y0", "y1", "jv",
    "jn", "yn", "i0", "i1", "iv", "ive", "logsumexp", "softmax", "log_softmax", "multigammaln",
]


def logsumexp(a, axis=None, b=None, keepdims: bool = False, return_sign: bool = False):
    """``log(sum(b * exp(a)))`` over ``axis``, as ``scipy.special.logsumexp``.

    Differentiable in ``a`` and in the weights ``b``. With ``return_sign=True`` it returns
    ``(log|sum|, sign)``; without, a negative sum gives NaN, as scipy's.

    Examples
    --------
    >>> a = ag.tensor([1.0, 2.0], dtype=np.float64, requires_grad=True)
    >>> out, sign = ag.scipy.special.logsumexp(a, b=[1.0, -2.0], return_sign=True)
    >>> round(out.item(), 6), sign.item()          # log|e − 2e²|, its sign
    (2.48988, -1.0)
    """
    a = as_tensor(a)
    if b is None and not return_sign:
        return ops.logsumexp(a, axis=axis, keepdims=keepdims)
    if b is None:
        b_ = None
    else:
        b_ = b if isinstance(b, Tensor) else as_tensor(np.asarray(b, dtype=a.dtype))
        shape = np.broadcast_shapes(a.shape, b_.shape)
        if a.shape != shape:
            a = broadcast_to(a, shape)
    axes = normalize_axis(axis, a.ndim, "logsumexp")
    ad = a.data if b_ is None else np.where(b_.data != 0, a.data, -np.inf)
    m = np.max(ad, axis=axes, keepdims=True) if ad.size else np.zeros((1,) * a.ndim)
    m = np.where(np.isfinite(m), m, 0).astype(a.dtype, copy=False)  # a constant shift
    terms = exp(a - m)
    s = sum(terms if b_ is None else terms * b_, axis=axes, keepdims=True)
    if return_sign:
        sign = np.sign(s.data)
        out = log(abs(s)) + m
    else:
        out = log(s) + m
    if not keepdims:
        kept = [n for i, n in enumerate(out.shape) if axes is not None and i not in axes]
        out = reshape(out, kept)
        if return_sign:
            sign = sign.reshape(out.shape)
    return (out, Tensor(sign)) if return_sign else out


def softmax(x, axis=None) -> Tensor:
    """``exp(x) / sum(exp(x))`` over ``axis`` (all elements by default, as scipy's).

    Examples
    --------
    >>> ag.scipy.special.softmax(ag.tensor([0.0, 0.0]))
    Tensor([0.5, 0.5])
    """
    return ops.softmax(as_tensor(x), axis=axis)


def log_softmax(x, axis=None) -> Tensor:
    """``x - logsumexp(x, axis, keepdims=True)`` (all elements by default, as scipy's).

    Examples
    --------
    >>> ag.scipy.special.log_softmax(ag.tensor([0.0, 0.0]))
    Tensor([-0.6931472, -0.6931472])
    """
    x = as_tensor(x)
    return x - ops.logsumexp(x, axis=axis, keepdims=True)


def multigammaln(a, d: int) -> Tensor:
    """The log of the multivariate gamma function, ``scipy.special.multigammaln(a, d)``:
    ``d(d−1)/4·log(π) + Σⱼ gammaln(a − j/2)``, j = 0..d−1; differentiable in ``a``.

    Examples
    --------
    >>> ag.scipy.special.multigammaln(ag.tensor(23.5, dtype=np.float64), 10)
    Tensor(457.17667478, dtype=float64)
    """
    a = as_tensor(a)
    d = np.asarray(d)[()]
    if not np.isscalar(d) or np.floor(d) != d:
        raise ValueError("d should be a positive integer (dimension)")
    if np.any(a.data <= 0.5 * (d - 1)):
        raise ValueError(f"condition a ({a.data}) > 0.5 * (d-1) ({0.5 * (d - 1)}) not met")
    halves = np.arange(int(d), dtype=a.dtype if a.dtype.kind == "f" else np.float64) * 0.5
    terms = gammaln(expand_dims(a, -1) - halves)
    return sum(terms, axis=-1) + d * (d - 1) * 0.25 * np.log(np.pi)


del where
