"""``ag.explain``: the chain rule, one step at a time.

``explain(root)`` runs a backward pass of its own over the graph behind ``root`` (a
``Tensor`` or a ``Value``), in the engine's order, and records every step: first the forward
pass, value by value; then for each node the gradient arriving at it (the sum of what its
consumers sent), its local derivative as the op's declaration writes it (``OpDef.formula``)
and as numbers, and the product sent to each parent; last ∇C, the leaves' gradients side by
side. ``.grad`` is left untouched. The result shows itself as a page (``autograd.explain_page``):
inline in Jupyter, or ``.save("backprop.html")``.

The local derivative "as numbers" is what the op's backward sends to each parent when the
gradient arriving at its output is 1 everywhere: for a scalar output that is ∂out/∂x itself,
for an elementwise op the elementwise derivative. Hooks (``register_hook``) are not run: the
page shows the chain rule as the ops declare it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping

import numpy as np

from ._tensor import Tensor
from .engine import local_gradients, send_to_parents, topological_order
from .freed import FreedValue
from .mode import state
from .registry import OPS
from .scalar import Value

__all__ = ["explain", "Explanation", "Step", "MAX_NODES"]

MAX_NODES = 300  # past this many values a page of steps is too long to read: explain a part

# the Value engine's op names in the registry, whose declarations carry the formulas
_VALUE_OPS = {"+": "add", "-": "sub", "*": "mul", "/": "div", "**": "pow", "neg": "neg",
              "exp": "exp", "log": "log", "tanh": "tanh", "relu": "relu", "sigmoid": "sigmoid"}
_SUB = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")

_FREED = ("explain needs the graph's backward functions, and backward() has freed them{where}: "
          "call ag.explain({root}) before {root}.backward(), or use "
          "{root}.backward(retain_graph=True)")


@dataclass
class Edge:
    """What one node sends to one parent: ``parent`` (an index into ``Explanation.values``),
    the declared ``formula`` (None when the op declares none), the ``local`` derivative and
    the ``product`` (arrays, None for a parent that needs no gradient)."""

    parent: int
    formula: str | None
    local: np.ndarray | None
    product: np.ndarray | None


@dataclass
class Step:
    """One step of the page.

    ``kind`` is ``"forward"`` (value ``node`` was computed), ``"backward"`` (the gradient
    ``grad`` arrived at ``node``, the sum of ``received``: (consumer index, product) pairs; an
    op node then sends ``edges``) or ``"gradient"`` (∇C: ``leaves`` holds (name, index,
    gradient) for each parameter).
    """

    kind: str
    node: int | None = None
    grad: np.ndarray | None = None
    received: list = field(default_factory=list)
    edges: list = field(default_factory=list)
    leaves: list = field(default_factory=list)


class _Tensors:
    """How explain reads a Tensor graph."""

    @staticmethod
    def parents(t) -> tuple:
        return t._parents if t._op is not None else ()

    @staticmethod
    def op(t) -> str | None:
        return None if t._op is None else t._op.name

    @staticmethod
    def needs_grad(t) -> bool:
        return t._requires_grad

    @staticmethod
    def value(t) -> np.ndarray:
        return t._data

    @staticmethod
    def freed(t) -> bool:
        return isinstance(t, FreedValue) or (t._op is not None and t._backward is None)

    @staticmethod
    def formulas(t) -> tuple:
        return tuple(t._op.formula) if t._op is not None else ()

    @staticmethod
    def seed(root) -> np.ndarray:
        return np.ones_like(root._data)

    @staticmethod
    def operands(t, names: list[str], index: dict) -> list[str]:
        return [names[index[id(p)]] if id(p) in index else "?" for p in t._parents]

    @staticmethod
    def run(t, g: np.ndarray) -> tuple[tuple, list, list]:
        """(parents, what ``t`` sends each parent for ``g``, and for a gradient of ones)."""
        ones = np.ones_like(t._data)
        out = []
        for grad in (g, ones):
            parents, pgs = local_gradients(t, Tensor(grad))
            sent = []
            for p, pg in zip(parents, pgs):
                one: dict = {}
                send_to_parents(one, (p,), (pg,))  # un-broadcast and cast, as the engine does
                sent.append(one[p]._data if one else None)
            out.append(sent)
        return parents, out[0], out[1]


class _Values:
    """How explain reads a ``Value`` graph (one float per node, derivatives stored on it)."""

    @staticmethod
    def parents(v) -> tuple:
        return v._parents

    @staticmethod
    def op(v) -> str | None:
        return _VALUE_OPS.get(v._op, v._op) if v._parents else None

    @staticmethod
    def needs_grad(v) -> bool:
        return True

    @staticmethod
    def value(v) -> np.ndarray:
        return np.asarray(v.data)

    @staticmethod
    def freed(v) -> bool:
        return bool(v._parents) and v._local is None

    @staticmethod
    def formulas(v) -> tuple:
        d = OPS.get(_VALUE_OPS.get(v._op, ""))
        if d is None:
            return ()
        f = tuple(d.formula)
        if len(v._parents) == 2 or len(f) < 2:
            return f
        # one Value and a number: which side the Value was on decides its formula
        return (f[_side(v)],)

    @staticmethod
    def seed(root) -> np.ndarray:
        return np.asarray(1.0)

    @staticmethod
    def operands(v, names: list[str], index: dict) -> list[str]:
        ops = [names[index[id(p)]] for p in v._parents]
        if len(ops) == 1 and v._op in ("+", "-", "*", "/", "**"):  # a Value and a number
            side = _side(v)
            ops.insert(1 - side, f"{_constant(v, side):g}")
        return ops

    @staticmethod
    def run(v, g: np.ndarray) -> tuple[tuple, list, list]:
        locals_ = [np.asarray(d) for d in v._local]
        return v._parents, [loc * g for loc in locals_], locals_


def _side(v) -> int:
    """0 when ``v = a op c`` (the Value on the left of a number), 1 when ``v = c op a``.

    A Value does not store which side its number was on; its local derivative tells:
    ``a - c`` has 1, ``c - a`` has -1; ``a / c = a·(1/c)`` while ``c / a = -(d/da)·a``;
    ``a ** c`` has ``c = d·a/out``, ``c ** a`` has ``c = exp(d/out)``.
    """
    a, d, out = v._a.data, v._da, v.data
    with np.errstate(all="ignore"):
        if v._op == "-":
            return int(d < 0)
        if v._op == "/":
            return int(not np.isclose(out, a * d))
        if v._op == "**" and out != 0 and a != 0:
            if np.isclose(a ** (d * a / out), out):
                return 0
            return int(np.isclose(np.exp(d / out) ** a, out))
    return 0


def _constant(v, side: int) -> float:
    """The number in ``v = a op c`` (side 0) or ``v = c op a`` (side 1)."""
    a, d, out = v._a.data, v._da, v.data
    with np.errstate(all="ignore"):
        if v._op == "+":
            return out - a
        if v._op == "*":
            return d
        if v._op == "-":
            return a - out if side == 0 else out + a
        if v._op == "/":
            return a / out if side == 0 else out * a
        return d * a / out if side == 0 else float(np.exp(d / out))  # **


class _Cut:
    """A reader that treats the chosen ``inputs`` as leaves (the subgraph above them)."""

    def __init__(self, reader, stop: set[int]) -> None:
        self.reader, self.stop = reader, stop

    def __getattr__(self, name):
        return getattr(self.reader, name)

    def parents(self, v) -> tuple:
        return () if id(v) in self.stop else self.reader.parents(v)

    def op(self, v) -> str | None:
        return None if id(v) in self.stop else self.reader.op(v)


def _named(params) -> dict[int, str]:
    if params is None:
        return {}
    if hasattr(params, "named_parameters") and callable(params.named_parameters):
        params = params.named_parameters()
    items = params.items() if isinstance(params, Mapping) else params
    try:
        return {id(v): str(k) for k, v in items}
    except (TypeError, ValueError):
        raise TypeError("explain: params must map names to tensors: a dict, "
                        "model.named_parameters() or the model itself") from None


def explain(root: Any, params: Mapping[str, Any] | Iterable | None = None, *,
            inputs: Iterable | None = None, max_nodes: int = MAX_NODES) -> Explanation:
    """Record the chain rule on ``root``'s graph, step by step, as a page to step through.

    Parameters
    ----------
    root : Tensor or Value
        The cost C: a single number (a Tensor with one element, or a Value).
    params : mapping of name to tensor, or ``model.named_parameters()``, optional
        Names for the parameters; ∇C then lists exactly these, in this order.
    inputs : tensors or Values, optional
        Explain only the part of the graph above these: they count as leaves, and their
        gradients ∂C/∂input close the explanation. Use it on graphs too big to read whole.
    max_nodes : int
        The most values a page explains (300 unless told).

    Returns
    -------
    Explanation
        Shows inline in Jupyter; ``.save(path)`` writes one self-contained HTML file;
        ``.steps`` holds the recorded steps.

    Raises
    ------
    RuntimeError
        When ``backward()`` has freed the graph (call explain before it, or use
        ``backward(retain_graph=True)``).
    ValueError
        When the graph has more than ``max_nodes`` values (the message says how many and
        how to explain a part), or ``root`` is not a single number.

    Examples
    --------
    >>> loss = F.cross_entropy(model(x), y)
    >>> page = ag.explain(loss, params=model.named_parameters())
    >>> page.save("backprop.html")        # open it, step with the buttons or ← →
    'backprop.html'
    >>> loss.backward()                   # .grad is filled by the real pass, as usual
    """
    if isinstance(root, Value):
        reader = _Values
    elif isinstance(root, (Tensor, FreedValue)):
        reader = _Tensors
        if isinstance(root, FreedValue) or root._data.size != 1:
            raise ValueError(f"explain: the output must be a single number (a cost), got "
                             f"shape {tuple(root.shape)}; reduce it first, e.g. .sum()")
        if not root._requires_grad:
            raise ValueError("explain: the output does not require grad: no parameter it was "
                             "computed from requires grad, so there is no chain rule to show")
    else:
        raise TypeError(f"explain: expected a Tensor or a Value, got {type(root).__name__}")
    if not isinstance(max_nodes, (int, np.integer)) or isinstance(max_nodes, bool) \
            or max_nodes < 1:
        raise ValueError(f"explain: max_nodes must be a positive int, got {max_nodes!r}")
    names = _named(params)
    stop = {id(v) for v in inputs} if inputs is not None else set()
    if stop:
        reader = _Cut(reader, stop)
    order = topological_order([root], parents=reader.parents)
    if stop - {id(v) for v in order}:
        raise ValueError("explain: an input given in inputs= is not in the graph of the output")
    if len(order) > max_nodes:
        raise ValueError(
            f"explain: this graph has {len(order):,} values, more than max_nodes={max_nodes:,}: "
            f"a page of {2 * len(order) + 1:,} steps is no longer readable. Explain the part "
            f"nearest the output with inputs=[...] (intermediate values where the explanation "
            f"starts, e.g. the input of the last layer), or raise max_nodes")
    freed = [v for v in order if reader.freed(v) and reader.parents(v)]
    if freed:
        where = "" if freed[-1] is root else " (for part of this graph)"
        raise RuntimeError(_FREED.format(where=where, root="loss" if reader is not _Values
                                         else "L"))
    return Explanation(root, order, reader, names, params is not None)


class Explanation:
    """The steps of one backward pass, shown as a page: see ``ag.explain``.

    Attributes
    ----------
    values : list
        The graph's values (Tensors or Values), each after its parents.
    names : list of str
        The name each value has on the page (parameter names, labels, or ``tanh₁``...).
    steps : list of Step
        Forward steps, then backward steps in the engine's order, then ∇C.

    What the page shows is taken when ``explain`` runs (parents, ops, operands and a copy of
    every value), so it can be saved after ``backward()`` or an optimizer step.
    """

    def __init__(self, root, order: list, reader, names: dict[int, str],
                 params_given: bool) -> None:
        self.root, self.values, self.kind = root, order, \
            "value" if reader is _Values or getattr(reader, "reader", None) is _Values \
            else "tensor"
        self.index = index = {id(v): i for i, v in enumerate(order)}
        self.names = _names(order, reader, names, root)
        self.parents = [[index[id(p)] for p in reader.parents(v)] for v in order]
        self.ops = [reader.op(v) for v in order]
        self.needs_grad = [reader.needs_grad(v) for v in order]
        self.data = [np.array(reader.value(v)) for v in order]
        self.operands = [reader.operands(v, self.names, index) if ps else []
                         for v, ps in zip(order, self.parents)]
        self.steps: list[Step] = [Step("forward", i) for i in range(len(order))]
        grads: dict[int, np.ndarray] = {len(order) - 1: reader.seed(root)}
        received: dict[int, list] = {len(order) - 1: []}
        prev = state.grad_enabled
        state.grad_enabled = False
        try:
            with np.errstate(all="ignore"):
                for i in range(len(order) - 1, -1, -1):  # the engine's order
                    if i not in grads:
                        continue
                    v = order[i]
                    step = Step("backward", i, grads.pop(i), received.pop(i, []))
                    self.steps.append(step)
                    if not reader.parents(v):
                        continue  # a leaf: its gradient is complete
                    parents, sent, local = reader.run(v, step.grad)
                    formulas = reader.formulas(v)
                    for k, p in enumerate(parents):
                        j = index.get(id(p))
                        if j is None or not reader.needs_grad(p):
                            continue
                        f = formulas[k] if k < len(formulas) else (
                            formulas[0] if len(formulas) == 1 else None)
                        step.edges.append(Edge(j, f, local[k], sent[k]))
                        if sent[k] is None:
                            continue
                        grads[j] = sent[k] if j not in grads else grads[j] + sent[k]
                        received.setdefault(j, []).append((i, sent[k]))
        finally:
            state.grad_enabled = prev
        leaf_grads = {s.node: s.grad for s in self.steps
                      if s.kind == "backward" and not reader.parents(order[s.node])}
        if params_given:
            chosen = [index[k] for k in names if k in index]
        else:
            chosen = sorted(i for i in leaf_grads if reader.needs_grad(order[i]))
        leaves = [(self.names[i], i, leaf_grads.get(i)) for i in chosen]
        self.steps.append(Step("gradient", None, leaves=leaves))

    def __len__(self) -> int:
        return len(self.steps)

    def __repr__(self) -> str:
        n_f = sum(s.kind == "forward" for s in self.steps)
        return (f"<Explanation of {self.names[-1]}: {len(self.steps)} steps "
                f"({n_f} forward, {len(self.steps) - n_f - 1} backward, then ∇C)>")

    def step_of(self, kind: str, value: Any) -> int:
        """The number (1-based, as the page shows it) of the ``kind`` step of ``value``.

        Examples
        --------
        >>> page.step_of("backward", layer.weight)   # where ∂C/∂W arrives
        24
        """
        for n, s in enumerate(self.steps, 1):
            if s.kind == kind and s.node is not None and self.values[s.node] is value:
                return n
        raise ValueError(f"explain: no {kind} step for that value")

    def html(self) -> str:
        """The whole page: one self-contained HTML document (inline SVG, CSS and script)."""
        from .explain_page import page

        return page(self)

    def save(self, path: str | os.PathLike) -> str:
        """Write the page to ``path`` (an ``.html`` file that opens offline); returns ``path``."""
        with open(path, "w", encoding="utf-8") as f:
            f.write(self.html())
        return os.fspath(path)

    def _repr_html_(self) -> str:
        from .explain_page import iframe

        return iframe(self.html())


def _names(order: list, reader, given: dict[int, str], root) -> list[str]:
    """Parameter names and labels where there are some, else ``p₁`` (leaves that need a
    gradient), ``x₁`` (constant arrays), ``c₁`` (constant numbers) and the op with a counter
    (``tanh₂``); the output is C."""
    names, counts = [], {}
    for v in order:
        name = given.get(id(v)) or getattr(v, "label", "") or None
        if name is None:
            op = reader.op(v)
            kind = op if op is not None else "p" if reader.needs_grad(v) else \
                "x" if np.ndim(reader.value(v)) else "c"
            counts[kind] = counts.get(kind, 0) + 1
            name = kind + str(counts[kind]).translate(_SUB)
        names.append(name)
    if not (given.get(id(root)) or getattr(root, "label", "")):
        names[-1] = "C"
    return names
