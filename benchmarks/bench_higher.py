"""Higher-order benchmarks (issue 6): hvp against the full Hessian, jacobian, and what the
in-place guard costs (``.data`` returns a tracked view; the engine compares one stamp)."""

from __future__ import annotations

import numpy as np

import autograd as ag
from benchmarks._timing import interleaved, settle, table


def f(x: ag.Tensor) -> ag.Tensor:
    return (x.tanh() * x.sum() + x.exp() * 0.1).sum()


def hvp_vs_hessian() -> str:
    rows = []
    rng = np.random.default_rng(0)
    for n in (50, 200):
        x = ag.Tensor(rng.standard_normal(n))
        v = ag.Tensor(rng.standard_normal(n))
        t = interleaved({
            "hvp": lambda: ag.hvp(f, x, v),
            "hessian @ v": lambda: ag.hessian(f, x).numpy() @ v.numpy(),
        }, repeats=5)
        rows.append((f"n={n}  ag.hvp", f"{t['hvp'] * 1e3:.2f} ms", ""))
        rows.append((f"n={n}  ag.hessian(f, x) @ v", f"{t['hessian @ v'] * 1e3:.2f} ms",
                     f"{t['hessian @ v'] / t['hvp']:.0f}x hvp"))
    return table("Hessian-vector product: hvp (two backward passes) vs the full Hessian", rows)


def data_access() -> str:
    t = ag.Tensor(np.ones(16))
    reps = 10_000

    def tracked():
        for _ in range(reps):
            _ = t.data

    def raw():
        for _ in range(reps):
            _ = t._data

    m = interleaved({"data": tracked, "_data": raw}, repeats=7)
    return table("t.data (a tracked view) vs the internal t._data", [
        ("t.data", f"{m['data'] / reps * 1e9:.0f} ns", ""),
        ("t._data", f"{m['_data'] / reps * 1e9:.0f} ns", "(ops and the engine use this)"),
    ])


def main() -> None:
    settle()
    print(hvp_vs_hessian())
    print(data_access())


if __name__ == "__main__":
    main()
