"""Scalar engine benchmark (issue 5): one training step of the two-moons MLP, Value vs micrograd.

The step is the whole of ``demos/moons.py``'s loop body: the forward pass over all 100 points,
the max-margin loss with L2, zero grad, backward and the SGD update, for a 2-16-16-1 MLP of
scalars. micrograd (the ``bench`` extra) runs the very same code on its own ``Value`` and
``MLP``, with the same initial weights and data, in the same process, interleaved.

Measured as a user's script runs: the demo's imports loaded (scikit-learn, matplotlib, tqdm),
the heap not frozen, several steps in a row. Two figures per engine: with Python's cyclic
collector at its defaults (what a script gets; the target is 8x micrograd) and with the
collector disabled in both engines (the pure Python work; the target is 2.5x).

A script runs one engine, so each timed call starts after an untimed ``gc.collect()``, for
both engines alike: neither pays for collecting the other's garbage (micrograd's graphs are
reference cycles, which only the collector frees, and without it our steps were timed
walking micrograd's leftovers). The garbage an engine makes in its own steps in a row is
collected on its clock, as in a script.
"""

from __future__ import annotations

import gc
import os
import sys

import matplotlib  # noqa: F401  (the moons demo's imports: a script has them loaded)
import tqdm  # noqa: F401

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


TARGETS = {"gc on": TARGET, "gc off": 2.5}


def training_step(repeats: int = 5, loop: int = 3) -> tuple[str, dict[str, float]]:
    """Median seconds per step of each engine, ``loop`` steps in a row per timing, with the
    collector on (defaults) and off, and the table reporting them."""
    X, y = make_data()
    models = {"autograd.Value": make_model()}
    if HAVE_MICROGRAD:
        models["micrograd"] = micrograd_model()

    def steps_in_a_row(model):
        def run():
            for _ in range(loop):
                train_step(model, X, y, lr=0.05)
        return run

    t: dict[str, float] = {}
    spreads: dict[str, str] = {}
    for how in TARGETS:
        was_enabled = gc.isenabled()
        if how == "gc off":
            gc.disable()
        try:
            got = interleaved({name: steps_in_a_row(m) for name, m in models.items()},
                              repeats=repeats, between=gc.collect)
        finally:
            if was_enabled:
                gc.enable()
        t.update({f"{name}, {how}": sec / loop for name, sec in got.items()})
        if HAVE_MICROGRAD:  # micrograd's time over ours, per repetition
            lo, hi = got.spread("micrograd", "autograd.Value")
            spreads[how] = f"({lo:.1f}–{hi:.1f})"
    rows = [(name, f"{sec * 1e3:9.1f} ms", "") for name, sec in t.items()]
    if HAVE_MICROGRAD:
        for how, target in TARGETS.items():
            ratio = t[f"micrograd, {how}"] / t[f"autograd.Value, {how}"]
            rows.append((f"micrograd / autograd.Value, {how}", f"{ratio:9.1f}x {spreads[how]}",
                         f"target >= {target:g}x"))
        # same initial weights, same updates: the two models must still agree
        drift = max(abs(p.data - q.data) for p, q in
                    zip(models["autograd.Value"].parameters(), models["micrograd"].parameters()))
        rows.append(("max |weight difference| after all steps", f"{drift:12.1e}",
                     "same math in both engines"))
    else:
        rows.append(("micrograd", "not installed", "pip install '.[bench]'"))
    title = ("scalar engine: a training step of a 2-16-16-1 MLP on 100 two-moons points "
             f"({loop} steps in a row, the demo's imports loaded, heap not frozen)")
    return table(title, rows), t


def main() -> None:
    settle()
    print(training_step()[0])


if __name__ == "__main__":
    main()
