"""Out of core: logistic regression by gradient descent on a table bigger than any one worker.

The table (``--rows`` x ``--features`` float64, about 2 GB by default) is a dask array that is
generated lazily chunk by chunk, as a table read from disk would be; it never exists whole in
any process. The model's weights are ordinary numpy-backed Tensors. ``X @ w`` with a dask ``X``
is a dask Tensor (numpy joins dask), the loss and its backward stay lazy task graphs, and one
``ag.compute(loss, w.grad, b.grad)`` per step runs them on a ``dask.distributed.LocalCluster``
that this script starts (``--workers`` processes, each with ``--memory-limit``).

Each step prints the loss and the gradient's norm; at the end the workers' and this process's
peak memory are printed beside the table's size.

Run: ``python demos/out_of_core.py [--rows 12500000] [--workers 2] [--memory-limit 700MB]``
(needs the ``dask`` extra: ``pip install -e ".[dask]"``).
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

import numpy as np

try:
    import autograd as ag
except ModuleNotFoundError:  # running from a checkout without installing: use the repository root
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    import autograd as ag
import nn.functional as F


def table(rows: int, features: int, chunk_rows: int, seed: int = 0):
    """A synthetic classification table, lazy: ``X`` (rows x features) and labels ``y``.

    The labels come from a fixed true weight vector plus logistic noise, so a fitted model can
    be compared against it. Nothing is generated until a computation asks for a chunk.
    """
    import dask.array as da

    rng = da.random.default_rng(seed)
    X = rng.standard_normal((rows, features), chunks=(chunk_rows, features))
    w_true = np.linspace(-1.0, 1.0, features)
    noise = rng.logistic(size=(rows,), chunks=(chunk_rows,))
    y = ((X @ w_true + 0.5 + noise) > 0).astype(np.float64)
    return X, y, w_true


def loss_fn(X, y, w, b):
    """The mean logistic loss of the linear model ``X @ w + b`` on labels ``y``: Tensors."""
    return F.binary_cross_entropy_with_logits(X @ w + b, y)


def peak_rss_mb() -> float:
    """This process's peak resident memory in MB: Linux's VmHWM (``getrusage``'s maxrss is
    carried over from the parent across ``exec``, so it can report the parent's peak)."""
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    scale = 1024 if sys.platform != "darwin" else 1024 * 1024  # KiB on Linux, bytes on macOS
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / scale


def main(argv: list[str] | None = None) -> dict:
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--rows", type=int, default=12_500_000,
                   help="rows of the table (default %(default)s: 2 GB with 20 features)")
    p.add_argument("--features", type=int, default=20, help="columns (default %(default)s)")
    p.add_argument("--chunk-rows", type=int, default=125_000,
                   help="rows per chunk (default %(default)s)")
    p.add_argument("--workers", type=int, default=2,
                   help="LocalCluster worker processes (default %(default)s)")
    p.add_argument("--memory-limit", default="700MB",
                   help="each worker's memory limit (default %(default)s)")
    p.add_argument("--steps", type=int, default=8,
                   help="gradient descent steps (default %(default)s)")
    p.add_argument("--lr", type=float, default=2.0, help="learning rate (default %(default)s)")
    args = p.parse_args(argv)

    from dask.distributed import Client, LocalCluster

    X, y, w_true = table(args.rows, args.features, args.chunk_rows)
    size_mb = X.nbytes / 2**20
    print(f"table: {args.rows:,} x {args.features} float64 = {size_mb:,.0f} MB in "
          f"{X.npartitions} chunks of {args.chunk_rows:,} rows (lazy, generated per chunk)")
    cluster = LocalCluster(n_workers=args.workers, threads_per_worker=1,
                           memory_limit=args.memory_limit, processes=True,
                           dashboard_address=None)
    client = Client(cluster)
    print(f"cluster: {args.workers} workers, memory limit {args.memory_limit} each")
    try:
        X_t, y_t = ag.tensor(X), ag.tensor(y)
        w = ag.zeros(args.features, dtype=np.float64, requires_grad=True)
        b = ag.zeros((), dtype=np.float64, requires_grad=True)
        losses = []
        start = time.perf_counter()
        for step in range(args.steps):
            w.grad = b.grad = None
            loss = loss_fn(X_t, y_t, w, b)      # a lazy Tensor: nothing has run yet
            loss.backward()                     # lazy too: w.grad is a dask Tensor
            loss_v, gw, gb = ag.compute(loss, w.grad, b.grad)  # one pass over the table
            with ag.no_grad():
                w -= args.lr * gw
                b -= args.lr * gb
            losses.append(loss_v.item())
            print(f"step {step + 1:>2}  loss {loss_v.item():.5f}  "
                  f"|grad| {float(np.linalg.norm(gw.numpy())):.5f}  "
                  f"({time.perf_counter() - start:.1f} s)")
        peaks = client.run(peak_rss_mb)
    finally:
        client.close()
        cluster.close()
    worker_peak = max(peaks.values())
    here = peak_rss_mb()
    print(f"peak memory: workers {', '.join(f'{v:.0f}' for v in peaks.values())} MB, this "
          f"process {here:.0f} MB; the table is {size_mb:,.0f} MB")
    cos = float(w.numpy() @ w_true / (np.linalg.norm(w.numpy()) * np.linalg.norm(w_true)))
    print(f"fitted weights vs the true ones: cosine {cos:.4f}")
    if max(worker_peak, here) < size_mb:
        print("the table never sat in one process: every peak is below its size")
    return {"losses": losses, "worker_peak_mb": worker_peak, "client_peak_mb": here,
            "table_mb": size_mb, "cosine": cos}


if __name__ == "__main__":
    main()
