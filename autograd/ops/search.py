"""Ops without a derivative that PyTorch users call as methods: ``argmax`` and ``argmin``.

Their results are integer Tensors that never require grad (numpy's own ``np.argmax(t)`` passes
through to numpy and returns numpy's result on the data).
"""

from __future__ import annotations

import numpy as np

from .._tensor import Tensor, _wrap
from ..registry import op
from ..typing import Axis, TensorLike
from ._util import as_tensor, normalize_axis, xp_of

_I64 = np.dtype(np.int64)


def _arg(name: str, x, axis, keepdims, dim, keepdim) -> Tensor:
    x = as_tensor(x)
    axis = dim if axis is None else axis
    keepdims = keepdims or bool(keepdim)
    if axis is not None:
        axis = normalize_axis(axis, x.ndim, name)[0] if x.ndim else None
    if x.size == 0:
        raise ValueError(f"{name}: cannot take the {name} of an empty tensor of shape {x.shape}")
    xd = x._data
    if type(xd) is np.ndarray:
        data = (np.argmax if name == "argmax" else np.argmin)(xd, axis=axis, keepdims=keepdims)
        return _wrap(np.asarray(data, dtype=_I64))
    xp = xp_of(xd)
    data = (xp.argmax if name == "argmax" else xp.argmin)(xd, axis=axis, keepdims=keepdims)
    return _wrap(xp.astype(data, xp.dtype(_I64), copy=False))


@op(method="argmax", saves=None, differentiable=False)
def argmax(x: TensorLike, axis: Axis = None, keepdims: bool = False, *, dim: int | None = None,
           keepdim: bool | None = None) -> Tensor:
    """The index of the largest value along ``axis`` (of the flattened tensor by default), an
    int64 Tensor; PyTorch's ``dim=``/``keepdim=`` are accepted too.

    Examples
    --------
    >>> ag.tensor([[1.0, 5.0], [7.0, 2.0]]).argmax(axis=1)
    Tensor([1, 0], dtype=int64)
    """
    return _arg("argmax", x, axis, keepdims, dim, keepdim)


@op(method="argmin", saves=None, differentiable=False)
def argmin(x: TensorLike, axis: Axis = None, keepdims: bool = False, *, dim: int | None = None,
           keepdim: bool | None = None) -> Tensor:
    """The index of the smallest value along ``axis`` (of the flattened tensor by default), an
    int64 Tensor; PyTorch's ``dim=``/``keepdim=`` are accepted too."""
    return _arg("argmin", x, axis, keepdims, dim, keepdim)
