"""The layers as Modules, one family per file (as ``torch/nn/modules``): ``linear``,
``activation``, ``dropout``, ``flatten``, ``loss``, ``sparse`` (Embedding), ``norm``,
``conv``, ``pooling`` and the containers in ``container``.

Each module's ``__init__`` stores its hyperparameters and creates its Parameters (and
buffers), ``forward`` is a call into ``nn.functional``, ``extra_repr`` shows the settings.
"""

from .activation import GELU, LeakyReLU, LogSoftmax, ReLU, Sigmoid, Softmax, Tanh
from .container import ModuleDict, ModuleList, Sequential
from .conv import Conv1d, Conv2d
from .dropout import Dropout
from .flatten import Flatten
from .linear import Identity, Linear
from .loss import (
    BCELoss,
    BCEWithLogitsLoss,
    CrossEntropyLoss,
    HingeLoss,
    HuberLoss,
    L1Loss,
    MSELoss,
    NLLLoss,
)
from .norm import BatchNorm1d, BatchNorm2d, LayerNorm, RMSNorm
from .pooling import AvgPool2d, MaxPool2d
from .sparse import Embedding

__all__ = [
    "Linear", "Identity", "Flatten", "Dropout", "Sequential", "ModuleList", "ModuleDict",
    "ReLU", "Tanh", "Sigmoid", "LeakyReLU", "GELU", "Softmax", "LogSoftmax",
    "MSELoss", "L1Loss", "BCELoss", "BCEWithLogitsLoss", "CrossEntropyLoss", "NLLLoss",
    "HingeLoss", "HuberLoss", "Embedding", "LayerNorm", "RMSNorm", "BatchNorm1d",
    "BatchNorm2d", "Conv1d", "Conv2d", "MaxPool2d", "AvgPool2d",
]
