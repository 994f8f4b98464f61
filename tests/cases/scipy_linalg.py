"""Cases of ``autograd.scipy.linalg`` and ``autograd.scipy.signal``: matrices made well
conditioned (a shifted diagonal, positive definite products) so finite differences are exact."""

from __future__ import annotations

import numpy as np

import autograd.scipy.linalg as sla
import autograd.scipy.signal as sig
from tests.op_cases import T


def _spd(a):
    return a @ a.T + 3 * np.eye(a.shape[0])


def _shift(a, by=4.0):
    return a + by * np.eye(a.shape[0])


def _band(r, l, u, n):
    ab = T(r, l + u + 1, n)
    ab.data[u] += 5.0 * np.sign(ab.data[u])  # a dominant diagonal
    return ab


CASES = {
    # scipy's upper factor is numpy's (ag.linalg.cholesky) transposed: the same op
    "linalg.cholesky": [(lambda a: sla.cholesky(_spd(a)), lambda r: (T(r, 2, 2),))],
    "solve_triangular": [
        (lambda a, b: sla.solve_triangular(_shift(a), b, lower=True), lambda r: (T(r, 3, 3),
                                                                               T(r, 3))),
        (lambda a, b: sla.solve_triangular(_shift(a), b, trans="T"), lambda r: (T(r, 2, 2),
                                                                              T(r, 2, 2))),
        (lambda a, b: sla.solve_triangular(_shift(a), b, lower=True, unit_diagonal=True,
                                           trans=1), lambda r: (T(r, 3, 3), T(r, 3, 1))),
    ],
    "solve_sylvester": [(lambda a, b, q: sla.solve_sylvester(_shift(a), _shift(b, 3.0), q),
                         lambda r: (T(r, 3, 3), T(r, 2, 2), T(r, 3, 2)))],
    "sqrtm": [(lambda a: sla.sqrtm(_spd(a)), lambda r: (T(r, 3, 3),)),
              (lambda a: sla.sqrtm(_spd(a) + 0.5 * a), lambda r: (T(r, 3, 3),))],
    "solve_banded": [
        (lambda ab, b: sla.solve_banded((1, 1), ab, b), lambda r: (_band(r, 1, 1, 5), T(r, 5))),
        (lambda ab, b: sla.solve_banded((2, 0), ab, b), lambda r: (_band(r, 2, 0, 4),
                                                                  T(r, 4, 2))),
    ],
    "signal_convolve": [
        (lambda a, b: sig.convolve(a, b), lambda r: (T(r, 5), T(r, 3))),
        (lambda a, b: sig.convolve(a, b, "valid"), lambda r: (T(r, 4, 5), T(r, 2, 3))),
        (lambda a, b: sig.convolve(a, b, "same"), lambda r: (T(r, 3, 4), T(r, 2, 5))),
        (lambda a, b: sig.convolve(a, b, "valid"), lambda r: (T(r, 2, 3, 2), T(r, 3, 4, 2))),
    ],
}
