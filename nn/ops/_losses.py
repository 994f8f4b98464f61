"""Helpers of ``nn.functional``'s losses: reductions of per-element losses, class-index
targets (checked, flattened, kept on their backend) and class weights, and the NLL of picked
log-probabilities. Each works on numpy arrays (the fast path) and on another backend's arrays
through the Array API standard (``_common.namespace``), reading no lazy array's values."""

from __future__ import annotations

import math

import numpy as np

from autograd import Tensor, as_tensor, reshape, transpose, where

from ._common import dtype_in, moved, namespace


def first_outside(a) -> float:
    """The first element of ``a`` not in [0, 1] (NaN included), for an error message."""
    a = a if a.__class__ is np.ndarray else Tensor(a).numpy()
    return a[~((a >= 0) & (a <= 1))].flat[0].item()


def reduced(xp, losses, reduction: str):
    """Per-element ``losses`` (arrays of namespace ``xp``) reduced: their mean, sum, or
    themselves."""
    if xp is not np:
        if reduction == "none":
            return losses
        total = xp.sum(losses)
        n = math.prod(losses.shape)
        if reduction == "sum":
            return total
        return total / n if n else total * math.nan  # the mean of no losses is NaN
    if reduction == "mean":  # the mean of no losses is NaN, as in PyTorch
        with np.errstate(all="ignore"):
            total = np.add.reduce(losses, axis=None)  # (losses.sum(), without its wrapper)
            return np.asarray(total / losses.size if losses.size else np.nan,
                              dtype=losses.dtype)
    if reduction == "sum":
        with np.errstate(all="ignore"):
            return np.asarray(np.add.reduce(losses, axis=None), dtype=losses.dtype)
    return losses


def expand(g: Tensor, reduction: str, n: int, shape: tuple) -> Tensor:
    """The gradient of a reduced loss as the gradient of each element's loss (broadcastable)."""
    if reduction == "mean":
        return g / n
    if reduction == "sum":
        return g
    return g.reshape(shape)


def expanded(g, reduction: str, n: int):
    """``expand`` on the gradient's array: a 0-d array broadcasts against the losses."""
    return g / n if reduction == "mean" else g


def class_last(name: str, input: Tensor, target, ignore_index: int) -> tuple:
    """Scores of shape (C,), (N, C) or (N, C, d1, ...) as (M, C) rows, class-index targets as
    (M,), and the shape a ``reduction="none"`` result takes. Targets of another backend than
    numpy are not range-checked (that would read a lazy array or wait on a GPU)."""
    if input.ndim == 0:
        raise ValueError(f"{name}: input must have a class dimension, got a 0-d tensor")
    expect = input.shape[:1] + input.shape[2:] if input.ndim > 1 else ()
    if tuple(target.shape) != expect:
        raise ValueError(f"{name}: input of shape {input.shape} needs class-index targets of "
                         f"shape {expect}, got {tuple(target.shape)}")
    c = input.shape[1] if input.ndim > 1 else input.shape[0]
    numpy_target = target.__class__ is np.ndarray
    if numpy_target and target.size and (target.min() < 0 or target.max() >= c):
        bad = ((target < 0) | (target >= c)) & (target != ignore_index)
        if bad.any():
            raise IndexError(f"{name}: target {target[bad].flat[0]} is out of bounds for {c} "
                             f"classes (and is not ignore_index={ignore_index})")
    if input.ndim == 2:
        return input, target, expect
    flat = target.reshape if numpy_target else \
        (lambda *shape: namespace(target).reshape(target, shape))
    if input.ndim == 1:
        return reshape(input, (1, c)), flat(1), ()
    perm = (0,) + tuple(range(2, input.ndim)) + (1,)
    return reshape(transpose(input, perm), (-1, c)), flat(-1), expect


def weighted_nll(logp: Tensor, idx, weight, ignore_index: int, reduction: str,
                  shape: tuple) -> Tensor:
    """PyTorch's NLL of (M, C) log-probabilities: ``-w[t_i]·logp[i, t_i]``, ignored targets
    weighing 0, and ``"mean"`` dividing by the total weight."""
    if idx.__class__ is not np.ndarray or logp.data.__class__ is not np.ndarray:
        return weighted_nll_portable(logp, idx, weight, ignore_index, reduction, shape)
    valid = idx != ignore_index
    safe = np.where(valid, idx, 0)
    w = valid.astype(logp.dtype)
    if weight is not None:
        w *= class_weights("nll_loss", weight, logp.shape[1], logp.dtype)[safe]
    losses = -logp[np.arange(len(safe)), safe]
    if weight is not None or not valid.all():
        losses = losses * w
    if reduction == "none":
        return reshape(losses, shape)
    if reduction == "sum":
        return losses.sum()
    with np.errstate(invalid="ignore", divide="ignore"):  # all ignored: nan, as PyTorch
        return losses.sum() / w.sum()


def weighted_nll_portable(logp: Tensor, idx, weight, ignore_index: int, reduction: str,
                           shape: tuple) -> Tensor:
    """``weighted_nll`` on another backend: the Array API's functions, the picked entries
    chosen with a one-hot mask, no value read."""
    xp = namespace(logp, idx)
    t = moved(xp, idx)
    dtype = dtype_in(xp, logp.dtype)
    valid = t != ignore_index
    safe = xp.where(valid, t, xp.zeros_like(t))
    w = xp.astype(valid, dtype)
    if weight is not None:
        cw = moved(xp, class_weights("nll_loss", weight, logp.shape[1], logp.dtype))
        w = w * xp.take(cw, safe, axis=0)
    hits = safe[:, None] == xp.arange(logp.shape[1], dtype=safe.dtype)[None, :]
    losses = -where(hits, logp, 0.0).sum(axis=1) * as_tensor(w)
    if reduction == "none":
        return reshape(losses, shape)
    if reduction == "sum":
        return losses.sum()
    return losses.sum() / as_tensor(xp.sum(w))


def class_weights(name: str, weight, classes: int, dtype):
    w = weight.data if isinstance(weight, Tensor) else weight
    if w.__class__ is np.ndarray or not hasattr(w, "shape"):
        w = np.asarray(w, dtype=dtype)
    else:  # another backend's weights: kept there
        xp = namespace(w)
        w = xp.astype(w, dtype_in(xp, dtype))
    if tuple(w.shape) != (classes,):
        raise ValueError(f"{name}: weight must have one entry per class, shape ({classes},), "
                         f"got {tuple(w.shape)}")
    return w


def dtype_kind(x) -> str:
    """The dtype kind of a Tensor, an array of any backend or a list."""
    if isinstance(x, Tensor):
        return x.dtype.kind
    if x.__class__ is np.ndarray or not hasattr(x, "shape"):
        return np.asarray(x).dtype.kind
    return Tensor(x).dtype.kind


def class_indices(name: str, target):
    """Class indices: a numpy array, or another backend's array kept where it is."""
    t = target.data if isinstance(target, Tensor) else target
    if t.__class__ is not np.ndarray and hasattr(t, "shape") and \
            not isinstance(t, np.generic):
        k = dtype_kind(t)
        if k not in "iu":
            raise TypeError(f"{name}: class-index targets must be integers, got dtype "
                            f"{Tensor(t).dtype}")
        return t
    t = np.asarray(t)
    if t.dtype.kind not in "iu":
        raise TypeError(f"{name}: class-index targets must be integers, got dtype {t.dtype}")
    return t
