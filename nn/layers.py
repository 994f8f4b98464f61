"""Layers, activation modules and loss modules: thin Modules over ``nn.functional``."""

from __future__ import annotations

import math

import numpy as np

from autograd import Tensor

from . import functional as F
from . import init
from .module import Module, Parameter

# ---------------------------------------------------------------------------- layers


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
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if bias:
            bound = 1 / math.sqrt(self.in_features) if self.in_features > 0 else 0.0
            self.bias = init.uniform_(Parameter(np.empty(self.out_features, dtype)),
                                      -bound, bound)
        else:
            self.bias = None

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


class Flatten(Module):
    """Merge the axes from ``start_axis`` to ``end_axis`` (all but the batch axis by default)."""

    def __init__(self, start_axis: int = 1, end_axis: int = -1) -> None:
        self.start_axis, self.end_axis = start_axis, end_axis

    def forward(self, x: Tensor) -> Tensor:
        return x.flatten(self.start_axis, self.end_axis)


class Dropout(Module):
    """Zero elements with probability ``p`` while training; the identity in ``eval()`` mode."""

    def __init__(self, p: float = 0.5) -> None:
        if not 0 <= p <= 1:
            raise ValueError(f"Dropout: probability p must be between 0 and 1, got {p}")
        self.p = p

    def forward(self, x: Tensor) -> Tensor:
        return F.dropout(x, self.p, self.training)

    def extra_repr(self) -> str:
        return f"p={self.p}"


# ---------------------------------------------------------------------------- activations


class ReLU(Module):
    """``max(x, 0)``."""

    def forward(self, x: Tensor) -> Tensor:
        return F.relu(x)


class Tanh(Module):
    """Hyperbolic tangent."""

    def forward(self, x: Tensor) -> Tensor:
        return F.tanh(x)


class Sigmoid(Module):
    """``1 / (1 + exp(-x))``."""

    def forward(self, x: Tensor) -> Tensor:
        return F.sigmoid(x)


class LeakyReLU(Module):
    """``x`` where positive, else ``negative_slope * x``."""

    def __init__(self, negative_slope: float = 0.01) -> None:
        self.negative_slope = negative_slope

    def forward(self, x: Tensor) -> Tensor:
        return F.leaky_relu(x, self.negative_slope)

    def extra_repr(self) -> str:
        return f"negative_slope={self.negative_slope}"


class GELU(Module):
    """Gaussian error linear unit ``x·Φ(x)`` (``approximate="tanh"`` for the tanh form)."""

    def __init__(self, approximate: str = "none") -> None:
        self.approximate = approximate

    def forward(self, x: Tensor) -> Tensor:
        return F.gelu(x, self.approximate)

    def extra_repr(self) -> str:
        return "" if self.approximate == "none" else f"approximate={self.approximate!r}"


class Softmax(Module):
    """Softmax along ``axis``."""

    def __init__(self, axis: int = -1) -> None:
        self.axis = axis

    def forward(self, x: Tensor) -> Tensor:
        return F.softmax(x, self.axis)

    def extra_repr(self) -> str:
        return f"axis={self.axis}"


class LogSoftmax(Softmax):
    """Log-softmax along ``axis`` (stable for large inputs)."""

    def forward(self, x: Tensor) -> Tensor:
        return F.log_softmax(x, self.axis)


# ---------------------------------------------------------------------------- losses


class _Loss(Module):
    _fn = staticmethod(F.mse_loss)

    def __init__(self, reduction: str = "mean") -> None:
        F._check_reduction(type(self).__name__, reduction)
        self.reduction = reduction

    def forward(self, input: Tensor, target) -> Tensor:
        return self._fn(input, target, self.reduction)

    def extra_repr(self) -> str:
        return "" if self.reduction == "mean" else f"reduction={self.reduction!r}"


class MSELoss(_Loss):
    """Mean squared error ``(input - target)²``."""

    _fn = staticmethod(F.mse_loss)


class L1Loss(_Loss):
    """Mean absolute error ``|input - target|`` (MAE)."""

    _fn = staticmethod(F.l1_loss)


class BCELoss(_Loss):
    """Binary cross-entropy of probabilities in [0, 1] (logs clamped at -100, as PyTorch)."""

    _fn = staticmethod(F.binary_cross_entropy)


class BCEWithLogitsLoss(_Loss):
    """Binary cross-entropy of raw scores: sigmoid and BCE fused, finite for any logits."""

    _fn = staticmethod(F.binary_cross_entropy_with_logits)


class _ClassLoss(_Loss):
    _fn = staticmethod(F.cross_entropy)

    def __init__(self, weight=None, ignore_index: int = -100, reduction: str = "mean") -> None:
        super().__init__(reduction)
        self.weight, self.ignore_index = weight, ignore_index

    def forward(self, input: Tensor, target) -> Tensor:
        return self._fn(input, target, self.reduction, self.weight, self.ignore_index)


class CrossEntropyLoss(_ClassLoss):
    """Softmax cross-entropy of raw scores against class indices or class probabilities;
    optional class ``weight`` and ``ignore_index`` as in PyTorch."""

    _fn = staticmethod(F.cross_entropy)


class NLLLoss(_ClassLoss):
    """Negative log-likelihood of log-probabilities against class indices."""

    _fn = staticmethod(F.nll_loss)


class HingeLoss(_Loss):
    """``max(0, 1 - target·input)`` with targets in {-1, +1}."""

    _fn = staticmethod(F.hinge_loss)


class HuberLoss(_Loss):
    """Quadratic for errors below ``delta``, linear above (PyTorch's ``HuberLoss``)."""

    def __init__(self, reduction: str = "mean", delta: float = 1.0) -> None:
        super().__init__(reduction)
        if delta <= 0:
            raise ValueError(f"HuberLoss: delta must be positive, got {delta}")
        self.delta = delta

    def forward(self, input: Tensor, target) -> Tensor:
        return F.huber_loss(input, target, self.reduction, self.delta)

    def extra_repr(self) -> str:
        parts = [] if self.reduction == "mean" else [f"reduction={self.reduction!r}"]
        return ", ".join(parts + ([] if self.delta == 1.0 else [f"delta={self.delta}"]))
