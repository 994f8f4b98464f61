"""PyTorch's type promotion: the dtype of a result computed from tensors and scalars.

Three groups of operands are promoted separately, then combined by category
(bool < integer < floating < complex), exactly as ``torch.result_type`` does:

- dimensioned tensors (and arrays): promoted as ``promote_types`` says;
- 0-d tensors: they count only if their category is higher than the dimensioned ones'
  (``float32[3] + float64[]`` stays float32, ``int32[3] + float64[]`` is float64);
- scalars (Python numbers and numpy scalars alike, "weak"): they count only if their
  category is higher, and then as the default dtype of it (a float scalar is the default
  float dtype, an int scalar int64): ``float32[3] * np.sqrt(2.0)`` stays float32,
  ``int32[3] * 2.5`` is float32.

Across categories ``promote_types`` keeps the higher one's dtype (``int64 + float32`` is
float32, ``float16 + int64`` float16), where numpy would widen.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ._tensor import Tensor, get_default_dtype
from .backend import np_dtype

__all__ = ["promote_types", "result_type", "is_weak_scalar"]

_NP = frozenset(type(np.dtype(c)) for c in "?bBhHiIlLqQefdgFDG")
_RANK = {"b": 0, "u": 1, "i": 1, "f": 2, "c": 3}
_BOOL, _INT64 = np.dtype(np.bool_), np.dtype(np.int64)
WEAK_SCALARS = (bool, int, float, complex, np.generic)  # np.generic: numpy's scalars


def is_weak_scalar(x) -> bool:
    """Python numbers and numpy scalars: weak operands in promotion (not 0-d arrays)."""
    return isinstance(x, WEAK_SCALARS)


def promote_types(a: Any, b: Any) -> np.dtype:
    """The dtype that holds both ``a`` and ``b`` (``torch.promote_types``).

    Within a category the wider one (``uint8`` with ``int8`` gives ``int16``); across
    categories the higher category's dtype (``int64`` with ``float32`` gives ``float32``).
    ``a`` and ``b`` are what ``np.dtype`` takes, or another backend's dtypes
    (``array_api_strict.float64``): the result is numpy's dtype of that name.

    Examples
    --------
    >>> ag.promote_types(np.int64, np.float32)
    dtype('float32')
    """
    a = a if a.__class__ in _NP else np_dtype(a)
    b = b if b.__class__ in _NP else np_dtype(b)
    if a == b:
        return a
    ra, rb = _RANK[a.kind], _RANK[b.kind]
    if ra != rb:
        high, low = (a, b) if ra > rb else (b, a)
        if high.kind == "c" and low.kind == "f":
            return np.promote_types(high, low)  # complex64 with float64: complex128
        return high
    return np.promote_types(a, b)


def _scalar_dtype(x) -> np.dtype:
    """A weak scalar's dtype in promotion: the default dtype of its category."""
    if isinstance(x, (bool, np.bool_)):
        return _BOOL
    if isinstance(x, (int, np.integer)):
        return _INT64
    if isinstance(x, (float, np.floating)):
        return get_default_dtype()
    if isinstance(x, (complex, np.complexfloating)):
        return np.dtype(np.complex64 if get_default_dtype().itemsize <= 4 else np.complex128)
    raise TypeError(f"not a number: {type(x).__name__}")


def _promote(current: np.dtype | None, dt: np.dtype) -> np.dtype:
    return dt if current is None else promote_types(current, dt)


def _combine(higher: np.dtype | None, lower: np.dtype | None) -> np.dtype | None:
    """c10's combine_categories: ``lower`` counts only if its category is higher."""
    if higher is None:
        return lower
    if lower is None:
        return higher
    if higher.kind == "c":
        return higher
    if lower.kind == "c":
        return promote_types(higher, np.complex64) if higher.kind == "f" else lower
    if higher.kind == "f":
        return higher
    if higher.kind == "b" or lower.kind == "f":
        return promote_types(higher, lower)
    return higher


def result_type(*operands: Any) -> np.dtype:
    """The dtype PyTorch gives an elementwise op on ``operands`` (``torch.result_type``).

    Operands are Tensors, numpy arrays, lists, or scalars (Python or numpy, weak).

    Examples
    --------
    >>> ag.result_type(ag.ones(3, dtype=np.int32), 2.5)
    dtype('float32')
    >>> ag.result_type(ag.ones(3), np.float64(2.0))
    dtype('float32')
    """
    dims = zeros = scalars = None
    for x in operands:
        if isinstance(x, Tensor):
            arr = x._data
        elif isinstance(x, WEAK_SCALARS):
            scalars = _promote(scalars, _scalar_dtype(x))
            continue
        else:
            arr = x if isinstance(x, np.ndarray) else Tensor(x)._data
        dt = arr.dtype if arr.dtype.__class__ in _NP else np_dtype(arr.dtype)
        if arr.ndim:
            dims = _promote(dims, dt)
        else:
            zeros = _promote(zeros, dt)
    result = _combine(dims, _combine(zeros, scalars))
    if result is None:
        raise TypeError("result_type: no operands")
    return result
