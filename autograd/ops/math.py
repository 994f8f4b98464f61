"""numpy's one-argument math functions: trigonometric and hyperbolic functions and their
inverses, the exp/log variants, powers, angle conversions, and the step functions (``sign``,
``floor``, ``round``, ...), whose gradient is zero as in PyTorch.

Each op: its forward on its input's array, then its backward in Tensor ops (so it
differentiates again), reading the parent from ``out._p1`` (``Tensor._parents``) or the output
itself.

Arrays of any backend: numpy's function on numpy arrays (the fast path pays one type test),
the Array API standard's function of the same meaning on the others (``arcsin`` is ``asin``);
numpy's own extras (``exp2``, ``sinc``, ``rint``, ``fix``, ``nan_to_num``, the angle
conversions) are written in standard functions there.
"""

from __future__ import annotations

import math

import numpy as np

from .._quiet import quiet_unary
from .._tensor import Tensor, _wrap, record
from ..backend import backend_of, np_dtype
from ..registry import op
from ..typing import TensorLike
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


def _input(out: Tensor) -> Tensor:
    return out._p1


# ---------------------------------------------------------------------------- trigonometric


@op(method="tan", ufunc=np.tan, saves="output", formula="1 + tan²(x)")
def tan(a: TensorLike) -> Tensor:
    """``tan(a)``, derivative ``1 + tan(a)²``.

    Examples
    --------
    >>> ag.tan(ag.tensor([0.0]))
    Tensor([0.])
    """
    a = _float_unary(a)  # of integers: the default float dtype
    return record(quiet_unary(np.tan, "tan", a._data), (a,), tan.op, _tan_backward)


def _tan_backward(g, out):
    return (g * (1 + out * out),)


@op(method=("arcsin", "asin"), ufunc=np.arcsin, saves="inputs", formula="1/√(1 − x²)")
def arcsin(a: TensorLike) -> Tensor:
    """Inverse sine on ``[-1, 1]``; the gradient at ``±1`` is ``inf``, as in PyTorch."""
    a = _float_unary(a)  # of integers: the default float dtype
    data = quiet_unary(np.arcsin, "asin", a._data)
    return record(data, (a,), arcsin.op, _arcsin_backward)


def _arcsin_backward(g, out):
    a = _input(out)
    return (g / sqrt(1 - a * a),)


@op(method=("arccos", "acos"), ufunc=np.arccos, saves="inputs", formula="−1/√(1 − x²)")
def arccos(a: TensorLike) -> Tensor:
    """Inverse cosine on ``[-1, 1]``; derivative ``-1/√(1 - a²)``."""
    a = _float_unary(a)  # of integers: the default float dtype
    data = quiet_unary(np.arccos, "acos", a._data)
    return record(data, (a,), arccos.op, _arccos_backward)


def _arccos_backward(g, out):
    a = _input(out)
    return (-g / sqrt(1 - a * a),)


@op(method=("arctan", "atan"), ufunc=np.arctan, saves="inputs", formula="1/(1 + x²)")
def arctan(a: TensorLike) -> Tensor:
    """Inverse tangent; derivative ``1/(1 + a²)``."""
    a = _float_unary(a)  # of integers: the default float dtype
    xd = a._data
    data = np.arctan(xd) if xd.__class__ is np.ndarray else backend_of(xd).atan(xd)
    return record(data, (a,), arctan.op, _arctan_backward)


def _arctan_backward(g, out):
    a = _input(out)
    return (g / (1 + a * a),)


@op(method="sinc", function=np.sinc, saves="both", formula="(cos(πx) − sinc(x))/x")
def sinc(a: TensorLike) -> Tensor:
    """numpy's normalized ``sinc(a) = sin(πa)/(πa)`` (1 at 0); the derivative at 0 is 0."""
    a = _float_unary(a)  # of integers: the default float dtype
    return record(quiet_unary(np.sinc, _sinc, a._data), (a,), sinc.op, _sinc_backward)


def _sinc(xp, x):
    y = math.pi * xp.where(x == 0, 1.0e-20, x)  # numpy's own formula
    return xp.sin(y) / y


def _sinc_backward(g, out):
    a = _input(out)
    at_zero = a._data == 0
    # (off numpy the values are not read: always the safe form)
    if a._data.__class__ is np.ndarray and not at_zero.any():
        return (g * (cos(a * math.pi) - out) / a,)
    safe = where(at_zero, 1.0, a)  # the limit at 0 is 0; keep 0/0 out of the formula
    return (where(at_zero, 0.0, g * (cos(safe * math.pi) - sinc(safe)) / safe),)


# ---------------------------------------------------------------------------- hyperbolic


@op(method="sinh", ufunc=np.sinh, saves="inputs", formula="cosh(x)")
def sinh(a: TensorLike) -> Tensor:
    """Hyperbolic sine; derivative ``cosh(a)``."""
    a = _float_unary(a)  # of integers: the default float dtype
    return record(quiet_unary(np.sinh, "sinh", a._data), (a,), sinh.op, _sinh_backward)


def _sinh_backward(g, out):
    return (g * cosh(_input(out)),)


@op(method="cosh", ufunc=np.cosh, saves="inputs", formula="sinh(x)")
def cosh(a: TensorLike) -> Tensor:
    """Hyperbolic cosine; derivative ``sinh(a)``."""
    a = _float_unary(a)  # of integers: the default float dtype
    return record(quiet_unary(np.cosh, "cosh", a._data), (a,), cosh.op, _cosh_backward)


def _cosh_backward(g, out):
    return (g * sinh(_input(out)),)


@op(method=("arcsinh", "asinh"), ufunc=np.arcsinh, saves="inputs", formula="1/√(x² + 1)")
def arcsinh(a: TensorLike) -> Tensor:
    """Inverse hyperbolic sine; derivative ``1/√(a² + 1)``."""
    a = _float_unary(a)  # of integers: the default float dtype
    xd = a._data
    data = np.arcsinh(xd) if xd.__class__ is np.ndarray else backend_of(xd).asinh(xd)
    return record(data, (a,), arcsinh.op, _arcsinh_backward)


def _arcsinh_backward(g, out):
    a = _input(out)
    return (g / sqrt(a * a + 1),)


@op(method=("arccosh", "acosh"), ufunc=np.arccosh, saves="inputs", formula="1/√(x² − 1)")
def arccosh(a: TensorLike) -> Tensor:
    """Inverse hyperbolic cosine on ``[1, inf)``; derivative ``1/√(a² - 1)``."""
    a = _float_unary(a)  # of integers: the default float dtype
    data = quiet_unary(np.arccosh, "acosh", a._data)
    return record(data, (a,), arccosh.op, _arccosh_backward)


def _arccosh_backward(g, out):
    a = _input(out)
    return (g / sqrt(a * a - 1),)


@op(method=("arctanh", "atanh"), ufunc=np.arctanh, saves="inputs", formula="1/(1 − x²)")
def arctanh(a: TensorLike) -> Tensor:
    """Inverse hyperbolic tangent on ``(-1, 1)``; derivative ``1/(1 - a²)``."""
    a = _float_unary(a)  # of integers: the default float dtype
    data = quiet_unary(np.arctanh, "atanh", a._data)
    return record(data, (a,), arctanh.op, _arctanh_backward)


def _arctanh_backward(g, out):
    a = _input(out)
    return (g / (1 - a * a),)


# ---------------------------------------------------------------------------- exp and log


@op(method="exp2", ufunc=np.exp2, saves="output", formula="2ˣ·ln 2")
def exp2(a: TensorLike) -> Tensor:
    """``2 ** a``; derivative ``2 ** a · ln 2``."""
    a = _float_unary(a)  # of integers: the default float dtype
    return record(quiet_unary(np.exp2, _exp2, a._data), (a,), exp2.op, _exp2_backward)


def _exp2(xp, x):
    return 2.0 ** x


def _exp2_backward(g, out):
    return (g * out * _LN2,)


@op(method="expm1", ufunc=np.expm1, saves="output", formula="exp(x)")
def expm1(a: TensorLike) -> Tensor:
    """``exp(a) - 1``, exact for small ``a``; derivative ``exp(a)``."""
    a = _float_unary(a)  # of integers: the default float dtype
    return record(quiet_unary(np.expm1, "expm1", a._data), (a,), expm1.op, _expm1_backward)


def _expm1_backward(g, out):
    return (g * (out + 1),)


@op(method="log1p", ufunc=np.log1p, saves="inputs", formula="1/(1 + x)")
def log1p(a: TensorLike) -> Tensor:
    """``log(1 + a)``, exact for small ``a``; derivative ``1/(1 + a)``."""
    a = _float_unary(a)  # of integers: the default float dtype
    data = quiet_unary(np.log1p, "log1p", a._data)
    return record(data, (a,), log1p.op, _log1p_backward)


def _log1p_backward(g, out):
    return (g / (_input(out) + 1),)


@op(method="log2", ufunc=np.log2, saves="inputs", formula="1/(x·ln 2)")
def log2(a: TensorLike) -> Tensor:
    """Base-2 logarithm; derivative ``1/(a ln 2)``."""
    a = _float_unary(a)  # of integers: the default float dtype
    data = quiet_unary(np.log2, "log2", a._data)
    return record(data, (a,), log2.op, _log2_backward)


def _log2_backward(g, out):
    return (g / (_input(out) * _LN2),)


@op(method="log10", ufunc=np.log10, saves="inputs", formula="1/(x·ln 10)")
def log10(a: TensorLike) -> Tensor:
    """Base-10 logarithm; derivative ``1/(a ln 10)``."""
    a = _float_unary(a)  # of integers: the default float dtype
    data = quiet_unary(np.log10, "log10", a._data)
    return record(data, (a,), log10.op, _log10_backward)


def _log10_backward(g, out):
    return (g / (_input(out) * _LN10),)


# ---------------------------------------------------------------------------- powers


@op(method="square", ufunc=np.square, saves="inputs", formula="2x")
def square(a: TensorLike) -> Tensor:
    """``a * a``; derivative ``2a``."""
    a = _unary(a)
    return record(quiet_unary(np.square, "square", a._data), (a,), square.op, _square_backward)


def _square_backward(g, out):
    return (g * _input(out) * 2,)


@op(method="reciprocal", ufunc=np.reciprocal, saves="output", formula="−1/x²")
def reciprocal(a: TensorLike) -> Tensor:
    """``1 / a``; derivative ``-1/a²``. Integer tensors are converted to floats first."""
    a = _float_unary(a)  # of integers: the default float dtype
    data = quiet_unary(np.reciprocal, "reciprocal", a._data)
    return record(data, (a,), reciprocal.op, _reciprocal_backward)


def _reciprocal_backward(g, out):
    return (-g * out * out,)


# ---------------------------------------------------------------------------- angles


@op(method="deg2rad", ufunc=(np.deg2rad, np.radians), alias="radians", saves=None, formula="π/180")
def deg2rad(a: TensorLike) -> Tensor:
    """Degrees to radians (``np.radians`` too)."""
    a = _float_unary(a)  # of integers: the default float dtype
    return record(quiet_unary(np.deg2rad, _deg2rad, a._data), (a,), deg2rad.op, _deg2rad_backward)


def _deg2rad(xp, x):
    return x * (math.pi / 180)


def _deg2rad_backward(g, out):
    return (g * (math.pi / 180),)


@op(method="rad2deg", ufunc=(np.rad2deg, np.degrees), alias="degrees", saves=None, formula="180/π")
def rad2deg(a: TensorLike) -> Tensor:
    """Radians to degrees (``np.degrees`` too)."""
    a = _float_unary(a)  # of integers: the default float dtype
    return record(quiet_unary(np.rad2deg, _rad2deg, a._data), (a,), rad2deg.op, _rad2deg_backward)


def _rad2deg(xp, x):
    return x * (180 / math.pi)


def _rad2deg_backward(g, out):
    return (g * (180 / math.pi),)


# ---------------------------------------------------------------------------- magnitude


@op(ufunc=np.fabs, saves="inputs", formula="sign(x)")
def fabs(a: TensorLike) -> Tensor:
    """``|a|`` for real tensors (numpy's ``fabs``); the gradient at 0 is 0, as ``abs``'s."""
    a = _float_unary(a)  # of integers: the default float dtype
    xd = a._data
    data = np.fabs(xd) if xd.__class__ is np.ndarray else backend_of(xd).abs(xd)
    return record(data, (a,), fabs.op, _fabs_backward)


def _fabs_backward(g, out):
    x = _input(out)._data
    return (g * (np.sign(x) if x.__class__ is np.ndarray else backend_of(x).sign(x)),)


@op(method="nan_to_num", function=np.nan_to_num, saves="inputs",
    formula="1 where x is finite, else 0")
def nan_to_num(x: TensorLike, copy: bool = True, nan: float = 0.0, posinf: float | None = None,
               neginf: float | None = None) -> Tensor:
    """NaN and infinities replaced by numbers; the gradient passes where ``x`` is finite."""
    x = _unary(x)
    xd = x._data
    if xd.__class__ is np.ndarray:
        data = np.nan_to_num(xd, copy=True, nan=nan, posinf=posinf, neginf=neginf)
    else:
        data = _nan_to_num(backend_of(xd), xd, x.dtype, nan, posinf, neginf)
    return record(data, (x,), nan_to_num.op, _nan_to_num_backward)


def _nan_to_num(xp, x, dtype, nan, posinf, neginf):
    """numpy's ``nan_to_num`` in standard functions (integers and bools: a copy)."""
    if dtype.kind == "c":
        real = _nan_to_num(xp, xp.real(x), np.dtype(dtype.char.lower()), nan, posinf, neginf)
        imag = _nan_to_num(xp, xp.imag(x), np.dtype(dtype.char.lower()), nan, posinf, neginf)
        return real + imag * 1j
    if dtype.kind != "f":
        return xp.asarray(x, copy=True)
    info = np.finfo(dtype)
    big = float(info.max) if posinf is None else posinf
    small = float(info.min) if neginf is None else neginf
    x = xp.where(xp.isnan(x), nan, x)
    x = xp.where(x == math.inf, big, x)
    return xp.where(x == -math.inf, small, x)


def _nan_to_num_backward(g, out):
    x = _input(out)._data
    return (g * (np.isfinite(x) if x.__class__ is np.ndarray else backend_of(x).isfinite(x)),)


# ---------------------------------------------------------------------------- steps
# Piecewise constant: zero gradient everywhere, as in PyTorch (a zero tensor, not None, so
# the input's .grad is filled).


def _zero_backward(g, out):
    gd = g._data
    if gd.__class__ is np.ndarray:
        return (_wrap(np.zeros(g.shape, dtype=g.dtype)),)
    xp = backend_of(gd)
    return (_wrap(xp.zeros(g.shape, dtype=xp.dtype(g.dtype))),)


def _step(ufunc, name: str, doc: str, method=None, function=None, standard=None):
    standard = standard or name  # the standard's function of the same meaning

    def fn(a: TensorLike) -> Tensor:
        a = _unary(a)
        xd = a._data
        if xd.__class__ is np.ndarray:
            data = np.asarray(ufunc(xd))
            if data.dtype != xd.dtype and type(xd.dtype) not in FLOATING:
                data = data.astype(xd.dtype)  # rounding integers keeps them, as in PyTorch
        else:
            xp = backend_of(xd)
            data = getattr(xp, standard)(xd)
            if np_dtype(data.dtype) != a.dtype:  # rounding integers keeps them
                data = xp.astype(data, xp.dtype(a.dtype))
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
rint = _step(np.rint, "rint", "Each element rounded to the nearest integer (half to even).",
             standard="round")
fix = _step(np.fix, "fix", "Each element rounded towards zero (numpy's ``fix``).",
            method="fix", function=np.fix, standard="trunc")


@op(method="round", alias="around", saves=None, formula="0",
    function=tuple(f for f in (np.round, getattr(np, "around", None)) if f))
def round(a: TensorLike, decimals: int = 0) -> Tensor:
    """Each element rounded to ``decimals`` places, half to even (numpy's and PyTorch's rule).
    The gradient is zero, as in PyTorch.

    Examples
    --------
    >>> ag.round(ag.tensor([0.5, 1.5, 2.26]), decimals=1)
    Tensor([0.5, 1.5, 2.3])
    """
    a = _unary(a)
    xd = a._data
    if xd.__class__ is np.ndarray:
        data = np.round(xd, decimals)
    else:
        data = _round(backend_of(xd), xd, a.dtype, decimals)
    return record(data, (a,), round.op, _zero_backward)


def _round(xp, x, dtype, decimals: int):
    """numpy's ``round(x, decimals)`` in standard functions: scaled, rounded half to even,
    scaled back (numpy's own steps)."""
    if decimals == 0 or dtype.kind in "iub" and decimals > 0:
        return xp.round(x)
    if dtype.kind in "iub":  # to tens, hundreds, ...: in floats, then back
        return xp.astype(_round(xp, xp.astype(x, xp.dtype(np.float64)), np.dtype(np.float64),
                                decimals), xp.dtype(dtype))
    if decimals > 0:
        scale = 10.0 ** decimals
        return xp.round(x * scale) / scale
    scale = 10.0 ** -decimals
    return xp.round(x / scale) * scale
