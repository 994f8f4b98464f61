"""Stochastic gradient descent with momentum, dampening, Nesterov and weight decay."""

from __future__ import annotations

from typing import Iterable

import numpy as np

from .optimizer import Optimizer

__all__ = ["SGD"]


class SGD(Optimizer):
    """Stochastic gradient descent, as ``torch.optim.SGD``.

    With ``g = grad`` (``-grad`` when ``maximize``) plus ``weight_decay·p``: the momentum
    buffer is ``b = g`` at the first step and ``b = momentum·b + (1 - dampening)·g`` after; the
    step direction is ``g + momentum·b`` with Nesterov, else ``b``; then ``p -= lr·direction``.
    Every hyperparameter can differ per parameter group.

    Examples
    --------
    >>> model = nn.Linear(3, 1)
    >>> opt = nn.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    >>> loss = model(ag.ones(4, 3)).pow(2).mean()
    >>> loss.backward(); opt.step(); opt.zero_grad()
    """

    def __init__(self, params: Iterable, lr: float = 1e-3, momentum: float = 0.0,
                 dampening: float = 0.0, weight_decay: float = 0.0, nesterov: bool = False,
                 *, maximize: bool = False) -> None:
        super().__init__(params, dict(lr=lr, momentum=momentum, dampening=dampening,
                                      weight_decay=weight_decay, nesterov=nesterov,
                                      maximize=maximize))

    def _check(self, group: dict) -> None:
        self._at_least_zero("SGD", group, "lr", what="learning rate")
        self._at_least_zero("SGD", group, "momentum", "weight_decay")
        if group["nesterov"] and (group["momentum"] <= 0 or group["dampening"] != 0):
            raise ValueError("SGD: Nesterov momentum requires a momentum and zero dampening "
                             f"(got momentum={group['momentum']!r}, "
                             f"dampening={group['dampening']!r})")

    def _update_arrays(self, arrays: list, group: dict) -> None:
        if group["momentum"] or group["weight_decay"] or group["maximize"]:
            super()._update_arrays(arrays, group)
            return
        lr = group["lr"]  # plain SGD: _update's last line, with the rate read once
        for p, g, _ in arrays:
            p -= lr * g

    def _update(self, p, g, state: dict, group: dict):
        mu, wd = group["momentum"], group["weight_decay"]
        inplace = type(p) is np.ndarray  # else another backend's arrays: built functionally
        if group["maximize"]:
            g = -g
        if wd:
            g = g + wd * p
        if mu:
            buf = state.get("momentum_buffer")
            if buf is None:
                buf = state["momentum_buffer"] = g.copy() if inplace else g
            elif inplace:
                buf *= mu
                buf += (1 - group["dampening"]) * g
            else:
                buf = state["momentum_buffer"] = buf * mu + (1 - group["dampening"]) * g
            g = g + mu * buf if group["nesterov"] else buf
        if not inplace:
            return p - group["lr"] * g
        p -= group["lr"] * g
        return p
