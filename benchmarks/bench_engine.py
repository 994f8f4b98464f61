"""Tensor engine benchmarks (issue 2): per-op overhead, a large matmul graph, a deep 0-d chain.

Each case runs beside its baselines (plain numpy; PyTorch CPU when the ``bench`` extra is
installed) in one process, with interleaved repetitions; medians are reported with ratios.
"""

from __future__ import annotations

import os

import numpy as np

import autograd as ag
from benchmarks._timing import have, interleaved, settle, table

HAVE_TORCH = have("torch")
if HAVE_TORCH:
    import torch

    torch.set_num_threads(os.cpu_count() or 1)  # as many threads as numpy's BLAS uses

HAVE_MYGRAD = have("mygrad")
if HAVE_MYGRAD:
    import mygrad as mg

N_OPS = 10_000
CHAIN_0D = 200_000


def per_op_overhead() -> str:
    rng = np.random.default_rng(0)
    a = rng.standard_normal((8, 8)).astype(np.float32)
    x = ag.tensor(a, requires_grad=True)
    reps = N_OPS // 3

    def numpy_forward():
        y = a
        for _ in range(reps):
            y = np.tanh(y * a + a)

    def ours(backward: bool):
        y = x
        for _ in range(reps):
            y = (y * x + x).tanh()
        if backward:
            y.sum().backward()
            x.grad = None

    cases = {"numpy forward": numpy_forward,
             "autograd forward": lambda: ours(False),
             "autograd forward+backward": lambda: ours(True)}
    if HAVE_TORCH:
        xt = torch.tensor(a, requires_grad=True)

        def theirs(backward: bool):
            y = xt
            for _ in range(reps):
                y = (y * xt + xt).tanh()
            if backward:
                y.sum().backward()
                xt.grad = None

        cases["torch forward"] = lambda: theirs(False)
        cases["torch forward+backward"] = lambda: theirs(True)
    if HAVE_MYGRAD:
        xm = mg.tensor(a)

        def mygrads(backward: bool):
            y = xm
            for _ in range(reps):
                y = mg.tanh(y * xm + xm)
            if backward:
                y.sum().backward()
                xm.null_grad()

        cases["mygrad forward"] = lambda: mygrads(False)
        cases["mygrad forward+backward"] = lambda: mygrads(True)
    t = interleaved(cases, repeats=7)
    us = {k: v / (3 * reps) * 1e6 for k, v in t.items()}
    rows = [(k, f"{v:8.2f} us/op", "") for k, v in us.items()]
    rows.append(("forward / numpy", f"{us['autograd forward'] / us['numpy forward']:8.2f}x",
                 "target <= 4x"))
    if HAVE_TORCH:
        rows.append(("forward / torch forward",
                     f"{us['autograd forward'] / us['torch forward']:8.2f}x", ""))
        rows.append(("fwd+bwd / torch fwd+bwd",
                     f"{us['autograd forward+backward'] / us['torch forward+backward']:8.2f}x",
                     "target <= 1x"))
    return table("per-op overhead: chain of 10,000 ops (add, mul, tanh) on (8, 8)", rows)


def matmul_graph() -> str:
    n = 1024
    rng = np.random.default_rng(0)
    A, B, C = (rng.standard_normal((n, n)).astype(np.float32) / np.sqrt(n) for _ in range(3))

    def numpy_by_hand():
        Z = A @ B
        T = np.tanh(Z)
        Y = T @ C
        _ = Y.sum()
        dY = np.ones_like(Y)
        dC = T.T @ dY
        dT = dY @ C.T
        dZ = dT * (1 - T * T)
        dA = dZ @ B.T
        dB = A.T @ dZ
        return dA, dB, dC

    At, Bt, Ct = (ag.tensor(m, requires_grad=True) for m in (A, B, C))

    def ours():
        for p in (At, Bt, Ct):
            p.grad = None
        (At @ Bt).tanh().matmul(Ct).sum().backward()
        return At.grad, Bt.grad, Ct.grad

    cases = {"numpy by hand": numpy_by_hand, "autograd": ours}
    if HAVE_TORCH:
        Ax, Bx, Cx = (torch.tensor(m, requires_grad=True) for m in (A, B, C))

        def theirs():
            for p in (Ax, Bx, Cx):
                p.grad = None
            (Ax @ Bx).tanh().matmul(Cx).sum().backward()

        cases["torch"] = theirs
    if HAVE_MYGRAD:
        Am, Bm, Cm = (mg.tensor(m) for m in (A, B, C))

        def mygrads():
            for p in (Am, Bm, Cm):
                p.null_grad()
            mg.matmul(mg.tanh(mg.matmul(Am, Bm)), Cm).sum().backward()

        cases["mygrad"] = mygrads
    # same answer first
    ref, got = numpy_by_hand(), ours()
    for r, g in zip(ref, got):
        np.testing.assert_allclose(g.data, r, rtol=1e-4, atol=1e-5)
    t = interleaved(cases, repeats=7)
    base = t["numpy by hand"]
    rows = [(k, f"{v * 1e3:8.1f} ms", f"{v / base:5.2f}x numpy") for k, v in t.items()]
    return table("sum(tanh(A @ B) @ C), 1024x1024 float32, forward+backward for A, B, C "
                 "(target <= 1.05x numpy)", rows)


def chain_0d() -> str:
    def ours():
        x = ag.tensor(1.0, requires_grad=True)
        y = x
        for _ in range(CHAIN_0D):
            y = y * 1.0001 + 0.001
        y.backward()
        return x.grad

    cases = {"autograd": ours}
    if HAVE_TORCH:
        def theirs():
            x = torch.tensor(1.0, requires_grad=True)
            y = x
            for _ in range(CHAIN_0D):
                y = y * 1.0001 + 0.001
            y.backward()
            return x.grad

        cases["torch"] = theirs
    if HAVE_MYGRAD:
        def mygrads():
            x = mg.tensor(1.0)
            y = x
            for _ in range(CHAIN_0D):
                y = y * 1.0001 + 0.001
            y.backward()
            return x.grad

        cases["mygrad"] = mygrads
    t = interleaved(cases, repeats=3, warmup=0)
    rows = [(k, f"{v:8.2f} s", f"{v / t['autograd']:5.2f}x autograd") for k, v in t.items()]
    if HAVE_TORCH:
        rows.append(("autograd / torch", f"{t['autograd'] / t['torch']:8.2f}x", "target <= 1x"))
    return table(f"0-d chain of {CHAIN_0D:,} (x = x * 1.0001 + 0.001), forward+backward", rows)


def main() -> None:
    settle()
    print(per_op_overhead())
    print(matmul_graph())
    print(chain_0d())


if __name__ == "__main__":
    main()
