"""Selecting by a mask or by rank: ``masked_fill`` and ``topk`` (PyTorch's names and results).

``take_along`` picks one element per row along an axis (``take_along_axis``), so the gradient
flows to exactly the picked elements (as PyTorch's ``max(dim)`` and ``topk`` send it).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import return_types
from .._tensor import Tensor, _wrap, record
from ..backend import NUMPY, is_array, np_dtype
from ..registry import op
from ..typing import TensorLike
from ._util import as_tensor, lift, normalize_axis, xp_of
from .arrange import take_along_axis

_I64 = np.dtype(np.int64)


def take_along(x: Tensor, indices, axis: int) -> Tensor:
    """``x`` at ``indices`` (an array of ``x``'s backend or numpy) along ``axis`` (numpy's
    ``take_along_axis``), differentiable."""
    return take_along_axis(x, indices, axis)


@op(method="masked_fill", inplace="masked_fill_", saves=None,
    formula=("1 where the mask is False, else 0", "Σ g where the mask is True"))
def masked_fill(x: TensorLike, mask: TensorLike, value: TensorLike) -> Tensor:
    """``x`` with ``value`` written where the boolean ``mask`` (broadcast to x's shape) is True.

    Examples
    --------
    >>> s = ag.zeros(2, 2)
    >>> s.masked_fill(np.triu(np.ones((2, 2), dtype=bool), 1), float("-inf"))
    Tensor([[  0., -inf],
            [  0.,   0.]])
    """
    x = as_tensor(x)
    m = mask._data if isinstance(mask, Tensor) else mask if is_array(mask) else np.asarray(mask)
    if np_dtype(m.dtype) != np.bool_:
        raise TypeError(f"masked_fill only supports boolean masks, but got mask with dtype "
                        f"{m.dtype}")
    try:
        shape = np.broadcast_shapes(m.shape, x.shape)
    except ValueError:
        shape = None
    if shape != x.shape:
        raise ValueError(f"masked_fill: the mask of shape {m.shape} must be broadcastable to "
                         f"the tensor's shape {x.shape}")
    v = lift(value, x)
    if v.ndim != 0:
        raise ValueError(f"masked_fill: value must be a number or a 0-d tensor, got shape "
                         f"{v.shape}")
    xd = x._data
    if type(xd) is np.ndarray and type(m) is np.ndarray:
        data = np.where(m, v._data.astype(x.dtype, copy=False), xd)
    else:
        xp = xp_of(xd) if type(m) is np.ndarray else xp_of(xd, m)
        if type(m) is np.ndarray and xp is not NUMPY:
            m = xp.asarray(m)  # a numpy mask beside another backend's tensor moves there
        data = xp.where(m, xp.astype(v._data, xd.dtype, copy=False), xd)
    return record(data, (x, v), masked_fill.op, lambda g, out: (
        masked_fill(g, m, 0.0) if x._requires_grad else None,
        masked_fill(g, ~m, 0.0).sum() if v._requires_grad else None))


@op(composite=True, method="topk")
def topk(x: TensorLike, k: int, dim: int = -1, largest: bool = True,
         sorted: bool = True) -> Any:
    """The ``k`` largest (or smallest) elements along ``dim``: a named tuple ``(values,
    indices)``, as ``torch.topk``; the gradient flows to the selected elements.

    Examples
    --------
    >>> ag.topk(ag.tensor([1.0, 5.0, 3.0]), 2)
    topk(values=Tensor([5., 3.]), indices=Tensor([1, 2], dtype=int64))
    """
    x = as_tensor(x)
    ax = normalize_axis(dim, x.ndim, "topk")
    ax = ax[0] if ax else 0
    n = x.shape[ax] if x.ndim else 1
    if not isinstance(k, (int, np.integer)) or not (0 <= k <= n if x.ndim else k == 1):
        raise RuntimeError(f"topk: selected index k={k} is out of range for dimension {dim} "
                           f"of size {n}")
    xd = x._data
    xp = xp_of(xd)
    if x.ndim == 0:  # one element: itself, at index 0
        return return_types.topk(x, _wrap(xp.zeros((), dtype=xp.dtype(_I64))))
    kind = x.dtype.kind
    key = -xd if largest and kind in "fi" else xd
    if type(xd) is np.ndarray:
        order = np.argsort(key, axis=ax, kind="stable")
    else:
        order = xp.argsort(key, axis=ax, stable=True)
    if largest and kind not in "fi":
        order = xp.flip(order, axis=ax)
    idx = xp.astype(order[(slice(None),) * ax + (slice(0, k), ...)], xp.dtype(_I64), copy=False)
    return return_types.topk(take_along(x, idx, ax), _wrap(idx))
