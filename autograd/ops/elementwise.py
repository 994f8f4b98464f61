"""Elementwise ops. Each: forward on numpy arrays, then its backward in Tensor ops.

Backwards that need nothing but the parents and the output are module-level functions right
below their op, reading the parents from ``out._parents``: the hottest ops then allocate no
closure per call, which keeps Python's cyclic collector (and so the per-op overhead) down.

Broadcasting is numpy's; the engine sums each gradient back to its parent's shape, so no op
here un-broadcasts anything.
"""

from __future__ import annotations

import numpy as np

from ..tensor import Tensor, _wrap, record
from ._util import as_tensor, broadcast_error, lift, operands
from .registry import op

# ---------------------------------------------------------------------------- arithmetic


@op
def add(a, b) -> Tensor:
    """``a + b`` with broadcasting."""
    if a.__class__ is not Tensor or b.__class__ is not Tensor:  # fast path: both Tensors
        a, b = operands(a, b)
    try:
        data = a._data + b._data
    except ValueError:
        raise broadcast_error("add", a, b) from None
    return record(data, (a, b), "AddBackward", _add_backward)


def _add_backward(g, out):
    return g, g


@op
def sub(a, b) -> Tensor:
    """``a - b`` with broadcasting."""
    if a.__class__ is not Tensor or b.__class__ is not Tensor:  # fast path: both Tensors
        a, b = operands(a, b)
    try:
        data = a._data - b._data
    except ValueError:
        raise broadcast_error("sub", a, b) from None
    return record(data, (a, b), "SubBackward", _sub_backward)


def _sub_backward(g, out):
    a, b = out._parents
    return g, -g if b._requires_grad else None


@op
def mul(a, b) -> Tensor:
    """``a * b`` with broadcasting."""
    if a.__class__ is not Tensor or b.__class__ is not Tensor:  # fast path: both Tensors
        a, b = operands(a, b)
    try:
        data = a._data * b._data
    except ValueError:
        raise broadcast_error("mul", a, b) from None
    return record(data, (a, b), "MulBackward", _mul_backward)


def _mul_backward(g, out):
    a, b = out._parents
    return (g * b if a._requires_grad else None,
            g * a if b._requires_grad else None)


@op
def div(a, b) -> Tensor:
    """``a / b`` with broadcasting."""
    if a.__class__ is not Tensor or b.__class__ is not Tensor:  # fast path: both Tensors
        a, b = operands(a, b)
    try:
        data = a._data / b._data
    except ValueError:
        raise broadcast_error("div", a, b) from None
    return record(data, (a, b), "DivBackward", _div_backward)


def _div_backward(g, out):
    a, b = out._parents
    return (g / b if a._requires_grad else None,
            -g * out / b if b._requires_grad else None)  # d(a/b)/db = -a/b² = -out/b


@op
def neg(a) -> Tensor:
    """``-a``."""
    if a.__class__ is not Tensor:
        a = as_tensor(a)
    return record(-a._data, (a,), "NegBackward", _neg_backward)


def _neg_backward(g, out):
    return (-g,)


@op
def pow(a, b) -> Tensor:
    """``a ** b``. As in PyTorch, ``0 ** 0`` has zero gradient in both arguments."""
    if a.__class__ is not Tensor or b.__class__ is not Tensor:  # fast path: both Tensors
        a, b = operands(a, b)
    try:
        data = a._data ** b._data
    except ValueError:
        raise broadcast_error("pow", a, b) from None

    def backward(g, out):
        ga = gb = None
        with np.errstate(divide="ignore", invalid="ignore"):
            if a._requires_grad:  # b * a^(b-1), but 0 where b == 0 (even at a == 0)
                ga = g * b * a ** (b - 1)
                if (b._data == 0).any():
                    ga = where(b._data == 0, 0.0, ga)
            if b._requires_grad:  # a^b * log(a), taken as 0 where a == 0 and b >= 0
                at_zero = (a._data == 0) & (b._data >= 0)
                gb = g * out * log(where(at_zero, 1.0, a))
        return ga, gb

    return record(data, (a, b), "PowBackward", backward)


@op
def abs(a) -> Tensor:
    """``|a|``; the gradient at 0 is 0, as in PyTorch."""
    if a.__class__ is not Tensor:
        a = as_tensor(a)
    return record(np.abs(a._data), (a,), "AbsBackward",
                  lambda g, out: (g * np.sign(a._data),))


# ---------------------------------------------------------------------------- transcendental


@op
def exp(a) -> Tensor:
    """``e ** a``; its derivative is itself."""
    if a.__class__ is not Tensor:
        a = as_tensor(a)
    return record(np.exp(a._data), (a,), "ExpBackward", _exp_backward)


def _exp_backward(g, out):
    return (g * out,)


@op
def log(a) -> Tensor:
    """Natural logarithm; ``log(0) = -inf`` with gradient ``inf``, as in PyTorch."""
    if a.__class__ is not Tensor:
        a = as_tensor(a)
    with np.errstate(divide="ignore", invalid="ignore"):
        data = np.log(a._data)
    return record(data, (a,), "LogBackward", _log_backward)


def _log_backward(g, out):
    (a,) = out._parents
    return (g / a,)


@op
def sqrt(a) -> Tensor:
    """Square root; the gradient at 0 is ``inf``, as in PyTorch."""
    if a.__class__ is not Tensor:
        a = as_tensor(a)
    with np.errstate(invalid="ignore"):
        data = np.sqrt(a._data)
    return record(data, (a,), "SqrtBackward", _sqrt_backward)


def _sqrt_backward(g, out):
    return (g / (out * 2),)


@op
def sin(a) -> Tensor:
    """``sin(a)``, derivative ``cos(a)``."""
    if a.__class__ is not Tensor:
        a = as_tensor(a)
    return record(np.sin(a._data), (a,), "SinBackward", lambda g, out: (g * cos(a),))


@op
def cos(a) -> Tensor:
    """``cos(a)``, derivative ``-sin(a)``."""
    if a.__class__ is not Tensor:
        a = as_tensor(a)
    return record(np.cos(a._data), (a,), "CosBackward", lambda g, out: (-g * sin(a),))


@op
def tanh(a) -> Tensor:
    """``tanh(a)``, derivative ``1 - tanh(a)²``."""
    if a.__class__ is not Tensor:
        a = as_tensor(a)
    return record(np.tanh(a._data), (a,), "TanhBackward", _tanh_backward)


def _tanh_backward(g, out):
    return (g * (1 - out * out),)


@op
def sigmoid(a) -> Tensor:
    """``1 / (1 + exp(-a))``, computed as ``(1 + tanh(a/2)) / 2`` so it never overflows."""
    if a.__class__ is not Tensor:
        a = as_tensor(a)
    x = a._data
    data = np.tanh(x * 0.5)
    data += 1
    data *= 0.5
    return record(data, (a,), "SigmoidBackward", _sigmoid_backward)


def _sigmoid_backward(g, out):
    return (g * out * (1 - out),)


@op
def relu(a) -> Tensor:
    """``max(a, 0)``; the gradient at 0 is 0, as in PyTorch."""
    if a.__class__ is not Tensor:
        a = as_tensor(a)
    return record(np.maximum(a._data, 0), (a,), "ReluBackward", _relu_backward)


def _relu_backward(g, out):
    (a,) = out._parents
    return (g * _wrap(a._data > 0),)  # the mask is a constant


# ---------------------------------------------------------------------------- selection


@op
def maximum(a, b) -> Tensor:
    """Elementwise maximum; on ties the gradient is split evenly between ``a`` and ``b``."""
    if a.__class__ is not Tensor or b.__class__ is not Tensor:  # fast path: both Tensors
        a, b = operands(a, b)
    try:
        data = np.maximum(a._data, b._data)
    except ValueError:
        raise broadcast_error("maximum", a, b) from None

    def backward(g, out):
        share = _share(a, b, np.broadcast_to(a._data > b._data, out.shape).copy())
        return g * share, g * (1 - share)

    return record(data, (a, b), "MaximumBackward", backward)


@op
def minimum(a, b) -> Tensor:
    """Elementwise minimum; on ties the gradient is split evenly between ``a`` and ``b``."""
    if a.__class__ is not Tensor or b.__class__ is not Tensor:  # fast path: both Tensors
        a, b = operands(a, b)
    try:
        data = np.minimum(a._data, b._data)
    except ValueError:
        raise broadcast_error("minimum", a, b) from None

    def backward(g, out):
        share = _share(a, b, np.broadcast_to(a._data < b._data, out.shape).copy())
        return g * share, g * (1 - share)

    return record(data, (a, b), "MinimumBackward", backward)


def _share(a: Tensor, b: Tensor, wins: np.ndarray) -> np.ndarray:
    """Weight of ``a`` in a max/min: 1 where it wins, 1/2 on ties (PyTorch splits ties)."""
    share = wins.astype(np.result_type(a._data.dtype, b._data.dtype))
    share[np.broadcast_to(a._data == b._data, share.shape)] = 0.5
    return share


@op
def clip(a, min=None, max=None) -> Tensor:
    """Limit values to ``[min, max]``; the gradient passes where ``min <= a <= max``."""
    if a.__class__ is not Tensor:
        a = as_tensor(a)
    if min is None and max is None:
        raise ValueError("clip: at least one of min and max must be given")
    lo = min._data if isinstance(min, Tensor) else min
    hi = max._data if isinstance(max, Tensor) else max
    data = np.clip(a._data, lo, hi)

    def backward(g, out):
        inside = np.ones(a.shape, dtype=bool)
        if lo is not None:
            inside &= a._data >= lo
        if hi is not None:
            inside &= a._data <= hi
        return (g * inside,)

    return record(data, (a,), "ClipBackward", backward)


@op
def where(cond, a, b) -> Tensor:
    """``a`` where ``cond`` is true, else ``b`` (broadcast together)."""
    c = cond._data if isinstance(cond, Tensor) else np.asarray(cond)
    if c.dtype != bool:
        c = c.astype(bool)
    if isinstance(a, Tensor) or not isinstance(b, Tensor):
        a = as_tensor(a)
        b = lift(b, a)
    else:
        a = lift(a, b)
    try:
        data = np.where(c, a._data, b._data)
    except ValueError:
        raise ValueError(
            f"where: shapes {c.shape}, {a.shape} and {b.shape} cannot be broadcast together"
        ) from None
    return record(data, (a, b), "WhereBackward", lambda g, out: (
        where(c, g, 0.0) if a._requires_grad else None,
        where(c, 0.0, g) if b._requires_grad else None))


# ---------------------------------------------------------------------------- dtype


@op
def astype(a, dtype) -> Tensor:
    """A copy converted to ``dtype``; the gradient is converted back."""
    if a.__class__ is not Tensor:
        a = as_tensor(a)
    dtype = np.dtype(dtype)
    if dtype == a._data.dtype:
        data = a._data.copy()
    else:
        data = a._data.astype(dtype)
    if dtype.kind not in "fc":
        return _wrap(data)
    return record(data, (a,), "AstypeBackward", lambda g, out: (g.astype(a._data.dtype),))
