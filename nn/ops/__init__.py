"""nn's differentiable primitives, one module per family, each op declared once with
``ag.op`` through autograd's public API (forward on numpy arrays, backward right below).

``nn.functional`` binds them under PyTorch's names (``F.conv2d``, ``F.layer_norm``, ...).
"""

from . import activation, attention, conv, embedding, norm, pool

__all__ = ["activation", "attention", "conv", "embedding", "norm", "pool"]
