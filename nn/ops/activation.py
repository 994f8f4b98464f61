"""GELU (exact and tanh) as one fused op. The exact form's normal CDF on numpy comes from
``autograd.backend.normal_cdf`` (one float32 kernel; float64 through ``ag.erf``'s, no scipy
needed), on other backends from ``ag.erf``."""

from __future__ import annotations

import math

import numpy as np

from autograd import (
    Tensor,
    as_tensor,
    erf,
    exp,
    get_default_dtype,
    is_grad_enabled,
    op,
    record,
    saved,
    tanh,
)
from autograd.backend import normal_cdf
from autograd.typing import TensorLike

from ._common import grads, namespace, tensor_of

__all__ = ["gelu"]

_SQRT_HALF = math.sqrt(0.5)
_INV_SQRT_2PI = 1 / math.sqrt(2 * math.pi)
_NEG_HALF_LOG2E = -0.5 / math.log(2)
_TANH_C = math.sqrt(2 / math.pi)
_TANH_K = 0.044715


def _tanh_slope(x, t):
    # y = x/2 · (1 + tanh(u)), u = c·(x + k·x³):  y' = (1 + t)/2 + x/2 · (1 − t²) · u'
    return (t + 1) * 0.5 + x * 0.5 * (1 - t * t) * ((x * x * (3 * _TANH_K) + 1) * _TANH_C)


def _gelu_kernel(xd: np.ndarray, approximate: str):
    """GELU of a numpy array, and what its backward reads: the tanh (tanh form) or Φ."""
    with np.errstate(invalid="ignore", over="ignore"):  # ±inf and nan give nan, as PyTorch
        if approximate == "tanh":
            aux = np.tanh(xd * (xd * xd * _TANH_K + 1) * _TANH_C)
            data = xd * (aux + 1) * 0.5
        else:  # Φ(x) = (1 + erf(x/√2))/2 (float32: one kernel, from x², which the
            square = np.asarray(xd * xd)  # backward's φ reads too)
            aux = normal_cdf(xd, square)
            data = xd * aux
            return np.asarray(data, dtype=xd.dtype), (approximate, aux, square)
    return np.asarray(data, dtype=xd.dtype), (approximate, aux, None)


def _gelu_grads(g, needs, y, ctx, xd, *attrs):
    """GELU's backward on arrays (``ag.compile`` replays it on numpy's): the slope from the
    forward's tanh or Φ, times ``g``."""
    approximate, aux, square = ctx
    with np.errstate(invalid="ignore", over="ignore"):
        if approximate == "tanh":  # the forward's tanh, reused
            return (g * _tanh_slope(xd, aux),)
        if xd.__class__ is not np.ndarray:  # another backend: y' = Φ(x) + x·φ(x), no writes
            xp = namespace(xd)
            return ((xp.exp(xd * xd * -0.5) * xd * _INV_SQRT_2PI + aux) * g,)
        # y' = Φ(x) + x·φ(x), the forward's Φ and x²: exp(−x²/2) as 2^(−x²/(2 ln 2)), numpy's
        # float32 exp2 being the faster (0-d: an array)
        slope = np.asarray((xd * xd if square is None else square) * _NEG_HALF_LOG2E)
        np.exp2(slope, out=slope)
        slope *= xd
        slope *= _INV_SQRT_2PI
        slope += aux
        slope *= g
        return (slope,)


@op(export=False, saves="inputs", array_api=False,  # erf is outside the standard
    formula="Φ(x) + x·φ(x) (exact); the tanh formula's slope", replay=_gelu_kernel,
    context=True, replay_backward=_gelu_grads)
def gelu(input: TensorLike, approximate: str = "none") -> Tensor:
    """Gaussian error linear unit ``x·Φ(x)`` with the exact normal CDF ``Φ``, or with
    ``approximate="tanh"``: ``x/2 · (1 + tanh(sqrt(2/π)·(x + 0.044715·x³)))``.

    Examples
    --------
    >>> F.gelu(ag.tensor([-1.0, 0.0, 1.0])).tolist()
    [-0.1587, 0.0, 0.8413]
    """
    if approximate not in ("none", "tanh"):
        raise ValueError(f"gelu: approximate must be 'none' or 'tanh', got {approximate!r}")
    x = tensor_of(input)
    if x.dtype.kind != "f":  # of integers: the default float dtype, as PyTorch
        x = x.astype(get_default_dtype())
    xd = x.data
    if xd.__class__ is np.ndarray:
        data, ctx = _gelu_kernel(xd, approximate)
        return record(data, (x,), gelu, _gelu_backward, attrs=(approximate,), ctx=ctx)
    xp = namespace(xd)
    with np.errstate(invalid="ignore", over="ignore"):
        if approximate == "tanh":
            aux = xp.tanh(xd * (xd * xd * _TANH_K + 1) * _TANH_C)
            data = xd * (aux + 1) * 0.5
        else:  # another backend: ag.erf of its array (lazy on dask), no in-place writes
            aux = (erf(as_tensor(xd * _SQRT_HALF)).data + 1) * 0.5
            data = xd * aux
    return record(data, (x,), gelu, _gelu_backward, attrs=None,
                  ctx=(approximate, aux, None))


def _gelu_backward(g, out):
    (x,), ctx = saved(out)
    approximate = ctx[0]
    if is_grad_enabled():  # recorded: the slope as Tensor ops of x
        if approximate == "tanh":
            return (g * _tanh_slope(x, tanh(x * (x * x * _TANH_K + 1) * _TANH_C)),)
        phi = exp(x * x * -0.5) * _INV_SQRT_2PI
        return (g * ((erf(x * _SQRT_HALF) + 1) * 0.5 + x * phi),)
    return grads(*_gelu_grads(g.data, None, None, ctx, x.data))
