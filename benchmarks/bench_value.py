"""Scalar engine benchmark (issue 5): one training step of the two-moons MLP, Value vs micrograd.

The step is the whole of ``demos/moons.py``'s loop body: the forward pass over all 100 points,
the max-margin loss with L2, zero grad, backward and the SGD update, for a 2-16-16-1 MLP of
scalars. micrograd (the ``bench`` extra) runs the very same code on its own ``Value`` and
``MLP``, with the same initial weights and data, in the same process, interleaved. The garbage
each step leaves is collected untimed between steps, so neither engine pays for the other's.
"""

from __future__ import annotations

import gc
import os
import sys

from benchmarks._timing import have, interleaved, settle, table

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from demos.moons import make_data, make_model, train_step  # noqa: E402

HAVE_MICROGRAD = have("micrograd")
TARGET = 8.0  # at least this many times faster per step than micrograd


def micrograd_model(seed: int = 1337):
    """micrograd's own 2-16-16-1 MLP, drawn from the same random stream as ``make_model``."""
    import random

    from micrograd.nn import MLP

    random.seed(seed)
    return MLP(2, [16, 16, 1])


def training_step(repeats: int = 7) -> tuple[str, dict[str, float]]:
    """Median seconds per step of each engine, and the table that reports them."""
    X, y = make_data()
    ours = make_model()
    cases = {"autograd.Value": lambda: train_step(ours, X, y, lr=0.05)}
    if HAVE_MICROGRAD:
        theirs = micrograd_model()
        cases["micrograd"] = lambda: train_step(theirs, X, y, lr=0.05)
    t = interleaved(cases, repeats=repeats, between=gc.collect)
    rows = [(name, f"{sec * 1e3:9.1f} ms", "") for name, sec in t.items()]
    if HAVE_MICROGRAD:
        ratio = t["micrograd"] / t["autograd.Value"]
        rows.append(("micrograd / autograd.Value", f"{ratio:9.1f}x", f"target >= {TARGET:g}x"))
        # same weights, same updates: the two models must still agree after every step
        drift = max(abs(p.data - q.data) for p, q in zip(ours.parameters(), theirs.parameters()))
        rows.append(("max |weight difference|", f"{drift:12.1e}", "same math, both engines"))
    else:
        rows.append(("micrograd", "not installed", "pip install '.[bench]'"))
    title = "scalar engine: one training step of a 2-16-16-1 MLP on 100 two-moons points"
    return table(title, rows), t


def main() -> None:
    settle()
    print(training_step()[0])


if __name__ == "__main__":
    main()
