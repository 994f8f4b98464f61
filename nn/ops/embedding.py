"""Embedding lookup and its backward, a scatter-add of gradient rows; each is the other's
backward, so derivatives of any order stay inside the pair. Also ``one_hot``."""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd import NotReplayed, Tensor, as_tensor, is_grad_enabled, op, record, saved
from autograd.typing import TensorLike

from ._common import constant_in, moved, namespace, outside, tensor_of

__all__ = ["embedding", "embedding_backward", "one_hot"]


def _indices(name: str, indices: Any) -> Any:
    """Integer indices: a numpy array, or another backend's array kept where it is."""
    idx = indices.data if isinstance(indices, Tensor) else indices
    if type(idx) is not np.ndarray and hasattr(idx, "shape") and \
            not isinstance(idx, np.generic):
        dtype = Tensor(idx).dtype
        if dtype.kind not in "iu":
            raise TypeError(f"{name}: indices must be integers, got dtype {dtype}")
        return idx
    idx = np.asarray(idx)
    if idx.dtype.kind not in "iu":
        raise TypeError(f"{name}: indices must be integers, got dtype {idx.dtype}")
    return idx


def _check_range(name: str, idx, num: int) -> None:
    """Indices within the table; another backend's are not read (a lazy array, a GPU's)."""
    if type(idx) is np.ndarray and idx.size and (np.minimum.reduce(idx, axis=None) < 0 or
                                                 np.maximum.reduce(idx, axis=None) >= num):
        bad = idx[(idx < 0) | (idx >= num)].flat[0]
        raise IndexError(f"{name}: index {bad} is out of range for num_embeddings={num} "
                         f"(valid indices are 0 to {num - 1})")


def _scatter_rows(g: np.ndarray, idx: np.ndarray, num: int, padding_idx) -> np.ndarray:
    """Rows of ``g`` (*idx.shape, D) summed into a (num, D) array at ``idx``: the rows sorted
    by index, then one ``np.add.reduceat`` over each run of equal indices (a few vectorized
    passes, where ``np.add.at`` adds row by row); for a small table and batch, one product
    with the one-hot matrix."""
    g2 = g.reshape(-1, g.shape[-1])
    flat = idx.reshape(-1)
    if num * flat.size <= 8192:
        out = (flat == np.arange(num)[:, None]).astype(g.dtype) @ g2
    else:
        out = np.zeros((num, g2.shape[1]), dtype=g.dtype)
    if flat.size and num * flat.size > 8192:
        order = np.argsort(flat, kind="stable")
        ordered = flat[order]
        starts = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]])
        out[ordered[starts]] = np.add.reduceat(g2[order], starts, axis=0)
    if padding_idx is not None:
        out[padding_idx] = 0
    return out


def _one_hot_rows(xp, g, idx, num: int, padding_idx):
    """``_scatter_rows`` in the Array API standard (another backend's arrays, lazy on dask):
    the product of the (num, K) one-hot matrix of the indices with the (K, D) rows."""
    flat = xp.reshape(idx, (-1,))
    rows = xp.arange(num, dtype=flat.dtype)[:, None]
    hits = flat[None, :] == rows
    if padding_idx is not None:
        hits = hits & (rows != padding_idx)
    return xp.astype(hits, g.dtype) @ xp.reshape(g, (-1, g.shape[-1]))


def _embedding_kernel(w: np.ndarray, idx: np.ndarray, num: int, padding_idx):
    """The rows of ``w`` at ``idx`` (numpy arrays), and what the backward reads; indices out
    of range are not its case (``NotReplayed``: ``embedding`` names them)."""
    if outside(idx, num):
        raise NotReplayed("embedding: an index outside [0, num_embeddings)")
    return w[idx], (idx, num, padding_idx)


def _embedding_grads(g, needs, y, ctx, w, idx, num: int, padding_idx):
    return (_scatter_rows(g, idx, num, padding_idx),)


@op(export=False, saves=None, formula="1 at the looked-up rows (their gradients summed)",
    replay=_embedding_kernel, context=True, replay_backward=_embedding_grads)
def embedding(input: TensorLike, weight: TensorLike, padding_idx: int | None = None) -> Tensor:
    """Rows of ``weight`` (num_embeddings, dim) picked by the integer ``input`` of any shape:
    the result has shape ``input.shape + (dim,)``, as ``torch.nn.functional.embedding``.

    Repeated indices accumulate their gradient; the row ``padding_idx`` gets none.

    Examples
    --------
    >>> w = ag.arange(6.0).reshape(3, 2)
    >>> F.embedding(np.array([2, 0]), w)
    Tensor([[4., 5.],
            [0., 1.]])
    """
    weight = tensor_of(weight)
    if weight.ndim != 2:
        raise ValueError(f"embedding: weight must be 2-D (num_embeddings, embedding_dim), "
                         f"got shape {weight.shape}")
    num = weight.shape[0]
    idx = _indices("embedding", input)
    if padding_idx is not None:
        padding_idx = _padding_idx(padding_idx, num)
    w = weight.data
    if type(w) is np.ndarray and type(idx) is np.ndarray:
        try:
            data, ctx = _embedding_kernel(w, idx, num, padding_idx)
        except NotReplayed:
            _check_range("embedding", idx, num)  # names the index
            raise
        return record(data, (weight,), embedding, _embedding_backward,
                      attrs=(idx, num, padding_idx), ctx=ctx)
    # another backend: one standard gather of the flattened indices
    _check_range("embedding", idx, num)
    xp = namespace(w, idx)
    w, flat = moved(xp, w), xp.reshape(moved(xp, idx), (-1,))
    data = xp.reshape(xp.take(w, flat, axis=0), tuple(idx.shape) + (w.shape[1],))
    return record(data, (weight,), embedding, _embedding_backward, attrs=None,
                  ctx=(idx, num, padding_idx))


def _embedding_backward(g, out):
    _, (idx, num, padding_idx) = saved(out)
    gd = g.data
    if not is_grad_enabled() and type(gd) is np.ndarray and type(idx) is np.ndarray:
        # training on numpy: the scatter itself (embedding_backward's forward), no node
        return (as_tensor(_embedding_grads(gd, None, None, None, None, idx, num,
                                           padding_idx)[0]),)
    return (embedding_backward(g, idx, num, padding_idx),)  # recorded: differentiable


@op(export=False, saves=None, formula="1 (the gradient's rows at the looked-up indices)")
def embedding_backward(grad, indices, num_weights: int, padding_idx: int | None = None) -> Tensor:
    """The rows of ``grad`` (*indices.shape, dim) summed into a (num_weights, dim) tensor at
    ``indices`` (row ``padding_idx`` left zero): the gradient of ``embedding``'s weight."""
    grad = tensor_of(grad)
    idx = _indices("embedding_backward", indices)
    gd = grad.data
    if type(gd) is np.ndarray and type(idx) is np.ndarray:
        xp = np
        data = _scatter_rows(gd, idx, num_weights, padding_idx)
    else:
        xp = namespace(gd, idx)
        data = _one_hot_rows(xp, moved(xp, gd), moved(xp, idx), num_weights, padding_idx)

    def backward(g, out):
        if padding_idx is not None:  # the padding row sent nothing, so it receives nothing
            keep = np.ones((num_weights, 1), dtype=g.dtype)
            keep[padding_idx] = 0
            g = g * as_tensor(keep if xp is np else constant_in(xp, keep))
        return (embedding(idx, g),)

    return record(data, (grad,), embedding_backward, backward)


def _padding_idx(padding_idx: int, num: int) -> int:
    if not -num <= padding_idx < num:
        raise ValueError(f"embedding: padding_idx {padding_idx} must be within "
                         f"num_embeddings={num}")
    return int(padding_idx) % num


def one_hot(tensor: TensorLike, num_classes: int = -1) -> Tensor:
    """Integer class indices of any shape as one-hot rows: shape ``tensor.shape +
    (num_classes,)``, dtype int64 (``num_classes=-1``: the largest index plus one), as
    ``torch.nn.functional.one_hot``.

    Examples
    --------
    >>> F.one_hot(np.array([0, 2]), 3)
    Tensor([[1, 0, 0],
            [0, 0, 1]], dtype=int64)
    """
    idx = _indices("one_hot", tensor)
    if type(idx) is not np.ndarray:  # another backend: a comparison, its values unread
        xp = namespace(idx)
        if num_classes == -1:
            raise ValueError("one_hot: give num_classes for indices on another backend than "
                             "numpy (inferring it would read their values)")
        hits = idx[..., None] == xp.arange(num_classes, dtype=idx.dtype)
        return as_tensor(xp.astype(hits, xp.int64))
    if num_classes == -1:
        if idx.size == 0:
            raise ValueError("one_hot: cannot infer num_classes from an empty tensor")
        num_classes = int(idx.max()) + 1
    if idx.size and (idx.min() < 0 or idx.max() >= num_classes):
        bad = idx[(idx < 0) | (idx >= num_classes)].flat[0]
        raise IndexError(f"one_hot: class value {bad} is out of range for "
                         f"num_classes={num_classes}")
    out = np.zeros(idx.shape + (num_classes,), dtype=np.int64)
    np.put_along_axis(out, idx[..., None].astype(np.intp), 1, axis=-1)
    return as_tensor(out)
