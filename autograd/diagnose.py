"""Find the op whose backward is wrong: check every recorded node's local vector-Jacobian
product against finite differences of that node alone.

``gradcheck`` tells you that the gradient of a whole function is wrong; ``diagnose`` tells you
which op. It runs the function once with a recording hook on (see ``anomaly.hooks``): for
every node that ``record()`` creates it finds the registered op that made it (the nearest
stack frame running an op of ``OPS``, or a ``Function``) and keeps the op and its arguments,
so that the node's forward can be replayed on perturbed parents. Each node is then checked on
its own: ``⟨backward(g), d⟩`` against ``⟨(op(p + εd) - op(p - εd)) / 2ε, g⟩`` for random
``g`` and ``d``. Normal runs pay nothing: the hook exists only inside ``diagnose``.
"""

from __future__ import annotations

import inspect
import sys
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from ._tensor import Tensor, _wrap
from .anomaly import hooks
from .engine import send_to_parents, topological_order
from .mode import no_grad, state
from .ops import OPS

_codes: dict = {}


def _op_codes() -> dict:
    """Code object -> op function, for every registered op and ``Function.apply``."""
    from .function import Function

    if len(_codes) != len(OPS) + 1:
        _codes.clear()
        for d in OPS.values():
            _codes[d.fn.__code__] = d.fn
        apply = Function.apply.__func__
        _codes[apply.__code__] = apply
    return _codes


def _bound_args(fn: Callable, local: dict) -> tuple[list, dict]:
    """The arguments to call ``fn`` with again, read from its frame's current locals."""
    args: list = []
    kwargs: dict = {}
    for p in inspect.signature(fn).parameters.values():
        value = local[p.name]
        if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD):
            args.append(value)
        elif p.kind == p.VAR_POSITIONAL:
            args.extend(value)
        elif p.kind == p.KEYWORD_ONLY:
            kwargs[p.name] = value
        else:
            kwargs.update(value)
    return args, kwargs


def _substitute(value, subst: dict):
    if isinstance(value, Tensor):
        return subst.get(id(value), value)
    if isinstance(value, (tuple, list)):
        return type(value)(_substitute(v, subst) for v in value)
    return value


@dataclass
class _Recorded:
    node: object
    fn: Callable
    args: list
    kwargs: dict

    def replay(self, parent_data: dict) -> np.ndarray:
        """The op's output with the parents ``id -> new array`` substituted."""
        subst = {k: _wrap(v) for k, v in parent_data.items()}
        with no_grad():
            out = self.fn(*_substitute(self.args, subst), **_substitute(self.kwargs, subst))
        return np.asarray(out._data if isinstance(out, Tensor) else out, dtype=np.float64)


def _capture(recorded: dict) -> Callable:
    def on_node(node) -> None:
        codes = _op_codes()
        frame = sys._getframe(2)  # on_node <- on_record <- record <- the op
        for _ in range(8):
            if frame is None:
                return
            fn = codes.get(frame.f_code)
            if fn is not None:
                args, kwargs = _bound_args(fn, dict(frame.f_locals))
                recorded[id(node)] = _Recorded(node, fn, args, kwargs)
                return
            frame = frame.f_back

    return on_node


@dataclass
class NodeCheck:
    """The local check of one recorded op: ``ok`` unless its backward disagrees."""

    name: str
    site: str | None
    ok: bool
    detail: str = ""


@dataclass
class Diagnosis:
    """Result of ``diagnose``: every checked node in forward order; ``wrong`` the failures."""

    checks: list[NodeCheck] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)

    @property
    def wrong(self) -> list[NodeCheck]:
        return [c for c in self.checks if not c.ok]

    def __str__(self) -> str:
        lines = [f"checked {len(self.checks)} recorded ops one by one"
                 + (f" ({len(self.skipped)} could not be replayed: "
                    f"{', '.join(sorted(set(self.skipped)))})" if self.skipped else "")]
        if not self.wrong and self.skipped:
            lines.append("no replayable op disagrees with finite differences: suspect the ops "
                         "that could not be replayed (made by record() outside the registered "
                         "ops, or not reproducing their output)")
        elif not self.wrong:
            lines.append("every op's local backward agrees with finite differences (if the "
                         "whole gradient is still wrong, look outside the recorded ops: a kink, "
                         "an in-place edit, or a value computed outside autograd)")
        for c in self.wrong:
            lines.append(f"wrong backward: {c.name}" + (f" (created at {c.site})" if c.site
                                                         else "") + f": {c.detail}")
        return "\n".join(lines)


def _local_check(rec: _Recorded, out: Tensor, rng, eps: float, atol: float,
                 rtol: float) -> NodeCheck | None:
    node = rec.node
    parents = node.parents
    base = {id(p): p._data for p in parents}
    if not np.allclose(rec.replay(base), out._data, rtol=1e-7, atol=1e-9, equal_nan=True):
        return None  # the op does not reproduce its output (random, or args were mutated)
    g = rng.standard_normal(out.shape)
    with no_grad():
        grads = node.backward(_wrap(g.astype(out.dtype)), out)
    # the local VJP per distinct parent (a tensor used twice, as in x * x, gets both shares),
    # un-broadcast and cast exactly as the engine sends it
    sent: dict[int, Tensor] = {}
    with no_grad():
        send_to_parents(sent, parents, grads)
    analytic = {id(p): np.asarray(sent[p]._data if p in sent else np.zeros(p.shape),
                                  np.float64)
                for p in parents if p._requires_grad and p._data.dtype.kind == "f"}
    for k, p in enumerate(parents):
        if id(p) not in analytic:
            continue
        d = rng.standard_normal(p.shape)
        if node.op.extra.get("symmetric_input") and d.ndim >= 2:  # eigh, cholesky: their
            d = (d + np.swapaxes(d, -1, -2)) / 2  # gradient is for symmetric matrices
        plus = rec.replay({**base, id(p): p._data + eps * d})
        minus = rec.replay({**base, id(p): p._data - eps * d})
        numeric = float(np.sum((plus - minus) * g) / (2 * eps))
        value = float(np.sum(analytic.pop(id(p)) * d))
        if not abs(value - numeric) <= atol + rtol * max(abs(numeric), abs(value)):
            return NodeCheck(node.name, node.site, False,
                             f"for input {k} (shape {p.shape}) the backward gives "
                             f"<vjp, d> = {value:.8g}, finite differences {numeric:.8g}")
    return NodeCheck(node.name, node.site, True)


def diagnose(fn: Callable, inputs, eps: float = 1e-6, atol: float = 1e-5, rtol: float = 1e-3,
             seed: int = 0) -> Diagnosis:
    """Check the backward of every op that ``fn(*inputs)`` records, each op on its own.

    Parameters
    ----------
    fn : callable taking Tensors, returning a Tensor or a tuple of Tensors
    inputs : Tensor or tuple of Tensors (use float64 for meaningful finite differences)

    Returns
    -------
    A ``Diagnosis``: ``.wrong`` lists the ops whose local vector-Jacobian product disagrees
    with finite differences of that op alone; ``str()`` gives a readable report.

    Examples
    --------
    >>> x = ag.tensor(np.random.randn(3), requires_grad=True, dtype=np.float64)
    >>> ag.diagnose(lambda t: (t.sin() * t).sum(), x).wrong
    []
    """
    inputs = tuple(inputs) if isinstance(inputs, (tuple, list)) else (inputs,)
    recorded: dict[int, _Recorded] = {}
    prev = state.anomaly, hooks.on_node, hooks.skip_checks
    hooks.skip_checks = not state.anomaly
    hooks.on_node = _capture(recorded)
    state.anomaly = True
    try:
        outputs = fn(*inputs)
    finally:
        state.anomaly, hooks.on_node, hooks.skip_checks = prev
    outputs = outputs if isinstance(outputs, (tuple, list)) else (outputs,)
    roots = [o for o in outputs if isinstance(o, Tensor)]
    rng = np.random.default_rng(seed)
    result = Diagnosis()
    # oldest first, so that the first wrong op listed is the earliest one in the computation
    for t in topological_order(roots):
        node = t._grad_fn
        if node is None or node.backward is None:
            continue
        rec = recorded.pop(id(node), None)
        if rec is None:
            result.skipped.append(node.name)
            continue
        check = _local_check(rec, t, rng, eps, atol, rtol)
        if check is None:
            result.skipped.append(node.name)
        else:
            result.checks.append(check)
    return result
