"""``Dropout``: zero elements at random while training."""

from __future__ import annotations

from autograd import Tensor

from .. import functional as F
from ..module import Module


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
