"""numpy's one-argument math functions: trigonometric and hyperbolic functions and their
inverses, the exp/log variants, powers, angle conversions, and the step functions (``sign``,
``floor``, ``round``, ...), whose gradient is zero as in PyTorch.

Each op: its forward on numpy arrays, then its backward in Tensor ops (so it differentiates
again), reading the parent from ``out._parents`` or the output itself.
"""

from __future__ import annotations

import math

import numpy as np

from .._quiet import quietly
from .._tensor import Tensor, _wrap, record
from ..registry import op
from ._util import FLOATING, as_tensor, floating
from .elementwise import cos, sqrt, where

_LN2 = math.log(2.0)
_LN10 = math.log(10.0)


def _unary(a) -> Tensor:
    return a if a.__class__ is Tensor else as_tensor(a)


def _float_unary(a) -> Tensor:
    """The operand of a float function: integers and bools become the default float dtype,
    as in PyTorch (numpy would give float64, or truncate: ``reciprocal(2) == 0``)."""
    return floating(_unary(a))


def _quiet(ufunc, arr: np.ndarray) -> np.ndarray:
    """``ufunc(arr)``: IEEE results (inf, nan) without numpy's warnings (see ``_quiet``)."""
    try:
        return ufunc(arr)
    except RuntimeWarning:  # warnings made errors
        return quietly(ufunc, arr)


def _input(out: Tensor) -> Tensor:
    return out._parents[0]


# ---------------------------------------------------------------------------- trigonometric


@op(method="tan", ufunc=np.tan, saves="output", formula="1 + tan²(x)")
def tan(a) -> Tensor:
    """``tan(a)``, derivative ``1 + tan(a)²``.

    Examples
    --------
    >>> ag.tan(ag.tensor([0.0]))
    Tensor([0.])
    """
    a = _float_unary(a)  # of integers: the default float dtype
    return record(_quiet(np.tan, a._data), (a,), tan.op, _tan_backward)


def _tan_backward(g, out):
    return (g * (1 + out * out),)


@op(method=("arcsin", "asin"), ufunc=np.arcsin, saves="inputs", formula="1/√(1 − x²)")
def arcsin(a) -> Tensor:
    """Inverse sine on ``[-1, 1]``; the gradient at ``±1`` is ``inf``, as in PyTorch."""
    a = _float_unary(a)  # of integers: the default float dtype
    data = _quiet(np.arcsin, a._data)
    return record(data, (a,), arcsin.op, _arcsin_backward)


def _arcsin_backward(g, out):
    a = _input(out)
    return (g / sqrt(1 - a * a),)


@op(method=("arccos", "acos"), ufunc=np.arccos, saves="inputs", formula="−1/√(1 − x²)")
def arccos(a) -> Tensor:
    """Inverse cosine on ``[-1, 1]``; derivative ``-1/√(1 - a²)``."""
    a = _float_unary(a)  # of integers: the default float dtype
    data = _quiet(np.arccos, a._data)
    return record(data, (a,), arccos.op, _arccos_backward)


def _arccos_backward(g, out):
    a = _input(out)
    return (-g / sqrt(1 - a * a),)


@op(method=("arctan", "atan"), ufunc=np.arctan, saves="inputs", formula="1/(1 + x²)")
def arctan(a) -> Tensor:
    """Inverse tangent; derivative ``1/(1 + a²)``."""
    a = _float_unary(a)  # of integers: the default float dtype
    return record(np.arctan(a._data), (a,), arctan.op, _arctan_backward)


def _arctan_backward(g, out):
    a = _input(out)
    return (g / (1 + a * a),)


@op(method="sinc", function=np.sinc, saves="both", formula="(cos(πx) − sinc(x))/x")
def sinc(a) -> Tensor:
    """numpy's normalized ``sinc(a) = sin(πa)/(πa)`` (1 at 0); the derivative at 0 is 0."""
    a = _float_unary(a)  # of integers: the default float dtype
    return record(_quiet(np.sinc, a._data), (a,), sinc.op, _sinc_backward)


def _sinc_backward(g, out):
    a = _input(out)
    at_zero = a._data == 0
    if not at_zero.any():
        return (g * (cos(a * math.pi) - out) / a,)
    safe = where(at_zero, 1.0, a)  # the limit at 0 is 0; keep 0/0 out of the formula
    return (where(at_zero, 0.0, g * (cos(safe * math.pi) - sinc(safe)) / safe),)


# ---------------------------------------------------------------------------- hyperbolic


@op(method="sinh", ufunc=np.sinh, saves="inputs", formula="cosh(x)")
def sinh(a) -> Tensor:
    """Hyperbolic sine; derivative ``cosh(a)``."""
    a = _float_unary(a)  # of integers: the default float dtype
    return record(_quiet(np.sinh, a._data), (a,), sinh.op, _sinh_backward)


def _sinh_backward(g, out):
    return (g * cosh(_input(out)),)


@op(method="cosh", ufunc=np.cosh, saves="inputs", formula="sinh(x)")
def cosh(a) -> Tensor:
    """Hyperbolic cosine; derivative ``sinh(a)``."""
    a = _float_unary(a)  # of integers: the default float dtype
    return record(_quiet(np.cosh, a._data), (a,), cosh.op, _cosh_backward)


def _cosh_backward(g, out):
    return (g * sinh(_input(out)),)


@op(method=("arcsinh", "asinh"), ufunc=np.arcsinh, saves="inputs", formula="1/√(x² + 1)")
def arcsinh(a) -> Tensor:
    """Inverse hyperbolic sine; derivative ``1/√(a² + 1)``."""
    a = _float_unary(a)  # of integers: the default float dtype
    return record(np.arcsinh(a._data), (a,), arcsinh.op, _arcsinh_backward)


def _arcsinh_backward(g, out):
    a = _input(out)
    return (g / sqrt(a * a + 1),)


@op(method=("arccosh", "acosh"), ufunc=np.arccosh, saves="inputs", formula="1/√(x² − 1)")
def arccosh(a) -> Tensor:
    """Inverse hyperbolic cosine on ``[1, inf)``; derivative ``1/√(a² - 1)``."""
    a = _float_unary(a)  # of integers: the default float dtype
    data = _quiet(np.arccosh, a._data)
    return record(data, (a,), arccosh.op, _arccosh_backward)


def _arccosh_backward(g, out):
    a = _input(out)
    return (g / sqrt(a * a - 1),)


@op(method=("arctanh", "atanh"), ufunc=np.arctanh, saves="inputs", formula="1/(1 − x²)")
def arctanh(a) -> Tensor:
    """Inverse hyperbolic tangent on ``(-1, 1)``; derivative ``1/(1 - a²)``."""
    a = _float_unary(a)  # of integers: the default float dtype
    data = _quiet(np.arctanh, a._data)
    return record(data, (a,), arctanh.op, _arctanh_backward)


def _arctanh_backward(g, out):
    a = _input(out)
    return (g / (1 - a * a),)


# ---------------------------------------------------------------------------- exp and log


@op(method="exp2", ufunc=np.exp2, saves="output", formula="2ˣ·ln 2")
def exp2(a) -> Tensor:
    """``2 ** a``; derivative ``2 ** a · ln 2``."""
    a = _float_unary(a)  # of integers: the default float dtype
    return record(_quiet(np.exp2, a._data), (a,), exp2.op, _exp2_backward)


def _exp2_backward(g, out):
    return (g * out * _LN2,)


@op(method="expm1", ufunc=np.expm1, saves="output", formula="exp(x)")
def expm1(a) -> Tensor:
    """``exp(a) - 1``, exact for small ``a``; derivative ``exp(a)``."""
    a = _float_unary(a)  # of integers: the default float dtype
    return record(_quiet(np.expm1, a._data), (a,), expm1.op, _expm1_backward)


def _expm1_backward(g, out):
    return (g * (out + 1),)


@op(method="log1p", ufunc=np.log1p, saves="inputs", formula="1/(1 + x)")
def log1p(a) -> Tensor:
    """``log(1 + a)``, exact for small ``a``; derivative ``1/(1 + a)``."""
    a = _float_unary(a)  # of integers: the default float dtype
    data = _quiet(np.log1p, a._data)
    return record(data, (a,), log1p.op, _log1p_backward)


def _log1p_backward(g, out):
    return (g / (_input(out) + 1),)


@op(method="log2", ufunc=np.log2, saves="inputs", formula="1/(x·ln 2)")
def log2(a) -> Tensor:
    """Base-2 logarithm; derivative ``1/(a ln 2)``."""
    a = _float_unary(a)  # of integers: the default float dtype
    data = _quiet(np.log2, a._data)
    return record(data, (a,), log2.op, _log2_backward)


def _log2_backward(g, out):
    return (g / (_input(out) * _LN2),)


@op(method="log10", ufunc=np.log10, saves="inputs", formula="1/(x·ln 10)")
def log10(a) -> Tensor:
    """Base-10 logarithm; derivative ``1/(a ln 10)``."""
    a = _float_unary(a)  # of integers: the default float dtype
    data = _quiet(np.log10, a._data)
    return record(data, (a,), log10.op, _log10_backward)


def _log10_backward(g, out):
    return (g / (_input(out) * _LN10),)


# ---------------------------------------------------------------------------- powers


@op(method="square", ufunc=np.square, saves="inputs", formula="2x")
def square(a) -> Tensor:
    """``a * a``; derivative ``2a``."""
    a = _unary(a)
    return record(_quiet(np.square, a._data), (a,), square.op, _square_backward)


def _square_backward(g, out):
    return (g * _input(out) * 2,)


@op(method="reciprocal", ufunc=np.reciprocal, saves="output", formula="−1/x²")
def reciprocal(a) -> Tensor:
    """``1 / a``; derivative ``-1/a²``. Integer tensors are converted to floats first."""
    a = _float_unary(a)  # of integers: the default float dtype
    data = _quiet(np.reciprocal, a._data)
    return record(data, (a,), reciprocal.op, _reciprocal_backward)


def _reciprocal_backward(g, out):
    return (-g * out * out,)


# ---------------------------------------------------------------------------- angles


@op(method="deg2rad", ufunc=(np.deg2rad, np.radians), alias="radians", saves=None, formula="π/180")
def deg2rad(a) -> Tensor:
    """Degrees to radians (``np.radians`` too)."""
    a = _float_unary(a)  # of integers: the default float dtype
    return record(_quiet(np.deg2rad, a._data), (a,), deg2rad.op, _deg2rad_backward)


def _deg2rad_backward(g, out):
    return (g * (math.pi / 180),)


@op(method="rad2deg", ufunc=(np.rad2deg, np.degrees), alias="degrees", saves=None, formula="180/π")
def rad2deg(a) -> Tensor:
    """Radians to degrees (``np.degrees`` too)."""
    a = _float_unary(a)  # of integers: the default float dtype
    return record(_quiet(np.rad2deg, a._data), (a,), rad2deg.op, _rad2deg_backward)


def _rad2deg_backward(g, out):
    return (g * (180 / math.pi),)


# ---------------------------------------------------------------------------- magnitude


@op(ufunc=np.fabs, saves="inputs", formula="sign(x)")
def fabs(a) -> Tensor:
    """``|a|`` for real tensors (numpy's ``fabs``); the gradient at 0 is 0, as ``abs``'s."""
    a = _float_unary(a)  # of integers: the default float dtype
    return record(np.fabs(a._data), (a,), fabs.op, _fabs_backward)


def _fabs_backward(g, out):
    return (g * _wrap(np.sign(_input(out)._data)),)


@op(method="nan_to_num", function=np.nan_to_num, saves="inputs",
    formula="1 where x is finite, else 0")
def nan_to_num(x, copy: bool = True, nan: float = 0.0, posinf=None, neginf=None) -> Tensor:
    """NaN and infinities replaced by numbers; the gradient passes where ``x`` is finite."""
    x = _unary(x)
    data = np.nan_to_num(x._data, copy=True, nan=nan, posinf=posinf, neginf=neginf)
    return record(data, (x,), nan_to_num.op, _nan_to_num_backward)


def _nan_to_num_backward(g, out):
    return (g * _wrap(np.isfinite(_input(out)._data)),)


# ---------------------------------------------------------------------------- steps
# Piecewise constant: zero gradient everywhere, as in PyTorch (a zero tensor, not None, so
# the input's .grad is filled).


def _zero_backward(g, out):
    return (_wrap(np.zeros(g.shape, dtype=g.dtype)),)


def _step(ufunc, name: str, doc: str, method=None, function=None):
    def fn(a) -> Tensor:
        a = _unary(a)
        data = np.asarray(ufunc(a._data))
        if data.dtype != a._data.dtype and type(a._data.dtype) not in FLOATING:
            data = data.astype(a._data.dtype)  # rounding integers keeps them, as in PyTorch
        return record(data, (a,), fn.op, _zero_backward)

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = doc + " The gradient is zero, as in PyTorch."
    return op(fn, method=method, ufunc=None if function else ufunc, function=function,
              saves=None, formula="0")


sign = _step(np.sign, "sign", "The sign of each element: -1, 0 or 1.", method="sign")
floor = _step(np.floor, "floor", "The largest integer not greater than each element.",
              method="floor")
ceil = _step(np.ceil, "ceil", "The smallest integer not less than each element.", method="ceil")
trunc = _step(np.trunc, "trunc", "Each element rounded towards zero.", method="trunc")
rint = _step(np.rint, "rint", "Each element rounded to the nearest integer (half to even).")
fix = _step(np.fix, "fix", "Each element rounded towards zero (numpy's ``fix``).",
            method="fix", function=np.fix)


@op(method="round", alias="around", saves=None, formula="0",
    function=tuple(f for f in (np.round, getattr(np, "around", None)) if f))
def round(a, decimals: int = 0) -> Tensor:
    """Each element rounded to ``decimals`` places, half to even (numpy's and PyTorch's rule).
    The gradient is zero, as in PyTorch.

    Examples
    --------
    >>> ag.round(ag.tensor([0.5, 1.5, 2.26]), decimals=1)
    Tensor([0.5, 1.5, 2.3])
    """
    a = _unary(a)
    return record(np.round(a._data, decimals), (a,), round.op, _zero_backward)
