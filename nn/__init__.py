"""nn: modules, layers, losses, initialisers and optimizers on top of ``autograd``.

>>> import autograd as ag, nn
>>> model = nn.Sequential(nn.Linear(3, 8), nn.ReLU(), nn.Linear(8, 3))
>>> opt = nn.optim.SGD(model.parameters(), lr=0.1)
>>> loss = nn.CrossEntropyLoss()(model(ag.randn(4, 3)), np.array([0, 1, 2, 1]))
>>> loss.backward(); opt.step(); opt.zero_grad()

Everything is a composition of autograd ops (plus a few fused ops in ``nn.functional``), so
every gradient comes from the engine's backward walk. The layout follows ``torch.nn``:
``nn.layers`` (one family of modules per file), ``nn.functional``, ``nn.init``, ``nn.optim``
(with ``nn.optim.lr_scheduler``), ``nn.utils`` (gradient clipping) and ``nn.data``
(datasets and loaders).
"""

# _sibling first: it checks that the `autograd` we get is ours before anything asks it for a Tensor
from . import _sibling, data, functional, init, optim, utils  # noqa: F401
from .layers import (
    GELU,
    AvgPool2d,
    BatchNorm1d,
    BatchNorm2d,
    BCELoss,
    BCEWithLogitsLoss,
    Conv1d,
    Conv2d,
    CrossEntropyLoss,
    Dropout,
    Embedding,
    Flatten,
    HingeLoss,
    HuberLoss,
    Identity,
    L1Loss,
    LayerNorm,
    LeakyReLU,
    Linear,
    LogSoftmax,
    MaxPool2d,
    ModuleDict,
    ModuleList,
    MSELoss,
    NLLLoss,
    ReLU,
    RMSNorm,
    Sequential,
    Sigmoid,
    Softmax,
    Tanh,
)
from .module import Module, Parameter
from .viz import draw_network

__distribution__ = "autograd-engine"  # autograd's check reads it: this nn is ours
__version__ = _sibling.version

__all__ = [
    "functional", "init", "optim", "utils", "data", "Module", "Parameter", "Sequential",
    "ModuleList", "ModuleDict", "Linear", "Identity", "Flatten", "Dropout",
    "ReLU", "Tanh", "Sigmoid", "LeakyReLU", "GELU", "Softmax", "LogSoftmax",
    "MSELoss", "L1Loss", "BCELoss", "BCEWithLogitsLoss", "CrossEntropyLoss", "NLLLoss",
    "HingeLoss", "HuberLoss", "Embedding", "LayerNorm", "RMSNorm", "BatchNorm1d",
    "BatchNorm2d", "Conv1d", "Conv2d", "MaxPool2d", "AvgPool2d", "draw_network",
]
