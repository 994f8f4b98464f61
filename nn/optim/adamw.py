"""AdamW: Adam with decoupled weight decay (Loshchilov & Hutter), as ``torch.optim.AdamW``."""

from __future__ import annotations

from typing import Iterable

from .adam import Adam

__all__ = ["AdamW"]


class AdamW(Adam):
    """Adam with decoupled weight decay, as ``torch.optim.AdamW``: ``p *= 1 - lr·weight_decay``
    before the Adam step (default ``weight_decay=0.01``).

    Examples
    --------
    >>> groups = [{"params": matrices, "weight_decay": 0.1},
    ...           {"params": biases_and_norms, "weight_decay": 0.0}]
    >>> opt = nn.optim.AdamW(groups, lr=3e-4, betas=(0.9, 0.95))
    """

    _decoupled = True

    def __init__(self, params: Iterable, lr: float = 1e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0.01, amsgrad: bool = False, *,
                 maximize: bool = False) -> None:
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, maximize=maximize)
