"""Linear algebra: ``matmul`` (1-D, 2-D and batched with broadcasting), ``dot``, ``outer``."""

from __future__ import annotations

import numpy as np

from .._quiet import quietly
from .._tensor import Tensor, record
from ..registry import op
from ._util import as_tensor
from .shape import expand_dims, reshape, squeeze, swapaxes


def _matmul_error(a: Tensor, b: Tensor) -> ValueError:
    if a.ndim == 0 or b.ndim == 0:
        return ValueError(f"matmul: both operands need at least 1 dimension, "
                          f"got shapes {a.shape} and {b.shape}")
    ka = a.shape[-1]
    kb = b.shape[-2] if b.ndim > 1 else b.shape[0]
    if ka != kb:
        return ValueError(f"matmul: shapes {a.shape} and {b.shape} are not aligned: "
                          f"{ka} (last dim of a) != {kb} (dim {-2 if b.ndim > 1 else 0} of b)")
    return ValueError(f"matmul: batch dimensions of shapes {a.shape} and {b.shape} "
                      f"cannot be broadcast together")


@op(operator="__matmul__", reflected="__rmatmul__", method="matmul", ufunc=np.matmul,
    function=np.matmul, saves="inputs", formula=("g @ bᵀ", "aᵀ @ g"))
def matmul(a, b) -> Tensor:
    """Matrix product ``a @ b`` with numpy's rules for 1-D operands and batch broadcasting."""
    a, b = as_tensor(a), as_tensor(b)
    try:
        data = np.matmul(a._data, b._data)
    except ValueError:
        raise _matmul_error(a, b) from None
    except RuntimeWarning:  # an overflow, with warnings made errors: inf, quietly
        data = quietly(np.matmul, a._data, b._data)

    def backward(g, out):
        # Promote 1-D operands to matrices and drop the added axis again afterwards;
        # the engine sums any broadcast batch axes.
        a2 = reshape(a, (1, -1)) if a.ndim == 1 else a
        b2 = reshape(b, (-1, 1)) if b.ndim == 1 else b
        if b.ndim == 1:
            g = expand_dims(g, -1)
        if a.ndim == 1:
            g = expand_dims(g, -2)
        ga = gb = None
        if a._requires_grad:
            ga = matmul(g, swapaxes(b2, -1, -2))
            if a.ndim == 1:
                ga = squeeze(ga, -2)
        if b._requires_grad:
            gb = matmul(swapaxes(a2, -1, -2), g)
            if b.ndim == 1:
                gb = squeeze(gb, -1)
        return ga, gb

    return record(data, (a, b), matmul.op, backward)


@op(composite=True, method="dot", function=np.dot)
def dot(a, b) -> Tensor:
    """numpy's ``dot`` for 0-, 1- and 2-D operands (a scalar product or a matrix product)."""
    a, b = as_tensor(a), as_tensor(b)
    if a.ndim == 0 or b.ndim == 0:
        return a * b
    if a.ndim > 2 or b.ndim > 2:
        raise ValueError(f"dot: supports up to 2-D operands, got shapes {a.shape} and {b.shape}; "
                         "use matmul for batched products")
    return matmul(a, b)


@op(composite=True, function=np.outer)
def outer(a, b) -> Tensor:
    """Outer product of two vectors (inputs are flattened, as in numpy)."""
    a, b = as_tensor(a), as_tensor(b)
    return reshape(a, (-1, 1)) * reshape(b, (1, -1))
