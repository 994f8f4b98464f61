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
from functools import cached_property, lru_cache
from typing import Any

import numpy as np
from numpy.lib.stride_tricks import as_strided

from autograd import Tensor, is_grad_enabled, op, record, reshape, saved, transpose
from autograd.typing import TensorLike

from ._common import grads, namespace, ntuple, tensor_of

__all__ = ["conv1d", "conv2d", "im2col", "col2im", "Geometry", "geometry"]


@dataclass(frozen=True)
class Geometry:
    """Where the windows of a convolution or pooling lie, per spatial dimension.

    ``size`` is the input's spatial size, ``pads`` the (before, after) zero padding, ``out``
    the number of windows along each dimension. The derived sizes and the strided slice each
    kernel offset reads (``places``) are computed once per geometry, and ``geometry()`` hands
    out the same object for the same arguments: a training loop's convolutions and poolings
    find them ready.
    """

    size: tuple
    kernel: tuple
    stride: tuple
    dilation: tuple
    pads: tuple

    @cached_property
    def padded(self) -> tuple:
        return tuple(s + lo + hi for s, (lo, hi) in zip(self.size, self.pads))

    @cached_property
    def span(self) -> tuple:
        return tuple(dl * (k - 1) + 1 for k, dl in zip(self.kernel, self.dilation))

    @cached_property
    def out(self) -> tuple:
        return tuple((p - sp) // s + 1 for p, sp, s in zip(self.padded, self.span, self.stride))

    @cached_property
    def offsets(self) -> tuple:
        """Every kernel offset, in ``np.ndindex`` order (the order of the flattened kernel)."""
        return tuple(np.ndindex(*self.kernel))

    @cached_property
    def places(self) -> tuple:
        """For each of ``offsets``, the input positions it reads (``_place``)."""
        return tuple(_place(o, self) for o in self.offsets)

    @cached_property
    def places_last(self) -> tuple:
        """``places`` for a channels-last array (N, *size, C)."""
        return tuple(p[1:] + (slice(None),) for p in self.places)

    @cached_property
    def inner(self) -> tuple:
        """The index of the unpadded input inside the padded one (N, C, *size)."""
        return (slice(None),) * 2 + tuple(slice(lo, lo + s)
                                          for (lo, _), s in zip(self.pads, self.size))


def geometry(name: str, size: tuple, kernel, stride, padding, dilation) -> Geometry:
    """Check the size arguments of a convolution or pooling call and describe its windows
    (the same ``Geometry`` for the same arguments, when they are hashable)."""
    size = tuple(size)
    if all(map(_plain, (size, kernel, stride, padding, dilation))):
        return _geometry(name, size, kernel, stride, padding, dilation)
    return _geometry.__wrapped__(name, size, kernel, stride, padding, dilation)


def _plain(v) -> bool:
    """An int, a str or a tuple of ints: arguments cached by value without a surprise (1.0
    and True equal 1, and lists do not hash: those are checked afresh each call)."""
    t = type(v)
    return t is int or t is str or t is tuple and all(type(e) is int for e in v)


@lru_cache(maxsize=256)
def _geometry(name: str, size: tuple, kernel, stride, padding, dilation) -> Geometry:
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


def windows(x, geo: Geometry, pad_value: float = 0.0):
    """Every window of ``x`` (N, C, *size) as an array of shape (N, C, *out, *kernel): for
    numpy a strided view (``_strided_windows``), for another backend the windows stacked from
    one strided slice per kernel offset (the Array API has no stride tricks)."""
    if type(x) is np.ndarray:
        return _strided_windows(x, geo, pad_value)
    xp = namespace(x)
    x = _padded(xp, x, geo, pad_value)
    cols = xp.stack([x[place] for place in geo.places], axis=-1)
    return xp.reshape(cols, tuple(cols.shape[:-1]) + geo.kernel)


def _padded(xp, x, geo: Geometry, value: float = 0.0):
    """``x`` (N, C, *size) padded with ``value`` to (N, C, *padded), by concatenation."""
    for i, (lo, hi) in enumerate(geo.pads):
        parts = []
        for n in (lo, hi):
            shape = list(x.shape)
            shape[2 + i] = n
            parts.append(xp.full(tuple(shape), value, dtype=x.dtype) if n else None)
        if lo or hi:
            x = xp.concat([a for a in (parts[0], x, parts[1]) if a is not None], axis=2 + i)
    return x


def _strided_windows(x: np.ndarray, geo: Geometry, pad_value: float = 0.0) -> np.ndarray:
    """The windows of a numpy ``x`` as a strided view of shape (N, C, *out, *kernel).

    The view ``sliding_window_view`` would give, stepped by the stride and dilation, made in
    one ``as_strided`` call (``sliding_window_view`` checks its arguments at a cost of tens
    of microseconds, more than the copy that follows on small images).
    """
    if any(lo or hi for lo, hi in geo.pads):
        xp = np.full(x.shape[:2] + geo.padded, pad_value, dtype=x.dtype)
        xp[geo.inner] = x
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


def add_windows(cols, geo: Geometry):
    """The adjoint of ``windows``: each window of ``cols`` (N, C, *out, *kernel) added back at
    its place in a zero array of the input's shape, one strided add per kernel offset (for
    another backend than numpy, a sum of the offsets' values spread out by zeros)."""
    if type(cols) is not np.ndarray:
        return _added_windows(namespace(cols), cols, geo)
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
        for offset, place in zip(geo.offsets, geo.places):
            out[place] += cols[(Ellipsis,) + offset]
    if any(lo or hi for lo, hi in geo.pads):
        out = out[geo.inner]
    return out


def _added_windows(xp, cols, geo: Geometry):
    """``add_windows`` in the Array API standard, no in-place writes (lazy on dask): the
    values of each kernel offset spread out by the stride (zeros between them) and padded
    into place, all summed."""
    d = len(geo.size)
    total = None
    for offset in np.ndindex(*geo.kernel):
        v = cols[(Ellipsis,) + offset]  # (N, C, *out)
        for i in range(d):
            ax, s, n = 2 + i, geo.stride[i], geo.out[i]
            if s > 1 and n > 1:  # n values, s - 1 zeros after each, the last ones dropped
                z = xp.zeros_like(v)
                v = xp.stack([v] + [z] * (s - 1), axis=ax + 1)
                shape = tuple(v.shape[:ax]) + (n * s,) + tuple(v.shape[ax + 2:])
                v = xp.reshape(v, shape)[(slice(None),) * ax + (slice(0, s * (n - 1) + 1), ...)]
            lo = offset[i] * geo.dilation[i]
            hi = geo.padded[i] - lo - v.shape[ax]
            parts = [v]
            for k, at in ((lo, 0), (hi, 1)):
                if k:
                    shape = list(v.shape)
                    shape[ax] = k
                    parts.insert(at * len(parts), xp.zeros(tuple(shape), dtype=v.dtype))
            v = xp.concat(parts, axis=ax) if len(parts) > 1 else v
        total = v if total is None else total + v
    assert total is not None  # kernel sizes are at least 1 (geometry): one offset or more
    if any(lo or hi for lo, hi in geo.pads):
        total = total[(slice(None),) * 2 + tuple(slice(lo, lo + s) for (lo, _), s in
                                                 zip(geo.pads, geo.size))]
    return total


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


def _rs(a: Any, shape: tuple) -> Any:
    """``a`` reshaped: a numpy array or Tensor by its method, another backend's array by its
    namespace (the Array API has no ``reshape`` method)."""
    if type(a) is np.ndarray or isinstance(a, Tensor):
        return a.reshape(shape)
    return namespace(a).reshape(a, shape)


def _tr(a: Any, perm: tuple) -> Any:
    """``a`` with its axes permuted (as ``_rs``)."""
    if type(a) is np.ndarray or isinstance(a, Tensor):
        return a.transpose(perm)
    return namespace(a).permute_dims(a, perm)


def _matmul_w(cols, w2, groups: int):
    """``cols @ w2.T`` group by group: (M, C·K) windows times (O, C/G·K) weights -> (M, O)."""
    if groups == 1:
        return cols @ w2.T
    m, o = cols.shape[0], w2.shape[0]
    c = _tr(_rs(cols, (m, groups, -1)), (1, 0, 2))
    w = _tr(_rs(w2, (groups, o // groups, -1)), (0, 2, 1))
    return _rs(_tr(c @ w, (1, 0, 2)), (m, o))


def _matmul_g(g2, w2, groups: int):
    """``g2 @ w2`` group by group: (M, O) gradients times (O, C/G·K) weights -> (M, C·K)."""
    if groups == 1:
        return g2 @ w2
    m, o = g2.shape
    g = _tr(_rs(g2, (m, groups, o // groups)), (1, 0, 2))
    return _rs(_tr(g @ _rs(w2, (groups, o // groups, -1)), (1, 0, 2)), (m, -1))


def _weight_grad(g2, cols, groups: int):
    """``g2.T @ cols`` group by group: -> (O, C/G·K)."""
    if groups == 1:
        return g2.T @ cols
    m, o = g2.shape
    g = _tr(_rs(g2, (m, groups, o // groups)), (1, 2, 0))
    c = _tr(_rs(cols, (m, groups, -1)), (1, 0, 2))
    return _rs(g @ c, (o, -1))


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
    for i, place in enumerate(geo.places_last):
        gx[place] += blocks[i]
    gx = gx[geo.inner[1:]]  # channels last: (N, *size), all of C
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
        out = fn(reshape(x, (1,) + x.shape), weight, bias, stride, padding, dilation, groups)
        return reshape(out, out.shape[1:])
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
        xp[geo.inner[1:] + (slice(None),)] = xt  # channels last
    else:
        xp = np.ascontiguousarray(xt)
    rows = np.empty((n,) + geo.out + geo.kernel + (c,), dtype=x.dtype)
    for offset, place in zip(geo.offsets, geo.places_last):
        rows[(slice(None),) * (1 + d) + offset] = xp[place]
    return rows.reshape(-1, math.prod(geo.kernel) * c)


@lru_cache(maxsize=None)
def _layout(d: int) -> tuple:
    """Axis orders of a d-D convolution: windows (N, C, *L, *K) to rows (N·L, C·K), back,
    the weight (O, C, *K) to (O, *K, C), the output (N, *L, O) to (N, O, *L) and back."""
    to_rows = (0,) + tuple(range(2, 2 + d)) + (1,) + tuple(range(2 + d, 2 + 2 * d))
    kc = (0,) + tuple(range(2, 2 + d)) + (1,)
    out_first = (0, d + 1) + tuple(range(1, d + 1))
    out_last = (0,) + tuple(range(2, 2 + d)) + (1,)
    return to_rows, tuple(int(i) for i in np.argsort(to_rows)), kc, out_first, out_last


def _conv_kernel(*args):
    """A convolution on numpy arrays, ``(x, weight[, bias], geo, groups)``: the result and
    the windows as rows, which the backward reads (``ag.compile`` replays it)."""
    *arrays, geo, groups = args
    xd, wd = arrays[0], arrays[1]
    d = len(geo.size)
    n, c = xd.shape[:2]
    o = wd.shape[0]
    to_rows, _, kc, out_first, _ = _layout(d)
    # windows -> rows, channels before kernel offsets so that each group's columns are
    # contiguous; without groups the rows are (kernel offset, channel), faster to copy (the
    # weight's columns are reordered to match)
    if groups == 1:
        cols = _rows_channels_last(xd, geo)
        out = cols @ wd.transpose(kc).reshape(o, -1).T  # (N·L, O)
    else:
        cols = windows(xd, geo).transpose(to_rows).reshape(-1, c * math.prod(geo.kernel))
        out = _matmul_w(cols, wd.reshape(o, -1), groups)
    data = np.ascontiguousarray(out.reshape((n,) + geo.out + (o,)).transpose(out_first))
    if len(arrays) > 2:
        data += arrays[2].reshape((o,) + (1,) * d)
    return data, (cols, geo, groups)


def _window_grads(g2, w2, groups: int, n: int, c: int, geo: Geometry, from_rows: tuple):
    """The gradient of the windows, ``g2 · W`` (grouped) put back in the windows' axis order
    (N, C, *out, *K): what ``add_windows``/``col2im`` sum into the input's gradient. Arrays of
    any backend, or Tensors when the backward is recorded."""
    return _tr(_rs(_matmul_g(g2, w2, groups), (n,) + geo.out + (c,) + geo.kernel), from_rows)


def _conv_grads(g, needs, y, ctx, xd, wd, *rest):
    """A convolution's backward on numpy arrays (``ag.compile`` replays it), from the
    forward's windows as rows (``ctx``)."""
    cols, geo, groups = ctx
    d = len(geo.size)
    n, c = xd.shape[:2]
    o = wd.shape[0]
    _, from_rows, kc, _, out_last = _layout(d)
    g2 = g.transpose(out_last).reshape(-1, o)
    gx = gw = gb = None
    if needs[0] and groups == 1:
        gx = _input_grad_channels_last(g2, wd, geo, n)
    elif needs[0]:
        gx = add_windows(_window_grads(g2, wd.reshape(o, -1), groups, n, c, geo, from_rows),
                         geo)
    if needs[1] and groups == 1:  # (offset, channel) -> (C, *K)
        gw = np.ascontiguousarray((g2.T @ cols).reshape((o,) + geo.kernel + (c,))
                                  .transpose(np.argsort(kc)))
    elif needs[1]:
        gw = _weight_grad(g2, cols, groups).reshape(wd.shape)
    if len(needs) > 2 and needs[2]:
        gb = g.sum(axis=(0,) + tuple(range(2, 2 + d)))
    return gx, gw, gb


def _conv_record(fn, d: int, x: Tensor, weight: Tensor, bias, geo: Geometry,
                 groups: int) -> Tensor:
    parents = (x, weight) if bias is None else (x, weight, bias)
    if all(type(t.data) is np.ndarray for t in parents):  # numpy: the tuned kernel
        data, ctx = _conv_kernel(*(t.data for t in parents), geo, groups)
        return record(data, parents, fn, _conv_backward, attrs=(geo, groups), ctx=ctx)
    # another backend: the windows stacked from strided slices, (channel, offset) rows
    n, c = x.shape[:2]
    o, k = weight.shape[0], math.prod(geo.kernel)
    to_rows, _, _, out_first, _ = _layout(d)
    xd, wd = x.data, weight.data
    xp = namespace(xd, wd)
    xd, wd = (a if type(a) is not np.ndarray else xp.asarray(a) for a in (xd, wd))
    cols = _rs(_tr(windows(xd, geo), to_rows), (-1, c * k))
    data = _tr(_rs(_matmul_w(cols, _rs(wd, (o, -1)), groups), (n,) + geo.out + (o,)),
               out_first)
    if bias is not None:
        bd = bias.data
        data = data + _rs(bd if type(bd) is not np.ndarray else xp.asarray(bd),
                          (o,) + (1,) * d)
    return record(data, parents, fn, _conv_backward, attrs=None, ctx=(cols, geo, groups))


def _conv_backward(g, out):
    # out = windows(x) · Wᵀ:  dW = gᵀ · windows(x),  dx = col2im(g · W),  db = Σ g
    parents, ctx = saved(out)
    cols, geo, groups = ctx
    x, weight = parents[:2]
    bias = parents[2] if len(parents) > 2 else None
    needs = tuple(t.requires_grad for t in parents)
    wd = weight.data
    recorded = is_grad_enabled()
    if not recorded and type(x.data) is np.ndarray and type(wd) is np.ndarray:
        return grads(*_conv_grads(g.data, needs, None, ctx, x.data, wd))
    # recorded (differentiable again), or another backend's arrays
    d = len(geo.size)
    n, c = x.shape[:2]
    o, k = weight.shape[0], math.prod(geo.kernel)
    to_rows, from_rows, _, _, out_last = _layout(d)
    gd = g if recorded else g.data
    g2 = _rs(_tr(gd, out_last), (-1, o))
    gx = gw = gb = None
    if x.requires_grad:
        w2 = weight.reshape(o, -1) if recorded else _rs(wd, (o, -1))
        gcols = _window_grads(g2, w2, groups, n, c, geo, from_rows)
        gx = col2im(gcols, geo) if recorded else add_windows(gcols, geo)
    if weight.requires_grad and recorded:
        rows = reshape(transpose(im2col(x, geo), to_rows), (-1, c * k))
        gw = _weight_grad(g2, rows, groups).reshape(weight.shape)
    elif weight.requires_grad:
        gw = _rs(_weight_grad(g2, cols, groups), weight.shape)
    if bias is not None and bias.requires_grad:
        axes = (0,) + tuple(range(2, 2 + d))
        gb = gd.sum(axis=axes) if recorded else namespace(gd).sum(gd, axis=axes)
    return grads(gx, gw, gb)


@op(export=False, saves="inputs",
    formula=("col2im(g · W)", "gᵀ · windows(x)", "g summed over batch and length"),
    replay=_conv_kernel, context=True, replay_backward=_conv_grads)
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
    formula=("col2im(g · W)", "gᵀ · windows(x)", "g summed over batch, height and width"),
    replay=_conv_kernel, context=True, replay_backward=_conv_grads)
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
