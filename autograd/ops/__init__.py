"""The differentiable ops, one file per family, and their binding to ``Tensor``.

Operators, methods and ``autograd.*`` functions all route to the one definition of each op.
"""

from __future__ import annotations

import numpy as np

from ..tensor import Tensor, _wrap
from . import elementwise, linalg, reduce, shape
from ._util import operands
from .elementwise import (
    abs,
    add,
    astype,
    clip,
    cos,
    div,
    exp,
    log,
    maximum,
    minimum,
    mul,
    neg,
    pow,
    relu,
    sigmoid,
    sin,
    sqrt,
    sub,
    tanh,
    where,
)
from .linalg import dot, matmul, outer
from .reduce import log_softmax, logsumexp, max, mean, min, softmax, std, sum, var
from .registry import COMPOSITE, OPS, op
from .shape import (
    broadcast_to,
    concatenate,
    expand_dims,
    flatten,
    getitem,
    index_add,
    reshape,
    split,
    squeeze,
    stack,
    sum_to_shape,
    swapaxes,
    transpose,
)

__all__ = [
    "OPS", "COMPOSITE", "op", "elementwise", "linalg", "reduce", "shape",
    "abs", "add", "astype", "clip", "cos", "div", "exp", "log", "maximum", "minimum", "mul", "neg",
    "pow", "relu", "sigmoid", "sin", "sqrt", "sub", "tanh", "where", "dot", "matmul", "outer",
    "logsumexp", "log_softmax", "max", "mean", "min", "softmax", "std", "sum", "var",
    "broadcast_to", "concatenate", "expand_dims", "flatten", "getitem", "index_add", "reshape",
    "split", "squeeze", "stack", "sum_to_shape", "swapaxes", "transpose",
]


# ---------------------------------------------------------------------------- comparisons


def _comparison(ufunc, name: str):
    def compare(a, b) -> Tensor:
        a, b = operands(a, b)
        try:
            return _wrap(np.asarray(ufunc(a._data, b._data)))
        except ValueError:
            raise ValueError(f"{name}: shapes {a.shape} and {b.shape} cannot be broadcast "
                             "together") from None

    compare.__name__ = name
    compare.__doc__ = f"Elementwise ``{name}`` as a boolean Tensor (no gradient)."
    return compare


lt = _comparison(np.less, "lt")
le = _comparison(np.less_equal, "le")
gt = _comparison(np.greater, "gt")
ge = _comparison(np.greater_equal, "ge")
eq = _comparison(np.equal, "eq")
ne = _comparison(np.not_equal, "ne")


# ---------------------------------------------------------------------------- Tensor methods


def _reflected(fn):
    def method(self, other):
        return fn(other, self)

    method.__name__ = f"r{fn.__name__}"
    return method


def _reshape_method(self, *shape):
    """Same data, new shape: ``t.reshape(2, 3)`` or ``t.reshape((2, 3))``."""
    return reshape(self, *shape)


def _transpose_method(self, *axes):
    """Permute the axes: ``t.transpose()`` reverses them, ``t.transpose(1, 0, 2)`` permutes."""
    if len(axes) == 1 and not isinstance(axes[0], (int, np.integer)):
        axes = axes[0]
    return transpose(self, axes or None)


_METHODS = {
    "__add__": add, "__radd__": _reflected(add),
    "__sub__": sub, "__rsub__": _reflected(sub),
    "__mul__": mul, "__rmul__": _reflected(mul),
    "__truediv__": div, "__rtruediv__": _reflected(div),
    "__pow__": pow, "__rpow__": _reflected(pow),
    "__matmul__": matmul, "__rmatmul__": _reflected(matmul),
    "__neg__": neg, "__abs__": abs, "__pos__": lambda self: self,
    "__getitem__": getitem, "__setitem__": shape._setitem_method,
    "__lt__": lt, "__le__": le, "__gt__": gt, "__ge__": ge, "__eq__": eq, "__ne__": ne,
    "exp": exp, "log": log, "sqrt": sqrt, "abs": abs, "sin": sin, "cos": cos, "tanh": tanh,
    "sigmoid": sigmoid, "relu": relu, "clip": clip, "pow": pow, "maximum": maximum,
    "minimum": minimum, "astype": astype,
    "sum": sum, "mean": mean, "max": max, "min": min, "var": var, "std": std,
    "logsumexp": logsumexp, "softmax": softmax, "log_softmax": log_softmax,
    "reshape": _reshape_method, "view": _reshape_method, "transpose": _transpose_method,
    "swapaxes": swapaxes, "expand_dims": expand_dims, "squeeze": squeeze, "flatten": flatten,
    "broadcast_to": broadcast_to, "split": split, "matmul": matmul, "dot": dot,
}
for _name, _fn in _METHODS.items():
    setattr(Tensor, _name, _fn)
Tensor.T = property(lambda self: transpose(self), doc="The tensor with its axes reversed.")


# ---------------------------------------------------------------------------- numpy interop

UFUNCS = {
    np.add: add, np.subtract: sub, np.multiply: mul, np.true_divide: div, np.negative: neg,
    np.power: pow, np.exp: exp, np.log: log, np.sqrt: sqrt, np.absolute: abs, np.sin: sin,
    np.cos: cos, np.tanh: tanh, np.maximum: maximum, np.minimum: minimum, np.matmul: matmul,
    np.positive: lambda a: a,
    np.less: lt, np.less_equal: le, np.greater: gt, np.greater_equal: ge, np.equal: eq,
    np.not_equal: ne,
}

FUNCTIONS = {
    np.sum: sum, np.mean: mean, np.max: max, np.amax: max, np.min: min, np.amin: min,
    np.var: var, np.std: std, np.reshape: reshape, np.transpose: transpose,
    np.swapaxes: swapaxes, np.expand_dims: expand_dims, np.squeeze: squeeze,
    np.broadcast_to: broadcast_to, np.concatenate: concatenate, np.stack: stack,
    np.split: split, np.where: where, np.clip: clip, np.dot: dot, np.outer: outer,
    np.matmul: matmul,
}


def _strip(x):
    """Tensors (also inside lists and tuples) replaced by their arrays."""
    if isinstance(x, Tensor):
        return x._data
    if isinstance(x, (list, tuple)):
        return type(x)(_strip(i) for i in x)
    return x


def _needs_grad(args) -> bool:
    return any(isinstance(a, Tensor) and a._requires_grad or
               isinstance(a, (list, tuple)) and _needs_grad(a) for a in args)


def _array_ufunc(self, ufunc, method, *inputs, **kwargs):
    fn = UFUNCS.get(ufunc)
    if method == "__call__" and fn is not None and not kwargs:
        return fn(*inputs)
    if _needs_grad(inputs):
        raise TypeError(
            f"numpy's {ufunc.__name__}.{method} has no gradient here; use the autograd op "
            "(x.sum(), ag.maximum, ...) or apply it to t.data")
    result = getattr(ufunc, method)(*_strip(inputs), **_strip(kwargs))
    return _wrap(np.asarray(result)) if isinstance(result, (np.ndarray, np.generic)) else result


def _array_function(self, func, types, args, kwargs):
    fn = FUNCTIONS.get(func)
    if fn is not None and kwargs.get("out") is None and kwargs.get("dtype") is None:
        return fn(*args, **{k: v for k, v in kwargs.items() if k not in ("out", "dtype")})
    if _needs_grad(args) or _needs_grad(tuple(kwargs.values())):
        raise TypeError(f"numpy's {func.__name__} has no gradient here; apply it to t.data, "
                        "or use the autograd op of the same name")
    result = func(*_strip(args), **_strip(kwargs))
    return _wrap(result) if isinstance(result, np.ndarray) else result


Tensor.__array_ufunc__ = _array_ufunc
Tensor.__array_function__ = _array_function
