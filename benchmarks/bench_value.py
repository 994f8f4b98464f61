"""Scalar engine benchmark (issue 5): one training step of the two-moons MLP, Value vs micrograd.

The step is the whole of ``demos/moons.py``'s loop body: the forward pass over all 100 points,
the max-margin loss with L2, zero grad, backward and the SGD update, for a 2-16-16-1 MLP of
scalars. micrograd (the ``bench`` extra) runs the very same code on its own ``Value`` and
``MLP``, with the same initial weights and data, in the same process, interleaved. The garbage
each engine leaves is collected (untimed) before the other runs, so neither pays for the other's.
Two figures per engine: a single step after a full collection, and the mean step of a few steps
in a row with the collector running as in any training loop (and collecting what they leave).
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


def training_step(repeats: int = 7, loop: int = 3) -> tuple[str, dict[str, float]]:
    """Median seconds per step of each engine, measured two ways, and the table reporting them.

    ``step``: one step at a time, the garbage of earlier steps collected (untimed) before each.
    ``loop``: ``loop`` steps back to back as in a training loop, Python's cyclic garbage
    collector running as it does by itself, plus the collection of what they leave behind.
    """
    X, y = make_data()
    models = {"autograd.Value": make_model()}
    if HAVE_MICROGRAD:
        models["micrograd"] = micrograd_model()

    def one_step(model):
        return lambda: train_step(model, X, y, lr=0.05)

    def steps_in_a_loop(model):
        def run():
            for _ in range(loop):
                train_step(model, X, y, lr=0.05)
            gc.collect()
        return run

    step = interleaved({name: one_step(m) for name, m in models.items()},
                       repeats=repeats, between=gc.collect)
    in_loop = interleaved({name: steps_in_a_loop(m) for name, m in models.items()},
                          repeats=max(3, repeats // 2), between=gc.collect)
    t = {f"{name}, step": sec for name, sec in step.items()}
    t.update({f"{name}, loop": sec / loop for name, sec in in_loop.items()})
    rows = [(name, f"{sec * 1e3:9.1f} ms", "") for name, sec in t.items()]
    if HAVE_MICROGRAD:
        for how in ("step", "loop"):
            ratio = t[f"micrograd, {how}"] / t[f"autograd.Value, {how}"]
            note = (f"target >= {TARGET:g}x (steps as training runs them, GC included)"
                    if how == "loop" else "micrograd spared its GC debt by the collection before")
            rows.append((f"micrograd / autograd.Value, {how}", f"{ratio:9.1f}x", note))
        # same initial weights, same updates: the two models must still agree
        drift = max(abs(p.data - q.data) for p, q in
                    zip(models["autograd.Value"].parameters(), models["micrograd"].parameters()))
        rows.append(("max |weight difference| after all steps", f"{drift:12.1e}",
                     "same math in both engines"))
    else:
        rows.append(("micrograd", "not installed", "pip install '.[bench]'"))
    title = ("scalar engine: a training step of a 2-16-16-1 MLP on 100 two-moons points "
             f"(step: one, after gc.collect(); loop: {loop} in a row, gc included)")
    return table(title, rows), t


def main() -> None:
    settle()
    print(training_step()[0])


if __name__ == "__main__":
    main()
