"""``Flatten``: merge a range of axes into one."""

from __future__ import annotations

from autograd import Tensor

from ..module import Module


class Flatten(Module):
    """Merge the axes from ``start_axis`` to ``end_axis`` (all but the batch axis by default)."""

    def __init__(self, start_axis: int = 1, end_axis: int = -1) -> None:
        self.start_axis, self.end_axis = start_axis, end_axis

    def forward(self, x: Tensor) -> Tensor:
        return x.flatten(self.start_axis, self.end_axis)
