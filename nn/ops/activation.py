"""The error function on whole arrays, and GELU (exact and tanh) as one fused op.

``erf_array`` is W. J. Cody's rational Chebyshev approximation (Math. Comp. 23, 1969; the
``CALERF`` routine of SPECFUN), accurate to float64 rounding (|error| < 1e-15, as ``math.erf``)
and vectorized over three ranges of |x|: no ``np.vectorize``, no per-element Python.
"""

from __future__ import annotations

import math

import numpy as np

from autograd import Tensor, exp, is_grad_enabled, op, record, tanh

from ._common import grads, tensor_of

__all__ = ["erf", "erf_array", "gelu"]

# |x| <= 0.46875:  erf(x) = x · P(x²) / Q(x²)
_A = (3.16112374387056560e00, 1.13864154151050156e02, 3.77485237685302021e02,
      3.20937758913846947e03, 1.85777706184603153e-1)
_B = (2.36012909523441209e01, 2.44024637934444173e02, 1.28261652607737228e03,
      2.84423683343917062e03)
# 0.46875 < |x| <= 4:  erfc(x) = exp(−x²) · P(x) / Q(x)
_C = (5.64188496988670089e-1, 8.88314979438837594e00, 6.61191906371416295e01,
      2.98635138197400131e02, 8.81952221241769090e02, 1.71204761263407058e03,
      2.05107837782607147e03, 1.23033935479799725e03, 2.15311535474403846e-8)
_D = (1.57449261107098347e01, 1.17693950891312499e02, 5.37181101862009858e02,
      1.62138957456669019e03, 3.29079923573345963e03, 4.36261909014324716e03,
      3.43936767414372164e03, 1.23033935480374942e03)
# |x| > 4:  erfc(x) = exp(−x²)/x · (1/√π + 1/x² · P(1/x²) / Q(1/x²))
_P = (3.05326634961232344e-1, 3.60344899949804439e-1, 1.25781726111229246e-1,
      1.60837851487422766e-2, 6.58749161529837803e-4, 1.63153871373020978e-2)
_Q = (2.56852019228982242e00, 1.87295284992346725e00, 5.27905102951428412e-1,
      6.05183413124413191e-2, 2.33520497626869185e-3)
_RSQRT_PI = 5.6418958354775628695e-1
_SMALL, _FOUR, _BIG = 0.46875, 4.0, 6.0  # erf(6) is 1 to float64 precision


def _exp_neg_sq(y: np.ndarray) -> np.ndarray:
    """``exp(−y²)``. CALERF splits y² to keep erfc's relative error small far out; erf needs
    1 − erfc, whose absolute error that rounding (≈ y²·1e-16·erfc(y)) cannot reach."""
    return np.exp(-(y * y))


def _erf_small(x: np.ndarray) -> np.ndarray:
    z = x * x
    num, den = _A[4] * z, z
    for a, b in zip(_A[:3], _B[:3]):
        num = (num + a) * z
        den = (den + b) * z
    return x * (num + _A[3]) / (den + _B[3])


def _erfc_mid(y: np.ndarray) -> np.ndarray:
    num, den = _C[8] * y, y
    for c, d in zip(_C[:7], _D[:7]):
        num = (num + c) * y
        den = (den + d) * y
    return _exp_neg_sq(y) * (num + _C[7]) / (den + _D[7])


def _erfc_large(y: np.ndarray) -> np.ndarray:
    z = 1.0 / (y * y)
    num, den = _P[5] * z, z
    for p, q in zip(_P[:4], _Q[:4]):
        num = (num + p) * z
        den = (den + q) * z
    r = z * (num + _P[4]) / (den + _Q[4])
    return _exp_neg_sq(y) * (_RSQRT_PI - r) / y


def erf_array(x) -> np.ndarray:
    """``erf`` of every element of ``x`` (float64 accuracy; float32 in, float32 out).

    Examples
    --------
    >>> erf_array(np.array([0.0, 0.5, 10.0]))
    array([0.        , 0.52049988, 1.        ])
    """
    x = np.asarray(x)
    dtype = x.dtype if x.dtype.kind == "f" else np.dtype(np.float64)
    xd = x.astype(np.float64, copy=False)
    y = np.abs(xd)
    small = y <= _SMALL
    if small.all():
        return _erf_small(xd).astype(dtype, copy=False)
    out = np.empty(xd.shape, dtype=np.float64)
    out[small] = _erf_small(xd[small])
    mid = ~small & (y <= _FOUR)
    out[mid] = 1.0 - _erfc_mid(y[mid])
    large = (y > _FOUR) & (y < _BIG)
    out[large] = 1.0 - _erfc_large(y[large])
    out[y >= _BIG] = 1.0
    out[np.isnan(y)] = np.nan
    np.copysign(out, xd, out=out, where=~small)
    return out.astype(dtype, copy=False)


@op(export=False, saves="inputs", formula="2/√π·exp(−x²)")
def erf(x) -> Tensor:
    """The error function ``2/sqrt(pi) * integral_0^x exp(-t²) dt``, elementwise.

    Examples
    --------
    >>> F.erf(ag.tensor([0.0, 1.0]))  # [0, 0.8427]
    """
    x = tensor_of(x)
    # d erf(x)/dx = 2/sqrt(pi) · exp(−x²)
    return record(erf_array(x.data), (x,), erf,
                  lambda g, out: (g * (2 / math.sqrt(math.pi)) * exp(-(x * x)),))


_SQRT_HALF = math.sqrt(0.5)
_INV_SQRT_2PI = 1 / math.sqrt(2 * math.pi)
_TANH_C = math.sqrt(2 / math.pi)
_TANH_K = 0.044715


def _gelu_slope(x, approximate: str):
    """dGELU/dx for an array or a Tensor (the same formula)."""
    if approximate == "tanh":
        # y = x/2 · (1 + tanh(u)), u = c·(x + k·x³):  y' = (1 + t)/2 + x/2 · (1 − t²) · u'
        x2 = x * x
        t = tanh(x * (x2 * _TANH_K + 1) * _TANH_C) if isinstance(x, Tensor) else \
            np.tanh(x * (x2 * _TANH_K + 1) * _TANH_C)
        return (t + 1) * 0.5 + x * 0.5 * (1 - t * t) * ((x2 * (3 * _TANH_K) + 1) * _TANH_C)
    # y = x·Φ(x):  y' = Φ(x) + x·φ(x)
    if isinstance(x, Tensor):
        cdf = (erf(x * _SQRT_HALF) + 1) * 0.5
        return cdf + x * exp(x * x * -0.5) * _INV_SQRT_2PI
    cdf = (erf_array(x * _SQRT_HALF) + 1) * 0.5
    return cdf + x * np.exp(x * x * -0.5) * _INV_SQRT_2PI


@op(export=False, saves="inputs", formula="Φ(x) + x·φ(x) (exact); the tanh formula's slope")
def gelu(input, approximate: str = "none") -> Tensor:
    """Gaussian error linear unit ``x·Φ(x)`` with the exact normal CDF ``Φ``, or with
    ``approximate="tanh"``: ``x/2 · (1 + tanh(sqrt(2/π)·(x + 0.044715·x³)))``.

    Examples
    --------
    >>> F.gelu(ag.tensor([-1.0, 0.0, 1.0]))  # [-0.1587, 0, 0.8413]
    """
    if approximate not in ("none", "tanh"):
        raise ValueError(f"gelu: approximate must be 'none' or 'tanh', got {approximate!r}")
    x = tensor_of(input)
    xd = x.data
    if approximate == "tanh":
        data = xd * (np.tanh(xd * (xd * xd * _TANH_K + 1) * _TANH_C) + 1) * 0.5
    else:
        data = xd * (erf_array(xd * _SQRT_HALF) + 1) * 0.5

    def backward(g, out):
        if is_grad_enabled():
            return (g * _gelu_slope(x, approximate),)
        return grads(g.data * _gelu_slope(xd, approximate))

    return record(np.asarray(data, dtype=xd.dtype), (x,), gelu, backward)
