"""Optimizers (``SGD``, ``Adam``, ``AdamW``) and learning-rate schedules (``lr_scheduler``).

The update rules are PyTorch's, step for step. They work on the parameters' arrays in place
with numpy (as writing through ``p.data`` would, the in-place guard sees the change): an
update is not part of any graph. Parameter groups, ``state_dict``/``load_state_dict`` and
scalar ``ag.Value`` parameters are handled by the ``Optimizer`` base.
"""

from . import lr_scheduler
from .adam import Adam
from .adamw import AdamW
from .optimizer import Optimizer, required
from .sgd import SGD

__all__ = ["Optimizer", "required", "SGD", "Adam", "AdamW", "lr_scheduler"]
