"""``scipy.signal.convolve`` on Tensors: N-d, modes "full", "valid" and "same",
differentiable in both inputs.

Examples
--------
>>> import autograd.scipy.signal as sig
>>> a = ag.tensor([1.0, 2.0, 3.0], requires_grad=True)
>>> sig.convolve(a, ag.tensor([0.0, 1.0, 0.5]))
Tensor([0. , 1. , 2.5, 4. , 1.5], grad_fn=<SignalConvolveBackward>)

Off numpy, CuPy convolves with ``cupyx.scipy.signal.convolve``; any other backend (dask,
any Array API library) sums shifted copies of the larger input, one per element of the
smaller, in the standard's functions (lazily on dask): the direct method, whatever
``method`` asks.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import scipy.signal

from .._tensor import Tensor, record
from ..backend import Backend
from ..ops._util import aligned, as_tensor, xp_of
from ..ops.shape import index_add
from ..registry import op

__all__ = ["convolve"]

_MODES = ("full", "valid", "same")


@op(name="signal_convolve", saves="inputs", export=False,
    formula=("convolve(g padded to full, flip(in2), 'valid')",
             "convolve(g padded to full, flip(in1), 'valid')"))
def convolve(in1, in2, mode: str = "full", method: str = "auto") -> Tensor:
    """The N-d convolution of ``in1`` and ``in2``, as ``scipy.signal.convolve``.

    ``mode`` "full" gives every overlap, "valid" only those where one input covers the other,
    "same" the part centred like ``in1``. Each gradient is a "valid" convolution of the
    incoming gradient (zero-padded to the full size) with the other input flipped, so it is
    differentiable again.

    Examples
    --------
    >>> import autograd.scipy.signal as sig
    >>> sig.convolve(ag.tensor([[1.0, 2.0], [3.0, 4.0]]), ag.tensor([[1.0, 1.0]]), "valid")
    Tensor([[3.],
            [7.]])
    """
    in1, in2 = as_tensor(in1), as_tensor(in2)
    if mode not in _MODES:
        raise ValueError(f"convolve: mode must be 'full', 'valid' or 'same', got {mode!r}")
    if in1.ndim != in2.ndim:
        raise ValueError(f"convolve: in1 and in2 should have the same dimensionality, got "
                         f"shapes {in1.shape} and {in2.shape}")
    if in1._data.__class__ is np.ndarray and in2._data.__class__ is np.ndarray:
        data = np.asarray(scipy.signal.convolve(in1._data, in2._data, mode=mode, method=method))
    else:
        in1, in2 = aligned(in1, in2)
        data = _convolve_off_numpy(xp_of(in1, in2), in1._data, in2._data, mode, method)
    full = tuple(a + b - 1 for a, b in zip(in1.shape, in2.shape))
    region = tuple(slice((f - o) // 2, (f - o) // 2 + o) for f, o in zip(full, data.shape))
    flip = (slice(None, None, -1),) * in1.ndim

    def backward(g, out):
        if g.shape != full:  # back to the full convolution's shape, zeros outside
            g = index_add(full, region, g)
        return (convolve(g, in2[flip], "valid") if in1.requires_grad else None,
                convolve(g, in1[flip], "valid") if in2.requires_grad else None)

    return record(data, (in1, in2), convolve.op, backward)


def _convolve_off_numpy(xp: Backend, a, b, mode: str, method: str):
    """``scipy.signal.convolve(a, b, mode)`` on the arrays of backend ``xp``."""
    if method not in ("auto", "direct", "fft"):
        raise ValueError("Acceptable method flags are 'auto', 'direct', or 'fft'.")
    if xp.name == "cupy":  # pragma: no cover - needs a GPU
        import cupyx.scipy.signal  # pyright: ignore[reportMissingImports]

        return cupyx.scipy.signal.convolve(a, b, mode=mode, method=method)
    n, m = tuple(a.shape), tuple(b.shape)
    if mode == "valid" and not (all(i >= j for i, j in zip(n, m))
                                or all(j >= i for i, j in zip(n, m))):
        raise ValueError("For 'valid' mode, one must be at least as large as the other in "
                         "every dimension")
    full = tuple(i + j - 1 for i, j in zip(n, m))
    shape = {"full": full, "same": n,
             "valid": tuple(abs(i - j) + 1 for i, j in zip(n, m))}[mode]
    dtype = xp.result_type(a, b)
    if 0 in n or 0 in m:
        return xp.zeros(shape if 0 not in shape else (0,) * len(n), dtype=dtype)
    if math.prod(m) > math.prod(n):  # the full convolution commutes: loop over the smaller
        a, b, n, m = b, a, m, n
    a = xp.astype(a, dtype)
    for axis, k in enumerate(m):  # k − 1 zeros on both sides of the larger, along each axis
        if k > 1:
            pad = xp.zeros(tuple(k - 1 if i == axis else s for i, s in enumerate(a.shape)),
                           dtype=dtype)
            a = xp.concat([pad, a, pad], axis=axis)
    out = None
    for idx in itertools.product(*(range(k) for k in m)):  # full[j] = Σₖ b[k]·a[j − k]
        window = a[tuple(slice(k - 1 - i, k - 1 - i + f) for i, k, f in zip(idx, m, full))]
        term = b[idx] * window
        out = term if out is None else out + term
    assert out is not None  # no size is 0 here, so the product has at least one index
    region = tuple(slice((f - o) // 2, (f - o) // 2 + o) for f, o in zip(full, shape))
    return out[region]
