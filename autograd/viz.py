"""Drawing a recorded graph: ``draw`` gives a ``graphviz.Digraph``, ``render_svg`` an SVG file.

Every value (a ``Tensor`` or a ``Value``) is a box: its name when it has one, shape and dtype,
a short summary of its data and of its gradient. Every op is a grey ellipse between its inputs
and its result, so edges run in the direction data flows. Colours follow torchviz: parameters
(leaves that require grad) blue, outputs green, ops grey; constants stay white.

The walk is ``engine.topological_order``, generic over a ``parents`` function, so the same code
draws ``Tensor`` and ``Value`` graphs (anything with ``_parents``/``_op``/``data``/``grad``;
micrograd's ``Value``, with ``_prev``, works too).
"""

from __future__ import annotations

import os
import re
from html import escape
from typing import TYPE_CHECKING, Any, Mapping

import numpy as np

from ._tensor import Tensor
from .engine import topological_order
from .freed import FreedValue
from .summary import Summary

if TYPE_CHECKING:
    from ._graphviz import Digraph, GraphvizNotFoundError, dot_executable  # noqa: F401

__all__ = ["draw", "render_svg", "Digraph", "dot_executable", "GraphvizNotFoundError"]


def __getattr__(name: str):
    # the graphviz package is imported on first use, so `import autograd` stays fast
    if name in ("Digraph", "dot_executable", "GraphvizNotFoundError"):
        from . import _graphviz
        return getattr(_graphviz, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

# torchviz's legend, plus the grad colour scale
PARAM, OUTPUT, OP, PLAIN = "#add8e6", "#caff70", "#d3d3d3", "#ffffff"  # lightblue ... white
SUMMARY = "#fffacd"  # lemonchiffon
_RANKDIRS = ("LR", "RL", "TB", "BT")
MAX_NODES = 2000  # the default drawing budget: Graphviz lays this many out in seconds

# (upper bound on max|grad|, fill, font colour, legend text); the last row catches the rest
GRAD_SCALE = (
    (0.0, "#bdbdbd", "black", "0 (dead)"),
    (1e-6, "#2166ac", "white", "< 1e-6 (vanishing)"),
    (1e-4, "#67a9cf", "black", "< 1e-4"),
    (1e-2, "#d1e5f0", "black", "< 1e-2"),
    (1e1, "#d9f0d3", "black", "< 10 (healthy)"),
    (1e2, "#fddbc7", "black", "< 100"),
    (1e4, "#ef8a62", "black", "< 1e4"),
    (np.inf, "#b2182b", "white", ">= 1e4 or inf/nan (exploding)"),
)


# ---------------------------------------------------------------------------- adapters
# An adapter tells the drawing what a node of one engine looks like.


class _TensorAdapter:
    # a Tensor, or after backward() a FreedValue standing in for an intermediate's array
    @staticmethod
    def parents(t) -> tuple:
        return t._parents if t._op is not None else ()

    @staticmethod
    def op(t) -> str | None:
        op = t._op
        return None if op is None else re.sub(r"Backward\d*$", "", op.node) or op.node

    @staticmethod
    def is_param(t) -> bool:
        return t._op is None and t._requires_grad

    @staticmethod
    def name(t) -> str | None:
        return None

    @staticmethod
    def header(t) -> str:
        shape = "scalar" if t.ndim == 0 else str(tuple(t.shape))
        return f"{shape} {t.dtype}"

    @staticmethod
    def data(t) -> Summary:
        return t.summary if isinstance(t, FreedValue) else Summary.of(t._data)

    @staticmethod
    def grad(t) -> Summary | None:
        if isinstance(t, FreedValue):
            return t.grad_summary
        return None if t.grad is None else Summary.of(t.grad._data)


class _ValueAdapter:
    @staticmethod
    def parents(v) -> tuple:
        return tuple(v._parents)

    @staticmethod
    def op(v) -> str | None:
        return (v._op or "op") if v._parents else None

    @staticmethod
    def is_param(v) -> bool:
        return not v._parents

    @staticmethod
    def name(v) -> str | None:
        return getattr(v, "label", None) or None

    @staticmethod
    def header(v) -> str:
        return ""

    @staticmethod
    def data(v) -> Summary:
        return Summary.of(np.asarray(float(v.data)))

    @staticmethod
    def grad(v) -> Summary | None:
        g = getattr(v, "grad", None)
        return None if g is None else Summary.of(np.asarray(float(g)))


class _MicrogradAdapter(_ValueAdapter):
    # micrograd's Value keeps its parents in a set, ``_prev`` (drawn in an arbitrary order)
    @staticmethod
    def parents(v) -> tuple:
        return tuple(v._prev)

    @staticmethod
    def op(v) -> str | None:
        return (v._op or "op") if v._prev else None

    @staticmethod
    def is_param(v) -> bool:
        return not v._prev


def _adapter(node: Any):
    if isinstance(node, (Tensor, FreedValue)):
        return _TensorAdapter
    if hasattr(node, "_op") and hasattr(node, "data"):
        if hasattr(node, "_parents"):
            return _ValueAdapter
        if hasattr(node, "_prev"):
            return _MicrogradAdapter
    raise TypeError(f"draw: expected a Tensor or a Value, got {type(node).__name__}")


# ---------------------------------------------------------------------------- labels


def _grad_style(g: Summary) -> tuple[str, str]:
    size = g.max_abs
    if size is None:  # values not read (another backend's array): no colour to give
        return "white", "black"
    for bound, fill, font, _ in GRAD_SCALE:
        if size < bound or (bound == 0.0 and size == 0.0):
            return fill, font
    return GRAD_SCALE[-1][1], GRAD_SCALE[-1][2]


def _legend_label() -> str:
    rows = "".join(f'<tr><td bgcolor="{fill}"><font color="{font}">{escape(text)}</font></td></tr>'
                   for _, fill, font, text in GRAD_SCALE)
    return (f'<<font point-size="8"><table border="0" cellborder="1" cellspacing="0">'
            f"<tr><td><b>max|grad|</b></td></tr>{rows}</table></font>>")


# ---------------------------------------------------------------------------- draw


def draw(root: Any, *, show_data: bool = True, show_grad: bool = True, rankdir: str = "LR",
         max_nodes: int | None = MAX_NODES, params: Mapping[str, Any] | None = None,
         color_by_grad: bool = False, graph_attr: Mapping[str, str] | None = None) -> Digraph:
    """Draw the graph recorded behind ``root`` (a ``Tensor`` or a ``Value``, or a list of them).

    Parameters
    ----------
    root : Tensor, Value, or a sequence of them
        The output(s); every value and op they were computed from is drawn.
    show_data, show_grad : bool
        Put a short summary of each value's data / gradient into its box.
    rankdir : {"LR", "RL", "TB", "BT"}
        Direction in which data flows across the picture.
    max_nodes : int or None
        Draw at most this many nodes (2,000 unless told): the part of the graph nearest the
        output is kept and the rest collapses into one summary node that says how many
        values, ops and parameters it stands for. ``None`` draws everything, however long
        Graphviz takes (minutes for 10^5 nodes).
    params : mapping of name to Tensor, optional
        Names to show on parameters, e.g. ``dict(model.named_parameters())``.
    color_by_grad : bool
        Fill each value that has a gradient by the size of its largest element (a fixed log
        scale, shown in a legend), so vanishing and exploding gradients stand out.
    graph_attr : mapping, optional
        Extra Graphviz graph attributes (``{"size": "8,8"}``).

    Returns
    -------
    Digraph
        A ``graphviz.Digraph``; ``.source`` is the DOT text, ``.pipe()``/``.render()`` and the
        inline Jupyter display work with the system Graphviz or the ``graphviz-pure`` wheel.

    Notes
    -----
    Draw before or after ``backward()``: backward keeps the graph's shape, and each
    intermediate it freed keeps a summary of its data (see ``autograd.freed``). Only leaves
    (and tensors that ``retain_grad()``) keep a gradient, as in PyTorch. A leaf read by three
    or more ops
    (a weight shared across time steps) is drawn once, and each further use gets a small
    dashed reference box instead of an edge across the whole picture.

    Examples
    --------
    >>> w = ag.tensor([[1.0, -2.0]], requires_grad=True)
    >>> loss = (w * 3.0).tanh().sum()
    >>> loss.backward()
    >>> ag.draw(loss, params={"w": w}).render("graph")     # graph.svg
    'graph.svg'
    """
    roots = list(root) if isinstance(root, (list, tuple)) else [root]
    if not roots:
        raise ValueError("draw: no root given")
    ad = _adapter(roots[0])
    for r in roots[1:]:
        if _adapter(r) is not ad:
            raise TypeError("draw: all roots must be of one kind (all Tensors or all Values)")
    if rankdir not in _RANKDIRS:
        raise ValueError(f"draw: rankdir must be one of {_RANKDIRS}, got {rankdir!r}")
    if max_nodes is not None and (not isinstance(max_nodes, (int, np.integer))
                                  or isinstance(max_nodes, bool) or max_nodes < 2):
        raise ValueError(f"draw: max_nodes must be an int >= 2 (the output and a summary), "
                         f"got {max_nodes!r}")
    names: dict[int, str] = {}
    if params is not None:
        if not isinstance(params, Mapping):
            raise TypeError("draw: params must be a mapping of name to tensor, such as "
                            "dict(model.named_parameters())")
        for k, v in params.items():
            names[id(v)] = str(k)
    return _drawing(roots, ad, names, show_data=show_data, show_grad=show_grad,
                    rankdir=rankdir, max_nodes=max_nodes, color_by_grad=color_by_grad,
                    graph_attr=graph_attr)


def _drawing(roots: list, ad, names: dict, *, show_data: bool = True, show_grad: bool = True,
             rankdir: str = "LR", max_nodes: int | None = MAX_NODES,
             color_by_grad: bool = False, graph_attr: Mapping[str, str] | None = None) -> Digraph:
    """``draw`` once its arguments are checked: ``ad`` says what a node looks like, ``names``
    maps ``id(node)`` to a name. Value ``i`` of ``topological_order(roots, ad.parents)`` is
    the DOT node ``v{i}``, its op ``o{i}`` (``ag.explain`` highlights them by these names)."""
    from ._graphviz import Digraph

    order = topological_order(roots, parents=ad.parents)
    index = {id(v): i for i, v in enumerate(order)}
    parents_idx = [[index[id(p)] for p in ad.parents(v)] for v in order]
    kept_values, kept_ops, stubs = _choose(order, parents_idx, [index[id(r)] for r in roots],
                                           ad, max_nodes)

    g = Digraph("autograd", graph_attr={"rankdir": rankdir, "nodesep": "0.15",
                                        "ranksep": "0.3", **(graph_attr or {})},
                node_attr={"fontsize": "10", "height": "0.3"},
                edge_attr={"arrowsize": "0.6", "color": "#555555"})
    root_ids = {id(r) for r in roots}
    body = g.body
    for i, v in enumerate(order):
        if i not in kept_values:
            continue
        body.append(_value_line(i, v, ad, names, id(v) in root_ids, show_data, show_grad,
                                color_by_grad))
        if i in kept_ops:
            body.append(f'\to{i} [label=<{_fit(ad.op(v))}> shape=ellipse style="filled" '
                        f'fillcolor="{OP}"]\n')
            body.append(f"\to{i} -> v{i}\n")
    for j, i in sorted(stubs):
        v = order[j]
        label = names.get(id(v)) or ad.name(v) or ad.header(v) or ad.data(v).text()
        body.append(f'\tr{j}_{i} [label=<{_fit(label)}> shape=box style="filled,dashed" '
                    f'fillcolor="{PARAM if ad.is_param(v) else PLAIN}" fontsize=8 '
                    f'tooltip="used again: the same value as the full box"]\n')

    fed_by_summary = []
    for i in sorted(kept_ops):
        for j in parents_idx[i]:
            if j in kept_values:
                body.append(f"\tr{j}_{i} -> o{i}\n" if (j, i) in stubs else f"\tv{j} -> o{i}\n")
        if any(j not in kept_values for j in parents_idx[i]):
            fed_by_summary.append(f"o{i}")
    for i in sorted(kept_values):
        if i not in kept_ops and parents_idx[i]:
            fed_by_summary.append(f"v{i}")
    if len(kept_values) < len(order):
        body.append(_summary_line(order, kept_values, kept_ops, ad, max_nodes))  # type: ignore[arg-type]
        for n in fed_by_summary:
            body.append(f"\tsummary -> {n} [style=dashed]\n")
    if color_by_grad:
        body.append(f"\tlegend [shape=plaintext label={_legend_label()}]\n")
    return g


_SHARED = 3  # a leaf feeding this many ops is drawn once, plus a small reference at each other


def _references(values: set, ops: set, parents_idx: list) -> set:
    """(leaf, op) pairs where the op reads a widely shared leaf through a small reference box.

    One long edge per use of a shared weight would cross the whole picture and make Graphviz's
    layout slow (its cost grows with the ranks that edges span).
    """
    readers: dict[int, list[int]] = {}
    for i in sorted(ops):
        for j in dict.fromkeys(parents_idx[i]):
            if j in values and not parents_idx[j]:
                readers.setdefault(j, []).append(i)
    return {(j, i) for j, rs in readers.items() if len(rs) >= _SHARED for i in rs[1:]}


def _choose(order: list, parents_idx: list, roots: list[int], ad, max_nodes: int | None):
    """The values, op nodes and references to draw: nearest to the roots first."""
    has_op = [ad.op(v) is not None for v in order]
    values = set(range(len(order)))
    ops = {i for i in values if has_op[i]}
    refs = _references(values, ops, parents_idx)
    if max_nodes is None or len(values) + len(ops) + len(refs) <= max_nodes:
        return values, ops, refs
    # distance from the roots: each node comes after all its consumers in reversed order
    dist = [len(order) + 1] * len(order)
    for r in roots:
        dist[r] = 0
    for i in range(len(order) - 1, -1, -1):
        d = dist[i] + 1
        for j in parents_idx[i]:
            if d < dist[j]:
                dist[j] = d
    ranked = sorted(range(len(order)), key=lambda i: (dist[i], -i))

    def take(budget: int):
        values, ops = set(), set()
        for i in ranked:
            if budget < 1:
                break
            values.add(i)
            budget -= 1
            if has_op[i] and budget >= 1:
                ops.add(i)
                budget -= 1
        refs = _references(values, ops, parents_idx)
        return values, ops, refs, len(values) + len(ops) + len(refs) + 1  # + the summary

    # the largest budget whose drawing fits (the count only grows with the budget)
    lo, hi = 1, max_nodes - 1
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if take(mid)[3] <= max_nodes:
            lo = mid
        else:
            hi = mid - 1
    return take(lo)[:3]


def _fit(text: str) -> str:
    """``text`` escaped for a label, with a space around it per character Graphviz measures
    too narrow: it knows the widths of ASCII only and takes a non-ASCII character as wide as
    one space per UTF-8 byte, which is too little for some two-byte ones (ω, ×: up to 0.27
    em short, where a space is 0.32 em)."""
    short = sum(1 for ch in text if 0x80 <= ord(ch) < 0x800)
    return " " * (short // 2) + escape(text) + " " * (short - short // 2)


def _value_line(i: int, v, ad, names: dict, is_root: bool, show_data: bool, show_grad: bool,
                color_by_grad: bool) -> str:
    rows = []
    name = names.get(id(v)) or ad.name(v)
    if name:
        rows.append(f"<b>{_fit(name)}</b>")
    header = ad.header(v)
    if header:
        rows.append(f'<font point-size="9">{escape(header)}</font>')
    data = ad.data(v)
    if show_data:
        text = ("data " if not header else "") + escape(data.text())
        rows.append(f'<font color="#777777"><i>{text}</i></font>' if data.gone else text)
    g = ad.grad(v) if (show_grad or color_by_grad) else None
    fill = OUTPUT if is_root else PARAM if ad.is_param(v) else PLAIN
    font = "black"
    if color_by_grad and g is not None:
        fill, font = _grad_style(g)
    if show_grad and g is not None:
        text = escape(g.grad_text())
        rows.append(f'<font color="#444444">{text}</font>' if font == "black" else text)
    bad = data.nonfinite() + (", grad " + g.nonfinite() if g is not None and g.nonfinite()
                              else "")
    if bad:
        rows.append(f'<font color="red">{escape(bad.strip(", "))}</font>')
    label = "<br/>".join(rows) or " "
    if font != "black":
        label = f'<font color="{font}">{label}</font>'
    extra = " color=red penwidth=2" if bad else " penwidth=2" if is_root else ""
    rounded = "" if ad.op(v) is None else "rounded,"  # square corners: a leaf
    return (f'\tv{i} [label=<{label}> shape=box style="{rounded}filled" '
            f'fillcolor="{fill}"{extra}]\n')


def _summary_line(order: list, kept_values: set, kept_ops: set, ad, max_nodes: int) -> str:
    n_values = n_ops = n_params = 0
    ops: dict[str, int] = {}
    for i, v in enumerate(order):
        if i not in kept_values:
            n_values += 1
            n_params += ad.is_param(v)
        if i not in kept_ops:
            op = ad.op(v)
            if op is not None:
                n_ops += 1
                ops[op] = ops.get(op, 0) + 1
    common = sorted(ops.items(), key=lambda kv: -kv[1])[:4]
    kinds = ", ".join(f"{escape(k)} {n:,}" for k, n in common)
    if len(ops) > len(common):
        kinds += ", ..."
    lines = [f"<b>{n_values + n_ops:,} more nodes</b>",
             f"{n_values:,} values ({n_params:,} {'leaf' if n_params == 1 else 'leaves'} "
             "that need grad)" if n_params
             else f"{n_values:,} values",
             f"{n_ops:,} ops" + (f": {kinds}" if kinds else ""),
             f'<font point-size="8">not drawn: max_nodes={max_nodes:,}</font>']
    return (f'\tsummary [label=<{"<br/>".join(lines)}> shape=note style=filled '
            f'fillcolor="{SUMMARY}"]\n')


def render_svg(root: Any, path: str | os.PathLike, **kwargs: Any) -> str:
    """Draw ``root``'s graph (see ``draw``; keyword arguments go to it) into an SVG file.

    Returns
    -------
    str
        ``path``.

    Raises
    ------
    ValueError
        When ``path`` ends in another extension than ``.svg`` (``ag.draw(root).render(path,
        format="png")`` writes other formats).

    Examples
    --------
    >>> model = nn.Linear(2, 1)
    >>> loss = model(ag.tensor([[1.0, 2.0]])).sum()
    >>> ag.render_svg(loss, "graph.svg", params=dict(model.named_parameters()))
    'graph.svg'
    """
    suffix = os.path.splitext(os.fspath(path))[1]
    if suffix and suffix.lower() != ".svg":
        raise ValueError(
            f"render_svg writes SVG, but the path {os.fspath(path)!r} ends in {suffix!r}: "
            f"name it .svg, or write another format with ag.draw(root).render(outfile="
            f"{os.fspath(path)!r})")
    svg = draw(root, **kwargs).pipe(format="svg")
    with open(path, "wb") as f:
        f.write(svg)
    return os.fspath(path)
