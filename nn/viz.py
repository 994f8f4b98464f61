"""``draw_network``: a model's architecture as a ``graphviz.Digraph``.

Small fully connected models are drawn neuron by neuron, every weight an edge (blue positive,
red negative, thicker when larger), like the pictures in a backpropagation tutorial. Larger
models, or models with layers other than ``Linear``, are drawn as one box per layer with its
parameter shapes and the shape of the activations between layers.

Only the module interface is used (``children()``, ``named_parameters()``, ``Linear``'s
``in_features``/``out_features``/``weight``/``bias``), and layers are taken in the order
``children()`` gives them: the data flow of ``nn.Sequential`` and of most simple models.
"""

from __future__ import annotations

from html import escape
from typing import Any

import numpy as np

from autograd.viz import Digraph

__all__ = ["draw_network"]

INPUT, HIDDEN, OUTPUT, LAYER, ACT = "#fff2cc", "#dae8fc", "darkolivegreen1", "lightblue", \
    "lightgrey"
POSITIVE, NEGATIVE = "#2166ac", "#b2182b"


def _children(m: Any) -> list:
    children = getattr(m, "children", None)
    return list(children()) if callable(children) else []


def _leaf_modules(model: Any) -> list:
    """The modules without children, depth first in registration order (no recursion)."""
    leaves, stack = [], [model]
    while stack:
        m = stack.pop()
        kids = _children(m)
        if kids:
            stack.extend(reversed(kids))
        else:
            leaves.append(m)
    return leaves


def _own_params(m: Any) -> list:
    named = getattr(m, "named_parameters", None)
    return list(named()) if callable(named) else []


def _is_linear(m: Any) -> bool:
    w = getattr(m, "weight", None)
    return (hasattr(m, "in_features") and hasattr(m, "out_features") and w is not None
            and len(getattr(w, "shape", ())) == 2)


def _array(p: Any) -> np.ndarray:
    return np.asarray(getattr(p, "data", p))


def _shape(p: Any) -> tuple:
    return tuple(getattr(p, "shape", np.shape(_array(p))))


def _count(shape: tuple) -> int:
    return int(np.prod(shape, dtype=np.int64))


def _stages(model: Any, full_names: dict) -> list[dict]:
    """Group the leaf modules: each layer with parameters, followed by its parameter-free ops."""
    stages: list[dict] = []
    for m in _leaf_modules(model):
        params = _own_params(m)
        kind = type(m).__name__
        if params or not stages or stages[-1]["ops"] is None:
            name = ""
            if params:
                full = full_names.get(id(params[0][1]), "")
                name = full.rsplit(".", 1)[0] if "." in full else ""
            stages.append({"module": m, "kind": kind, "name": name, "params": params,
                           "ops": [] if params else None})
        else:
            stages[-1]["ops"].append(kind)
    return stages


def draw_network(model: Any, *, mode: str = "auto", max_neurons: int = 16,
                 rankdir: str = "LR", show_weights: bool = True) -> Digraph:
    """Draw the architecture of ``model`` (an ``nn.Module``).

    Parameters
    ----------
    model : nn.Module
        Its layers are taken depth first in the order ``children()`` yields them.
    mode : {"auto", "neurons", "layers"}
        ``"neurons"``: one circle per neuron and one edge per weight (fully connected models
        only). ``"layers"``: one box per layer with its parameter shapes. ``"auto"`` picks
        neurons when every layer with parameters is a ``Linear`` no wider than
        ``max_neurons``.
    max_neurons : int
        The widest layer ``"auto"`` still draws neuron by neuron.
    rankdir : {"LR", "RL", "TB", "BT"}
        Direction of the data flow.
    show_weights : bool
        In neuron mode, colour each edge by its weight's sign and scale its width by its size.

    Returns
    -------
    Digraph
        A ``graphviz.Digraph`` (renders with the system Graphviz or the ``graphviz-pure``
        wheel; displays inline in Jupyter).

    Examples
    --------
    >>> model = nn.Sequential(nn.Linear(3, 3), nn.Tanh(), nn.Linear(3, 3), nn.Tanh(),
    ...                       nn.Linear(3, 3))
    >>> nn.draw_network(model).render("network", format="svg")
    """
    if mode not in ("auto", "neurons", "layers"):
        raise ValueError(f"draw_network: mode must be 'auto', 'neurons' or 'layers', "
                         f"got {mode!r}")
    if rankdir not in ("LR", "RL", "TB", "BT"):
        raise ValueError(f"draw_network: rankdir must be LR, RL, TB or BT, got {rankdir!r}")
    if not callable(getattr(model, "named_parameters", None)):
        raise TypeError(f"draw_network: expected an nn.Module, got {type(model).__name__}")
    named = list(model.named_parameters())
    full_names = {id(p): n for n, p in named}
    stages = _stages(model, full_names)
    linear = [s for s in stages if s["params"]]
    fully_connected = bool(linear) and all(_is_linear(s["module"]) for s in linear)
    if mode == "neurons" and not fully_connected:
        raise ValueError("draw_network: mode='neurons' needs a model whose layers with "
                         "parameters are all Linear; use mode='layers'")
    if mode == "auto":
        widest = max((max(s["module"].in_features, s["module"].out_features) for s in linear),
                     default=0) if fully_connected else 0
        mode = "neurons" if fully_connected and widest <= max_neurons else "layers"

    g = Digraph(type(model).__name__, graph_attr={"rankdir": rankdir, "ranksep": "0.6",
                                                   "nodesep": "0.12"},
                node_attr={"fontsize": "10"}, edge_attr={"arrowsize": "0.5"})
    total = sum(_count(_shape(p)) for _, p in named)
    label = f"{type(model).__name__}: {total:,} parameters"
    if mode == "neurons" and show_weights:
        label += "\nedges: blue w > 0, red w < 0, width ~ |w|"
    g.attr(label=label, labelloc="b", fontsize="11")
    if mode == "neurons":
        _neurons(g, [s for s in stages if s["params"]], show_weights, rankdir)
    else:
        _layers(g, stages)
    return g


def _neurons(g: Digraph, stages: list[dict], show_weights: bool, rankdir: str) -> None:
    """One circle per neuron, pinned on a grid (Graphviz's neato keeps pinned positions)."""
    g.engine = "neato"
    g.graph_attr.update(splines="false", outputorder="edgesfirst")
    widths = [stages[0]["module"].in_features] + [s["module"].out_features for s in stages]
    tallest = max(widths)

    def pos(k: int, i: int, n: int) -> str:
        along, across = 1.9 * k, 0.65 * ((n - 1) / 2 - i)  # layer k, neuron i of n
        x, y = {"LR": (along, across), "RL": (-along, across),
                "TB": (-across, -along), "BT": (-across, along)}[rankdir]
        return f"{x:.3f},{y:.3f}!"

    titles = ["input"]
    for k, s in enumerate(stages, start=1):
        act = ", ".join(s["ops"] or ())
        titles.append(f"{s['name'] + ': ' if s['name'] else ''}Linear({widths[k - 1]}, "
                      f"{widths[k]})" + (f"\n+ {act}" if act else ""))
    for k, title in enumerate(titles):
        g.node(f"title{k}", title, shape="plaintext", fontsize="9", fontcolor="#444444",
               pos=pos(k, tallest - 0.1, tallest) if rankdir in ("LR", "RL")
               else pos(k, -1.6, 1))
    for i in range(widths[0]):
        g.node(f"l0n{i}", f"x{i + 1}", shape="circle", style="filled", fillcolor=INPUT,
               width="0.45", fixedsize="true", pos=pos(0, i, widths[0]))
    body = g.body
    for k, s in enumerate(stages, start=1):
        m, last = s["module"], k == len(stages)
        acts = [op for op in s["ops"] or () if op not in ("Dropout", "Identity")]
        short = acts[-1].lower()[:7] if acts else ""
        bias = getattr(m, "bias", None)
        b = _array(bias).astype(np.float64) if bias is not None else None
        for j in range(widths[k]):
            g.node(f"l{k}n{j}", f"y{j + 1}" if last and not short else short, shape="circle",
                   style="filled", width="0.45", fixedsize="true", fontsize="8",
                   fillcolor=OUTPUT if last else HIDDEN, pos=pos(k, j, widths[k]),
                   tooltip=f"bias {b[j]:.4g}" if b is not None else "no bias")
        w = _array(m.weight).astype(np.float64)
        scale = float(np.abs(w).max()) or 1.0
        for j in range(widths[k]):
            for i in range(widths[k - 1]):
                attrs = ""
                if show_weights:
                    wij = w[j, i]
                    attrs = (f' [color="{POSITIVE if wij >= 0 else NEGATIVE}" '
                             f"penwidth={0.4 + 2.2 * abs(wij) / scale:.2f} "
                             f'tooltip="w[{j},{i}] = {wij:.4g}"]')
                body.append(f"\tl{k - 1}n{i} -> l{k}n{j}{attrs}\n")


def _layers(g: Digraph, stages: list[dict]) -> None:
    prev, width = None, None
    for k, s in enumerate(stages):
        m, node = s["module"], f"s{k}"
        if _is_linear(m):
            if prev is None:
                g.node("input", f"input\n(N, {m.in_features})", shape="plaintext")
                prev, width = "input", m.in_features
            rows = [f"<b>{escape(s['name'] + ': ' if s['name'] else '')}Linear</b>",
                    f"{m.in_features} -&gt; {m.out_features}"]
        else:
            rows = [f"<b>{escape(s['name'] + ': ' if s['name'] else '')}{escape(s['kind'])}</b>"]
        for pname, p in s["params"]:
            rows.append(f'<font point-size="9">{escape(pname)} {_shape(p)}</font>')
        n = sum(_count(_shape(p)) for _, p in s["params"])
        if s["params"]:
            rows.append(f'<font point-size="9" color="#444444">{n:,} params</font>')
        g.node(node, f"<{'<br/>'.join(rows)}>", shape="box", style="rounded,filled",
               fillcolor=LAYER if s["params"] else ACT)
        if prev is not None:
            g.edge(prev, node, label=_activation_shape(width), fontsize="8")
        prev = node
        if _is_linear(m):
            width = m.out_features
        for j, op in enumerate(s["ops"] or ()):
            g.node(f"{node}a{j}", op, shape="ellipse", style="filled", fillcolor=ACT)
            g.edge(prev, f"{node}a{j}", label=_activation_shape(width), fontsize="8")
            prev = f"{node}a{j}"
    if prev is not None:
        g.node("output", f"output\n{_activation_shape(width) or ''}".strip(), shape="plaintext")
        g.edge(prev, "output")


def _activation_shape(width: int | None) -> str:
    return f"(N, {width})" if width is not None else ""
