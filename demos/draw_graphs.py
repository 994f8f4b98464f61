"""Draw a computation graph and a network into SVG files.

The tutorial's 3-3-3-3 network with tanh, on four samples with a cross-entropy cost, after one
``backward()``: the recorded graph with the parameters' names and gradients
(``graph.svg``), the same coloured by gradient size (``graph_grad_colours.svg``) and the
architecture neuron by neuron (``network.svg``). Works without a system Graphviz (the
``graphviz-pure`` wheel renders).

Run: ``python demos/draw_graphs.py [--out demos/out]``
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

try:
    import autograd as ag
except ImportError:  # running from a checkout without installing: use the repository root
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    import autograd as ag
import nn

OUT = Path(__file__).resolve().parent / "out"


def draw(out_dir: Path = OUT) -> list[Path]:
    """Write the three pictures into ``out_dir`` (created if needed); returns their paths."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    ag.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 3), nn.Tanh(), nn.Linear(3, 3), nn.Tanh(),
                          nn.Linear(3, 3))
    x = ag.randn(4, 3)
    target = np.array([0, 2, 1, 0])
    loss = nn.functional.cross_entropy(model(x), target)
    loss.backward()  # the graph keeps its shape and the parameters' gradients for drawing

    params = dict(model.named_parameters())
    paths = [ag.render_svg(loss, out_dir / "graph.svg", params=params),
             ag.render_svg(loss, out_dir / "graph_grad_colours.svg", params=params,
                           color_by_grad=True)]
    (out_dir / "network.svg").write_bytes(nn.draw_network(model).pipe(format="svg"))
    paths.append(out_dir / "network.svg")
    return [Path(p) for p in paths]


def main(argv: list[str] | None = None) -> list[Path]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT, help="output folder (default %(default)s)")
    args = parser.parse_args(argv)
    paths = draw(args.out)
    for p in paths:
        print(f"wrote {p}")
    return paths


if __name__ == "__main__":
    main()
