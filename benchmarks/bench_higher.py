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
            "hvp": lambda x=x, v=v: ag.hvp(f, x, v),
            "hessian @ v": lambda x=x, v=v: ag.hessian(f, x).numpy() @ v.numpy(),
        }, repeats=5)
        rows.append((f"n={n}  ag.hvp", f"{t['hvp'] * 1e3:.2f} ms", ""))
        rows.append((f"n={n}  ag.hessian(f, x) @ v", f"{t['hessian @ v'] * 1e3:.2f} ms",
                     f"{t['hessian @ v'] / t['hvp']:.0f}x hvp"))
    return table("Hessian-vector product: hvp (two backward passes) vs the full Hessian", rows)


def data_access() -> str:
    t = ag.Tensor(np.ones(16))
    reps = 10_000

    def data():
        for _ in range(reps):
            _ = t.data

    def slot():
        for _ in range(reps):
            _ = t.grad

    m = interleaved({"data": data, "slot": slot}, repeats=7)
    return table("t.data (the plain array, a property) vs a plain slot read (t.grad)", [
        ("t.data", f"{m['data'] / reps * 1e9:.0f} ns", f"{m['data'] / m['slot']:.2f}x a slot"),
        ("t.grad", f"{m['slot'] / reps * 1e9:.0f} ns", "(as cheap as an attribute gets)"),
    ])


def main() -> None:
    settle()
    print(hvp_vs_hessian())
    print(data_access())


if __name__ == "__main__":
    main()
