"""nn is built on autograd-engine's ``autograd``: refuse another distribution's, by name.

PyPI's HIPS ``autograd`` installs a top-level ``autograd`` too. If its files replaced ours, or
its folder comes first on ``sys.path``, ``import autograd`` gives that one, and nn would fail
with "cannot import name 'Tensor'". The message comes from ``autograd/_clash.py``, loaded by
path from the folder next to this one (the foreign ``autograd`` does not have it).
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import autograd

DISTRIBUTION = "autograd-engine"


def check_autograd(autograd: ModuleType, ours: str) -> None:
    """Raise ImportError unless ``autograd`` (the imported module) is ours."""
    if getattr(autograd, "__distribution__", None) == ours:
        return
    where = str(Path(autograd.__file__ or "?").parent)
    clash = Path(__file__).resolve().parent.parent / "autograd" / "_clash.py"
    spec = importlib.util.spec_from_file_location("_autograd_engine_clash", clash)
    if spec is None or spec.loader is None or not clash.is_file():
        raise ImportError(f"the top-level package 'autograd' found at {where} is not {ours}'s; "
                          f"reinstall {ours} (`pip install --force-reinstall --no-deps {ours}`)")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    raise ImportError(module.clash_message("autograd", where, module.owners("autograd")))


check_autograd(autograd, DISTRIBUTION)
version: str = autograd.__version__
