"""Timing helpers shared by the benchmarks: interleaved repetitions, medians, ratios."""

from __future__ import annotations

import gc
import os
import statistics
import time
from typing import Callable


def settle() -> None:
    """Collect the garbage left by imports before timing.

    The heap is *not* frozen (``gc.freeze()``): a user's script does not freeze it, and
    freezing flatters the engines that create many Python objects (it spares them the
    collector's walks over every imported library). Every contender runs under the same
    default collector; ``bench_value`` also reports the figures with the collector disabled
    in both engines (the pure Python work).
    """
    gc.collect()


class Timings(dict):
    """Median seconds per call of each case (the dict itself), with every repetition's time in
    ``runs``, so that a ratio comes with its spread."""

    def __init__(self, runs: dict[str, list[float]]) -> None:
        super().__init__({name: statistics.median(ts) for name, ts in runs.items()})
        self.runs = runs

    def ratio(self, a: str, b: str) -> float:
        """The ratio of the medians, ``a / b``."""
        return self[a] / self[b]

    def spread(self, a: str, b: str) -> tuple[float, float]:
        """The smallest and largest ``a / b`` over the repetitions, paired: each repetition ran
        both, one right after the other, so a pair saw the same state of the machine."""
        rs = [x / y for x, y in zip(self.runs[a], self.runs[b])]
        return min(rs), max(rs)

    def shown(self, a: str, b: str, unit: str = "x") -> str:
        """``"1.23x (1.18–1.29)"``: the ratio of the medians and the spread of the pairs."""
        lo, hi = self.spread(a, b)
        return f"{self.ratio(a, b):.2f}{unit} ({lo:.2f}–{hi:.2f})"


def interleaved(cases: dict[str, Callable[[], object]], repeats: int = 5,
                warmup: int = 1, between: Callable[[], object] | None = None) -> Timings:
    """Median seconds per call of each case, the cases run in turn in every repetition (a
    ``Timings``: a dict of medians that also keeps every repetition, for ratios' spreads).

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
    return Timings(times)


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
