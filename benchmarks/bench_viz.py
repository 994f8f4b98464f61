"""Visualisation benchmarks (issue 4): drawing and rendering a graph of 10^4 nodes.

``draw`` builds the DOT source (no Graphviz involved); rendering runs Graphviz's layout (the
system ``dot`` or the graphviz-pure binary), which dominates for large graphs: ``max_nodes``
keeps it to a fraction of a second.
"""

from __future__ import annotations

import autograd as ag
from autograd.viz import dot_executable
from benchmarks._timing import interleaved, settle, table


def chain(n_ops: int) -> ag.Tensor:
    x = ag.tensor([1.0, 2.0, 3.0], requires_grad=True)
    w = ag.tensor([0.5, -0.5, 1.0], requires_grad=True)
    y = x
    for i in range(n_ops):
        y = (y * w) if i % 2 else y.tanh()
    return y.sum()


def main() -> None:
    settle()
    y = chain(5_000)
    g = ag.draw(y, max_nodes=None)
    nodes = g.source.count("label=")
    cases = {
        f"draw, {nodes:,} nodes (DOT source)": lambda: ag.draw(y, max_nodes=None),
        "draw, default budget (2,000 nodes)": lambda: ag.draw(y),
        "draw, max_nodes=200": lambda: ag.draw(y, max_nodes=200),
        "draw + render SVG, max_nodes=200": lambda: ag.draw(y, max_nodes=200).pipe("svg"),
        "draw + render SVG, max_nodes=1000": lambda: ag.draw(y, max_nodes=1000).pipe("svg"),
    }
    times = interleaved(cases, repeats=5)
    full = interleaved({"full": lambda: g.pipe("svg")}, repeats=1, warmup=0)["full"]
    rows = [(name, f"{t * 1e3:,.0f} ms", "") for name, t in times.items()]
    rows.append((f"render SVG, all {nodes:,} nodes", f"{full * 1e3:,.0f} ms", ""))
    print(table(f"ag.draw on a {nodes:,}-node graph (Graphviz: {dot_executable()})", rows))


if __name__ == "__main__":
    main()
