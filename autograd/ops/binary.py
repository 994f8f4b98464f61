"""numpy's two-argument math functions, broadcasting as numpy does: ``logaddexp``,
``logaddexp2``, ``hypot``, ``arctan2``, ``fmax``/``fmin`` and ``remainder`` (``mod``).

The engine sums each gradient back to its operand's shape after broadcasting.

Arrays of any backend: numpy's ufunc on numpy arrays, the Array API standard's function of the
same meaning on the others (``arctan2`` is ``atan2``); ``logaddexp2``, ``fmax`` and ``fmin``,
numpy's own, are written in standard functions there.
"""

from __future__ import annotations

import math
import operator

import numpy as np

from .._quiet import quietly
from .._tensor import Tensor, _wrap, record
from ..registry import op
from ..typing import TensorLike
from ._util import FLOATING, broadcast_error, floating, operands, xp_of
from .elementwise import _picked_backward, exp
from .math import exp2


def _binary(name: str, ufunc, a, b, float_function: bool = False, standard=None):
    """Both operands as Tensors of the dtype PyTorch's promotion gives (the default float
    dtype for integers in a ``float_function``), and ``ufunc`` of their arrays: IEEE results
    without numpy's warnings, and a clear broadcast error.

    Off numpy, ``standard`` of the arrays' backend instead: the name of a standard function,
    or a function ``(xp, x, y)`` of standard ones (``name`` itself when not given)."""
    if a.__class__ is not Tensor or b.__class__ is not Tensor or \
            a._data.dtype is not b._data.dtype:
        a, b = operands(a, b)
    if float_function and type(a._data.dtype) not in FLOATING:
        a, b = floating(a), floating(b)
    ad, bd = a._data, b._data
    if ad.__class__ is not np.ndarray or bd.__class__ is not np.ndarray:
        xp = xp_of(ad, bd)
        standard = standard or name
        try:  # (quietly: a library over numpy, such as array-api-strict, warns from its own)
            if standard.__class__ is str:
                data = quietly(getattr(xp, standard), ad, bd)
            else:
                data = quietly(standard, xp, ad, bd)
        except ValueError:
            raise broadcast_error(name, a, b) from None
        return a, b, data
    try:
        data = ufunc(ad, bd)
    except ValueError:
        raise broadcast_error(name, a, b) from None
    except RuntimeWarning:  # warnings made errors: the IEEE result, quietly
        data = quietly(ufunc, ad, bd)
    return a, b, data


@op(method="logaddexp", ufunc=np.logaddexp, saves="both",
    formula=("exp(a − out)", "exp(b − out)"))
def logaddexp(a: TensorLike, b: TensorLike) -> Tensor:
    """``log(exp(a) + exp(b))`` without overflow.

    Examples
    --------
    >>> ag.logaddexp(ag.tensor([0.0]), ag.tensor([0.0]))   # log 2
    Tensor([0.6931472])
    """
    a, b, data = _binary("logaddexp", np.logaddexp, a, b, float_function=True)
    return record(data, (a, b), logaddexp.op, _logaddexp_backward)


def _logaddexp_backward(g, out):
    a, b = out._p1, out._p2  # each operand's share of the sum: exp(a) / (exp(a) + exp(b))
    return (g * exp(a - out) if a._requires_grad else None,
            g * exp(b - out) if b._requires_grad else None)


@op(method="logaddexp2", ufunc=np.logaddexp2, saves="both",
    formula=("2^(a − out)", "2^(b − out)"))
def logaddexp2(a: TensorLike, b: TensorLike) -> Tensor:
    """``log2(2**a + 2**b)`` without overflow."""
    a, b, data = _binary("logaddexp2", np.logaddexp2, a, b, float_function=True,
                         standard=_logaddexp2)
    return record(data, (a, b), logaddexp2.op, _logaddexp2_backward)


def _logaddexp2(xp, x, y):
    # numpy's steps: the larger plus log2(1 + 2^-|x - y|); equal operands (infinities too)
    # give the operand plus 1
    big = xp.maximum(x, y)
    rest = xp.log1p(2.0 ** -xp.abs(x - y)) * (1 / math.log(2.0))
    return xp.where(x == y, x + 1.0, big + rest)


def _logaddexp2_backward(g, out):
    a, b = out._p1, out._p2
    return (g * exp2(a - out) if a._requires_grad else None,
            g * exp2(b - out) if b._requires_grad else None)


@op(method="hypot", ufunc=np.hypot, saves="both", formula=("a/out", "b/out"))
def hypot(a: TensorLike, b: TensorLike) -> Tensor:
    """``sqrt(a² + b²)`` without overflow. At ``a = b = 0`` the gradient is NaN, as in
    PyTorch."""
    a, b, data = _binary("hypot", np.hypot, a, b, float_function=True)
    return record(data, (a, b), hypot.op, _hypot_backward)


def _hypot_backward(g, out):
    a, b = out._p1, out._p2
    return (g * a / out if a._requires_grad else None,
            g * b / out if b._requires_grad else None)


@op(method=("arctan2", "atan2"), ufunc=np.arctan2, saves="inputs",
    formula=("b/(a² + b²)", "−a/(a² + b²)"))
def arctan2(a: TensorLike, b: TensorLike) -> Tensor:
    """The angle of the point ``(b, a)``: ``arctan(a/b)`` in the right quadrant."""
    a, b, data = _binary("arctan2", np.arctan2, a, b, float_function=True, standard="atan2")
    return record(data, (a, b), arctan2.op, _arctan2_backward)


def _arctan2_backward(g, out):
    a, b = out._p1, out._p2
    s = g / (a * a + b * b)
    return (s * b if a._requires_grad else None,
            -s * a if b._requires_grad else None)


@op(method="fmax", ufunc=np.fmax, saves="both",
    formula=("1 where a is the max (½ on ties) else 0", "1 where b is the max (½ on ties) else 0"))
def fmax(a: TensorLike, b: TensorLike) -> Tensor:
    """Elementwise maximum that ignores NaN (the other operand wins); on ties the gradient is
    split evenly, as ``maximum``'s."""
    a, b, data = _binary("fmax", np.fmax, a, b, standard=_fmax)
    return record(data, (a, b), fmax.op, _picked_backward)


@op(method="fmin", ufunc=np.fmin, saves="both",
    formula=("1 where a is the min (½ on ties) else 0", "1 where b is the min (½ on ties) else 0"))
def fmin(a: TensorLike, b: TensorLike) -> Tensor:
    """Elementwise minimum that ignores NaN (the other operand wins); on ties the gradient is
    split evenly, as ``minimum``'s."""
    a, b, data = _binary("fmin", np.fmin, a, b, standard=_fmin)
    return record(data, (a, b), fmin.op, _picked_backward)


def _fmax(xp, x, y):
    return xp.where(xp.isnan(y), x, xp.where(xp.isnan(x), y, xp.maximum(x, y)))


def _fmin(xp, x, y):
    return xp.where(xp.isnan(y), x, xp.where(xp.isnan(x), y, xp.minimum(x, y)))


@op(method="remainder", ufunc=np.remainder, alias="mod", saves="inputs",
    operator="__mod__", reflected="__rmod__", formula=("1", "−floor(a/b)"))
def remainder(a: TensorLike, b: TensorLike) -> Tensor:
    """``a - b * floor(a / b)``: the remainder with the sign of ``b`` (numpy's ``mod``, Python's
    ``%``). Gradients as in PyTorch: 1 for ``a``, ``-floor(a / b)`` for ``b``.

    Examples
    --------
    >>> ag.remainder(ag.tensor([5.0, -5.0]), 3.0)
    Tensor([2., 1.])
    """
    a, b, data = _binary("remainder", np.remainder, a, b)
    return record(data, (a, b), remainder.op, _remainder_backward)


def _remainder_backward(g, out):
    a, b = out._p1, out._p2
    if not b._requires_grad:
        return g, None
    with np.errstate(divide="ignore", invalid="ignore"):  # (the operator: any backend)
        quotient = operator.floordiv(a._data, b._data)  # piecewise constant: no graph
    return (g if a._requires_grad else None), -g * _wrap(quotient)
