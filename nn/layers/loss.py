"""Loss modules: each holds its ``reduction`` (and options) and calls ``nn.functional``."""

from __future__ import annotations

from autograd import Tensor

from .. import functional as F
from ..module import Module


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
