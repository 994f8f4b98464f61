"""Movement ops: reshape, transpose, broadcasting, joining, splitting and indexing.

Pairs of ops are each other's backward: ``broadcast_to`` and ``sum_to_shape``,
``getitem`` and ``index_add`` (scatter), ``concatenate`` and slicing.
"""

from __future__ import annotations

import functools
import math
import operator
from typing import Any, Sequence

import numpy as np

from .._tensor import Tensor, _wrap, record, saved
from ..backend import np_dtype
from ..mode import recording
from ..registry import op
from ..typing import Axis, Index, ShapeLike, TensorLike
from ._util import _is_int, as_tensor, check_axis, lift, lift_all, normalize_axis, xp_of


def _shape_arg(shape) -> tuple:
    if len(shape) == 1 and not isinstance(shape[0], (int, np.integer)):
        shape = shape[0]
    try:
        return tuple(map(operator.index, shape))
    except TypeError:
        raise TypeError(f"shape must be ints, got {shape!r}") from None


def _reshape_kernel(xd, shape: tuple):
    return xd.reshape(shape)


def _reshape_grads(g, needs, y, ctx, x, shape):
    return (g.reshape(x.shape),)


@op(method=("reshape", "view"), function=np.reshape, saves=None, formula="1 (reshaped back)",
    numpy_args={"newshape": "shape"}, replay=_reshape_kernel, replay_backward=_reshape_grads)
def reshape(x: TensorLike, *shape: ShapeLike) -> Tensor:
    """Same data, new shape: ``x.reshape(2, 3)`` or ``x.reshape((2, 3))``; one size may be -1."""
    x = as_tensor(x)
    shape = _shape_arg(shape)
    xd = x._data
    try:
        data = xd.reshape(shape) if type(xd) is np.ndarray else xp_of(xd).reshape(xd, shape)
    except ValueError:
        raise ValueError(
            f"reshape: cannot reshape a tensor of shape {x.shape} ({x.size} elements) "
            f"into shape {shape}") from None
    return record(data, (x,), reshape.op, _reshape_backward, attrs=(shape,))


def _reshape_backward(g, out):
    x = out._p1._data
    gd = g._data
    if not recording() and gd.__class__ is np.ndarray:  # training on numpy: the view itself
        return (_wrap(_reshape_grads(gd, None, None, None, x, None)[0]),)
    return (reshape(g, x.shape),)  # recorded (differentiable again), or another backend


def _permute_method(self, *dims):
    """PyTorch's ``t.permute(2, 0, 1)`` (or ``t.permute((2, 0, 1))``): the axes in this order."""
    if len(dims) == 1 and not isinstance(dims[0], (int, np.integer)):
        dims = dims[0]
    if len(dims) != self.ndim:
        raise RuntimeError(f"permute: the number of dims ({len(dims)}) does not match the "
                           f"tensor's ({self.ndim})")
    return transpose(self, tuple(dims))


def _transpose_kernel(xd, perm: tuple):
    return xd.transpose(perm)


@functools.lru_cache(maxsize=256)
def _inverse(perm: tuple) -> tuple:
    return tuple(int(i) for i in np.argsort(perm))


def _transpose_grads(g, needs, y, ctx, x, perm):
    return (g.transpose(_inverse(perm)),)


@op(method=("transpose", "permute"), function=np.transpose, saves=None,
    method_adapter={"permute": _permute_method}, formula="1 (axes permuted back)",
    replay=_transpose_kernel, replay_backward=_transpose_grads)
def transpose(x: TensorLike, *dims: Any, axes: Any = None, dim0: int | None = None,
              dim1: int | None = None) -> Tensor:
    """Permute the axes, as numpy: ``t.transpose()`` reverses them, ``t.transpose(axes)`` and
    ``t.transpose(2, 0, 1)`` permute. As PyTorch, exactly two ints swap those two axes at any
    rank: ``k.transpose(-2, -1)`` (also ``dim0=``, ``dim1=``).

    Examples
    --------
    >>> ag.zeros(2, 3, 4).transpose(0, 2).shape    # PyTorch: swap two axes
    (4, 3, 2)
    >>> ag.zeros(2, 3, 4).transpose(1, 2, 0).shape  # numpy: a permutation
    (3, 4, 2)
    """
    x = as_tensor(x)
    # (no parameter is rebound here: ag.diagnose replays an op from its frame's arguments)
    given = dims
    if dim0 is not None or dim1 is not None:
        if dims or axes is not None or dim0 is None or dim1 is None:
            raise TypeError("transpose: give both dim0= and dim1=, and nothing else")
        given = (dim0, dim1)
    if given and axes is not None:
        raise TypeError("transpose: give the axes positionally or as axes=, not both")
    order: Any = axes  # the axes as given: an int, ints, or a sequence of them
    if len(given) == 2 and _is_int(given[0]) and _is_int(given[1]):  # PyTorch: swap two axes
        a1, a2 = (normalize_axis(a, x.ndim, "transpose")[0] if x.ndim else 0 for a in given)
        order = list(range(x.ndim))
        order[a1], order[a2] = order[a2], order[a1]
    elif len(given) == 1:
        order = given[0]
    elif given:
        order = given
    if order is None:
        perm = tuple(range(x.ndim))[::-1]
    else:
        asked = (order,) if _is_int(order) else tuple(order)
        perm = tuple(check_axis(a, x.ndim, "transpose") for a in asked) if x.ndim else asked
        if sorted(perm) != list(range(x.ndim)):
            raise ValueError(f"transpose: axes {asked} are not a permutation of the "
                             f"{x.ndim} axes of a tensor of shape {x.shape}")
    inverse = _inverse(perm)
    xd = x._data
    data = xd.transpose(perm) if type(xd) is np.ndarray else xp_of(xd).permute_dims(xd, perm)
    return record(data, (x,), transpose.op, _transpose_backward,  # type: ignore[arg-type]
                  attrs=(perm,), ctx=inverse)


def _transpose_backward(g, out):
    return (transpose(g, saved(out)[1]),)


@op(composite=True, method="swapaxes", function=np.swapaxes)
def swapaxes(x: TensorLike, axis1: int, axis2: int) -> Tensor:
    """Exchange two axes."""
    x = as_tensor(x)
    a1, a2 = (check_axis(a, x.ndim, "swapaxes") for a in (axis1, axis2))
    if x.ndim == 0:
        return x
    perm = list(range(x.ndim))
    perm[a1], perm[a2] = perm[a2], perm[a1]
    return transpose(x, perm)


def _unsqueeze_method(self: Tensor, dim: int) -> Tensor:
    """PyTorch's ``t.unsqueeze(dim)``: a size-1 axis inserted at ``dim``."""
    return expand_dims(self, dim)


@op(composite=True, method=("expand_dims", "unsqueeze"), function=np.expand_dims,
    method_adapter={"unsqueeze": _unsqueeze_method})
def expand_dims(x: TensorLike, axis: int | tuple[int, ...]) -> Tensor:
    """Insert size-1 axes at ``axis`` (an int or tuple, positions in the result)."""
    x = as_tensor(x)
    try:
        shape = np.expand_dims(np.empty(x.shape, dtype=bool), axis).shape
    except (ValueError, IndexError) as e:
        raise ValueError(f"expand_dims: {e} (input shape {x.shape})") from None
    return reshape(x, shape)


@op(composite=True, method="squeeze", function=np.squeeze)
def squeeze(x: TensorLike, axis: Axis = None) -> Tensor:
    """Remove size-1 axes (all of them, or those in ``axis``)."""
    x = as_tensor(x)
    axes = normalize_axis(axis, x.ndim, "squeeze")
    if axes is None:
        shape = tuple(s for s in x.shape if s != 1)
    else:
        bad = [a for a in axes if x.shape[a] != 1]
        if bad:
            raise ValueError(
                f"squeeze: axis {bad[0]} has size {x.shape[bad[0]]}, not 1 (shape {x.shape})")
        shape = tuple(s for i, s in enumerate(x.shape) if i not in axes)
    return reshape(x, shape)


@op(composite=True, method="flatten")
def flatten(x: TensorLike, start_axis: int = 0, end_axis: int = -1) -> Tensor:
    """Merge axes ``start_axis..end_axis`` (all by default) into one."""
    x = as_tensor(x)
    shape = x._data.shape
    nd = len(shape)
    if nd == 0:
        return reshape(x, (1,))
    s, e = check_axis(start_axis, nd, "flatten"), check_axis(end_axis, nd, "flatten")
    return reshape(x, shape[:s] + (-1,) + shape[e + 1:])


@op(method="broadcast_to", function=np.broadcast_to, saves=None,
    formula="1 (summed over the broadcast axes)")
def broadcast_to(x: TensorLike, shape: ShapeLike) -> Tensor:
    """Broadcast to ``shape`` (numpy rules); the gradient is summed back."""
    x = as_tensor(x)
    shape = (shape,) if isinstance(shape, (int, np.integer)) else tuple(shape)
    if x.shape == shape:
        return x
    xd = x._data
    try:
        if xd.__class__ is np.ndarray and _small(shape):
            # a small result is filled in (numpy's broadcast_to view costs about 2 µs of
            # Python, ten times the copy): sum's backward of every loss goes through here
            data = np.empty(shape, dtype=xd.dtype)
            data[...] = xd
            data.flags.writeable = False  # read-only, as the view would be
        else:
            data = xp_of(xd).broadcast_to(xd, shape)
    except ValueError:
        raise ValueError(f"broadcast_to: cannot broadcast shape {x.shape} to {shape}") from None
    return record(data, (x,), broadcast_to.op, lambda g, out: (sum_to_shape(g, x.shape),))


def _small(shape: tuple) -> bool:
    n = 1
    for s in shape:
        n *= s
    return n <= 4096


def broadcast_axes(g_shape: tuple, shape: tuple) -> tuple:
    """The axes of a gradient of ``g_shape`` that broadcasting added to or stretched from
    ``shape``: those ``sum_to_shape`` sums over."""
    lead = len(g_shape) - len(shape)
    return tuple(range(lead)) + tuple(
        i + lead for i, s in enumerate(shape) if s == 1 and g_shape[i + lead] != 1)


def sum_to_shape(g: Tensor, shape: tuple[int, ...]) -> Tensor:
    """Sum ``g`` over the axes that broadcasting added or stretched, so it has ``shape``.

    The one place where gradients are un-broadcast; built from differentiable ops.
    """
    if g.shape == shape:
        return g
    axes = broadcast_axes(g.shape, shape)
    if axes:
        g = g.sum(axis=axes, keepdims=True)
    return reshape(g, shape) if g.shape != shape else g


@op(function=np.concatenate, saves=None, formula="1 (each input's slice)", alias="cat")
def concatenate(tensors: Sequence[TensorLike], axis: int | None = 0, *,
                dim: int | None = None) -> Tensor:
    """Join tensors along an existing axis (``axis=None``: flattened first, as in numpy);
    ``ag.cat(tensors, dim=1)`` is PyTorch's name for it."""
    axis = axis if dim is None else dim
    tensors = tuple(lift_all(tensors))
    if not tensors:
        raise ValueError("concatenate: need at least one tensor")
    if axis is None:
        tensors, axis = tuple(reshape(t, -1) for t in tensors), 0
    try:
        datas = [t._data for t in tensors]
        data = np.concatenate(datas, axis=axis) if all(type(d) is np.ndarray for d in datas) \
            else xp_of(*datas).concat(datas, axis=axis)
    except ValueError as e:
        shapes = ", ".join(str(t.shape) for t in tensors)
        raise ValueError(
            f"concatenate: shapes {shapes} do not fit along axis {axis}: {e}") from None
    ax = axis % data.ndim
    bounds = np.cumsum([0] + [t.shape[ax] for t in tensors])

    def backward(g, out):
        index = [slice(None)] * g.ndim
        grads = []
        for lo, hi in zip(bounds[:-1], bounds[1:]):
            index[ax] = slice(int(lo), int(hi))
            grads.append(g[tuple(index)])
        return tuple(grads)

    return record(data, tensors, concatenate.op, backward)


@op(composite=True, function=np.stack)
def stack(tensors: Sequence[TensorLike], axis: int = 0) -> Tensor:
    """Join tensors of one shape along a new axis."""
    tensors = lift_all(tensors)
    if not tensors:
        raise ValueError("stack: need at least one tensor")
    shapes = {t.shape for t in tensors}
    if len(shapes) > 1:
        raise ValueError(f"stack: all tensors must have one shape, got {sorted(shapes)}")
    return concatenate([expand_dims(t, axis) for t in tensors], axis=axis)


def _split_dim(x, split_size_or_sections, dim: int = 0) -> tuple:
    """PyTorch's ``split``: chunks of ``split_size`` (the last may be smaller), or a list of
    chunk sizes."""
    x = as_tensor(x)
    ax = normalize_axis(dim, x.ndim, "split")[0]
    n = x.shape[ax]
    if _is_int(split_size_or_sections):
        size = int(split_size_or_sections)
        if size <= 0:
            raise ValueError(f"split: split_size must be positive, got {size}")
        sizes = [size] * (n // size) + ([n % size] if n % size else [])
    else:
        sizes = [int(s) for s in split_size_or_sections]
        if sum(sizes) != n or any(s < 0 for s in sizes):
            raise ValueError(f"split: split sizes {sizes} must be non-negative and sum to "
                             f"{n} (dim {ax} of shape {x.shape})")
    return tuple(_cut(x, ax, list(np.cumsum(sizes[:-1])) if sizes else []))


def _cut(x: Tensor, ax: int, points: list) -> list:
    edges = [0] + [int(p) for p in points] + [x.shape[ax]]
    index = [slice(None)] * x.ndim
    parts = []
    for lo, hi in zip(edges[:-1], edges[1:]):
        index[ax] = slice(lo, hi)
        parts.append(x[tuple(index)])
    return parts


@op(composite=True, method="split", function=np.split, pytorch=_split_dim)
def split(x: TensorLike, indices_or_sections: int | Sequence[int],
          axis: int = 0) -> Sequence[Tensor]:
    """Split into a list of tensors (numpy's rules: a number of equal parts or split points).

    Spelled as PyTorch (``x.split(size, dim=d)``) it cuts chunks of ``size`` (a tuple).
    """
    x = as_tensor(x)
    ax = normalize_axis(axis, x.ndim, "split")[0]
    n = x.shape[ax]
    if isinstance(indices_or_sections, (int, np.integer)):
        k = int(indices_or_sections)
        if k <= 0 or n % k:
            raise ValueError(f"split: axis {ax} of size {n} does not divide into {k} equal parts")
        points = [n // k * i for i in range(1, k)]
    else:
        points = [int(p) for p in indices_or_sections]
    return _cut(x, ax, points)


# ---------------------------------------------------------------------------- indexing


def _plain_index(index):
    """Tensors inside an index become their arrays; lists become arrays."""
    if isinstance(index, Tensor):
        return index._data
    if isinstance(index, tuple):
        return tuple(_plain_index(i) for i in index)
    if isinstance(index, list):
        return np.asarray(index)
    return index


def _is_basic(index) -> bool:
    """True when the index only holds ints, slices, None and Ellipsis (no fancy indexing)."""
    items = index if isinstance(index, tuple) else (index,)
    return all(i is None or i is Ellipsis or isinstance(i, (slice, int, np.integer))
               for i in items)


def _index_error(x: Tensor, index, e: IndexError) -> IndexError:
    """PyTorch's message for an index of the wrong type (naming it), else numpy's range error."""
    for i in index if isinstance(index, tuple) else (index,):
        if not (i is None or i is Ellipsis or isinstance(i, (slice, int, np.integer)) or
                hasattr(i, "dtype") and hasattr(i, "shape") and np_dtype(i.dtype).kind in "biu"):
            got = f"{type(i).__name__}" if not isinstance(i, np.ndarray) else \
                f"an array of dtype {i.dtype}"
            return IndexError(f"only integers, slices (`:`), ellipsis (`...`), None and integer "
                              f"or boolean arrays are valid indices (got {got})")
    return IndexError(f"index out of range for a tensor of shape {x.shape}: {e}")


def _getitem_kernel(xd, index):
    data = xd[index]
    return data if isinstance(data, np.ndarray) else np.asarray(data)


def _getitem_grads(g, needs, y, ctx, x, index):  # (a basic index: replayed ones are)
    return (_scatter(x.shape, index, g),)


def _scatter(shape: tuple, index, vd: np.ndarray) -> np.ndarray:
    """Zeros of ``shape`` with ``vd`` added at ``index``: getitem's backward on arrays."""
    data = np.zeros(shape, dtype=vd.dtype)
    if _is_basic(index):
        data[index] = vd
    else:
        np.add.at(data, index, vd)
    return data


@op(operator="__getitem__", saves=None, formula="1 at the indexed positions, else 0",
    replay=_getitem_kernel, replay_backward=_getitem_grads)
def getitem(x: TensorLike, index: Index) -> Tensor:
    """``x[index]`` with ints, slices, None, Ellipsis, boolean masks and integer arrays.

    Repeated integer indices accumulate their gradient.
    """
    x = as_tensor(x)
    index = _plain_index(index)
    xd = x._data
    try:
        if type(xd) is np.ndarray:
            data = xd[index]
            if not isinstance(data, np.ndarray):
                data = np.asarray(data)
        else:
            data = _foreign_getitem(xp_of(xd), xd, x.shape, index)
    except IndexError as e:
        raise _index_error(x, index, e) from None
    # (replayed by ag.compile when the index holds no array: its values are then fixed)
    return record(data, (x,), getitem.op, _getitem_backward,
                  attrs=(index,) if type(xd) is np.ndarray and _is_basic(index) else None,
                  ctx=index)


def _getitem_backward(g, out):
    (x,), index = saved(out)
    return (index_add(x.shape, index, g),)


@op(saves=None, export=False, formula="1 (the values at index)")
def index_add(shape: tuple[int, ...], index: Index, values: TensorLike) -> Tensor:
    """A zero tensor of ``shape`` with ``values`` added at ``index`` (repeats accumulate).

    The scatter that is ``getitem``'s backward; its own backward is ``getitem``.
    """
    values = as_tensor(values)
    vd = values._data
    if type(vd) is np.ndarray:
        data = _scatter(shape, index, vd)
    else:
        data = _foreign_scatter(xp_of(vd), tuple(shape), _plain_index(index), vd, None)
    return record(data, (values,), index_add.op, lambda g, out: (g[index],))


# ------------------------------------------------- indexing arrays of the other backends
#
# numpy indexes and scatters in place (``np.add.at``, ``data[index] = v``). Other backends get
# the same results functionally, and within the Array API standard (which indexes with ints,
# slices and a sole mask, and has ``take`` and ``where``): an index whose arrays are numpy's
# (known values) is turned into flat positions here, in numpy, so a boolean mask gives a known
# size (no data-dependent shape on dask) and any numpy index works where the backend's own
# indexing is narrower (array-api-strict mixes no slices with integer arrays).


def _concrete(index) -> bool:
    """Whether ``index`` holds no array of another backend (its values are known here)."""
    items = index if isinstance(index, tuple) else (index,)
    return all(i is None or i is Ellipsis or
               isinstance(i, (slice, int, np.integer, np.bool_, np.ndarray)) for i in items)


def _basic_entries(index, shape: tuple) -> list | None:
    """A basic index (ints, slices, None, Ellipsis; no bools) as one entry per axis of the
    input plus the None's: ints non-negative and checked, slices with explicit in-range
    bounds, Ellipsis expanded; None for any other index."""
    items = index if isinstance(index, tuple) else (index,)
    if not all(i is None or i is Ellipsis or isinstance(i, slice) or
               (isinstance(i, (int, np.integer)) and not isinstance(i, (bool, np.bool_)))
               for i in items):
        return None
    named = sum(1 for i in items if i is not None and i is not Ellipsis)
    if named > len(shape) or sum(1 for i in items if i is Ellipsis) > 1:
        raise IndexError(f"too many indices for a tensor of {len(shape)} dimension(s)")
    out: list = []
    axis = 0
    for i in items:
        if i is None:
            out.append(None)
        elif i is Ellipsis:
            for _ in range(len(shape) - named):
                out.append(slice(0, shape[axis], 1))
                axis += 1
        elif isinstance(i, slice):
            n = shape[axis]
            lo, hi, step = i.indices(n)
            if step < 0 and hi < 0:
                hi = None  # down to element 0 (``stop=-1`` would mean the last one)
            out.append(slice(0, 0, 1) if n == 0 else slice(lo, hi, step))
            axis += 1
        else:
            n = shape[axis]
            if not -n <= i < n:
                raise IndexError(f"index {i} is out of bounds for axis {axis} with size {n}")
            out.append(int(i) % n)
            axis += 1
    out += [slice(0, shape[a], 1) for a in range(axis, len(shape))]
    return out


def _positions(shape: tuple, index) -> np.ndarray:
    """The flat positions ``index`` selects in an array of ``shape`` (numpy's semantics, and
    numpy's IndexError), shaped as the selection."""
    return np.arange(math.prod(shape), dtype=np.intp).reshape(shape)[index]


def _on(xp, a: np.ndarray):
    """A numpy index array for backend ``xp`` (dask takes numpy's as they are)."""
    return a if xp.name == "dask.array" else xp.asarray(a)


def _flat(xp, d):
    return xp.reshape(d, (-1,))


def _foreign_getitem(xp, xd, shape: tuple, index):
    """``xd[index]`` on a backend other than numpy."""
    entries = _basic_entries(index, shape)
    if entries is not None:
        return xd[tuple(entries)]
    if _concrete(index):
        pos = _positions(shape, index)
        return xp.reshape(xp.take(_flat(xp, xd), _on(xp, pos.reshape(-1)), axis=0), pos.shape)
    items = index if isinstance(index, tuple) else (index,)
    if len(items) == 1 and _is_bool_array(items[0]):  # a sole mask of the backend's own
        if xp.lazy:
            raise ValueError(
                f"getitem: a {xp.name} boolean mask selects a number of elements known only "
                f"once it is computed, and a Tensor needs its shape: use ag.where(mask, x, 0), "
                f"or a mask of known values (np.asarray(mask))")
        return xd[items[0]]
    rows = _backend_rows(xp, shape, items)
    if rows is None:
        return xd[index]  # the backend's own indexing decides
    flat, m, picked = rows
    rest = tuple(shape[m:])
    taken = xp.take(xp.reshape(xd, (math.prod(shape[:m]),) + rest), flat, axis=0)
    return xp.reshape(taken, picked + rest)


def _backend_rows(xp, shape: tuple, items: tuple):
    """An index of ints and integer arrays (some of the backend's own) on the leading axes,
    then only ``...`` or ``:``, as (flat row numbers over those axes, their count ``m``, the
    selection's shape over them); None for any other index."""
    m = 0
    while m < len(items) and (isinstance(items[m], (int, np.integer)) or (
            hasattr(items[m], "dtype") and np_dtype(items[m].dtype).kind in "iu")):
        if isinstance(items[m], (bool, np.bool_)):
            return None
        m += 1
    if m == 0 or m > len(shape) or not all(
            i is Ellipsis or isinstance(i, slice) and i == slice(None) for i in items[m:]):
        return None
    arrays = []
    for i, n in zip(items[:m], shape):
        if isinstance(i, (int, np.integer)):
            if not -n <= i < n:
                raise IndexError(f"index {i} is out of bounds for an axis of size {n}")
            i = np.asarray(int(i) % n)
        if isinstance(i, np.ndarray):
            i = xp.asarray(i)
        else:
            i = xp.where(i < 0, i + n, i)  # (out-of-range values: the backend's take decides)
        arrays.append(xp.astype(i, xp.int64))
    arrays = xp.broadcast_arrays(*arrays)
    flat = None
    stride = 1
    for a, n in zip(arrays[::-1], shape[:m][::-1]):
        term = a * stride if stride != 1 else a
        flat = term if flat is None else flat + term
        stride *= n
    picked = tuple(arrays[0].shape)
    return _flat(xp, flat), m, picked


def _selection(shape: tuple, index) -> tuple:
    """The shape of ``x[index]`` for ``x`` of ``shape`` (no values touched)."""
    return np.broadcast_to(np.empty((), dtype=bool), shape)[index].shape


def _foreign_scatter(xp, shape: tuple, index, vd, base):
    """``vd`` (broadcast to the selection) placed at ``index`` in an array of ``shape``, on
    a backend other than numpy, built functionally. ``base`` None: zeros elsewhere and
    repeated positions add up (``index_add``); else ``base`` elsewhere and the last write of
    a position wins (``index_put``)."""
    dtype = vd.dtype
    zero = xp.zeros((), dtype=dtype)
    entries = _basic_entries(index, shape)
    if entries is not None:
        sel = _selection(shape, tuple(entries))
        vd = xp.broadcast_to(vd, sel)
        # one axis of ``vd`` per axis of the input: drop None's axes, restore the ints'
        vd = xp.reshape(vd, tuple(1 if isinstance(e, int) else len(range(*e.indices(n)))
                                  for e, n in zip((e for e in entries if e is not None),
                                                  shape)))
        if 0 in vd.shape:
            return xp.zeros(shape, dtype=dtype) if base is None else base
        mask = None
        axis = 0
        for e in entries:
            if e is None:
                continue
            n = shape[axis]
            picked = np.arange(n)[e] if isinstance(e, slice) else np.array([e])
            if len(picked) != n or np.any(picked != np.arange(n)):
                where = np.full(n, -1)
                where[picked] = np.arange(len(picked))
                vd = xp.take(vd, _on(xp, np.maximum(where, 0)), axis=axis)
                hit = _on(xp, (where >= 0).reshape((n,) + (1,) * (len(shape) - axis - 1)))
                mask = hit if mask is None else xp.logical_and(mask, hit)
            axis += 1
        if mask is None:  # every position
            return vd
        return xp.where(mask, vd, zero if base is None else base)
    n = math.prod(shape)
    if _concrete(index):
        pos = _positions(shape, index)
        vd = _flat(xp, xp.broadcast_to(vd, pos.shape))
        flat = pos.reshape(-1)
        if flat.size == 0:
            return xp.zeros(shape, dtype=dtype) if base is None else base
        where = np.full(n, -1)
        where[flat] = np.arange(flat.size)  # a repeated position: its last write
        if base is None and np.unique(flat).size != flat.size:  # repeats add up
            return xp.reshape(xp.add_at(xp.zeros((n,), dtype=dtype), _on(xp, flat), vd), shape)
        placed = xp.reshape(xp.take(vd, _on(xp, np.maximum(where, 0)), axis=0), shape)
        hit = _on(xp, (where >= 0).reshape(shape))
        return xp.where(hit, placed, zero if base is None else base)
    fill = zero if base is None else base
    items = index if isinstance(index, tuple) else (index,)
    if len(items) == 1 and _is_bool_array(items[0]):  # a sole mask of the backend's own
        m = items[0]
        rest = tuple(shape[m.ndim:])
        hit = xp.reshape(m, tuple(m.shape) + (1,) * len(rest))
        if vd.ndim <= len(rest) or vd.shape[0] == 1:  # the same values at every selected row
            vd = xp.reshape(vd, tuple(vd.shape[1:])) if vd.ndim > len(rest) else vd
            return xp.where(hit, xp.broadcast_to(vd, shape), fill)
        if vd.shape[0] == 0:  # nothing selected (a known size)
            return xp.zeros(shape, dtype=dtype) if base is None else base
        # the k-th selected row takes row k of the values: k counts the mask up to it
        k = xp.cumulative_sum(xp.astype(_flat(xp, m), xp.int64)) - 1
        k = xp.where(k < 0, 0, k)
        vd = xp.reshape(xp.broadcast_to(vd, (vd.shape[0],) + rest), (vd.shape[0], -1))
        placed = xp.reshape(xp.take(vd, k, axis=0), shape)
        return xp.where(hit, placed, fill)
    rows = _backend_rows(xp, shape, items)
    if rows is None:
        raise IndexError(f"index {index!r}: with arrays of {xp.name} in it, an index may hold "
                         f"a sole boolean mask, or ints and integer arrays on the leading axes "
                         f"(then only ':' and '...')")
    flat, m, picked = rows
    r = math.prod(shape[:m])
    rest = tuple(shape[m:])
    k = math.prod(picked)
    if k == 0:
        return xp.zeros(shape, dtype=dtype) if base is None else base
    vd = xp.reshape(xp.broadcast_to(vd, picked + rest), (k, math.prod(rest)))
    if base is None:  # repeated rows add up
        summed = xp.add_at(xp.zeros((r, math.prod(rest)), dtype=dtype), flat, vd)
        return xp.reshape(summed, shape)
    # the last write of each row wins, as numpy's assignment: its position j among the k
    hits = xp.reshape(flat, (k, 1)) == xp.reshape(xp.arange(r, dtype=xp.int64), (1, r))
    j = xp.max(xp.where(hits, xp.reshape(xp.arange(k, dtype=xp.int64), (k, 1)), -1), axis=0)
    placed = xp.reshape(xp.take(vd, xp.where(j < 0, 0, j), axis=0), shape)
    return xp.where(xp.reshape(j >= 0, tuple(shape[:m]) + (1,) * len(rest)), placed, fill)


def _is_bool_array(i) -> bool:
    return hasattr(i, "dtype") and hasattr(i, "ndim") and np_dtype(i.dtype).kind == "b"


def _setitem_unrecorded(t: Tensor, index, values) -> None:
    index = _plain_index(index)
    values = values._data if isinstance(values, Tensor) else values
    try:
        t._data[index] = values
    except IndexError as e:
        raise IndexError(f"index out of range for a tensor of shape {t.shape}: {e}") from None
    except ValueError as e:
        if not t._data.flags.writeable:
            raise
        raise ValueError(f"cannot assign values of shape {np.shape(values)} to the selection "
                         f"{index!r} of a tensor of shape {t.shape}: {e}") from None


@op(inplace="__setitem__", saves=None, export=False, unrecorded=_setitem_unrecorded,
    formula=("1 except at the indexed positions", "1 (from the indexed positions)"))
def index_put(x: TensorLike, index: Index, values: TensorLike) -> Tensor:
    """A copy of ``x`` with ``values`` written at ``index`` (``x[index] = values`` in place)."""
    x = as_tensor(x)
    values = lift(values, x)
    index = _plain_index(index)
    xd = x._data
    try:
        if type(xd) is np.ndarray:
            data = xd.copy()
            data[index] = values._data
        else:
            xp = xp_of(xd)
            vd = values._data
            if type(vd) is np.ndarray:
                vd = xp.asarray(vd, dtype=xd.dtype)
            elif np_dtype(vd.dtype) != x.dtype:
                vd = xp.astype(vd, xd.dtype)  # numpy assigns in x's dtype
            data = _foreign_scatter(xp, x.shape, index, vd, xd)
    except IndexError as e:
        raise IndexError(f"index out of range for a tensor of shape {x.shape}: {e}") from None
    except ValueError as e:
        raise ValueError(f"cannot assign values of shape {values.shape} to the selection "
                         f"{index!r} of a tensor of shape {x.shape}: {e}") from None
    return record(data, (x, values), index_put.op, lambda g, out: (
        index_put(g, index, 0.0) if x._requires_grad else None,
        g[index] if values._requires_grad else None))
