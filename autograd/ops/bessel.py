"""Bessel functions: scipy.special's j0, j1, y0, y1, jv (jn), yn, i0, i1, iv, ive on Tensors.

Each derivative is a Bessel function of neighbouring order (``J₀′ = −J₁``,
``J′ᵥ = (Jᵥ₋₁ − Jᵥ₊₁)/2``), so every derivative is differentiable again. The order is a
constant: asking for its gradient raises (see ``autograd.ops.special``).
"""

from __future__ import annotations

import numpy as np

from .._tensor import _wrap
from ._util import xp_of
from .special import scipy_special, special

j0 = special("j0", lambda x, out: -j1(x), formula="−J₁(x)", saves="inputs")
j1 = special("j1", lambda x, out: (j0(x) - jv(2, x)) * 0.5, formula="(J₀(x) − J₂(x))/2",
             saves="inputs")
y0 = special("y0", lambda x, out: -y1(x), formula="−Y₁(x)", saves="inputs")
y1 = special("y1", lambda x, out: (y0(x) - yn(2, x)) * 0.5, formula="(Y₀(x) − Y₂(x))/2",
             saves="inputs")
jv = special("jv", None, lambda v, x, out: (jv(v - 1, x) - jv(v + 1, x)) * 0.5,
             formula=("none (the order)", "(Jᵥ₋₁(x) − Jᵥ₊₁(x))/2"), saves="inputs",
             ufunc=("scipy.special.jv", "scipy.special.jn"), args=("v", "x"))
yn = special("yn", None, lambda n, x, out: (yn(n - 1, x) - yn(n + 1, x)) * 0.5,
             formula=("none (the order)", "(Yₙ₋₁(x) − Yₙ₊₁(x))/2"), saves="inputs",
             args=("n", "x"))
_i0_impl = None


def _i0():
    """scipy.special.i0 where scipy is installed, else numpy's own ``np.i0``."""
    global _i0_impl
    if _i0_impl is None:
        try:
            _i0_impl = scipy_special().i0
        except ImportError:
            _i0_impl = np.i0
    return _i0_impl


# also numpy's np.i0 (a function, not a ufunc); its derivative needs I₁, so scipy
i0 = special("i0", lambda x, out: i1(x), formula="I₁(x)", saves="inputs", compute=_i0,
             function=np.i0)
i1 = special("i1", lambda x, out: (i0(x) + iv(2, x)) * 0.5, formula="(I₀(x) + I₂(x))/2",
             saves="inputs")
iv = special("iv", None, lambda v, x, out: (iv(v - 1, x) + iv(v + 1, x)) * 0.5,
             formula=("none (the order)", "(Iᵥ₋₁(x) + Iᵥ₊₁(x))/2"), saves="inputs",
             args=("v", "x"))
# ive(v, x) = iv(v, x)·exp(−|x|)
ive = special("ive", None,
              lambda v, x, out: (ive(v - 1, x) + ive(v + 1, x)) * 0.5 - out * _sign(x),
              formula=("none (the order)", "(Iᵥ₋₁e(x) + Iᵥ₊₁e(x))/2 − sign(x)·ive(v, x)"),
              args=("v", "x"))
jn = jv


def _sign(x):  # a constant: ive's kink at 0 has no derivative in its sign
    return _wrap(xp_of(x).sign(x._data))
