"""Normalization: ``layer_norm``, ``rms_norm`` and ``batch_norm``, one fused op each.

All three normalize ``x`` over some axes, ``x̂ = (x − μ)·rstd`` (``rms_norm`` does not centre),
then scale and shift: ``y = x̂·w + b``. Their backward is one formula,

    dx = rstd · (ĝ − mean(ĝ) − x̂ · mean(ĝ·x̂)),   ĝ = g·w,

(without the ``mean(ĝ)`` term when not centred; just ``rstd·ĝ`` with fixed statistics, as
``batch_norm`` in eval mode), written once for arrays and Tensors: it runs on the forward's
saved arrays in training and on Tensors recomputed from ``x`` when the backward is recorded
(``create_graph=True``), so second derivatives come out right.
"""

from __future__ import annotations

import math

import numpy as np

from autograd import Tensor, increment_version, is_grad_enabled, op, record, saved
from autograd.backend import sum_last
from autograd.typing import ShapeLike, TensorLike

from ._common import constant_in, dtype_in, grads, namespace, tensor_of

__all__ = ["layer_norm", "rms_norm", "batch_norm"]


def _mean(a, axes: tuple):
    """The mean over ``axes``, kept (a sum times 1/n: numpy's ``mean`` costs more per call)."""
    n = 1
    for ax in axes:
        n *= a.shape[ax]
    if type(a) is np.ndarray:
        if a.ndim and axes == (a.ndim - 1,):  # layer_norm's rows: summed in one product
            return sum_last(a) * (1.0 / n)
        return np.add.reduce(a, axis=axes, keepdims=True) * (1.0 / n)
    if isinstance(a, Tensor):
        return a.sum(axis=axes, keepdims=True) * (1.0 / n)
    return namespace(a).sum(a, axis=axes, keepdims=True) * (1.0 / n)


def _reshape(a, shape: tuple):
    """``a`` (a Tensor, a numpy array or another backend's array) in ``shape``."""
    if a.__class__ is np.ndarray or isinstance(a, Tensor):
        return a.reshape(shape)
    return namespace(a).reshape(a, shape)


def _sum(a, axes: tuple, keepdims: bool = False):
    """The sum of ``a`` (a Tensor, a numpy array or another backend's array) over ``axes``."""
    if a.__class__ is np.ndarray:
        return np.add.reduce(a, axis=axes, keepdims=keepdims)
    if isinstance(a, Tensor):
        return a.sum(axis=axes, keepdims=keepdims)
    return namespace(a).sum(a, axis=axes, keepdims=keepdims)


def _input_grad(gx_hat, x_hat, rstd, axes: tuple, center: bool):
    # x̂ = (x − μ)·rstd:  dx = rstd · (ĝ − mean(ĝ) − x̂ · mean(ĝ·x̂))
    d = gx_hat - x_hat * _mean(gx_hat * x_hat, axes)
    if center:
        d = d - _mean(gx_hat, axes)
    return d * rstd


def _statistics(x, axes: tuple, eps: float, center: bool):
    """``x̂``, ``rstd``, the (biased) variance and the mean (None when not centred) from ``x``
    (an array or a Tensor, the same formula)."""
    mean = _mean(x, axes) if center else None
    xc = x - mean if center else x
    var = _mean(xc * xc, axes)
    if isinstance(var, Tensor):
        rstd = (var + eps) ** -0.5
    else:
        rstd = 1.0 / (np.sqrt(var + eps) if type(var) is np.ndarray else
                      namespace(var).sqrt(var + eps))
    return xc * rstd, rstd, var, mean


def _normalized(fn, x: Tensor, weight, bias, axes: tuple, other_axes: tuple, w_shape: tuple,
                eps: float, center: bool, fixed=None, running: tuple | None = None) -> Tensor:
    """Record ``y = x̂·w + b`` with x̂ normalized over ``axes`` (or with the ``fixed``
    (mean, rstd) arrays, broadcastable against x, that batch_norm's eval mode uses).

    ``running`` (batch_norm in training): ``(running_mean, running_var, counter, momentum,
    count)``, updated once the result is computed and before it is recorded, so that the
    node's backward needs no in-place check. On numpy (not ``fixed``) the op is
    ``_normalize_kernel``, which ``ag.compile`` replays.
    """
    parents: tuple[Tensor, ...] = tuple(t for t in (x, weight, bias) if t is not None)
    spec = (axes, other_axes, w_shape, eps, center, weight is not None, bias is not None)
    data, ctx = _normalize_forward([t.data for t in parents], spec, fixed, running)
    # replayed by ag.compile on numpy with the batch's own statistics (not eval's fixed ones)
    replay = fixed is None and all(type(t.data) is np.ndarray for t in parents)
    buffers = (None, None, None, None, None) if running is None else running
    return record(data, parents, fn, _normalized_backward,
                  attrs=(spec,) + buffers if replay else None, ctx=ctx)


def _normalize_forward(arrays: list, spec: tuple, fixed, running: tuple | None) -> tuple:
    """The normalizations' forward on ``[x, weight?, bias?]`` arrays of any backend: the
    result and what the backward reads; ``running`` (batch_norm in training) is updated in
    place once the result is computed."""
    axes, _, w_shape, eps, center, has_w, has_b = spec
    x = arrays[0]
    var = mean = None
    if fixed is None:
        x_hat, rstd, var, mean = _statistics(x, axes, eps, center)
    else:
        x_hat, rstd = (x - fixed[0]) * fixed[1], fixed[1]
    data = x_hat * _reshape(arrays[1], w_shape) if has_w else x_hat
    if has_b:
        data = data + _reshape(arrays[1 + has_w], w_shape)
    if type(x) is np.ndarray:
        data = np.asarray(data, dtype=x.dtype)
    if running is not None:
        running_mean, running_var, counter, momentum, count = running
        _running_update(running_mean, running_var, counter, momentum, count, var, mean)
    return data, (x_hat, rstd, spec, fixed)


def _normalize_kernel(*args):
    """``ag.compile``'s replay of the normalizations, ``(x[, weight][, bias], spec,
    running_mean, running_var, counter, momentum, count)``: ``_normalize_forward``."""
    *arrays, spec, running_mean, running_var, counter, momentum, count = args
    running = None if count is None else (running_mean, running_var, counter, momentum,
                                          count)
    return _normalize_forward(arrays, spec, None, running)


def _normalized_backward(g, out):
    parents, ctx = saved(out)
    needs = tuple(p.requires_grad for p in parents)
    if not is_grad_enabled():
        return grads(*_normalize_grads(g.data, needs, None, ctx, *(p.data for p in parents)))
    # recorded: x̂ and rstd as Tensors of x, so that they differentiate
    _, _, spec, fixed = ctx
    axes, _, w_shape, eps, center, has_w, _ = spec
    x = parents[0]
    if fixed is None:
        xh, rs, _, _ = _statistics(x, axes, eps, center)
    else:
        rs = Tensor(fixed[1])
        xh = (x - Tensor(fixed[0])) * rs
    w = parents[1].reshape(w_shape) if has_w else None
    return grads(*_norm_grads(g, xh, rs, w, needs, spec, fixed))


def _normalize_grads(g, needs, y, ctx, *args):
    """The normalizations' backward on arrays (``ag.compile`` replays it): the kernel's
    arguments, ``(x[, weight][, bias], ...)``, and its ``ctx``."""
    x_hat, rstd, spec, fixed = ctx
    w = _reshape(args[1], spec[2]) if spec[5] else None
    return _norm_grads(g, x_hat, rstd, w, needs, spec, fixed)


def _norm_grads(g, xh, rs, w, needs: tuple, spec: tuple, fixed) -> tuple:
    """The gradients of ``x`` and of the weight and bias there are (arrays, or Tensors when
    recorded), given x̂, rstd and the weight ``w`` shaped to broadcast."""
    axes, other_axes, w_shape, eps, center, has_w, has_b = spec
    p_shape = (w_shape[1],) if axes == other_axes else w_shape  # batch_norm's: (C,)
    need_w, need_b = has_w and needs[1], has_b and needs[1 + has_w]
    if axes == other_axes and center and fixed is None:  # batch_norm in training
        gx, sgx, sg = _batch_norm_grads(g, xh, rs, w, axes, needs[0])
    else:
        gx = None
        if needs[0]:
            g_hat = g * w if w is not None else g
            gx = g_hat * rs if fixed is not None else _input_grad(g_hat, xh, rs, axes, center)
        # the gradients of y = x̂·w + b for w and b, summed over the other axes
        sgx = _sum(g * xh, other_axes) if need_w else None
        sg = _sum(g, other_axes) if need_b else None
    gw = _reshape(sgx, p_shape) if need_w else None
    gb = _reshape(sg, p_shape) if need_b else None
    return (gx,) + ((gw,) if has_w else ()) + ((gb,) if has_b else ())


def _batch_norm_grads(g, x_hat, rstd, w, axes: tuple, input_grad: bool) -> tuple:
    """batch_norm's gradients in training (arrays, or Tensors when recorded): its weight is
    constant along the reduced axes, so the sums the weight and bias gradients need serve
    the input's too. With Σg and Σg·x̂ over the batch, dx = w·rstd·(g − Σg/n − x̂·Σg·x̂/n)
    (the general formula with w taken out of its means: two reductions fewer); the weight's
    and bias's gradients are Σg·x̂ and Σg (dims kept)."""
    n = math.prod(x_hat.shape) // math.prod(rstd.shape)
    sg = _sum(g, axes, keepdims=True)
    sgx = _sum(g * x_hat, axes, keepdims=True)
    gx = None
    if input_grad:
        gx = (g - x_hat * (sgx * (1.0 / n)) - sg * (1.0 / n)) * (rstd * w if w is not None
                                                                  else rstd)
    return gx, sgx, sg


def _trailing(name: str, x: Tensor, normalized_shape, weight, bias) -> tuple:
    shape = (int(normalized_shape),) if isinstance(normalized_shape, (int, np.integer)) \
        else tuple(int(s) for s in normalized_shape)
    k = len(shape)
    if k == 0 or x.ndim < k or x.shape[x.ndim - k:] != shape:
        raise RuntimeError(f"{name}: given normalized_shape={list(shape)}, expected input with "
                           f"shape [*, {', '.join(map(str, shape))}], but got input of size "
                           f"{list(x.shape)}")
    for arg, t in (("weight", weight), ("bias", bias)):
        if t is not None and t.shape != shape:
            raise ValueError(f"{name}: {arg} must have the normalized shape {shape}, "
                             f"got {t.shape}")
    return tuple(range(x.ndim - k, x.ndim)), tuple(range(x.ndim - k)), shape


@op(export=False, saves="inputs",
    formula=("rstd·(ĝ − mean(ĝ) − x̂·mean(ĝ·x̂))", "Σ g·x̂", "Σ g"), replay=_normalize_kernel,
    context=True, replay_backward=_normalize_grads)
def layer_norm(input: TensorLike, normalized_shape: ShapeLike, weight: TensorLike | None = None,
               bias: TensorLike | None = None, eps: float = 1e-5) -> Tensor:
    """Normalize over the trailing ``normalized_shape`` dims: ``(x − mean)/sqrt(var + eps)``
    (biased variance), times ``weight`` plus ``bias``, as ``torch.nn.functional.layer_norm``.

    Examples
    --------
    >>> F.layer_norm(ag.tensor([[1.0, 2.0, 3.0]]), (3,)).tolist()
    [[-1.2247, 0.0, 1.2247]]
    """
    x = tensor_of(input)
    weight = None if weight is None else tensor_of(weight, like=x)
    bias = None if bias is None else tensor_of(bias, like=x)
    axes, other, shape = _trailing("layer_norm", x, normalized_shape, weight, bias)
    return _normalized(layer_norm, x, weight, bias, axes, other, shape, eps, center=True)


@op(export=False, saves="inputs", formula=("rstd·(ĝ − x̂·mean(ĝ·x̂))", "Σ g·x̂"),
    replay=_normalize_kernel, context=True, replay_backward=_normalize_grads)
def rms_norm(input: TensorLike, normalized_shape: ShapeLike, weight: TensorLike | None = None,
             eps: float | None = None) -> Tensor:
    """``x / sqrt(mean(x²) + eps)`` over the trailing ``normalized_shape`` dims, times
    ``weight``, as ``torch.nn.functional.rms_norm`` (``eps`` defaults to the dtype's epsilon).

    Examples
    --------
    >>> F.rms_norm(ag.tensor([[3.0, 4.0]]), (2,)).tolist()
    [[0.8485, 1.1314]]
    """
    x = tensor_of(input)
    weight = None if weight is None else tensor_of(weight, like=x)
    axes, other, shape = _trailing("rms_norm", x, normalized_shape, weight, None)
    if eps is None:
        eps = float(np.finfo(x.dtype if x.dtype.kind == "f" else np.float64).eps)
    return _normalized(rms_norm, x, weight, None, axes, other, shape, eps, center=False)


@op(export=False, saves="inputs",
    formula=("rstd·(ĝ − mean(ĝ) − x̂·mean(ĝ·x̂)) (training), rstd·ĝ (eval)", "Σ g·x̂", "Σ g"),
    replay=_normalize_kernel, context=True, replay_backward=_normalize_grads)
def batch_norm(input: TensorLike, running_mean: TensorLike, running_var: TensorLike,
               weight: TensorLike | None = None, bias: TensorLike | None = None,
               training: bool = False, momentum: float = 0.1, eps: float = 1e-5) -> Tensor:
    """Normalize each channel (dim 1) of ``input`` (N, C) or (N, C, *) over the batch and the
    other dims, as ``torch.nn.functional.batch_norm``.

    In training the batch's statistics normalize, and ``running_mean``/``running_var`` (if
    given) are updated in place: ``r ← (1 − momentum)·r + momentum·s`` with the batch's mean
    and its *unbiased* variance. In eval mode the running statistics normalize.

    Examples
    --------
    >>> x = ag.tensor([[1.0, 2.0], [3.0, 6.0]])
    >>> F.batch_norm(x, None, None, training=True).tolist()  # eps keeps them just under 1
    [[-1.0, -1.0], [1.0, 1.0]]
    """
    return _batch_norm(input, running_mean, running_var, weight, bias, training, momentum, eps)


def _batch_norm(input: TensorLike, running_mean, running_var, weight, bias, training: bool,
                momentum: float, eps: float, counter: Tensor | None = None) -> Tensor:
    """``batch_norm``; in training, ``counter`` (a module's ``num_batches_tracked``), if given,
    counts the batch together with the running statistics' update."""
    x = tensor_of(input)
    if x.ndim < 2:
        raise ValueError(f"batch_norm: expected input of shape (N, C) or (N, C, *), got "
                         f"{x.shape}")
    c = x.shape[1]
    weight = None if weight is None else tensor_of(weight, like=x)
    bias = None if bias is None else tensor_of(bias, like=x)
    for arg, t in (("weight", weight), ("bias", bias), ("running_mean", running_mean),
                   ("running_var", running_var)):
        if t is not None and (t.shape if isinstance(t, Tensor) else np.shape(t)) != (c,):
            raise ValueError(f"batch_norm: {arg} must have shape ({c},) (one per channel of "
                             f"the input of shape {x.shape}), got {np.shape(t)}")
    axes = (0,) + tuple(range(2, x.ndim))
    w_shape = (1, c) + (1,) * (x.ndim - 2)
    if not training:
        if running_mean is None or running_var is None:
            raise ValueError("batch_norm: running_mean and running_var are needed in eval "
                             "mode (training=False)")
        mean = _reshape(_statistic(running_mean, x), w_shape)
        rstd = (_reshape(_statistic(running_var, x), w_shape) + eps) ** -0.5
        return _normalized(batch_norm, x, weight, bias, axes, axes, w_shape, eps, True,
                           fixed=(mean, rstd))
    count = math.prod(x.shape) // c
    if count <= 1:
        raise ValueError(f"batch_norm: expected more than 1 value per channel when training, "
                         f"got input size {x.shape}")

    running = None
    if running_mean is not None or running_var is not None or counter is not None:
        running = (running_mean, running_var, counter, momentum, count)
    return _normalized(batch_norm, x, weight, bias, axes, axes, w_shape, eps, True,
                       running=running)


def _running_update(running_mean, running_var, counter, momentum: float, count: int, var,
                    mean) -> None:
    """batch_norm's running statistics, once the result is computed (nothing half-applied):
    ``r ← (1 − momentum)·r + momentum·s`` with the batch's mean and unbiased variance, and
    the module's batch counter."""
    c = mean.size
    if running_mean is not None or running_var is not None:
        mean = _reshape(mean, (c,))
        var = _reshape(var, (c,)) * (count / (count - 1))  # the running one is unbiased
        for arg, r, s in (("running_mean", running_mean, mean),
                          ("running_var", running_var, var)):
            if r is not None:
                _update(arg, r, s, momentum)
    if counter is not None:
        counter.data += 1
        increment_version(counter)


def _array(t) -> np.ndarray:
    return t.data if isinstance(t, Tensor) else t


def _statistic(r, x: Tensor):
    """A running statistic in ``x``'s dtype, on ``x``'s backend (a numpy one moves there)."""
    arr = _array(r)
    xd = x.data
    if type(xd) is np.ndarray:
        return np.asarray(arr, dtype=x.dtype)
    xp = namespace(xd)
    if type(arr) is np.ndarray or not hasattr(arr, "shape"):
        return constant_in(xp, arr, x.dtype)
    return xp.astype(arr, dtype_in(xp, x.dtype))


def _update(arg: str, r, s, momentum: float) -> None:
    """``r ← (1 − momentum)·r + momentum·s``: in place for numpy; another backend's arrays
    are not written in place (dask's cannot be): the Tensor ``r`` gets the new array."""
    arr = _array(r)
    if type(arr) is np.ndarray and type(s) is np.ndarray:
        arr *= 1 - momentum
        arr += momentum * s
        if isinstance(r, Tensor):
            increment_version(r)
        return
    if not isinstance(r, Tensor):
        raise TypeError(f"batch_norm: {arg} is a {type(arr).__module__} array and the batch "
                        f"statistics are {type(s).__module__} arrays: give the running "
                        f"statistics as Tensors, so that they can take the new values")
    if type(arr) is np.ndarray:  # a numpy buffer beside another backend's batch: moves there
        arr = constant_in(namespace(s), arr)
    r.data = arr * (1 - momentum) + s * momentum
    increment_version(r)
