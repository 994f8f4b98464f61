"""``scipy.linalg`` on Tensors: cholesky, cho_factor, cho_solve, solve_triangular,
solve_sylvester, solve_banded and sqrtm, differentiable in every matrix argument.

Each backward is written with the same functions (a triangular solve's gradient is two
triangular solves, sqrtm's is a Sylvester equation, solve_sylvester's another one), so every
derivative is differentiable again.

Other array backends: dask arrays stay lazy (``solve_triangular`` is dask's blocked solver,
the others call scipy as one task of the graph, on the whole matrix); on any other Array API
backend ``solve_triangular`` is the standard's ``linalg.solve`` of the triangle, and the rest
raise ``BackendError``.

Examples
--------
>>> import autograd.scipy.linalg as sla
>>> A = ag.tensor([[4.0, 2.0], [2.0, 3.0]], dtype=np.float64, requires_grad=True)
>>> x = sla.cho_solve(sla.cho_factor(A), ag.tensor([1.0, 2.0], dtype=np.float64))
>>> x.sum().backward()
"""

# scipy's decompositions return loosely typed unions; the signatures are checked as usual.
# pyright: reportAttributeAccessIssue=false

from __future__ import annotations

import functools

import numpy as np
import scipy.linalg

from .._tensor import Tensor, record
from ..backend import NUMPY, Backend, BackendError
from ..ops._util import as_tensor, xp_of
from ..ops.linalg import matmul
from ..ops.linalg_solve import cholesky as _np_cholesky
from ..ops.linalg_solve import linalg as _linalg
from ..ops.reduce import sum
from ..ops.shape import expand_dims, reshape, swapaxes, transpose
from ..registry import op

__all__ = ["cholesky", "cho_factor", "cho_solve", "solve_triangular", "solve_sylvester",
           "solve_banded", "sqrtm"]


def _square(name: str, a: Tensor) -> None:
    if a.ndim != 2 or a.shape[0] != a.shape[1]:
        raise ValueError(f"{name}: expected a square matrix, got shape {a.shape}")


def _float(x) -> Tensor:
    x = as_tensor(x)
    return x if x.dtype.kind == "f" else x.astype(np.float64)


def _mT(x: Tensor) -> Tensor:
    return swapaxes(x, -1, -2)


def _outer_sum(u: Tensor, v: Tensor) -> Tensor:
    """``u @ vᵀ`` for matrices; the outer product for vectors."""
    if u.ndim == 1:
        return expand_dims(u, 1) * expand_dims(v, 0)
    return matmul(u, _mT(v))


def _is_dask(xp: Backend) -> bool:
    return xp.name == "dask.array"


def _as_task(xp: Backend, fn, arrays: tuple, shape: tuple, dtype) -> object:
    """``fn(*arrays)`` (scipy, on whole numpy matrices) as one task of a lazy dask array of
    ``shape``: nothing computes until the result is asked for."""
    from dask.delayed import delayed

    return xp.from_delayed(delayed(fn, pure=True)(*arrays), shape, dtype=dtype)


def _no_function(xp: Backend, name: str) -> BackendError:
    return BackendError(f"{xp.name} has no scipy.linalg.{name}: autograd computes it with "
                        f"scipy on numpy and dask arrays only")


# ---------------------------------------------------------------------------- triangular


_TRANS = {0: 0, "N": 0, 1: 1, "T": 1, 2: 1, "C": 1}


def _triangle(xp: Backend, a, lower: bool, unit_diagonal: bool):
    """The triangle of ``a`` that scipy reads, the rest zeros (ones on a unit diagonal)."""
    if unit_diagonal:
        eye = xp.eye(a.shape[0], dtype=a.dtype)
        return (xp.tril(a, k=-1) if lower else xp.triu(a, k=1)) + eye
    return xp.tril(a) if lower else xp.triu(a)


def _solve_triangular_off_numpy(xp: Backend, a, b, t: int, lower: bool, unit_diagonal: bool):
    """scipy's triangular solve of ``op(a) x = b`` on another backend: dask's blocked solver
    (lazy), else the standard's ``linalg.solve`` of the triangle."""
    tri = _triangle(xp, a, lower, unit_diagonal)
    if t:
        tri, lower = xp.matrix_transpose(tri), not lower
    if _is_dask(xp):
        tri = xp.asarray(tri)
        cols = tri.chunks[1]  # square blocks, and b's rows cut as tri's columns
        tri = xp.rechunk(tri, (cols, cols))
        b = xp.rechunk(xp.asarray(b), (cols,) + tuple((s,) for s in b.shape[1:]))
        return xp.linalg.solve_triangular(tri, b, lower=lower)
    if b.ndim == 1:
        return _linalg(xp, "solve")(tri, xp.expand_dims(b, axis=-1))[:, 0]
    return _linalg(xp, "solve")(tri, b)


@op(saves="both", export=False, array_api=False,
    formula=("−op(a)⁻ᵀ·g·xᵀ on a's triangle", "op(a)⁻ᵀ·g"))
def solve_triangular(a, b, trans=0, lower: bool = False, unit_diagonal: bool = False,
                     overwrite_b: bool = False, check_finite: bool = True) -> Tensor:
    """Solve ``op(a) x = b`` for triangular ``a`` (``op`` is transposition when ``trans`` is
    1/'T'), reading only ``a``'s ``lower`` (or upper) triangle, as
    ``scipy.linalg.solve_triangular``. Differentiable in ``a`` (its triangle) and ``b``.

    Examples
    --------
    >>> import autograd.scipy.linalg as sla
    >>> L = ag.tensor([[2.0, 0.0], [1.0, 1.0]])
    >>> sla.solve_triangular(L, ag.tensor([2.0, 3.0]), lower=True)
    Tensor([1., 2.])
    """
    a, b = _float(a), _float(b)
    _square("solve_triangular", a)
    if b.ndim not in (1, 2) or b.shape[0] != a.shape[0]:
        raise ValueError(f"solve_triangular: b must have shape ({a.shape[0]},) or "
                         f"({a.shape[0]}, k) to match a of shape {a.shape}, got {b.shape}")
    if trans not in _TRANS:
        raise ValueError(f"solve_triangular: trans must be 0, 1, 2, 'N', 'T' or 'C', got {trans!r}")
    t = _TRANS[trans]
    xp = xp_of(a, b)
    if xp is NUMPY:
        data = np.asarray(scipy.linalg.solve_triangular(
            a._data, b._data, trans=t, lower=lower, unit_diagonal=unit_diagonal,
            check_finite=check_finite))
    else:
        data = _solve_triangular_off_numpy(xp, a._data, b._data, t, lower, unit_diagonal)
    tri = np.tril if lower else np.triu
    mask = tri(np.ones(a.shape, dtype=a.dtype), ((-1 if lower else 1) if unit_diagonal else 0))

    def backward(g, x):
        # x = op(a)⁻¹ b:  b̄ = op(a)⁻ᵀ g,  op(a)̄ = −b̄ xᵀ, kept on a's triangle
        gb = solve_triangular(a, g, trans=1 - t, lower=lower, unit_diagonal=unit_diagonal)
        ga = None
        if a.requires_grad:
            gm = -_outer_sum(gb, x)
            ga = (_mT(gm) if t else gm) * mask
        return ga, gb if b.requires_grad else None

    return record(data, (a, b), solve_triangular.op, backward)


# ---------------------------------------------------------------------------- Cholesky


def cholesky(a, lower: bool = False, overwrite_a: bool = False,
             check_finite: bool = True) -> Tensor:
    """The Cholesky factor of a symmetric positive definite ``a``: upper ``U`` with
    ``a = Uᵀ U`` by default, lower with ``lower=True``, as ``scipy.linalg.cholesky``.

    Examples
    --------
    >>> import autograd.scipy.linalg as sla
    >>> sla.cholesky(ag.tensor([[4.0, 2.0], [2.0, 2.0]]))
    Tensor([[2., 1.],
            [0., 1.]])
    """
    a = _float(a)
    _square("cholesky", a)
    return _np_cholesky(a, upper=not lower)  # numpy's, ag.linalg.cholesky: one op


def cho_factor(a, lower: bool = False, overwrite_a: bool = False,
               check_finite: bool = True) -> tuple[Tensor, bool]:
    """``(c, lower)`` for ``cho_solve``, as ``scipy.linalg.cho_factor``; ``c`` is the clean
    triangular factor (scipy leaves arbitrary values in its other triangle; here they are 0).

    Examples
    --------
    >>> import autograd.scipy.linalg as sla
    >>> c, low = sla.cho_factor(ag.tensor([[4.0, 2.0], [2.0, 2.0]]), lower=True)
    """
    return cholesky(a, lower=lower), lower


def cho_solve(c_and_lower, b, overwrite_b: bool = False, check_finite: bool = True) -> Tensor:
    """Solve ``a x = b`` given ``cho_factor(a)``, as ``scipy.linalg.cho_solve``;
    differentiable in the factor and in ``b``.

    Examples
    --------
    >>> import autograd.scipy.linalg as sla
    >>> A = ag.tensor([[4.0, 2.0], [2.0, 2.0]])
    >>> sla.cho_solve(sla.cho_factor(A), ag.tensor([6.0, 4.0]))
    Tensor([1., 1.])
    """
    c, lower = c_and_lower
    if lower:  # a = c cᵀ
        y = solve_triangular(c, b, lower=True)
        return solve_triangular(c, y, trans=1, lower=True)
    y = solve_triangular(c, b, trans=1, lower=False)  # a = cᵀ c
    return solve_triangular(c, y, lower=False)


# ---------------------------------------------------------------------------- Sylvester, sqrtm


@op(saves="both", export=False, array_api=False,
    formula=("−Q̄·Xᵀ", "−Xᵀ·Q̄", "Q̄ = solve_sylvester(aᵀ, bᵀ, g)"))
def solve_sylvester(a, b, q) -> Tensor:
    """The ``X`` with ``a X + X b = q``, as ``scipy.linalg.solve_sylvester``; differentiable
    in ``a``, ``b`` and ``q``.

    Examples
    --------
    >>> import autograd.scipy.linalg as sla
    >>> sla.solve_sylvester(ag.eye(2), ag.eye(2), ag.tensor([[2.0, 4.0], [6.0, 8.0]]))
    Tensor([[1., 2.],
            [3., 4.]])
    """
    a, b, q = _float(a), _float(b), _float(q)
    _square("solve_sylvester", a)
    _square("solve_sylvester", b)
    if q.shape != (a.shape[0], b.shape[0]):
        raise ValueError(f"solve_sylvester: q must have shape ({a.shape[0]}, {b.shape[0]}) for "
                         f"a of shape {a.shape} and b of shape {b.shape}, got {q.shape}")
    xp = xp_of(a, b, q)
    if xp is NUMPY:
        data = np.asarray(scipy.linalg.solve_sylvester(a._data, b._data, q._data))
    elif _is_dask(xp):
        data = _as_task(xp, scipy.linalg.solve_sylvester, (a._data, b._data, q._data),
                        q.shape, np.result_type(a.dtype, b.dtype, q.dtype))
    else:
        raise _no_function(xp, "solve_sylvester")

    def backward(g, x):
        # the adjoint equation aᵀ Q̄ + Q̄ bᵀ = g; then ā = −Q̄ Xᵀ, b̄ = −Xᵀ Q̄
        gq = solve_sylvester(transpose(a), transpose(b), g)
        return (-matmul(gq, transpose(x)) if a.requires_grad else None,
                -matmul(transpose(x), gq) if b.requires_grad else None, gq)

    return record(data, (a, b, q), solve_sylvester.op, backward)


def _real_sqrtm(a: np.ndarray) -> np.ndarray:
    """scipy's principal square root, real; a matrix without a real one raises."""
    data = scipy.linalg.sqrtm(a)
    if np.iscomplexobj(data):
        if np.abs(data.imag).max(initial=0) > 1e3 * np.finfo(a.dtype).eps * max(
                1.0, np.abs(data.real).max(initial=0)):
            raise ValueError("sqrtm: the matrix has no real square root (it has a negative "
                             "real eigenvalue); complex results are not supported")
        data = data.real
    return np.asarray(data, dtype=a.dtype)


@op(saves="output", export=False, array_api=False,
    formula="solve_sylvester(Xᵀ, Xᵀ, g), X = sqrtm(A)")
def sqrtm(A, disp: bool = True, blocksize: int = 64) -> Tensor:
    """The principal square root ``X`` of ``A`` (``X @ X = A``), as ``scipy.linalg.sqrtm``;
    a matrix without a real square root (a negative eigenvalue) raises (on dask, when the
    result is computed).

    Examples
    --------
    >>> import autograd.scipy.linalg as sla
    >>> sla.sqrtm(ag.tensor([[4.0, 0.0], [0.0, 9.0]]))
    Tensor([[2., 0.],
            [0., 3.]])
    """
    A = _float(A)
    _square("sqrtm", A)
    xp = xp_of(A)
    if xp is NUMPY:
        data = _real_sqrtm(A._data)
    elif _is_dask(xp):
        data = _as_task(xp, _real_sqrtm, (A._data,), A.shape, A.dtype)
    else:
        raise _no_function(xp, "sqrtm")

    def backward(g, X):
        # dA = X dX + dX X, so Ā solves Xᵀ Ā + Ā Xᵀ = Ḡ
        Xt = transpose(X)
        return (solve_sylvester(Xt, Xt, g),)

    return record(data, (A,), sqrtm.op, backward)


# ---------------------------------------------------------------------------- banded


def _band_transpose(ab: Tensor, lu: tuple[int, int]) -> Tensor:
    """The band storage of ``aᵀ`` (bands (u, l)) from that of ``a`` (bands (l, u))."""
    l, u = lu
    rows, n = ab.shape
    r = np.arange(rows)[:, None]
    j = np.arange(n)[None, :]
    col = j + r - l  # abᵀ[r, j] = a[j, i] = ab[u + l − r, i] with i = j + r − l
    valid = ((col >= 0) & (col < n)).astype(ab.dtype)
    flat = (u + l - r) * n + np.clip(col, 0, n - 1)  # one gather from the flattened storage
    return reshape(reshape(ab, (-1,))[flat.ravel()], (rows, n)) * valid


@op(saves="both", export=False, array_api=False, formula=("−(b̄ xᵀ) on the band", "a⁻ᵀ·g"))
def solve_banded(l_and_u, ab, b, overwrite_ab: bool = False, overwrite_b: bool = False,
                 check_finite: bool = True) -> Tensor:
    """Solve ``a x = b`` for a banded ``a`` in LAPACK band storage (``ab[u + i − j, j] =
    a[i, j]``), as ``scipy.linalg.solve_banded``; differentiable in ``ab`` and ``b``.

    Examples
    --------
    >>> import autograd.scipy.linalg as sla
    >>> ab = ag.tensor([[2.0, 2.0, 2.0], [1.0, 1.0, 0.0]])   # diagonal 2, below it 1
    >>> sla.solve_banded((1, 0), ab, ag.tensor([2.0, 3.0, 3.0]))
    Tensor([1., 1., 1.])
    """
    l, u = (int(v) for v in l_and_u)
    ab, b = _float(ab), _float(b)
    if ab.ndim != 2 or ab.shape[0] != l + u + 1:
        raise ValueError(f"solve_banded: ab must have shape (l + u + 1, n) = ({l + u + 1}, n) "
                         f"for (l, u) = ({l}, {u}), got {ab.shape}")
    n = ab.shape[1]
    if b.ndim not in (1, 2) or b.shape[0] != n:
        raise ValueError(f"solve_banded: b must have shape ({n},) or ({n}, k), got {b.shape}")
    xp = xp_of(ab, b)
    if xp is NUMPY:
        data = np.asarray(scipy.linalg.solve_banded((l, u), ab._data, b._data,
                                                    check_finite=check_finite))
    elif _is_dask(xp):
        solve = functools.partial(scipy.linalg.solve_banded, (l, u), check_finite=check_finite)
        data = _as_task(xp, solve, (ab._data, b._data), b.shape, np.result_type(ab.dtype,
                                                                              b.dtype))
    else:
        raise _no_function(xp, "solve_banded")
    r = np.arange(l + u + 1)[:, None]
    j = np.arange(n)[None, :]
    i = j + r - u  # ab[r, j] holds a[i, j]
    valid = ((i >= 0) & (i < n)).astype(ab.dtype)
    i_at = np.clip(i, 0, n - 1).ravel()  # flat: one integer index along the rows
    j_at = np.broadcast_to(j, i.shape).ravel()

    def backward(g, x):
        gb = solve_banded((u, l), _band_transpose(ab, (l, u)), g)
        gab = None
        if ab.requires_grad:  # ā[i, j] = −Σₖ b̄[i, k] x[j, k], stored at ab[u + i − j, j]
            prod = gb[i_at] * x[j_at]
            prod = sum(prod, axis=-1) if prod.ndim == 2 else prod
            gab = -reshape(prod, valid.shape) * valid
        return gab, gb if b.requires_grad else None

    return record(data, (ab, b), solve_banded.op, backward)
