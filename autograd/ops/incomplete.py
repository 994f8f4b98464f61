"""The derivatives of the regularized incomplete gamma and beta functions in their parameters.

``∂P(a, x)/∂a`` and ``∂I_x(a, b)/∂a``, ``∂/∂b`` have no closed form in the special functions
(they are hypergeometric). They are computed here as scipy computes the functions themselves,
by the power series of ``P`` (``x < a + 1``) or the continued fraction of ``Q = 1 − P``
(Numerical Recipes' ``gser``/``gcf``) and the continued fraction of ``I_x`` (``betacf``, with
``I_x(a, b) = 1 − I_{1−x}(b, a)`` past its mean), differentiated in forward mode: every
recurrence carries its derivative along (Moore 1982; Boik & Robison-Cox 1998). Accurate to
about 1e-13 relative.

Each result is a node whose own derivative in ``x`` is closed form (the density's derivative
in the parameter); a second derivative through it in the parameters themselves is not
implemented and raises rather than returning something wrong.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from .._tensor import Tensor, record
from ..backend import NUMPY, Backend, np_dtype
from ._util import xp_of

_EPS = 1e-16
_TINY = 1e-300
_MAX_TERMS = 5000


class _Dual:
    """A value with its derivatives in the parameters (``d``: a tuple), elementwise."""

    __slots__ = ("v", "d")

    def __init__(self, v, d) -> None:
        self.v = v
        self.d = d

    def __add__(self, o):
        if isinstance(o, _Dual):
            return _Dual(self.v + o.v, tuple(a + b for a, b in zip(self.d, o.d)))
        return _Dual(self.v + o, self.d)

    __radd__ = __add__

    def __mul__(self, o):
        if isinstance(o, _Dual):
            return _Dual(self.v * o.v, tuple(a * o.v + self.v * b for a, b in zip(self.d, o.d)))
        return _Dual(self.v * o, tuple(a * o for a in self.d))

    __rmul__ = __mul__

    def inv(self):
        r = 1 / self.v
        return _Dual(r, tuple(-a * r * r for a in self.d))

    def floor_abs(self, xp: Backend):
        """Keep ``|v|`` above the tiny number Lentz's method needs (its derivative then 0)."""
        small = xp.abs(self.v) < _TINY
        if not bool(xp.any(small)):
            return self
        return _Dual(xp.where(small, _TINY, self.v), tuple(xp.where(small, 0.0, a)
                                                           for a in self.d))


def _sc(xp: Backend, name: str) -> Callable:
    from .special import special_function

    return special_function(xp, name)


def _lentz(xp: Backend, start: _Dual, c0: float, terms) -> _Dual:
    """Modified Lentz evaluation (Numerical Recipes' form): ``h = start`` times, for m = 1, 2,
    ..., the factors ``d·c`` with ``d = 1/(den + num·d)``, ``c = den + num/c`` (``c`` from
    ``c0``), where ``terms(m)`` gives the duals ``(num, den)``; stops per element once two
    factors in a row are 1 to machine precision."""
    shape, f64 = tuple(start.v.shape), xp.dtype(np.float64)
    h = d = start
    c = _Dual(xp.full(shape, c0, dtype=f64), tuple(xp.zeros(shape, dtype=f64) for _ in start.d))
    active = xp.ones(shape, dtype=xp.dtype(np.bool_))
    settled = ~active
    for m in range(1, _MAX_TERMS):
        num, den = terms(m)
        d = (den + num * d).floor_abs(xp).inv()
        c = (den + num * c.inv()).floor_abs(xp)
        step = h * (d * c)
        # converged when neither the value nor its derivatives move any more
        done = xp.abs(step.v - h.v) <= _EPS * xp.abs(step.v)
        scale = xp.abs(step.v)
        for u in step.d:
            scale = scale + xp.abs(u)
        for u, w in zip(step.d, h.d):
            done = done & (xp.abs(u - w) <= _EPS * scale)
        h = _Dual(xp.where(active, step.v, h.v),
                  tuple(xp.where(active, u, w) for u, w in zip(step.d, h.d)))
        active = active & ~(done & settled)
        settled = done
        if not bool(xp.any(active)):
            break
    return h


# ---------------------------------------------------------------------------- incomplete gamma


def _gamma_series(xp: Backend, a, x):
    """∂P/∂a for x < a + 1: P = x^a e^(−x)/Γ(a+1) · Σₙ xⁿ/((a+1)…(a+n))."""
    t, dt = xp.ones_like(a), xp.zeros_like(a)
    s, ds = t, dt
    for n in range(1, _MAX_TERMS):
        f = x / (a + n)
        t_new = t * f
        dt = dt * f - t_new / (a + n)
        t = t_new
        s = s + t
        ds = ds + dt
        if bool(xp.all(xp.abs(t) <= _EPS * xp.abs(s))) and \
                bool(xp.all(xp.abs(dt) <= _EPS * xp.abs(ds) + _TINY)):
            break
    front = xp.exp(a * xp.log(x) - x - _sc(xp, "gammaln")(a + 1))
    return front * ((xp.log(x) - _sc(xp, "digamma")(a + 1)) * s + ds)


def _gamma_fraction(xp: Backend, a, x):
    """∂P/∂a = −∂Q/∂a for x ≥ a + 1, Q = x^a e^(−x)/Γ(a) · 1/(x+1−a− 1(1−a)/(x+3−a− …))."""
    minus_one = -xp.ones_like(a)
    start = _Dual(x + 1 - a, (minus_one,)).floor_abs(xp).inv()

    def terms(m):  # numerator −m(m − a), denominator x + 2m + 1 − a
        return (_Dual(-m * (m - a), (xp.full_like(a, m),)),
                _Dual(x + 2 * m + 1 - a, (minus_one,)))

    h = _lentz(xp, start, 1 / _TINY, terms)
    front = xp.exp(a * xp.log(x) - x - _sc(xp, "gammaln")(a))
    return -front * ((xp.log(x) - _sc(xp, "digamma")(a)) * h.v + h.d[0])


def _f64(xp: Backend, *arrays) -> list:
    f64 = xp.dtype(np.float64)
    return xp.broadcast_arrays(*(v if v.dtype == f64 else xp.astype(v, f64) for v in arrays))


def gammainc_da_values(a, x, xp: Backend = NUMPY):
    """``∂P(a, x)/∂a`` on arrays (broadcast), of backend ``xp`` (numpy by default)."""
    if xp is not NUMPY:
        return _gammainc_da_portable(xp, *_f64(xp, a, x))
    a, x = np.broadcast_arrays(np.asarray(a, np.float64), np.asarray(x, np.float64))
    out = np.zeros(a.shape)
    bad = ~(a > 0) | ~(x >= 0) | ~np.isfinite(a) | np.isnan(x)
    inner = ~bad & (x > 0) & np.isfinite(x)
    series = inner & (x < a + 1)
    fraction = inner & ~series
    with np.errstate(all="ignore"):
        if series.any():
            out[series] = _gamma_series(NUMPY, a[series], x[series])
        if fraction.any():
            out[fraction] = _gamma_fraction(NUMPY, a[fraction], x[fraction])
    out[bad] = np.nan
    return out


def _gammainc_da_portable(xp: Backend, a, x):
    """``gammainc_da_values`` without boolean indexing (which the standard leaves optional
    and a lazy library cannot size): each method runs on every element, the others given
    an argument where it converges at once, and ``where`` picks."""
    bad = ~(a > 0) | ~(x >= 0) | ~xp.isfinite(a) | xp.isnan(x)
    inner = ~bad & (x > 0) & xp.isfinite(x)
    series = inner & (x < a + 1)
    fraction = inner & ~series
    out = xp.zeros_like(a)
    if bool(xp.any(series)):
        got = _gamma_series(xp, xp.where(series, a, 1.0), xp.where(series, x, 0.5))
        out = xp.where(series, got, out)
    if bool(xp.any(fraction)):
        got = _gamma_fraction(xp, xp.where(fraction, a, 1.0), xp.where(fraction, x, 4.0))
        out = xp.where(fraction, got, out)
    return xp.where(bad, xp.nan, out)


# ---------------------------------------------------------------------------- incomplete beta


def _beta_fraction(xp: Backend, a, b, x):
    """(I, ∂I/∂a, ∂I/∂b) for x < (a + 1)/(a + b + 2), by Numerical Recipes' betacf."""
    # d = 1 − (a + b)x/(a + 1)
    first = _Dual(1 - (a + b) * x / (a + 1), (-x / (a + 1) + (a + b) * x / (a + 1) ** 2,
                                              -x / (a + 1)))
    start = first.floor_abs(xp).inv()

    def terms(k):  # the odd steps: m(b − m)x / ((a + 2m − 1)(a + 2m)), m = (k + 1)/2;
        # the even steps: −(a + m)(a + b + m)x / ((a + 2m)(a + 2m + 1)), m = k/2
        if k % 2:
            m = (k + 1) // 2
            num = m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m))
            da = -num * (1 / (a + 2 * m - 1) + 1 / (a + 2 * m))
            db = m * x / ((a + 2 * m - 1) * (a + 2 * m))
        else:
            m = k // 2
            num = -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1))
            da = num * (1 / (a + m) + 1 / (a + b + m) - 1 / (a + 2 * m) - 1 / (a + 2 * m + 1))
            db = num / (a + b + m)
        return _Dual(num, (da, db)), 1.0

    h = _lentz(xp, start, 1.0, terms)
    log_front = a * xp.log(x) + b * xp.log1p(-x) - xp.log(a) - _sc(xp, "betaln")(a, b)
    front = xp.exp(log_front)
    digamma = _sc(xp, "digamma")
    psab = digamma(a + b)
    dfa = xp.log(x) - 1 / a - digamma(a) + psab
    dfb = xp.log1p(-x) - digamma(b) + psab
    return front * h.v, front * (dfa * h.v + h.d[0]), front * (dfb * h.v + h.d[1])


def betainc_dab_values(a, b, x, xp: Backend = NUMPY) -> tuple:
    """``(∂I_x(a, b)/∂a, ∂I_x(a, b)/∂b)`` on arrays (broadcast), of backend ``xp``."""
    if xp is not NUMPY:
        return _betainc_dab_portable(xp, *_f64(xp, a, b, x))
    a, b, x = np.broadcast_arrays(*(np.asarray(v, np.float64) for v in (a, b, x)))
    ga, gb = np.zeros(a.shape), np.zeros(a.shape)
    bad = ~(a > 0) | ~(b > 0) | ~(x >= 0) | ~(x <= 1) | ~np.isfinite(a) | ~np.isfinite(b)
    inner = ~bad & (x > 0) & (x < 1)
    direct = inner & (x < (a + 1) / (a + b + 2))
    mirrored = inner & ~direct
    with np.errstate(all="ignore"):
        if direct.any():
            _, ga[direct], gb[direct] = _beta_fraction(NUMPY, a[direct], b[direct], x[direct])
        if mirrored.any():  # I_x(a, b) = 1 − I_{1−x}(b, a)
            _, gb_m, ga_m = _beta_fraction(NUMPY, b[mirrored], a[mirrored], 1 - x[mirrored])
            ga[mirrored], gb[mirrored] = -ga_m, -gb_m
    ga[bad] = gb[bad] = np.nan
    return ga, gb


def _betainc_dab_portable(xp: Backend, a, b, x) -> tuple:
    """``betainc_dab_values`` without boolean indexing (see ``_gammainc_da_portable``)."""
    bad = ~(a > 0) | ~(b > 0) | ~(x >= 0) | ~(x <= 1) | ~xp.isfinite(a) | ~xp.isfinite(b)
    inner = ~bad & (x > 0) & (x < 1)
    direct = inner & (x < (a + 1) / (a + b + 2))
    mirrored = inner & ~direct
    ga = gb = xp.zeros_like(a)
    if bool(xp.any(direct)):
        _, ga_d, gb_d = _beta_fraction(xp, xp.where(direct, a, 1.0), xp.where(direct, b, 1.0),
                                       xp.where(direct, x, 0.25))
        ga, gb = xp.where(direct, ga_d, ga), xp.where(direct, gb_d, gb)
    if bool(xp.any(mirrored)):  # I_x(a, b) = 1 − I_{1−x}(b, a)
        _, gb_m, ga_m = _beta_fraction(xp, xp.where(mirrored, b, 1.0),
                                       xp.where(mirrored, a, 1.0),
                                       xp.where(mirrored, 1 - x, 0.25))
        ga, gb = xp.where(mirrored, -ga_m, ga), xp.where(mirrored, -gb_m, gb)
    return xp.where(bad, xp.nan, ga), xp.where(bad, xp.nan, gb)


def _on_backend(xp: Backend, values: Callable, *arrays):
    """``values(*arrays)`` on backend ``xp``: chunk by chunk on dask (the iterations stop on
    each chunk's own values, so nothing computes before the result is asked for)."""
    if xp is NUMPY:
        return values(*arrays)
    if xp.name == "dask.array":
        return xp.elementwise(values, *arrays, dtype=np.float64)
    with np.errstate(all="ignore"):  # numpy-backed libraries: IEEE results, silently
        return values(*arrays, xp=xp)


# ---------------------------------------------------------------------------- as nodes


def _betainc_da(a, b, x, xp: Backend = NUMPY):
    return betainc_dab_values(a, b, x, xp)[0]


def _betainc_db(a, b, x, xp: Backend = NUMPY):
    return betainc_dab_values(a, b, x, xp)[1]


_BETAINC_DAB = (_betainc_da, _betainc_db)


def _as(xp: Backend, data, dtype: np.dtype):
    if xp is NUMPY:
        return data.astype(dtype, copy=False)
    return data if np_dtype(data.dtype) == dtype else xp.astype(data, xp.dtype(dtype))


def _no_second(name: str, param: str):
    # The engine does not tell a backward which parents' gradients are wanted, so any pass
    # through this node with the parameter requiring grad is refused: a zero would be silent
    raise RuntimeError(f"{name}: second derivatives through its derivative in '{param}' are not "
                       "implemented (that first derivative is computed numerically); detach "
                       f"'{param}' to differentiate its derivative in the other arguments")


def gammainc_da(a: Tensor, x: Tensor) -> Tensor:
    """``∂P(a, x)/∂a`` as a node; its derivative in ``x`` is the gamma density's in ``a``."""
    from .elementwise import exp, log
    from .special import digamma, gammaln, xlogy

    xp = xp_of(a, x)
    data = _on_backend(xp, gammainc_da_values, a._data, x._data)
    data = _as(xp, data, np.result_type(a.dtype, x.dtype, np.float32))

    def backward(g, out):
        ga = gx = None
        if a.requires_grad:
            _no_second("gammainc", "a")
        if x.requires_grad:  # ∂/∂a of x^(a−1) e^(−x) / Γ(a)
            gx = g * exp(xlogy(a - 1, x) - x - gammaln(a)) * (log(x) - digamma(a))
        return ga, gx

    return record(data, (a, x), "GammaincDaBackward", backward)


def betainc_dab(a: Tensor, b: Tensor, x: Tensor, which: int) -> Tensor:
    """``∂I_x(a, b)/∂a`` (``which`` 0) or ``∂/∂b`` (1) as a node."""
    from .elementwise import exp, log
    from .special import betaln, digamma, xlog1py, xlogy

    xp = xp_of(a, b, x)
    data = _on_backend(xp, _BETAINC_DAB[which], a._data, b._data, x._data)
    data = _as(xp, data, np.result_type(a.dtype, b.dtype, x.dtype, np.float32))

    def backward(g, out):
        if a.requires_grad or b.requires_grad:
            _no_second("betainc", "ab"[which])
        gx = None
        if x.requires_grad:  # ∂/∂a (or b) of the beta density
            density = exp(xlogy(a - 1, x) + xlog1py(b - 1, -x) - betaln(a, b))
            inner = log(x) - digamma(a) if which == 0 else xlog1py(1.0, -x) - digamma(b)
            gx = g * density * (inner + digamma(a + b))
        return None, None, gx

    return record(data, (a, b, x), "BetaincDabBackward", backward)
