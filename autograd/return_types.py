"""Named tuples that ops return where PyTorch returns one (``torch.return_types``):
``x.max(dim=1)`` gives ``max(values=..., indices=...)``; unpack it or read ``.values``."""

from __future__ import annotations

from collections import namedtuple

__all__ = ["max", "min", "topk"]

max = namedtuple("max", ["values", "indices"])  # noqa: A001 (PyTorch's name)
min = namedtuple("min", ["values", "indices"])  # noqa: A001
topk = namedtuple("topk", ["values", "indices"])
