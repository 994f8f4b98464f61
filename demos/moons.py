"""A scalar MLP learns the two-moons data set: backpropagation on ``Value``s, nothing else.

The network is written the way a learner first writes one: a ``Neuron`` holds its weights
and bias as ``Value``s, a ``Layer`` is a list of neurons, an ``MLP`` is a list of layers.
Training minimises the max-margin (SVM hinge) loss plus an L2 penalty, by plain gradient
descent, as in micrograd's demo. Run it:

    python demos/moons.py [--steps 100] [--out demos/out]

It prints the loss and accuracy, shows a progress bar, and saves the decision boundary as
``moons_boundary.png`` in the output directory.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import random
import sys
from typing import Sequence

if __package__ in (None, ""):  # run as a script: make the repository importable
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from autograd import Value, no_grad  # noqa: E402

# ------------------------------------------------------------------------------- the model


class Neuron:
    """``relu(w · x + b)`` (or just ``w · x + b`` when ``nonlin`` is False)."""

    def __init__(self, nin: int, nonlin: bool = True) -> None:
        self.w = [Value(random.uniform(-1, 1)) for _ in range(nin)]
        self.b = Value(0.0)
        self.nonlin = nonlin

    def __call__(self, x: Sequence) -> Value:
        act = sum((wi * xi for wi, xi in zip(self.w, x)), self.b)
        return act.relu() if self.nonlin else act

    def parameters(self) -> list[Value]:
        return self.w + [self.b]


class Layer:
    """``nout`` neurons, each seeing all ``nin`` inputs."""

    def __init__(self, nin: int, nout: int, nonlin: bool = True) -> None:
        self.neurons = [Neuron(nin, nonlin) for _ in range(nout)]

    def __call__(self, x: Sequence) -> list[Value]:
        return [n(x) for n in self.neurons]

    def parameters(self) -> list[Value]:
        return [p for n in self.neurons for p in n.parameters()]


class MLP:
    """Layers of sizes ``nin -> nouts[0] -> ... -> nouts[-1]``; ReLU on all but the last."""

    def __init__(self, nin: int, nouts: Sequence[int]) -> None:
        sizes = [nin, *nouts]
        self.layers = [Layer(sizes[i], sizes[i + 1], nonlin=i != len(nouts) - 1)
                       for i in range(len(nouts))]

    def __call__(self, x: Sequence):
        for layer in self.layers:
            x = layer(x)
        return x[0] if len(x) == 1 else x

    def parameters(self) -> list[Value]:
        return [p for layer in self.layers for p in layer.parameters()]

    def zero_grad(self) -> None:
        for p in self.parameters():
            p.grad = 0.0


# ------------------------------------------------------------------------------- data and loss


def make_data(n_samples: int = 100, noise: float = 0.1, seed: int = 1):
    """Two moons: points as lists of two floats, labels as -1.0 / +1.0 floats."""
    from sklearn.datasets import make_moons

    X, y = make_moons(n_samples=n_samples, noise=noise, random_state=seed)
    return X.tolist(), [float(2 * label - 1) for label in y]


def loss(model, X: Sequence, y: Sequence[float], alpha: float = 1e-4):
    """Max-margin loss ``mean(relu(1 - y·score))`` plus ``alpha·Σ p²``; also the accuracy.

    Works with any micrograd-shaped ``Value`` and model (the benchmark runs micrograd's too).
    """
    scores = [model(x) for x in X]
    losses = [(1 + -yi * score).relu() for yi, score in zip(y, scores)]
    data_loss = sum(losses) * (1.0 / len(losses))
    reg_loss = alpha * sum(p * p for p in model.parameters())
    accuracy = sum((yi > 0) == (s.data > 0) for yi, s in zip(y, scores)) / len(y)
    return data_loss + reg_loss, accuracy


def train_step(model, X: Sequence, y: Sequence[float], lr: float):
    """One full step: forward over all points, zero grad, backward, SGD update."""
    total, accuracy = loss(model, X, y)
    model.zero_grad()
    total.backward()
    for p in model.parameters():
        p.data -= lr * p.grad
    return total.data, accuracy


def make_model(seed: int = 1337) -> MLP:
    """The demo's network, 2-16-16-1, with reproducible initial weights."""
    random.seed(seed)
    return MLP(2, [16, 16, 1])


def train(model, X, y, steps: int = 100, progress: bool = True) -> tuple[float, float]:
    """Gradient descent with micrograd's learning-rate schedule ``1 - 0.9·k/steps``."""
    from tqdm import tqdm

    bar = tqdm(range(steps), desc="training", disable=not progress)
    total = accuracy = float("nan")
    for k in bar:
        total, accuracy = train_step(model, X, y, lr=1.0 - 0.9 * k / steps)
        bar.set_postfix(loss=f"{total:.4f}", acc=f"{accuracy:.0%}")
    return total, accuracy


def predict(model, X: Sequence) -> list[float]:
    """Scores of ``model`` on the points ``X``, recording no graph."""
    with no_grad():
        return [model(x).data for x in X]


def plot_boundary(model, X, y, path: str, resolution: float = 0.05) -> None:
    """Save the decision regions of ``model`` and the data points as a PNG at ``path``."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    pts = np.asarray(X)
    xs = np.arange(pts[:, 0].min() - 1, pts[:, 0].max() + 1, resolution)
    ys = np.arange(pts[:, 1].min() - 1, pts[:, 1].max() + 1, resolution)
    xx, yy = np.meshgrid(xs, ys)
    grid = np.c_[xx.ravel(), yy.ravel()].tolist()
    zz = (np.asarray(predict(model, grid)) > 0).reshape(xx.shape)
    fig, ax = plt.subplots(figsize=(6, 5))
    ax.contourf(xx, yy, zz, cmap=plt.cm.Spectral, alpha=0.8)
    ax.scatter(pts[:, 0], pts[:, 1], c=y, s=40, cmap=plt.cm.Spectral, edgecolors="k")
    ax.set(xlim=(xx.min(), xx.max()), ylim=(yy.min(), yy.max()),
           title="2-16-16-1 MLP of Values on two moons")
    fig.savefig(path, dpi=100, bbox_inches="tight")
    plt.close(fig)


def require_demos_extra(*modules: str) -> None:
    """Stop with the install command when a package of the ``demos`` extra is missing."""
    missing = [m for m in modules if importlib.util.find_spec(m) is None]
    if missing:
        raise SystemExit(f"this demo needs {', '.join(missing)} (the 'demos' extra): "
                         f"{sys.executable} -m pip install -e '.[demos]'")


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--steps", type=int, default=100,
                        help="gradient-descent steps over all points (default %(default)s)")
    parser.add_argument("--out", default=os.path.join(os.path.dirname(__file__), "out"),
                        help="output folder (default %(default)s)")
    args = parser.parse_args(argv)
    require_demos_extra("sklearn", "matplotlib", "tqdm")
    X, y = make_data()
    model = make_model()
    total, accuracy = train(model, X, y, steps=args.steps)
    print(f"final loss {total:.4f}, training accuracy {accuracy:.0%}")
    os.makedirs(args.out, exist_ok=True)
    path = os.path.join(args.out, "moons_boundary.png")
    plot_boundary(model, X, y, path)
    print(f"decision boundary saved to {path}")


if __name__ == "__main__":
    main()
