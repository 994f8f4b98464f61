"""Convolution layers: ``Conv1d`` and ``Conv2d`` (cross-correlation, as PyTorch)."""

from __future__ import annotations

import math

import numpy as np

from autograd import Tensor, get_default_dtype

from .. import functional as F
from .. import init
from ..module import Module, Parameter
from ..ops._common import ntuple


class _ConvNd(Module):
    _d = 0
    _fn = None

    def __init__(self, in_channels: int, out_channels: int, kernel_size, stride=1,
                 padding=0, dilation=1, groups: int = 1, bias: bool = True,
                 dtype=None) -> None:
        name = type(self).__name__
        d = self._d
        if groups < 1 or in_channels % groups or out_channels % groups:
            raise ValueError(f"{name}: in_channels ({in_channels}) and out_channels "
                             f"({out_channels}) must be divisible by groups ({groups})")
        self.in_channels, self.out_channels = int(in_channels), int(out_channels)
        self.kernel_size = ntuple(name, "kernel_size", kernel_size, d, 1)
        self.stride = ntuple(name, "stride", stride, d, 1)
        self.padding = padding if isinstance(padding, str) else \
            ntuple(name, "padding", padding, d, 0)
        if isinstance(padding, str) and padding not in ("valid", "same"):
            raise ValueError(f"{name}: padding must be 'valid', 'same' or ints, got {padding!r}")
        self.dilation = ntuple(name, "dilation", dilation, d, 1)
        self.groups = int(groups)
        dtype = get_default_dtype() if dtype is None else dtype
        shape = (self.out_channels, self.in_channels // self.groups) + self.kernel_size
        self.weight = Parameter(np.empty(shape, dtype))
        self.bias = Parameter(np.empty(self.out_channels, dtype)) if bias else None
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Draw the weights again (PyTorch's default: Kaiming uniform with ``a = sqrt(5)``,
        the bias from U(-1/sqrt(fan_in), 1/sqrt(fan_in)))."""
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in = self.weight.shape[1] * math.prod(self.kernel_size)
            bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0.0
            init.uniform_(self.bias, -bound, bound)

    def forward(self, input) -> Tensor:
        return type(self)._fn(input, self.weight, self.bias, self.stride, self.padding,  # type: ignore[misc]
                              self.dilation, self.groups)

    def extra_repr(self) -> str:
        s = (f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
             f"stride={self.stride}")
        if self.padding != (0,) * self._d:
            s += f", padding={self.padding!r}" if isinstance(self.padding, str) else \
                f", padding={self.padding}"
        if self.dilation != (1,) * self._d:
            s += f", dilation={self.dilation}"
        if self.groups != 1:
            s += f", groups={self.groups}"
        if self.bias is None:
            s += ", bias=False"
        return s


class Conv1d(_ConvNd):
    """1-D convolution over (N, C_in, L) inputs: ``weight`` (C_out, C_in/groups, k),
    ``bias`` (C_out,); ``stride``, ``padding`` (ints, ``"valid"``, ``"same"``), ``dilation``
    and ``groups`` as in PyTorch.

    Examples
    --------
    >>> nn.Conv1d(4, 8, 3, padding=1)(ag.randn(2, 4, 10)).shape
    (2, 8, 10)
    """

    _d = 1
    _fn = staticmethod(F.conv1d)


class Conv2d(_ConvNd):
    """2-D convolution over (N, C_in, H, W) inputs: ``weight`` (C_out, C_in/groups, kH, kW),
    ``bias`` (C_out,); ``stride``, ``padding`` (ints, pairs, ``"valid"``, ``"same"``),
    ``dilation`` and ``groups`` as in PyTorch.

    Examples
    --------
    >>> nn.Conv2d(1, 16, 3, padding=1)(ag.randn(2, 1, 8, 8)).shape
    (2, 16, 8, 8)
    """

    _d = 2
    _fn = staticmethod(F.conv2d)
