"""PyTorch's spellings on Tensor that are not ops: ``t.numel()``, ``f"{loss:.4f}"``,
``round(loss, 4)`` (``t.size()`` is ``Tensor.size``; the op aliases, ``argmax``, ``permute``,
``ag.cat``, ``%``, ..., are declared with their ops)."""

from __future__ import annotations

from .._tensor import Tensor
from ..bind import EXPORTS


def _numel(self) -> int:
    """The number of elements (PyTorch's name for ``size``)."""
    return self._data.size


def _format(self, spec: str) -> str:
    """``f"{t:.4f}"`` formats the value of a one-element tensor (a 0-d one for any spec,
    as in PyTorch); without a spec a tensor formats as its repr."""
    if self._data.ndim == 0 or spec and self._data.size == 1:
        return format(self._data.item(), spec)
    if spec:
        raise TypeError(f"format spec {spec!r} needs a one-element tensor, got shape "
                        f"{self.shape}: format t.item() or t.tolist() instead")
    return str(self)


def _round(self, ndigits: int | None = None):
    """``round(t)`` and ``round(t, 4)`` of a one-element tensor: Python's ``round`` of its
    value; a bigger tensor is rounded elementwise (``ag.round``), as in PyTorch."""
    if self._data.size == 1:
        return round(self._data.item(), ndigits)
    if "round" not in EXPORTS:
        raise TypeError(f"round() needs a one-element tensor, got shape {self.shape}")
    return EXPORTS["round"](self) if ndigits is None else EXPORTS["round"](self, ndigits)


Tensor.numel = _numel
Tensor.__format__ = _format
Tensor.__round__ = _round
