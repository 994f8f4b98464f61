"""Training utilities: gradient clipping, as ``torch.nn.utils``.

Both functions change the gradients in place (``.grad`` of Tensors, and of scalar
``ag.Value`` parameters) and tell autograd's in-place guard, as PyTorch's ``g.mul_`` would.
"""

from __future__ import annotations

import math
from typing import Iterable, Union

import numpy as np

from autograd import Tensor, Value, increment_version, replay_call

__all__ = ["clip_grad_norm_", "clip_grad_value_"]

Params = Union[Tensor, Value, Iterable]


def _grads(parameters: Params, fname: str) -> tuple[list[Tensor], list[Value]]:
    """The gradient Tensors of the Tensor parameters that have one, and the Value
    parameters (whose ``grad`` is always a float)."""
    if isinstance(parameters, (Tensor, Value)):
        parameters = [parameters]
    tensors, values = [], []
    for i, p in enumerate(parameters):
        if isinstance(p, Value):
            values.append(p)
        elif isinstance(p, Tensor):
            if p.grad is not None:
                tensors.append(p.grad)
        else:
            raise TypeError(f"{fname}: parameter {i} is a {type(p).__name__}, not a Tensor or "
                            "an ag.Value")
    return tensors, values


def _vector_norm(a: np.ndarray, p: float) -> np.ndarray:
    """``torch.linalg.vector_norm(a, p)``: the p-norm of all elements, in ``a``'s dtype."""
    a = a.ravel()
    if a.size == 0:
        return np.zeros((), a.dtype)
    if p == 2:  # a·a is |a|·|a|, bit for bit: no absolute values needed
        return np.sqrt(np.dot(a, a))
    a = np.abs(a)
    if p == math.inf:
        return a.max()
    if p == -math.inf:
        return a.min()
    if p == 0:
        return np.asarray(np.count_nonzero(a), a.dtype)
    if p == 1:
        return a.sum()
    return (a ** p).sum() ** (1.0 / p)


def clip_grad_norm_(parameters: Params, max_norm: float, norm_type: float = 2.0,
                    error_if_nonfinite: bool = False) -> Tensor:
    """Scale the gradients so that their total ``norm_type``-norm is at most ``max_norm``.

    The total norm is taken over all gradients together, as if concatenated into one vector
    (``norm_type=inf`` for the largest magnitude). Every gradient is multiplied by
    ``min(1, max_norm / (total + 1e-6))``, as in PyTorch. Returns the total norm (before
    clipping) as a 0-d Tensor, e.g. to log it.

    Examples
    --------
    >>> model = nn.Linear(3, 1)
    >>> opt = nn.optim.SGD(model.parameters(), lr=0.1)
    >>> loss = model(ag.full((4, 3), 100.0)).pow(2).mean()
    >>> loss.backward()
    >>> norm = nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    >>> float(norm) > 1.0, all(float(abs(p.grad).max()) <= 1.0 for p in model.parameters())
    (True, True)
    >>> opt.step()
    """
    params = [parameters] if isinstance(parameters, (Tensor, Value)) else list(parameters)
    return replay_call(_clip_grad_norm, params, max_norm, norm_type, error_if_nonfinite,
                       writes=False)


def _clip_grad_norm(parameters: list, max_norm: float, norm_type: float,
                    error_if_nonfinite: bool) -> Tensor:
    tensors, values = _grads(parameters, "clip_grad_norm_")
    max_norm, norm_type = float(max_norm), float(norm_type)
    arrays = [np.asarray(g.data) for g in tensors]
    if values:
        arrays.append(np.array([v.grad for v in values], np.float64))
    if not arrays:
        return Tensor(0.0)
    dtype = np.result_type(*arrays)
    norms = np.array([_vector_norm(a, norm_type) for a in arrays], dtype)
    total = _vector_norm(norms, norm_type)
    if error_if_nonfinite and not np.isfinite(total):
        raise RuntimeError(f"The total norm of order {norm_type} for gradients from "
                           "`parameters` is non-finite, so it cannot be clipped. To disable "
                           "this error and scale the gradients by the non-finite norm anyway, "
                           "set `error_if_nonfinite=False`")
    with np.errstate(all="ignore"):  # a non-finite norm scales to nan/0 silently, as PyTorch
        coef = np.minimum(dtype.type(max_norm) / (total + dtype.type(1e-6)), dtype.type(1.0))
        for g, a in zip(tensors, arrays):
            np.multiply(a, coef.astype(a.dtype), out=a)
            increment_version(g)
    c = float(coef)
    for v in values:
        v.grad *= c
    return Tensor(np.asarray(total, dtype))


def clip_grad_value_(parameters: Params, clip_value: float) -> None:
    """Clamp every gradient element into ``[-clip_value, clip_value]``, in place.

    Examples
    --------
    >>> model = nn.Linear(3, 1)
    >>> model(ag.full((4, 3), 100.0)).pow(2).mean().backward()
    >>> nn.utils.clip_grad_value_(model.parameters(), 0.5)
    >>> abs(model.weight.grad)                  # every element was larger than 0.5
    Tensor([[0.5, 0.5, 0.5]])
    """
    params = [parameters] if isinstance(parameters, (Tensor, Value)) else list(parameters)
    replay_call(_clip_grad_value, params, clip_value, writes=False)


def _clip_grad_value(parameters: list, clip_value: float) -> None:
    tensors, values = _grads(parameters, "clip_grad_value_")
    c = float(clip_value)
    for g in tensors:
        a = np.asarray(g.data)
        np.clip(a, -c, c, out=a)
        increment_version(g)
    for v in values:
        v.grad = min(max(v.grad, -c), c)
