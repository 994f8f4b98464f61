"""Joining and splitting beyond ``concatenate``/``stack``/``split``: numpy's ``vstack``,
``hstack``, ``dstack``, ``column_stack``, ``append``, ``array_split`` and ``vsplit``/
``hsplit``/``dsplit``, and the ``atleast_*d`` promotions they rest on.

All are compositions of ``reshape``, ``concatenate`` and slicing: the gradient of a joined
tensor is cut back into its pieces, the gradients of split pieces are joined.
"""

from __future__ import annotations

import operator
from typing import Any, Sequence

import numpy as np

from .._tensor import Tensor
from ..registry import op
from ..typing import DTypeLike, TensorLike
from ._util import as_tensor, lift, normalize_axis
from .arrange import ravel
from .shape import concatenate, reshape, split


def _promoted(arys, fn):
    res = tuple(fn(as_tensor(a)) for a in arys)
    return res[0] if len(res) == 1 else res


@op(composite=True, function=np.atleast_1d)
def atleast_1d(*arys: TensorLike) -> Tensor | tuple[Tensor, ...]:
    """Each input with at least 1 dimension (a 0-d tensor becomes shape ``(1,)``); one input
    gives one tensor, several a tuple."""
    return _promoted(arys, lambda a: reshape(a, (1,)) if a.ndim == 0 else a)


@op(composite=True, function=np.atleast_2d)
def atleast_2d(*arys: TensorLike) -> Tensor | tuple[Tensor, ...]:
    """Each input with at least 2 dimensions: ``()`` -> ``(1, 1)``, ``(n,)`` -> ``(1, n)``."""
    return _promoted(arys, lambda a: reshape(a, (1,) * (2 - a.ndim) + a.shape)
                     if a.ndim < 2 else a)


def _as_3d(a: Tensor) -> Tensor:
    if a.ndim == 0:
        return reshape(a, (1, 1, 1))
    if a.ndim == 1:
        return reshape(a, (1, a.shape[0], 1))
    if a.ndim == 2:
        return reshape(a, a.shape + (1,))
    return a


@op(composite=True, function=np.atleast_3d)
def atleast_3d(*arys: TensorLike) -> Tensor | tuple[Tensor, ...]:
    """Each input with at least 3 dimensions: ``(n,)`` -> ``(1, n, 1)``, ``(m, n)`` ->
    ``(m, n, 1)`` (numpy's placement)."""
    return _promoted(arys, _as_3d)


def _pieces(name: str, tup, dtype) -> list:
    tensors = [as_tensor(t) for t in tup]
    if not tensors:
        raise ValueError(f"{name}: need at least one tensor")
    if dtype is not None:
        tensors = [t.astype(dtype) for t in tensors]
    return tensors


@op(composite=True, alias="row_stack",
    function=tuple(f for f in (np.vstack, getattr(np, "row_stack", None)) if f))
def vstack(tup: Sequence[TensorLike], *, dtype: DTypeLike | None = None,
           casting: str = "same_kind") -> Tensor:
    """Stack row-wise: 1-D inputs become rows, then join along axis 0.

    Examples
    --------
    >>> ag.vstack([ag.tensor([1.0, 2.0]), ag.tensor([3.0, 4.0])]).shape
    (2, 2)
    """
    return concatenate([atleast_2d(t) for t in _pieces("vstack", tup, dtype)], axis=0)


@op(composite=True, function=np.hstack)
def hstack(tup: Sequence[TensorLike], *, dtype: DTypeLike | None = None,
           casting: str = "same_kind") -> Tensor:
    """Stack column-wise: join 1-D inputs end to end, others along axis 1."""
    ts = [atleast_1d(t) for t in _pieces("hstack", tup, dtype)]
    return concatenate(ts, axis=0 if ts[0].ndim == 1 else 1)  # type: ignore[union-attr]


@op(composite=True, function=np.dstack)
def dstack(tup: Sequence[TensorLike]) -> Tensor:
    """Stack depth-wise: inputs made 3-D (``atleast_3d``), then joined along axis 2."""
    return concatenate([atleast_3d(t) for t in _pieces("dstack", tup, None)], axis=2)


@op(composite=True, function=np.column_stack)
def column_stack(tup: Sequence[TensorLike]) -> Tensor:
    """Stack 1-D inputs as the columns of a 2-D tensor (2-D inputs join along axis 1)."""
    ts = [reshape(t, (-1, 1)) if t.ndim < 2 else t for t in _pieces("column_stack", tup, None)]
    return concatenate(ts, axis=1)


@op(composite=True, function=np.append)
def append(arr: TensorLike, values: TensorLike, axis: int | None = None) -> Tensor:
    """``values`` joined after ``arr`` along ``axis`` (both flattened if None)."""
    arr = as_tensor(arr)
    values = lift(values, arr)
    if axis is None:
        arr, values, axis = ravel(arr), ravel(values), 0
    return concatenate([arr, values], axis=axis)


# ---------------------------------------------------------------------------- splitting


@op(composite=True, function=np.array_split)
def array_split(ary: TensorLike, indices_or_sections: int | Sequence[int],
                axis: int = 0) -> Sequence[Tensor]:
    """Split into ``indices_or_sections`` parts that may differ in size by one (the first
    ones larger), or at the given indices."""
    x = as_tensor(ary)
    ax = normalize_axis(axis, x.ndim, "array_split")[0]
    if isinstance(indices_or_sections, (int, np.integer)):
        k = operator.index(indices_or_sections)
        if k <= 0:
            raise ValueError(f"array_split: the number of sections must be positive, got {k}")
        each, extra = divmod(x.shape[ax], k)
        sizes = [each + 1] * extra + [each] * (k - extra)
        points = np.cumsum(sizes)[:-1].tolist()
    else:
        points = [operator.index(p) for p in indices_or_sections]
    return split(x, points, axis=ax)


def _split_along(name: str, ary, indices_or_sections, axis: int, min_ndim: int) -> Any:
    x = as_tensor(ary)
    if x.ndim < min_ndim:
        raise ValueError(f"{name}: works on tensors of {min_ndim} or more dimensions, "
                         f"got shape {x.shape}")
    return split(x, indices_or_sections, axis=axis)


@op(composite=True, method="vsplit", function=np.vsplit)
def vsplit(ary: TensorLike, indices_or_sections: int | Sequence[int]) -> list:
    """``split`` along axis 0 (rows) of a tensor of at least 2 dimensions."""
    return _split_along("vsplit", ary, indices_or_sections, 0, 2)


@op(composite=True, method="hsplit", function=np.hsplit)
def hsplit(ary: TensorLike, indices_or_sections: int | Sequence[int]) -> list:
    """``split`` along axis 1 (columns), or axis 0 of a 1-D tensor."""
    x = as_tensor(ary)
    return _split_along("hsplit", x, indices_or_sections, 1 if x.ndim > 1 else 0, 1)


@op(composite=True, method="dsplit", function=np.dsplit)
def dsplit(ary: TensorLike, indices_or_sections: int | Sequence[int]) -> list:
    """``split`` along axis 2 (depth) of a tensor of at least 3 dimensions."""
    return _split_along("dsplit", ary, indices_or_sections, 2, 3)
