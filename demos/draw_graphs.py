"""Draw a computation graph and a network: writes graph.svg and network.svg.

    python demos/draw_graphs.py [OUT]

Works without a system Graphviz (the graphviz-pure wheel renders).
"""

import argparse
from pathlib import Path

import numpy as np

import autograd as ag
import nn


def main(out: Path) -> None:
    ag.manual_seed(0)
    # the tutorial's 3-3-3-3 network
    model = nn.Sequential(nn.Linear(3, 3), nn.Tanh(), nn.Linear(3, 3), nn.Tanh(),
                          nn.Linear(3, 3))
    x = ag.randn(4, 3)
    target = np.array([0, 2, 1, 0])
    loss = nn.functional.cross_entropy(model(x), target)
    loss.backward(retain_graph=True)  # keep the graph so the gradients can be drawn on it

    params = dict(model.named_parameters())
    ag.render_svg(loss, out / "graph.svg", params=params)
    ag.render_svg(loss, out / "graph_grad_colours.svg", params=params, color_by_grad=True)
    nn.draw_network(model).render(out / "network", format="svg", cleanup=True)
    print(f"wrote {out / 'graph.svg'} and {out / 'network.svg'}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out", nargs="?", type=Path, default=Path("."),
                        help="folder for the SVG files (default: the current folder)")
    main(parser.parse_args().out)
