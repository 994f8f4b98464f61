"""Linear algebra: ``matmul`` (1-D, 2-D and batched with broadcasting), ``dot``, ``outer``."""

from __future__ import annotations

import numpy as np

from .._quiet import quietly
from .._tensor import Tensor, _wrap, record
from ..mode import recording
from ..registry import op
from ..typing import TensorLike
from ._util import operands, xp_of
from .shape import reshape, transpose


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
def matmul(a: TensorLike, b: TensorLike) -> Tensor:
    """Matrix product ``a @ b`` with numpy's rules for 1-D operands and batch broadcasting."""
    a, b = operands(a, b)
    ad, bd = a._data, b._data
    # numpy's own matmul on numpy data (the hot path); the backend's (the standard's) otherwise
    fn = np.matmul if type(ad) is np.ndarray is type(bd) else xp_of(ad, bd).matmul
    try:
        data = fn(ad, bd)
    except ValueError:
        raise _matmul_error(a, b) from None
    except RuntimeWarning:  # an overflow, with warnings made errors: inf, quietly
        data = quietly(fn, ad, bd)

    def backward(g, out):
        # One formula: on numpy arrays when the backward is not recorded (no Tensor per
        # step), in Tensor ops when it is (differentiable again) or off numpy.
        plain = (g._data.__class__ is a._data.__class__ is b._data.__class__ is np.ndarray
                 and not recording())
        G, A, B = (g._data, a._data, b._data) if plain else (g, a, b)
        # Promote 1-D operands to matrices and drop the added axis again afterwards;
        # the engine sums any broadcast batch axes.
        a1, b1 = A.ndim == 1, B.ndim == 1
        if b1:
            G, B = G.reshape(tuple(G.shape) + (1,)), B.reshape((-1, 1))
        if a1:
            G, A = G.reshape(tuple(G.shape[:-1]) + (1, G.shape[-1])), A.reshape((1, -1))
        ga = gb = None
        if a._requires_grad:
            ga = G @ B.swapaxes(-1, -2)
            if a1:
                ga = ga.reshape(tuple(ga.shape[:-2]) + tuple(ga.shape[-1:]))
        if b._requires_grad:
            gb = A.swapaxes(-1, -2) @ G
            if b1:
                gb = gb.reshape(tuple(gb.shape[:-1]))
        if plain:
            ga, gb = (None if x is None else _wrap(x) for x in (ga, gb))
        return ga, gb

    return record(data, (a, b), matmul.op, backward)


@op(composite=True, method="dot", function=np.dot)
def dot(a: TensorLike, b: TensorLike) -> Tensor:
    """numpy's ``dot``: a product with a scalar, the inner product of vectors, the matrix
    product, and for N-D operands the sum over the last axis of ``a`` and the second-to-last
    of ``b`` (``dot(a, b)[i, j, k, m] = sum(a[i, j, :] * b[k, :, m])``).

    Examples
    --------
    >>> ag.dot(ag.ones(2, 3, 4), ag.ones(5, 4, 6)).shape
    (2, 3, 5, 6)
    """
    a, b = operands(a, b)
    if a.ndim == 0 or b.ndim == 0:
        return a * b
    if a.ndim <= 2 and b.ndim <= 2 or b.ndim == 1 or a.ndim == 1:
        return matmul(a, b)  # matmul's rules are dot's here
    if a.shape[-1] != b.shape[-2]:
        raise ValueError(f"dot: shapes {a.shape} and {b.shape} not aligned: {a.shape[-1]} (last "
                         f"dim of a) != {b.shape[-2]} (second-to-last dim of b)")
    # b's contracted axis first, its other axes flattened: one matrix product
    order = [b.ndim - 2] + list(range(b.ndim - 2)) + [b.ndim - 1]
    bm = reshape(transpose(b, order), (b.shape[-2], -1))
    out = matmul(reshape(a, (-1, a.shape[-1])), bm)
    return reshape(out, a.shape[:-1] + b.shape[:-2] + b.shape[-1:])


@op(composite=True, function=np.outer)
def outer(a: TensorLike, b: TensorLike) -> Tensor:
    """Outer product of two vectors (inputs are flattened, as in numpy)."""
    a, b = operands(a, b)
    return reshape(a, (-1, 1)) * reshape(b, (1, -1))
