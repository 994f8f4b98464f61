"""Normalization layers: ``LayerNorm``, ``RMSNorm``, ``BatchNorm1d`` and ``BatchNorm2d``."""

# Buffers (running_mean, running_var, num_batches_tracked) are attributes that
# Module.register_buffer sets at run time, which pyright cannot see.
# pyright: reportAttributeAccessIssue=false, reportArgumentType=false

from __future__ import annotations

import numpy as np

from autograd import Tensor, get_default_dtype, increment_version
from autograd.typing import DTypeLike, ShapeLike, TensorLike

from .. import functional as F
from .. import init
from ..module import Module, Parameter
from ..ops.norm import _batch_norm


def _shape(normalized_shape) -> tuple:
    if isinstance(normalized_shape, (int, np.integer)):
        return (int(normalized_shape),)
    return tuple(int(s) for s in normalized_shape)


class LayerNorm(Module):
    """Normalize over the trailing ``normalized_shape`` dims (mean 0, biased variance 1),
    then ``* weight + bias`` (ones and zeros at start) when ``elementwise_affine``.

    Examples
    --------
    >>> nn.LayerNorm(8)(ag.randn(2, 5, 8)).shape
    (2, 5, 8)
    """

    def __init__(self, normalized_shape: ShapeLike, eps: float = 1e-5,
                 elementwise_affine: bool = True,
                 bias: bool = True, dtype: DTypeLike | None = None) -> None:
        self.normalized_shape = _shape(normalized_shape)
        self.eps = eps
        self.elementwise_affine = elementwise_affine
        dtype = get_default_dtype() if dtype is None else dtype
        affine = elementwise_affine
        self.weight = Parameter(np.empty(self.normalized_shape, dtype)) if affine else None
        self.bias = Parameter(np.empty(self.normalized_shape, dtype)) if affine and bias \
            else None
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Weight to ones, bias to zeros."""
        if self.weight is not None:
            init.ones_(self.weight)
        if self.bias is not None:
            init.zeros_(self.bias)

    def forward(self, input: TensorLike) -> Tensor:
        return F.layer_norm(input, self.normalized_shape, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        return (f"{self.normalized_shape}, eps={self.eps}, "
                f"elementwise_affine={self.elementwise_affine}")


class RMSNorm(Module):
    """``x / sqrt(mean(x²) + eps) * weight`` over the trailing ``normalized_shape`` dims
    (``eps`` defaults to the dtype's machine epsilon, as in PyTorch).

    Examples
    --------
    >>> nn.RMSNorm(16)(ag.randn(4, 16)).shape
    (4, 16)
    """

    def __init__(self, normalized_shape: ShapeLike, eps: float | None = None,
                 elementwise_affine: bool = True, dtype: DTypeLike | None = None) -> None:
        self.normalized_shape = _shape(normalized_shape)
        self.eps = eps
        self.elementwise_affine = elementwise_affine
        dtype = get_default_dtype() if dtype is None else dtype
        self.weight = Parameter(np.empty(self.normalized_shape, dtype)) \
            if elementwise_affine else None
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Weight to ones."""
        if self.weight is not None:
            init.ones_(self.weight)

    def forward(self, input: TensorLike) -> Tensor:
        return F.rms_norm(input, self.normalized_shape, self.weight, self.eps)

    def extra_repr(self) -> str:
        return (f"{self.normalized_shape}, eps={self.eps}, "
                f"elementwise_affine={self.elementwise_affine}")


class _BatchNorm(Module):
    _dims: tuple = ()

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float | None = 0.1,
                 affine: bool = True, track_running_stats: bool = True, dtype=None) -> None:
        self.num_features = int(num_features)
        self.eps = eps
        self.momentum = momentum
        self.affine = affine
        self.track_running_stats = track_running_stats
        dtype = get_default_dtype() if dtype is None else dtype
        self.weight = Parameter(np.empty(self.num_features, dtype)) if affine else None
        self.bias = Parameter(np.empty(self.num_features, dtype)) if affine else None
        if track_running_stats:
            self.register_buffer("running_mean", Tensor(np.zeros(self.num_features, dtype)))
            self.register_buffer("running_var", Tensor(np.ones(self.num_features, dtype)))
            self.register_buffer("num_batches_tracked", Tensor(np.array(0, dtype=np.int64)))
        else:
            self.register_buffer("running_mean", None)
            self.register_buffer("running_var", None)
            self.register_buffer("num_batches_tracked", None)
        self.reset_parameters()

    def reset_running_stats(self) -> None:
        """Running mean to zeros, running variance to ones, the batch count to 0."""
        if self.track_running_stats:
            for t, value in ((self.running_mean, 0), (self.running_var, 1),
                             (self.num_batches_tracked, 0)):
                t.data[...] = value
                increment_version(t)

    def reset_parameters(self) -> None:
        """Reset the running statistics; weight to ones, bias to zeros."""
        self.reset_running_stats()
        if self.affine:
            init.ones_(self.weight)
            init.zeros_(self.bias)

    def forward(self, input) -> Tensor:
        x = input if isinstance(input, Tensor) else Tensor(input)
        if x.ndim not in self._dims:
            want = " or ".join(f"{d}D" for d in self._dims)
            raise ValueError(f"{type(self).__name__}: expected {want} input (got {x.ndim}D "
                             f"input of shape {x.shape})")
        tracking = self.training and self.track_running_stats
        momentum = 0.0 if self.momentum is None else self.momentum
        if tracking and self.momentum is None:  # a cumulative moving average
            momentum = 1.0 / float(self.num_batches_tracked.data + 1)
        use_batch_stats = self.training or self.running_mean is None
        track = not self.training or self.track_running_stats
        # (the batch is counted with the running statistics, once the result is computed:
        # nothing is half-applied when a call fails)
        return _batch_norm(x, self.running_mean if track else None,
                           self.running_var if track else None, self.weight, self.bias,
                           use_batch_stats, momentum, self.eps,
                           counter=self.num_batches_tracked if tracking else None)

    def extra_repr(self) -> str:
        return (f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, "
                f"affine={self.affine}, track_running_stats={self.track_running_stats}")


class BatchNorm1d(_BatchNorm):
    """Batch normalization of (N, C) or (N, C, L) inputs over the batch (and length), per
    channel. In training it normalizes with the batch's statistics and updates
    ``running_mean``/``running_var`` (momentum 0.1, unbiased variance) and
    ``num_batches_tracked``; in eval mode it uses the running statistics.

    Examples
    --------
    >>> bn = nn.BatchNorm1d(200)
    >>> bn(ag.randn(32, 200)).shape
    (32, 200)
    """

    _dims = (2, 3)


class BatchNorm2d(_BatchNorm):
    """Batch normalization of (N, C, H, W) inputs per channel (see ``BatchNorm1d``).

    Examples
    --------
    >>> nn.BatchNorm2d(16)(ag.randn(4, 16, 8, 8)).shape
    (4, 16, 8, 8)
    """

    _dims = (4,)
