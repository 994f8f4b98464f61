"""The differentiable ops, one file per family, each declared once with ``@op``.

Importing the families declares their ops; each declaration binds its op as Tensor methods
and operators, numpy ufunc/function dispatch and an ``autograd.*`` export (``autograd.bind``).
This module adds numpy's protocols to ``Tensor``, which route through those generated tables.
"""

from __future__ import annotations

import numpy as np

from .._tensor import Tensor, _wrap
from ..bind import EXPORTS, FUNCTIONS, UFUNCS
from ..registry import OPS, OpDef, op
from . import (
    arrange,
    binary,
    contract,
    elementwise,
    join,
    linalg,
    math,
    reduce,
    scan,
    selection,
    shape,
)
from .shape import index_add, index_put, sum_to_shape

__all__ = ["OPS", "OpDef", "op", "EXPORTS", "index_add", "index_put", "sum_to_shape",
           "elementwise", "linalg", "reduce", "shape", "math", "binary", "arrange", "join",
           "scan", "contract", "selection", *EXPORTS]
globals().update(EXPORTS)


def _pos(self) -> Tensor:
    return self


Tensor.__pos__ = _pos
Tensor.T = property(lambda self: self.transpose(), doc="The tensor with its axes reversed.")


# ---------------------------------------------------------------------------- numpy interop


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
