"""nn: modules, layers, losses, initialisers and optimizers on top of ``autograd``.

>>> import autograd as ag, nn
>>> model = nn.Sequential(nn.Linear(3, 8), nn.ReLU(), nn.Linear(8, 3))
>>> opt = nn.optim.SGD(model.parameters(), lr=0.1)
>>> loss = nn.CrossEntropyLoss()(model(ag.randn(4, 3)), np.array([0, 1, 2, 1]))
>>> loss.backward(); opt.step(); opt.zero_grad()

Everything is a composition of autograd ops (plus a few fused ops in ``nn.functional``), so
every gradient comes from the engine's backward walk.
"""

# _sibling first: it checks that the `autograd` we get is ours before anything asks it for a Tensor
from . import _sibling, functional, init, optim  # noqa: F401
from .layers import (
                     GELU,
                     BCELoss,
                     BCEWithLogitsLoss,
                     CrossEntropyLoss,
                     Dropout,
                     Flatten,
                     HingeLoss,
                     HuberLoss,
                     Identity,
                     L1Loss,
                     LeakyReLU,
                     Linear,
                     LogSoftmax,
                     MSELoss,
                     NLLLoss,
                     ReLU,
                     Sigmoid,
                     Softmax,
                     Tanh,
)
from .module import Module, Parameter, Sequential
from .viz import draw_network

__distribution__ = "autograd-engine"  # autograd's check reads it: this nn is ours
__version__ = _sibling.version

__all__ = [
    "functional", "init", "optim", "Module", "Parameter", "Sequential",
    "Linear", "Identity", "Flatten", "Dropout",
    "ReLU", "Tanh", "Sigmoid", "LeakyReLU", "GELU", "Softmax", "LogSoftmax",
    "MSELoss", "L1Loss", "BCELoss", "BCEWithLogitsLoss", "CrossEntropyLoss", "NLLLoss",
    "HingeLoss", "HuberLoss", "draw_network",
]
