"""Anomaly detection: find the op whose backward produced NaN or Inf, and who created it.

Inside ``with ag.detect_anomaly():`` every recorded op stores its creation site (the first
stack frame outside this library) in ``node.site``, and the engine runs each backward through
``checked_backward``, which raises at the first non-finite gradient. Outside the context the
engine and ``record()`` only test one flag, so normal runs pay nothing.
"""

from __future__ import annotations

import contextlib
import linecache
import os
import sys

import numpy as np

from .mode import state

# Frames inside these folders are the library's own; the creation site is the first other one.
_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))
_LIBRARY_DIRS = tuple(os.path.join(os.path.dirname(_PACKAGE_DIR), name) + os.sep
                      for name in ("autograd", "nn"))


# What ``record()`` and the engine do beyond plain anomaly mode, per thread like the flags:
# ``hooks.on_node`` is also called with every recorded node (``autograd.diagnose`` uses it to
# learn how to replay each op); ``hooks.skip_checks``: anomaly mode was switched on only for
# ``on_node``, so backward steps are not checked for NaN/Inf.
hooks = state


class AnomalyError(RuntimeError):
    """Raised in anomaly mode when a backward step produces a NaN or Inf gradient."""


class detect_anomaly(contextlib.ContextDecorator):
    """Check every backward step for NaN/Inf and name the op (and its creation line) at fault.

    Costs a stack inspection per recorded op and a finiteness test per gradient, so use it
    to debug, not to train. Also works as a decorator.

    The finiteness test needs the gradient's values: on a lazy backend (dask) it computes
    every gradient of the backward pass as it goes, and on a GPU it copies each to the host.

    Examples
    --------
    >>> x = ag.tensor([0.0, 1.0], requires_grad=True)
    >>> with ag.detect_anomaly():
    ...     y = (x.sqrt() * 0.0).sum()     # d sqrt / dx at 0 is inf, times 0 is nan
    ...     y.backward()
    Traceback (most recent call last):
    ...
    autograd.anomaly.AnomalyError: SqrtBackward returned nan values in its gradient for input 0; ...
    """

    def __init__(self, mode: bool = True) -> None:
        self.mode = bool(mode)

    def __enter__(self):
        self._prev = state.anomaly, hooks.skip_checks
        state.anomaly = self.mode or hooks.on_node is not None
        hooks.skip_checks = not self.mode
        return self

    def __exit__(self, *exc):
        state.anomaly, hooks.skip_checks = self._prev
        return False


def set_detect_anomaly(mode: bool) -> None:
    """Turn anomaly detection on or off globally (``detect_anomaly`` does it for a block)."""
    state.anomaly = bool(mode) or hooks.on_node is not None
    hooks.skip_checks = not mode


def is_anomaly_enabled() -> bool:
    """Whether anomaly detection is on."""
    return state.anomaly and not hooks.skip_checks


def creation_site() -> str | None:
    """``file:line in function: source`` of the innermost frame outside the library."""
    frame = sys._getframe(1)
    while frame is not None and frame.f_code.co_filename.startswith(_LIBRARY_DIRS):
        frame = frame.f_back
    if frame is None:
        return None
    code = frame.f_code
    line = linecache.getline(code.co_filename, frame.f_lineno).strip()
    site = f"{code.co_filename}:{frame.f_lineno} in {code.co_name}"
    return f"{site}: {line}" if line else site


def on_record(t) -> None:
    """Called by ``record()`` in anomaly mode: remember where the op that made ``t`` was
    created (``t.grad_fn.site``)."""
    t._site = creation_site()
    if hooks.on_node is not None:
        hooks.on_node(t._grad_fn)


def _bad(arr) -> str | None:
    if type(arr) is not np.ndarray:  # another backend: its values (computes a lazy array)
        from .backend import to_numpy

        arr = to_numpy(arr)
    if arr.dtype.kind not in "fc" or np.isfinite(arr).all():
        return None
    return "nan" if np.isnan(arr).any() else "inf"


def _where(node) -> str:
    if node.site is None:
        return "(created outside anomaly mode, so its creation site is unknown)"
    return f"the op was created at {node.site}"


def checked_backward(node, g, out) -> tuple:
    """Run ``node.backward(g, out)``; raise ``AnomalyError`` if a gradient is not finite."""
    if hooks.skip_checks:
        return node.backward(g, out)
    kind = _bad(g._data)
    if kind is not None:
        raise AnomalyError(
            f"the gradient flowing into {node.name} holds {kind} values before its backward ran "
            f"(from a hook, the seed gradient, or gradients summed from several uses); "
            f"{_where(node)}")
    grads = node.backward(g, out)
    for i, pg in enumerate(grads):
        if pg is None:
            continue
        kind = _bad(pg._data)
        if kind is not None:
            raise AnomalyError(
                f"{node.name} returned {kind} values in its gradient for input {i}; "
                f"{_where(node)}")
    return grads
