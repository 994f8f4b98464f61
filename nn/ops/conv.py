"""Convolution: sliding windows forward, strided adds backward.

``im2col`` takes every window of a (padded) input as a strided view (what numpy's
``sliding_window_view`` gives, no index arrays); ``col2im`` adds windows back into place with one
strided add per kernel offset (no ``np.add.at`` scatter). They are each other's backward, so
every derivative built from them is differentiable again. ``conv1d``/``conv2d`` are one op each:
one matrix product of the windows with the weight forward; backward, the weight gradient is the
product of the output gradient with the saved windows and the input gradient is ``col2im`` of
the output gradient times the weight. Their backward runs on the raw arrays in training and on
Tensors (``im2col``, ``col2im``, ``matmul``) when it is recorded (``create_graph=True``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.lib.stride_tricks import as_strided

from autograd import Tensor, is_grad_enabled, op, record, reshape, transpose
from autograd.typing import TensorLike

from ._common import grads, ntuple, tensor_of

__all__ = ["conv1d", "conv2d", "im2col", "col2im", "Geometry", "geometry"]


@dataclass(frozen=True)
class Geometry:
    """Where the windows of a convolution or pooling lie, per spatial dimension.

    ``size`` is the input's spatial size, ``pads`` the (before, after) zero padding, ``out``
    the number of windows along each dimension.
    """

    size: tuple
    kernel: tuple
    stride: tuple
    dilation: tuple
    pads: tuple

    @property
    def padded(self) -> tuple:
        return tuple(s + lo + hi for s, (lo, hi) in zip(self.size, self.pads))

    @property
    def span(self) -> tuple:
        return tuple(dl * (k - 1) + 1 for k, dl in zip(self.kernel, self.dilation))

    @property
    def out(self) -> tuple:
        return tuple((p - sp) // s + 1 for p, sp, s in zip(self.padded, self.span, self.stride))


def geometry(name: str, size: tuple, kernel, stride, padding, dilation) -> Geometry:
    """Check the size arguments of a convolution or pooling call and describe its windows."""
    d = len(size)
    kernel = ntuple(name, "kernel_size", kernel, d, 1)
    stride = ntuple(name, "stride", stride, d, 1)
    dilation = ntuple(name, "dilation", dilation, d, 1)
    if isinstance(padding, str):
        if padding == "valid":
            pads = ((0, 0),) * d
        elif padding == "same":
            if any(s != 1 for s in stride):
                raise ValueError(f"{name}: padding='same' is not supported for strided "
                                 f"convolutions (stride={stride})")
            total = [dl * (k - 1) for k, dl in zip(kernel, dilation)]
            pads = tuple((t // 2, t - t // 2) for t in total)
        else:
            raise ValueError(f"{name}: padding must be 'valid', 'same', an int or a tuple of "
                             f"{d} ints, got {padding!r}")
    else:
        pads = tuple((p, p) for p in ntuple(name, "padding", padding, d, 0))
    geo = Geometry(tuple(size), kernel, stride, dilation, pads)
    if any(p < sp for p, sp in zip(geo.padded, geo.span)):
        show = " x ".join
        raise ValueError(
            f"{name}: calculated padded input size per channel: "
            f"({show(map(str, geo.padded))}). Kernel size: ({show(map(str, geo.span))}). "
            "Kernel size can't be greater than actual input size")
    return geo


def windows(x: np.ndarray, geo: Geometry, pad_value: float = 0.0) -> np.ndarray:
    """Every window of ``x`` (N, C, *size) as a strided view of shape (N, C, *out, *kernel).

    The view ``sliding_window_view`` would give, stepped by the stride and dilation, made in
    one ``as_strided`` call (``sliding_window_view`` checks its arguments at a cost of tens
    of microseconds, more than the copy that follows on small images).
    """
    if any(lo or hi for lo, hi in geo.pads):
        xp = np.full(x.shape[:2] + geo.padded, pad_value, dtype=x.dtype)
        xp[(slice(None),) * 2 + tuple(slice(lo, lo + s)
                                      for (lo, _), s in zip(geo.pads, geo.size))] = x
        x = xp
    space = x.strides[2:]
    strides = x.strides[:2] + tuple(st * s for st, s in zip(space, geo.stride)) + \
        tuple(st * dl for st, dl in zip(space, geo.dilation))
    return as_strided(x, x.shape[:2] + geo.out + geo.kernel, strides, writeable=False)


def _place(offset: tuple, geo: Geometry) -> tuple:
    """The input positions (a strided slice of the padded input) that kernel ``offset`` of
    every window reads."""
    return (slice(None),) * 2 + tuple(
        slice(o * dl, o * dl + s * (n - 1) + 1, s)
        for o, dl, s, n in zip(offset, geo.dilation, geo.stride, geo.out))


def add_windows(cols: np.ndarray, geo: Geometry) -> np.ndarray:
    """The adjoint of ``windows``: each window of ``cols`` (N, C, *out, *kernel) added back at
    its place in a zero array of the input's shape, one strided add per kernel offset."""
    d = len(geo.size)
    if geo.stride == geo.kernel and geo.dilation == (1,) * d and \
            geo.padded == tuple(o * k for o, k in zip(geo.out, geo.kernel)):
        # the windows tile the input exactly: one strided copy, (N, C, o1, k1, o2, k2, ...)
        out = np.empty(cols.shape[:2] + geo.padded, dtype=cols.dtype)
        tiles = out.reshape(cols.shape[:2] + tuple(v for ok in zip(geo.out, geo.kernel)
                                                   for v in ok))
        order = (0, 1) + tuple(v for i in range(d) for v in (2 + i, 2 + d + i))
        tiles[...] = cols.transpose(order)
    else:
        out = np.zeros(cols.shape[:2] + geo.padded, dtype=cols.dtype)
        for offset in np.ndindex(*geo.kernel):
            out[_place(offset, geo)] += cols[(Ellipsis,) + offset]
    if any(lo or hi for lo, hi in geo.pads):
        out = out[(slice(None),) * 2 + tuple(slice(lo, lo + s)
                                              for (lo, _), s in zip(geo.pads, geo.size))]
    return out


@op(export=False, saves=None, formula="1 at each window position")
def im2col(x, geo: Geometry) -> Tensor:
    """The windows of ``x`` (N, C, *size) as a tensor (N, C, *out, *kernel)."""
    x = tensor_of(x)
    return record(windows(x.data, geo), (x,), im2col, lambda g, out: (col2im(g, geo),))


@op(export=False, saves=None, formula="1 (each window added back in place)")
def col2im(cols, geo: Geometry) -> Tensor:
    """Windows (N, C, *out, *kernel) summed back into an input-shaped tensor (N, C, *size)."""
    cols = tensor_of(cols)
    return record(add_windows(cols.data, geo), (cols,), col2im,
                  lambda g, out: (im2col(g, geo),))


# ---------------------------------------------------------------------------- convolution


def _matmul_w(cols, w2, groups: int):
    """``cols @ w2.T`` group by group: (M, C·K) windows times (O, C/G·K) weights -> (M, O)."""
    if groups == 1:
        return cols @ w2.T
    m, o = cols.shape[0], w2.shape[0]
    c = cols.reshape(m, groups, -1).transpose((1, 0, 2))
    w = w2.reshape(groups, o // groups, -1).transpose((0, 2, 1))
    return (c @ w).transpose((1, 0, 2)).reshape(m, o)


def _matmul_g(g2, w2, groups: int):
    """``g2 @ w2`` group by group: (M, O) gradients times (O, C/G·K) weights -> (M, C·K)."""
    if groups == 1:
        return g2 @ w2
    m, o = g2.shape
    g = g2.reshape(m, groups, o // groups).transpose((1, 0, 2))
    return (g @ w2.reshape(groups, o // groups, -1)).transpose((1, 0, 2)).reshape(m, -1)


def _weight_grad(g2, cols, groups: int):
    """``g2.T @ cols`` group by group: -> (O, C/G·K)."""
    if groups == 1:
        return g2.T @ cols
    m, o = g2.shape
    g = g2.reshape(m, groups, o // groups).transpose((1, 2, 0))
    c = cols.reshape(m, groups, -1).transpose((1, 0, 2))
    return (g @ c).reshape(o, -1)


def _input_grad_channels_last(g2: np.ndarray, w: np.ndarray, geo: Geometry, n: int
                              ) -> np.ndarray:
    """``col2im(g · W)`` (groups=1) accumulated channels-last: one product per kernel offset
    (``g · W[:, :, offset]``, contiguous (N, *out, C) blocks), each added into a strided slice
    of a channels-last gradient, whose rows are then whole runs of memory; numpy does these
    adds far faster than the channels-first ones of ``add_windows``."""
    d, o, c = len(geo.size), w.shape[0], w.shape[1]
    k = math.prod(geo.kernel)
    w_koc = w.transpose(tuple(range(2, 2 + d)) + (0, 1)).reshape(k, o, c)  # (K, O, C)
    blocks = np.matmul(g2, w_koc).reshape((k, n) + geo.out + (c,))
    gx = np.zeros((n,) + geo.padded + (c,), dtype=blocks.dtype)
    for i, offset in enumerate(np.ndindex(*geo.kernel)):
        gx[_place(offset, geo)[1:] + (slice(None),)] += blocks[i]
    gx = gx[(slice(None),) + tuple(slice(lo, lo + s) for (lo, _), s in
                                   zip(geo.pads, geo.size))]
    return np.ascontiguousarray(gx.transpose((0, d + 1) + tuple(range(1, d + 1))))


def _conv(fn, d: int, x, weight, bias, stride, padding, dilation, groups: int) -> Tensor:
    name = fn.op.name
    x = tensor_of(x)
    weight = tensor_of(weight, like=x)
    bias = None if bias is None else tensor_of(bias, like=x)
    if weight.ndim != d + 2:
        raise ValueError(f"{name}: weight must be {d + 2}-D (out_channels, in_channels/groups, "
                         f"kernel size), got shape {weight.shape}")
    if x.ndim not in (d + 1, d + 2):
        raise ValueError(f"{name}: expected {d + 1}-D (unbatched) or {d + 2}-D (batched) "
                         f"input, got input of shape {x.shape}")
    if not isinstance(groups, (int, np.integer)) or groups < 1:
        raise ValueError(f"{name}: groups must be a positive int, got {groups!r}")
    o, cg = weight.shape[:2]
    if o % groups:
        raise ValueError(f"{name}: out_channels ({o}) must be divisible by groups ({groups})")
    c = x.shape[-d - 1]
    if c != cg * groups:
        raise RuntimeError(
            f"{name}: given groups={groups}, weight of size {list(weight.shape)}, expected "
            f"input{list(x.shape)} to have {cg * groups} channels, but got {c} channels instead")
    if bias is not None and bias.shape != (o,):
        raise ValueError(f"{name}: bias must have shape ({o},) (one per output channel), "
                         f"got {bias.shape}")
    geo = geometry(name, x.shape[-d:], weight.shape[2:], stride, padding, dilation)
    if geo.kernel != weight.shape[2:]:
        raise ValueError(f"{name}: kernel size {geo.kernel} does not match the weight")
    if x.ndim == d + 1:  # unbatched: one sample
        return fn(x[None], weight, bias, stride, padding, dilation, groups)[0]
    return _conv_record(fn, d, x, weight, bias, geo, groups)


def _rows_channels_last(x: np.ndarray, geo: Geometry) -> np.ndarray:
    """The windows of ``x`` (N, C, *size) as rows (N·L, K·C), each row ordered (kernel
    offset, channel): copied one offset at a time from a channels-last copy of the input,
    whole channel vectors per element (numpy copies these far faster than the channels-first
    windows, whose innermost runs are a kernel row)."""
    d = len(geo.size)
    n, c = x.shape[:2]
    xt = x.transpose((0,) + tuple(range(2, 2 + d)) + (1,))
    if any(lo or hi for lo, hi in geo.pads):
        xp = np.zeros((n,) + geo.padded + (c,), dtype=x.dtype)
        xp[(slice(None),) + tuple(slice(lo, lo + s) for (lo, _), s in
                                  zip(geo.pads, geo.size)) + (slice(None),)] = xt
    else:
        xp = np.ascontiguousarray(xt)
    rows = np.empty((n,) + geo.out + geo.kernel + (c,), dtype=x.dtype)
    for offset in np.ndindex(*geo.kernel):
        rows[(slice(None),) * (1 + d) + offset] = xp[_place(offset, geo)[1:] + (slice(None),)]
    return rows.reshape(-1, math.prod(geo.kernel) * c)


def _conv_record(fn, d: int, x: Tensor, weight: Tensor, bias, geo: Geometry,
                 groups: int) -> Tensor:
    n, c = x.shape[:2]
    o = weight.shape[0]
    k = math.prod(geo.kernel)
    # windows (N, C, *L, *K) -> rows (N·L, C·K), channels before kernel offsets so that each
    # group's columns are contiguous; without groups the rows are (kernel offset, channel),
    # which is faster to copy (the weight's columns are reordered to match)
    to_rows = (0,) + tuple(range(2, 2 + d)) + (1,) + tuple(range(2 + d, 2 + 2 * d))
    from_rows = tuple(np.argsort(to_rows))
    kc = (0,) + tuple(range(2, 2 + d)) + (1,)  # weight (O, C, *K) -> (O, *K, C)
    if groups == 1:
        cols = _rows_channels_last(x.data, geo)
        out = cols @ weight.data.transpose(kc).reshape(o, -1).T  # (N·L, O)
    else:
        cols = windows(x.data, geo).transpose(to_rows).reshape(-1, c * k)
        out = _matmul_w(cols, weight.data.reshape(o, -1), groups)
    out_first = (0, d + 1) + tuple(range(1, d + 1))  # (N, *L, O) -> (N, O, *L)
    data = np.ascontiguousarray(out.reshape((n,) + geo.out + (o,)).transpose(out_first))
    if bias is not None:
        data += bias.data.reshape((o,) + (1,) * d)
    parents = (x, weight) if bias is None else (x, weight, bias)
    out_last = (0,) + tuple(range(2, 2 + d)) + (1,)  # (N, O, *L) -> (N, *L, O)
    rows_shape = (n,) + geo.out + (c,) + geo.kernel

    def backward(g, out):
        # out = windows(x) · Wᵀ:  dW = gᵀ · windows(x),  dx = col2im(g · W),  db = Σ g
        recorded = is_grad_enabled()
        g2 = (g if recorded else g.data).transpose(out_last).reshape(-1, o)
        gx = gw = gb = None
        if x.requires_grad and not recorded and groups == 1:
            gx = _input_grad_channels_last(g2, weight.data, geo, n)
        elif x.requires_grad:
            w2 = weight.reshape(o, -1) if recorded else weight.data.reshape(o, -1)
            gcols = _matmul_g(g2, w2, groups).reshape(rows_shape).transpose(from_rows)
            gx = col2im(gcols, geo) if recorded else add_windows(gcols, geo)
        if weight.requires_grad and recorded:
            rows = reshape(transpose(im2col(x, geo), to_rows), (-1, c * k))
            gw = _weight_grad(g2, rows, groups).reshape(weight.shape)
        elif weight.requires_grad and groups == 1:  # columns (offset, channel) -> (C, *K)
            gw = np.ascontiguousarray((g2.T @ cols).reshape((o,) + geo.kernel + (c,))
                                      .transpose(np.argsort(kc)))
        elif weight.requires_grad:
            gw = _weight_grad(g2, cols, groups).reshape(weight.shape)
        if bias is not None and bias.requires_grad:
            gb = (g if recorded else g.data).sum(axis=(0,) + tuple(range(2, 2 + d)))
        return grads(gx, gw, gb)

    return record(data, parents, fn, backward)


@op(export=False, saves="inputs",
    formula=("col2im(g · W)", "gᵀ · windows(x)", "g summed over batch and length"))
def conv1d(input: TensorLike, weight: TensorLike, bias: TensorLike | None = None,
           stride: int | tuple[int, ...] = 1, padding: int | tuple[int, ...] | str = 0,
           dilation: int | tuple[int, ...] = 1, groups: int = 1) -> Tensor:
    """1-D convolution (cross-correlation, as PyTorch) of ``input`` (N, C_in, L) or (C_in, L)
    with ``weight`` (C_out, C_in/groups, k), plus ``bias`` (C_out,).

    ``stride``, ``padding`` (an int, ``"valid"`` or ``"same"``) and ``dilation`` as in
    ``torch.nn.functional.conv1d``.

    Examples
    --------
    >>> F.conv1d(ag.ones(1, 2, 5), ag.ones(3, 2, 3)).shape
    (1, 3, 3)
    """
    return _conv(conv1d, 1, input, weight, bias, stride, padding, dilation, groups)


@op(export=False, saves="inputs",
    formula=("col2im(g · W)", "gᵀ · windows(x)", "g summed over batch, height and width"))
def conv2d(input: TensorLike, weight: TensorLike, bias: TensorLike | None = None,
           stride: int | tuple[int, ...] = 1, padding: int | tuple[int, ...] | str = 0,
           dilation: int | tuple[int, ...] = 1, groups: int = 1) -> Tensor:
    """2-D convolution (cross-correlation, as PyTorch) of ``input`` (N, C_in, H, W) or
    (C_in, H, W) with ``weight`` (C_out, C_in/groups, kH, kW), plus ``bias`` (C_out,).

    ``stride``, ``padding`` (an int, a pair, ``"valid"`` or ``"same"``) and ``dilation`` as in
    ``torch.nn.functional.conv2d``; ``groups`` splits the channels into independent groups.

    Examples
    --------
    >>> F.conv2d(ag.ones(1, 3, 8, 8), ag.ones(4, 3, 3, 3), padding=1).shape
    (1, 4, 8, 8)
    """
    return _conv(conv2d, 2, input, weight, bias, stride, padding, dilation, groups)
