"""Training an MLP on the 8x8 digits: ``nn`` against hand-written numpy (and PyTorch CPU).

MLP 64-256-256-10 with ReLU, softmax cross-entropy, SGD lr 0.05, batch 64, 10 epochs, float32,
the same initial weights, data and batch order for every contender, in one process. PyTorch
runs with as many threads as numpy's BLAS uses.
"""

from __future__ import annotations

import os
import time

import numpy as np

from benchmarks._timing import have, interleaved, settle, table

SIZES = (64, 256, 256, 10)
LR, BATCH, EPOCHS, SEED = 0.05, 64, 10, 0


def load_data() -> tuple[np.ndarray, np.ndarray, list[np.ndarray]]:
    """Digits scaled to [0, 1] (float32), labels, and the minibatch indices of all epochs."""
    from sklearn.datasets import load_digits

    digits = load_digits()
    x = (digits.data / 16.0).astype(np.float32)
    y = digits.target.astype(np.int64)
    order = np.random.default_rng(SEED)
    batches = []
    for _ in range(EPOCHS):
        perm = order.permutation(len(x))
        batches += [perm[i:i + BATCH] for i in range(0, len(x), BATCH)]
    return x, y, batches


def initial_weights() -> list[np.ndarray]:
    """[W1, b1, W2, b2, W3, b3] as ``nn.Linear`` initialises them (seeded)."""
    import autograd as ag
    import nn

    ag.manual_seed(SEED)
    layers = [nn.Linear(a, b) for a, b in zip(SIZES[:-1], SIZES[1:])]
    return [p.data.copy() for layer in layers for p in (layer.weight, layer.bias)]


def train_nn(x, y, batches, init, compiled: bool = False) -> float:
    """Our engine: ``nn.Sequential``, ``F.cross_entropy``, ``nn.optim.SGD``; with
    ``compiled``, the whole step (loss, ``zero_grad``, ``backward``, ``step``) through
    ``ag.compile`` (traced at the first step)."""
    import autograd as ag
    import nn
    import nn.functional as F

    model = nn.Sequential(nn.Linear(64, 256), nn.ReLU(), nn.Linear(256, 256), nn.ReLU(),
                          nn.Linear(256, 10))
    model.load_state_dict(dict(zip(model.state_dict(), init)))
    opt = nn.optim.SGD(model.parameters(), lr=LR)

    def train_step(xb, yb):
        loss = F.cross_entropy(model(xb), yb)
        opt.zero_grad()
        loss.backward()
        opt.step()
        return loss

    step = ag.compile(train_step) if compiled else train_step
    for idx in batches:
        loss = step(x[idx], y[idx])  # (arrays: the model takes them as they are)
    if compiled:
        assert not step.reasons, step.reasons  # replayed, not run as written
    return loss.item()


def train_numpy(x, y, batches, init) -> float:
    """The same network with its forward and backward written out by hand in numpy."""
    w1, b1, w2, b2, w3, b3 = (a.copy() for a in init)
    for idx in batches:
        xb, yb = x[idx], y[idx]
        n, rows = len(idx), np.arange(len(idx))
        z1 = xb @ w1.T + b1
        h1 = np.maximum(z1, 0)
        z2 = h1 @ w2.T + b2
        h2 = np.maximum(z2, 0)
        z3 = h2 @ w3.T + b3
        m = z3.max(axis=1, keepdims=True)
        e = np.exp(z3 - m)
        s = e.sum(axis=1, keepdims=True)
        loss = np.mean(np.log(s[:, 0]) + m[:, 0] - z3[rows, yb])
        d3 = e / s
        d3[rows, yb] -= 1
        d3 /= n
        d2 = (d3 @ w3) * (z2 > 0)
        d1 = (d2 @ w2) * (z1 > 0)
        w3 -= LR * (d3.T @ h2)
        b3 -= LR * d3.sum(axis=0)
        w2 -= LR * (d2.T @ h1)
        b2 -= LR * d2.sum(axis=0)
        w1 -= LR * (d1.T @ xb)
        b1 -= LR * d1.sum(axis=0)
    return float(loss)


def train_torch(x, y, batches, init) -> float:
    """PyTorch CPU, the idiomatic loop."""
    import torch

    model = torch.nn.Sequential(torch.nn.Linear(64, 256), torch.nn.ReLU(),
                                torch.nn.Linear(256, 256), torch.nn.ReLU(),
                                torch.nn.Linear(256, 10))
    with torch.no_grad():
        for p, a in zip(model.parameters(), init):
            p.copy_(torch.from_numpy(a))
    opt = torch.optim.SGD(model.parameters(), lr=LR)
    xt, yt = torch.from_numpy(x), torch.from_numpy(y)
    loss_fn = torch.nn.CrossEntropyLoss()
    for idx in batches:
        i = torch.from_numpy(idx)
        loss = loss_fn(model(xt[i]), yt[i])
        opt.zero_grad()
        loss.backward()
        opt.step()
    return loss.item()


def blas_threads() -> int:
    """Threads numpy's BLAS uses (threadpoolctl when installed, else the core count)."""
    if os.environ.get("BENCH_THREADS"):
        return int(os.environ["BENCH_THREADS"])
    try:
        from threadpoolctl import threadpool_info

        counts = [p["num_threads"] for p in threadpool_info() if p.get("user_api") == "blas"]
        if counts:
            return max(counts)
    except ImportError:
        pass
    return os.cpu_count() or 1


def main(repeats: int = 11) -> dict[str, float]:
    """Time the three trainings; ``BENCH_THREADS=n`` pins numpy's BLAS and torch to n threads."""
    if not have("sklearn"):
        print("\n## digits: skipped, needs scikit-learn for the data (pip install -e '.[dev]')")
        return {}
    threads = blas_threads()
    if have("threadpoolctl"):
        from threadpoolctl import threadpool_limits

        with threadpool_limits(limits=threads, user_api="blas"):
            return _run(threads, repeats)
    return _run(threads, repeats)


def _run(threads: int, repeats: int) -> dict[str, float]:
    x, y, batches = load_data()
    init = initial_weights()
    cases = {
        "nn (this engine)": lambda: train_nn(x, y, batches, init),
        "nn, ag.compile": lambda: train_nn(x, y, batches, init, compiled=True),
        "numpy by hand": lambda: train_numpy(x, y, batches, init),
    }
    if have("torch"):
        import torch

        torch.set_num_threads(threads)
        cases["PyTorch CPU"] = lambda: train_torch(x, y, batches, init)
    settle()
    finals = {name: fn() for name, fn in cases.items()}
    # a pause before each timed run: OpenMP worker threads (torch's) keep spinning for a while
    # after a parallel region and would otherwise steal a core from whichever case runs next
    times = interleaved(cases, repeats=repeats, between=lambda: time.sleep(0.05))
    rows = [(name, f"{t * 1e3:9.1f} ms",
             f"{times.shown(name, 'numpy by hand') if name != 'numpy by hand' else '1.00x'} "
             f"numpy   final loss {finals[name]:.5f}")
            for name, t in times.items()]
    print(table(f"digits MLP 64-256-256-10, SGD lr {LR}, batch {BATCH}, {EPOCHS} epochs, "
                f"{len(batches)} steps, float32, {threads} BLAS threads", rows))
    return times


if __name__ == "__main__":
    main()
