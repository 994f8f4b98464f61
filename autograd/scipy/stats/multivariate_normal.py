"""The multivariate normal distribution, as ``scipy.stats.multivariate_normal``:
``logpdf, pdf`` of ``(x, mean=None, cov=1, allow_singular=False)`` and ``entropy(mean=None,
cov=1)``, differentiable in ``x``, ``mean`` and ``cov``.

``x`` may hold a batch of points (its last axis the components, as scipy's); ``cov`` may be
a matrix, a vector (a diagonal) or a number (times the identity). The log-density is computed
with a Cholesky factor: ``−½·(d·log 2π + log det cov + |L⁻¹(x − mean)|²)``. With
``allow_singular=True`` a singular ``cov`` is handled as scipy does: on the range of ``cov``
(its eigenvectors with eigenvalues above scipy's cut-off, taken as constants), with the
pseudo-determinant, and −inf off the support.

Examples
--------
>>> import autograd.scipy.stats.multivariate_normal as mvn
>>> mvn.logpdf(ag.tensor([0.0, 0.0]), mean=[0.0, 0.0], cov=[[1.0, 0.0], [0.0, 1.0]])
Tensor(-1.83787707, dtype=float64)
"""

from __future__ import annotations

import math

import numpy as np

from ..._tensor import Tensor, _wrap, as_tensor, record
from ...backend import NUMPY, BackendError
from ...mode import state
from ...ops._util import xp_of
from ...ops.elementwise import exp, log, where
from ...ops.linalg import matmul
from ...ops.reduce import sum
from ...ops.shape import reshape, squeeze, swapaxes
from ..linalg import cholesky, solve_triangular
from ._util import args, data, sampler

__all__ = ["logpdf", "pdf", "entropy", "rvs"]

_LOG_2PI = math.log(2 * math.pi)


def _parameters(mean, cov):
    """scipy's reading of ``mean`` and ``cov``: the dimension, a mean vector and a matrix."""
    mean_given = mean is not None
    cov = args(1.0 if cov is None else cov)[0]
    cov = cov if isinstance(cov, Tensor) else args(np.asarray(cov, dtype=float))[0]
    if mean_given:
        mean = args(mean)[0]
        mean = mean if isinstance(mean, Tensor) else args(np.asarray(mean, dtype=float))[0]
        dim = mean.size
    else:
        dim = 1 if cov.ndim < 2 else cov.shape[0]
        mean = args(np.zeros(dim))[0]
    if dim == 1:
        mean = reshape(mean, (1,))
        cov = reshape(cov, (1, 1))
    if mean.ndim != 1 or mean.shape[0] != dim:
        raise ValueError(f"Array 'mean' must be a vector of length {dim}.")
    if cov.ndim == 0:
        cov = cov * np.eye(dim)
    elif cov.ndim == 1:
        if cov.shape[0] != dim:
            raise ValueError(f"Dimension mismatch: array 'cov' is a vector of length "
                             f"{cov.shape[0]}, but 'mean' is a vector of length {dim}.")
        cov = cov * np.eye(dim)  # the vector as a diagonal: broadcasting against I's rows
    elif cov.ndim == 2 and cov.shape != (dim, dim):
        rows, cols = cov.shape
        if rows != cols:
            raise ValueError("Array 'cov' must be square if it is two dimensional, but "
                             f"cov.shape = {cov.shape}.")
        raise ValueError(f"Dimension mismatch: array 'cov' is of shape {cov.shape}, but 'mean' "
                         f"is a vector of length {dim}.")
    elif cov.ndim > 2:
        raise ValueError(f"Array 'cov' must be at most two-dimensional, but cov.ndim = "
                         f"{cov.ndim}")
    return dim, mean, cov


def _points(x, dim: int) -> Tensor:
    (x,) = args(x)
    x = x if isinstance(x, Tensor) else args(np.asarray(x, dtype=float))[0]
    if x.ndim == 0:
        x = reshape(x, (1,))
    if x.ndim == 1:
        x = reshape(x, (-1, 1) if dim == 1 else (1, -1))
    if x.shape[-1] != dim:
        raise ValueError(f"multivariate_normal: x has {x.shape[-1]} components on its last axis "
                         f"but the distribution has dimension {dim}")
    return x


def _factor(cov: Tensor, allow_singular: bool):
    """``(W, rank, log pdet, basis)``: cov restricted to its range is ``W Wᵀ``, with ``W``
    lower triangular in the coordinates of ``basis`` (None: the identity)."""
    if not allow_singular:
        try:
            L = cholesky(cov, lower=True)
        except np.linalg.LinAlgError:
            raise np.linalg.LinAlgError("When `allow_singular is False`, the input matrix must "
                                        "be symmetric positive definite.") from None
        return L, cov.shape[0], None
    xp = xp_of(cov)
    if xp.lazy:
        raise BackendError(f"multivariate_normal: a singular cov (allow_singular=True, and "
                           f"entropy) is restricted to its range, whose size a lazy "
                           f"{xp.name} array does not know before it is computed")
    s, u = xp.linalg.eigh(data(cov))
    dtype = cov.dtype
    eps = {"f": 1e3, "d": 1e6}.get(dtype.char.lower(), 1e6) * float(np.finfo(dtype).eps) * float(
        xp.max(xp.abs(s)))
    if bool(xp.min(s) < -eps):
        raise ValueError("The input matrix must be symmetric positive semidefinite.")
    basis = u[:, s > eps] if xp is NUMPY else xp.take(u, xp.nonzero(s > eps)[0], axis=1)
    if basis.shape[1] == cov.shape[0]:  # full rank: an orthogonal change of basis, exact
        basis = None
        return cholesky(cov, lower=True), cov.shape[0], None
    projected = _on_range(cov, basis)
    return (cholesky((projected + swapaxes(projected, 0, 1)) * 0.5, lower=True), basis.shape[1],
            basis)


def _on_range(cov: Tensor, basis) -> Tensor:
    """``basisᵀ cov basis``: cov in the coordinates of its range. The basis is taken as a
    constant, which gives the exact first derivatives (along the perturbations that keep the
    rank, the only ones the pseudo-density is smooth in) but not the second: asking for
    those raises rather than returning wrong ones."""
    data = basis.T @ cov._data @ basis

    def backward(g, out):
        if state.grad_enabled:
            raise RuntimeError("multivariate_normal: with a singular cov (allow_singular=True), "
                               "only first derivatives in cov are available; detach cov for "
                               "higher derivatives in x and mean")
        return (as_tensor(basis @ g._data @ basis.T),)

    return record(data, (cov,), "CovOnRangeBackward", backward)


def _log_pdet(L: Tensor) -> Tensor:
    n = L.shape[0]
    return sum(log(L[np.arange(n), np.arange(n)])) * 2


def logpdf(x, mean=None, cov=1, allow_singular: bool = False) -> Tensor:
    """The log-density at each point of ``x`` (the last axis holds the components).

    Examples
    --------
    >>> import autograd.scipy.stats.multivariate_normal as mvn
    >>> x = ag.tensor([[0.0, 1.0], [1.0, 1.0]], requires_grad=True)
    >>> mvn.logpdf(x, cov=[[2.0, 0.5], [0.5, 1.0]]).shape
    (2,)
    """
    dim, mean, cov = _parameters(mean, cov)
    x = _points(x, dim)
    L, rank, basis = _factor(cov, allow_singular)
    dev = x - mean
    batch = dev.shape[:-1]
    flat = reshape(dev, (-1, dim))
    xp = xp_of(flat)
    if basis is not None:
        fd = flat._data
        off = fd - (fd @ basis) @ basis.T  # the part outside cov's range
        scale = max(1.0, float(xp.max(xp.abs(data(cov)))))
        outside = xp.linalg.vector_norm(off, axis=-1) > 1e3 * math.sqrt(dim) * float(np.finfo(
            flat.dtype).eps) * scale
        flat = matmul(flat, _wrap(basis))
    # whitened points (x − mean) L⁻ᵀ: one small triangular solve for L⁻¹, then a product
    eye = xp.eye(L.shape[0], dtype=xp.dtype(L.dtype))
    inv_l = solve_triangular(L, _wrap(eye), lower=True)
    white = matmul(flat, swapaxes(inv_l, 0, 1))
    maha = sum(white * white, axis=-1)
    out = (maha + _log_pdet(L) + rank * _LOG_2PI) * -0.5
    if basis is not None and bool(xp.any(outside)):
        out = where(outside, -np.inf, out)
    return squeeze(reshape(out, batch))


def pdf(x, mean=None, cov=1, allow_singular: bool = False) -> Tensor:
    """The density ``exp(logpdf(x, mean, cov, allow_singular))``."""
    return exp(logpdf(x, mean, cov, allow_singular))


def entropy(mean=None, cov=1) -> Tensor:
    """The differential entropy ``½·(rank·(log 2π + 1) + log pdet cov)``; as scipy's, a
    singular ``cov`` is allowed here (the pseudo-determinant)."""
    dim, mean, cov = _parameters(mean, cov)
    L, rank, _ = _factor(cov, allow_singular=True)
    return (_log_pdet(L) + rank * (_LOG_2PI + 1)) * 0.5


rvs = sampler("multivariate_normal")
