"""``numpy.linalg``'s inverses, solvers and determinants, differentiable and batched:
``inv solve det slogdet cholesky pinv matrix_power multi_dot``.

Each is exported as ``ag.linalg.NAME`` and answers ``np.linalg.NAME(t)``; every one takes a
stack of matrices (``(..., M, M)``) where numpy does. The backwards are written with these
same ops, so they are differentiable again. Gradient conventions are PyTorch's: ``det`` of a
singular matrix has the cofactor matrix as its gradient (finite, through the SVD, never NaN),
and ``cholesky`` treats its input as the symmetric matrix it is taken to be (numpy reads the
lower triangle only), so its gradient is symmetric.
"""

from __future__ import annotations

from typing import Any, NamedTuple, Sequence

import numpy as np

from .._quiet import quietly
from .._tensor import Tensor, _wrap, record
from ..backend import NUMPY, Backend, BackendError
from ..registry import op
from ..typing import TensorLike
from ._util import as_tensor, floating, operands, xp_of
from .elementwise import where
from .linalg import matmul
from .outputs import pack
from .shape import expand_dims, squeeze, swapaxes


def mT(x: Tensor) -> Tensor:
    """The matrices of ``x`` transposed (its last two axes swapped)."""
    return swapaxes(x, -1, -2)


def square(name: str, a: Tensor) -> None:
    """Refuse anything but (a stack of) square matrices, naming the shape."""
    if a.ndim < 2 or a.shape[-1] != a.shape[-2]:
        raise np.linalg.LinAlgError(
            f"linalg.{name}: expected a square matrix or a stack of them (..., M, M), "
            f"got shape {a.shape}")


def _floating(a: Tensor) -> Tensor:
    """Integer matrices are solved in the default float dtype, as PyTorch's rule has it."""
    return floating(a)


def _matrix_g(g: Tensor) -> Tensor:
    """The gradient of a per-matrix scalar, broadcastable against the matrices."""
    return expand_dims(g, (-2, -1))


def linalg(xp: Backend, name: str) -> Any:
    """The backend's ``linalg.NAME`` (numpy's, or its Array API linalg extension's);
    ``BackendError`` naming both where it has none (dask.array has no ``det``)."""
    found = getattr(xp.linalg, name, None)
    if found is None:
        raise BackendError(f"{xp.name} has no linalg.{name}: the linear algebra of this op "
                           f"needs it, and {xp.name}'s linalg extension lacks it")
    return found


def const(xp: Backend, arr: Any) -> Tensor:
    """A constant Tensor of ``arr`` (a numpy constant, or an array of ``xp``) on backend
    ``xp``: a mask for ``where``, a factor for a product."""
    return _wrap(xp.constant(arr))


def expand(xp: Backend, arr: Any, axis: int) -> Any:
    """``arr`` with a new axis at ``axis`` (``arr[..., None]``), an array of backend ``xp``."""
    return np.expand_dims(arr, axis) if xp is NUMPY else xp.expand_dims(arr, axis=axis)


# ---------------------------------------------------------------------------- inverse, solve


@op(namespace="linalg", method="inverse", function=np.linalg.inv, saves="output",
    formula="−A⁻ᵀ·g·A⁻ᵀ")
def inv(a: TensorLike) -> Tensor:
    """The inverse of a square matrix (of each matrix of a stack): ``np.linalg.inv``.

    Examples
    --------
    >>> ag.linalg.inv(ag.tensor([[2.0, 0.0], [0.0, 4.0]]))
    Tensor([[0.5 , 0.  ],
            [0.  , 0.25]])
    """
    a = _floating(as_tensor(a))
    square("inv", a)
    return record(linalg(xp_of(a), "inv")(a._data), (a,), inv.op, _inv_backward)


def _inv_backward(g, out):
    xt = mT(out)
    return (-(xt @ g @ xt),)  # d(A⁻¹) = −A⁻¹ dA A⁻¹


@op(namespace="linalg", function=np.linalg.solve, saves="both",
    formula=("−A⁻ᵀg·xᵀ", "A⁻ᵀ·g"))
def solve(a: TensorLike, b: TensorLike) -> Tensor:
    """The solution ``x`` of ``a @ x = b``: ``np.linalg.solve``.

    ``b`` is one vector ``(M,)`` or matrices ``(..., M, K)`` (numpy 2's rule); the batch axes
    of ``a`` and ``b`` broadcast.

    Examples
    --------
    >>> A = ag.tensor([[3.0, 1.0], [1.0, 2.0]], requires_grad=True)
    >>> x = ag.linalg.solve(A, ag.tensor([9.0, 8.0]))
    >>> x
    Tensor([2., 3.], grad_fn=<LinalgSolveBackward>)
    """
    a, b = operands(a, b)
    a, b = _floating(a), _floating(b)
    square("solve", a)
    xp = xp_of(a, b)
    vector = b.ndim == 1
    bd = expand(xp, b._data, -1) if vector else b._data
    if bd.ndim < 2 or bd.shape[-2] != a.shape[-1]:
        raise ValueError(f"linalg.solve: a of shape {a.shape} and b of shape {b.shape} do not "
                         f"fit: b needs {a.shape[-1]} rows")
    try:
        batch = np.broadcast_shapes(a.shape[:-2], bd.shape[:-2])
    except ValueError:
        raise ValueError(f"linalg.solve: the batch shapes of a {a.shape} and b {b.shape} cannot "
                         "be broadcast together") from None
    ad = a._data if a.shape[:-2] == batch else xp.broadcast_to(a._data, batch + a.shape[-2:])
    if bd.shape[:-2] != batch:
        bd = xp.broadcast_to(bd, batch + bd.shape[-2:])
    x = linalg(xp, "solve")(ad, bd)  # (..., M, M) and (..., M, K): numpy's and the standard's

    def backward(g, out):
        gb = solve(mT(a), expand_dims(g, -1) if vector else g)  # Aᵀ gb = g
        ga = None
        if a._requires_grad:  # −gb xᵀ
            ga = -(gb @ mT(expand_dims(out, -1) if vector else out))
        return ga, (squeeze(gb, -1) if vector else gb) if b._requires_grad else None

    return record(x[..., 0] if vector else x, (a, b), solve.op, backward)


# ---------------------------------------------------------------------------- determinants


@op(namespace="linalg", method="det", function=np.linalg.det, saves="both",
    formula="det(A)·A⁻ᵀ (the cofactor matrix)")
def det(a: TensorLike) -> Tensor:
    """The determinant of a square matrix (of each of a stack): ``np.linalg.det``.

    Its gradient is the cofactor matrix ``det(A)·A⁻ᵀ``, also where ``A`` is singular (there it
    comes from the SVD, as in PyTorch).

    Examples
    --------
    >>> A = ag.tensor([[1.0, 2.0], [2.0, 4.0]], requires_grad=True)
    >>> ag.linalg.det(A).backward(); A.grad          # singular, yet finite
    Tensor([[ 4., -2.],
            [-2.,  1.]])
    """
    a = _floating(as_tensor(a))
    square("det", a)
    ad = a._data
    if type(ad) is np.ndarray:
        data = np.asarray(quietly(np.linalg.det, ad))  # inf and nan: IEEE results, quietly
    else:
        data = quietly(linalg(xp_of(ad), "det"), ad)
    return record(data, (a,), det.op, _det_backward)


def _cofactor_regular(a: Tensor, det_a: Tensor) -> Tensor:
    return _matrix_g(det_a) * mT(inv(a))


def _cofactor_singular(a: Tensor) -> Tensor:
    """``det(U)·det(Vᴴ)·U diag(∏_{j≠i} s_j) Vᴴ``: the cofactor matrix from ``A = U S Vᴴ``,
    which needs no inverse. Its own derivative needs distinct singular values (the SVD's)."""
    from .linalg_spectral import svd

    u, s, vh = svd(a)
    n = s.shape[-1]
    xp = xp_of(u)
    sign = linalg(xp, "det")(u._data) * linalg(xp, "det")(vh._data)  # ±1: locally constant
    others = where(const(xp, np.eye(n, dtype=bool)), 1.0, expand_dims(s, -2))  # s_j, i ≠ j
    prod = others[..., 0]
    for j in range(1, n):
        prod = prod * others[..., j]
    return (u * expand_dims(prod * const(xp, expand(xp, sign, -1)), -2)) @ vh


def _det_backward(g, out):
    (a,) = out._parents
    g = _matrix_g(g)
    n = a.shape[-1]
    xp = xp_of(out)
    singular = xp.abs(out._data) < float(100 * np.finfo(a.dtype).eps)  # PyTorch's test
    if n == 0:
        return (g * _cofactor_regular(a, out),)
    if xp is NUMPY:  # other backends (lazy ones) cannot look: they take the general formula
        if not singular.any():
            return (g * _cofactor_regular(a, out),)
        if singular.all():
            return (g * _cofactor_singular(a),)
    # a stack of both kinds: each formula sees a harmless stand-in for the others' matrices
    mask = const(xp, xp.reshape(singular, tuple(singular.shape) + (1, 1)))
    regular = where(mask, const(xp, np.eye(n, dtype=a.dtype)), a)
    stand_in = where(mask, a, const(xp, np.diag(np.arange(1.0, n + 1)).astype(a.dtype)))
    return (g * where(mask, _cofactor_singular(stand_in),
                      _cofactor_regular(regular, det(regular))),)


class SlogdetResult(NamedTuple):
    """``slogdet``'s result, as numpy's: the sign and ``log|det|``."""

    sign: Tensor
    logabsdet: Tensor


@op(name="slogdet_factors", namespace="linalg", export=False, node="LinalgSlogdetBackward",
    saves="inputs", formula="A⁻ᵀ (for log|det A|)")
def slogdet_factors(a) -> Tensor:
    """``slogdet``'s sign and ``log|det|`` side by side, ``(..., 2)``: the node both come
    from (the sign's gradient is 0)."""
    a = _floating(as_tensor(a))
    square("slogdet", a)
    xp = xp_of(a)
    sign, logabsdet = quietly(linalg(xp, "slogdet"), a._data)
    batch = a.shape[:-2]

    def backward(g, out):
        g = g[..., 1]
        if xp is NUMPY and not np.any(g._data):  # only the sign was used (other backends
            return (None,)                        # cannot look, lazily: they compute it)
        return (_matrix_g(g) * mT(inv(a)),)

    return record(pack([sign, logabsdet], batch), (a,), slogdet_factors.op, backward)


@op(namespace="linalg", composite=True, method="slogdet", function=np.linalg.slogdet)
def slogdet(a: TensorLike) -> SlogdetResult:
    """The sign and the log of the absolute value of the determinant: ``np.linalg.slogdet``.

    ``logabsdet`` is differentiable (its gradient is ``A⁻ᵀ``), ``sign`` is a constant.

    Examples
    --------
    >>> sign, logdet = ag.linalg.slogdet(ag.tensor([[2.0, 0.0], [0.0, 3.0]]))
    >>> float(sign), round(float(logdet), 4)
    (1.0, 1.7918)
    """
    a = _floating(as_tensor(a))
    packed = slogdet_factors(a)
    return SlogdetResult(_wrap(packed._data[..., 0]), packed[..., 1])


# ---------------------------------------------------------------------------- factorizations


@op(namespace="linalg", method="cholesky", function=np.linalg.cholesky, saves="output",
    formula="L⁻ᵀ·Φ(Lᵀ·g)·L⁻¹, Φ: the lower triangle, its diagonal halved, symmetrized",
    symmetric_input=True)
def cholesky(a: TensorLike, upper: bool = False) -> Tensor:
    """The Cholesky factor ``L`` (lower triangular, ``a = L @ Lᵀ``) of a symmetric positive
    definite matrix; ``upper=True`` gives ``Lᵀ``. numpy reads only the lower triangle of ``a``;
    the gradient is the symmetric one (PyTorch's), so pass a symmetric ``a``.

    Examples
    --------
    >>> ag.linalg.cholesky(ag.tensor([[4.0, 2.0], [2.0, 5.0]]))
    Tensor([[2., 0.],
            [1., 2.]])
    """
    a = _floating(as_tensor(a))
    square("cholesky", a)
    xp = xp_of(a)
    if xp.name == "dask.array":  # array-api-compat's dask cholesky gives the upper factor
        ad = a._data
        c = ad.chunks[-1]  # dask's blocked Cholesky wants square blocks
        lower = xp.native.linalg.cholesky(xp.rechunk(ad, ad.chunks[:-2] + (c, c)), lower=True)
    else:
        lower = linalg(xp, "cholesky")(a._data)

    def backward(g, out):
        low, g = (mT(out), mT(g)) if upper else (out, g)
        n = low.shape[-1]
        phi = (mT(low) @ g) * np.tril(np.ones((n, n), dtype=low.dtype))
        phi = 0.5 * (phi + mT(phi * np.tril(np.ones((n, n), dtype=low.dtype), -1)))
        li = inv(low)
        return (mT(li) @ phi @ li,)

    if upper:
        lower = np.swapaxes(lower, -1, -2).copy() if xp is NUMPY else xp.matrix_transpose(lower)
    return record(lower, (a,), cholesky.op, backward)


@op(namespace="linalg", function=np.linalg.pinv, saves="both", numpy_args={"rtol": "rcond"},
    formula="−A⁺ᵀgA⁺ᵀ + (I − AA⁺)gᵀA⁺A⁺ᵀ + A⁺ᵀA⁺gᵀ(I − A⁺A)")
def pinv(a: TensorLike, rcond: Any = None, hermitian: bool = False) -> Tensor:
    """The Moore-Penrose pseudo-inverse: ``np.linalg.pinv``. Its gradient holds where the rank
    does not change under small perturbations (full-rank matrices, for instance).

    Examples
    --------
    >>> ag.linalg.pinv(ag.tensor([[1.0], [1.0]]))
    Tensor([[0.5, 0.5]])
    """
    a = _floating(as_tensor(a))
    if a.ndim < 2:
        raise np.linalg.LinAlgError(f"linalg.pinv: expected a matrix or a stack of them, got "
                                    f"shape {a.shape}")
    xp = xp_of(a)
    if xp is NUMPY:
        kwargs = {"hermitian": hermitian} if rcond is None else {"rcond": rcond,
                                                                  "hermitian": hermitian}
        data = np.linalg.pinv(a._data, **kwargs)
    else:  # the standard's pinv: numpy's default cut-off; hermitian is only a shortcut there
        data = linalg(xp, "pinv")(a._data, rtol=1e-15 if rcond is None else rcond)

    def backward(g, out):
        p, pt, gt = out, mT(out), mT(g)
        m, n = a.shape[-2], a.shape[-1]
        return (-(pt @ g @ pt)
                + (np.eye(m, dtype=a.dtype) - a @ p) @ gt @ p @ pt
                + pt @ p @ gt @ (np.eye(n, dtype=a.dtype) - p @ a),)

    return record(data, (a,), pinv.op, backward)


# ---------------------------------------------------------------------------- products


@op(namespace="linalg", composite=True, function=np.linalg.matrix_power)
def matrix_power(a: TensorLike, n: int) -> Tensor:
    """``a`` multiplied by itself ``n`` times (``n < 0``: of its inverse; ``n = 0``: the
    identity), by repeated squaring: ``np.linalg.matrix_power``."""
    a = _floating(as_tensor(a))
    square("matrix_power", a)
    if int(n) != n:
        raise TypeError(f"linalg.matrix_power: the exponent must be an integer, got {n!r}")
    n = int(n)
    if n == 0:
        xp = xp_of(a)
        if xp is NUMPY:
            return as_tensor(np.broadcast_to(np.eye(a.shape[-1], dtype=a.dtype), a.shape).copy())
        eye = xp.eye(a.shape[-1], dtype=xp.dtype(a.dtype))
        return _wrap(xp.broadcast_to(eye, a.shape) if a.ndim > 2 else eye)
    if n < 0:
        a, n = inv(a), -n
    result = None
    while n:
        if n & 1:
            result = a if result is None else matmul(result, a)
        n >>= 1
        if n:
            a = matmul(a, a)
    return result  # type: ignore[return-value]


@op(namespace="linalg", composite=True, function=np.linalg.multi_dot)
def multi_dot(arrays: Sequence[TensorLike]) -> Tensor:
    """The product of a chain of matrices (the first may be a vector, as may the last):
    ``np.linalg.multi_dot``, multiplied left to right."""
    arrays = [as_tensor(x) for x in arrays]
    if len(arrays) < 2:
        raise ValueError("linalg.multi_dot: expecting at least two arrays")
    result = arrays[0]
    for x in arrays[1:]:
        result = matmul(result, x)
    return result
