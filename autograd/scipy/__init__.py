"""Differentiable scipy: ``autograd.scipy.special``, ``.stats``, ``.linalg``, ``.signal`` and
``.integrate``, with scipy's names and signatures, on Tensors.

Needs the optional extra: ``pip install 'autograd-engine[scipy]'``. The submodules are
imported on first use (``ag.scipy.stats.norm.logpdf``), so that importing one does not pay
for the others; ``import autograd.scipy.stats.norm as norm`` works too, as in HIPS autograd.

scipy's own special functions are differentiable on Tensors already (``scipy.special.gammaln(t)``
dispatches to autograd), and its other functions refuse a Tensor that requires grad instead
of silently returning a plain array: the error names the function here to use.

Examples
--------
>>> import autograd as ag
>>> x = ag.tensor([0.5, 1.5], requires_grad=True)
>>> ag.scipy.stats.norm.logpdf(x, loc=1.0, scale=2.0).sum().backward()
>>> x.grad          # -(x - loc) / scale²
Tensor([ 0.125, -0.125])
"""

from __future__ import annotations

import importlib

try:
    import scipy  # noqa: F401
except ImportError:
    raise ImportError("autograd.scipy needs scipy, an optional extra: "
                      "pip install 'autograd-engine[scipy]'") from None

__all__ = ["special", "stats", "linalg", "signal", "integrate"]


def __getattr__(name: str):
    if name in __all__:
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(list(globals()) + __all__)
