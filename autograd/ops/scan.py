"""Products, running sums and products, differences and sorting: ``prod``, ``cumsum``,
``cumprod``, ``diff``, ``gradient``, ``sort``, ``partition``.

``prod`` and ``cumprod`` have exact gradients where the input holds zeros, without dividing
by them (PyTorch's approach): the product of "every element but this one" is built from
running products from both ends.
"""

from __future__ import annotations

import operator
from typing import Any, Sequence

import numpy as np

from .._quiet import quietly
from .._tensor import Tensor, _wrap, record
from ..backend import is_array
from ..mode import state
from ..registry import op
from ..typing import Axis, DTypeLike, TensorLike
from ._util import as_tensor, kept_shape, lift, normalize_axis, xp_of
from .arrange import axis_list, flip, take_along_axis
from .elementwise import where
from .reduce import sum
from .shape import broadcast_to, concatenate, expand_dims, reshape, swapaxes, transpose


def _no_out(name: str, out) -> None:
    if out is not None:
        raise TypeError(f"{name}: out= is not supported on Tensors (the result is a new Tensor)")


def _cast(x: Tensor, dtype) -> Tensor:
    return x if dtype is None or np.dtype(dtype) == x.dtype else x.astype(dtype)


def _along(x: Tensor, axis, name: str) -> tuple[Tensor, int]:
    """``x`` and the axis to scan: numpy scans the flattened tensor when ``axis`` is None."""
    if axis is None or x.ndim == 0:
        return reshape(x, (-1,)), 0
    return x, normalize_axis(axis, x.ndim, name)[0]


def _reverse_cumsum(g: Tensor, ax: int) -> Tensor:
    """``out[i] = sum(g[i:])`` along ``ax``: the adjoint of ``cumsum``."""
    return flip(cumsum(flip(g, ax), ax), ax)


# ---------------------------------------------------------------------------- products


@op(method="prod", function=np.prod, saves="both",
    formula="product of the other elements (out/x where x ≠ 0)")
def prod(x: TensorLike, axis: Axis = None, keepdims: bool = False, *,
         dtype: DTypeLike | None = None,
         out: None = None) -> Tensor:
    """Product over ``axis`` (all axes by default). The gradient is exact where elements are
    zero (no division by them), as in PyTorch.

    Examples
    --------
    >>> x = ag.tensor([2.0, 0.0, 3.0], requires_grad=True)
    >>> x.prod().backward(); x.grad
    Tensor([0., 6., 0.])
    """
    _no_out("prod", out)
    x = _cast(as_tensor(x), dtype)
    axes = normalize_axis(axis, x.ndim, "prod")
    xd = x._data
    numpy = type(xd) is np.ndarray
    reduce = np.prod if numpy else xp_of(xd).prod
    try:
        data = reduce(xd, axis=axes, keepdims=keepdims)
    except RuntimeWarning:  # inf · 0 or an overflow, with warnings made errors: quietly
        data = quietly(reduce, xd, axis=axes, keepdims=keepdims)

    def backward(g, out):
        if not keepdims:
            g = reshape(g, kept_shape(x.shape, axes))
            out = reshape(out, g.shape)
        if numpy and not (xd == 0).any():
            return (g * out / x,)
        # zeros possible (off numpy the values are not looked at): no division by them
        return (g * _product_of_others(x, axes),)

    return record(data, (x,), prod.op, backward)


def _product_of_others(x: Tensor, axes) -> Tensor:
    """For each element, the product of the other elements of its reduced group: running
    products from the left and from the right, each excluding the element itself."""
    if x.size == 0:
        return x
    reduced = tuple(range(x.ndim)) if axes is None else axes
    kept = tuple(i for i in range(x.ndim) if i not in reduced)
    perm = kept + reduced
    xt = transpose(x, perm) if perm != tuple(range(x.ndim)) else x
    lead = xt.shape[:len(kept)]
    flat = reshape(xt, lead + (-1,))
    xp = xp_of(x)
    one = _wrap(xp.ones(lead + (1,), dtype=x._data.dtype))
    left = cumprod(concatenate([one, flat[..., :-1]], axis=-1), axis=-1)
    right = flip(cumprod(concatenate([one, flip(flat, -1)[..., :-1]], axis=-1), axis=-1), -1)
    others = reshape(left * right, xt.shape)
    return transpose(others, tuple(np.argsort(perm))) if xt is not x else others


@op(method="cumprod", function=np.cumprod, saves="both",
    formula="Σ_{i≥k} g_i · Π_{j≤i, j≠k} x_j")
def cumprod(x: TensorLike, axis: Axis = None, dtype: DTypeLike | None = None,
            out: None = None) -> Tensor:
    """Running product along ``axis`` (of the flattened tensor if None); exact gradients
    where elements are zero, as in PyTorch."""
    _no_out("cumprod", out)
    x, ax = _along(_cast(as_tensor(x), dtype), axis, "cumprod")
    xd = x._data
    numpy = type(xd) is np.ndarray
    scan = np.cumprod if numpy else xp_of(xd).cumulative_prod
    try:
        data = scan(xd, axis=ax)
    except RuntimeWarning:  # inf · 0 or an overflow, with warnings made errors: quietly
        data = quietly(scan, xd, axis=ax)

    def backward(g, out):
        # off numpy the values are not looked at: zeros are assumed possible
        if numpy and not (xd == 0).any():  # d out_i / d x_k = out_i / x_k for i >= k
            return (_reverse_cumsum(g * out, ax) / x,)
        if state.grad_enabled:  # create_graph: a form made of ops, differentiable again
            return (_cumprod_grad_with_zeros(x, g, ax),)
        return (_wrap(_cumprod_grad_arrays(xp_of(xd), xd, g._data, out._data, ax)),)

    return record(data, (x,), cumprod.op, backward)


def _cumprod_grad_with_zeros(x: Tensor, g: Tensor, ax: int) -> Tensor:
    """``grad_k = Σ_{i≥k} g_i Π_{j≤i, j≠k} x_j`` as Tensor ops: row k of an n×n table is the
    running product of x with x_k replaced by 1 (O(n²) memory; used for higher derivatives)."""
    xm, gm = swapaxes(x, ax, -1), swapaxes(g, ax, -1)
    n = xm.shape[-1]
    xp = xp_of(x)
    rows = cumprod(where(_wrap(xp.eye(n, dtype=xp.bool)), 1.0, expand_dims(xm, -2)), axis=-1)
    upper = _wrap(xp.triu(xp.ones((n, n), dtype=xp.bool)))  # i >= k
    grad = sum(where(upper, rows, 0.0) * expand_dims(gm, -2), axis=-1)
    return swapaxes(grad, ax, -1)


def _cumprod_grad_arrays(xp, x, g, out, ax: int):
    """The same gradient in O(n), on arrays (no graph needed). Before the first zero z of a
    row the usual ``reverse_cumsum(g·out)/x`` holds (out is 0 from z on); at z the gradient is
    ``Π_{j<z} x_j · Σ_{i≥z} g_i Π_{z<j≤i} x_j``; after z every term holds x_z = 0."""
    numpy = type(x) is np.ndarray
    cumsum = np.cumsum if numpy else xp.cumulative_sum
    cumprod = np.cumprod if numpy else xp.cumulative_prod

    def reverse_cumsum(a):
        return xp.flip(cumsum(xp.flip(a, axis=ax), axis=ax), axis=ax)

    zero = x == 0
    seen = cumsum(xp.astype(zero, xp.int64), axis=ax)
    before = seen == 0
    first = zero & (seen == 1)
    one, nought = xp.ones_like(x), xp.zeros_like(x)
    safe = xp.where(before, x, one)
    grad = xp.where(before, reverse_cumsum(g * out) / safe, nought)
    prefix = cumprod(safe, axis=ax)  # at z: the product of the elements before it
    after = cumprod(xp.where(before | first, one, x), axis=ax)  # Π_{z<j≤i} x_j
    return grad + xp.where(first, prefix * reverse_cumsum(g * after), nought)


@op(method="cumsum", function=np.cumsum, saves=None, formula="reversed running sum of g")
def cumsum(x: TensorLike, axis: Axis = None, dtype: DTypeLike | None = None,
           out: None = None) -> Tensor:
    """Running sum along ``axis`` (of the flattened tensor if None).

    Examples
    --------
    >>> ag.cumsum(ag.tensor([1.0, 2.0, 3.0]))
    Tensor([1., 3., 6.])
    """
    _no_out("cumsum", out)
    x, ax = _along(_cast(as_tensor(x), dtype), axis, "cumsum")
    xd = x._data
    scan = np.cumsum if type(xd) is np.ndarray else xp_of(xd).cumulative_sum
    try:
        data = scan(xd, axis=ax)
    except RuntimeWarning:  # inf - inf or an overflow, with warnings made errors: quietly
        data = quietly(scan, xd, axis=ax)
    return record(data, (x,), cumsum.op,
                  lambda g, out: (_reverse_cumsum(g, ax),))


# ---------------------------------------------------------------------------- differences

_NOVALUE = object()


@op(composite=True, method="diff", function=np.diff)
def diff(a: TensorLike, n: int = 1, axis: int = -1, prepend: Any = _NOVALUE,
         append: Any = _NOVALUE) -> Tensor:
    """``n``-th discrete difference along ``axis``, ``a[1:] - a[:-1]`` applied ``n`` times,
    after joining ``prepend``/``append`` (a number is repeated across the other axes)."""
    a = as_tensor(a)
    n = operator.index(n)
    if n < 0:
        raise ValueError(f"diff: order n must be non-negative, got {n}")
    if n == 0:
        return a
    if a.ndim == 0:
        raise ValueError("diff: requires input that is at least one dimensional")
    ax = normalize_axis(axis, a.ndim, "diff")[0]
    parts = []
    for extra in (prepend, a, append):
        if extra is _NOVALUE:
            continue
        t = lift(extra, a)
        if t.ndim == 0:  # a number is repeated across the other axes
            t = broadcast_to(t, a.shape[:ax] + (1,) + a.shape[ax + 1:])
        parts.append(t)
    if len(parts) > 1:
        a = concatenate(parts, axis=ax)
    lo = (slice(None),) * ax + (slice(1, None), ...)  # the standard's indexing: every axis named
    hi = (slice(None),) * ax + (slice(None, -1), ...)
    for _ in range(n):
        a = a[lo] - a[hi]
    return a


@op(composite=True, function=np.gradient)
def gradient(f: TensorLike, *varargs: Any, axis: Axis = None,
             edge_order: int = 1) -> Tensor | tuple[Tensor, ...]:
    """numpy's ``gradient``: central differences inside, one-sided (``edge_order`` 1 or 2) at
    the ends, with unit spacing, a spacing per axis, or coordinates per axis. One axis gives
    one tensor, several a tuple."""
    f = as_tensor(f)
    axes = list(range(f.ndim)) if axis is None else axis_list(axis, f.ndim, "gradient")
    if len(varargs) == 0:
        spacing = [1.0] * len(axes)
    elif len(varargs) == 1 and _plain(varargs[0]).ndim == 0:
        spacing = [varargs[0]] * len(axes)
    elif len(varargs) == len(axes):
        spacing = list(varargs)
    else:
        raise TypeError(f"gradient: {len(varargs)} spacings given for {len(axes)} axes")
    if edge_order not in (1, 2):
        raise ValueError(f"gradient: edge_order must be 1 or 2, got {edge_order}")
    if f.dtype.kind not in "fc":
        f = f.astype(np.float64)
    results = tuple(_gradient_along(f, ax, _plain(h), edge_order)
                    for ax, h in zip(axes, spacing))
    return results[0] if len(results) == 1 else results


def _plain(h):
    if isinstance(h, Tensor):
        if h._requires_grad:
            raise TypeError("gradient: spacings or coordinates that require grad are not "
                            "supported")
        return h._data
    return h if is_array(h) else np.asarray(h)


def _gradient_along(f: Tensor, ax: int, h, edge_order: int) -> Tensor:
    n = f.shape[ax]
    if n < edge_order + 1:
        raise ValueError(f"gradient: axis {ax} has {n} element(s); at least edge_order + 1 = "
                         f"{edge_order + 1} are needed")

    def part(lo, hi=None):
        return f[(slice(None),) * ax + (slice(lo, hi), ...)]

    shape = (-1,) + (1,) * (f.ndim - ax - 1)
    if type(h) is np.ndarray:
        def along(c):  # coefficients shaped to run along ax
            return _wrap(np.asarray(c, dtype=f.dtype).reshape(shape))

        if h.ndim == 0:
            dx = np.full(n - 1, float(h))
        elif h.shape == (n,):
            dx = np.diff(h.astype(f.dtype))
    else:  # spacings or coordinates of another backend: computed there, never looked at
        xp = xp_of(h)
        dtype = xp.dtype(f.dtype)

        def along(c):
            return _wrap(xp.reshape(xp.astype(c, dtype, copy=False), shape))

        if h.ndim == 0:
            dx = xp.broadcast_to(xp.astype(h, xp.dtype(np.float64)), (n - 1,))
        elif h.shape == (n,):
            dx = xp.diff(xp.astype(h, dtype))
    if h.ndim and h.shape != (n,):
        raise ValueError(f"gradient: coordinates for axis {ax} must have shape ({n},), "
                         f"got {h.shape}")
    with np.errstate(all="ignore"):  # coordinates holding inf or nan: IEEE results, quietly
        return _gradient_formula(part, along, dx, ax, edge_order)


def _gradient_formula(part, along, dx, ax: int, edge_order: int) -> Tensor:
    """numpy's formulas, with the spacings ``dx`` (an array, numpy's or the spacings' own
    backend's) as coefficient tensors running along ``ax``."""
    d1, d2 = dx[:-1], dx[1:]
    interior = (part(None, -2) * along(-d2 / (d1 * (d1 + d2)))
                + part(1, -1) * along((d2 - d1) / (d1 * d2))
                + part(2) * along(d1 / (d2 * (d1 + d2))))
    if edge_order == 1:
        first = (part(1, 2) - part(0, 1)) / along(dx[:1])
        last = (part(-1) - part(-2, -1)) / along(dx[-1:])
    else:  # a, b: the first (then the last) two spacings, as 1-element arrays
        a, b = dx[:1], dx[1:2]
        first = (part(0, 1) * along(-(2 * a + b) / (a * (a + b)))
                 + part(1, 2) * along((a + b) / (a * b)) + part(2, 3) * along(-a / (b * (a + b))))
        a, b = dx[-2:-1], dx[-1:]
        last = (part(-3, -2) * along(b / (a * (a + b))) + part(-2, -1) * along(-(a + b) / (a * b))
                + part(-1) * along((2 * b + a) / (b * (a + b))))
    return concatenate([first, interior, last], axis=ax)


# ---------------------------------------------------------------------------- ordering


@op(composite=True, function=np.sort)
def sort(a: TensorLike, axis: int | None = -1, kind: str | None = None, order: Any = None, *,
         stable: bool | None = None) -> Tensor:
    """The values sorted along ``axis`` (of the flattened tensor if None); each gradient goes
    back to the position its value came from (ties keep their order)."""
    if order is not None:
        raise TypeError("sort: order= (structured arrays) is not supported on Tensors")
    a = as_tensor(a)
    if axis is None:
        a, axis = reshape(a, (-1,)), 0
    if a.ndim == 0:
        raise ValueError(f"sort: axis {axis} is out of range for a 0-d tensor")
    ad = a._data
    if type(ad) is np.ndarray:
        perm = np.argsort(ad, axis=axis, kind="stable")
    else:
        perm = xp_of(ad).argsort(ad, axis=normalize_axis(axis, a.ndim, "sort")[0], stable=True)
    return take_along_axis(a, perm, axis)


@op(composite=True, function=np.partition)
def partition(a: TensorLike, kth: int | Sequence[int], axis: int | None = -1,
              kind: Any = "introselect",
              order: Any = None) -> Tensor:
    """numpy's ``partition``: the ``kth`` element in its sorted place, smaller ones before it
    and larger ones after; each gradient goes back to the position its value came from."""
    if order is not None:
        raise TypeError("partition: order= (structured arrays) is not supported on Tensors")
    a = as_tensor(a)
    if axis is None:
        a, axis = reshape(a, (-1,)), 0
    ad = a._data
    if type(ad) is np.ndarray:
        return take_along_axis(a, np.argpartition(ad, kth, axis=axis, kind=kind), axis)
    # the standard has no partition: a sorted order is one (numpy leaves the order of the
    # elements on either side of each kth unspecified)
    ax = normalize_axis(axis, a.ndim, "partition")[0]
    n = a.shape[ax]
    for k in np.atleast_1d(np.asarray(kth)).tolist():
        if not -n <= k < n:
            raise ValueError(f"partition: kth {k} is out of bounds for axis {ax} of size {n}")
    return sort(a, ax)
