"""Contractions and diagonals: ``einsum``, ``tensordot``, ``inner``, ``vdot``, ``kron``,
``cross``, ``diagonal``, ``diag`` and ``trace``.

``einsum`` is a primitive whose backward is an einsum again (the gradient for one operand
contracts the output gradient with all the other operands); the others are composed of
``matmul``, ``reshape``, ``transpose``, indexing and elementwise ops.
"""

from __future__ import annotations

import math
import operator
import string
from collections import Counter
from typing import Any

import numpy as np

from .._tensor import Tensor, _wrap, record
from ..registry import op
from ..typing import DTypeLike, TensorLike
from ._util import aligned, as_tensor, xp_of
from .arrange import axis_list, moveaxis, permuted, ravel
from .linalg import matmul
from .reduce import sum
from .shape import index_add, reshape, stack

_LETTERS = string.ascii_letters


# ---------------------------------------------------------------------------- einsum


def _sublists_to_string(args) -> tuple[str, list]:
    """``einsum(op0, sublist0, op1, sublist1, ..., [sublistout])`` in the string form."""
    def letters(sub):
        return "".join("..." if s is Ellipsis else _LETTERS[operator.index(s)] for s in sub)

    operands, subs = list(args[0::2]), list(args[1::2])
    out = None
    if len(operands) > len(subs):  # an odd count: the last entry is the output's sublist
        out = operands.pop()
    spec = ",".join(letters(s) for s in subs)
    return (spec + "->" + letters(out) if out is not None else spec), operands


def _expand(subscripts: str, shapes: list) -> tuple[list, str]:
    """Each operand's subscripts and the output's as single letters: ``...`` becomes letters
    of its own (right-aligned, as numpy broadcasts), the implicit output made explicit."""
    spec = subscripts.replace(" ", "")
    ins, arrow, out = spec.partition("->")
    terms = ins.split(",")
    if len(terms) != len(shapes):
        raise ValueError(f"einsum: the subscripts name {len(terms)} operand(s), "
                         f"{len(shapes)} given")
    for t in terms + [out]:
        bad = set(t.replace("...", "")) - set(_LETTERS)
        if bad:
            raise ValueError(f"einsum: invalid subscript character(s) {sorted(bad)} in "
                             f"{subscripts!r}")
    free = [c for c in _LETTERS if c not in spec]
    extra = []
    for i, (t, shape) in enumerate(zip(terms, shapes)):
        named = len(t.replace("...", ""))
        k = len(shape) - named if "..." in t else 0
        if k < 0 or ("..." not in t and named != len(shape)):
            raise ValueError(f"einsum: operand {i} has {len(shape)} dimension(s) but "
                             f"subscripts {t!r}")
        extra.append(k)
    ell = "".join(free[:max(extra, default=0)])
    terms = [t.replace("...", ell[len(ell) - k:]) for t, k in zip(terms, extra)]
    if not arrow:  # implicit: the broadcast axes, then the letters used once, sorted
        counts = Counter("".join(terms))
        out = ell + "".join(sorted(c for c in counts if counts[c] == 1 and c not in ell))
    else:
        out = out.replace("...", ell)
    return terms, out


@op(function=np.einsum, saves="inputs", formula="einsum of g with the other operands",
    array_api=False)
def einsum(*operands: Any, out: None = None, dtype: DTypeLike | None = None, order: str = "K",
           casting: str = "safe",
           optimize: Any = False) -> Tensor:
    """Einstein summation, numpy's ``einsum``: ``einsum("ij,jk->ik", a, b)`` is ``a @ b``.
    Implicit output, ``...`` broadcasting, repeated subscripts (diagonals) and the sublist
    form all work, and each operand gets its gradient.

    Examples
    --------
    >>> a = ag.tensor([[1.0, 2.0], [3.0, 4.0]])
    >>> ag.einsum("ii->", a)   # the trace
    Tensor(5.)
    """
    if out is not None:
        raise TypeError("einsum: out= is not supported on Tensors (the result is a new Tensor)")
    if operands and not isinstance(operands[0], str):
        subscripts, operands = _sublists_to_string(operands)  # type: ignore[assignment]
    else:
        subscripts, operands = operands[0], list(operands[1:])  # type: ignore[assignment]
    tensors = tuple(aligned(*(as_tensor(o) for o in operands)))
    if dtype is not None:
        tensors = tuple(t.astype(dtype) for t in tensors)
    terms, result = _expand(subscripts, [t.shape for t in tensors])
    spec = ",".join(terms) + "->" + result
    try:
        datas = [t._data for t in tensors]
        data = xp_of(*datas).einsum(spec, *datas, optimize=optimize)
    except ValueError as e:
        shapes = ", ".join(str(t.shape) for t in tensors)
        raise ValueError(f"einsum: {subscripts!r} does not fit shapes {shapes}: {e}") from None

    def backward(g, out):
        return tuple(_einsum_grad(i, terms, result, g, tensors, optimize)
                     if t._requires_grad else None for i, t in enumerate(tensors))

    return record(data, tensors, einsum.op, backward)


def _einsum_grad(i: int, terms: list, result: str, g: Tensor, tensors: tuple, optimize):
    """The gradient for operand ``i``: ``g`` contracted with every other operand into operand
    ``i``'s subscripts. A letter only operand ``i`` has was summed: a ones vector brings it
    back; a repeated letter (a diagonal) is a fresh letter tied to it by an identity matrix."""
    term = terms[i]
    size = dict(zip(term, tensors[i].shape))
    subs = [result] + [t for j, t in enumerate(terms) if j != i]
    args = [g] + [t for j, t in enumerate(tensors) if j != i]
    present = set("".join(subs))
    fresh = iter(c for c in _LETTERS if c not in set("".join(terms) + result))
    xp = xp_of(g)
    dtype = xp.dtype(g.dtype)
    target = ""
    for c in term:
        if c in target:  # the second time c appears: the diagonal
            f = next(fresh)
            subs.append(c + f)
            args.append(_wrap(xp.eye(size[c], dtype=dtype)))
            target += f
            continue
        if c not in present:
            subs.append(c)
            args.append(_wrap(xp.ones(size[c], dtype=dtype)))
            present.add(c)
        target += c
    return einsum(",".join(subs) + "->" + target, *args, optimize=optimize)


# ---------------------------------------------------------------------------- products


@op(composite=True, function=np.tensordot)
def tensordot(a: TensorLike, b: TensorLike, axes: Any = 2) -> Tensor:
    """Sum of products over ``axes``: the last ``axes`` axes of ``a`` with the first of ``b``,
    or the pairs ``(axes_a, axes_b)``; computed as one matrix product."""
    a, b = as_tensor(a), as_tensor(b)
    if isinstance(axes, (int, np.integer)):
        n = operator.index(axes)
        if n < 0 or n > min(a.ndim, b.ndim):
            raise ValueError(f"tensordot: axes={n} does not fit shapes {a.shape} and {b.shape}")
        axes_a, axes_b = list(range(a.ndim - n, a.ndim)), list(range(n))
    else:
        axes_a, axes_b = axes
        axes_a = axis_list(axes_a, a.ndim, "tensordot")
        axes_b = axis_list(axes_b, b.ndim, "tensordot")
    if len(axes_a) != len(axes_b) or any(a.shape[i] != b.shape[j]
                                          for i, j in zip(axes_a, axes_b)):
        raise ValueError(f"tensordot: shape mismatch for sum: axes {axes_a} of shape {a.shape} "
                         f"and axes {axes_b} of shape {b.shape}")
    free_a = [i for i in range(a.ndim) if i not in axes_a]
    free_b = [j for j in range(b.ndim) if j not in axes_b]
    k = math.prod(a.shape[i] for i in axes_a)
    a2 = reshape(permuted(a, free_a + axes_a), (-1, k))
    b2 = reshape(permuted(b, axes_b + free_b), (k, -1))
    shape = tuple(a.shape[i] for i in free_a) + tuple(b.shape[j] for j in free_b)
    return reshape(matmul(a2, b2), shape)


@op(composite=True, method="inner", function=np.inner)
def inner(a: TensorLike, b: TensorLike) -> Tensor:
    """Sum of products over the last axes of ``a`` and ``b`` (a scalar operand multiplies)."""
    a, b = as_tensor(a), as_tensor(b)
    if a.ndim == 0 or b.ndim == 0:
        return a * b
    if a.shape[-1] != b.shape[-1]:
        raise ValueError(f"inner: the last dimensions of shapes {a.shape} and {b.shape} "
                         "differ")
    return tensordot(a, b, ([-1], [-1]))


@op(composite=True, function=np.vdot)
def vdot(a: TensorLike, b: TensorLike) -> Tensor:
    """The dot product of the flattened inputs (of equal size)."""
    a, b = as_tensor(a), as_tensor(b)
    if a.size != b.size:
        raise ValueError(f"vdot: inputs of {a.size} and {b.size} elements")
    return sum(ravel(a) * ravel(b))


@op(composite=True, method="kron", function=np.kron)
def kron(a: TensorLike, b: TensorLike) -> Tensor:
    """Kronecker product: a block tensor of ``b`` scaled by each element of ``a``."""
    a, b = as_tensor(a), as_tensor(b)
    nd = max(a.ndim, b.ndim)
    sa = (1,) * (nd - a.ndim) + a.shape
    sb = (1,) * (nd - b.ndim) + b.shape
    # (a0, 1, a1, 1, ...) * (1, b0, 1, b1, ...) -> (a0, b0, a1, b1, ...) -> (a0·b0, a1·b1, ...)
    x = (reshape(a, tuple(d for s in sa for d in (s, 1)))
         * reshape(b, tuple(d for s in sb for d in (1, s))))
    return reshape(x, tuple(p * q for p, q in zip(sa, sb)))


def _times(p, q):
    return None if p is None or q is None else p * q


def _minus(p, q):
    if q is None:
        return p
    return -q if p is None else p - q


@op(composite=True, method="cross", function=np.cross)
def cross(a: TensorLike, b: TensorLike, axisa: int = -1, axisb: int = -1, axisc: int = -1,
          axis: int | None = None) -> Tensor:
    """Cross product of 3-vectors (or 2-vectors, as numpy) along the given axes, with the
    other axes broadcast."""
    a, b = as_tensor(a), as_tensor(b)
    if axis is not None:
        axisa = axisb = axisc = axis
    a, b = moveaxis(a, axisa, -1), moveaxis(b, axisb, -1)
    if a.shape[-1] not in (2, 3) or b.shape[-1] not in (2, 3):
        raise ValueError(f"cross: incompatible dimensions for cross product (dimension must be "
                         f"2 or 3), got shapes {a.shape} and {b.shape} along the vector axis")
    x = [a[..., i] for i in range(a.shape[-1])] + [None] * (3 - a.shape[-1])
    y = [b[..., i] for i in range(b.shape[-1])] + [None] * (3 - b.shape[-1])
    z = _minus(_times(x[0], y[1]), _times(x[1], y[0]))  # type: ignore[arg-type]
    if a.shape[-1] == b.shape[-1] == 2:
        return z  # type: ignore[return-value]
    c = stack([_minus(_times(x[1], y[2]), _times(x[2], y[1])),
               _minus(_times(x[2], y[0]), _times(x[0], y[2])), z], axis=-1)  # type: ignore
    return moveaxis(c, -1, axisc)


# ---------------------------------------------------------------------------- diagonals


@op(composite=True, method="diagonal", function=np.diagonal)
def diagonal(a: TensorLike, offset: int = 0, axis1: int = 0, axis2: int = 1) -> Tensor:
    """The diagonal ``offset`` of the planes spanned by ``axis1`` and ``axis2``, as the last
    axis of the result (numpy's and PyTorch's layout)."""
    a = as_tensor(a)
    if a.ndim < 2:
        raise ValueError(f"diagonal: needs at least 2 dimensions, got shape {a.shape}")
    ax1, ax2 = axis_list((axis1, axis2), a.ndim, "diagonal")
    n1, n2 = a.shape[ax1], a.shape[ax2]
    k = operator.index(offset)
    length = max(0, min(n1, n2 - k) if k >= 0 else min(n1 + k, n2))
    rows = np.arange(length) + max(-k, 0)
    cols = np.arange(length) + max(k, 0)
    x = permuted(a, [i for i in range(a.ndim) if i not in (ax1, ax2)] + [ax1, ax2])
    return x[..., rows, cols]


@op(composite=True, method="trace", function=np.trace)
def trace(a: TensorLike, offset: int = 0, axis1: int = 0, axis2: int = 1,
          dtype: DTypeLike | None = None, out: None = None) -> Tensor:
    """Sum of the diagonal ``offset`` (of each plane of ``axis1``, ``axis2`` for N-D input)."""
    if out is not None:
        raise TypeError("trace: out= is not supported on Tensors (the result is a new Tensor)")
    d = diagonal(a, offset, axis1, axis2)
    return sum(d if dtype is None else d.astype(dtype), axis=-1)


@op(composite=True, method="diag", function=np.diag)
def diag(v: TensorLike, k: int = 0) -> Tensor:
    """A 1-D input placed on diagonal ``k`` of a square matrix, or the diagonal ``k`` of a
    2-D input."""
    v = as_tensor(v)
    k = operator.index(k)
    if v.ndim == 2:
        return diagonal(v, k)
    if v.ndim != 1:
        raise ValueError(f"diag: input must be 1-D or 2-D, got shape {v.shape}")
    n = v.shape[0] + abs(k)
    rows = np.arange(v.shape[0]) + max(-k, 0)
    return index_add((n, n), (rows, rows + k), v)
