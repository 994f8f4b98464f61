"""Training an MLP on the 8x8 digits: ``nn`` against hand-written numpy (and PyTorch CPU).

MLP 64-256-256-10 with ReLU, softmax cross-entropy, SGD lr 0.05, batch 64, 10 epochs, float32,
the same initial weights, data and batch order for every contender, in one process. PyTorch
runs with as many threads as numpy's BLAS uses. The contenders take turns epoch by epoch
(``by_epoch``), and the table's header names numpy's BLAS and its kernels, which decide the
ratio against PyTorch (``_timing.blas_warning``).
"""

from __future__ import annotations

import os
import textwrap
import time
from typing import Callable

import numpy as np

from benchmarks._timing import Timings, blas_warning, have, numpy_blas, settle, table

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


def nn_trainer(init, compiled: bool = False) -> Callable:
    """Our engine: ``nn.Sequential``, ``F.cross_entropy``, ``nn.optim.SGD``; with
    ``compiled``, the whole step (loss, ``zero_grad``, ``backward``, ``step``) through
    ``ag.compile`` (traced at the first step). Returns ``train(x, y, batches)``, which trains
    on those minibatches (the model and optimizer kept from call to call) and returns the last
    loss."""
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

    def train(x, y, batches) -> float:
        for idx in batches:
            loss = step(x[idx], y[idx])  # (arrays: the model takes them as they are)
        if compiled:
            assert not step.reasons, step.reasons  # replayed, not run as written
        return loss.item()
    return train


def numpy_trainer(init) -> Callable:
    """The same network with its forward and backward written out by hand in numpy."""
    weights = [a.copy() for a in init]

    def train(x, y, batches) -> float:
        w1, b1, w2, b2, w3, b3 = weights  # (updated in place: kept from call to call)
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
    return train


def torch_trainer(init) -> Callable:
    """PyTorch CPU, the idiomatic loop."""
    import torch

    model = torch.nn.Sequential(torch.nn.Linear(64, 256), torch.nn.ReLU(),
                                torch.nn.Linear(256, 256), torch.nn.ReLU(),
                                torch.nn.Linear(256, 10))
    with torch.no_grad():
        for p, a in zip(model.parameters(), init):
            p.copy_(torch.from_numpy(a))
    opt = torch.optim.SGD(model.parameters(), lr=LR)
    loss_fn = torch.nn.CrossEntropyLoss()
    tensors: dict = {}

    def train(x, y, batches) -> float:
        if id(x) not in tensors:  # (shares x's memory: made once)
            tensors[id(x)] = torch.from_numpy(x), torch.from_numpy(y)
        xt, yt = tensors[id(x)]
        for idx in batches:
            i = torch.from_numpy(idx)
            loss = loss_fn(model(xt[i]), yt[i])
            opt.zero_grad()
            loss.backward()
            opt.step()
        return loss.item()
    return train


def train_nn(x, y, batches, init, compiled: bool = False) -> float:
    """A whole training with this engine (``nn_trainer``); the last loss."""
    return nn_trainer(init, compiled)(x, y, batches)


def train_numpy(x, y, batches, init) -> float:
    """A whole training in numpy by hand (``numpy_trainer``); the last loss."""
    return numpy_trainer(init)(x, y, batches)


def train_torch(x, y, batches, init) -> float:
    """A whole training in PyTorch (``torch_trainer``); the last loss."""
    return torch_trainer(init)(x, y, batches)


def by_epoch(trainers: dict[str, Callable[[], Callable]], x, y, epochs: list[list],
             repeats: int, pauses: dict[str, float] | None = None,
             ) -> tuple[Timings, dict[str, float]]:
    """Each contender's whole training (a fresh model per repetition, its first step's trace
    included), timed epoch by epoch with the contenders taking turns at each epoch: the pairs
    behind a ratio's spread are whole trainings made of epochs run tens of milliseconds apart
    from the other contenders' (on a shared machine whose speed drifts by tens of percent
    within seconds, this keeps a ratio's two sides in the same conditions; each epoch is still
    29 steps in a row, as a script runs them). Before each turn, an untimed pause: 20 ms, or
    ``pauses[name]``. Returns the timings and each contender's last loss."""
    runs: dict[str, list[float]] = {name: [] for name in trainers}
    finals: dict[str, float] = {}
    pauses = pauses or {}
    for rep in range(repeats + 1):  # the first: a warm-up, not kept
        train = {name: make() for name, make in trainers.items()}
        spent = dict.fromkeys(trainers, 0.0)
        for batches in epochs:
            for name, fn in train.items():
                time.sleep(pauses.get(name, 0.02))
                t0 = time.perf_counter()
                finals[name] = fn(x, y, batches)
                spent[name] += time.perf_counter() - t0
        if rep:
            for name, t in spent.items():
                runs[name].append(t)
    return Timings(runs), finals


def blas_threads() -> int:
    """Threads numpy's BLAS uses (threadpoolctl when installed, else the core count)."""
    if os.environ.get("BENCH_THREADS"):
        return int(os.environ["BENCH_THREADS"])
    info = numpy_blas()
    return info["num_threads"] if info else os.cpu_count() or 1


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
    trainers: dict[str, Callable[[], Callable]] = {
        "nn (this engine)": lambda: nn_trainer(init),
        "nn, ag.compile": lambda: nn_trainer(init, compiled=True),
        "numpy by hand": lambda: numpy_trainer(init),
    }
    if have("torch"):
        import torch

        torch.set_num_threads(threads)
        trainers["PyTorch CPU"] = lambda: torch_trainer(init)
    settle()
    per_epoch = len(batches) // EPOCHS
    epochs = [batches[i:i + per_epoch] for i in range(0, len(batches), per_epoch)]
    # numpy's OpenBLAS workers spin for about 0.1 s after a call before they sleep; on a
    # machine with no spare core they would take one from PyTorch's threads (2.7x its time
    # in one measurement here), as they never do in a script that runs PyTorch alone
    pauses = {"PyTorch CPU": 0.15} if threads > 1 else {}
    times, finals = by_epoch(trainers, x, y, epochs, repeats, pauses)
    rows = []
    for name, t in times.items():
        ratio = times.shown(name, "numpy by hand") if name != "numpy by hand" else "1.00x"
        against = f"{ratio} numpy"
        if name.startswith("nn") and "PyTorch CPU" in times:  # (the second target)
            against += f", {times.shown(name, 'PyTorch CPU')} PyTorch"
        rows.append((name, f"{t * 1e3:9.1f} ms", f"{against:<44} final loss {finals[name]:.5f}"))
    print(table(f"digits MLP 64-256-256-10, SGD lr {LR}, batch {BATCH}, {EPOCHS} epochs, "
                f"{len(batches)} steps, float32, {threads} BLAS threads", rows))
    warning = blas_warning()
    if warning:
        print(textwrap.fill(warning, 96, initial_indent="  ", subsequent_indent="  "))
    return times


if __name__ == "__main__":
    main()
