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
from .arrange import take_along_axis_backward
from .shape import index_add, index_put, sum_to_shape

__all__ = ["OPS", "OpDef", "op", "EXPORTS", "index_add", "index_put", "sum_to_shape",
           "take_along_axis_backward",
           "arrange", "binary", "contract", "dispatch", "elementwise", "join", "linalg",
           "linalg_solve", "linalg_spectral", "math", "pytorch_names", "reduce", "scan",
           "search", "selection", "shape", "special", "bessel"]
globals().update(EXPORTS)  # every declared op by name (``autograd.ops.exp``)


def _pos(self) -> Tensor:
    return self


Tensor.__pos__ = _pos


def _T(self: Tensor) -> Tensor:
    """The tensor with its axes reversed."""
    return self.transpose()


Tensor.T = property(_T)  # type: ignore[misc]  # declared in autograd/_bound.pyi
