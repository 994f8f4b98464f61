"""The page of an ``Explanation``: one self-contained HTML document to step through.

The graph is drawn by the renderer behind ``ag.draw`` and inlined as SVG; each step's text is
written here as HTML, the steps and the arrays go into the page as JSON, and the template
(``explain.html`` next to this file) holds the CSS and the script that steps through them
(buttons, the ← → Home End keys, ``#step-N`` in the address). Nothing is fetched: the page
opens offline in any browser.
"""

from __future__ import annotations

import json
import re
from html import escape
from importlib import resources

import numpy as np

from .summary import Summary
from .viz import _drawing

FULL = 20_000  # arrays up to this many elements can be shown whole on the page

_KIND = {"forward": "forward", "backward": "backward", "gradient": "∇C"}
# the letters the op declarations' formulas use for their inputs, and which input each is
_VARIABLES = (("x", 0), ("a", 0), ("p", 0), ("b", 1), ("W", 1), ("y", 1))


class _Numbers:
    """Writes arrays as text: a scalar in full, a tensor as shape, dtype and a summary with
    the whole array one click away (stored once per array in ``arrays``)."""

    def __init__(self) -> None:
        self.arrays: list[str] = []
        self._seen: dict[int, int] = {}

    def __call__(self, a) -> str:
        if a is None:
            return "<i>none</i>"
        a = np.asarray(a)
        if a.size == 1:
            return f'<span class="num">{escape(str(a.reshape(-1)[0]))}</span>'
        s = Summary.of(a)
        k = self._seen.get(id(a))
        if k is None:
            k = self._seen[id(a)] = len(self.arrays)
            shown = a.reshape(-1)[:FULL] if a.size > FULL else a
            text = np.array2string(shown, threshold=shown.size + 1, max_line_width=96,
                                   separator=", ", floatmode="unique")
            if a.size > FULL:
                text += f"\n... the first {FULL:,} of {a.size:,} values"
            self.arrays.append(text)
        return (f'<span class="num">{escape(s.header())}: {escape(s.text())}</span>'
                f'<details data-array="{k}"><summary>the array</summary><pre></pre></details>')


def _steps(ex, num: _Numbers) -> list[dict]:
    names, values = ex.names, ex.values
    n = len(ex.steps)
    out = []
    for number, step in enumerate(ex.steps, 1):
        head = f"Step {number} of {n} · {_KIND[step.kind]}"
        hl, also, edges = [], [], []
        if step.kind == "forward":
            i = step.node
            op = ex.ops[i]
            hl.append(f"v{i}")
            if op is None:
                role = ("a parameter: backward will find ∂C/∂" + names[i]
                        if ex.needs_grad[i] else "a constant input")
                body = (f"<p><b>{escape(names[i])}</b> is {escape(role)}.</p>"
                        f"<p>{escape(names[i])} = {num(ex.data[i])}</p>")
            else:
                also.append(f"o{i}")
                edges += [f"v{j}->o{i}" for j in ex.parents[i]] + [f"o{i}->v{i}"]
                body = (f"<p><b>{escape(names[i])}</b> = {escape(op)}"
                        f"({escape(', '.join(ex.operands[i]))})</p>"
                        f"<p>{escape(names[i])} = {num(ex.data[i])}</p>")
            title = f"{head}: {names[i]}"
        elif step.kind == "backward":
            i = step.node
            title = f"{head}: {names[i]}"
            body = _arrival(ex, step, num)
            if step.edges:
                hl.append(f"o{i}")
                also.append(f"v{i}")
                body += _sends(ex, step, num)
                edges += [f"v{e.parent}->o{i}" for e in step.edges] + [f"o{i}->v{i}"]
            else:
                hl.append(f"v{i}")
                body += (f"<p>{escape(names[i])} is a leaf: this is its whole gradient, the "
                         f"entry ∂C/∂{escape(names[i])} of ∇C.</p>")
        else:
            title = f"{head}: the gradient of C, assembled"
            rows = "".join(f"<tr><td>∂C/∂{escape(name)}</td><td>{num(g)}</td></tr>"
                           for name, _, g in step.leaves)
            parts = ", ".join(f"∂C/∂{escape(name)}" for name, _, _ in step.leaves)
            body = (f"<p>∇C = ({parts})</p><table class=\"grads\">{rows}</table>"
                    "<p>These are the numbers <code>backward()</code> puts into each "
                    "parameter's <code>.grad</code>.</p>")
            hl += [f"v{i}" for _, i, _ in step.leaves] + [f"v{len(values) - 1}"]
        out.append({"kind": step.kind, "title": title, "html": body, "hl": hl, "also": also,
                    "edges": edges, "node": names[step.node] if step.node is not None else ""})
    return out


def _arrival(ex, step, num) -> str:
    names, i = ex.names, step.node
    name = escape(names[i])
    if i == len(ex.values) - 1:
        return (f"<p>Backward starts at the output: ∂{name}/∂{name} = {num(step.grad)}</p>")
    text = f"<p>The gradient arriving at <b>{name}</b>: ∂C/∂{name} = {num(step.grad)}</p>"
    if len(step.received) > 1:
        parts = "".join(f"<li>from {escape(names[j])}: {num(g)}</li>" for j, g in step.received)
        text += (f"<p>{name} is used {len(step.received)} times, so its gradient is the sum "
                 f"of what each use sent:</p><ul>{parts}</ul>")
    elif step.received:
        text += f"<p>(sent by {escape(names[step.received[0][0]])})</p>"
    return text


def _sends(ex, step, num) -> str:
    names, i = ex.names, step.node
    name = escape(names[i])
    op = escape(ex.ops[i] or "")
    inputs = ", ".join(escape(x) for x in ex.operands[i])
    scalar = np.asarray(step.grad).size == 1
    text = (f"<p>The op {op}({inputs}) sends each input the gradient arriving times its "
            f"local derivative:</p>")
    for e in step.edges:
        p = escape(names[e.parent])
        formula = escape(e.formula) if e.formula else "<i>(no formula declared)</i>"
        text += (f'<div class="edge"><p>to <b>{p}</b>: local derivative ∂{name}/∂{p} = '
                 f'<span class="formula">{formula}</span> = {num(e.local)}</p>')
        if scalar and e.product is not None and np.shape(e.local) == np.shape(e.product):
            text += (f"<p>sends ∂C/∂{name} · ∂{name}/∂{p} = {num(step.grad)} × {num(e.local)}"
                     f" = {num(e.product)}</p></div>")
        else:
            text += f"<p>sends to {p}: {num(e.product)}</p></div>"
    formulas = " ".join(e.formula or "" for e in step.edges)
    operands = ex.operands[i]
    used = [f"{var} = {escape(operands[k])}" for var, k in _VARIABLES
            if k < len(operands) and re.search(rf"(?<![A-Za-z]){var}(?![A-Za-z])", formulas)]
    text += (f'<p class="legend">In the formulas: {", ".join(used + [f"out = {name}"])}; '
             f'the numbers after a formula are what the op sends back for a gradient of 1 '
             f'everywhere, which then multiplies ∂C/∂{name}.</p>')
    return text


class _Node:
    """One value of the explained graph, for the drawing (``ex.parents`` gives the edges)."""

    __slots__ = ("i",)

    def __init__(self, i: int) -> None:
        self.i = i


class _Drawn:
    """How the drawing reads an ``Explanation``: what ``explain`` took of the graph."""

    def __init__(self, ex) -> None:
        self.ex = ex
        self.nodes = [_Node(i) for i in range(len(ex.values))]

    def parents(self, n) -> tuple:
        return tuple(self.nodes[j] for j in self.ex.parents[n.i])

    def op(self, n):
        return self.ex.ops[n.i]

    def is_param(self, n) -> bool:
        return not self.ex.parents[n.i] and self.ex.needs_grad[n.i]

    def name(self, n):
        return None

    def header(self, n) -> str:
        if self.ex.kind == "value":
            return ""
        a = self.ex.data[n.i]
        return f"{'scalar' if a.ndim == 0 else str(a.shape)} {a.dtype}"

    def data(self, n) -> Summary:
        return Summary.of(self.ex.data[n.i])

    def grad(self, n):
        return None


def _svg(ex) -> str:
    ad = _Drawn(ex)
    names = {id(n): name for n, name in zip(ad.nodes, ex.names)}
    g = _drawing([ad.nodes[-1]], ad, names, show_grad=False, max_nodes=None, rankdir="TB")
    svg = g.pipe(format="svg", encoding="utf-8")
    return svg[svg.index("<svg"):]


def page(ex) -> str:
    """The self-contained HTML page of ``ex`` (an ``Explanation``)."""
    num = _Numbers()
    steps = _steps(ex, num)
    data = json.dumps({"steps": steps, "arrays": num.arrays}, ensure_ascii=False)
    data = data.replace("</", "<\\/")  # nothing in the JSON may close the script element
    template = resources.files("autograd").joinpath("explain.html").read_text("utf-8")
    title = f"Backpropagation through {ex.names[-1]}: {len(steps)} steps"
    parts = {"__TITLE__": escape(title), "__SVG__": _svg(ex), "__DATA__": data}
    return re.sub("__TITLE__|__SVG__|__DATA__", lambda m: parts[m.group(0)], template)


def iframe(html: str) -> str:
    """``html`` in an iframe: the page's script and styles stay inside (for Jupyter)."""
    return (f'<iframe srcdoc="{escape(html, quote=True)}" sandbox="allow-scripts" '
            f'style="width: 100%; height: 640px; border: 1px solid #ccc"></iframe>')
