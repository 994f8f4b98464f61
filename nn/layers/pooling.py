"""Pooling layers: ``MaxPool2d`` and ``AvgPool2d``."""

from __future__ import annotations

from autograd import Tensor
from autograd.typing import TensorLike

from .. import functional as F
from ..module import Module


class MaxPool2d(Module):
    """The maximum of each window; ``stride`` defaults to ``kernel_size``.

    Examples
    --------
    >>> nn.MaxPool2d(2)(ag.randn(1, 3, 8, 8)).shape
    (1, 3, 4, 4)
    """

    def __init__(self, kernel_size: int | tuple[int, ...], stride: int | tuple[int,
                 ...] | None = None, padding: int | tuple[int, ...] | str = 0,
                 dilation: int | tuple[int, ...] = 1) -> None:
        self.kernel_size = kernel_size
        self.stride = kernel_size if stride is None else stride
        self.padding = padding
        self.dilation = dilation

    def forward(self, input: TensorLike) -> Tensor:
        return F.max_pool2d(input, self.kernel_size, self.stride, self.padding, self.dilation)

    def extra_repr(self) -> str:
        return (f"kernel_size={self.kernel_size}, stride={self.stride}, "
                f"padding={self.padding}, dilation={self.dilation}")


class AvgPool2d(Module):
    """The mean of each window; ``stride`` defaults to ``kernel_size``; padded zeros count
    unless ``count_include_pad=False``.

    Examples
    --------
    >>> nn.AvgPool2d(2)(ag.randn(1, 3, 8, 8)).shape
    (1, 3, 4, 4)
    """

    def __init__(self, kernel_size: int | tuple[int, ...], stride: int | tuple[int,
                 ...] | None = None, padding: int | tuple[int, ...] | str = 0,
                 count_include_pad: bool = True,
                 divisor_override: int | None = None) -> None:
        self.kernel_size = kernel_size
        self.stride = kernel_size if stride is None else stride
        self.padding = padding
        self.count_include_pad = count_include_pad
        self.divisor_override = divisor_override

    def forward(self, input: TensorLike) -> Tensor:
        return F.avg_pool2d(input, self.kernel_size, self.stride, self.padding,
                            self.count_include_pad, self.divisor_override)

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"
