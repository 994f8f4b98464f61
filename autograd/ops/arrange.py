"""Rearranging values: flips and rotations, rolls, moving axes, repeating and tiling, padding,
triangles (``tril``/``triu``), gathering along an axis, ``select`` and ``linspace``.

``flip``, ``roll``, ``pad``, ``tril`` and ``triu`` are primitives whose backward is the same
kind of op on the gradient; ``take_along_axis`` is a primitive whose backward scatters the
gradient back (and that scatter's backward gathers again); the rest are composed of
``transpose``, ``reshape``, ``take_along_axis`` and ``where``, and get their derivatives from
those. Off numpy every array goes through the Array API standard (``take_along_axis``,
``take``, ``flip``, ``roll``, ``tril``, ``concat``): no fancy indexing that mixes slices and
arrays, which the standard leaves out.
"""

from __future__ import annotations

import operator
from typing import Any, Sequence

import numpy as np

from .._tensor import Tensor, _wrap, record
from ..backend import is_array, np_dtype, to_numpy
from ..dtypes import result_type
from ..registry import op
from ..typing import Axis, DTypeLike, ShapeLike, TensorLike
from ._util import as_tensor, lift, normalize_axis, on_backend_of, operands, xp_of
from .elementwise import where
from .shape import broadcast_to, reshape, transpose

_I64 = np.dtype(np.int64)


def axis_list(axis, ndim: int, name: str) -> list[int]:
    """``axis`` (an int or a sequence) as non-negative ints, in the order given."""
    axes = [axis] if isinstance(axis, (int, np.integer)) else list(axis)
    out = [normalize_axis(a, ndim, name)[0] for a in axes]
    if len(set(out)) != len(out):
        raise ValueError(f"{name}: repeated axis in {axis!r}")
    return out


def permuted(x: Tensor, perm) -> Tensor:
    """``transpose(x, perm)``, or ``x`` itself when ``perm`` keeps every axis in place."""
    perm = tuple(perm)
    return x if perm == tuple(range(x.ndim)) else transpose(x, perm)


# ---------------------------------------------------------------------------- flips


@op(method="flip", function=np.flip, saves=None, formula="1 (flipped back)")
def flip(m: TensorLike, axis: Axis = None) -> Tensor:
    """Reverse the order of elements along ``axis`` (an int, a tuple, or all axes).

    Examples
    --------
    >>> ag.flip(ag.tensor([[1.0, 2.0], [3.0, 4.0]]), 1)
    Tensor([[2., 1.],
            [4., 3.]])
    """
    m = as_tensor(m)
    axes = normalize_axis(axis, m.ndim, "flip")
    md = m._data
    data = np.flip(md, axes) if type(md) is np.ndarray else xp_of(md).flip(md, axis=axes)
    return record(data, (m,), flip.op, lambda g, out: (flip(g, axes),))


@op(composite=True, method="fliplr", function=np.fliplr)
def fliplr(m: TensorLike) -> Tensor:
    """Reverse the columns (axis 1) of a tensor of at least 2 dimensions."""
    m = as_tensor(m)
    if m.ndim < 2:
        raise ValueError(f"fliplr: the input must be at least 2-D, got shape {m.shape}")
    return flip(m, 1)


@op(composite=True, method="flipud", function=np.flipud)
def flipud(m: TensorLike) -> Tensor:
    """Reverse the rows (axis 0) of a tensor of at least 1 dimension."""
    m = as_tensor(m)
    if m.ndim < 1:
        raise ValueError("flipud: the input must be at least 1-D, got a 0-d tensor")
    return flip(m, 0)


@op(composite=True, method="rot90", function=np.rot90)
def rot90(m: TensorLike, k: int = 1, axes: Any = (0, 1)) -> Tensor:
    """Rotate by 90 degrees ``k`` times in the plane of ``axes``, from the first axis towards
    the second (numpy's and PyTorch's direction)."""
    m = as_tensor(m)
    axes = tuple(axes)
    if len(axes) != 2:
        raise ValueError(f"rot90: axes must name 2 axes, got {axes!r}")
    a0, a1 = axis_list(axes, m.ndim, "rot90")
    k = operator.index(k) % 4
    if k == 0:
        return m
    if k == 2:
        return flip(m, (a0, a1))
    perm = list(range(m.ndim))
    perm[a0], perm[a1] = a1, a0
    return transpose(flip(m, a1), perm) if k == 1 else flip(transpose(m, perm), a1)


# ---------------------------------------------------------------------------- moving values


@op(method="roll", function=np.roll, saves=None, formula="1 (rolled back)")
def roll(a: TensorLike, shift: Any, axis: Axis = None) -> Tensor:
    """Shift elements cyclically by ``shift`` along ``axis`` (the flattened tensor if None)."""
    a = as_tensor(a)
    ad = a._data
    if type(ad) is np.ndarray:
        data = np.roll(ad, shift, axis)
    else:  # the standard takes ints and tuples of ints only
        data = xp_of(ad).roll(ad, shift=tuple(int(s) for s in shift) if isinstance(
            shift, (tuple, list)) else int(shift), axis=tuple(axis) if isinstance(
            axis, list) else axis)
    back = tuple(-int(s) for s in shift) if isinstance(shift, (tuple, list)) else -int(shift)
    return record(data, (a,), roll.op, lambda g, out: (roll(g, back, axis),))


@op(composite=True, method="moveaxis", function=np.moveaxis)
def moveaxis(a: TensorLike, source: ShapeLike, destination: ShapeLike) -> Tensor:
    """Move axes ``source`` to positions ``destination``; the others keep their order."""
    a = as_tensor(a)
    src = axis_list(source, a.ndim, "moveaxis")
    dst = axis_list(destination, a.ndim, "moveaxis")
    if len(src) != len(dst):
        raise ValueError(f"moveaxis: source {source!r} and destination {destination!r} must "
                         "name the same number of axes")
    order = [i for i in range(a.ndim) if i not in src]
    for d, s in sorted(zip(dst, src)):
        order.insert(d, s)
    return permuted(a, order)


@op(composite=True, function=np.rollaxis)
def rollaxis(a: TensorLike, axis: int, start: int = 0) -> Tensor:
    """Move ``axis`` so that it comes before the axis now at ``start`` (numpy's older form of
    ``moveaxis``)."""
    a = as_tensor(a)
    n = a.ndim
    ax = normalize_axis(axis, n, "rollaxis")[0]
    start = operator.index(start)
    if start < 0:
        start += n
    if not 0 <= start <= n:
        raise ValueError(f"rollaxis: start {start} is out of range for {n} dimension(s)")
    if ax < start:
        start -= 1
    order = [i for i in range(n) if i != ax]
    order.insert(start, ax)
    return permuted(a, order)


@op(composite=True, method=("repeat", "repeat_interleave"), function=np.repeat)
def repeat(a: TensorLike, repeats: Any, axis: int | None = None) -> Tensor:
    """Repeat each element ``repeats`` times (an int, or one count per element) along ``axis``
    (of the flattened tensor if None); gradients of the copies add up.

    Examples
    --------
    >>> ag.repeat(ag.tensor([1.0, 2.0]), 2)
    Tensor([1., 1., 2., 2.])
    """
    a = as_tensor(a)
    if axis is None:
        a, ax = reshape(a, (-1,)), 0
    else:
        ax = normalize_axis(axis, a.ndim, "repeat")[0]
    repeats = repeats._data if isinstance(repeats, Tensor) else repeats
    if is_array(repeats) and type(repeats) is not np.ndarray:
        repeats = to_numpy(repeats)  # counts per element decide the shape: read as values
    try:
        source = np.repeat(np.arange(a.shape[ax]), repeats)
    except ValueError as e:
        raise ValueError(f"repeat: {e} (repeats {repeats!r}, axis {ax} of size "
                         f"{a.shape[ax]})") from None
    return take_along_axis(a, source.reshape((1,) * ax + (-1,) + (1,) * (a.ndim - ax - 1)), ax)


@op(composite=True, method="tile", function=np.tile)
def tile(A: TensorLike, reps: ShapeLike) -> Tensor:
    """The tensor repeated ``reps`` times along each axis (numpy's and PyTorch's ``tile``)."""
    A = as_tensor(A)
    reps = (operator.index(reps),) if isinstance(reps, (int, np.integer)) else tuple(reps)
    d = max(A.ndim, len(reps))
    shape = (1,) * (d - A.ndim) + A.shape
    reps = (1,) * (d - len(reps)) + reps
    # (1, s0, 1, s1, ...) broadcast to (r0, s0, r1, s1, ...): each copy a block of the result
    x = reshape(A, tuple(d for s in shape for d in (1, s)))
    x = broadcast_to(x, tuple(d for r, s in zip(reps, shape) for d in (r, s)))
    return reshape(x, tuple(r * s for r, s in zip(reps, shape)))


@op(composite=True, method="ravel", function=np.ravel)
def ravel(a: TensorLike, order: str = "C") -> Tensor:
    """The elements as a 1-D tensor, in C order (or Fortran order with ``order="F"``)."""
    a = as_tensor(a)
    if order in ("F",):
        a = transpose(a)
    elif order not in ("C", "A", "K"):
        raise ValueError(f"ravel: order must be one of 'C', 'F', 'A', 'K', got {order!r}")
    return reshape(a, (-1,))


# ---------------------------------------------------------------------------- padding

_PAD_MODES = ("constant", "edge", "reflect", "symmetric", "wrap")


@op(function=np.pad, saves=None, formula="1 at the copied positions (copies summed)")
def pad(array: TensorLike, pad_width: Any, mode: str = "constant", **kwargs: Any) -> Tensor:
    """numpy's ``pad`` in the modes that copy values: ``constant`` (``constant_values``),
    ``edge``, ``reflect``, ``symmetric`` and ``wrap``. Each output value's gradient goes to
    the element it was copied from.

    Examples
    --------
    >>> ag.pad(ag.tensor([1.0, 2.0]), (1, 2))
    Tensor([0., 1., 2., 0., 0.])
    """
    x = as_tensor(array)
    if mode not in _PAD_MODES or kwargs.get("reflect_type", "even") != "even":
        raise ValueError(f"pad: mode {mode!r} with {kwargs or 'no options'} has no gradient "
                         f"here; the modes that copy values are {', '.join(_PAD_MODES)}")
    fill = kwargs.get("constant_values")
    if isinstance(fill, Tensor):
        if fill._requires_grad:
            raise TypeError("pad: constant_values that require grad are not supported; pad "
                            "with 0 and add the constant times a mask")
        kwargs["constant_values"] = fill._data
    xd = x._data
    numpy = type(xd) is np.ndarray
    if mode == "constant":  # the input is a box inside the output
        data = np.pad(xd, pad_width, mode, **kwargs) if numpy else \
            _pad_constant(xd, pad_width, kwargs.get("constant_values", 0))
        before = np.broadcast_to(np.asarray(pad_width, dtype=np.int64), (x.ndim, 2))[:, 0]
        box = tuple(slice(int(b), int(b) + s) for b, s in zip(before, x.shape))
        return record(data, (x,), pad.op, lambda g, out: (g[box],))
    # each output position holds a copy of one input element: pad the positions to find it
    source = np.pad(np.arange(x.size).reshape(x.shape), pad_width, mode, **kwargs)
    if numpy:
        data = np.pad(xd, pad_width, mode, **kwargs)
    else:  # gather the copies from the flattened input (the standard has no pad)
        xp = xp_of(xd)
        flat = xp.take(xp.reshape(xd, (-1,)), xp.asarray(source.reshape(-1)), axis=0)
        data = xp.reshape(flat, source.shape)
    source = source.reshape(-1)
    return record(data, (x,), pad.op, lambda g, out: (
        reshape(take_along_axis_backward(reshape(g, (-1,)), source, 0, (x.size,)), x.shape),))


def _pad_constant(xd, pad_width, fill):
    """numpy's constant ``pad`` in the standard's functions: blocks of the fill value joined
    on each axis in turn (a later axis's value fills the corners, as numpy's does)."""
    xp = xp_of(xd)
    widths = np.broadcast_to(np.asarray(pad_width, dtype=np.int64), (xd.ndim, 2))
    if (widths < 0).any():
        raise ValueError(f"pad: pad widths must be non-negative, got {pad_width!r}")
    if is_array(fill) and type(fill) is not np.ndarray:  # one value, on the tensor's backend
        fill = xp.astype(fill, xd.dtype)
        values = None
    else:
        values = np.broadcast_to(np.asarray(fill), (xd.ndim, 2)).astype(np_dtype(xd.dtype))
    out = xd
    for i, (before, after) in enumerate(widths.tolist()):
        parts = [out]
        for width, j in ((before, 0), (after, 1)):
            if width:
                shape = out.shape[:i] + (width,) + out.shape[i + 1:]
                block = xp.broadcast_to(fill, shape) if values is None else \
                    xp.full(shape, values[i, j].item(), dtype=xd.dtype)
                parts.insert(len(parts) * j, block)
        if len(parts) > 1:
            out = xp.concat(parts, axis=i)
    return out


# ---------------------------------------------------------------------------- triangles


def _diagonal_arg(name: str, k, diagonal) -> int:
    if diagonal is not None:
        if k != 0:
            raise TypeError(f"{name}: give the diagonal as k= (numpy) or diagonal= (PyTorch), "
                            "not both")
        k = diagonal
    return operator.index(k)


@op(method="tril", function=np.tril, saves=None, formula="1 on and below diagonal k, else 0")
def tril(m: TensorLike, k: int = 0, *, diagonal: int | None = None) -> Tensor:
    """The lower triangle of the last two axes: elements above diagonal ``k`` set to zero
    (``k`` is numpy's name, ``diagonal`` PyTorch's; ``k > 0`` keeps diagonals above the main).

    Examples
    --------
    >>> ag.tril(ag.ones(2, 2))
    Tensor([[1., 0.],
            [1., 1.]])
    """
    m = as_tensor(m)
    k = _diagonal_arg("tril", k, diagonal)
    if m.ndim < 1:
        raise ValueError("tril: the input must be at least 1-D, got a 0-d tensor")
    return record(_triangle(m._data, k, "tril"), (m,), tril.op, lambda g, out: (tril(g, k),))


@op(method="triu", function=np.triu, saves=None, formula="1 on and above diagonal k, else 0")
def triu(m: TensorLike, k: int = 0, *, diagonal: int | None = None) -> Tensor:
    """The upper triangle of the last two axes: elements below diagonal ``k`` set to zero
    (``k`` is numpy's name, ``diagonal`` PyTorch's).

    Examples
    --------
    >>> ag.triu(ag.ones(2, 2), 1)
    Tensor([[0., 1.],
            [0., 0.]])
    """
    m = as_tensor(m)
    k = _diagonal_arg("triu", k, diagonal)
    if m.ndim < 1:
        raise ValueError("triu: the input must be at least 1-D, got a 0-d tensor")
    return record(_triangle(m._data, k, "triu"), (m,), triu.op, lambda g, out: (triu(g, k),))


def _triangle(md, k: int, name: str):
    """numpy's ``tril``/``triu`` of an array of any backend; a 1-D input is first repeated into
    a square matrix, as numpy does (the standard's functions take at least 2-D)."""
    if type(md) is np.ndarray:
        return (np.tril if name == "tril" else np.triu)(md, k)
    xp = xp_of(md)
    if md.ndim == 1:
        md = xp.broadcast_to(md, (md.shape[0],) * 2)
    return (xp.tril if name == "tril" else xp.triu)(md, k=k)


# ---------------------------------------------------------------------------- gathering


@op(function=np.take_along_axis, saves=None, formula="1 at the gathered positions (repeats summed)")
def take_along_axis(arr: TensorLike, indices: TensorLike, axis: Axis = -1) -> Tensor:
    """``arr``'s values at ``indices`` along ``axis`` (the flattened tensor if None), as
    numpy's ``take_along_axis``; repeated indices accumulate their gradient."""
    arr = as_tensor(arr)
    idx = indices._data if isinstance(indices, Tensor) else indices
    if not is_array(idx):
        idx = np.asarray(idx)
    if np_dtype(idx.dtype).kind not in "iu":
        raise TypeError(f"take_along_axis: indices must be integers, got dtype {idx.dtype}")
    if axis is None:
        arr, ax = reshape(arr, (-1,)), 0
    else:
        ax = normalize_axis(axis, arr.ndim, "take_along_axis")[0]
    if idx.ndim != arr.ndim:
        raise ValueError(f"take_along_axis: indices of shape {idx.shape} must have as many "
                         f"dimensions as arr of shape {arr.shape}")
    ad = arr._data
    if type(ad) is np.ndarray and type(idx) is np.ndarray:
        data = np.take_along_axis(ad, idx, ax)
    else:
        xp = xp_of(ad) if type(idx) is np.ndarray else xp_of(ad, idx)
        idx = _wrapped_indices(xp, idx, arr.shape[ax])
        if xp.has("take_along_axis"):
            data = xp.take_along_axis(ad, idx, axis=ax)
        else:  # dask: one take from the flattened array
            flat = _flat_indices(xp, idx, ax, arr.shape)
            data = xp.reshape(xp.take(xp.reshape(ad, (-1,)), xp.reshape(flat, (-1,)), axis=0),
                              flat.shape)
    shape = arr.shape
    return record(data, (arr,), take_along_axis.op, lambda g, out: (
        take_along_axis_backward(g, idx, ax, shape),))


def _wrapped_indices(xp, idx, n: int):
    """Indices on backend ``xp``, negative ones counted from the end (numpy's rule; the
    standard leaves them unspecified). Lazy: no value is looked at."""
    if type(idx) is np.ndarray:
        return xp.asarray(np.where(idx < 0, idx + n, idx) if idx.dtype.kind == "i" else idx)
    if np_dtype(idx.dtype).kind == "i":
        idx = xp.where(idx < 0, idx + n, idx)
    return idx


def _flat_indices(xp, idx, ax: int, shape: tuple):
    """The flat (C order) positions in an array of ``shape`` of ``idx`` along ``ax``, broadcast
    with the positions along the other axes: ``take_along_axis`` as one ``take``."""
    strides = [int(np.prod(shape[i + 1:])) for i in range(len(shape))]
    flat = xp.astype(idx, xp.dtype(_I64)) * strides[ax]
    for i, n in enumerate(shape):
        if i != ax and n > 1:
            grid = np.arange(n, dtype=_I64).reshape((1,) * i + (-1,) + (1,) * (len(shape) - i - 1))
            flat = flat + xp.asarray(grid * strides[i])
    return flat


@op(export=False, saves=None, formula="1 (the values at the indices)")
def take_along_axis_backward(g: Tensor, idx, ax: int, shape: tuple) -> Tensor:
    """Zeros of ``shape`` with ``g`` added at ``idx`` along ``ax`` (repeats accumulate): the
    adjoint of ``take_along_axis``, whose backward is ``take_along_axis`` again."""
    gd = g._data
    if type(gd) is np.ndarray and type(idx) is np.ndarray:
        data = np.zeros(shape, dtype=gd.dtype)
        index = tuple(idx if i == ax else
                      np.arange(n).reshape((1,) * i + (-1,) + (1,) * (len(shape) - i - 1))
                      for i, n in enumerate(shape))
        np.add.at(data, index, gd)
    else:  # the backend's scatter-add, on the flattened result
        xp = xp_of(gd)
        if type(idx) is np.ndarray:
            idx = _wrapped_indices(xp, idx, shape[ax])
        flat = xp.reshape(xp.broadcast_to(_flat_indices(xp, idx, ax, shape), gd.shape), (-1,))
        data = xp.reshape(xp.add_at(xp.zeros((int(np.prod(shape)),), dtype=gd.dtype), flat,
                                    xp.reshape(gd, (-1,))), shape)
    return record(data, (g,), take_along_axis_backward.op, lambda gg, out: (
        take_along_axis(gg, idx, ax),))


@op(composite=True, function=np.select)
def select(condlist: Sequence[TensorLike], choicelist: Sequence[TensorLike],
           default: TensorLike = 0) -> Tensor:
    """Per element, the value of the first choice whose condition holds, else ``default``."""
    if len(condlist) != len(choicelist):
        raise ValueError(f"select: {len(condlist)} conditions but {len(choicelist)} choices")
    if not len(condlist):
        raise ValueError("select: condlist must not be empty")
    conds = [c if isinstance(c, Tensor) else _wrap(c if is_array(c) else np.asarray(c))
             for c in condlist]
    for i, c in enumerate(conds):
        if c.dtype != bool:
            raise TypeError(f"select: condition {i} must be boolean, got dtype {c.dtype}")
    like = next((v for v in (*choicelist, default)
                 if isinstance(v, Tensor) and type(v._data) is not np.ndarray), None)
    if like is not None:  # numpy conditions beside another backend's values move there
        conds = [on_backend_of(c, like) for c in conds]
    result = default
    for c, v in zip(reversed(conds), reversed(list(choicelist))):  # the first true wins
        result = where(c, v, result)
    return as_tensor(result)


@op(composite=True, function=np.linspace)
def linspace(start: TensorLike, stop: TensorLike, num: int = 50, endpoint: bool = True,
             retstep: bool = False,
             dtype: DTypeLike | None = None, axis: int = 0) -> Any:
    """``num`` evenly spaced values from ``start`` to ``stop``, differentiable in both ends
    (which may be tensors: the samples then run along ``axis``)."""
    start, stop = operands(start, stop)
    num = operator.index(num)
    if num < 0:
        raise ValueError(f"linspace: num must be non-negative, got {num}")
    div = num - 1 if endpoint else num
    shape = np.broadcast_shapes(start.shape, stop.shape)
    dt = result_type(start, stop, 1.0)  # integer ends: the default float dtype, as PyTorch
    fraction = np.arange(num, dtype=dt) / div if div > 0 else np.zeros(num, dt)
    frac = _wrap(fraction.reshape((num,) + (1,) * len(shape)))
    delta = stop - start
    samples = start + delta * frac
    if endpoint and num > 1:  # the last sample is stop itself, as in numpy
        last = np.zeros(samples.shape, bool)
        last[-1] = True
        samples = where(on_backend_of(_wrap(last), samples), stop, samples)
    if axis != 0:
        samples = moveaxis(samples, 0, axis)
    if dtype is not None:
        samples = samples.astype(dtype)
    if retstep:
        return samples, delta / div if div > 0 else lift(float("nan"), delta)
    return samples
