"""Gradient cases of ``ag.linalg`` (numpy.linalg's functions): single matrices, stacks,
broadcast batch axes, every norm order and axis. Each case is gradchecked and gradgradchecked.

Inputs are built so the derivative exists and finite differences are accurate: matrices
shifted away from singularity (``+ 3I``), symmetric positive definite ones as ``X Xᵀ + I``
(``cholesky``, ``eigh`` see a symmetric input, as their gradients assume), eigenvalues and
singular values kept apart by a spread-out diagonal (eigenvector and singular-vector
gradients need distinct values), and functions of eigenvectors and singular vectors that do
not depend on their signs (``v²``, ``U diag(S) Vᵀ``).
"""

from __future__ import annotations

import numpy as np

import autograd as ag
from tests.op_cases import T, distinct

L = ag.linalg


def mT(x):
    return ag.swapaxes(x, -1, -2)


def regular(r, *shape):
    """A float64 leaf of well-conditioned square matrices (X + 3I)."""
    n = shape[-1]
    return ag.Tensor(r.standard_normal(shape) + 3 * np.eye(n), requires_grad=True)


def spd(x):
    """A symmetric positive definite matrix (stack) from any square ``x``."""
    return x @ mT(x) + np.eye(x.shape[-1])


def spread(x):
    """A symmetric matrix (stack) whose eigenvalues lie far apart."""
    n = x.shape[-1]
    return 0.5 * (x + mT(x)) + np.diag(np.arange(n) * 8.0)


def separated(x):
    """A matrix (stack) whose singular values lie far apart, and away from 0."""
    m, n = x.shape[-2:]
    d = np.zeros((m, n))
    d[np.arange(min(m, n)), np.arange(min(m, n))] = 6.0 + 6.0 * np.arange(min(m, n))[::-1]
    return x + d


def S(r, *shape):
    """A float64 leaf of matrices with well separated singular values."""
    return ag.Tensor(separated(r.standard_normal(shape)), requires_grad=True)


def singular(r, n=3):
    """A singular matrix (its last row repeats the first) that requires grad."""
    x = r.standard_normal((n, n))
    x[-1] = x[0]
    return ag.Tensor(x, requires_grad=True)


def usv(f):
    """A sign-invariant function of svd's three outputs: U diag(S) Vh (and S itself)."""
    def fn(x):
        u, s, vh = f(x)
        k = s.shape[-1]
        return (u[..., :, :k] * ag.expand_dims(s, -2)) @ vh[..., :k, :], s
    return fn


CASES = {
    "linalg.inv": [
        (L.inv, lambda r: (regular(r, 3, 3),)),
        (L.inv, lambda r: (regular(r, 2, 3, 3),)),
        (lambda a: L.inv(a).sum(axis=0), lambda r: (regular(r, 2, 1, 2, 2),)),
    ],
    "linalg.solve": [
        (L.solve, lambda r: (regular(r, 3, 3), T(r, 3))),
        (L.solve, lambda r: (regular(r, 3, 3), T(r, 3, 2))),
        (L.solve, lambda r: (regular(r, 2, 3, 3), T(r, 3))),  # one vector, a stack of matrices
        (L.solve, lambda r: (regular(r, 2, 1, 3, 3), T(r, 3, 3, 2))),  # batch axes broadcast
        (L.solve, lambda r: (regular(r, 3, 3), T(r, 2, 3, 1))),
    ],
    "linalg.det": [
        (L.det, lambda r: (T(r, 3, 3),)),
        (L.det, lambda r: (T(r, 2, 2, 2),)),
        (L.det, lambda r: (T(r, 1, 1),)),
        (L.det, lambda r: (singular(r),)),  # the cofactor matrix, through the SVD
        (L.det, lambda r: (ag.Tensor(np.stack([singular(r).data, r.standard_normal((3, 3))]),
                                     requires_grad=True),)),  # singular and regular in a stack
    ],
    "linalg.slogdet": [
        (lambda a: L.slogdet(a)[1], lambda r: (T(r, 3, 3),)),
        (lambda a: L.slogdet(a), lambda r: (T(r, 2, 3, 3),)),
        (lambda a: np.linalg.slogdet(a).logabsdet, lambda r: (regular(r, 2, 2),)),
    ],
    "linalg.cholesky": [
        (lambda x: L.cholesky(spd(x)), lambda r: (T(r, 3, 3),)),
        (lambda x: L.cholesky(spd(x)), lambda r: (T(r, 2, 3, 3),)),
        (lambda x: L.cholesky(spd(x), upper=True), lambda r: (T(r, 2, 2),)),
    ],
    "linalg.pinv": [
        (L.pinv, lambda r: (S(r, 3, 2),)),
        (L.pinv, lambda r: (S(r, 2, 2, 3),)),
        (L.pinv, lambda r: (regular(r, 3, 3),)),
    ],
    "linalg.matrix_power": [
        (lambda a: L.matrix_power(a, 3), lambda r: (T(r, 2, 2),)),
        (lambda a: L.matrix_power(a, -2), lambda r: (regular(r, 2, 3, 3),)),
        (lambda a: L.matrix_power(a, 0) * a, lambda r: (T(r, 2, 2),)),
    ],
    "linalg.multi_dot": [
        (lambda a, b, c: L.multi_dot([a, b, c]), lambda r: (T(r, 3), T(r, 3, 4), T(r, 4, 2))),
        (lambda a, b: L.multi_dot([a, b, a]), lambda r: (T(r, 2, 3), T(r, 3, 2))),
    ],
    "linalg.eigh": [
        (lambda x: L.eigh(spread(x)).eigenvalues, lambda r: (T(r, 3, 3),)),
        (lambda x: tuple(v * v for v in L.eigh(spread(x))), lambda r: (T(r, 3, 3),)),
        (lambda x: L.eigh(spread(x))[1] ** 2, lambda r: (T(r, 2, 3, 3),)),
        (lambda x: L.eigh(spread(x), UPLO="U")[1] ** 2, lambda r: (T(r, 2, 2),)),
    ],
    "linalg.eigvalsh": [
        (lambda x: L.eigvalsh(spread(x)), lambda r: (T(r, 3, 3),)),
        (lambda x: L.eigvalsh(spd(x)), lambda r: (T(r, 2, 2, 2),)),
    ],
    "linalg.svd": [
        (lambda x: L.svd(separated(x), compute_uv=False), lambda r: (T(r, 3, 2),)),
        (usv(lambda x: L.svd(separated(x))), lambda r: (T(r, 3, 3),)),
        (usv(lambda x: L.svd(separated(x), full_matrices=False)), lambda r: (T(r, 4, 2),)),
        (usv(lambda x: L.svd(separated(x), full_matrices=False)), lambda r: (T(r, 2, 3),)),
        (lambda x: L.svd(separated(x), full_matrices=False).U ** 2, lambda r: (T(r, 2, 3, 2),)),
        (lambda x: L.svd(separated(x), full_matrices=False).Vh ** 2, lambda r: (T(r, 2, 3),)),
        (lambda x: L.svd(separated(x)).U[..., :2] ** 2, lambda r: (T(r, 3, 2),)),
    ],
    # the single nodes behind the outputs of eigh, svd and slogdet (the public ops are
    # composite): their own entries, read back through the public functions
    "linalg.eigh_factors": [
        (lambda x: tuple(v * v for v in L.eigh(spread(x))), lambda r: (T(r, 2, 3, 3),)),
    ],
    "linalg.svd_factors": [
        (usv(lambda x: L.svd(separated(x), full_matrices=False)), lambda r: (T(r, 2, 3, 2),)),
    ],
    "linalg.slogdet_factors": [(lambda a: L.slogdet(a).logabsdet, lambda r: (T(r, 2, 2, 2),))],
    "linalg.svdvals": [
        (lambda x: L.svdvals(separated(x)), lambda r: (T(r, 2, 3),)),
        (lambda x: L.svdvals(separated(x)), lambda r: (T(r, 2, 3, 2),)),
    ],
}

# norms: every order, over each axis (and pairs of axes), keepdims both ways
_VECTOR_ORDS = [2, 1, np.inf, -np.inf, 0.5, 1.5, 3]
_MATRIX_ORDS = ["fro", "nuc", 1, -1, 2, -2, np.inf, -np.inf]


def _vector_input(ord):
    if ord in (np.inf, -np.inf):
        return lambda r, s: distinct(r, *s)
    return lambda r, s: T(r, *s, away=0.2)


CASES["linalg.vector_norm"] = [
    (lambda x, o=o, a=a, k=k: L.vector_norm(x, ord=o, axis=a, keepdims=k),
     lambda r, s=s, o=o: (_vector_input(o)(r, s),))
    for o in _VECTOR_ORDS
    for s, a, k in [((5,), None, False), ((3, 4), -1, True), ((3, 4), 0, False),
                    ((2, 3, 4), (0, 2), False), ((2, 3, 2), None, True)]
] + [(lambda x: L.vector_norm(x, ord=0, axis=1), lambda r: (T(r, 2, 3, away=0.2),))]
CASES["linalg.matrix_norm"] = [
    (lambda x, o=o, k=k: L.matrix_norm(x, ord=o, keepdims=k),
     lambda r, s=s, o=o: (S(r, *s) if o in (2, -2, "nuc") else T(r, *s, away=0.2),))
    for o in _MATRIX_ORDS for s, k in [((3, 4), False), ((2, 3, 2), True)]
]
CASES["linalg.norm"] = [
    (lambda x: L.norm(x), lambda r: (T(r, 2, 3, 2),)),
    (lambda x: L.norm(x, keepdims=True), lambda r: (T(r, 3, 4),)),
    (lambda x: L.norm(x, ord=3), lambda r: (T(r, 5, away=0.2),)),
    (lambda x: L.norm(x, ord=np.inf), lambda r: (distinct(r, 5),)),
    (lambda x: L.norm(x, axis=1), lambda r: (T(r, 3, 4),)),
    (lambda x: L.norm(x, ord=1, axis=0, keepdims=True), lambda r: (T(r, 3, 4, away=0.2),)),
    (lambda x: L.norm(x, ord="fro", axis=(2, 0)), lambda r: (T(r, 2, 3, 4),)),
    (lambda x: L.norm(x, ord="nuc"), lambda r: (S(r, 3, 2),)),
    (lambda x: L.norm(x, ord=2, axis=(0, 2)), lambda r: (T(r, 3, 2, 2),)),
    (lambda x: L.norm(x, ord=-1, axis=(-1, -2)), lambda r: (T(r, 2, 3, 3, away=0.2),)),
    (lambda x: L.norm(x, ord=np.inf), lambda r: (T(r, 3, 3, away=0.2),)),
    (lambda x: np.linalg.norm(x, axis=-1), lambda r: (T(r, 3, 4),)),
    (lambda x: x.norm(), lambda r: (T(r, 3, 4),)),
    (lambda x: x.norm(p=1, dim=1, keepdim=True), lambda r: (T(r, 3, 4, away=0.2),)),
    (lambda x: x.norm("nuc"), lambda r: (S(r, 3, 2),)),
]
