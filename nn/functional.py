"""Activations and losses as functions of Tensors (``import nn.functional as F``).

Almost everything is a composition of autograd ops, so its gradient comes from the engine.
Four functions are primitive ops of their own, registered with ``@op`` like the engine's
(forward on the arrays, backward closure right below): ``linear`` (one node instead of three),
``cross_entropy`` on class indices and ``binary_cross_entropy_with_logits`` (one
fused, overflow-free pass) and ``binary_cross_entropy`` (PyTorch's clamped logarithms, whose
gradient a composition would turn into NaN at 0 and 1). ``erf`` (for the exact GELU) is
autograd's ``ag.erf``.

The hot backward closures (linear, cross-entropy) evaluate their one formula on the raw
arrays when the backward pass is not being recorded, and on the Tensors themselves when it is
(``create_graph=True``), so training pays no wrapper overhead and higher order still works.

The primitives run on whatever array a Tensor holds: numpy by its own fast paths, another
backend (dask, CuPy, any Array API library) through the Array API standard's functions of its
namespace (``ops._common.namespace``), numpy constants beside it (class-index targets, masks)
moved there. Nothing reads a lazy array's values: the range checks of
``binary_cross_entropy``'s probabilities and ``hinge_loss``'s targets are made on numpy and
eager backends only, those of class indices on numpy indices only.
"""

from __future__ import annotations

import math
from functools import partial

import numpy as np

from autograd import (
    NotReplayed,
    Tensor,
    as_tensor,
    clip,
    default_generator,
    erf,
    get_default_dtype,
    is_grad_enabled,
    log,
    log_softmax,
    maximum,
    op,
    record,
    relu,
    reshape,
    saved,
    sigmoid,
    tanh,
    where,
)
from autograd import softmax as ag_softmax
from autograd.backend import sum_last
from autograd.typing import TensorLike

from .ops._common import dtype_in, is_lazy, moved, namespace, outside
from .ops._common import grads as _grads
from .ops._common import tensor_of as _tensor
from .ops._losses import (
    class_indices,
    class_last,
    class_weights,
    dtype_kind,
    expand,
    expanded,
    first_outside,
    reduced,
    weighted_nll,
)
from .ops.activation import gelu
from .ops.attention import scaled_dot_product_attention
from .ops.conv import conv1d, conv2d
from .ops.embedding import embedding, one_hot
from .ops.norm import batch_norm, layer_norm, rms_norm
from .ops.pool import avg_pool2d, max_pool2d

__all__ = [
    "linear", "relu", "tanh", "sigmoid", "softmax", "log_softmax", "leaky_relu", "gelu", "erf",
    "dropout", "mse_loss", "l1_loss", "binary_cross_entropy", "binary_cross_entropy_with_logits",
    "cross_entropy", "nll_loss", "hinge_loss", "huber_loss", "embedding", "one_hot",
    "layer_norm", "rms_norm", "batch_norm", "conv1d", "conv2d", "max_pool2d", "avg_pool2d",
    "scaled_dot_product_attention",
]

_REDUCTIONS = ("mean", "sum", "none")


def _check_reduction(name: str, reduction: str) -> None:
    if reduction not in _REDUCTIONS:
        raise ValueError(f"{name}: reduction must be 'mean', 'sum' or 'none', got {reduction!r}")


def _reduce(loss: Tensor, reduction: str) -> Tensor:
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    return loss


def _pair(name: str, input, target, reduction: str) -> tuple[Tensor, Tensor]:
    """Input and target of an elementwise loss, checked to have one shape."""
    _check_reduction(name, reduction)
    input = _tensor(input)
    if input.dtype.kind in "biu":  # integer scores: the default float dtype
        input = input.astype(get_default_dtype())
    target = _tensor(target, like=input)
    if target.dtype.kind in "biu" and input.dtype.kind == "f":  # integer labels: input's dtype
        td = target.data
        target = Tensor(td.astype(input.dtype)) if type(td) is np.ndarray else \
            as_tensor(td, dtype=input.dtype)
    if input.shape != target.shape:
        raise ValueError(f"{name}: input has shape {input.shape} but target has shape "
                         f"{target.shape}; they must be equal")
    return input, target


# ---------------------------------------------------------------------------- layers


def _linear_kernel(x, w, b=None):
    return _affine(x, w, b)


def _linear_grads_kernel(g, needs, y, ctx, x, w, b=None):
    # y = x Wᵀ + b:  dx = g W,  dW = gᵀ x,  db = g summed over the batch axes (arrays, or
    # Tensors when the backward is recorded)
    if not needs[0]:
        gx = None
    elif g.ndim > 2 and not isinstance(g, Tensor):  # one 2-D product, not one per row
        gx = (g.reshape(-1, g.shape[-1]) @ w).reshape(x.shape)
    else:
        gx = g @ w
    gw = None
    if needs[1]:  # (2-D: the arrays themselves, without two reshaped views of them)
        gw = g.T @ x if g.ndim == 2 and x.ndim == 2 else \
            g.reshape(-1, w.shape[0]).T @ x.reshape(-1, w.shape[1])
    if len(needs) < 3 or not needs[2]:
        return gx, gw, None
    gb = np.add.reduce(g, axis=0) if g.__class__ is np.ndarray and g.ndim == 2 \
        else g.sum(axis=tuple(range(g.ndim - 1)))  # (the ufunc: what .sum calls)
    return gx, gw, gb


@op(export=False, saves="inputs", formula=("g·W", "gᵀ·x", "g summed over the batch"),
    replay=_linear_kernel, replay_backward=_linear_grads_kernel)
def linear(x: TensorLike, weight: TensorLike, bias: TensorLike | None = None) -> Tensor:
    """``x @ weight.T + bias``: ``weight`` has shape (out, in), ``x`` has ``in`` last.

    One fused op (PyTorch's ``addmm``): a single node per layer, and weight gradients come out
    of one matrix product, contiguous, with no transposed copies.

    Examples
    --------
    >>> F.linear(ag.ones(2, 3), ag.ones(4, 3)).shape
    (2, 4)
    """
    weight = _tensor(weight)
    x = _tensor(x, like=weight)
    bias = None if bias is None else _tensor(bias, like=weight)
    wd = weight.data
    if x.data.dtype is not wd.dtype or bias is not None and bias.data.dtype is not wd.dtype:
        for name, t in (("input", x), ("bias", bias)):  # (the same dtype object: all is well)
            if t is not None and t.dtype != weight.dtype:  # as PyTorch: no silent promotion
                raise TypeError(f"linear: the {name} has dtype {t.dtype} but the weight has "
                                f"dtype {weight.dtype}; they must be equal (convert with "
                                f".astype(np.{weight.dtype}))")
    if x.ndim == 0 or weight.ndim != 2 or x.shape[-1] != weight.shape[1]:
        raise ValueError(f"linear: the input's last dimension has size "
                         f"{x.shape[-1] if x.ndim else None} (input shape {x.shape}) but the "
                         f"weight of shape {weight.shape} expects {weight.shape[-1]}")
    if bias is not None and bias.shape != weight.shape[:1]:
        raise ValueError(f"linear: bias of shape {bias.shape} does not match the weight's "
                         f"{weight.shape[0]} outputs (weight shape {weight.shape})")
    b = None if bias is None else bias.data
    try:
        data = _affine(x.data, weight.data, b)
    except RuntimeWarning:  # an overflow with warnings made errors: inf, as PyTorch, quietly
        with np.errstate(all="ignore"):
            data = _affine(x.data, weight.data, b)
    parents = (x, weight) if bias is None else (x, weight, bias)
    return record(data, parents, linear.op, _linear_backward)


def _linear_backward(g, out):
    (x, weight, *rest), _ = saved(out)
    bias = rest[0] if rest else None
    if is_grad_enabled():  # recorded (create_graph=True): the formulas in Tensor ops
        g_, x_, w_ = g, x, weight
    else:  # the same formulas on the raw arrays: no graph, no wrappers
        g_, x_, w_ = g.data, x.data, weight.data
    if g_.__class__ is not np.ndarray and not isinstance(g_, Tensor):  # another backend
        return _grads(*_linear_grads(namespace(g_), g_, x_, w_, x, weight, bias))
    needs = (x.requires_grad, weight.requires_grad, bias is not None and bias.requires_grad)
    return _grads(*_linear_grads_kernel(g_, needs, None, None, x_, w_))


def _affine(x, w, bias):
    if x.__class__ is not np.ndarray or w.__class__ is not np.ndarray:  # another backend
        xp = namespace(x, w, bias)
        x, w = moved(xp, x), moved(xp, w)
        if x.ndim > 2:
            x2 = xp.reshape(x, (-1, x.shape[-1]))
            data = xp.reshape(x2 @ w.T, tuple(x.shape[:-1]) + tuple(w.shape[:1]))
        else:
            data = x @ w.T
        return data if bias is None else data + moved(xp, bias)
    if x.ndim > 2:  # one 2-D product (numpy would loop over the leading axes)
        data = (x.reshape(-1, x.shape[-1]) @ w.T).reshape(x.shape[:-1] + w.shape[:1])
    else:
        data = x @ w.T
    if bias is not None:
        data += bias
    return data


def _linear_grads(xp, g, x_, w_, x: Tensor, weight: Tensor, bias) -> tuple:
    """linear's gradients on another backend's arrays: the standard's functions only."""
    g, x_, w_ = moved(xp, g), moved(xp, x_), moved(xp, w_)
    g2 = xp.reshape(g, (-1, g.shape[-1])) if g.ndim != 2 else g
    gx = gw = gb = None
    if x.requires_grad:
        gx = xp.reshape(g2 @ w_, tuple(x_.shape))
    if weight.requires_grad:
        gw = g2.T @ (xp.reshape(x_, (-1, x_.shape[-1])) if x_.ndim != 2 else x_)
    if bias is not None and bias.requires_grad:
        gb = xp.sum(g2, axis=0)
    return gx, gw, gb


# ---------------------------------------------------------------------------- activations


def leaky_relu(x: Tensor, negative_slope: float = 0.01) -> Tensor:
    """``x`` where positive, else ``negative_slope * x``."""
    x = _tensor(x)
    return where(x.data > 0, x, x * negative_slope)


def softmax(x: Tensor, axis: int = -1, *, dim: int | None = None) -> Tensor:
    """``exp(x) / sum(exp(x))`` along ``axis`` (or PyTorch's ``dim``): ``ag.softmax``."""
    return ag_softmax(x, axis if dim is None else dim)


def dropout(x: Tensor, p: float = 0.5, training: bool = True) -> Tensor:
    """Zero each element with probability ``p`` and scale the rest by ``1/(1-p)`` (in training).

    The mask comes from autograd's global generator (``ag.manual_seed``).
    """
    if not 0 <= p <= 1:
        raise ValueError(f"dropout: probability p must be between 0 and 1, got {p}")
    x = _tensor(x)
    if not training or p == 0:
        return x
    if p == 1:
        return x * 0.0
    keep = default_generator().random(x.shape) >= p
    mask = (keep * (1 / (1 - p))).astype(x.dtype, copy=False)
    if type(x.data) is not np.ndarray:  # drawn by autograd's generator, moved to x's backend
        xp = namespace(x)
        mask = xp.asarray(mask, dtype=dtype_in(xp, x.dtype))
    return x * as_tensor(mask)


# ---------------------------------------------------------------------------- regression losses


def mse_loss(input: Tensor, target: TensorLike, reduction: str = "mean") -> Tensor:
    """Squared error ``(input - target)²``, averaged (or summed) over all elements."""
    input, target = _pair("mse_loss", input, target, reduction)
    d = input - target
    return _reduce(d * d, reduction)


def l1_loss(input: Tensor, target: TensorLike, reduction: str = "mean") -> Tensor:
    """Absolute error ``|input - target|`` (MAE); the gradient at 0 is 0."""
    input, target = _pair("l1_loss", input, target, reduction)
    return _reduce((input - target).abs(), reduction)


def huber_loss(input: Tensor, target: TensorLike, reduction: str = "mean",
               delta: float = 1.0) -> Tensor:
    """Huber loss: ``d²/2`` where ``|d| < delta``, else ``delta·(|d| - delta/2)``.

    ``d = input - target``; PyTorch's ``HuberLoss``.
    """
    if delta <= 0:
        raise ValueError(f"huber_loss: delta must be positive, got {delta}")
    input, target = _pair("huber_loss", input, target, reduction)
    d = input - target
    ad = d.abs()
    return _reduce(where(ad.data < delta, d * d * 0.5, (ad - 0.5 * delta) * delta), reduction)


def hinge_loss(input: Tensor, target: TensorLike, reduction: str = "mean") -> Tensor:
    """``max(0, 1 - target·input)`` with targets in {-1, +1}."""
    input, target = _pair("hinge_loss", input, target, reduction)
    td = target.data
    bad = (td != 1) & (td != -1)
    if type(td) is np.ndarray:
        if bad.any():
            raise ValueError(f"hinge_loss: targets must be -1 or +1, got {td[bad][0]!r}")
    elif not is_lazy(td) and bool(namespace(td).any(bad)):  # a lazy array's are not read
        raise ValueError(f"hinge_loss: targets must be -1 or +1, got "
                         f"{target.numpy()[Tensor(bad).numpy()][0]!r}")
    return _reduce(relu(1 - target * input), reduction)


# ---------------------------------------------------------------------------- binary losses

_LOG_FLOOR = -100.0  # PyTorch clamps BCE's logarithms here, so p = 0 or 1 gives a finite loss


@op(export=False, saves="inputs", formula=("(p − y)/(p·(1 − p))", "log(1 − p) − log(p)"))
def binary_cross_entropy(input: TensorLike, target: TensorLike, reduction: str = "mean") -> Tensor:
    """``-(y·log p + (1-y)·log(1-p))`` for probabilities ``p`` in [0, 1], logs clamped at -100.

    The ranges of ``p`` and ``y`` are checked, except on a lazy backend (dask), whose values
    are not read inside an op.

    Examples
    --------
    >>> F.binary_cross_entropy(ag.tensor([0.9, 0.2]), ag.tensor([1.0, 0.0]))
    Tensor(0.164)
    """
    input, target = _pair("binary_cross_entropy", input, target, reduction)
    p, y = input.data, target.data
    xp = np if p.__class__ is np.ndarray and y.__class__ is np.ndarray else namespace(p, y)
    if xp is not np:
        p, y = moved(xp, p), moved(xp, y)
    if not (xp is not np and is_lazy(p)):
        for arg, a in (("input", p), ("target", y)):
            inside = (a >= 0) & (a <= 1)  # NaN fails too, as in PyTorch
            if not (inside.all() if xp is np else bool(xp.all(inside))):
                raise ValueError(
                    f"binary_cross_entropy: all elements of {arg} must be "
                    f"{'probabilities ' if arg == 'input' else ''}in [0, 1], got "
                    f"{first_outside(a)}" + ("; use binary_cross_entropy_with_logits for raw "
                                              "scores" if arg == "input" else ""))
    with np.errstate(all="ignore"):
        if xp is np:
            log_p = np.maximum(np.log(p), _LOG_FLOOR)
            log_q = np.maximum(np.log1p(-p), _LOG_FLOOR)
        else:
            log_p = xp.clip(xp.log(p), min=_LOG_FLOOR)
            log_q = xp.clip(xp.log1p(-p), min=_LOG_FLOOR)
        losses = -(y * log_p + (1 - y) * log_q)
    n = math.prod(input.shape)

    def backward(g, out):
        if is_grad_enabled():  # recorded: Tensor ops, differentiable again
            g = expand(g, reduction, n, input.shape)
            gp = gy = None
            if input.requires_grad:  # (p - y) / (p(1-p)), the denominator kept >= 1e-12
                gp = g * (input - target) / maximum((1 - input) * input, 1e-12)
            if target.requires_grad:  # log(1-p) - log p, both clamped
                gy = g * (clip(log(1 - input), _LOG_FLOOR) - clip(log(input), _LOG_FLOOR))
            return gp, gy
        gd = expanded(g.data, reduction, n)  # the same formulas on the arrays
        gp = gy = None
        with np.errstate(all="ignore"):
            if input.requires_grad:
                gp = gd * (p - y) / xp.clip((1 - p) * p, min=1e-12)
            if target.requires_grad:
                gy = gd * (xp.clip(xp.log(1 - p), min=_LOG_FLOOR) -
                           xp.clip(xp.log(p), min=_LOG_FLOOR))
        return _grads(gp, gy)

    return record(reduced(xp, losses, reduction), (input, target), binary_cross_entropy,
                  backward)


@op(export=False, saves="inputs", formula=("σ(x) − y", "−x"))
def binary_cross_entropy_with_logits(input: TensorLike, target: TensorLike,
                                     reduction: str = "mean") -> Tensor:
    """``binary_cross_entropy(sigmoid(input), target)`` in one overflow-free step.

    Finite for logits of any size: ``max(x, 0) - x·y + log(1 + exp(-|x|))``.
    """
    input, target = _pair("binary_cross_entropy_with_logits", input, target, reduction)
    x, y = input.data, target.data
    xp = np if x.__class__ is np.ndarray and y.__class__ is np.ndarray else namespace(x, y)
    if xp is not np:
        x, y = moved(xp, x), moved(xp, y)
    with np.errstate(all="ignore"):  # inf logits: IEEE results, no numpy warning
        losses = xp.clip(x, min=0) - x * y + xp.log1p(xp.exp(-xp.abs(x))) if xp is not np \
            else np.maximum(x, 0) - x * y + np.log1p(np.exp(-np.abs(x)))
    n = math.prod(input.shape)

    def backward(g, out):
        if is_grad_enabled():  # recorded: Tensor ops, differentiable again
            g = expand(g, reduction, n, input.shape)
            return (g * (sigmoid(input) - target) if input.requires_grad else None,  # σ(x) - y
                    -g * input if target.requires_grad else None)  # d/dy = -x
        gd = expanded(g.data, reduction, n)
        gx = gy = None
        if input.requires_grad:  # σ(x) = (1 + tanh(x/2))/2, as ag.sigmoid
            gx = gd * ((xp.tanh(x * 0.5) + 1) * 0.5 - y)
        if target.requires_grad:
            gy = -gd * x
        return _grads(gx, gy)

    return record(reduced(xp, losses, reduction), (input, target),
                  binary_cross_entropy_with_logits, backward)


# ---------------------------------------------------------------------------- classification


def _cross_entropy_kernel(x, target, reduction: str):
    """The fused op's numpy case, ``reduction`` "mean" or "sum": the loss, and what its
    backward reads (the exponentials, their row sums, the targets). Labels outside [0, C)
    are not its case (``NotReplayed``): ``cross_entropy`` names them, or ignores them."""
    n, c = x.shape
    if outside(target, c):  # (one pass)
        raise NotReplayed("cross_entropy: a label outside [0, C)")
    rows, e, total, losses = _cross_entropy_losses(x, target)
    with np.errstate(all="ignore"):
        loss = np.add.reduce(losses)
        if reduction == "mean":  # the mean of no losses is NaN, as in PyTorch
            loss = loss / n if n else np.float64("nan")
        loss = np.asarray(loss, dtype=x.dtype)
    return loss, (e, total, rows, target, reduction)


def _cross_entropy_losses(x: np.ndarray, target: np.ndarray) -> tuple:
    """Each row's loss of (M, C) numpy logits against M labels, with the row indices, the
    exponentials of the shifted logits and their row sums (the backward's softmax)."""
    rows = np.arange(len(x))
    with np.errstate(all="ignore"):  # inf logits: nan, as PyTorch, without the warning
        # (the ufuncs' reductions: what x.max and e.sum call, without their wrappers)
        shifted = x - np.maximum.reduce(x, axis=1, keepdims=True) if x.size else x
        e = np.exp(shifted)
        total = sum_last(e)
        return rows, e, total, np.log(total[:, 0]) - shifted[rows, target]


def _cross_entropy_backward(g, out):
    # numpy in training: the probabilities (a new array) become the gradient in place, 1
    # taken off at each target (bit for bit what probs - onehot gives); recorded: the same
    # formula in ops, from the logits
    (logits,), ctx = saved(out)
    if is_grad_enabled():
        _, _, rows, target, reduction = ctx
        hot = np.zeros(logits.shape, dtype=logits.dtype)
        hot[rows, target] = 1
        scale = g / len(rows) if reduction == "mean" else g
        return _grads((ag_softmax(logits, axis=1) - as_tensor(hot)) * scale)
    return _grads(*_cross_entropy_grads(g.data, None, None, ctx))


def _cross_entropy_grads(g, needs, y, ctx, *args):
    e, total, rows, target, reduction = ctx
    grad = e / total
    grad[rows, target] -= 1
    grad *= g / len(rows) if reduction == "mean" else g
    return (grad,)


@op(name="cross_entropy", export=False, saves="inputs", formula="softmax(x) − onehot(y)",
    replay=_cross_entropy_kernel, context=True, replay_backward=_cross_entropy_grads)
def _cross_entropy_rows(logits, target, reduction: str = "mean",
                        ignore_index: int | None = None, weight=None) -> Tensor:
    """Softmax cross-entropy of (M, C) logits against M class indices, in one fused op.

    For targets whose values are not read here (another backend's): ``ignore_index`` weighs
    those targets 0 and ``weight`` (C,) each target by its class's weight, ``"mean"`` then
    dividing by the total weight, as PyTorch."""
    x = logits.data
    n, c = x.shape
    if x.__class__ is np.ndarray and target.__class__ is np.ndarray and \
            reduction != "none" and ignore_index is None and weight is None:
        data, ctx = _cross_entropy_kernel(x, target, reduction)
        return record(data, (logits,), _cross_entropy_rows.op, _cross_entropy_backward,
                      attrs=(target, reduction), ctx=ctx)
    if x.__class__ is np.ndarray and target.__class__ is np.ndarray:  # reduction "none"
        xp = np
        rows, e, total, losses = _cross_entropy_losses(x, target)
        keep = None

        def onehot():
            hot = np.zeros(x.shape, dtype=x.dtype)
            hot[rows, target] = 1
            return hot
    else:  # another backend: the target picked with a one-hot mask (no gather, no scatter)
        xp = namespace(x, target)
        x, t = moved(xp, x), moved(xp, target)
        dtype = dtype_in(xp, logits.dtype)
        hits = t[:, None] == xp.arange(c, dtype=t.dtype)[None, :]
        shifted = x - xp.max(x, axis=1, keepdims=True) if n * c else x
        e = xp.exp(shifted)
        total = xp.sum(e, axis=1, keepdims=True)
        losses = xp.log(total[:, 0]) - xp.sum(xp.where(hits, shifted, xp.zeros_like(x)), axis=1)
        keep = None if ignore_index is None else xp.astype(t != ignore_index, dtype)
        if weight is not None:  # each target's class weight (ignored ones: any class's)
            w = xp.take(moved(xp, weight), xp.clip(t, min=0, max=c - 1), axis=0)
            keep = w if keep is None else keep * w
        if keep is not None:
            losses = losses * keep
        onehot = partial(xp.astype, hits, dtype)  # the one-hot targets: the mask as 0 and 1

    def backward(g, out):
        # d loss_i / d logits_i = softmax(logits_i) - onehot(target_i); the probabilities are
        # the forward's (e / total) unless this backward is itself recorded
        recorded = is_grad_enabled()
        if not recorded and keep is None and xp is np:  # as _cross_entropy_backward
            grad = e / total
            grad[rows, target] -= 1
            grad *= g.data[:, None]
            return _grads(grad)
        if recorded:
            probs, hot = ag_softmax(logits, axis=1), as_tensor(onehot())
        else:
            probs, hot, g = e / total, onehot(), g.data
        if keep is None:
            scale = g / n if reduction == "mean" else g if reduction == "sum" else \
                (reshape(g, (n, 1)) if recorded else g[:, None])
        else:  # the kept targets only; "mean" is over them
            k = keep[:, None] / xp.sum(keep) if reduction == "mean" else keep[:, None]
            k = as_tensor(k) if recorded else k
            scale = (reshape(g, (n, 1)) if recorded else g[:, None]) * k \
                if reduction == "none" else g * k
        return _grads((probs - hot) * scale)

    # (attrs=None: these cases are not replayed by ag.compile)
    if keep is not None and reduction == "mean":
        return record(xp.sum(losses) / xp.sum(keep), (logits,), _cross_entropy_rows.op,
                      backward, attrs=None)
    return record(reduced(xp, losses, reduction), (logits,), _cross_entropy_rows.op, backward,
                  attrs=None)


def cross_entropy(input: Tensor, target: TensorLike, reduction: str = "mean",
                  weight: TensorLike | None = None,
                  ignore_index: int = -100) -> Tensor:
    """Softmax cross-entropy of raw scores ``input`` (shape (N, C), (C,) or (N, C, d1, ...)).

    ``target`` holds class indices (an integer array or Tensor of shape (N,) or (N, d1, ...))
    or class probabilities (a floating one of the input's shape). ``"mean"`` averages over the
    batch (and the extra dimensions), as in PyTorch. Finite for logits of any size. As in
    PyTorch, ``weight`` (C,) rescales each class (``"mean"`` then divides by the total weight
    of the targets) and targets equal to ``ignore_index`` count for nothing.

    Examples
    --------
    >>> logits = ag.tensor([[2.0, 0.5, -1.0]], requires_grad=True)
    >>> F.cross_entropy(logits, np.array([0]))  # -log softmax(logits)[0, 0]
    Tensor(0.241, grad_fn=<CrossEntropyBackward>)
    """
    if (reduction == "mean" or reduction == "sum") and \
            _rows_and_labels(input, target, weight, ignore_index):
        # the common case, checked at once: (N, C) scores on numpy, N integer labels (the op
        # checks they are in range; those that are not take the general path, which names
        # the label or ignores it)
        try:
            return _cross_entropy_rows(input, target, reduction)
        except NotReplayed:
            pass
    _check_reduction("cross_entropy", reduction)
    input = _tensor(input)
    axis = 1 if input.ndim > 1 else 0
    if dtype_kind(target) == "f":
        target = _tensor(target, like=input)
        if target.shape != input.shape:
            raise ValueError(f"cross_entropy: probability targets must have the input's shape "
                             f"{input.shape}, got {target.shape}")
        if weight is not None:
            w = class_weights("cross_entropy", weight, input.shape[axis], input.dtype)
            shape = (-1,) + (1,) * (input.ndim - axis - 1)
            target = target * (w.reshape(shape) if w.__class__ is np.ndarray else
                               as_tensor(namespace(w).reshape(w, shape)))
        losses = -(target * log_softmax(input, axis=axis)).sum(axis=axis)
        if reduction == "mean" and input.ndim > 1:
            return losses.sum() / (input.size // input.shape[1])
        return _reduce(losses, reduction)
    idx = class_indices("cross_entropy", target)
    rows, idx, shape = class_last("cross_entropy", input, idx, ignore_index)
    if idx.__class__ is not np.ndarray:  # another backend's targets: the values stay unread
        if weight is not None:
            weight = class_weights("cross_entropy", weight, rows.shape[1], rows.dtype)
        out = _cross_entropy_rows(rows, idx, reduction, ignore_index, weight)
        return out if reduction != "none" else reshape(out, shape)
    if weight is not None or (idx == ignore_index).any():
        return weighted_nll(log_softmax(rows, axis=1), idx, weight, ignore_index, reduction,
                             shape)
    if reduction != "none":
        return _cross_entropy_rows(rows, idx, reduction)
    return reshape(_cross_entropy_rows(rows, idx, "none"), shape)


def _rows_and_labels(input, target, weight, ignore_index) -> bool:
    """Whether ``cross_entropy`` may go straight to its op: a Tensor of (N, C) floating scores
    on numpy, a numpy vector of N integer labels, an ``ignore_index`` outside [0, C) (so no
    label in range is it), no class weights. Anything else takes the general path, which
    checks and names what is wrong."""
    if input.__class__ is not Tensor or target.__class__ is not np.ndarray or \
            weight is not None:
        return False
    x = input.data
    if x.__class__ is not np.ndarray or x.ndim != 2 or x.dtype.kind != "f" or \
            target.ndim != 1 or target.dtype.kind not in "iu" or len(target) != len(x) or \
            not target.size or 0 <= ignore_index < x.shape[1]:
        return False
    return True


def nll_loss(input: Tensor, target: TensorLike, reduction: str = "mean",
             weight: TensorLike | None = None,
             ignore_index: int = -100) -> Tensor:
    """Negative log-likelihood ``-input[i, target_i]`` of log-probabilities ``input``.

    ``cross_entropy(x, t)`` equals ``nll_loss(log_softmax(x, axis=1), t)``; ``weight`` and
    ``ignore_index`` as there.
    """
    _check_reduction("nll_loss", reduction)
    input = _tensor(input)
    rows, idx, shape = class_last("nll_loss", input, class_indices("nll_loss", target),
                                   ignore_index)
    return weighted_nll(rows, idx, weight, ignore_index, reduction, shape)
