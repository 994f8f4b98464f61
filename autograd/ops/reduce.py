"""Reductions over ``axis`` (None, an int or a tuple) with ``keepdims``, and the softmax family.

The backward of a reduction broadcasts the incoming gradient back over the reduced axes, so it
first restores them as size-1 axes when ``keepdims=False``.
"""

from __future__ import annotations

import numpy as np

from .. import return_types
from .._quiet import quietly
from .._tensor import Tensor, _wrap, record
from ..backend import sum_last
from ..mode import recording
from ..registry import op
from ..typing import Axis, TensorLike
from ._util import as_tensor, floating, kept_shape, normalize_axis, xp_of
from .selection import take_along
from .shape import _small, broadcast_to, reshape

_F16, _F32, _I64 = np.dtype(np.float16), np.dtype(np.float32), np.dtype(np.int64)


def _in_float32(fn, x: Tensor, *args) -> Tensor:
    """``fn(x, *args)`` for a float16 ``x``, computed (and accumulated) in float32 and cast back,
    as PyTorch accumulates half-precision reductions: a float16 sum or mean of 100,000 values
    neither loses its small terms nor overflows its count. Differentiable through the casts."""
    from .elementwise import astype

    return astype(fn(astype(x, _F32), *args), _F16)


def _floating_only(x: Tensor, name: str) -> None:
    if x.dtype.kind not in "fc":
        raise TypeError(f"{name}: the input must be a floating-point tensor (as in PyTorch), got "
                        f"dtype {x.dtype}; convert it first, e.g. x.astype(np.float32)")


def _restore(g: Tensor, shape: tuple, axes, keepdims: bool) -> Tensor:
    """The gradient of a reduction's output, reshaped so it broadcasts against its input."""
    return g if keepdims else reshape(g, kept_shape(shape, axes))



def _count(x: Tensor, axes: tuple | None) -> int:
    """How many elements a reduction over ``axes`` combines."""
    return x.size if axes is None else int(np.prod([x.shape[a] for a in axes]))


def _sum_kernel(xd, axes, keepdims: bool):
    xp = xp_of(xd)
    # float16 accumulates in float32, as PyTorch does for half
    dtype = _F32 if xd.dtype is _F16 else None
    data = xp.sum(xd, axis=axes, keepdims=keepdims, dtype=dtype)
    if dtype is not None:
        data = quietly(xp.astype, data, _F16)  # past float16's range: inf
    return data


def _sum_grads(g, needs, y, ctx, x, axes, keepdims: bool):
    return (_spread_array(g, x.shape, axes, keepdims),)


@op(method="sum", function=np.sum, saves=None, formula="1", replay=_sum_kernel,
    replay_backward=_sum_grads)
def sum(x: TensorLike, axis: Axis = None, keepdims: bool = False) -> Tensor:
    """Sum over ``axis`` (all axes by default).

    Examples
    --------
    >>> ag.tensor([[1.0, 2.0], [3.0, 4.0]]).sum(axis=0)
    Tensor([4., 6.])
    """
    x = as_tensor(x)
    axes = normalize_axis(axis, x.ndim, "sum")
    try:
        data = _sum_kernel(x._data, axes, keepdims)
    except RuntimeWarning:  # an overflow, with warnings made errors: inf, quietly
        data = quietly(_sum_kernel, x._data, axes, keepdims)
    return record(data, (x,), sum.op, _sum_backward, attrs=(axes, keepdims),
                  ctx=(axes, keepdims))


def _sum_backward(g, out):
    axes, keepdims = out._ctx
    return (_spread(g, out._p1._data.shape, axes, keepdims),)


def _spread(g: Tensor, shape: tuple, axes, keepdims: bool) -> Tensor:
    """A sum's gradient ``g`` spread back over the summed axes (``shape``).

    Recorded, or off numpy: ``broadcast_to`` of the restored axes, differentiable again.
    Training on numpy: the same values without the two op calls (every loss's backward starts
    here): a small result filled in, a large one numpy's read-only broadcast view."""
    gd = g._data
    if recording() or gd.__class__ is not np.ndarray:
        return broadcast_to(_restore(g, shape, axes, keepdims), shape)
    data = _spread_array(gd, shape, axes, keepdims)
    return g if data is gd else _wrap(data)


def _spread_array(gd: np.ndarray, shape: tuple, axes, keepdims: bool) -> np.ndarray:
    """``_spread`` on numpy arrays (``gd`` itself when nothing is spread)."""
    if not keepdims and gd.ndim:
        gd = gd.reshape(kept_shape(shape, axes))
    if gd.shape == shape:
        return gd
    if _small(shape):
        data = np.empty(shape, dtype=gd.dtype)
        data[...] = gd
        data.flags.writeable = False  # read-only, as broadcast_to's result
    else:
        data = np.broadcast_to(gd, shape)
    return data


@op(composite=True, method="mean", function=np.mean)
def mean(x: TensorLike, axis: Axis = None, keepdims: bool = False) -> Tensor:
    """Arithmetic mean over ``axis`` (float16 accumulates in float32)."""
    x = as_tensor(x)
    axes = normalize_axis(axis, x.ndim, "mean")
    _floating_only(x, "mean")
    if x._data.dtype is _F16:
        return _in_float32(mean, x, axes, keepdims)
    n = _count(x, axes)
    return sum(x, axes, keepdims) / n


def _extreme(fn, x, axis, keepdims: bool) -> Tensor:
    name = fn.op.name
    x = as_tensor(x)
    axes = normalize_axis(axis, x.ndim, name)
    if x.size == 0:  # fine over non-empty axes (an empty result), as in PyTorch
        if axes is None:
            raise ValueError(f"{name}: cannot reduce an empty tensor of shape {x.shape} "
                             "over all its axes (the result would have no value)")
        for a in axes:
            if x.shape[a] == 0:
                raise ValueError(f"{name}: cannot reduce over axis {a} of size 0 (tensor of "
                                 f"shape {x.shape}); give an axis of non-zero size")
    xd = x._data
    xp = xp_of(xd)
    reduce = xp.max if name == "max" else xp.min
    data = reduce(xd, axis=axes, keepdims=keepdims)

    def backward(g, out):
        # the gradient goes to every position equal to the extreme, split evenly among ties
        hit = xp.astype(xd == reduce(xd, axis=axes, keepdims=True), xd.dtype)
        share = hit / xp.sum(hit, axis=axes, keepdims=True)
        return (_restore(g, x.shape, axes, keepdims) * _wrap(share),)

    return record(data, (x,), fn, backward)


def _extreme_dim(fn, result, x, dim=None, keepdim: bool = False):
    """PyTorch's ``max(dim)``/``min(dim)``: ``(values, indices)``; the gradient goes to the
    element at ``indices`` (the first extreme), as PyTorch sends it."""
    name = fn.op.name
    x = as_tensor(x)
    if dim is None:
        raise TypeError(f"{name}: keepdim= needs dim= (PyTorch's {name}(dim, keepdim) returns "
                        f"(values, indices)); for the {name} of all elements call {name}()")
    if not isinstance(dim, (int, np.integer)):
        raise TypeError(f"{name}: dim must be an int, got {dim!r}")
    if x.size == 0:
        raise ValueError(f"{name}: cannot reduce an empty tensor of shape {x.shape}")
    xd = x._data
    xp = xp_of(xd)
    if x.ndim == 0:
        normalize_axis(dim, 0, name)
        return result(x, _wrap(xp.zeros((), dtype=xp.dtype(_I64))))
    ax = normalize_axis(dim, x.ndim, name)[0]
    arg = xp.argmax if name == "max" else xp.argmin
    idx = xp.astype(arg(xd, axis=ax, keepdims=True), xp.dtype(_I64), copy=False)
    values = take_along(x, idx, ax)
    if not keepdim:
        idx = xp.squeeze(idx, axis=ax)
        values = reshape(values, idx.shape)
    return result(values, _wrap(idx))


def _max_dim(x, dim=None, keepdim: bool = False):
    return _extreme_dim(max, return_types.max, x, dim, keepdim)


def _min_dim(x, dim=None, keepdim: bool = False):
    return _extreme_dim(min, return_types.min, x, dim, keepdim)


@op(method="max", function=(np.max, np.amax), saves="inputs", pytorch=_max_dim,
    formula="1 at the maximum (shared on ties), else 0")
def max(x: TensorLike, axis: Axis | None = None, keepdims: bool = False) -> Tensor:
    """Maximum over ``axis``; the gradient flows to the arg-max positions (ties split evenly).

    Spelled as PyTorch (``x.max(dim=1)``, ``keepdim=``) it returns ``(values, indices)``.
    """
    return _extreme(max, x, axis, keepdims)


@op(method="min", function=(np.min, np.amin), saves="inputs", pytorch=_min_dim,
    formula="1 at the minimum (shared on ties), else 0")
def min(x: TensorLike, axis: Axis | None = None, keepdims: bool = False) -> Tensor:
    """Minimum over ``axis``; the gradient flows to the arg-min positions (ties split evenly).

    Spelled as PyTorch (``x.min(dim=1)``, ``keepdim=``) it returns ``(values, indices)``.
    """
    return _extreme(min, x, axis, keepdims)


def _correction(name: str, unbiased, correction) -> float:
    if unbiased is not None and correction is not None:
        raise TypeError(f"{name}: give unbiased= or correction=, not both")
    if correction is not None:
        return correction
    return 1 if unbiased is None else int(bool(unbiased))


def _var_dim(x, dim=None, unbiased=None, keepdim: bool = False, *, correction=None):
    """PyTorch's ``var``: unbiased (correction 1) unless told otherwise."""
    return var(x, dim, keepdim, ddof=_correction("var", unbiased, correction))


def _std_dim(x, dim=None, unbiased=None, keepdim: bool = False, *, correction=None):
    """PyTorch's ``std``: unbiased (correction 1) unless told otherwise."""
    return std(x, dim, keepdim, ddof=_correction("std", unbiased, correction))


@op(composite=True, method="var", function=np.var, numpy_args={"correction": "ddof"},
    pytorch=_var_dim)
def var(x: TensorLike, axis: Axis = None, keepdims: bool = False,
        ddof: float = 0) -> Tensor:
    """Variance over ``axis``: ``sum((x - mean)²) / (N - ddof)``.

    Spelled as PyTorch (``dim=``, ``keepdim=``, ``correction=``, ``unbiased=``) it is
    PyTorch's: unbiased (``N - 1``) unless ``correction``/``unbiased`` say otherwise.
    """
    x = as_tensor(x)
    axes = normalize_axis(axis, x.ndim, "var")
    _floating_only(x, "var")
    if x._data.dtype is _F16:
        return _in_float32(var, x, axes, keepdims, ddof)
    n = _count(x, axes)
    d = x - mean(x, axes, keepdims=True)
    return sum(d * d, axes, keepdims) / (n - ddof)


@op(method="std", function=np.std, saves="both", numpy_args={"correction": "ddof"},
    pytorch=_std_dim, formula="(x − mean) / ((N − ddof)·std), 0 where std = 0")
def std(x: TensorLike, axis: Axis = None, keepdims: bool = False,
        ddof: float = 0) -> Tensor:
    """Standard deviation over ``axis``: ``sqrt(var(x, axis, ddof=ddof))``.

    Spelled as PyTorch (``dim=``, ``keepdim=``, ``correction=``, ``unbiased=``) it is
    PyTorch's: unbiased unless ``correction``/``unbiased`` say otherwise.

    Where the spread is 0 (constant data, a size-1 axis, a 0-d input) the gradient is 0, as in
    PyTorch, not the NaN of differentiating ``sqrt`` at 0.
    """
    x = as_tensor(x)
    axes = normalize_axis(axis, x.ndim, "std")
    _floating_only(x, "std")
    if x._data.dtype is _F16:
        return _in_float32(std, x, axes, keepdims, ddof)
    n = _count(x, axes)
    xd = x._data
    if type(xd) is np.ndarray:
        with np.errstate(divide="ignore", invalid="ignore"):
            data = np.std(xd, axis=axes, keepdims=keepdims, ddof=ddof)
    else:  # the standard's name for ddof; the result has the same nan/inf as numpy's
        data = quietly(xp_of(xd).std, xd, axis=axes, keepdims=keepdims, correction=ddof)

    def backward(g, out):
        from .elementwise import where

        # d std = d var / (2 std), taken as 0 where std = 0; d var = 2 (x − mean) / (N − ddof)
        s = _restore(out, x.shape, axes, keepdims)
        zero = _wrap(s._data == 0)
        scale = where(zero, 0.0, _restore(g, x.shape, axes, keepdims) / where(zero, 1.0, s))
        return (scale * (x - mean(x, axes, keepdims=True)) / (n - ddof),)

    return record(data, (x,), std.op, backward)


def sum_kept(xp, a, axes):
    """The sum of ``a`` over ``axes``, dims kept; over the last axis alone, ``sum_last``'s
    (many short rows summed as one matrix product)."""
    if a.ndim and axes == (a.ndim - 1,):
        return sum_last(a)
    return xp.sum(a, axis=axes, keepdims=True)


def _logsumexp_kept(xp, xd, m, axes):
    return xp.log(sum_kept(xp, xp.exp(xd - m), axes)) + m


@op(method="logsumexp", saves="both", formula="softmax(x) = exp(x − out)")
def logsumexp(x: TensorLike, axis: Axis = None, keepdims: bool = False) -> Tensor:
    """``log(sum(exp(x)))`` over ``axis``, exact and finite for large inputs."""
    from .elementwise import exp

    x = as_tensor(x)
    axes = normalize_axis(axis, x.ndim, "logsumexp")
    x = floating(x)  # of integers or bools: the default float dtype
    if x._data.dtype is _F16:
        return _in_float32(logsumexp, x, axes, keepdims)
    xd = x._data
    xp = xp_of(xd)
    if xd.size:
        m = max_kept(xp, xd, axes)
        m = xp.where(xp.isfinite(m), m, xp.zeros_like(m))
    else:
        m = xp.zeros(kept_shape(xd.shape, axes), dtype=xd.dtype)
    try:
        data = _logsumexp_kept(xp, xd, m, axes)
    except RuntimeWarning:  # warnings made errors: the IEEE result, quietly
        data = quietly(_logsumexp_kept, xp, xd, m, axes)
    if not keepdims:
        data = xp.reshape(data, tuple(s for i, s in enumerate(xd.shape)
                                      if axes is not None and i not in axes))
    # d lse / dx = softmax(x) = exp(x - lse)
    return record(data, (x,), logsumexp.op, lambda g, out: (
        _restore(g, x.shape, axes, keepdims) * exp(x - _restore(out, x.shape, axes, keepdims)),))


def max_kept(xp, xd, axes):
    """The maximum of ``xd`` over ``axes``, dims kept: the shift that keeps softmax, log_softmax
    and logsumexp finite.

    numpy reduces a short last axis one row at a time (about 60 ns a row: 115 µs for the
    (16, 4, 32, 32) scores of a small transformer's attention); for many short rows the
    maximum is taken down the columns of a transposed copy instead, a vectorized pass, three
    times faster with the copy. A maximum is exact, so the result is the same either way.
    """
    if type(xd) is np.ndarray and xd.ndim and axes == (xd.ndim - 1,):
        c = xd.shape[-1]
        if 8 <= c <= 64 and xd.size >= 256 * c and xd.flags.c_contiguous:
            columns = np.ascontiguousarray(xd.reshape(-1, c).T)
            return np.maximum.reduce(columns, axis=0).reshape(xd.shape[:-1] + (1,))
    return xp.max(xd, axis=axes, keepdims=True)


def _log_softmax(xp, xd, axes):
    shifted = xd - max_kept(xp, xd, axes)
    return shifted - xp.log(sum_kept(xp, xp.exp(shifted), axes))


@op(method="log_softmax", saves="output", formula="g − softmax(x)·Σg, softmax(x) = exp(out)")
def log_softmax(x: TensorLike, axis: int = -1) -> Tensor:
    """Log-probabilities ``(x - max) - log(sum(exp(x - max)))`` along ``axis``: PyTorch's
    formula, exact at any magnitude (``[1e30, 1e30, 1]`` gives ``[-log 2, -log 2, -1e30]``).

    Examples
    --------
    >>> ag.log_softmax(ag.tensor([0.0, 0.0]))
    Tensor([-0.6931472, -0.6931472])
    """
    from .elementwise import exp

    x = as_tensor(x)
    axes = normalize_axis(axis, x.ndim, "log_softmax")
    x = floating(x)  # of integers or bools: the default float dtype
    if x._data.dtype is _F16:
        return _in_float32(log_softmax, x, axes)
    xd = x._data
    xp = xp_of(xd)
    if xd.size:
        try:
            data = _log_softmax(xp, xd, axes)
        except RuntimeWarning:  # a row holding inf: nan, as in PyTorch, quietly
            data = quietly(_log_softmax, xp, xd, axes)
    else:
        data = xd.copy() if type(xd) is np.ndarray else xd
    # y = log_softmax(x):  dx = g - softmax(x) · sum(g), softmax(x) = exp(y)
    return record(data, (x,), log_softmax.op, lambda g, out: (
        g - exp(out) * sum(g, axes, keepdims=True),))


def _softmax(xp, xd, axes):
    if type(xd) is not np.ndarray:  # no in-place division off numpy
        if not xd.size:
            return xp.exp(xd)
        e = xp.exp(xd - xp.max(xd, axis=axes, keepdims=True))
        return e / xp.sum(e, axis=axes, keepdims=True)
    e = np.exp(xd - max_kept(np, xd, axes)) if xd.size else np.exp(xd)
    e /= sum_kept(np, e, axes)
    return e


@op(method="softmax", saves="output", formula="y·(g − Σ g·y), y = softmax(x)")
def softmax(x: TensorLike, axis: int = -1) -> Tensor:
    """``exp(x) / sum(exp(x))`` along ``axis``, stable for large inputs.

    Examples
    --------
    >>> ag.softmax(ag.tensor([0.0, 0.0]))
    Tensor([0.5, 0.5])
    """
    x = as_tensor(x)
    axes = normalize_axis(axis, x.ndim, "softmax")
    x = floating(x)  # of integers or bools: the default float dtype
    if x._data.dtype is _F16:
        return _in_float32(softmax, x, axes)
    xd = x._data
    xp = xp_of(xd)
    try:
        e = _softmax(xp, xd, axes)
    except RuntimeWarning:  # warnings made errors: the IEEE result, quietly
        e = quietly(_softmax, xp, xd, axes)
    # y = softmax(x):  dx = y · (g - sum(g · y))
    return record(e, (x,), softmax.op, lambda g, out: (
        out * (g - sum(g * out, axes, keepdims=True)),))
