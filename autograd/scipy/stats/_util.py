"""What the distributions share: scipy's argument conventions on Tensors."""

from __future__ import annotations

import numpy as np

from ..._tensor import Tensor
from ...backend import is_array
from ...ops._util import aligned, as_tensor, cast, lift, xp_of
from ...ops.elementwise import where


def args(*values):
    """The arguments as Tensors, with scipy's conversions and PyTorch's weak scalars: a Python
    number beside a floating Tensor takes that Tensor's dtype; arrays and lists become Tensors
    as ``np.asarray`` makes them (integers as float64), and so do numbers without a Tensor.
    Beside another backend's Tensor the numpy constants move there (``aligned``)."""
    like = next((v for v in values if isinstance(v, Tensor) and v.dtype.kind == "f"), None)
    out = []
    for v in values:
        if isinstance(v, Tensor):
            out.append(v)
        elif like is not None and type(v) in (int, float):
            out.append(lift(float(v), like))
        elif is_array(v) and not isinstance(v, np.ndarray):  # another backend's, as it is
            t = as_tensor(v)
            out.append(t if t.dtype.kind == "f" else cast(t, np.dtype(np.float64)))
        else:
            arr = np.asarray(v)
            out.append(as_tensor(arr if arr.dtype.kind == "f" else arr.astype(np.float64)))
    return aligned(*out)


def data(v):
    """The array of ``v`` (a Tensor's, of any backend), or ``np.asarray(v)``."""
    return v._data if isinstance(v, Tensor) else np.asarray(v)


def nan_where(out, bad):
    """``out`` with NaN where the parameters are invalid (scipy's convention). ``bad`` of
    another backend is applied as it is: whether it holds any True is not asked (lazily)."""
    out = as_tensor(out) if not isinstance(out, Tensor) else out
    shape = np.broadcast_shapes(tuple(bad.shape), tuple(out.shape))
    if isinstance(bad, np.ndarray):
        if not np.any(bad):
            return out
        return where(np.broadcast_to(bad, shape), np.nan, out)
    return where(xp_of(bad).broadcast_to(bad, shape), np.nan, out)


def positive(*params):
    """True where some parameter is not > 0 (or is NaN)."""
    bad = None
    for p in params:
        b = ~(data(p) > 0)
        bad = b if bad is None else bad | b
    return np.asarray(bad) if isinstance(bad, (np.generic, bool)) else bad


def sampler(name: str):
    """``scipy.stats.<name>.rvs``, taking Tensors: it draws samples, through which no
    gradient flows, so a Tensor that requires grad is refused rather than silently cut off
    (``.detach()`` it). As HIPS autograd's distributions offer ``rvs``, scipy's own."""
    def rvs(*args, **kwargs):
        import scipy.stats  # on first use: importing ag.scipy.stats does not import it

        values = list(args) + list(kwargs.values())
        if any(isinstance(v, Tensor) and v.requires_grad for v in values):
            raise TypeError(f"{name}.rvs draws samples and has no gradient in its parameters: "
                            "pass them detached (t.detach()), or write the sample as a "
                            "differentiable function of standard noise (reparameterize)")
        plain = [np.asarray(v.numpy()) if isinstance(v, Tensor) else v for v in args]
        named = {k: np.asarray(v.numpy()) if isinstance(v, Tensor) else v
                 for k, v in kwargs.items()}
        return getattr(scipy.stats, name).rvs(*plain, **named)

    rvs.__name__ = rvs.__qualname__ = "rvs"
    rvs.__doc__ = (f"scipy.stats.{name}.rvs: samples, as numpy arrays (no gradient; a Tensor "
                   "that requires grad is refused).")
    return rvs
