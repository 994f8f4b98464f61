"""Quickstart: the tutorial's seed network, trained with ``nn`` in a few lines.

Three samples with three features each (the columns [50, 25, 75], [0.2, 0.01, 1.2] and
[756, 938, 683], standardised), three classes (targets 0, 1, 2), and the network

    Linear(3, 3) -> ReLU -> Linear(3, 3) -> ReLU -> Linear(3, 3) -> softmax cross-entropy

Nothing about this network is differentiated by hand: the gradient vector ∇C of the cost with
respect to all 36 parameters falls out of the engine's backward walk. The demo prints the cost
falling to near zero, prints ∇C at the first step, and writes into the output folder the
computation graph (``graph.svg``, ``ag.render_svg``), the architecture (``network.svg``,
``nn.draw_network``) and the first step's backward pass, one chain-rule step at a time
(``backprop.html``, ``ag.explain``: open it in a browser and step with the arrow keys).

Run: ``python demos/quickstart.py [--out demos/out] [--steps 200]``
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
import nn.functional as F

OUT = Path(__file__).resolve().parent / "out"

# one column per feature, one row per sample
FEATURES = np.array([[50, 25, 75], [0.2, 0.01, 1.2], [756, 938, 683]], dtype=np.float64).T
TARGETS = np.array([0, 1, 2])


def data() -> tuple[ag.Tensor, np.ndarray]:
    """The three samples standardised per feature (float32), and their classes."""
    x = (FEATURES - FEATURES.mean(axis=0)) / FEATURES.std(axis=0)
    return ag.Tensor(x.astype(np.float32)), TARGETS


def build(seed: int = 1) -> nn.Sequential:
    """The seed network: 3 -> 3 -> 3 -> 3 with ReLUs, PyTorch's default initialisation."""
    ag.manual_seed(seed)
    return nn.Sequential(nn.Linear(3, 3), nn.ReLU(), nn.Linear(3, 3), nn.ReLU(), nn.Linear(3, 3))


def gradient_vector(model: nn.Module) -> np.ndarray:
    """∇C: every parameter's gradient, flattened and joined in ``named_parameters`` order."""
    return np.concatenate([p.grad.data.ravel() for p in model.parameters()])


def train(steps: int = 200, lr: float = 0.05, seed: int = 1, out_dir: Path | None = None,
          verbose: bool = True) -> dict:
    """Train the seed network with Adam; returns the losses, ∇C at step 0 and the model."""
    x, y = data()
    model = build(seed)
    opt = nn.optim.Adam(model.parameters(), lr=lr)
    losses, first_grad = [], None
    for step in range(steps):
        loss = F.cross_entropy(model(x), y)
        opt.zero_grad()
        draw = step == 0 and out_dir is not None
        # explain runs a backward pass of its own, so it comes before backward() frees the graph
        page = ag.explain(loss, params=model.named_parameters()) if draw else None
        loss.backward()
        if step == 0:
            first_grad = gradient_vector(model)
            if verbose:
                show_gradient(model, loss.item())
            if draw:
                write_pictures(loss, model, page, out_dir, verbose)
        opt.step()
        losses.append(loss.item())
        if verbose and (step % (steps // 10 or 1) == 0 or step == steps - 1):
            print(f"step {step:4d}   cost C = {loss.item():.6f}")
    with ag.no_grad():
        probs = F.softmax(model(x), axis=1)
    if verbose:
        print("\nclass probabilities after training (rows: samples):")
        print(np.array2string(probs.data, precision=4, suppress_small=True))
    return {"losses": losses, "gradient": first_grad, "model": model, "probs": probs.data}


def show_gradient(model: nn.Module, cost: float) -> None:
    print(model)
    print(f"\nstep 0: C = {cost:.6f}; the gradient ∇C, parameter by parameter:")
    for name, p in model.named_parameters():
        grad = np.array2string(p.grad.data.ravel(), precision=5, max_line_width=200)
        print(f"  ∂C/∂{name:<9} {grad}")
    print(f"  ({sum(p.size for p in model.parameters())} numbers in all)\n")


def write_pictures(loss: ag.Tensor, model: nn.Module, page: ag.Explanation, out_dir: Path,
                   verbose: bool) -> list[Path]:
    """``graph.svg`` (the recorded computation, after backward: with the gradients),
    ``network.svg`` (the architecture) and ``backprop.html`` (the chain rule, step by step)."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = [Path(ag.render_svg(loss, out_dir / "graph.svg",
                                params=dict(model.named_parameters()))),
             out_dir / "network.svg", Path(page.save(out_dir / "backprop.html"))]
    paths[1].write_bytes(nn.draw_network(model).pipe(format="svg"))
    if verbose:
        for p in paths:
            print(f"wrote {p}")
        print(f"  ({len(page.steps)} steps: open backprop.html and press → to step through "
              "the forward pass, then backward, node by node)\n")
    return paths


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT, help="output folder (default %(default)s)")
    parser.add_argument("--steps", type=int, default=200)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    return train(args.steps, seed=args.seed, out_dir=args.out)


if __name__ == "__main__":
    main()
