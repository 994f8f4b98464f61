"""Cases of the special-function ops (``autograd.ops.special``, ``autograd.ops.bessel``):
each input drawn inside the function's smooth domain (poles, branch cuts and the edges of
[0, 1] kept away), through scipy's own ufuncs where they dispatch to the op."""

from __future__ import annotations

import numpy as np
import scipy.special as sc

import autograd as ag
import autograd.scipy.special as S
from tests.op_cases import T, U


def _neg(r, *shape):
    """Negative values between poles of Γ: in (−2.8, −2.2) ∪ (−1.8, −1.2)."""
    return ag.Tensor(r.uniform(-0.3, 0.3, shape) + r.choice([-2.5, -1.5], shape),
                     requires_grad=True)


CASES = {
    "gamma": [(sc.gamma, lambda r: (U(r, 2, 3, low=0.5, high=3.0),)),
              (S.gamma, lambda r: (_neg(r, 4),))],
    "gammaln": [(sc.gammaln, lambda r: (U(r, 2, 3, low=0.3, high=4.0),)),
                (S.gammaln, lambda r: (_neg(r, 4),))],
    "gammasgn": [(lambda x: sc.gammasgn(x) * x, lambda r: (_neg(r, 4),))],
    "rgamma": [(sc.rgamma, lambda r: (U(r, 2, 3, low=-3.0, high=3.0),)),
               (S.rgamma, lambda r: (U(r, 4, low=0.5, high=4.0),))],
    "digamma": [(sc.digamma, lambda r: (U(r, 2, 3, low=0.3, high=4.0),)),
                (sc.psi, lambda r: (_neg(r, 4),))],
    "polygamma": [(lambda x, n=n: S.polygamma(n, x), lambda r: (U(r, 2, 3, low=0.5, high=3.0),))
                  for n in (0, 1, 3)]
    + [(lambda x: S.polygamma(np.array([0, 1, 2]), x), lambda r: (U(r, 2, 3, low=0.5, high=3.0),))],
    "beta": [(sc.beta, lambda r: (U(r, 2, 3, low=0.5, high=3.0), U(r, 3, low=0.5, high=3.0)))],
    "betaln": [(sc.betaln, lambda r: (U(r, 2, 3, low=0.5, high=3.0), U(r, 2, 3, low=0.5,
                                                                       high=3.0)))],
    "betainc": [(lambda x: sc.betainc(2.5, np.array([0.7, 1.5, 3.0]), x),
                 lambda r: (U(r, 2, 3, low=0.1, high=0.9),))],
    "gammainc": [(lambda x: sc.gammainc(np.array([0.7, 1.5, 3.0]), x),
                  lambda r: (U(r, 2, 3, low=0.2, high=4.0),))],
    "gammaincc": [(lambda x: sc.gammaincc(2.5, x), lambda r: (U(r, 2, 3, low=0.2, high=4.0),))],
    "erf": [(sc.erf, lambda r: (T(r, 2, 3),))],
    "erfc": [(sc.erfc, lambda r: (T(r, 2, 3),))],
    "erfinv": [(sc.erfinv, lambda r: (U(r, 2, 3, low=-0.9, high=0.9),))],
    "erfcinv": [(sc.erfcinv, lambda r: (U(r, 2, 3, low=0.1, high=1.9),))],
    "ndtr": [(sc.ndtr, lambda r: (T(r, 2, 3),))],
    "ndtri": [(sc.ndtri, lambda r: (U(r, 2, 3, low=0.05, high=0.95),))],
    "log_ndtr": [(sc.log_ndtr, lambda r: (T(r, 2, 3),)),
                 (sc.log_ndtr, lambda r: (U(r, 4, low=-30.0, high=-5.0),))],
    "stdtr": [(lambda x: sc.stdtr(3.5, x), lambda r: (T(r, 2, 3),)),
              (lambda x: sc.stdtr(np.array([1.0, 2.5, 30.0]), x), lambda r: (T(r, 2, 3),))],
    "expit": [(sc.expit, lambda r: (T(r, 2, 3),))],
    "logit": [(sc.logit, lambda r: (U(r, 2, 3, low=0.05, high=0.95),))],
    "xlogy": [(sc.xlogy, lambda r: (T(r, 2, 3), U(r, 2, 3, low=0.2, high=3.0))),
              (sc.xlogy, lambda r: (T(r, 3), U(r, 2, 1, low=0.2, high=3.0)))],
    "xlog1py": [(sc.xlog1py, lambda r: (T(r, 2, 3), U(r, 2, 3, low=-0.8, high=2.0)))],
    "j0": [(sc.j0, lambda r: (T(r, 2, 3),))],
    "j1": [(sc.j1, lambda r: (T(r, 2, 3),))],
    "y0": [(sc.y0, lambda r: (U(r, 2, 3, low=0.5, high=6.0),))],
    "y1": [(sc.y1, lambda r: (U(r, 2, 3, low=0.5, high=6.0),))],
    "jv": [(lambda x: sc.jv(1.5, x), lambda r: (U(r, 2, 3, low=0.5, high=6.0),)),
           (lambda x: sc.jn(2, x), lambda r: (T(r, 2, 3),))],
    "yn": [(lambda x: sc.yn(2, x), lambda r: (U(r, 2, 3, low=0.5, high=6.0),))],
    "i0": [(sc.i0, lambda r: (T(r, 2, 3),)), (np.i0, lambda r: (T(r, 4),))],
    "i1": [(sc.i1, lambda r: (T(r, 2, 3),))],
    "iv": [(lambda x: sc.iv(0.5, x), lambda r: (U(r, 2, 3, low=0.2, high=3.0),)),
           (lambda x: sc.iv(np.array([1, 2, 3]), x), lambda r: (T(r, 2, 3),))],
    "ive": [(lambda x: sc.ive(2, x), lambda r: (T(r, 2, 3, away=0.1),)),
            (lambda x: sc.ive(1.5, x), lambda r: (U(r, 4, low=0.2, high=3.0),))],
}
