"""Tensor factories (the random ones live in ``autograd.random``)."""

from __future__ import annotations

import numpy as np

from ._tensor import Tensor, get_default_dtype
from ._trace import trace
from .backend import backend_of, is_array
from .random import default_generator, manual_seed, rand, randn  # noqa: F401 (their old home)
from .typing import DTypeLike, ShapeLike, TensorLike

rng = default_generator  # the name nn used before


def _shape(shape) -> tuple:
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        return tuple(shape[0])
    return tuple(shape)


def _made(t: Tensor) -> Tensor:
    """A new tensor whose values follow from the call's plain arguments alone (a shape, a
    fill value): ``ag.compile`` may keep it as a constant of the trace."""
    if trace.on:
        trace.constant(t)
    return t


def _float(dtype):
    return np.dtype(dtype) if dtype is not None else get_default_dtype()


def zeros(*shape: ShapeLike, requires_grad: bool = False, dtype: DTypeLike | None = None) -> Tensor:
    """A tensor of zeros: ``ag.zeros(2, 3)`` or ``ag.zeros((2, 3))``."""
    return _made(Tensor(np.zeros(_shape(shape), _float(dtype)), requires_grad=requires_grad))


def ones(*shape: ShapeLike, requires_grad: bool = False, dtype: DTypeLike | None = None) -> Tensor:
    """A tensor of ones: ``ag.ones(2, 3)`` or ``ag.ones((2, 3))``."""
    return _made(Tensor(np.ones(_shape(shape), _float(dtype)), requires_grad=requires_grad))


def full(shape: ShapeLike, fill_value: float, requires_grad: bool = False,
         dtype: DTypeLike | None = None) -> Tensor:
    """A tensor of ``shape`` filled with ``fill_value`` (dtype follows the value, as in PyTorch)."""
    if dtype is None:
        dtype = np.asarray(Tensor(fill_value).data).dtype
    shape = (shape,) if isinstance(shape, int) else tuple(shape)
    return _made(Tensor(np.full(shape, fill_value, dtype), requires_grad=requires_grad))


def _like(fill: str, t: TensorLike, requires_grad: bool, dtype: DTypeLike | None) -> Tensor:
    data = t.data if isinstance(t, Tensor) else t
    if is_array(data) and type(data) is not np.ndarray:  # on t's own backend, lazily for dask
        b = backend_of(data)
        target = data.dtype if dtype is None else b.dtype(dtype)
        made = getattr(b, fill)(data, dtype=target)
        return _made(Tensor(made, requires_grad=requires_grad))
    arr = np.asarray(data)
    made = np.zeros(arr.shape, dtype or arr.dtype) if fill == "zeros_like" else \
        np.ones(arr.shape, dtype or arr.dtype)
    return _made(Tensor(made, requires_grad=requires_grad))


def zeros_like(t: TensorLike, requires_grad: bool = False,
               dtype: DTypeLike | None = None) -> Tensor:
    """Zeros with the shape (and dtype, unless given) of ``t``, on ``t``'s backend."""
    return _like("zeros_like", t, requires_grad, dtype)


def ones_like(t: TensorLike, requires_grad: bool = False, dtype: DTypeLike | None = None) -> Tensor:
    """Ones with the shape (and dtype, unless given) of ``t``, on ``t``'s backend."""
    return _like("ones_like", t, requires_grad, dtype)


def arange(start: float, stop: float | None = None, step: float = 1, requires_grad: bool = False,
           dtype: DTypeLike | None = None) -> Tensor:
    """Evenly spaced values in ``[start, stop)``; integer arguments give an integer tensor."""
    if stop is None:
        start, stop = 0, start
    if dtype is None:
        ints = all(isinstance(v, (int, np.integer)) for v in (start, stop, step))
        dtype = np.int64 if ints else get_default_dtype()
    return _made(Tensor(np.arange(start, stop, step, dtype=dtype), requires_grad=requires_grad))


def eye(n: int, m: int | None = None, requires_grad: bool = False,
        dtype: DTypeLike | None = None) -> Tensor:
    """The identity matrix (``n`` x ``m``)."""
    return _made(Tensor(np.eye(n, m, dtype=_float(dtype)), requires_grad=requires_grad))
