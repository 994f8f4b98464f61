"""The differentiable ops, one file per family, each declared once with ``@op``.

Importing the families declares their ops; each declaration binds its op as Tensor methods
and operators, numpy ufunc/function dispatch and an ``autograd.*`` export (``autograd.bind``).
``dispatch`` adds numpy's protocols to ``Tensor``, which route through those generated tables.
"""

from __future__ import annotations

from .._tensor import Tensor
from ..bind import EXPORTS
from ..registry import OPS, OpDef, op
from . import (
    arrange,
    bessel,
    binary,
    contract,
    dispatch,
    elementwise,
    join,
    linalg,
    linalg_solve,
    linalg_spectral,
    math,
    pytorch_names,
    reduce,
    scan,
    search,
    selection,
    shape,
    special,
)
from .shape import index_add, index_put, sum_to_shape

__all__ = ["OPS", "OpDef", "op", "EXPORTS", "index_add", "index_put", "sum_to_shape",
           "arrange", "binary", "contract", "dispatch", "elementwise", "join", "linalg",
           "linalg_solve", "linalg_spectral", "math", "pytorch_names", "reduce", "scan",
           "search", "selection", "shape", "special", "bessel", *EXPORTS]
globals().update(EXPORTS)


def _pos(self) -> Tensor:
    return self


Tensor.__pos__ = _pos
Tensor.T = property(lambda self: self.transpose(), doc="The tensor with its axes reversed.")
