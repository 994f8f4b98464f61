"""Cases of numpy's math functions (``autograd/ops/math.py`` and ``binary.py``): every one
over 0-d to 3-D inputs, every two-argument one over the broadcasting pairs, inside the domain
where each is smooth (the step functions away from their jumps)."""

import numpy as np

import autograd as ag
from tests.op_cases import BROADCAST, SHAPES, T, U, distinct


def unary(fn, make=T, **kw):
    return [(fn, lambda r, s=s: (make(r, *s, **kw),)) for s in SHAPES]


def binary(fn, make_a=T, make_b=T, a_kw=None, b_kw=None):
    return [(fn, lambda r, sa=sa, sb=sb: (make_a(r, *sa, **(a_kw or {})),
                                          make_b(r, *sb, **(b_kw or {}))))
            for sa, sb in BROADCAST]


def _steps(fn):
    """A step function inside products (its zero gradient meets the other factor's; these
    come first, for the third-order test) and alone."""
    return [
        (lambda a: fn(a) * a, lambda r: (T(r, 2, 3, away=0.1),)),
        (lambda a, b: fn(a * 3) * b + a, lambda r: (T(r, 3), T(r, 2, 3))),
        (lambda a: fn(a) * a * a, lambda r: (T(r, 4, away=0.1),)),
    ] + unary(fn, away=0.1)


CASES = {
    "tan": unary(ag.tan, U, low=-1.2, high=1.2),
    "arcsin": unary(ag.arcsin, U, low=-0.9, high=0.9),
    "arccos": unary(ag.arccos, U, low=-0.9, high=0.9),
    "arctan": unary(ag.arctan),
    "sinc": unary(ag.sinc) + [
        (lambda a: ag.sinc(a * 0), lambda r: (T(r, 3),)),  # at 0 exactly: derivative 0
    ],
    "sinh": unary(ag.sinh),
    "cosh": unary(ag.cosh),
    "arcsinh": unary(ag.arcsinh),
    "arccosh": unary(ag.arccosh, low=1.2),
    "arctanh": unary(ag.arctanh, U, low=-0.9, high=0.9),
    "exp2": unary(ag.exp2),
    "expm1": unary(ag.expm1),
    "log1p": unary(ag.log1p, U, low=-0.5, high=2.0),
    "log2": unary(ag.log2, low=0.5),
    "log10": unary(ag.log10, low=0.5),
    "square": unary(ag.square),
    "reciprocal": unary(ag.reciprocal, away=0.3),
    "deg2rad": unary(ag.deg2rad),
    "rad2deg": unary(ag.rad2deg),
    "fabs": unary(ag.fabs, away=0.1),
    "nan_to_num": [
        (ag.nan_to_num, lambda r: (T(r, 2, 3),)),
        # log of negatives is NaN and log(0) = -inf: replaced, so no gradient flows there
        (lambda a: ag.nan_to_num(ag.log(a)), lambda r: (T(r, 2, 3, away=0.1),)),
        (lambda a: ag.nan_to_num(ag.log(a), nan=1.0) * a, lambda r: (T(r, 4, away=0.1),)),
    ],
    "sign": _steps(ag.sign),
    "floor": _steps(ag.floor),
    "ceil": _steps(ag.ceil),
    "trunc": _steps(ag.trunc),
    "rint": _steps(ag.rint),
    "fix": _steps(ag.fix),
    "round": _steps(ag.round) + [
        (lambda a: ag.round(a, 1) * a, lambda r: (T(r, 2, 3),)),
        (lambda a: a.round(decimals=1) + a, lambda r: (T(r, 3),)),
    ],
    # two arguments, broadcasting
    "logaddexp": binary(ag.logaddexp) + [(lambda a: ag.logaddexp(a, 0.5), lambda r: (T(r, 3),))],
    "logaddexp2": binary(ag.logaddexp2) + [
        (lambda a: ag.logaddexp2(-1.0, a), lambda r: (T(r, 3),))],
    "hypot": binary(ag.hypot) + [(lambda a: ag.hypot(a, 2.0), lambda r: (T(r, 3),))],
    "arctan2": binary(ag.arctan2) + [
        (lambda a: ag.arctan2(a, -1.0), lambda r: (T(r, 3),)),
        (lambda b: ag.arctan2(1.0, b), lambda r: (T(r, 3),)),
    ],
    "fmax": binary(ag.fmax, distinct, distinct, b_kw={"shift": 0.35}),
    "fmin": binary(ag.fmin, distinct, distinct, b_kw={"shift": 0.35}),
    "remainder": binary(ag.remainder, b_kw={"away": 0.5}) + [
        (lambda a: ag.remainder(a, 0.75), lambda r: (T(r, 2, 3),)),
        (lambda b: ag.remainder(2.5, b), lambda r: (T(r, 3, away=0.5),)),
        (lambda a, b: ag.mod(a * a, b), lambda r: (T(r, 4), U(r, 4, low=0.6, high=2.0))),
    ],
}

# numpy's NaN-ignoring extremes: the other operand wins where one is NaN
CASES["fmax"].append((lambda a, b: ag.fmax(a, b + ag.Tensor(np.array([np.nan, 0.0, 0.0]))),
                      lambda r: (distinct(r, 3), distinct(r, 3, shift=0.35))))
CASES["fmin"].append((lambda a, b: ag.fmin(a + ag.Tensor(np.array([0.0, np.nan, 0.0])), b),
                      lambda r: (distinct(r, 3), distinct(r, 3, shift=0.35))))
