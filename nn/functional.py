"""Activations and losses as functions of Tensors (``import nn.functional as F``).

Almost everything is a composition of autograd ops, so its gradient comes from the engine.
Four functions are primitive ops of their own, registered with ``@op`` like the engine's
(forward on numpy, backward closure right below): ``linear`` (one node instead of three),
``cross_entropy`` on class indices and ``binary_cross_entropy_with_logits`` (one
fused, overflow-free pass) and ``binary_cross_entropy`` (PyTorch's clamped logarithms, whose
gradient a composition would turn into NaN at 0 and 1). ``erf`` (for the exact GELU) is
autograd's ``ag.erf``.

The hot backward closures (linear, cross-entropy) evaluate their one formula on the raw
arrays when the backward pass is not being recorded, and on the Tensors themselves when it is
(``create_graph=True``), so training pays no wrapper overhead and higher order still works.
"""

from __future__ import annotations

import numpy as np

from autograd import (
    Tensor,
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
    sigmoid,
    tanh,
    transpose,
    where,
)
from autograd import softmax as ag_softmax
from autograd.typing import TensorLike

from .ops._common import grads as _grads
from .ops._common import operands as _operands
from .ops._common import tensor_of as _tensor
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
        target = Tensor(target.data.astype(input.dtype))
    if input.shape != target.shape:
        raise ValueError(f"{name}: input has shape {input.shape} but target has shape "
                         f"{target.shape}; they must be equal")
    return input, target


# ---------------------------------------------------------------------------- layers


@op(export=False, saves="inputs", formula=("g·W", "gᵀ·x", "g summed over the batch"))
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
    for name, t in (("input", x), ("bias", bias)):
        if t is not None and t.dtype != weight.dtype:  # as PyTorch: no silent promotion
            raise TypeError(f"linear: the {name} has dtype {t.dtype} but the weight has dtype "
                            f"{weight.dtype}; they must be equal (convert with "
                            f".astype(np.{weight.dtype}))")
    if x.ndim == 0 or weight.ndim != 2 or x.shape[-1] != weight.shape[1]:
        raise ValueError(f"linear: the input's last dimension has size "
                         f"{x.shape[-1] if x.ndim else None} (input shape {x.shape}) but the "
                         f"weight of shape {weight.shape} expects {weight.shape[-1]}")
    if bias is not None and bias.shape != weight.shape[:1]:
        raise ValueError(f"linear: bias of shape {bias.shape} does not match the weight's "
                         f"{weight.shape[0]} outputs (weight shape {weight.shape})")
    try:
        data = _affine(x.data, weight.data, bias)
    except RuntimeWarning:  # an overflow with warnings made errors: inf, as PyTorch, quietly
        with np.errstate(all="ignore"):
            data = _affine(x.data, weight.data, bias)
    parents = (x, weight) if bias is None else (x, weight, bias)

    def backward(g, out):
        # y = x Wᵀ + b:  dx = g W,  dW = gᵀ x,  db = g summed over the batch axes
        if is_grad_enabled():  # recorded (create_graph=True): the formulas in Tensor ops
            g_, x_, w_ = g, x, weight
        else:  # the same formulas on the raw arrays: no graph, no wrappers
            g_, x_, w_ = g.data, x.data, weight.data
        if not x.requires_grad:
            gx = None
        elif g_.ndim > 2 and not isinstance(g_, Tensor):  # one 2-D product, not one per row
            gx = (g_.reshape(-1, g_.shape[-1]) @ w_).reshape(x_.shape)
        else:
            gx = g_ @ w_
        gw = gb = None
        if weight.requires_grad:
            gw = g_.reshape(-1, w_.shape[0]).T @ x_.reshape(-1, w_.shape[1])
        if bias is not None and bias.requires_grad:
            gb = g_.sum(axis=tuple(range(g_.ndim - 1)))
        return _grads(gx, gw, gb)

    return record(data, parents, linear.op, backward)


def _affine(x: np.ndarray, w: np.ndarray, bias) -> np.ndarray:
    if x.ndim > 2:  # one 2-D product (numpy would loop over the leading axes)
        data = (x.reshape(-1, x.shape[-1]) @ w.T).reshape(x.shape[:-1] + w.shape[:1])
    else:
        data = x @ w.T
    if bias is not None:
        data += bias.data
    return data


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
    return x * (keep * (1 / (1 - p))).astype(x.dtype, copy=False)


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
    bad = (target.data != 1) & (target.data != -1)
    if bad.any():
        raise ValueError(f"hinge_loss: targets must be -1 or +1, got {target.data[bad][0]!r}")
    return _reduce(relu(1 - target * input), reduction)


# ---------------------------------------------------------------------------- binary losses

_LOG_FLOOR = -100.0  # PyTorch clamps BCE's logarithms here, so p = 0 or 1 gives a finite loss


@op(export=False, saves="inputs", formula=("(p − y)/(p·(1 − p))", "log(1 − p) − log(p)"))
def binary_cross_entropy(input: TensorLike, target: TensorLike, reduction: str = "mean") -> Tensor:
    """``-(y·log p + (1-y)·log(1-p))`` for probabilities ``p`` in [0, 1], logs clamped at -100.

    Examples
    --------
    >>> F.binary_cross_entropy(ag.tensor([0.9, 0.2]), ag.tensor([1.0, 0.0]))
    Tensor(0.164)
    """
    input, target = _pair("binary_cross_entropy", input, target, reduction)
    p, y = input.data, target.data
    if not ((p >= 0) & (p <= 1)).all():  # NaN fails too, as in PyTorch
        raise ValueError(f"binary_cross_entropy: all elements of input must be probabilities "
                         f"in [0, 1], got {_first_outside(p)}; use "
                         f"binary_cross_entropy_with_logits for raw scores")
    if not ((y >= 0) & (y <= 1)).all():
        raise ValueError(f"binary_cross_entropy: all elements of target must be in [0, 1], "
                         f"got {_first_outside(y)}")
    with np.errstate(all="ignore"):
        log_p = np.maximum(np.log(p), _LOG_FLOOR)
        log_q = np.maximum(np.log1p(-p), _LOG_FLOOR)
        losses = -(y * log_p + (1 - y) * log_q)

    def backward(g, out):
        g = _expand(g, reduction, p.size, p.shape)
        gp = gy = None
        if input.requires_grad:  # (p - y) / (p(1-p)), the denominator kept >= 1e-12
            gp = g * (input - target) / maximum((1 - input) * input, 1e-12)
        if target.requires_grad:  # log(1-p) - log p, both clamped
            gy = g * (clip(log(1 - input), _LOG_FLOOR) - clip(log(input), _LOG_FLOOR))
        return gp, gy

    return record(_reduced(losses, reduction), (input, target), binary_cross_entropy, backward)


def _first_outside(a: np.ndarray) -> float:
    """The first element of ``a`` not in [0, 1] (NaN included), for an error message."""
    return a[~((a >= 0) & (a <= 1))].flat[0].item()


@op(export=False, saves="inputs", formula=("σ(x) − y", "−x"))
def binary_cross_entropy_with_logits(input: TensorLike, target: TensorLike,
                                     reduction: str = "mean") -> Tensor:
    """``binary_cross_entropy(sigmoid(input), target)`` in one overflow-free step.

    Finite for logits of any size: ``max(x, 0) - x·y + log(1 + exp(-|x|))``.
    """
    input, target = _pair("binary_cross_entropy_with_logits", input, target, reduction)
    x, y = input.data, target.data
    with np.errstate(all="ignore"):  # inf logits: IEEE results, no numpy warning
        losses = np.maximum(x, 0) - x * y + np.log1p(np.exp(-np.abs(x)))

    def backward(g, out):
        g = _expand(g, reduction, x.size, x.shape)
        return (g * (sigmoid(input) - target) if input.requires_grad else None,  # σ(x) - y
                -g * input if target.requires_grad else None)  # d/dy = -x

    return record(_reduced(losses, reduction), (input, target), binary_cross_entropy_with_logits,
                  backward)


def _reduced(losses: np.ndarray, reduction: str) -> np.ndarray:
    if reduction == "mean":  # the mean of no losses is NaN, as in PyTorch
        with np.errstate(all="ignore"):
            total = losses.sum()
            return np.asarray(total / losses.size if losses.size else np.nan,
                              dtype=losses.dtype)
    if reduction == "sum":
        with np.errstate(all="ignore"):
            return np.asarray(losses.sum(), dtype=losses.dtype)
    return losses


def _expand(g: Tensor, reduction: str, n: int, shape: tuple) -> Tensor:
    """The gradient of a reduced loss as the gradient of each element's loss (broadcastable)."""
    if reduction == "mean":
        return g / n
    if reduction == "sum":
        return g
    return g.reshape(shape)


# ---------------------------------------------------------------------------- classification


def _class_last(name: str, input: Tensor, target: np.ndarray,
                ignore_index: int) -> tuple[Tensor, np.ndarray, tuple]:
    """Scores of shape (C,), (N, C) or (N, C, d1, ...) as (M, C) rows, class-index targets as
    (M,), and the shape a ``reduction="none"`` result takes."""
    if input.ndim == 0:
        raise ValueError(f"{name}: input must have a class dimension, got a 0-d tensor")
    expect = input.shape[:1] + input.shape[2:] if input.ndim > 1 else ()
    if target.shape != expect:
        raise ValueError(f"{name}: input of shape {input.shape} needs class-index targets of "
                         f"shape {expect}, got {target.shape}")
    c = input.shape[1] if input.ndim > 1 else input.shape[0]
    if target.size and (target.min() < 0 or target.max() >= c):
        bad = ((target < 0) | (target >= c)) & (target != ignore_index)
        if bad.any():
            raise IndexError(f"{name}: target {target[bad].flat[0]} is out of bounds for {c} "
                             f"classes (and is not ignore_index={ignore_index})")
    if input.ndim == 2:
        return input, target, expect
    if input.ndim == 1:
        return reshape(input, (1, c)), target.reshape(1), ()
    if input.ndim > 2:
        perm = (0,) + tuple(range(2, input.ndim)) + (1,)
        input = transpose(input, perm)
    return reshape(input, (-1, c)), target.reshape(-1), expect


@op(name="cross_entropy", export=False, saves="inputs", formula="softmax(x) − onehot(y)")
def _cross_entropy_rows(logits, target, reduction: str = "mean") -> Tensor:
    """Softmax cross-entropy of (M, C) logits against M class indices, in one fused op."""
    x = logits.data
    n = x.shape[0]
    rows = np.arange(n)
    with np.errstate(all="ignore"):  # inf logits: nan, as PyTorch, without numpy's warning
        shifted = x - x.max(axis=1, keepdims=True) if x.size else x
        e = np.exp(shifted)
        total = e.sum(axis=1, keepdims=True)
        losses = np.log(total[:, 0]) - shifted[rows, target]

    def backward(g, out):
        # d loss_i / d logits_i = softmax(logits_i) - onehot(target_i); the probabilities are
        # the forward's (e / total) unless this backward is itself recorded
        probs = ag_softmax(logits, axis=1) if is_grad_enabled() else e / total
        g, probs = _operands(g, probs)
        onehot = np.zeros(x.shape, dtype=x.dtype)
        onehot[rows, target] = 1
        return _grads((probs - onehot) * _expand(g, reduction, n, (n, 1)))

    return record(_reduced(losses, reduction), (logits,), _cross_entropy_rows.op, backward)


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
    _check_reduction("cross_entropy", reduction)
    input = _tensor(input)
    axis = 1 if input.ndim > 1 else 0
    if isinstance(target, Tensor) and target.dtype.kind == "f" or \
            not isinstance(target, Tensor) and np.asarray(target).dtype.kind == "f":
        target = _tensor(target, like=input)
        if target.shape != input.shape:
            raise ValueError(f"cross_entropy: probability targets must have the input's shape "
                             f"{input.shape}, got {target.shape}")
        if weight is not None:
            w = _class_weights("cross_entropy", weight, input.shape[axis], input.dtype)
            target = target * w.reshape((-1,) + (1,) * (input.ndim - axis - 1))
        losses = -(target * log_softmax(input, axis=axis)).sum(axis=axis)
        if reduction == "mean" and input.ndim > 1:
            return losses.sum() / (input.size // input.shape[1])
        return _reduce(losses, reduction)
    idx = _indices("cross_entropy", target)
    rows, idx, shape = _class_last("cross_entropy", input, idx, ignore_index)
    if weight is not None or (idx == ignore_index).any():
        return _weighted_nll(log_softmax(rows, axis=1), idx, weight, ignore_index, reduction,
                             shape)
    if reduction != "none":
        return _cross_entropy_rows(rows, idx, reduction)
    return reshape(_cross_entropy_rows(rows, idx, "none"), shape)


def nll_loss(input: Tensor, target: TensorLike, reduction: str = "mean",
             weight: TensorLike | None = None,
             ignore_index: int = -100) -> Tensor:
    """Negative log-likelihood ``-input[i, target_i]`` of log-probabilities ``input``.

    ``cross_entropy(x, t)`` equals ``nll_loss(log_softmax(x, axis=1), t)``; ``weight`` and
    ``ignore_index`` as there.
    """
    _check_reduction("nll_loss", reduction)
    input = _tensor(input)
    rows, idx, shape = _class_last("nll_loss", input, _indices("nll_loss", target),
                                   ignore_index)
    return _weighted_nll(rows, idx, weight, ignore_index, reduction, shape)


def _weighted_nll(logp: Tensor, idx: np.ndarray, weight, ignore_index: int, reduction: str,
                  shape: tuple) -> Tensor:
    """PyTorch's NLL of (M, C) log-probabilities: ``-w[t_i]·logp[i, t_i]``, ignored targets
    weighing 0, and ``"mean"`` dividing by the total weight."""
    valid = idx != ignore_index
    safe = np.where(valid, idx, 0)
    w = valid.astype(logp.dtype)
    if weight is not None:
        w *= _class_weights("nll_loss", weight, logp.shape[1], logp.dtype)[safe]
    losses = -logp[np.arange(len(safe)), safe]
    if weight is not None or not valid.all():
        losses = losses * w
    if reduction == "none":
        return reshape(losses, shape)
    if reduction == "sum":
        return losses.sum()
    with np.errstate(invalid="ignore", divide="ignore"):  # all ignored: nan, as PyTorch
        return losses.sum() / w.sum()


def _class_weights(name: str, weight, classes: int, dtype) -> np.ndarray:
    w = np.asarray(weight.data if isinstance(weight, Tensor) else weight, dtype=dtype)
    if w.shape != (classes,):
        raise ValueError(f"{name}: weight must have one entry per class, shape ({classes},), "
                         f"got {w.shape}")
    return w


def _indices(name: str, target) -> np.ndarray:
    t = np.asarray(target.data if isinstance(target, Tensor) else target)
    if t.dtype.kind not in "iu":
        raise TypeError(f"{name}: class-index targets must be integers, got dtype {t.dtype}")
    return t
