"""Cases of contractions and diagonals (``autograd/ops/contract.py``): einsum in each of its
forms (explicit and implicit output, ``...`` broadcasting, repeated subscripts, sublists),
tensordot's axis forms, and diagonals with offsets on any pair of axes."""

import numpy as np

import autograd as ag
from tests.op_cases import T

CASES = {
    "einsum": [
        (lambda a, b: ag.einsum("ij,jk->ik", a, b), lambda r: (T(r, 2, 3), T(r, 3, 4))),
        (lambda a: ag.einsum("ii->i", a), lambda r: (T(r, 3, 3),)),
        (lambda a: ag.einsum("ii", a * a), lambda r: (T(r, 3, 3),)),     # implicit: the trace
        (lambda a, b: np.einsum("ij,jk", a, b), lambda r: (T(r, 2, 3), T(r, 3, 2))),
        (lambda a, b: ag.einsum("i,j->ij", a, b), lambda r: (T(r, 3), T(r, 2))),
        (lambda a, b: ag.einsum("i,i", a, b), lambda r: (T(r, 4), T(r, 4))),
        (lambda a: ag.einsum("ij->", a), lambda r: (T(r, 2, 3),)),       # a letter summed away
        (lambda a: ag.einsum("ij->ji", a * a), lambda r: (T(r, 2, 3),)),
        (lambda a, b: ag.einsum("bij,bjk->bik", a, b), lambda r: (T(r, 2, 2, 3), T(r, 2, 3, 2))),
        (lambda a, b: ag.einsum("...ij,...jk->...ik", a, b),
         lambda r: (T(r, 2, 1, 2, 3), T(r, 3, 3, 2))),                  # broadcast batch axes
        (lambda a, b: np.einsum("...i,...i", a, b), lambda r: (T(r, 2, 3), T(r, 3))),
        (lambda a, b, c: ag.einsum("ij,jk,kl->il", a, b, c),
         lambda r: (T(r, 2, 3), T(r, 3, 2), T(r, 2, 2))),
        (lambda a, b: ag.einsum("iij,jk->ik", a, b), lambda r: (T(r, 2, 2, 3), T(r, 3, 2))),
        (lambda a, b: ag.einsum(a, [0, 1], b, [1, 2], [0, 2]), lambda r: (T(r, 2, 3), T(r, 3, 2))),
        (lambda a: ag.einsum(a, [Ellipsis, 0, 0], [Ellipsis]), lambda r: (T(r, 2, 3, 3),)),
        (lambda a, b: ag.einsum("ij,j->i", a, b, optimize=True), lambda r: (T(r, 2, 3), T(r, 3))),
        (lambda a: ag.einsum("ij,jk->ik", a, np.ones((3, 2))), lambda r: (T(r, 2, 3),)),
    ],
    "tensordot": [
        (ag.tensordot, lambda r: (T(r, 2, 3, 4), T(r, 3, 4, 2))),
        (lambda a, b: ag.tensordot(a, b, 1), lambda r: (T(r, 2, 3), T(r, 3, 2))),
        (lambda a, b: ag.tensordot(a, b, 0), lambda r: (T(r, 2), T(r, 3))),
        (lambda a, b: np.tensordot(a, b, axes=([0, 2], [2, 1])),
         lambda r: (T(r, 2, 3, 4), T(r, 3, 4, 2))),
        (lambda a, b: ag.tensordot(a, b, (1, 0)), lambda r: (T(r, 2, 3), T(r, 3, 2))),
    ],
    "inner": [
        (ag.inner, lambda r: (T(r, 3), T(r, 3))),
        (lambda a, b: a.inner(b), lambda r: (T(r, 2, 3), T(r, 4, 3))),
        (lambda a, b: np.inner(a, b), lambda r: (T(r, 2, 2, 3), T(r, 3))),
        (ag.inner, lambda r: (T(r), T(r, 2))),
    ],
    "vdot": [(ag.vdot, lambda r: (T(r, 2, 3), T(r, 6))), (np.vdot, lambda r: (T(r, 4), T(r, 4)))],
    "kron": [
        (ag.kron, lambda r: (T(r, 2), T(r, 3))),
        (lambda a, b: a.kron(b), lambda r: (T(r, 2, 2), T(r, 2, 3))),
        (lambda a, b: np.kron(a, b), lambda r: (T(r, 3), T(r, 2, 2))),
        (ag.kron, lambda r: (T(r), T(r, 2))),
    ],
    "cross": [
        (ag.cross, lambda r: (T(r, 3), T(r, 3))),
        (lambda a, b: a.cross(b), lambda r: (T(r, 4, 3), T(r, 3))),
        (lambda a, b: np.cross(a, b, axisa=0, axisb=1, axisc=0),
         lambda r: (T(r, 3, 2), T(r, 2, 3))),
        (lambda a, b: ag.cross(a, b, axis=0), lambda r: (T(r, 3, 2), T(r, 3, 2))),
        (ag.cross, lambda r: (T(r, 2, 2), T(r, 2, 2))),   # 2-vectors: the z component
        (ag.cross, lambda r: (T(r, 2), T(r, 3))),
    ],
    "diagonal": [
        (ag.diagonal, lambda r: (T(r, 3, 3),)),
        (lambda a: a.diagonal(1) * 2, lambda r: (T(r, 3, 4),)),
        (lambda a: np.diagonal(a, -1, 0, 2), lambda r: (T(r, 3, 2, 4),)),
        (lambda a: ag.diagonal(a * a, 0, -1, -2), lambda r: (T(r, 2, 3, 3),)),
    ],
    "trace": [
        (ag.trace, lambda r: (T(r, 3, 3),)),
        (lambda a: a.trace(1) * a, lambda r: (T(r, 3, 4),)),
        (lambda a: np.trace(a, axis1=1, axis2=2), lambda r: (T(r, 2, 3, 3),)),
    ],
    "diag": [
        (ag.diag, lambda r: (T(r, 3),)),
        (lambda v: ag.diag(v * v, 1), lambda r: (T(r, 3),)),
        (lambda v: np.diag(v, k=-2), lambda r: (T(r, 2),)),
        (lambda a: a.diag(-1), lambda r: (T(r, 3, 4),)),
    ],
}
