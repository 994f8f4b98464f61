"""autograd: reverse-mode automatic differentiation on numpy arrays.

>>> import autograd as ag
>>> x = ag.tensor([1.0, 2.0, 3.0], requires_grad=True)
>>> y = (x.tanh() * x).sum()
>>> y.backward()
>>> x.grad            # d/dx of sum(x·tanh(x)) = tanh(x) + x·(1 - tanh²(x))
Tensor([1.1816, 1.1053, 1.0247])
"""

from typing import TYPE_CHECKING

from . import return_types
from ._clash import check_sibling as _check_sibling
from ._quiet import ignore_fp_warnings as _ignore_fp_warnings
from ._tensor import (
    Node,
    Tensor,
    as_tensor,
    get_default_dtype,
    record,
    saved,
    set_default_dtype,
    tensor,
)
from .anomaly import AnomalyError, detect_anomaly, is_anomaly_enabled, set_detect_anomaly
from .backend import BackendError, compute
from .creation import (
    arange,
    eye,
    full,
    ones,
    ones_like,
    zeros,
    zeros_like,
)
from .diagnose import Diagnosis, diagnose
from .dtypes import promote_types, result_type
from .engine import grad, topological_order
from .explain import Explanation, explain
from .function import Context, Function
from .functional import hessian, hvp, jacobian, jvp, vjp
from .gradcheck import GradcheckError, gradcheck, gradgradcheck
from .mode import enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from .ops import EXPORTS as _OP_EXPORTS
from .ops import OPS, OpDef, sum_to_shape
from .random import (
    Generator,
    default_generator,
    get_rng_state,
    initial_seed,
    manual_seed,
    multinomial,
    rand,
    randint,
    randn,
    randperm,
    set_rng_state,
)
from .registry import op
from .replay import Compiled, NotReplayed, compile, replay_call, replayable_ops, retrace
from .scalar import Value
from .versions import increment_version
from .viz import draw, render_svg

__version__ = "0.1.0"  # the one place the version is written (pyproject.toml reads it)
__distribution__ = "autograd-engine"  # our nn's check reads it: this autograd is ours

_check_sibling("nn")  # nn is ours too, not another distribution's (see _clash.py)

_ignore_fp_warnings()  # numpy's floating-point warnings from inside autograd and nn: off

globals().update(_OP_EXPORTS)  # every declared op as ``ag.NAME`` (``ag.exp``, ``ag.matmul``)
if TYPE_CHECKING:  # the same names, for type checkers (generated: tools/typing_stub.py)
    from ._bound import *  # noqa: F403
    from ._bound import linalg as linalg


def __getattr__(name: str):
    # ``ag.scipy`` (the optional extra) is imported on first use: ``import autograd`` stays
    # free of scipy, and without scipy installed this says which extra to install
    if name == "scipy":
        import importlib

        return importlib.import_module("autograd.scipy")
    raise AttributeError(f"module 'autograd' has no attribute {name!r}")

__all__ = [
    "Tensor", "tensor", "as_tensor", "Node", "Value", "set_default_dtype", "get_default_dtype",
    "zeros", "ones", "full", "zeros_like", "ones_like", "arange", "eye", "randn", "rand",
    "randint", "randperm", "multinomial", "Generator", "default_generator", "initial_seed",
    "get_rng_state", "set_rng_state", "manual_seed", "no_grad", "enable_grad",
    "set_grad_enabled", "is_grad_enabled", "grad", "topological_order", "gradcheck",
    "gradgradcheck", "GradcheckError", "jacobian", "hessian", "vjp", "jvp", "hvp",
    "detect_anomaly", "set_detect_anomaly", "is_anomaly_enabled", "AnomalyError", "diagnose",
    "Diagnosis", "Function", "Context", "op", "OpDef", "OPS", "record", "saved",
    "increment_version",
    "sum_to_shape", "draw", "render_svg", "explain", "Explanation", "promote_types", "linalg",
    "result_type", "return_types", "compute", "BackendError", "compile", "Compiled",
    "NotReplayed", "replayable_ops", "retrace", "replay_call", *_OP_EXPORTS,
]
