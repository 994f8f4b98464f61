"""Memory of a training loop: what keeping the graph's shape after backward() costs.

The digits MLP of ``demos/digits.py`` (64-128-64-10, Adam, batches of 32), ``loss =
model(x); loss.backward()`` repeated 1,000 times, traced by ``tracemalloc`` (numpy reports its
arrays to it). After ``backward()`` the last loss keeps its graph's shape until the next step
rebinds it; the baseline drops it (``del loss``) right after each step, which is all a loop
could ever save. Reported: the peak during the loop and what is held after it.
"""

from __future__ import annotations

import gc
import tracemalloc

import numpy as np

import autograd as ag
import nn
import nn.functional as F
from benchmarks._timing import table

STEPS, BATCH = 1000, 32


def run(keep: bool) -> tuple[int, int]:
    """(peak, held after the loop) in bytes above the start, for one loop of STEPS steps."""
    from sklearn.datasets import load_digits

    digits = load_digits()
    x = (digits.data / 16.0).astype(np.float32)
    y = digits.target
    ag.manual_seed(0)
    model = nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 64), nn.ReLU(),
                          nn.Linear(64, 10))
    opt = nn.optim.Adam(model.parameters(), lr=1e-3)
    rng = np.random.default_rng(0)
    batches = [rng.integers(0, len(x), BATCH) for _ in range(STEPS)]
    gc.collect()
    tracemalloc.start()
    try:
        start = tracemalloc.get_traced_memory()[0]
        loss = None
        for idx in batches:
            loss = F.cross_entropy(model(ag.Tensor(x[idx])), y[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            if not keep:
                del loss
        gc.collect()
        held, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak - start, held - start


def main() -> None:
    kept = run(keep=True)
    dropped = run(keep=False)
    rows = []
    for what, k, d in (("peak during the loop", kept[0], dropped[0]),
                       (f"held after {STEPS:,} steps", kept[1], dropped[1])):
        rows.append((what, f"{k:,} B (graph kept) vs {d:,} B (dropped)", f"{k / d:.3f}x"))
    print(table("digits MLP training loop, tracemalloc (graph kept after backward vs "
                "dropped)", rows))


if __name__ == "__main__":
    main()
