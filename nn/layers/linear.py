"""``Linear`` (an affine map) and ``Identity``."""

from __future__ import annotations

import math

import numpy as np

from autograd import Tensor

from .. import functional as F
from .. import init
from ..module import Module, Parameter


class Linear(Module):
    """``y = x @ weight.T + bias`` with ``weight`` (out, in) and ``bias`` (out,).

    Initialised as in PyTorch: both drawn from U(-1/sqrt(in), 1/sqrt(in)) (Kaiming uniform with
    ``a = sqrt(5)``), using autograd's global generator (``ag.manual_seed``).

    Examples
    --------
    >>> layer = nn.Linear(3, 2)
    >>> layer(ag.ones(5, 3)).shape
    (5, 2)
    """

    def __init__(self, in_features: int, out_features: int, bias: bool = True,
                 dtype=np.float32) -> None:
        self.in_features = int(in_features)
        self.out_features = int(out_features)
        self.weight = Parameter(np.empty((self.out_features, self.in_features), dtype))
        self.bias = Parameter(np.empty(self.out_features, dtype)) if bias else None
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Draw the weights again (PyTorch's default initialisation)."""
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            bound = 1 / math.sqrt(self.in_features) if self.in_features > 0 else 0.0
            init.uniform_(self.bias, -bound, bound)

    def forward(self, x: Tensor) -> Tensor:
        shape = x.shape if isinstance(x, Tensor) else np.shape(x)
        if not shape or shape[-1] != self.in_features:
            got = f"{shape[-1]}" if shape else "a 0-d tensor"
            raise ValueError(f"{self._name()} expects inputs with {self.in_features} features, "
                             f"got {got} (input shape {shape})")
        wdt = self.weight.dtype
        if isinstance(x, Tensor) and x.dtype != wdt:
            raise TypeError(
                f"{self._name()} has {wdt} weights but got a {x.dtype} input; convert the "
                f"input with x.astype(np.{wdt}) or build the layer with dtype=np.{x.dtype}")
        return F.linear(x, self.weight, self.bias)

    def _name(self) -> str:
        return f"Linear({self.in_features}, {self.out_features})"

    def extra_repr(self) -> str:
        return (f"in_features={self.in_features}, out_features={self.out_features}, "
                f"bias={self.bias is not None}")


class Identity(Module):
    """Returns its input unchanged."""

    def forward(self, x: Tensor) -> Tensor:
        return x
