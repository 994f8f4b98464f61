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

import numpy as np

from .._tensor import Tensor, record

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

    def floor_abs(self):
        """Keep ``|v|`` above the tiny number Lentz's method needs (its derivative then 0)."""
        small = np.abs(self.v) < _TINY
        if not small.any():
            return self
        return _Dual(np.where(small, _TINY, self.v), tuple(np.where(small, 0.0, a)
                                                           for a in self.d))


def _sc():
    from .special import scipy_special

    return scipy_special()


def _lentz(start: _Dual, c0: float, terms, n: int) -> _Dual:
    """Modified Lentz evaluation (Numerical Recipes' form): ``h = start`` times, for m = 1, 2,
    ..., the factors ``d·c`` with ``d = 1/(den + num·d)``, ``c = den + num/c`` (``c`` from
    ``c0``), where ``terms(m)`` gives the duals ``(num, den)``; stops per element once two
    factors in a row are 1 to machine precision."""
    h = d = start
    c = _Dual(np.full(n, c0), tuple(np.zeros(n) for _ in start.d))
    active = np.ones(n, dtype=bool)
    settled = np.zeros(n, dtype=bool)
    for m in range(1, _MAX_TERMS):
        num, den = terms(m)
        d = (den + num * d).floor_abs().inv()
        c = (den + num * c.inv()).floor_abs()
        step = h * (d * c)
        # converged when neither the value nor its derivatives move any more
        done = np.abs(step.v - h.v) <= _EPS * np.abs(step.v)
        scale = np.abs(step.v) + sum(np.abs(u) for u in step.d)
        for u, w in zip(step.d, h.d):
            done &= np.abs(u - w) <= _EPS * scale
        h = _Dual(np.where(active, step.v, h.v),
                  tuple(np.where(active, u, w) for u, w in zip(step.d, h.d)))
        active &= ~(done & settled)
        settled = done
        if not active.any():
            break
    return h


# ---------------------------------------------------------------------------- incomplete gamma


def _gamma_series(a, x):
    """∂P/∂a for x < a + 1: P = x^a e^(−x)/Γ(a+1) · Σₙ xⁿ/((a+1)…(a+n))."""
    sc = _sc()
    t, dt = np.ones_like(a), np.zeros_like(a)
    s, ds = t.copy(), dt.copy()
    for n in range(1, _MAX_TERMS):
        f = x / (a + n)
        t_new = t * f
        dt = dt * f - t_new / (a + n)
        t = t_new
        s += t
        ds += dt
        if (np.abs(t) <= _EPS * np.abs(s)).all() and (np.abs(dt) <= _EPS * np.abs(ds) + _TINY
                                                       ).all():
            break
    front = np.exp(a * np.log(x) - x - sc.gammaln(a + 1))
    return front * ((np.log(x) - sc.digamma(a + 1)) * s + ds)


def _gamma_fraction(a, x):
    """∂P/∂a = −∂Q/∂a for x ≥ a + 1, Q = x^a e^(−x)/Γ(a) · 1/(x+1−a− 1(1−a)/(x+3−a− …))."""
    sc = _sc()
    n = a.size
    start = _Dual(x + 1 - a, (-np.ones(n),)).floor_abs().inv()

    def terms(m):  # numerator −m(m − a), denominator x + 2m + 1 − a
        return (_Dual(-m * (m - a), (m * np.ones(n),)),
                _Dual(x + 2 * m + 1 - a, (-np.ones(n),)))

    h = _lentz(start, 1 / _TINY, terms, n)
    front = np.exp(a * np.log(x) - x - sc.gammaln(a))
    return -front * ((np.log(x) - sc.digamma(a)) * h.v + h.d[0])


def gammainc_da_values(a: np.ndarray, x: np.ndarray) -> np.ndarray:
    """``∂P(a, x)/∂a`` on arrays (broadcast)."""
    a, x = np.broadcast_arrays(np.asarray(a, np.float64), np.asarray(x, np.float64))
    out = np.zeros(a.shape)
    bad = ~(a > 0) | ~(x >= 0) | ~np.isfinite(a) | np.isnan(x)
    inner = ~bad & (x > 0) & np.isfinite(x)
    series = inner & (x < a + 1)
    fraction = inner & ~series
    with np.errstate(all="ignore"):
        if series.any():
            out[series] = _gamma_series(a[series], x[series])
        if fraction.any():
            out[fraction] = _gamma_fraction(a[fraction], x[fraction])
    out[bad] = np.nan
    return out


# ---------------------------------------------------------------------------- incomplete beta


def _beta_fraction(a, b, x):
    """(I, ∂I/∂a, ∂I/∂b) for x < (a + 1)/(a + b + 2), by Numerical Recipes' betacf."""
    sc = _sc()
    n = a.size
    one = np.ones(n)
    # d = 1 − (a + b)x/(a + 1)
    first = _Dual(1 - (a + b) * x / (a + 1), (-x / (a + 1) + (a + b) * x / (a + 1) ** 2,
                                              -x / (a + 1) * one))
    start = first.floor_abs().inv()

    def terms(k):  # the odd steps: m(b − m)x / ((a + 2m − 1)(a + 2m)), m = (k + 1)/2;
        # the even steps: −(a + m)(a + b + m)x / ((a + 2m)(a + 2m + 1)), m = k/2
        if k % 2:
            m = (k + 1) // 2
            num = m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m))
            da = -num * (1 / (a + 2 * m - 1) + 1 / (a + 2 * m))
            db = m * x / ((a + 2 * m - 1) * (a + 2 * m)) * one
        else:
            m = k // 2
            num = -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1))
            da = num * (1 / (a + m) + 1 / (a + b + m) - 1 / (a + 2 * m) - 1 / (a + 2 * m + 1))
            db = num / (a + b + m)
        return _Dual(num, (da, db)), 1.0

    h = _lentz(start, 1.0, terms, n)
    log_front = a * np.log(x) + b * np.log1p(-x) - np.log(a) - sc.betaln(a, b)
    front = np.exp(log_front)
    psab = sc.digamma(a + b)
    dfa = np.log(x) - 1 / a - sc.digamma(a) + psab
    dfb = np.log1p(-x) - sc.digamma(b) + psab
    return front * h.v, front * (dfa * h.v + h.d[0]), front * (dfb * h.v + h.d[1])


def betainc_dab_values(a, b, x) -> tuple[np.ndarray, np.ndarray]:
    """``(∂I_x(a, b)/∂a, ∂I_x(a, b)/∂b)`` on arrays (broadcast)."""
    a, b, x = np.broadcast_arrays(*(np.asarray(v, np.float64) for v in (a, b, x)))
    ga, gb = np.zeros(a.shape), np.zeros(a.shape)
    bad = ~(a > 0) | ~(b > 0) | ~(x >= 0) | ~(x <= 1) | ~np.isfinite(a) | ~np.isfinite(b)
    inner = ~bad & (x > 0) & (x < 1)
    direct = inner & (x < (a + 1) / (a + b + 2))
    mirrored = inner & ~direct
    with np.errstate(all="ignore"):
        if direct.any():
            _, ga[direct], gb[direct] = _beta_fraction(a[direct], b[direct], x[direct])
        if mirrored.any():  # I_x(a, b) = 1 − I_{1−x}(b, a)
            _, gb_m, ga_m = _beta_fraction(b[mirrored], a[mirrored], 1 - x[mirrored])
            ga[mirrored], gb[mirrored] = -ga_m, -gb_m
    ga[bad] = gb[bad] = np.nan
    return ga, gb


# ---------------------------------------------------------------------------- as nodes


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

    data = gammainc_da_values(a.data, x.data).astype(np.result_type(a.dtype, x.dtype,
                                                                    np.float32), copy=False)

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

    data = betainc_dab_values(a.data, b.data, x.data)[which]
    data = data.astype(np.result_type(a.dtype, b.dtype, x.dtype, np.float32), copy=False)

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
