"""ReLU, Tanh and Sigmoid with their derivatives, the derivatives computed by the engine.

For ``x`` on a grid, ``y = f(x)`` is recorded and ``y.sum().backward()`` leaves ``f'(x)`` in
``x.grad`` (each output depends only on its own input, so the gradient of the sum is the
elementwise derivative). No derivative formula appears in this file. The plot goes to
``activations.png`` in the output folder.

Run: ``python demos/activations.py [--out demos/out]``
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
from pathlib import Path

import numpy as np

try:
    import autograd as ag
except ModuleNotFoundError:  # running from a checkout without installing: use the repository root
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    import autograd as ag
import nn

OUT = Path(__file__).resolve().parent / "out"
ACTIVATIONS = {"ReLU": nn.ReLU(), "Tanh": nn.Tanh(), "Sigmoid": nn.Sigmoid()}


def curves(lo: float = -4.0, hi: float = 4.0, n: int = 401) -> dict:
    """``{name: (x, f(x), f'(x))}`` with ``f'`` from the engine's backward pass."""
    out = {}
    for name, act in ACTIVATIONS.items():
        x = ag.Tensor(np.linspace(lo, hi, n), requires_grad=True)
        y = act(x)
        y.sum().backward()
        out[name] = (x.data, y.data, x.grad.data)
    return out


def plot(path: Path) -> Path:
    """All three activations (solid) and their derivatives (dashed) in one PNG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    data = curves()
    fig, axes = plt.subplots(1, len(data), figsize=(12, 3.6), sharey=True)
    for ax, (name, (x, y, dy)) in zip(axes, data.items()):
        ax.plot(x, y, label=f"{name}(x)", color="tab:blue")
        ax.plot(x, dy, "--", label=f"{name}'(x) (engine)", color="tab:orange")
        ax.axhline(0, color="grey", lw=0.5)
        ax.axvline(0, color="grey", lw=0.5)
        ax.set(title=name, xlabel="x", ylim=(-1.2, 1.6))
        ax.legend(loc="upper left", fontsize=8)
        ax.grid(alpha=0.3)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def require_demos_extra(*modules: str) -> None:
    """Stop with the install command when a package of the ``demos`` extra is missing."""
    missing = [m for m in modules if importlib.util.find_spec(m) is None]
    if missing:
        raise SystemExit(f"this demo needs {', '.join(missing)} (the 'demos' extra): "
                         f"{sys.executable} -m pip install -e '.[demos]'")


def main(argv: list[str] | None = None) -> Path:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=OUT, help="output folder (default %(default)s)")
    args = parser.parse_args(argv)
    require_demos_extra("matplotlib")
    path = plot(args.out / "activations.png")
    print(f"wrote {path}")
    return path


if __name__ == "__main__":
    main()
