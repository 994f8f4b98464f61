"""Scaled dot-product attention as one fused op: ``softmax(q·kᵀ·scale + mask) · v``.

One node instead of six (matmul, scale, mask, softmax, matmul); its backward is the chain rule
through those steps written once, on arrays in training and on Tensors when recorded.
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np

from autograd import Tensor, as_tensor, is_grad_enabled, op, record, saved, softmax, swapaxes
from autograd.backend import sum_last
from autograd.typing import TensorLike

from ._common import constant_in, dtype_in, grads, namespace, tensor_of

__all__ = ["scaled_dot_product_attention"]


def _mask_bias(name: str, attn_mask, is_causal: bool, lq: int, lk: int, dtype, xp) -> \
        tuple:
    """The mask as an additive bias: an array of namespace ``xp`` for a boolean mask
    (False -> -inf) or for the causal one, or the float mask Tensor itself (it may require
    grad)."""
    if is_causal:
        if attn_mask is not None:
            raise ValueError(f"{name}: give either attn_mask or is_causal=True, not both")
        return constant_in(xp, _causal_bias(lq, lk, np.dtype(dtype))), None
    if attn_mask is None:
        return None, None
    m = attn_mask.data if isinstance(attn_mask, Tensor) else attn_mask
    if m.__class__ is not np.ndarray and hasattr(m, "shape"):  # another backend's mask
        kind = Tensor(m).dtype.kind
        if kind == "b":
            mx = namespace(m)
            dt = dtype_in(mx, dtype)
            return mx.where(m, mx.asarray(0.0, dtype=dt), mx.asarray(-math.inf, dtype=dt)), None
    else:
        m = np.asarray(m)
        kind = m.dtype.kind
        if kind == "b":
            return constant_in(xp, np.where(m, 0.0, -np.inf).astype(dtype)), None
    if kind != "f":
        raise TypeError(f"{name}: attn_mask must be boolean (True = attend) or floating "
                        f"(added to the scores), got dtype {Tensor(m).dtype}")
    t = tensor_of(attn_mask)
    return t, t


def _mt(a):
    """``a`` with its last two axes swapped: a Tensor, a numpy array or another backend's."""
    if isinstance(a, Tensor):
        return swapaxes(a, -1, -2)
    return np.swapaxes(a, -1, -2) if a.__class__ is np.ndarray else \
        namespace(a).matrix_transpose(a)


def _scores(q, k, bias, scale: float):
    s = q @ _mt(k)
    if s.__class__ is np.ndarray:  # a new array: scaled (and biased) in place, the same bits
        s *= scale
        if bias is None:
            return s
        if _fits(bias, s):
            s += bias
            return s
        return s + bias  # a mask that promotes the dtype or broadcasts the scores up
    s = s * scale
    return s if bias is None else s + bias


def _fits(bias, s: np.ndarray) -> bool:
    """Whether ``s + bias`` has ``s``'s dtype and shape (so it can be written into ``s``)."""
    return bias.__class__ is np.ndarray and bias.dtype == s.dtype and \
        bias.ndim <= s.ndim and all(b == 1 or b == n for b, n in
                                    zip(bias.shape[::-1], s.shape[::-1]))


@lru_cache(maxsize=32)
def _causal_bias(lq: int, lk: int, dtype) -> np.ndarray:
    """The causal mask as a read-only additive bias: 0 where position i may attend (j <= i),
    -inf elsewhere (made once per size and dtype)."""
    bias = np.where(np.tri(lq, lk, dtype=bool), 0.0, -np.inf).astype(dtype)
    bias.flags.writeable = False
    return bias


def _scaled(a, scale: float):
    """``a * scale``, in place for a (new) numpy array."""
    if a.__class__ is np.ndarray:
        a *= scale
        return a
    return a * scale


def _softmax_rows(xp, s):
    """softmax over the last axis on another backend's array (numpy's goes to ag.softmax)."""
    e = xp.exp(s - xp.max(s, axis=-1, keepdims=True))
    return e / xp.sum(e, axis=-1, keepdims=True)


def _attention_kernel(qd, kd, vd, bias, scale: float, is_causal: bool):
    """Attention on numpy arrays, and what its backward reads; ``bias`` a constant array (a
    mask's, or the causal one), or None: with ``is_causal`` the causal mask's, made here from
    the sizes (a replay passes None)."""
    if is_causal and bias is None:
        bias, _ = _mask_bias("scaled_dot_product_attention", None, True, qd.shape[-2],
                             kd.shape[-2], qd.dtype, np)
    with np.errstate(invalid="ignore"):  # a fully masked row gives nan, as PyTorch
        p = softmax(as_tensor(_scores(qd, kd, bias, scale)), axis=-1).data
    # (a causal mask leaves every row position 0: no row is fully masked)
    masked_rows = bias is not None and not is_causal and bool(np.isnan(p).any())
    return p @ vd, (p, bias, scale, masked_rows)


def _attention_grads(g, needs, y, ctx, qq, kk, vv, *attrs):
    """Attention's backward (arrays, or Tensors when recorded; ``ag.compile`` replays it):
    ``ctx`` holds the forward's probabilities ``p``."""
    pr, _, scale, masked_rows = ctx
    # out = p·v, p = softmax(s):  dv = pᵀ·g,  dp = g·vᵀ,  ds = p·(dp − Σ dp·p)
    dv = _mt(pr) @ g if needs[2] else None
    dp = g @ _mt(vv)
    row = (dp * pr).sum(axis=-1, keepdims=True) if isinstance(dp, Tensor) else \
        sum_last(dp * pr)
    if dp.__class__ is np.ndarray:  # dp is a new array: ds computed in it (the same bits)
        dp -= row
        dp *= pr
        ds = dp
    else:
        ds = pr * (dp - row)
    if masked_rows and not isinstance(ds, Tensor):  # fully masked rows send nothing back
        ds = np.nan_to_num(ds, copy=False) if ds.__class__ is np.ndarray else \
            namespace(ds).where(namespace(ds).isnan(ds), namespace(ds).zeros_like(ds), ds)
    dq = _scaled(ds @ kk, scale) if needs[0] else None
    dk = _scaled(_mt(ds) @ qq, scale) if needs[1] else None
    dm = ds if len(needs) > 3 and needs[3] else None
    return (dq, dk, dv, dm)[:len(needs)]


@op(export=False, saves="both",
    formula=("ds·k·scale", "dsᵀ·q·scale", "pᵀ·g", "ds (float mask)"),
    replay=_attention_kernel, context=True, replay_backward=_attention_grads)
def scaled_dot_product_attention(query: TensorLike, key: TensorLike, value: TensorLike,
                                 attn_mask: TensorLike | None = None, dropout_p: float = 0.0,
                                 is_causal: bool = False, scale: float | None = None) -> Tensor:
    """``softmax(query · keyᵀ · scale + mask) · value`` over the last two dims, as
    ``torch.nn.functional.scaled_dot_product_attention``.

    ``query`` (..., L, E), ``key`` (..., S, E), ``value`` (..., S, Ev) -> (..., L, Ev);
    ``scale`` defaults to ``1/sqrt(E)``. ``attn_mask`` is boolean (True = may attend) or
    floating (added to the scores), broadcastable to (..., L, S); ``is_causal=True`` lets
    position i attend to positions ≤ i. ``dropout_p`` drops attention weights in training.

    Examples
    --------
    >>> q = k = v = ag.randn(2, 4, 5, 8)          # (batch, heads, length, head size)
    >>> F.scaled_dot_product_attention(q, k, v, is_causal=True).shape
    (2, 4, 5, 8)
    """
    name = "scaled_dot_product_attention"
    q = tensor_of(query)
    k, v = tensor_of(key, like=q), tensor_of(value, like=q)
    if q.ndim < 2 or k.ndim < 2 or v.ndim < 2 or q.shape[-1] != k.shape[-1] or \
            k.shape[-2] != v.shape[-2]:
        raise ValueError(f"{name}: expected query (..., L, E), key (..., S, E) and value "
                         f"(..., S, Ev), got shapes {q.shape}, {k.shape} and {v.shape}")
    if not 0.0 <= dropout_p < 1.0:
        raise ValueError(f"{name}: dropout_p must be in [0, 1), got {dropout_p}")
    scale = 1 / math.sqrt(q.shape[-1]) if scale is None else float(scale)
    qd, kd, vd = q.data, k.data, v.data
    xp = np if qd.__class__ is np.ndarray and kd.__class__ is np.ndarray and \
        vd.__class__ is np.ndarray else namespace(qd, kd, vd, attn_mask)
    bias, mask_t = _mask_bias(name, attn_mask, is_causal, q.shape[-2], k.shape[-2], q.dtype,
                              xp)
    if dropout_p > 0:  # composed of ops, so the dropout mask is in the graph
        from nn.functional import dropout

        bias_t = bias if bias is None or isinstance(bias, Tensor) else as_tensor(bias)
        return dropout(softmax(_scores(q, k, bias_t, scale), axis=-1), dropout_p) @ v
    parents = (q, k, v) if mask_t is None else (q, k, v, mask_t)
    if xp is np and mask_t is None and (attn_mask is None or not isinstance(bias, Tensor)):
        data, ctx = _attention_kernel(qd, kd, vd, bias, scale, is_causal)
        # replayed by ag.compile without a mask argument (the causal mask: made from sizes)
        return record(data, parents, scaled_dot_product_attention, _attention_backward,
                      attrs=(None, scale, is_causal) if attn_mask is None else None, ctx=ctx)
    bd = bias.data if isinstance(bias, Tensor) else bias
    if xp is np:
        with np.errstate(invalid="ignore"):  # a fully masked row gives nan, as PyTorch
            p = softmax(as_tensor(_scores(qd, kd, bd, scale)), axis=-1).data
        masked_rows = bd is not None and not is_causal and bool(np.isnan(p).any())
    else:  # another backend: its arrays (numpy constants moved there)
        qd, kd, vd = (a if a.__class__ is not np.ndarray else constant_in(xp, a)
                      for a in (qd, kd, vd))
        if bd is not None and bd.__class__ is np.ndarray:
            bd = constant_in(xp, bd)
        p = _softmax_rows(xp, _scores(qd, kd, bd, scale))
        masked_rows = bd is not None  # whether a row is fully masked is not read: always safe
    return record(p @ vd, parents, scaled_dot_product_attention, _attention_backward,
                  attrs=None, ctx=(p, bias, scale, masked_rows))


def _attention_backward(g, out):
    parents, ctx = saved(out)
    q, k, v = parents[:3]
    needs = tuple(t.requires_grad for t in parents)
    if is_grad_enabled():  # recorded: p as a Tensor of q and k
        _, bias, scale, masked_rows = ctx
        b = bias if bias is None or isinstance(bias, Tensor) else as_tensor(bias)
        pr = softmax(_scores(q, k, b, scale), axis=-1)
        return grads(*_attention_grads(g, needs, None, (pr, bias, scale, masked_rows), q, k, v))
    return grads(*_attention_grads(g.data, needs, None, ctx, q.data, k.data, v.data))
