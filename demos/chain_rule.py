"""The chain rule by hand beside the engine.

1. One sigmoid neuron ``a = σ(z)``, ``z = w·a_prev + b`` with cost ``C = (a - y)²``. By the chain
   rule ``∂C/∂w = a_prev · σ'(z) · 2(a - y)`` and ``∂C/∂b = σ'(z) · 2(a - y)``, where
   ``σ'(z) = σ(z)(1 - σ(z))``. The engine gets the same numbers from ``C.backward()``, and
   ``chain_rule.html`` (``ag.explain``) shows them being made: the demo prints the step where
   the product sent to w is a_prev · σ'(z) · 2(a - y).
2. The six losses: the engine's gradient with respect to the prediction beside the textbook
   formula (mean reduction, so every formula carries a ``1/n``).

Run: ``python demos/chain_rule.py [--out demos/out]``
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


def sigmoid(z: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-z))


OUT = Path(__file__).resolve().parent / "out"


def single_neuron(seed: int = 0) -> dict:
    """∂C/∂w and ∂C/∂b of one sigmoid neuron, from the engine and from the chain rule; also
    the explanation of its backward pass (``ag.explain``) and the step that makes ∂C/∂w."""
    rng = np.random.default_rng(seed)
    a_prev = rng.normal(size=3)  # the previous layer's activations a^{L-1}
    y = 1.0
    ag.manual_seed(seed)
    layer = nn.Linear(3, 1, dtype=np.float64)
    z_node = layer(ag.Tensor(a_prev))  # z = w·a_prev + b
    a = z_node.sigmoid()
    cost = ((a - y) ** 2).sum()
    page = ag.explain(cost, params={"w": layer.weight, "b": layer.bias})  # before backward
    cost.backward()

    w, b = layer.weight.data[0], layer.bias.data[0]
    z = w @ a_prev + b
    act = sigmoid(z)
    dsig = act * (1 - act)  # σ'(z)
    step = page.step_of("backward", z_node)  # z's op (Linear) sends ∂C/∂z · a_prev to w
    (to_w,) = [e for e in page.steps[step - 1].edges if page.values[e.parent] is layer.weight]
    return {
        "engine_w": layer.weight.grad.data[0], "hand_w": a_prev * dsig * 2 * (act - y),
        "engine_b": layer.bias.grad.data[0], "hand_b": dsig * 2 * (act - y),
        "cost": cost.item(), "page": page, "step": step, "page_w": to_w.product[0],
    }


def loss_gradients(seed: int = 0, n: int = 5, classes: int = 4) -> list[tuple[str, str, np.ndarray,
                                                                                  np.ndarray]]:
    """For each of the six losses: (name, formula, engine gradient, analytic gradient)."""
    rng = np.random.default_rng(seed)
    pred = rng.normal(size=n)
    target = rng.normal(size=n)
    prob = sigmoid(pred)  # probabilities for BCE
    label = rng.integers(0, 2, size=n).astype(np.float64)
    sign = np.where(label > 0, 1.0, -1.0)  # {-1, +1} targets for the hinge loss
    logits = rng.normal(size=(n, classes))
    cls = rng.integers(0, classes, size=n)
    delta = 1.0
    d = pred - target
    onehot = np.eye(classes)[cls]
    soft = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)

    cases = [
        ("MSE", "2(ŷ - y)/n", lambda t: F.mse_loss(t, target), pred, 2 * d / n),
        ("MAE", "sign(ŷ - y)/n", lambda t: F.l1_loss(t, target), pred, np.sign(d) / n),
        ("BCE", "(p - y)/(p(1 - p))/n", lambda t: F.binary_cross_entropy(t, label), prob,
         (prob - label) / (prob * (1 - prob)) / n),
        ("CE", "(softmax(z) - onehot(y))/n", lambda t: F.cross_entropy(t, cls), logits,
         (soft - onehot) / n),
        ("Hinge", "-y·[1 - y·ŷ > 0]/n", lambda t: F.hinge_loss(t, sign), pred,
         -sign * (1 - sign * pred > 0) / n),
        ("Huber", "(d if |d| < δ else δ·sign(d))/n", lambda t: F.huber_loss(t, target, delta=delta),
         pred, np.where(np.abs(d) < delta, d, delta * np.sign(d)) / n),
    ]
    rows = []
    for name, formula, loss_fn, value, analytic in cases:
        t = ag.Tensor(value, requires_grad=True)
        loss_fn(t).backward()
        rows.append((name, formula, t.grad.data, analytic))
    return rows


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT, help="output folder (default %(default)s)")
    args = parser.parse_args(argv)
    np.set_printoptions(precision=6, suppress=True)
    r = single_neuron()
    print("One sigmoid neuron, C = (a - y)²")
    print(f"  engine  ∂C/∂w = {r['engine_w']}   ∂C/∂b = {r['engine_b']:.6f}")
    print(f"  by hand ∂C/∂w = {r['hand_w']}   ∂C/∂b = {r['hand_b']:.6f}   "
          "(a_prev · σ'(z) · 2(a - y))")
    args.out.mkdir(parents=True, exist_ok=True)
    path = r["page"].save(args.out / "chain_rule.html")
    same = "the same numbers" if np.allclose(r["page_w"], r["hand_w"]) else "DIFFERENT numbers"
    print(f"  wrote {path}: step {r['step']} of {len(r['page'].steps)} (open "
          f"chain_rule.html#step-{r['step']}) is where the engine multiplies ∂C/∂z = "
          f"σ'(z)·2(a - y) by a_prev and sends it to w: {r['page_w']}, {same} as by hand")
    print("\nThe six losses: gradient with respect to the prediction (mean over n)")
    for name, formula, engine, analytic in loss_gradients():
        same = "agree" if np.allclose(engine, analytic) else "DIFFER"
        print(f"\n  {name:<6} formula {formula}   [{same}]")
        print(f"    engine   {engine.ravel()[:6]}")
        print(f"    analytic {analytic.ravel()[:6]}")
    return r


if __name__ == "__main__":
    main()
