"""Elementwise ops. Each: forward on its inputs' arrays, then its backward in Tensor ops.

Backwards that need nothing but the parents and the output are module-level functions right
below their op, reading the parents from the output's slots (``out._p1``, ``out._p2``: see
``Tensor._parents``): the hottest ops then allocate no closure per call, and their results no
tuple of parents, which keeps Python's cyclic collector (and so the per-op overhead) down.

Broadcasting is numpy's; the engine sums each gradient back to its parent's shape, so no op
here un-broadcasts anything.

Arrays of any backend (see ``autograd.backend``): operators (``a._data + b._data``) work on
every array library as they are; functions go through the inputs' backend ``xp``, found as
``NUMPY if data.__class__ is np.ndarray else backend_of(data)`` (numpy's path pays one type
test, and ``NUMPY.exp is np.exp``). numpy-only speed-ups (in-place arithmetic, strided views)
stay behind that same test, with a portable branch for the rest.
"""

# The fast paths test `x.__class__ is Tensor` (cheaper than isinstance), which pyright does not
# narrow on: it would flag every `x._data` read after one. The signatures are checked as usual.
# pyright: reportAttributeAccessIssue=false, reportArgumentType=false

from __future__ import annotations

import operator

import numpy as np

from .._quiet import quiet_unary, quietly
from .._tensor import Tensor, _wrap, record
from ..backend import NUMPY, backend_of, is_array, np_dtype
from ..dtypes import result_type
from ..mode import recording
from ..registry import op
from ..typing import DTypeLike, TensorLike
from ._util import (
    FLOATING,
    aligned,
    as_tensor,
    broadcast_error,
    floating,
    lift,
    on_backend_of,
    operands,
    promoted,
    xp_of,
)

_REAL = (bool, int, float)

# ---------------------------------------------------------------------------- arithmetic


def _add_grads(g, needs, y, ctx, a, b):
    return g, g


@op(operator="__add__", reflected="__radd__", inplace="add_", method="add", ufunc=np.add,
    saves=None, formula=("1", "1"), replay=operator.add, replay_backward=_add_grads)
def add(a: TensorLike, b: TensorLike) -> Tensor:
    """``a + b`` with broadcasting."""
    if a.__class__ is not Tensor or b.__class__ is not Tensor or \
            a._data.dtype is not b._data.dtype:  # else the fast path: two Tensors, one dtype
        a, b = operands(a, b)
    try:
        data = a._data + b._data
    except ValueError:
        raise broadcast_error("add", a, b) from None
    except RuntimeWarning:  # warnings made errors: inf - inf, x / 0 give IEEE results quietly
        data = quietly(operator.add, a._data, b._data)
    return record(data, (a, b), add.op, _add_backward)


def _add_backward(g, out):  # (_add_grads, without its call: the hottest backward)
    return g, g


def _sub_grads(g, needs, y, ctx, a, b):
    return g, -g if needs[1] else None


@op(operator="__sub__", reflected="__rsub__", inplace="sub_", method="sub", ufunc=np.subtract,
    saves=None, formula=("1", "−1"), replay=operator.sub, replay_backward=_sub_grads)
def sub(a: TensorLike, b: TensorLike) -> Tensor:
    """``a - b`` with broadcasting."""
    if a.__class__ is not Tensor or b.__class__ is not Tensor or \
            a._data.dtype is not b._data.dtype:  # else the fast path: two Tensors, one dtype
        a, b = operands(a, b)
    try:
        data = a._data - b._data
    except ValueError:
        raise broadcast_error("sub", a, b) from None
    except RuntimeWarning:  # warnings made errors: inf - inf, x / 0 give IEEE results quietly
        data = quietly(operator.sub, a._data, b._data)
    return record(data, (a, b), sub.op, _sub_backward)


# The backwards below write their formula once, over ``_values(...)``: the Tensors themselves
# while the backward pass is recorded (create_graph: the formula is built of ops, so it is
# differentiable again), else their arrays (the same numpy expressions, bit for bit, without an
# op call per product); ``_grad`` makes the result a Tensor either way.


def _values(*tensors) -> tuple:
    if recording():
        return tensors
    if len(tensors) == 2:  # (unrolled: a generator would cost more than the op call it saves)
        return tensors[0]._data, tensors[1]._data
    if len(tensors) == 3:
        return tensors[0]._data, tensors[1]._data, tensors[2]._data
    return (tensors[0]._data,)


def _grad(x) -> Tensor:
    if x.__class__ is Tensor:
        return x
    if x.__class__ is not np.ndarray and isinstance(x, np.generic):
        x = np.asarray(x)  # numpy gives scalars for 0-d results; a Tensor holds arrays
    return _wrap(x)


def _grads(ga, gb) -> tuple:
    return (None if ga is None else _grad(ga), None if gb is None else _grad(gb))


def _sub_backward(g, out):
    b = out._p2
    if not b._requires_grad:
        return g, None
    return g, _grad(_sub_grads(_values(g)[0], (True, True), None, None, None, None)[1])


def _mul_grads(g, needs, y, ctx, a, b):
    return g * b if needs[0] else None, g * a if needs[1] else None


@op(operator="__mul__", reflected="__rmul__", inplace="mul_", method="mul", ufunc=np.multiply,
    saves="inputs", formula=("b", "a"), replay=operator.mul, replay_backward=_mul_grads)
def mul(a: TensorLike, b: TensorLike) -> Tensor:
    """``a * b`` with broadcasting."""
    if a.__class__ is not Tensor or b.__class__ is not Tensor or \
            a._data.dtype is not b._data.dtype:  # else the fast path: two Tensors, one dtype
        a, b = operands(a, b)
    try:
        data = a._data * b._data
    except ValueError:
        raise broadcast_error("mul", a, b) from None
    except RuntimeWarning:  # warnings made errors: inf - inf, x / 0 give IEEE results quietly
        data = quietly(operator.mul, a._data, b._data)
    return record(data, (a, b), mul.op, _mul_backward)


def _mul_backward(g, out):
    a, b = out._p1, out._p2
    G, A, B = _values(g, a, b)
    return _grads(*_mul_grads(G, (a._requires_grad, b._requires_grad), None, None, A, B))


def _div_grads(g, needs, y, ctx, a, b):  # d(a/b)/db = -a/b² = -y/b
    return g / b if needs[0] else None, -g * y / b if needs[1] else None


@op(operator="__truediv__", reflected="__rtruediv__", inplace="div_", method="div",
    ufunc=np.true_divide, saves="both", formula=("1/b", "−a/b²"), replay=operator.truediv,
    replay_backward=_div_grads)
def div(a: TensorLike, b: TensorLike) -> Tensor:
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
        data = quietly(operator.truediv, a._data, b._data)
    return record(data, (a, b), div.op, _div_backward)


def _div_backward(g, out):
    a, b = out._p1, out._p2
    G, B, O = _values(g, b, out)
    return _grads(*_div_grads(G, (a._requires_grad, b._requires_grad), O, None, None, B))


def _neg_grads(g, needs, y, ctx, a):
    return (-g,)


@op(operator="__neg__", method="neg", ufunc=np.negative, saves=None, formula="−1",
    replay=operator.neg, replay_backward=_neg_grads)
def neg(a: TensorLike) -> Tensor:
    """``-a``."""
    if a.__class__ is not Tensor:
        a = as_tensor(a)
    return record(-a._data, (a,), neg.op, _neg_backward)


def _neg_backward(g, out):
    return (_grad(_neg_grads(_values(g)[0], None, None, None, None)[0]),)


@op(operator="__pow__", reflected="__rpow__", inplace="pow_", method="pow", ufunc=np.power,
    saves="both", formula=("b·a^(b−1)", "a^b·log(a)"))
def pow(a: TensorLike, b: TensorLike) -> Tensor:
    """``a ** b``. As in PyTorch, ``0 ** 0`` has zero gradient in both arguments."""
    if a.__class__ is not Tensor or b.__class__ is not Tensor or \
            a._data.dtype is not b._data.dtype:  # else the fast path: two Tensors, one dtype
        a, b = operands(a, b)
    try:
        data = a._data ** b._data
    except ValueError:
        raise broadcast_error("pow", a, b) from None
    except RuntimeWarning:  # warnings made errors: inf - inf, x / 0 give IEEE results quietly
        data = quietly(operator.pow, a._data, b._data)

    def backward(g, out):
        ga = gb = None
        with np.errstate(divide="ignore", invalid="ignore"):
            if a._requires_grad:  # b * a^(b-1), but 0 where b == 0 (even at a == 0)
                zero = b._data == 0
                # (off numpy the values are not read: always the safe form)
                if b._data.__class__ is not np.ndarray or zero.any():
                    # a base of 1 there keeps every derivative finite
                    ga = where(zero, 0.0, g * b * where(zero, 1.0, a) ** (b - 1))  # type: ignore[operator]
                else:
                    ga = g * b * a ** (b - 1)  # type: ignore[operator]  # Tensors by now
            if b._requires_grad:  # a^b * log(a), taken as 0 where a == 0 and b >= 0
                at_zero = (a._data == 0) & (b._data >= 0)
                gb = g * out * log(where(at_zero, 1.0, a))
        return ga, gb

    return record(data, (a, b), pow.op, backward)


@op(operator="__abs__", method="abs", ufunc=np.absolute, function=np.abs, saves="inputs",
    formula="sign(x)")
def abs(a: TensorLike) -> Tensor:
    """``|a|``; the gradient at 0 is 0, as in PyTorch."""
    if a.__class__ is not Tensor:
        a = as_tensor(a)
    xd = a._data
    xp = NUMPY if xd.__class__ is np.ndarray else backend_of(xd)
    return record(xp.abs(xd), (a,), abs.op,
                  lambda g, out: (g * xp.sign(xd),))


# ---------------------------------------------------------------------------- transcendental


@op(method="exp", ufunc=np.exp, saves="output", formula="exp(x)")
def exp(a: TensorLike) -> Tensor:
    """``e ** a``; its derivative is itself."""
    if a.__class__ is not Tensor or type(a._data.dtype) not in FLOATING:
        a = floating(as_tensor(a))  # of integers or bools: the default float dtype
    data = quiet_unary(np.exp, "exp", a._data)  # IEEE results (inf, nan), no warning
    return record(data, (a,), exp.op, _exp_backward)


def _exp_backward(g, out):
    G, O = _values(g, out)
    return (_grad(G * O),)


@op(method="log", ufunc=np.log, saves="inputs", formula="1/x")
def log(a: TensorLike) -> Tensor:
    """Natural logarithm; ``log(0) = -inf`` with gradient ``inf``, as in PyTorch."""
    if a.__class__ is not Tensor or type(a._data.dtype) not in FLOATING:
        a = floating(as_tensor(a))  # of integers or bools: the default float dtype
    data = quiet_unary(np.log, "log", a._data)  # IEEE results (inf, nan), no warning
    return record(data, (a,), log.op, _log_backward)


def _log_backward(g, out):
    G, A = _values(g, out._p1)
    return (_grad(G / A),)


@op(method="sqrt", ufunc=np.sqrt, saves="output", formula="1/(2·√x)")
def sqrt(a: TensorLike) -> Tensor:
    """Square root; the gradient at 0 is ``inf``, as in PyTorch."""
    if a.__class__ is not Tensor or type(a._data.dtype) not in FLOATING:
        a = floating(as_tensor(a))  # of integers or bools: the default float dtype
    data = quiet_unary(np.sqrt, "sqrt", a._data)  # IEEE results (inf, nan), no warning
    return record(data, (a,), sqrt.op, _sqrt_backward)


def _sqrt_backward(g, out):
    G, O = _values(g, out)
    return (_grad(G / (O * 2)),)


@op(method="sin", ufunc=np.sin, saves="inputs", formula="cos(x)")
def sin(a: TensorLike) -> Tensor:
    """``sin(a)``, derivative ``cos(a)``."""
    if a.__class__ is not Tensor or type(a._data.dtype) not in FLOATING:
        a = floating(as_tensor(a))  # of integers or bools: the default float dtype
    data = quiet_unary(np.sin, "sin", a._data)  # of inf: nan, without a warning
    return record(data, (a,), sin.op, lambda g, out: (g * cos(a),))


@op(method="cos", ufunc=np.cos, saves="inputs", formula="−sin(x)")
def cos(a: TensorLike) -> Tensor:
    """``cos(a)``, derivative ``-sin(a)``."""
    if a.__class__ is not Tensor or type(a._data.dtype) not in FLOATING:
        a = floating(as_tensor(a))  # of integers or bools: the default float dtype
    data = quiet_unary(np.cos, "cos", a._data)  # of inf: nan, without a warning
    return record(data, (a,), cos.op, lambda g, out: (-g * sin(a),))


def _tanh_grads(g, needs, y, ctx, x):
    return (g * (1 - y * y),)


@op(method="tanh", ufunc=np.tanh, saves="output", formula="1 − tanh²(x)", replay=np.tanh,
    replay_backward=_tanh_grads)
def tanh(a: TensorLike) -> Tensor:
    """``tanh(a)``, derivative ``1 - tanh(a)²``."""
    if a.__class__ is not Tensor or type(a._data.dtype) not in FLOATING:
        a = floating(as_tensor(a))  # of integers or bools: the default float dtype
    xd = a._data
    xp = NUMPY if xd.__class__ is np.ndarray else backend_of(xd)
    return record(xp.tanh(xd), (a,), tanh.op, _tanh_backward)


def _tanh_backward(g, out):
    G, O = _values(g, out)
    return (_grad(_tanh_grads(G, None, O, None, None)[0]),)


@op(method="sigmoid", saves="output", formula="σ(x)·(1 − σ(x))")
def sigmoid(a: TensorLike) -> Tensor:
    """``1 / (1 + exp(-a))``, computed as ``(1 + tanh(a/2)) / 2`` so it never overflows."""
    if a.__class__ is not Tensor or type(a._data.dtype) not in FLOATING:
        a = floating(as_tensor(a))  # of integers or bools: the default float dtype
    x = a._data
    if x.__class__ is np.ndarray:
        data = np.tanh(x * 0.5)
        data += 1
        data *= 0.5
    else:  # no in-place writes off numpy
        data = (backend_of(x).tanh(x * 0.5) + 1) * 0.5
    return record(data, (a,), sigmoid.op, _sigmoid_backward)


def _sigmoid_backward(g, out):
    G, O = _values(g, out)
    return (_grad(G * O * (1 - O)),)


def _relu_kernel(x):
    return np.maximum(x, 0)


def _relu_grads(g, needs, y, ctx, x):
    return (g * (x > 0),)  # the mask is a constant


@op(method="relu", saves="inputs", formula="1 if x > 0 else 0", replay=_relu_kernel,
    replay_backward=_relu_grads)
def relu(a: TensorLike) -> Tensor:
    """``max(a, 0)``; the gradient at 0 is 0, as in PyTorch."""
    if a.__class__ is not Tensor:
        a = as_tensor(a)
    xd = a._data
    data = _relu_kernel(xd) if xd.__class__ is np.ndarray else backend_of(xd).maximum(xd, 0)
    return record(data, (a,), relu.op, _relu_backward)


def _relu_backward(g, out):
    a = out._p1
    # (Tensors off numpy too: another backend may refuse to multiply by booleans)
    G, A = _values(g, a) if g._data.__class__ is np.ndarray else (g, a)
    return (_grad(_relu_grads(G, None, None, None, A)[0]),)


# ---------------------------------------------------------------------------- selection


@op(method="maximum", ufunc=np.maximum, saves="both",
    formula=("1 where a is the max (½ on ties) else 0", "1 where b is the max (½ on ties) else 0"))
def maximum(a: TensorLike, b: TensorLike) -> Tensor:
    """Elementwise maximum; on ties the gradient is split evenly between ``a`` and ``b``."""
    if a.__class__ is not Tensor or b.__class__ is not Tensor or \
            a._data.dtype is not b._data.dtype:  # else the fast path: two Tensors, one dtype
        a, b = operands(a, b)
    ad, bd = a._data, b._data
    xp = NUMPY if ad.__class__ is np.ndarray and bd.__class__ is np.ndarray \
        else xp_of(ad, bd)
    try:
        data = xp.maximum(ad, bd)
    except ValueError:
        raise broadcast_error("maximum", a, b) from None
    return record(data, (a, b), maximum.op, _picked_backward)


@op(method="minimum", ufunc=np.minimum, saves="both",
    formula=("1 where a is the min (½ on ties) else 0", "1 where b is the min (½ on ties) else 0"))
def minimum(a: TensorLike, b: TensorLike) -> Tensor:
    """Elementwise minimum; on ties the gradient is split evenly between ``a`` and ``b``."""
    if a.__class__ is not Tensor or b.__class__ is not Tensor or \
            a._data.dtype is not b._data.dtype:  # else the fast path: two Tensors, one dtype
        a, b = operands(a, b)
    ad, bd = a._data, b._data
    xp = NUMPY if ad.__class__ is np.ndarray and bd.__class__ is np.ndarray \
        else xp_of(ad, bd)
    try:
        data = xp.minimum(ad, bd)
    except ValueError:
        raise broadcast_error("minimum", a, b) from None
    return record(data, (a, b), minimum.op, _picked_backward)


def _picked_backward(g, out):
    # maximum's and minimum's: the gradient goes to the operand the output picked (the one
    # equal to it), split evenly where both are (PyTorch splits ties)
    a, b = out._p1, out._p2
    ad, bd, od = a._data, b._data, out._data
    if ad.__class__ is np.ndarray and bd.__class__ is np.ndarray and od.__class__ is np.ndarray:
        share = np.broadcast_to(ad == od, out.shape).astype(out.dtype)
        share[np.broadcast_to(ad == bd, out.shape)] = 0.5
    else:  # built functionally: no writes into another backend's arrays
        xp = xp_of(ad, bd, od)
        picked = xp.astype(xp.broadcast_to(ad == od, out.shape), xp.dtype(out.dtype))
        share = xp.where(ad == bd, 0.5, picked)
    return g * share, g * (1 - share)


@op(method=("clip", "clamp"), inplace=("clamp_", "clip_"), function=np.clip, saves="inputs",
    formula="1 if min ≤ x ≤ max else 0", alias="clamp",
    numpy_args={"a_min": "min", "a_max": "max"})
def clip(a: TensorLike, min: TensorLike | None = None, max: TensorLike | None = None) -> Tensor:
    """Limit values to ``[min, max]``; the gradient passes where ``min <= a <= max``."""
    if a.__class__ is not Tensor:
        a = as_tensor(a)
    if min is None and max is None:
        raise ValueError("clip: at least one of min and max must be given")
    bounds = [v for v in (min, max) if v is not None]
    numpy = a._data.__class__ is np.ndarray
    dtype = a._data.dtype if numpy else a.dtype
    if dtype.kind != "f" or any(type(v) not in _REAL for v in bounds):
        dtype = result_type(a, *bounds)  # as PyTorch: clip(int tensor, 0.5) is float
        a = promoted(a, dtype)
    if numpy:
        lo = None if min is None else promoted(min, dtype)._data
        hi = None if max is None else promoted(max, dtype)._data
        data = np.clip(a._data, lo, hi)
    else:  # the bounds on a's backend
        lo = None if min is None else on_backend_of(promoted(min, dtype), a)._data
        hi = None if max is None else on_backend_of(promoted(max, dtype), a)._data
        data = xp_of(a._data, lo, hi).clip(a._data, lo, hi)

    def backward(g, out):
        xd = a._data
        inside = None
        if lo is not None:
            inside = xd >= lo
        if hi is not None:
            inside = xd <= hi if inside is None else inside & (xd <= hi)
        return (g * inside,)

    return record(data, (a,), clip.op, backward)


@op(function=np.where, saves=None, formula=("1 where cond", "1 where not cond"),
    numpy_args={"x": "a", "y": "b"})
def where(cond: TensorLike, a: TensorLike, b: TensorLike) -> Tensor:
    """``a`` where ``cond`` is true, else ``b`` (broadcast together)."""
    if isinstance(cond, Tensor):
        c = cond._data
    elif is_array(cond):  # numpy's, or another backend's array, as it is
        c = cond
    else:
        c = np.asarray(cond)
    a, b = operands(a, b)  # promoted together, as PyTorch's where
    ad, bd = a._data, b._data
    if c.__class__ is np.ndarray and ad.__class__ is np.ndarray and bd.__class__ is np.ndarray:
        xp = NUMPY
        if c.dtype != bool:
            c = c.astype(bool)
    else:  # a numpy mask beside another backend's operands moves there (and back)
        c, a, b = aligned(_wrap(c), a, b)
        c, ad, bd = c._data, a._data, b._data
        xp = xp_of(c, ad, bd)
        if np_dtype(c.dtype) != np.bool_:
            c = xp.astype(c, xp.dtype(np.bool_))
    try:
        data = xp.where(c, ad, bd)
    except ValueError:
        raise ValueError(
            f"where: shapes {c.shape}, {a.shape} and {b.shape} cannot be broadcast together"
        ) from None
    return record(data, (a, b), where.op, lambda g, out: (
        where(c, g, 0.0) if a._requires_grad else None,
        where(c, 0.0, g) if b._requires_grad else None))


# ---------------------------------------------------------------------------- dtype


@op(method="astype", saves=None, formula="1")
def astype(a: TensorLike, dtype: DTypeLike) -> Tensor:
    """A copy converted to ``dtype``; the gradient is converted back."""
    if a.__class__ is not Tensor:
        a = as_tensor(a)
    dtype = np_dtype(dtype)  # also a backend's own dtype (the engine casts to ``p._data.dtype``)
    xd = a._data
    if xd.__class__ is not np.ndarray:  # the standard's astype copies, converted or not
        xp = backend_of(xd)
        try:
            data = xp.astype(xd, xp.dtype(dtype))
        except RuntimeWarning:  # inf or nan to an integer, or past float16's range
            data = quietly(xp.astype, xd, xp.dtype(dtype))
    elif dtype == xd.dtype:
        data = xd.copy()
    else:
        try:
            data = xd.astype(dtype)
        except RuntimeWarning:  # inf or nan to an integer, or past float16's range
            data = quietly(xd.astype, dtype)
    if dtype.kind not in "fc":
        return _wrap(data)
    return record(data, (a,), astype.op, _astype_backward)


COMPLEX_GRADIENT = (
    "a complex gradient reached a real tensor of dtype {dtype}: differentiating through complex "
    "values is not supported (autograd does not implement PyTorch's conjugate Wirtinger "
    "convention), and dropping the imaginary part would give a wrong gradient; keep the "
    "computation real")


def _astype_backward(g, out):
    a = out._p1
    if g.dtype.kind == "c" and a.dtype.kind != "c":
        raise RuntimeError(COMPLEX_GRADIENT.format(dtype=a.dtype))
    return (astype(g, a.dtype),)


@op(method="clone", function=np.copy, saves=None, formula="1")
def clone(a: TensorLike) -> Tensor:
    """A copy with its own memory, recorded (the gradient passes through unchanged).

    Examples
    --------
    >>> x = ag.tensor([1.0, 2.0], requires_grad=True)
    >>> y = x.clone(); y.grad_fn
    <CloneBackward>
    """
    a = as_tensor(a)
    xd = a._data
    data = xd.copy() if xd.__class__ is np.ndarray else backend_of(xd).asarray(xd, copy=True)
    return record(data, (a,), clone.op, _clone_backward)


def _clone_backward(g, out):
    return (g,)


# ---------------------------------------------------------------------------- writing
# The out-of-place forms of ``fill_``, ``zero_`` and ``copy_``: in place they are these ops
# with the result written back (see ``autograd.inplace``).


@op(inplace="fill_", saves=None, export=False, formula=("0", "1 (summed)"))
def fill(a: TensorLike, value: TensorLike) -> Tensor:
    """A tensor like ``a`` filled with ``value`` (a number or a 0-d Tensor)."""
    a = as_tensor(a)
    v = lift(value, a)
    if v._data.ndim:
        raise RuntimeError(f"fill_ only supports 0-dimension value tensor but got tensor with "
                           f"{v._data.ndim} dimensions")
    ad, vd = a._data, v._data
    if ad.__class__ is np.ndarray and vd.__class__ is np.ndarray:
        data = np.full(ad.shape, vd, dtype=ad.dtype)
    else:  # the value broadcast and converted (the standard's ``full`` takes only numbers)
        xp = xp_of(ad, vd)
        data = xp.astype(xp.broadcast_to(vd, tuple(ad.shape)), xp.dtype(a.dtype))
    return record(data, (a, v), fill.op, _fill_backward)


def _fill_backward(g, out):
    return None, g.sum()


@op(inplace="copy_", saves=None, export=False, formula=("0", "1"))
def assign(a: TensorLike, src: TensorLike) -> Tensor:
    """``src`` broadcast to ``a``'s shape and cast to its dtype (``copy_`` out of place)."""
    a = as_tensor(a)
    src = lift(src, a)
    ad, sd = a._data, src._data
    try:
        if ad.__class__ is np.ndarray and sd.__class__ is np.ndarray:
            data = np.broadcast_to(sd, ad.shape).astype(ad.dtype)
        else:  # the standard's astype copies: a fresh array
            xp = xp_of(ad, sd)
            data = xp.astype(xp.broadcast_to(sd, tuple(ad.shape)), xp.dtype(a.dtype))
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
    compare_arrays = getattr(operator, name)  # the operator: every backend's arrays have it

    def compare(a: TensorLike, b: TensorLike) -> Tensor:
        a, b = operands(a, b)
        ad, bd = a._data, b._data
        try:
            if ad.__class__ is np.ndarray and bd.__class__ is np.ndarray:
                return _wrap(np.asarray(ufunc(ad, bd)))
            return _wrap(compare_arrays(ad, bd))
        except ValueError:
            raise broadcast_error(name, a, b) from None

    compare.__name__ = compare.__qualname__ = name
    compare.__doc__ = f"Elementwise ``{ufunc.__name__}`` as a boolean Tensor (no gradient)."
    return op(compare, operator=f"__{name}__", method=name, ufunc=ufunc, saves=None,
              differentiable=False)


lt = _comparison(np.less, "lt")
"""``a < b`` elementwise, as a boolean Tensor (no gradient); also ``Tensor.lt``."""
le = _comparison(np.less_equal, "le")
"""``a <= b`` elementwise, as a boolean Tensor (no gradient); also ``Tensor.le``."""
gt = _comparison(np.greater, "gt")
"""``a > b`` elementwise, as a boolean Tensor (no gradient); also ``Tensor.gt``."""
ge = _comparison(np.greater_equal, "ge")
"""``a >= b`` elementwise, as a boolean Tensor (no gradient); also ``Tensor.ge``."""
eq = _comparison(np.equal, "eq")
"""``a == b`` elementwise, as a boolean Tensor (no gradient); also ``Tensor.eq``."""
ne = _comparison(np.not_equal, "ne")
"""``a != b`` elementwise, as a boolean Tensor (no gradient); also ``Tensor.ne``."""
