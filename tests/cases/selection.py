"""Gradient cases for ``masked_fill`` and ``topk``, and for PyTorch's ``max(dim)``."""

from __future__ import annotations

import numpy as np

import autograd as ag
from tests.op_cases import T, distinct

_MASK = np.array([[True, False, False], [False, True, True]])

CASES = {
    "masked_fill": [
        (lambda x: x.masked_fill(_MASK, -2.0), lambda r: (T(r, 2, 3),)),
        (lambda x, v: ag.masked_fill(x, _MASK[0], v), lambda r: (T(r, 4, 3), T(r))),
    ],
    "topk": [
        (lambda x: ag.topk(x, 2).values, lambda r: (distinct(r, 3, 4),)),
        (lambda x: ag.topk(x, 2, dim=0, largest=False).values, lambda r: (distinct(r, 3, 4),)),
    ],
    "max": [(lambda x: x.max(dim=1).values, lambda r: (distinct(r, 3, 4),))],
    "min": [(lambda x: x.min(dim=0, keepdim=True).values, lambda r: (distinct(r, 3, 4),))],
}
