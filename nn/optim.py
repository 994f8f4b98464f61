"""Optimizers: SGD (momentum, Nesterov, weight decay), Adam and AdamW.

The update rules are PyTorch's, step for step. They work on the parameters' arrays in place with
numpy (as writing through ``p.data`` would, the in-place guard sees the change): an
update is not part of any graph.
"""

from __future__ import annotations

import math
from typing import Iterable

import numpy as np

from autograd import Tensor, increment_version

__all__ = ["Optimizer", "SGD", "Adam", "AdamW"]


def _check(opt, what: str, value, upper: float | None = None) -> None:
    """PyTorch's hyperparameter checks, ``0 <= value`` (``< upper``), and its messages
    ("Invalid learning rate: -1"); NaN fails them too."""
    try:
        ok = bool(0.0 <= value and (upper is None or value < upper))
    except TypeError:
        raise TypeError(f"{type(opt).__name__}: {what} must be a number, got "
                        f"{type(value).__name__}") from None
    if not ok:
        bound = f"in [0, {upper})" if upper is not None else ">= 0"
        raise ValueError(f"{type(opt).__name__}: Invalid {what}: {value!r} (must be {bound})")


class Optimizer:
    """Base class: holds the parameters, ``zero_grad()``, and ``step()`` in subclasses."""

    def __init__(self, params: Iterable[Tensor], lr: float) -> None:
        self.params = list(params)
        if not self.params:
            raise ValueError(f"{type(self).__name__} got an empty parameter list")
        for i, p in enumerate(self.params):
            if isinstance(p, dict):
                raise TypeError(f"{type(self).__name__}: parameter groups (dicts) are not "
                                "supported; pass an iterable of Parameters")
            if not isinstance(p, Tensor) or not p.requires_grad or not p.is_leaf:
                raise TypeError(f"{type(self).__name__}: parameter {i} is not a leaf Tensor "
                                "that requires grad")
        _check(self, "learning rate", lr)
        self.lr = lr
        self.state: dict[int, dict] = {}

    def zero_grad(self) -> None:
        """Reset every parameter's gradient to None."""
        for p in self.params:
            p.grad = None

    def step(self) -> None:
        """Update every parameter that has a gradient."""
        raise NotImplementedError

    def _grads(self):
        """``(parameter array, gradient array, per-parameter state)`` for each parameter with a
        gradient; the arrays are updated in place, and autograd's in-place guard is told."""
        for p in self.params:
            if p.grad is not None:
                yield p.data, p.grad.data, self.state.setdefault(id(p), {})
                increment_version(p)

    def __repr__(self) -> str:
        opts = ", ".join(f"{k}={v}" for k, v in vars(self).items() if k not in ("params", "state"))
        return f"{type(self).__name__}({opts})"


class SGD(Optimizer):
    """Stochastic gradient descent, as ``torch.optim.SGD``.

    With ``g = grad + weight_decay·p``: the momentum buffer is ``b = g`` at the first step and
    ``b = momentum·b + (1 - dampening)·g`` after; the step direction is ``g + momentum·b`` with
    Nesterov, else ``b``; then ``p -= lr·direction``.

    Examples
    --------
    >>> opt = nn.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    >>> loss.backward(); opt.step(); opt.zero_grad()
    """

    def __init__(self, params: Iterable[Tensor], lr: float, momentum: float = 0.0,
                 weight_decay: float = 0.0, nesterov: bool = False,
                 dampening: float = 0.0) -> None:
        super().__init__(params, lr)
        _check(self, "momentum value", momentum)
        _check(self, "weight_decay value", weight_decay)
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("SGD: Nesterov momentum requires a momentum and zero dampening")
        self.momentum, self.weight_decay = momentum, weight_decay
        self.nesterov, self.dampening = nesterov, dampening

    def step(self) -> None:
        """One SGD update of every parameter that has a gradient."""
        lr, mu, wd = self.lr, self.momentum, self.weight_decay
        for p, g, state in self._grads():
            if wd:
                g = g + wd * p
            if mu:
                buf = state.get("momentum_buffer")
                if buf is None:
                    buf = state["momentum_buffer"] = g.copy()
                else:
                    buf *= mu
                    buf += (1 - self.dampening) * g
                g = g + mu * buf if self.nesterov else buf
            p -= lr * g


class Adam(Optimizer):
    """Adam with bias correction, as ``torch.optim.Adam`` (``weight_decay`` is L2: added to g).

    ``m = β1·m + (1-β1)·g``, ``v = β2·v + (1-β2)·g²``, then
    ``p -= lr/(1-β1^t) · m / (sqrt(v)/sqrt(1-β2^t) + eps)``.
    """

    _decoupled = False

    def __init__(self, params: Iterable[Tensor], lr: float = 1e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0.0, amsgrad: bool = False) -> None:
        super().__init__(params, lr)
        if len(betas) != 2:
            raise ValueError(f"{type(self).__name__}: betas must be a pair (beta1, beta2), "
                             f"got {betas!r}")
        _check(self, "beta parameter at index 0", betas[0], upper=1.0)
        _check(self, "beta parameter at index 1", betas[1], upper=1.0)
        _check(self, "epsilon value", eps)
        _check(self, "weight_decay value", weight_decay)
        self.betas, self.eps, self.weight_decay, self.amsgrad = tuple(betas), eps, \
            weight_decay, amsgrad

    def step(self) -> None:
        lr, (b1, b2), eps, wd = self.lr, self.betas, self.eps, self.weight_decay
        for p, g, state in self._grads():
            if not state:
                state["step"] = 0
                state["exp_avg"] = np.zeros_like(p)
                state["exp_avg_sq"] = np.zeros_like(p)
                if self.amsgrad:
                    state["max_exp_avg_sq"] = np.zeros_like(p)
            state["step"] += 1
            t = state["step"]
            if wd and self._decoupled:
                p *= 1 - lr * wd
            elif wd:
                g = g + wd * p
            m, v = state["exp_avg"], state["exp_avg_sq"]
            m += (1 - b1) * (g - m)  # m = b1·m + (1-b1)·g, in place
            v *= b2
            v += (1 - b2) * g * g
            if self.amsgrad:
                np.maximum(state["max_exp_avg_sq"], v, out=state["max_exp_avg_sq"])
                v = state["max_exp_avg_sq"]
            denom = np.sqrt(v) / math.sqrt(1 - b2 ** t) + eps
            p -= (lr / (1 - b1 ** t)) * m / denom


class AdamW(Adam):
    """Adam with decoupled weight decay, as ``torch.optim.AdamW``: ``p *= 1 - lr·weight_decay``
    before the Adam step (default ``weight_decay=0.01``)."""

    _decoupled = True

    def __init__(self, params: Iterable[Tensor], lr: float = 1e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0.01, amsgrad: bool = False) -> None:
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad)
