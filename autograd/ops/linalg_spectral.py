"""``numpy.linalg``'s decompositions and norms, differentiable and batched: ``eigh eigvalsh svd
svdvals norm vector_norm matrix_norm`` (``ag.linalg.NAME``, ``np.linalg.NAME(t)``).

A decomposition has several outputs: one primitive op (``eigh_factors``, ``svd_factors``)
records them packed in one Tensor, and the public op hands them out as slices of it (see
``outputs``), so the backward receives the gradient of every output at once. Gradients are
PyTorch's: they need distinct eigenvalues (singular values) where eigenvectors (singular
vectors) are used, and gauge-invariant losses (a loss that changes when an eigenvector flips
sign has no gradient). An output that gets no gradient costs nothing, so ``eigvalsh`` and
``svdvals`` work with repeated values.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from .._tensor import Tensor, record
from ..backend import NUMPY
from ..registry import op
from ..typing import Axis, TensorLike
from ._util import as_tensor, kept_shape, normalize_axis, xp_of
from .elementwise import abs as abs_
from .elementwise import where
from .linalg_solve import _floating, const, linalg, mT, square
from .outputs import pack, packed_backward, unpack
from .reduce import max as max_
from .reduce import min as min_
from .reduce import sum as sum_
from .shape import expand_dims, reshape, transpose


def _diag_embed(v: Tensor) -> Tensor:
    """Matrices with ``v`` (..., n) on their diagonals."""
    n = v.shape[-1]
    return expand_dims(v, -2) * np.eye(n, dtype=v.dtype)


def _ratio(num: Tensor, den: Tensor, exact: bool) -> Tensor:
    """``num / den``; with ``exact`` False, 0 where ``num`` is 0 whatever ``den`` is. Off numpy
    an output's unused gradient arrives as zeros, not None (lazy data cannot be looked at), and
    must not turn into 0/0 at repeated eigenvalues or zero singular values."""
    if exact:
        return num / den
    return where(const(xp_of(num), num._data == 0), 0.0, num / den)


# ---------------------------------------------------------------------------- eigh


class EighResult(NamedTuple):
    """``eigh``'s result, as numpy's: eigenvalues (ascending) and eigenvectors (columns)."""

    eigenvalues: Tensor
    eigenvectors: Tensor


def _eigh_backward(grads, outs):
    gw, gv = grads
    w, v = outs
    if gw is None and gv is None:
        return (None,)
    inner = 0.0 if gw is None else _diag_embed(gw)
    if gv is not None:
        vtg = mT(v) @ gv
        gap = expand_dims(w, -2) - expand_dims(w, -1)  # [i, j] = w_j − w_i
        gap = gap + np.eye(w.shape[-1], dtype=w.dtype)  # the diagonal (0 / 1) stays 0
        inner = inner + _ratio(0.5 * (vtg - mT(vtg)), gap, type(w._data) is np.ndarray)
    return (v @ inner @ mT(v),)


def _eigh_cores(shape: tuple) -> list:
    return [shape[-1:], shape[-2:]]


@op(name="eigh_factors", namespace="linalg", export=False, node="LinalgEighBackward",
    saves="output", formula="V (diag(g_w) + sym(Vᵀg_V)/(w_j − w_i)) Vᵀ",
    symmetric_input=True)
def eigh_factors(a, UPLO: str = "L") -> Tensor:
    """``eigh``'s eigenvalues and eigenvectors side by side, ``(..., n + n²)``: the one node
    both come from."""
    a = _floating(as_tensor(a))
    square("eigh", a)
    if UPLO not in ("L", "U"):
        raise ValueError(f"linalg.eigh: UPLO must be 'L' or 'U', got {UPLO!r}")
    xp = xp_of(a)
    ad = a._data
    if xp is NUMPY:
        w, v = np.linalg.eigh(ad, UPLO=UPLO)  # type: ignore[call-overload]
    else:  # the standard's eigh reads the lower triangle: the upper one, mirrored there
        if UPLO == "U":
            upper = xp.triu(ad)
            ad = upper + xp.matrix_transpose(xp.triu(ad, k=1))
        w, v = linalg(xp, "eigh")(ad)
    batch, cores = a.shape[:-2], _eigh_cores(a.shape)
    return record(pack([w, v], batch), (a,), eigh_factors.op,
                  packed_backward(batch, cores, _eigh_backward))


@op(namespace="linalg", composite=True, function=np.linalg.eigh)
def eigh(a: TensorLike, UPLO: str = "L") -> EighResult:
    """Eigenvalues and eigenvectors of a symmetric matrix (of each of a stack):
    ``np.linalg.eigh``. numpy reads one triangle (``UPLO``); the gradient is PyTorch's
    symmetric one, for distinct eigenvalues.

    Examples
    --------
    >>> w, v = ag.linalg.eigh(ag.tensor([[2.0, 1.0], [1.0, 2.0]]))
    >>> w
    Tensor([1., 3.])
    """
    a = _floating(as_tensor(a))
    w, v = unpack(eigh_factors(a, UPLO), a.shape[:-2], _eigh_cores(a.shape))
    return EighResult(w, v)


@op(namespace="linalg", composite=True, function=np.linalg.eigvalsh)
def eigvalsh(a: TensorLike, UPLO: str = "L") -> Tensor:
    """The eigenvalues of a symmetric matrix: ``np.linalg.eigvalsh`` (``eigh``'s first
    output; its gradient ``V diag(g) Vᵀ`` holds for repeated eigenvalues too)."""
    return eigh(a, UPLO).eigenvalues


# ---------------------------------------------------------------------------- svd


class SVDResult(NamedTuple):
    """``svd``'s result, as numpy's: ``a = U @ diag(S) @ Vh``."""

    U: Tensor
    S: Tensor
    Vh: Tensor


def _svd_backward(m: int, n: int):
    k = min(m, n)

    def backward(grads, outs):
        gu, gs, gvh = grads
        u, s, vh = outs
        if gu is None and gs is None and gvh is None:
            return (None,)
        # the columns of U (rows of Vh) beyond k, from full_matrices=True, get no gradient
        u, vh = u[..., :, :k], vh[..., :k, :]
        gu = gu[..., :, :k] if gu is not None else None
        gvh = gvh[..., :k, :] if gvh is not None else None
        if gu is None and gvh is None:  # singular values only: U diag(gS) Vh
            return ((u * expand_dims(gs, -2)) @ vh,)  # type: ignore[arg-type]
        exact = type(s._data) is np.ndarray  # numpy: an unused output's gradient is None
        s2 = s * s
        gap = expand_dims(s2, -2) - expand_dims(s2, -1)  # [i, j] = s_j² − s_i²
        gap = gap + np.eye(k, dtype=s.dtype)
        inner = 0.0
        if gu is not None:
            utg = mT(u) @ gu
            inner = _ratio((utg - mT(utg)) * expand_dims(s, -2), gap, exact)
        if gvh is not None:
            vtg = vh @ mT(gvh)
            inner = inner + _ratio(expand_dims(s, -1) * (vtg - mT(vtg)), gap, exact)
        if gs is not None:
            inner = inner + _diag_embed(gs)
        if m > n and gu is not None:  # the part of gU outside U's columns
            gus = _ratio(gu, expand_dims(s, -2), exact)
            ga = (u @ inner + gus - u @ (mT(u) @ gus)) @ vh
        elif m < n and gvh is not None:
            sgv = _ratio(gvh, expand_dims(s, -1), exact)
            ga = u @ (inner @ vh + sgv - (sgv @ mT(vh)) @ vh)
        else:
            ga = u @ inner @ vh
        return (ga,)

    return backward


def _svd_cores(shape: tuple, full_matrices: bool) -> list:
    m, n = shape[-2:]
    k = min(m, n)
    return [(m, m if full_matrices else k), (k,), (n if full_matrices else k, n)]


@op(name="svd_factors", namespace="linalg", export=False, node="LinalgSvdBackward",
    saves="output", formula="U (sym parts of Uᵀg_U, Vᵀg_V over s_j² − s_i², + diag(g_S)) Vᵀ")
def svd_factors(a, full_matrices: bool = True, hermitian: bool = False) -> Tensor:
    """``svd``'s ``U``, ``S`` and ``Vh`` side by side: the one node the three come from."""
    a = _floating(as_tensor(a))
    if a.ndim < 2:
        raise np.linalg.LinAlgError(f"linalg.svd: expected a matrix or a stack of them, got "
                                    f"shape {a.shape}")
    xp = xp_of(a)
    if xp is NUMPY:
        u, s, vh = np.linalg.svd(a._data, full_matrices=full_matrices, hermitian=hermitian)
    else:  # the standard's svd (hermitian is only a shortcut)
        ad = a._data
        if xp.name == "dask.array" and ad.ndim == 2:  # dask's wants one block across
            ad = xp.rechunk(ad, {int(a.shape[0] >= a.shape[1]): -1})  # the short axis
        u, s, vh = linalg(xp, "svd")(ad, full_matrices=full_matrices)
    batch, cores = a.shape[:-2], _svd_cores(a.shape, full_matrices)
    return record(pack([u, s, vh], batch), (a,), svd_factors.op,
                  packed_backward(batch, cores, _svd_backward(*a.shape[-2:])))


@op(namespace="linalg", composite=True, function=np.linalg.svd)
def svd(a: TensorLike, full_matrices: bool = True, compute_uv: bool = True,
        hermitian: bool = False) -> Any:
    """The singular value decomposition ``a = U @ diag(S) @ Vh``: ``np.linalg.svd``
    (``compute_uv=False``: ``S`` alone). Gradients are PyTorch's: for ``U`` and ``Vh`` they
    need distinct singular values (and a loss that does not depend on their signs); the extra
    columns of ``full_matrices=True`` get none.

    Examples
    --------
    >>> U, S, Vh = ag.linalg.svd(ag.tensor([[3.0, 0.0], [0.0, -2.0]]))
    >>> S
    Tensor([3., 2.])
    """
    a = _floating(as_tensor(a))
    packed = svd_factors(a, full_matrices, hermitian)
    u, s, vh = unpack(packed, a.shape[:-2], _svd_cores(a.shape, full_matrices))
    return SVDResult(u, s, vh) if compute_uv else s


@op(namespace="linalg", composite=True, function=getattr(np.linalg, "svdvals", None))
def svdvals(a: TensorLike) -> Tensor:
    """The singular values, descending: ``svd(a, compute_uv=False)``."""
    return svd(a, full_matrices=False, compute_uv=False)  # type: ignore[return-value]


# ---------------------------------------------------------------------------- norms


def _vector_norm_data(xp, x, ord, axes, keepdims: bool):
    with np.errstate(all="ignore"):  # inf and nan give IEEE results quietly, as in PyTorch
        r = _vector_norm_values(xp, x, ord, axes, keepdims)
    return np.asarray(r, dtype=x.dtype) if xp is NUMPY else r


def _vector_norm_values(xp, x, ord, axes, keepdims: bool):
    a = xp.abs(x)
    if ord == np.inf:
        return xp.max(a, axis=axes, keepdims=keepdims)
    if ord == -np.inf:
        return xp.min(a, axis=axes, keepdims=keepdims)
    if ord == 0:
        r = xp.count_nonzero(x, axis=axes, keepdims=keepdims)  # numpy: cast by the caller
        return r if xp is NUMPY else xp.astype(r, x.dtype)
    if ord == 1:
        return xp.sum(a, axis=axes, keepdims=keepdims)
    if ord == 2:
        return xp.sqrt(xp.sum(x * x, axis=axes, keepdims=keepdims))
    return xp.sum(a ** ord, axis=axes, keepdims=keepdims) ** (1.0 / ord)


def _safe_div(num, den: Tensor) -> Tensor:
    """``num / den``, 0 where ``den`` is 0 (no NaN, in any derivative)."""
    zero = const(xp_of(den), den._data == 0)
    return where(zero, 0.0, num / where(zero, 1.0, den))


@op(namespace="linalg", function=getattr(np.linalg, "vector_norm", None), saves="both",
    formula="sign(x)·|x|^(p−1) / ‖x‖^(p−1); 0 where ‖x‖ = 0")
def vector_norm(x: TensorLike, ord: Any = 2, axis: Axis = None, keepdims: bool = False) -> Tensor:
    """The ``ord``-norm of ``x`` over ``axis`` (all axes by default, any number of them):
    ``(Σ|x|^ord)^(1/ord)``, ``max|x|`` for ``inf``, the count of non-zeros for 0. As in
    PyTorch, the gradient at ``x = 0`` is 0.

    Examples
    --------
    >>> ag.linalg.vector_norm(ag.tensor([3.0, -4.0]))
    Tensor(5.)
    """
    x = _floating(as_tensor(x))
    if isinstance(ord, str) or ord is None:
        raise ValueError(f"linalg.vector_norm: ord must be a number, got {ord!r}")
    axes = normalize_axis(axis, x.ndim, "vector_norm")
    xp = xp_of(x)
    data = _vector_norm_data(xp, x._data, ord, axes, keepdims)

    def backward(g, out):
        shape = kept_shape(x.shape, axes)
        g = g if keepdims else reshape(g, shape)
        norm = out if keepdims else reshape(out, shape)
        xd = x._data
        if ord == 0:
            return (None,)
        sign = const(xp, xp.sign(xd))
        if ord == 1:
            return (g * sign,)
        if ord == 2:
            return (g * _safe_div(x, norm),)
        if ord in (np.inf, -np.inf):  # to the entries at the extreme, split among ties
            hit = xp.astype(xp.abs(xd) == norm._data, xd.dtype)
            count = xp.sum(hit, axis=axes, keepdims=True)
            return (g * (sign * const(xp, hit / xp.clip(count, min=1))),)
        nonzero = const(xp, xd != 0)
        powered = where(nonzero, abs_(where(nonzero, x, 1.0)) ** (ord - 1), 0.0) * sign
        if ord < 1:
            return (powered * g * norm ** (1 - ord),)
        return (powered * _safe_div(g, norm ** (ord - 1)),)

    return record(data, (x,), vector_norm.op, backward)


def _moved_to_end(x: Tensor, row: int, col: int) -> Tensor:
    rest = [i for i in range(x.ndim) if i not in (row, col)]
    return transpose(x, rest + [row, col])


def _keep(r: Tensor, x: Tensor, axes: tuple, keepdims: bool) -> Tensor:
    return reshape(r, kept_shape(x.shape, axes)) if keepdims else r


@op(namespace="linalg", composite=True, function=getattr(np.linalg, "matrix_norm", None))
def matrix_norm(x: TensorLike, keepdims: bool = False, ord: Any = "fro", axis: Axis = (-2,
                -1)) -> Tensor:
    """A matrix norm over the two axes ``axis`` (the last two by default): ``"fro"``,
    ``"nuc"`` (sum of singular values), ``2``/``-2`` (largest/smallest singular value),
    ``1``/``-1`` (max/min column sum of ``|x|``), ``inf``/``-inf`` (max/min row sum)."""
    x = _floating(as_tensor(x))
    if len(tuple(axis)) != 2:  # type: ignore[arg-type]
        raise ValueError(f"linalg.matrix_norm: axis must be two axes, got {axis!r}")
    row, col = (normalize_axis(a, x.ndim, "matrix_norm")[0] for a in axis)  # type: ignore[union-attr]
    if row == col:
        raise ValueError(f"linalg.matrix_norm: the two axes must differ, got {axis!r}")
    axes = tuple(sorted((row, col)))
    if ord in (None, "fro", "f"):
        return vector_norm(x, 2, axes, keepdims)
    if ord in ("nuc", 2, -2):
        s = svdvals(_moved_to_end(x, row, col))
        r = sum_(s, -1) if ord == "nuc" else max_(s, -1) if ord == 2 else min_(s, -1)
        return _keep(r, x, axes, keepdims)
    if ord in (1, -1, np.inf, -np.inf):
        inner, outer = (row, col) if ord in (1, -1) else (col, row)
        sums = sum_(abs_(x), inner, keepdims=True)
        r = max_(sums, outer, keepdims=True) if ord > 0 else min_(sums, outer, keepdims=True)
        return r if keepdims else reshape(r, [s for i, s in enumerate(x.shape) if i not in axes])
    raise ValueError(f"linalg.matrix_norm: invalid norm order {ord!r} for matrices")


def _torch_norm(self, p="fro", dim=None, keepdim: bool = False, dtype=None, *, axis=None,
                keepdims=None) -> Tensor:
    """PyTorch's ``Tensor.norm(p="fro", dim=None, keepdim=False)``: the ``p``-norm of all
    entries, or over ``dim``; ``"nuc"`` is the nuclear norm over the last two (or ``dim``)
    axes. ``axis=``/``keepdims=`` are accepted too."""
    dim = axis if dim is None else dim
    keepdim = keepdims if keepdims is not None else keepdim
    x = self if dtype is None else self.astype(dtype)
    if p == "nuc":
        return matrix_norm(x, keepdim, "nuc", (-2, -1) if dim is None else dim)
    return vector_norm(x, 2 if p in ("fro", None) else p, dim, keepdim)


@op(namespace="linalg", composite=True, method="norm", method_adapter=_torch_norm,
    function=np.linalg.norm)
def norm(x: TensorLike, ord: Any = None, axis: Axis = None, keepdims: bool = False) -> Tensor:
    """A vector or matrix norm with numpy's rules: ``np.linalg.norm``.

    With ``axis=None`` a 1-D ``x`` has a vector norm, a 2-D one a matrix norm, and ``ord=None``
    is the 2-norm of all entries at any ndim; an int ``axis`` gives vector norms, a pair of
    axes matrix norms. The method ``t.norm(p, dim)`` is PyTorch's (see ``Tensor.norm``).

    Examples
    --------
    >>> ag.linalg.norm(ag.tensor([[1.0, 2.0], [2.0, 4.0]]), ord="fro")
    Tensor(5.)
    """
    x = _floating(as_tensor(x))
    if axis is None:
        if ord is None:
            return vector_norm(x, 2, None, keepdims)
        if x.ndim not in (1, 2):
            raise ValueError(f"linalg.norm: ord={ord!r} needs a 1-D or 2-D input (or axis=), "
                             f"got shape {x.shape}")
        axis = tuple(range(x.ndim))
    axes = (axis,) if isinstance(axis, (int, np.integer)) else tuple(axis)
    if len(axes) == 1:
        if isinstance(ord, str):
            raise ValueError(f"linalg.norm: invalid norm order {ord!r} for vectors")
        return vector_norm(x, 2 if ord is None else ord, axes[0], keepdims)
    if len(axes) == 2:
        return matrix_norm(x, keepdims, "fro" if ord is None else ord, axes)
    raise ValueError(f"linalg.norm: axis must be an int or a pair of ints, got {axis!r}")
