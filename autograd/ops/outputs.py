"""Ops with several outputs (``eigh``, ``svd``, ``slogdet``): one node for all of them.

The primitive op records its outputs packed side by side in one Tensor: each flattened over
its own axes, joined along a last axis (``(..., n + n²)`` for ``eigh``'s ``w`` and ``v``). The
public op slices the outputs back out with ordinary, differentiable ops, so the backward of the
primitive receives the gradient of every output at once; an output that received none arrives
as None (its slice of the gradient is all zeros). A single-output node keeps every tool that
replays or explains a node (``ag.diagnose``, ``ag.explain``) working unchanged.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from .._tensor import Tensor
from ..backend import is_numpy
from ._util import xp_of
from .shape import reshape


def pack(datas: list, batch: tuple) -> np.ndarray:
    """The arrays ``datas`` (each of shape ``batch + core``) side by side along a last axis,
    on their own backend."""
    if all(type(d) is np.ndarray for d in datas):
        return np.concatenate([d.reshape(batch + (-1,)) for d in datas], axis=-1)
    xp = xp_of(*(d for d in datas if not is_numpy(d)))  # numpy's (a sign) join the others
    shape = tuple(batch) + (-1,)
    return xp.concat([xp.reshape(xp.asarray(d), shape) for d in datas], axis=-1)


def unpack(t: Tensor, batch: tuple, cores: list) -> list:
    """The outputs packed in ``t``, as Tensors of shapes ``batch + core``."""
    edges = np.cumsum([0] + [int(np.prod(c)) for c in cores])
    return [reshape(t[..., int(lo):int(hi)], batch + tuple(core))
            for lo, hi, core in zip(edges[:-1], edges[1:], cores)]


def packed_backward(batch: tuple, cores: list, backward: Callable) -> Callable:
    """A node's backward from ``backward(grads, outs)``, which gets one gradient per output
    (None where it received none) and the outputs, unpacked."""

    def unpacked(g, out):
        return backward([p if _received(p._data) else None for p in unpack(g, batch, cores)],
                        unpack(out, batch, cores))

    return unpacked


def _received(d) -> bool:
    """Whether an output's slice ``d`` of the gradient holds anything (not all zeros). A lazy
    backend's values are not known while recording: the slice counts as received."""
    if type(d) is np.ndarray:
        return bool(np.any(d))
    xp = xp_of(d)
    return True if xp.lazy else bool(xp.any(d != 0))
