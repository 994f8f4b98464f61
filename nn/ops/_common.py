"""Helpers shared by nn's op families: operands and results of backward closures, and the
size arguments of convolution and pooling (an int or one int per spatial dimension)."""

from __future__ import annotations

import numpy as np

from autograd import Tensor, as_tensor, is_grad_enabled


def tensor_of(x, like: Tensor | None = None) -> Tensor:
    """``x`` as a Tensor; arrays and lists take ``like``'s dtype when both are floating."""
    if isinstance(x, Tensor):
        return x
    arr = Tensor(x).data
    if like is not None and arr.dtype.kind == "f" and like.dtype.kind == "f":
        arr = arr.astype(like.dtype, copy=False)
    return as_tensor(arr)


def operands(*tensors) -> tuple:
    """What a backward closure computes with: the Tensors themselves while the backward pass is
    recorded (``create_graph=True``), else their arrays: one formula, written once, runs on
    plain numpy in training (no graph, no wrappers) and on Tensors for higher order."""
    if is_grad_enabled():
        return tensors
    return tuple([t.data if isinstance(t, Tensor) else t for t in tensors])


def grads(*gs) -> tuple:
    """A closure's results as Tensors (arrays wrapped, None kept)."""
    return tuple([g if g is None or isinstance(g, Tensor) else as_tensor(np.asarray(g))
                  for g in gs])


def ntuple(name: str, arg: str, value, d: int, minimum: int = 0) -> tuple:
    """An int or a sequence of ``d`` ints as a ``d``-tuple, each at least ``minimum``."""
    if isinstance(value, (int, np.integer)):
        out = (int(value),) * d
    else:
        try:
            out = tuple(int(v) for v in value)
        except TypeError:
            raise TypeError(f"{name}: {arg} must be an int or a tuple of {d} ints, "
                            f"got {value!r}") from None
        if len(out) != d:
            raise ValueError(f"{name}: {arg} must be an int or a tuple of {d} ints, "
                             f"got {value!r}")
    if any(v < minimum for v in out):
        raise ValueError(f"{name}: {arg} must be at least {minimum}, got {value!r}")
    return out


def moveaxis_perm(ndim: int, source: int, dest: int) -> tuple:
    """The permutation that ``np.moveaxis(a, source, dest)`` applies (for Tensor.transpose)."""
    order = [i for i in range(ndim) if i != source % ndim]
    order.insert(dest % ndim, source % ndim)
    return tuple(order)
