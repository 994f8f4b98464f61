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


# OpenBLAS's kernel sets that use AVX-512 (threadpoolctl's "architecture" names)
_AVX512_KERNELS = {"skylakex", "cooperlake", "sapphirerapids"}


def numpy_blas() -> dict | None:
    """threadpoolctl's record of the BLAS numpy calls (None without threadpoolctl)."""
    try:
        import numpy as np  # (loads the BLAS, so that threadpoolctl sees it)
        from threadpoolctl import threadpool_info
    except ImportError:
        return None
    blas = [p for p in threadpool_info() if p.get("user_api") == "blas"]
    root = os.path.dirname(os.path.dirname(np.__file__))  # numpy's wheel keeps its own there
    ours = [p for p in blas if str(p.get("filepath", "")).startswith(os.path.join(root, "numpy"))]
    return (ours or blas or [None])[0]


def _cpu_flags() -> set[str]:
    """The CPU's feature flags as Linux lists them (empty elsewhere)."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("flags"):
                    return set(line.split(":", 1)[1].split())
    except OSError:
        pass
    return set()


def blas() -> str:
    """numpy's BLAS as a table header shows it: ``"OpenBLAS 0.3.31, Haswell kernels"``."""
    info = numpy_blas()
    if info is None:
        return "BLAS unknown (no threadpoolctl)"
    name = {"openblas": "OpenBLAS", "mkl": "MKL", "blis": "BLIS"}.get(info.get("internal_api"),
                                                                       info.get("internal_api"))
    version = ".".join(str(info.get("version") or "").split(".")[:3])
    arch = info.get("architecture")
    return f"{name} {version}" + (f", {arch} kernels" if arch else "")


def blas_warning() -> str | None:
    """A note when numpy's OpenBLAS runs kernels without AVX-512 on a CPU that has it (as the
    OpenBLAS 0.3.31 in numpy 2.4's wheels does on AMD Zen 5, OpenMathLib/OpenBLAS#6029). Its
    matmuls then run slower than they could (the digits benchmark's numpy by hand took 1.4x as
    long on this project's Zen 5 machine), and a ratio against PyTorch, whose MKL uses
    AVX-512, says more about numpy's BLAS than about the engine."""
    info = numpy_blas()
    if info is None or info.get("internal_api") != "openblas":
        return None
    arch = str(info.get("architecture") or "")
    if not arch or arch.lower() in _AVX512_KERNELS or "avx512f" not in _cpu_flags():
        return None
    return (f"note: numpy's OpenBLAS runs its {arch} kernels, without AVX-512, on this CPU, "
            "which has it (OpenBLAS does not recognise every such CPU: AMD Zen 5 in "
            "OpenMathLib/OpenBLAS#6029). OPENBLAS_CORETYPE=SkylakeX in the environment gives "
            "numpy, and so this engine, its AVX-512 kernels.")


def table(title: str, rows: list[tuple[str, str, str]]) -> str:
    """A plain-text table: case, figure, ratio; the header names the core count and numpy's
    BLAS."""
    width = max(len(r[0]) for r in rows)
    lines = [f"\n## {title}  ({os.cpu_count()} cores, {blas()})"]
    lines += [f"  {name:<{width}}  {fig:>14}  {ratio}" for name, fig, ratio in rows]
    return "\n".join(lines)


def have(module: str) -> bool:
    """True when ``module`` can be imported (optional baselines: torch, micrograd)."""
    try:
        __import__(module)
        return True
    except ImportError:
        return False
