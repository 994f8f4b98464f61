"""Pooling over sliding windows: ``max_pool2d`` and ``avg_pool2d``, one op each.

Forward reads the windows as a strided view (``conv.windows``); backward adds each window's
gradient back into place with strided adds (``col2im``). Max pooling sends the gradient to the
first maximum of each window (PyTorch's choice on ties), average pooling spreads it evenly.
Both backward passes are linear in the incoming gradient with constant coefficients, so they
are differentiable again through ``col2im`` (whose backward is ``im2col``).
"""

# numpy's scalar results are too loosely typed for pyright to follow the arithmetic on them
# here; the signatures are checked as usual.
# pyright: reportOperatorIssue=false, reportAttributeAccessIssue=false, reportIndexIssue=false

from __future__ import annotations

import math

import numpy as np

from autograd import (
    Tensor,
    as_tensor,
    broadcast_to,
    is_grad_enabled,
    op,
    record,
    reshape,
    saved,
)
from autograd.typing import TensorLike

from ._common import constant_in, dtype_in, grads, namespace, tensor_of
from .conv import Geometry, add_windows, col2im, geometry, windows

__all__ = ["max_pool2d", "avg_pool2d"]


def _pool_input(name: str, x, d: int, kernel_size, stride, padding, dilation):
    x = tensor_of(x)
    if x.ndim not in (d + 1, d + 2):
        raise ValueError(f"{name}: expected {d + 1}-D (unbatched) or {d + 2}-D (batched) "
                         f"input, got input of shape {x.shape}")
    if stride is None or isinstance(stride, (tuple, list)) and len(stride) == 0:
        stride = kernel_size
    geo = geometry(name, x.shape[-d:], kernel_size, stride, padding, dilation)
    if any(lo > sp // 2 for (lo, _), sp in zip(geo.pads, geo.span)):
        raise ValueError(f"{name}: pad should be at most half of effective kernel size, but "
                         f"got pad={padding}, kernel_size={kernel_size} and "
                         f"dilation={dilation}")
    return x, geo


def _spread(g, geo: Geometry, d: int, factor):
    """Each output gradient times ``factor`` (its window's weights, broadcast against
    (N, C, *out, *kernel)), added back into place."""
    full = g.shape + geo.kernel
    if is_grad_enabled():
        if isinstance(factor, np.ndarray):
            factor = Tensor(factor.astype(g.dtype, copy=False))
        elif not isinstance(factor, (float, int)):  # another backend's constant array
            factor = as_tensor(factor)
        return col2im(broadcast_to(reshape(g, g.shape + (1,) * d) * factor, full), geo)
    gd = g.data
    if type(gd) is np.ndarray:
        return add_windows(np.broadcast_to(gd.reshape(g.shape + (1,) * d) * factor, full), geo)
    xp = namespace(gd)
    return add_windows(xp.broadcast_to(xp.reshape(gd, g.shape + (1,) * d) * factor, full), geo)


def _max_pool_kernel(xd: np.ndarray, geo: Geometry):
    """max_pool2d on a numpy array: the maximum of each window, one kernel offset at a time
    over output-sized arrays, and what the backward reads (the windows, a strided view)."""
    fill = -np.inf if xd.dtype.kind == "f" else np.iinfo(xd.dtype).min
    win = windows(xd, geo, pad_value=fill)
    offsets = geo.offsets
    data = win[(Ellipsis,) + offsets[0]].copy()
    for o in offsets[1:]:
        np.maximum(data, win[(Ellipsis,) + o], out=data)  # NaN propagates, as in PyTorch
    return data, (win, geo)


def _max_pool_grads(g, needs, y, ctx, *args):
    """max_pool2d's backward on numpy arrays (``ag.compile`` replays it): each window's
    gradient to its first maximum, found in the forward's windows (``ctx``)."""
    win, geo = ctx
    gd, data = g, y
    gx = np.zeros(gd.shape[:2] + geo.padded, dtype=gd.dtype)
    # windows that do not overlap (stride >= kernel, no dilation): each input position is in
    # at most one window, so each offset's share is written instead of added
    disjoint = all(s >= k for s, k in zip(geo.stride, geo.kernel)) and \
        all(dl == 1 for dl in geo.dilation)
    for place, (_, hit) in zip(geo.places, _firsts(win, data)):
        if disjoint:
            np.multiply(gd, hit, out=gx[place])
        else:
            gx[place] += gd * hit
    return (gx[geo.inner],)


@op(export=False, saves=None, formula="1 at each window's first maximum, else 0",
    replay=_max_pool_kernel, context=True, replay_backward=_max_pool_grads)
def max_pool2d(input: TensorLike, kernel_size: int | tuple[int, ...], stride: int | tuple[int,
               ...] | None = None, padding: int | tuple[int, ...] | str = 0,
               dilation: int | tuple[int, ...] = 1) -> Tensor:
    """The maximum of each ``kernel_size`` window of ``input`` (N, C, H, W) or (C, H, W).

    ``stride`` defaults to ``kernel_size``; ``padding`` (at most half the kernel) pads with
    -inf. The gradient goes to the first maximum of each window, as in PyTorch.

    Examples
    --------
    >>> F.max_pool2d(ag.arange(16.0).reshape(1, 1, 4, 4), 2)
    Tensor([[[[ 5.,  7.],
              [13., 15.]]]])
    """
    x, geo = _pool_input("max_pool2d", input, 2, kernel_size, stride, padding, dilation)
    if x.ndim == 3:
        out = max_pool2d(reshape(x, (1,) + x.shape), kernel_size, stride, padding, dilation)
        return reshape(out, out.shape[1:])
    if type(x.data) is not np.ndarray:
        return _max_pool_portable(x, geo)
    data, ctx = _max_pool_kernel(x.data, geo)
    return record(data, (x,), max_pool2d, _max_pool_backward, attrs=(geo,), ctx=ctx)


def _max_pool_backward(g, out):
    # the gradient of each window goes to its first maximum
    _, (win, geo) = saved(out)
    data = out.data
    if is_grad_enabled():
        onehot = np.stack([hit for _, hit in _firsts(win, data)], axis=-1)
        return grads(_spread(g, geo, 2, onehot.reshape(data.shape + geo.kernel)))
    return grads(*_max_pool_grads(g.data, None, data, (win, geo)))



def _firsts(win: np.ndarray, data: np.ndarray):
    """For each kernel offset of ``win`` (N, C, *out, *kernel), where it holds its window's
    first maximum of ``data`` (a NaN maximum: the window's first NaN)."""
    nan = data.dtype.kind == "f" and bool(np.isnan(data).any())
    offsets = tuple(np.ndindex(*win.shape[4:]))
    taken = None
    last = len(offsets) - 1
    for k, o in enumerate(offsets):
        v = win[(Ellipsis,) + o]
        hit = (v == data) | (np.isnan(v) & np.isnan(data)) if nan else v == data
        if taken is None:
            taken = hit.copy() if last else hit
        else:
            np.greater(hit, taken, out=hit)  # hit and not taken (booleans)
            if k < last:
                taken |= hit
        yield o, hit


def _max_pool_portable(x: Tensor, geo: Geometry) -> Tensor:
    """max_pool2d on another backend: the maximum over the stacked windows, the gradient at
    each window's first maximum (``argmax``, as numpy's ties and NaN)."""
    xd = x.data
    xp = namespace(xd)
    fill = -math.inf if x.dtype.kind == "f" else int(np.iinfo(x.dtype).min)
    win = windows(xd, geo, pad_value=fill)
    k = math.prod(geo.kernel)
    flat = xp.reshape(win, tuple(win.shape[:4]) + (k,))
    data = xp.max(flat, axis=-1)

    def onehot(dtype):
        first = xp.argmax(flat, axis=-1)
        hot = first[..., None] == xp.arange(k, dtype=first.dtype)
        return xp.reshape(xp.astype(hot, dtype_in(xp, dtype)), tuple(data.shape) + geo.kernel)

    def backward(g, out):
        return grads(_spread(g, geo, 2, onehot(g.dtype)))

    return record(data, (x,), max_pool2d, backward, attrs=None)


@op(export=False, saves=None, formula="1 / (window size) at each window position")
def avg_pool2d(input: TensorLike, kernel_size: int | tuple[int, ...], stride: int | tuple[int,
               ...] | None = None, padding: int | tuple[int, ...] | str = 0,
               count_include_pad: bool = True,
               divisor_override: int | None = None) -> Tensor:
    """The mean of each ``kernel_size`` window of ``input`` (N, C, H, W) or (C, H, W).

    ``stride`` defaults to ``kernel_size``; ``padding`` pads with zeros, which count in the
    mean unless ``count_include_pad=False``; ``divisor_override`` replaces the window size.

    Examples
    --------
    >>> F.avg_pool2d(ag.ones(1, 1, 4, 4), 2).shape
    (1, 1, 2, 2)
    """
    x, geo = _pool_input("avg_pool2d", input, 2, kernel_size, stride, padding, 1)
    if x.ndim == 3:
        out = avg_pool2d(reshape(x, (1,) + x.shape), kernel_size, stride, padding,
                         count_include_pad, divisor_override)
        return reshape(out, out.shape[1:])
    if divisor_override is not None:
        if divisor_override <= 0:
            raise ValueError(f"avg_pool2d: divisor_override must be positive, "
                             f"got {divisor_override}")
        divisor = divisor_override
    elif count_include_pad or not any(lo for lo, _ in geo.pads):
        divisor = math.prod(geo.kernel)
    else:  # each window's count of real (unpadded) elements
        ones = np.ones((1, 1) + geo.size, dtype=x.dtype)
        divisor = windows(ones, geo).sum(axis=(-2, -1))[0, 0]
    dtype = x.dtype if x.dtype.kind == "f" else np.float64
    scale = 1.0 / divisor if np.isscalar(divisor) else (1.0 / divisor).astype(dtype)
    if not np.isscalar(scale):
        scale = scale[:, :, None, None]
    xd = x.data
    if type(xd) is np.ndarray:
        data = (windows(xd, geo).sum(axis=(-2, -1)) / divisor).astype(dtype, copy=False)
    else:  # another backend: the divisor and the scale are constants moved there
        xp = namespace(xd)
        if not np.isscalar(divisor):
            divisor, scale = constant_in(xp, divisor, dtype), constant_in(xp, scale, dtype)
        if x.dtype != dtype:  # integers: averaged in float64
            xd = xp.astype(xd, dtype_in(xp, dtype))
        data = xp.sum(windows(xd, geo), axis=(-2, -1)) / divisor

    def backward(g, out):
        # each input position gets the gradients of the windows it is in, over their size
        return grads(_spread(g, geo, 2, scale))

    return record(data, (x,), avg_pool2d, backward)
