"""What the distributions share: scipy's argument conventions on Tensors."""

from __future__ import annotations

import numpy as np

from ..._tensor import Tensor
from ...ops._util import as_tensor, lift
from ...ops.elementwise import where


def args(*values):
    """The arguments as Tensors, with scipy's conversions and PyTorch's weak scalars: a Python
    number beside a floating Tensor takes that Tensor's dtype; arrays and lists become Tensors
    as ``np.asarray`` makes them (integers as float64), and so do numbers without a Tensor."""
    like = next((v for v in values if isinstance(v, Tensor) and v.dtype.kind == "f"), None)
    out = []
    for v in values:
        if isinstance(v, Tensor):
            out.append(v)
        elif like is not None and type(v) in (int, float):
            out.append(lift(float(v), like))
        else:
            arr = np.asarray(v)
            out.append(as_tensor(arr if arr.dtype.kind == "f" else arr.astype(np.float64)))
    return out


def data(v) -> np.ndarray:
    return v.data if isinstance(v, Tensor) else np.asarray(v)


def nan_where(out, bad: np.ndarray):
    """``out`` with NaN where the parameters are invalid (scipy's convention)."""
    out = as_tensor(out) if not isinstance(out, Tensor) else out
    if not np.any(bad):
        return out
    return where(np.broadcast_to(bad, np.broadcast_shapes(bad.shape, out.shape)), np.nan, out)


def positive(*params) -> np.ndarray:
    """True where some parameter is not > 0 (or is NaN)."""
    bad = np.zeros((), dtype=bool)
    for p in params:
        bad = bad | ~(data(p) > 0)
    return bad
