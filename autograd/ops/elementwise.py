"""Elementwise ops. Each: forward on numpy arrays, then its backward in Tensor ops.

Backwards that need nothing but the parents and the output are module-level functions right
below their op, reading the parents from ``out._parents``: the hottest ops then allocate no
closure per call, which keeps Python's cyclic collector (and so the per-op overhead) down.

Broadcasting is numpy's; the engine sums each gradient back to its parent's shape, so no op
here un-broadcasts anything.
"""

from __future__ import annotations

import numpy as np

from .._quiet import quietly
from .._tensor import Tensor, _wrap, record
from ..dtypes import result_type
from ..registry import op
from ._util import FLOATING, as_tensor, broadcast_error, floating, lift, operands, promoted

_REAL = (bool, int, float)

# ---------------------------------------------------------------------------- arithmetic


@op(operator="__add__", reflected="__radd__", inplace="add_", method="add", ufunc=np.add,
    saves=None, formula=("1", "1"))
def add(a, b) -> Tensor:
    """``a + b`` with broadcasting."""
    if a.__class__ is not Tensor or b.__class__ is not Tensor or \
            a._data.dtype is not b._data.dtype:  # else the fast path: two Tensors, one dtype
        a, b = operands(a, b)
    try:
        data = a._data + b._data
    except ValueError:
        raise broadcast_error("add", a, b) from None
    except RuntimeWarning:  # warnings made errors: inf - inf, x / 0 give IEEE results quietly
        data = quietly(np.add, a._data, b._data)
    return record(data, (a, b), add.op, _add_backward)


def _add_backward(g, out):
    return g, g


@op(operator="__sub__", reflected="__rsub__", inplace="sub_", method="sub", ufunc=np.subtract,
    saves=None, formula=("1", "−1"))
def sub(a, b) -> Tensor:
    """``a - b`` with broadcasting."""
    if a.__class__ is not Tensor or b.__class__ is not Tensor or \
            a._data.dtype is not b._data.dtype:  # else the fast path: two Tensors, one dtype
        a, b = operands(a, b)
    try:
        data = a._data - b._data
    except ValueError:
        raise broadcast_error("sub", a, b) from None
    except RuntimeWarning:  # warnings made errors: inf - inf, x / 0 give IEEE results quietly
        data = quietly(np.subtract, a._data, b._data)
    return record(data, (a, b), sub.op, _sub_backward)


def _sub_backward(g, out):
    a, b = out._parents
    return g, -g if b._requires_grad else None


@op(operator="__mul__", reflected="__rmul__", inplace="mul_", method="mul", ufunc=np.multiply,
    saves="inputs", formula=("b", "a"))
def mul(a, b) -> Tensor:
    """``a * b`` with broadcasting."""
    if a.__class__ is not Tensor or b.__class__ is not Tensor or \
            a._data.dtype is not b._data.dtype:  # else the fast path: two Tensors, one dtype
        a, b = operands(a, b)
    try:
        data = a._data * b._data
    except ValueError:
        raise broadcast_error("mul", a, b) from None
    except RuntimeWarning:  # warnings made errors: inf - inf, x / 0 give IEEE results quietly
        data = quietly(np.multiply, a._data, b._data)
    return record(data, (a, b), mul.op, _mul_backward)


def _mul_backward(g, out):
    a, b = out._parents
    return (g * b if a._requires_grad else None,
            g * a if b._requires_grad else None)


@op(operator="__truediv__", reflected="__rtruediv__", inplace="div_", method="div",
    ufunc=np.true_divide, saves="both", formula=("1/b", "−a/b²"))
def div(a, b) -> Tensor:
    """``a / b`` with broadcasting."""
    if a.__class__ is not Tensor or b.__class__ is not Tensor or \
            a._data.dtype is not b._data.dtype:  # else the fast path: two Tensors, one dtype
        a, b = operands(a, b)
    if type(a._data.dtype) not in FLOATING:  # true division of integers or bools: default float
        a, b = floating(a), floating(b)
    try:
        data = a._data / b._data
    except ValueError:
        raise broadcast_error("div", a, b) from None
    except RuntimeWarning:  # warnings made errors: inf - inf, x / 0 give IEEE results quietly
        data = quietly(np.true_divide, a._data, b._data)
    return record(data, (a, b), div.op, _div_backward)


def _div_backward(g, out):
    a, b = out._parents
    return (g / b if a._requires_grad else None,
            -g * out / b if b._requires_grad else None)  # d(a/b)/db = -a/b² = -out/b


@op(operator="__neg__", method="neg", ufunc=np.negative, saves=None, formula="−1")
def neg(a) -> Tensor:
    """``-a``."""
    if a.__class__ is not Tensor:
        a = as_tensor(a)
    return record(-a._data, (a,), neg.op, _neg_backward)


def _neg_backward(g, out):
    return (-g,)


@op(operator="__pow__", reflected="__rpow__", inplace="pow_", method="pow", ufunc=np.power,
    saves="both", formula=("b·a^(b−1)", "a^b·log(a)"))
def pow(a, b) -> Tensor:
    """``a ** b``. As in PyTorch, ``0 ** 0`` has zero gradient in both arguments."""
    if a.__class__ is not Tensor or b.__class__ is not Tensor or \
            a._data.dtype is not b._data.dtype:  # else the fast path: two Tensors, one dtype
        a, b = operands(a, b)
    try:
        data = a._data ** b._data
    except ValueError:
        raise broadcast_error("pow", a, b) from None
    except RuntimeWarning:  # warnings made errors: inf - inf, x / 0 give IEEE results quietly
        data = quietly(np.power, a._data, b._data)

    def backward(g, out):
        ga = gb = None
        with np.errstate(divide="ignore", invalid="ignore"):
            if a._requires_grad:  # b * a^(b-1), but 0 where b == 0 (even at a == 0)
                if (b._data == 0).any():  # a base of 1 there keeps every derivative finite
                    zero = b._data == 0
                    ga = where(zero, 0.0, g * b * where(zero, 1.0, a) ** (b - 1))
                else:
                    ga = g * b * a ** (b - 1)
            if b._requires_grad:  # a^b * log(a), taken as 0 where a == 0 and b >= 0
                at_zero = (a._data == 0) & (b._data >= 0)
                gb = g * out * log(where(at_zero, 1.0, a))
        return ga, gb

    return record(data, (a, b), pow.op, backward)


@op(operator="__abs__", method="abs", ufunc=np.absolute, function=np.abs, saves="inputs",
    formula="sign(x)")
def abs(a) -> Tensor:
    """``|a|``; the gradient at 0 is 0, as in PyTorch."""
    if a.__class__ is not Tensor:
        a = as_tensor(a)
    return record(np.abs(a._data), (a,), abs.op,
                  lambda g, out: (g * np.sign(a._data),))


# ---------------------------------------------------------------------------- transcendental


@op(method="exp", ufunc=np.exp, saves="output", formula="exp(x)")
def exp(a) -> Tensor:
    """``e ** a``; its derivative is itself."""
    if a.__class__ is not Tensor or type(a._data.dtype) not in FLOATING:
        a = floating(as_tensor(a))  # of integers or bools: the default float dtype
    try:
        data = np.exp(a._data)
    except RuntimeWarning:  # warnings made errors: the IEEE result, quietly
        data = quietly(np.exp, a._data)
    return record(data, (a,), exp.op, _exp_backward)


def _exp_backward(g, out):
    return (g * out,)


@op(method="log", ufunc=np.log, saves="inputs", formula="1/x")
def log(a) -> Tensor:
    """Natural logarithm; ``log(0) = -inf`` with gradient ``inf``, as in PyTorch."""
    if a.__class__ is not Tensor or type(a._data.dtype) not in FLOATING:
        a = floating(as_tensor(a))  # of integers or bools: the default float dtype
    try:
        data = np.log(a._data)
    except RuntimeWarning:  # warnings made errors: the IEEE result, quietly
        data = quietly(np.log, a._data)
    return record(data, (a,), log.op, _log_backward)


def _log_backward(g, out):
    (a,) = out._parents
    return (g / a,)


@op(method="sqrt", ufunc=np.sqrt, saves="output", formula="1/(2·√x)")
def sqrt(a) -> Tensor:
    """Square root; the gradient at 0 is ``inf``, as in PyTorch."""
    if a.__class__ is not Tensor or type(a._data.dtype) not in FLOATING:
        a = floating(as_tensor(a))  # of integers or bools: the default float dtype
    try:
        data = np.sqrt(a._data)
    except RuntimeWarning:  # warnings made errors: the IEEE result, quietly
        data = quietly(np.sqrt, a._data)
    return record(data, (a,), sqrt.op, _sqrt_backward)


def _sqrt_backward(g, out):
    return (g / (out * 2),)


@op(method="sin", ufunc=np.sin, saves="inputs", formula="cos(x)")
def sin(a) -> Tensor:
    """``sin(a)``, derivative ``cos(a)``."""
    if a.__class__ is not Tensor or type(a._data.dtype) not in FLOATING:
        a = floating(as_tensor(a))  # of integers or bools: the default float dtype
    try:
        data = np.sin(a._data)
    except RuntimeWarning:  # of inf, with warnings made errors: nan, quietly
        data = quietly(np.sin, a._data)
    return record(data, (a,), sin.op, lambda g, out: (g * cos(a),))


@op(method="cos", ufunc=np.cos, saves="inputs", formula="−sin(x)")
def cos(a) -> Tensor:
    """``cos(a)``, derivative ``-sin(a)``."""
    if a.__class__ is not Tensor or type(a._data.dtype) not in FLOATING:
        a = floating(as_tensor(a))  # of integers or bools: the default float dtype
    try:
        data = np.cos(a._data)
    except RuntimeWarning:  # of inf, with warnings made errors: nan, quietly
        data = quietly(np.cos, a._data)
    return record(data, (a,), cos.op, lambda g, out: (-g * sin(a),))


@op(method="tanh", ufunc=np.tanh, saves="output", formula="1 − tanh²(x)")
def tanh(a) -> Tensor:
    """``tanh(a)``, derivative ``1 - tanh(a)²``."""
    if a.__class__ is not Tensor or type(a._data.dtype) not in FLOATING:
        a = floating(as_tensor(a))  # of integers or bools: the default float dtype
    return record(np.tanh(a._data), (a,), tanh.op, _tanh_backward)


def _tanh_backward(g, out):
    return (g * (1 - out * out),)


@op(method="sigmoid", saves="output", formula="σ(x)·(1 − σ(x))")
def sigmoid(a) -> Tensor:
    """``1 / (1 + exp(-a))``, computed as ``(1 + tanh(a/2)) / 2`` so it never overflows."""
    if a.__class__ is not Tensor or type(a._data.dtype) not in FLOATING:
        a = floating(as_tensor(a))  # of integers or bools: the default float dtype
    x = a._data
    data = np.tanh(x * 0.5)
    data += 1
    data *= 0.5
    return record(data, (a,), sigmoid.op, _sigmoid_backward)


def _sigmoid_backward(g, out):
    return (g * out * (1 - out),)


@op(method="relu", saves="inputs", formula="1 if x > 0 else 0")
def relu(a) -> Tensor:
    """``max(a, 0)``; the gradient at 0 is 0, as in PyTorch."""
    if a.__class__ is not Tensor:
        a = as_tensor(a)
    return record(np.maximum(a._data, 0), (a,), relu.op, _relu_backward)


def _relu_backward(g, out):
    (a,) = out._parents
    return (g * _wrap(a._data > 0),)  # the mask is a constant


# ---------------------------------------------------------------------------- selection


@op(method="maximum", ufunc=np.maximum, saves="both",
    formula=("1 where a is the max (½ on ties) else 0", "1 where b is the max (½ on ties) else 0"))
def maximum(a, b) -> Tensor:
    """Elementwise maximum; on ties the gradient is split evenly between ``a`` and ``b``."""
    if a.__class__ is not Tensor or b.__class__ is not Tensor or \
            a._data.dtype is not b._data.dtype:  # else the fast path: two Tensors, one dtype
        a, b = operands(a, b)
    try:
        data = np.maximum(a._data, b._data)
    except ValueError:
        raise broadcast_error("maximum", a, b) from None
    return record(data, (a, b), maximum.op, _picked_backward)


@op(method="minimum", ufunc=np.minimum, saves="both",
    formula=("1 where a is the min (½ on ties) else 0", "1 where b is the min (½ on ties) else 0"))
def minimum(a, b) -> Tensor:
    """Elementwise minimum; on ties the gradient is split evenly between ``a`` and ``b``."""
    if a.__class__ is not Tensor or b.__class__ is not Tensor or \
            a._data.dtype is not b._data.dtype:  # else the fast path: two Tensors, one dtype
        a, b = operands(a, b)
    try:
        data = np.minimum(a._data, b._data)
    except ValueError:
        raise broadcast_error("minimum", a, b) from None
    return record(data, (a, b), minimum.op, _picked_backward)


def _picked_backward(g, out):
    # maximum's and minimum's: the gradient goes to the operand the output picked (the one
    # equal to it), split evenly where both are (PyTorch splits ties)
    a, b = out._parents
    share = np.broadcast_to(a._data == out._data, out.shape).astype(out.dtype)
    share[np.broadcast_to(a._data == b._data, out.shape)] = 0.5
    return g * share, g * (1 - share)


@op(method=("clip", "clamp"), inplace=("clamp_", "clip_"), function=np.clip, saves="inputs",
    formula="1 if min ≤ x ≤ max else 0", alias="clamp",
    numpy_args={"a_min": "min", "a_max": "max"})
def clip(a, min=None, max=None) -> Tensor:
    """Limit values to ``[min, max]``; the gradient passes where ``min <= a <= max``."""
    if a.__class__ is not Tensor:
        a = as_tensor(a)
    if min is None and max is None:
        raise ValueError("clip: at least one of min and max must be given")
    bounds = [v for v in (min, max) if v is not None]
    dtype = a._data.dtype
    if dtype.kind != "f" or any(type(v) not in _REAL for v in bounds):
        dtype = result_type(a, *bounds)  # as PyTorch: clip(int tensor, 0.5) is float
        a = promoted(a, dtype)
    lo = None if min is None else promoted(min, dtype)._data
    hi = None if max is None else promoted(max, dtype)._data
    data = np.clip(a._data, lo, hi)

    def backward(g, out):
        inside = np.ones(a.shape, dtype=bool)
        if lo is not None:
            inside &= a._data >= lo
        if hi is not None:
            inside &= a._data <= hi
        return (g * inside,)

    return record(data, (a,), clip.op, backward)


@op(function=np.where, saves=None, formula=("1 where cond", "1 where not cond"),
    numpy_args={"x": "a", "y": "b"})
def where(cond, a, b) -> Tensor:
    """``a`` where ``cond`` is true, else ``b`` (broadcast together)."""
    c = cond._data if isinstance(cond, Tensor) else np.asarray(cond)
    if c.dtype != bool:
        c = c.astype(bool)
    a, b = operands(a, b)  # promoted together, as PyTorch's where
    try:
        data = np.where(c, a._data, b._data)
    except ValueError:
        raise ValueError(
            f"where: shapes {c.shape}, {a.shape} and {b.shape} cannot be broadcast together"
        ) from None
    return record(data, (a, b), where.op, lambda g, out: (
        where(c, g, 0.0) if a._requires_grad else None,
        where(c, 0.0, g) if b._requires_grad else None))


# ---------------------------------------------------------------------------- dtype


@op(method="astype", saves=None, formula="1")
def astype(a, dtype) -> Tensor:
    """A copy converted to ``dtype``; the gradient is converted back."""
    if a.__class__ is not Tensor:
        a = as_tensor(a)
    dtype = np.dtype(dtype)
    if dtype == a._data.dtype:
        data = a._data.copy()
    else:
        try:
            data = a._data.astype(dtype)
        except RuntimeWarning:  # inf or nan to an integer, or past float16's range
            data = quietly(a._data.astype, dtype)
    if dtype.kind not in "fc":
        return _wrap(data)
    return record(data, (a,), astype.op, _astype_backward)


COMPLEX_GRADIENT = (
    "a complex gradient reached a real tensor of dtype {dtype}: differentiating through complex "
    "values is not supported (autograd does not implement PyTorch's conjugate Wirtinger "
    "convention), and dropping the imaginary part would give a wrong gradient; keep the "
    "computation real")


def _astype_backward(g, out):
    (a,) = out._parents
    if g._data.dtype.kind == "c" and a._data.dtype.kind != "c":
        raise RuntimeError(COMPLEX_GRADIENT.format(dtype=a.dtype))
    return (g.astype(a._data.dtype),)


@op(method="clone", function=np.copy, saves=None, formula="1")
def clone(a) -> Tensor:
    """A copy with its own memory, recorded (the gradient passes through unchanged).

    Examples
    --------
    >>> x = ag.tensor([1.0, 2.0], requires_grad=True)
    >>> y = x.clone(); y.grad_fn
    <CloneBackward>
    """
    a = as_tensor(a)
    return record(a._data.copy(), (a,), clone.op, _clone_backward)


def _clone_backward(g, out):
    return (g,)


# ---------------------------------------------------------------------------- writing
# The out-of-place forms of ``fill_``, ``zero_`` and ``copy_``: in place they are these ops
# with the result written back (see ``autograd.inplace``).


@op(inplace="fill_", saves=None, export=False, formula=("0", "1 (summed)"))
def fill(a, value) -> Tensor:
    """A tensor like ``a`` filled with ``value`` (a number or a 0-d Tensor)."""
    a = as_tensor(a)
    v = lift(value, a)
    if v._data.ndim:
        raise RuntimeError(f"fill_ only supports 0-dimension value tensor but got tensor with "
                           f"{v._data.ndim} dimensions")
    data = np.full(a._data.shape, v._data, dtype=a._data.dtype)
    return record(data, (a, v), fill.op, _fill_backward)


def _fill_backward(g, out):
    return None, g.sum()


@op(inplace="copy_", saves=None, export=False, formula=("0", "1"))
def assign(a, src) -> Tensor:
    """``src`` broadcast to ``a``'s shape and cast to its dtype (``copy_`` out of place)."""
    a = as_tensor(a)
    src = lift(src, a)
    try:
        data = np.broadcast_to(src._data, a._data.shape).astype(a._data.dtype)
    except ValueError:
        raise RuntimeError(f"copy_: the source's shape {src.shape} cannot be broadcast to "
                           f"the destination's shape {a.shape}") from None
    return record(data, (a, src), assign.op, _assign_backward)


def _assign_backward(g, out):
    return None, g


def _zero_(self) -> Tensor:
    """Fill this tensor with zeros in place (``fill_(0)``)."""
    return self.fill_(0)


Tensor.zero_ = _zero_


# ---------------------------------------------------------------------------- comparisons


def _comparison(ufunc, name: str):
    def compare(a, b) -> Tensor:
        a, b = operands(a, b)
        try:
            return _wrap(np.asarray(ufunc(a._data, b._data)))
        except ValueError:
            raise broadcast_error(name, a, b) from None

    compare.__name__ = compare.__qualname__ = name
    compare.__doc__ = f"Elementwise ``{ufunc.__name__}`` as a boolean Tensor (no gradient)."
    return op(compare, operator=f"__{name}__", method=name, ufunc=ufunc, saves=None,
              differentiable=False)


lt = _comparison(np.less, "lt")
le = _comparison(np.less_equal, "le")
gt = _comparison(np.greater, "gt")
ge = _comparison(np.greater_equal, "ge")
eq = _comparison(np.equal, "eq")
ne = _comparison(np.not_equal, "ne")
