"""``Flatten``: merge a range of axes into one."""

from __future__ import annotations

from autograd import Tensor

from ..module import Module


class Flatten(Module):
    """Merge the axes from ``start_axis`` to ``end_axis`` (all but the batch axis by default);
    PyTorch's ``start_dim=``/``end_dim=`` are the same arguments."""

    def __init__(self, start_axis: int = 1, end_axis: int = -1, *, start_dim: int | None = None,
                 end_dim: int | None = None) -> None:
        self.start_axis = start_axis if start_dim is None else start_dim
        self.end_axis = end_axis if end_dim is None else end_dim

    def forward(self, x: Tensor) -> Tensor:
        return x.flatten(self.start_axis, self.end_axis)
