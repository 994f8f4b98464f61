"""The error function on whole arrays, without scipy: the kernel behind ``ag.erf``.

W. J. Cody's rational Chebyshev approximation (Math. Comp. 23, 1969; the ``CALERF`` routine
of SPECFUN), accurate to float64 rounding (|error| < 1e-15, as ``math.erf``) and vectorized over
three ranges of |x|: no ``np.vectorize``, no per-element Python.

float32 arrays have their own kernel, ``erf_float32``: one rational function of x over
[−4, 4] (the minimax form Eigen and XLA use for single precision; beyond ±4, erf is ±1 in
float32), evaluated in float32 in place, within 8 units in the last place of float32. It
makes ``ag.erf`` (and the exact GELU) on float32 a dozen numpy passes, several times faster
than Cody's three ranges or scipy's float64 erf.
"""

from __future__ import annotations

import math

import numpy as np

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


# erf(x) ≈ x·P(x²)/Q(x²) on [−4, 4]: P of degree 6 in x² (α₁ ... α₁₃), Q of degree 4 (β₀ ... β₈)
_ALPHA = (-2.72614225801306e-10, 2.77068142495902e-08, -2.10102402082508e-06,
          -5.69250639462346e-05, -7.34990630326855e-04, -2.95459980854025e-03,
          -1.60960333262415e-02)  # α₁₃ first
_BETA = (-1.45660718464996e-05, -2.13374055278905e-04, -1.68282697438203e-03,
         -7.37332916720468e-03, -1.42647390514189e-02)  # β₈ first


def _odd_rational_f32(x: np.ndarray, bound: float, alpha: tuple, beta: tuple,
                      square: np.ndarray | None = None) -> np.ndarray:
    """``x·P(t)/Q(t)`` with ``t = min(x², bound²)`` of a float32 array, in float32: the
    coefficients highest degree first, P's last one the constant term; evaluated in place,
    three arrays allocated. Beyond ``±bound`` it grows like ``x`` past the function's range,
    where the caller clips it (erf to ±1, Φ to [0, 1]): the clipped x needs no array.
    ``square``: ``x * x`` when the caller has it (left as it is)."""
    x = np.asarray(x)
    if x.ndim == 0:  # (numpy gives scalars for 0-d operands: written in place as one element)
        x = x.reshape(1)
        square = None if square is None else np.asarray(square).reshape(1)
    b2 = np.float32(bound * bound)
    if square is None:
        t = x * x
        np.clip(t, np.float32(0.0), b2, out=t)  # NaN stays NaN
    else:
        t = np.clip(square, np.float32(0.0), b2)
    num = t * alpha[0]
    for a in alpha[1:-1]:
        num += a
        num *= t
    num += alpha[-1]
    num *= x
    den = t * beta[0]
    for b in beta[1:-1]:
        den += b
        den *= t
    den += beta[-1]
    num /= den
    return num


_ALPHA32 = tuple(np.float32(a) for a in _ALPHA)
_BETA32 = tuple(np.float32(b) for b in _BETA)
# Φ(x) = 1/2 + erf(x/√2)/2: the same rational in x, z^2k = x^2k/2^k folded into the
# coefficients, and z = x/√2 and the 1/2 into P's
_DEG_P, _DEG_Q = len(_ALPHA) - 1, len(_BETA) - 1
_ALPHA_PHI = tuple(np.float32(a / 2.0 ** (_DEG_P - i) * math.sqrt(0.5) * 0.5)
                   for i, a in enumerate(_ALPHA))
_BETA_PHI = tuple(np.float32(b / 2.0 ** (_DEG_Q - i)) for i, b in enumerate(_BETA))


def erf_float32(x: np.ndarray) -> np.ndarray:
    """``erf`` of a float32 array in float32: within 8 ulp (relative error < 5e-7) and never
    beyond ±1, NaN stays NaN, ±inf gives ±1.

    Examples
    --------
    >>> from autograd.ops.erf_kernel import erf_float32
    >>> erf_float32(np.float32([0.0, 0.5, -10.0]))
    array([ 0.       ,  0.5204999, -1.       ], dtype=float32)
    """
    r = _odd_rational_f32(x, 4.0, _ALPHA32, _BETA32)
    # beyond ±4 (where erf is ±1 in float32), and by an ulp or two just inside: to [−1, 1]
    return np.clip(r, np.float32(-1.0), np.float32(1.0), out=r).reshape(np.shape(x))


def ndtr_float32(x: np.ndarray, square: np.ndarray | None = None) -> np.ndarray:
    """The standard normal CDF ``Φ(x) = (1 + erf(x/√2))/2`` of a float32 array in float32
    (exact GELU's): ``erf_float32``'s rational with the scalings folded into its coefficients,
    two passes fewer than computing it from erf. ``square``: ``x * x``, if the caller has it.

    Examples
    --------
    >>> from autograd.ops.erf_kernel import ndtr_float32
    >>> ndtr_float32(np.float32([0.0, 1.0, -10.0]))
    array([0.5      , 0.8413447, 0.       ], dtype=float32)
    """
    phi = _odd_rational_f32(x, 4.0 * math.sqrt(2.0), _ALPHA_PHI, _BETA_PHI, square)
    phi += np.float32(0.5)
    # beyond ±4√2 (where Φ is 0 or 1 in float32), and by an ulp or two just inside: to
    # [0, 1], so that x·Φ(x) is −0, not a positive speck, far out on the negative side
    return np.clip(phi, np.float32(0.0), np.float32(1.0), out=phi).reshape(np.shape(x))


def _exp_neg_sq(y: np.ndarray) -> np.ndarray:
    """``exp(−y²)``. CALERF splits y² to keep erfc's relative error small far out; erf needs
    1 − erfc, whose absolute error that rounding (≈ y²·1e-16·erfc(y)) cannot reach."""
    e = y * y
    np.negative(e, out=e)
    return np.exp(e, out=e)


def _ratio(t: np.ndarray, p: tuple, q: tuple) -> np.ndarray:
    """``P(t)/Q(t)`` in CALERF's nested form (Q monic), evaluated in place: one pass per
    coefficient, two arrays allocated."""
    num = t * p[-1]
    den = t.copy()
    for a, b in zip(p[:-2], q[:-1]):
        num += a
        num *= t
        den += b
        den *= t
    num += p[-2]
    den += q[-1]
    num /= den
    return num


def _erf_small(x: np.ndarray) -> np.ndarray:
    r = _ratio(x * x, _A, _B)
    r *= x
    return r


def _erfc_mid(y: np.ndarray) -> np.ndarray:
    r = _ratio(y, _C, _D)
    r *= _exp_neg_sq(y)
    return r


def _erfc_large(y: np.ndarray) -> np.ndarray:
    z = 1.0 / (y * y)
    r = _ratio(z, _P, _Q)
    r *= z
    np.subtract(_RSQRT_PI, r, out=r)
    r *= _exp_neg_sq(y)
    r /= y
    return r


def erf_array(x) -> np.ndarray:
    """``erf`` of every element of ``x``: float64 to float64 rounding (|error| ≤ 2.3e-16, as
    ``math.erf``); float32 is computed in float32, the same formulas.

    The small-|x| formula runs over the whole (clipped) array; the elements beyond it are
    gathered by index (``np.take``/``np.put``: boolean-mask indexing costs far more here),
    computed with the erfc formulas and put back.

    Examples
    --------
    >>> from autograd.ops.erf_kernel import erf_array
    >>> erf_array(np.array([0.0, 0.5, 10.0]))
    array([0.        , 0.52049988, 1.        ])
    """
    x = np.asarray(x)
    with np.errstate(invalid="ignore", over="ignore", divide="ignore"):  # nan stays nan
        return _erf(x)


def _erf(x: np.ndarray) -> np.ndarray:
    shape = x.shape
    x = x.reshape(-1)  # 1-D, so that no result is a numpy scalar (in-place ops need arrays)
    if x.dtype not in (np.float32, np.float64):
        x = x.astype(np.float64)
    y = np.abs(x)
    small = y <= _SMALL
    if small.all():
        return _erf_small(x).reshape(shape)
    rest = np.flatnonzero(~small)
    yr = np.take(y, rest)
    out = _erf_small(np.clip(x, -_SMALL, _SMALL, out=y))
    far = yr > _FOUR
    if far.any():  # rare in a network: the third range, and 1 beyond 6
        e = np.where(far, np.where(yr < _BIG, _erfc_large(np.clip(yr, _FOUR, _BIG)), 0.0),
                     _erfc_mid(np.minimum(yr, _FOUR)))
    else:
        e = _erfc_mid(yr)
    np.subtract(1.0, e, out=e)
    np.copysign(e, np.take(x, rest), out=e)
    np.put(out, rest, e)
    return out.reshape(shape)
