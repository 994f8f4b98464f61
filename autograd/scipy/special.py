"""``scipy.special`` on Tensors: the differentiable special functions and scipy's
``logsumexp``, ``softmax``, ``log_softmax`` and ``multigammaln`` with scipy's signatures.

The ufuncs (``gammaln``, ``digamma``, ``erf``, ``jv``, ...) are autograd ops declared in
``autograd.ops.special`` and ``autograd.ops.bessel``: scipy's own ufuncs applied to a Tensor
dispatch to them, so ``scipy.special.gammaln(t)`` and ``ag.scipy.special.gammaln(t)`` are the
same differentiable call. Off numpy they come from the arrays' backend (see
``autograd.ops.special``); the functions here are written with its functions.
"""

# numpy's scalar and array results are too loosely typed for pyright to follow the arithmetic
# on them here; the signatures are checked as usual.
# pyright: reportAttributeAccessIssue=false, reportOperatorIssue=false, reportArgumentType=false, reportAssignmentType=false

from __future__ import annotations

import math

import numpy as np

from .. import ops
from .._tensor import Tensor, _wrap
from ..backend import NUMPY
from ..ops._util import aligned, as_tensor, normalize_axis, xp_of
from ..ops.bessel import i0, i1, iv, ive, j0, j1, jn, jv, y0, y1, yn
from ..ops.elementwise import abs, exp, log
from ..ops.elementwise import where as _where
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
        return ops.logsumexp(a, axis=axis, keepdims=keepdims)  # type: ignore[attr-defined]
    if b is None:
        b_ = None
    else:
        b_ = b if isinstance(b, Tensor) else as_tensor(np.asarray(b, dtype=a.dtype))
        a, b_ = aligned(a, b_)
        shape = np.broadcast_shapes(a.shape, b_.shape)
        if a.shape != shape:
            a = broadcast_to(a, shape)
    xp = xp_of(a, b_)
    axes = normalize_axis(axis, a.ndim, "logsumexp")
    ad = a._data if b_ is None else xp.where(b_._data != 0, a._data, -np.inf)
    if math.prod(a.shape):
        m = xp.max(ad, axis=axes, keepdims=True)
        m = xp.where(xp.isfinite(m), m, 0.0)  # a constant shift
    else:
        m = xp.zeros((1,) * a.ndim, dtype=xp.dtype(a.dtype))
    m = _wrap(m.astype(a.dtype, copy=False) if xp is NUMPY else xp.astype(m, xp.dtype(a.dtype)))
    terms = exp(a - m)
    s = sum(terms if b_ is None else terms * b_, axis=axes, keepdims=True)
    if return_sign:
        sign = xp.sign(s._data)
        out = log(abs(s)) + m
    else:
        out = log(s) + m
    if not keepdims:
        kept = [n for i, n in enumerate(out.shape) if axes is not None and i not in axes]
        out = reshape(out, kept)
        if return_sign:
            sign = xp.reshape(sign, tuple(out.shape))
    return (out, Tensor(sign)) if return_sign else out


def softmax(x, axis=None) -> Tensor:
    """``exp(x) / sum(exp(x))`` over ``axis`` (all elements by default, as scipy's).

    Examples
    --------
    >>> ag.scipy.special.softmax(ag.tensor([0.0, 0.0]))
    Tensor([0.5, 0.5])
    """
    return ops.softmax(as_tensor(x), axis=axis)  # type: ignore[attr-defined]


def log_softmax(x, axis=None) -> Tensor:
    """``x - logsumexp(x, axis, keepdims=True)`` (all elements by default, as scipy's).

    Examples
    --------
    >>> ag.scipy.special.log_softmax(ag.tensor([0.0, 0.0]))
    Tensor([-0.6931472, -0.6931472])
    """
    x = as_tensor(x)
    return x - ops.logsumexp(x, axis=axis, keepdims=True)  # type: ignore[attr-defined]


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
    xp = xp_of(a)
    outside = a._data <= 0.5 * (float(d) - 1)
    if not xp.lazy and bool(xp.any(outside)):
        shown = a._data if xp is NUMPY else f"a {xp.name} array"
        raise ValueError(f"condition a ({shown}) > 0.5 * (d-1) ({0.5 * (d - 1)}) not met")
    halves = np.arange(int(d), dtype=a.dtype if a.dtype.kind == "f" else np.float64) * 0.5
    terms = gammaln(expand_dims(a, -1) - _wrap(halves))
    out = sum(terms, axis=-1) + d * (d - 1) * 0.25 * np.log(np.pi)
    if xp.lazy:  # the condition cannot be checked without computing: NaN where it fails
        out = _where(outside, np.nan, out)
    return out

