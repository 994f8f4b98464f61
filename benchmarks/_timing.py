"""Timing helpers shared by the benchmarks: interleaved repetitions, medians, ratios."""

from __future__ import annotations

import gc
import os
import statistics
import time
from typing import Callable


def settle() -> None:
    """Collect and freeze the heap built by imports (numpy, torch, ...).

    Python's cyclic collector otherwise re-traverses every long-lived object of every imported
    library on each full collection, which taxes pure-Python engines for torch's mere presence.
    """
    gc.collect()
    gc.freeze()


def interleaved(cases: dict[str, Callable[[], object]], repeats: int = 5,
                warmup: int = 1, between: Callable[[], object] | None = None) -> dict[str, float]:
    """Median seconds per call of each case, the cases run in turn in every repetition.

    ``between``, when given, runs untimed before every timed call (e.g. ``gc.collect``, so
    that no case pays for collecting the garbage another case left behind).
    """
    for _ in range(warmup):
        for fn in cases.values():
            fn()
    times: dict[str, list[float]] = {name: [] for name in cases}
    for _ in range(repeats):
        for name, fn in cases.items():
            if between is not None:
                between()
            t0 = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - t0)
    return {name: statistics.median(ts) for name, ts in times.items()}


def table(title: str, rows: list[tuple[str, str, str]]) -> str:
    """A plain-text table: case, figure, ratio."""
    width = max(len(r[0]) for r in rows)
    lines = [f"\n## {title}  ({os.cpu_count()} cores)"]
    lines += [f"  {name:<{width}}  {fig:>14}  {ratio}" for name, fig, ratio in rows]
    return "\n".join(lines)


def have(module: str) -> bool:
    """True when ``module`` can be imported (optional baselines: torch, micrograd)."""
    try:
        __import__(module)
        return True
    except ImportError:
        return False
