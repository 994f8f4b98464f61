"""Adam, with L2 weight decay and optionally AMSGrad (``AdamW``, in ``adamw.py``, decouples the
decay)."""

from __future__ import annotations

import math
from typing import Iterable

import numpy as np

from ..ops._common import namespace
from .optimizer import Optimizer

__all__ = ["Adam"]


def _sqrt(x):
    # a Python float stays a Python float (weak in numpy's promotion: float32 stays float32)
    return math.sqrt(x) if isinstance(x, float) else np.sqrt(x)


class Adam(Optimizer):
    """Adam with bias correction, as ``torch.optim.Adam`` (``weight_decay`` is L2: added to
    the gradient).

    ``m = β1·m + (1-β1)·g``, ``v = β2·v + (1-β2)·g²`` (with ``amsgrad``, ``v`` is the running
    maximum of those), then ``p -= lr/(1-β1^t) · m / (sqrt(v)/sqrt(1-β2^t) + eps)``.

    Examples
    --------
    >>> model = nn.Linear(3, 1)
    >>> opt = nn.optim.Adam(model.parameters(), lr=3e-4)
    >>> model(ag.ones(2, 3)).pow(2).mean().backward(); opt.step()
    """

    _decoupled = False

    def __init__(self, params: Iterable, lr: float = 1e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0.0, amsgrad: bool = False, *,
                 maximize: bool = False) -> None:
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                                      amsgrad=amsgrad, maximize=maximize))

    def _check(self, group: dict) -> None:
        name = type(self).__name__
        self._at_least_zero(name, group, "lr", what="learning rate")
        self._at_least_zero(name, group, "eps", what="epsilon value")
        self._at_least_zero(name, group, "weight_decay")
        betas = group["betas"]
        try:
            b1, b2 = betas
        except (TypeError, ValueError):
            raise ValueError(f"{name}: betas must be a pair (beta1, beta2), got {betas!r}") \
                from None
        for i, b in enumerate((b1, b2)):
            if not 0.0 <= b < 1.0:
                raise ValueError(f"{name}: invalid beta parameter at index {i}: betas[{i}]={b!r} "
                                 "(must be in [0, 1))")
        group["betas"] = (b1, b2)

    def _update(self, p, g, state: dict, group: dict):
        # one formula for every backend: the augmented assignments write in place where the
        # arrays can be written (numpy, CuPy), and rebind where they cannot (dask), so the
        # state and the returned parameter are assigned back
        xp = namespace(p)
        lr, (b1, b2), eps, wd = group["lr"], group["betas"], group["eps"], \
            group["weight_decay"]
        if not state:
            state["step"] = 0
            state["exp_avg"] = xp.zeros_like(p)
            state["exp_avg_sq"] = xp.zeros_like(p)
            if group["amsgrad"]:
                state["max_exp_avg_sq"] = xp.zeros_like(p)
        if group["maximize"]:
            g = -g
        if wd and self._decoupled:
            p *= 1 - lr * wd
        elif wd:
            g = g + wd * p
        state["step"] += 1
        t = state["step"]
        m, v = state["exp_avg"], state["exp_avg_sq"]
        m += (1 - b1) * (g - m)  # m = β1·m + (1-β1)·g (PyTorch's lerp)
        v *= b2
        v += (1 - b2) * g * g
        state["exp_avg"], state["exp_avg_sq"] = m, v
        if group["amsgrad"]:
            v = state["max_exp_avg_sq"] = xp.maximum(state["max_exp_avg_sq"], v)
        step_size = lr / (1 - b1 ** t)
        denom = xp.sqrt(v) / _sqrt(1 - b2 ** t) + eps
        p -= step_size * (m / denom)
        return p
