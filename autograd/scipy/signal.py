"""``scipy.signal.convolve`` on Tensors: N-d, modes "full", "valid" and "same",
differentiable in both inputs.

Examples
--------
>>> import autograd.scipy.signal as sig
>>> a = ag.tensor([1.0, 2.0, 3.0], requires_grad=True)
>>> sig.convolve(a, ag.tensor([0.0, 1.0, 0.5]))
Tensor([0. , 1. , 2.5, 4. , 1.5], grad_fn=<SignalConvolveBackward>)
"""

from __future__ import annotations

import numpy as np
import scipy.signal

from .._tensor import Tensor, record
from ..ops._util import as_tensor
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
    data = np.asarray(scipy.signal.convolve(in1.data, in2.data, mode=mode, method=method))
    full = tuple(a + b - 1 for a, b in zip(in1.shape, in2.shape))
    region = tuple(slice((f - o) // 2, (f - o) // 2 + o) for f, o in zip(full, data.shape))
    flip = (slice(None, None, -1),) * in1.ndim

    def backward(g, out):
        if g.shape != full:  # back to the full convolution's shape, zeros outside
            g = index_add(full, region, g)
        return (convolve(g, in2[flip], "valid") if in1.requires_grad else None,
                convolve(g, in1[flip], "valid") if in2.requires_grad else None)

    return record(data, (in1, in2), convolve.op, backward)
