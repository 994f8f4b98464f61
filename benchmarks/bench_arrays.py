"""Arrays beyond numpy (issue 17): the logistic loss and its gradient over a dask table on a
dask.distributed LocalCluster, through autograd against the same gradient written by hand in
dask (target: within 1.2x), both on the same cluster and table.

    python -m benchmarks arrays        # needs the dask extra

The table (rows x 20 float64) is generated lazily per chunk, as in ``demos/out_of_core.py``; each
step computes the loss and both gradients in one ``dask.compute``. Steps alternate between the
two contenders, and the medians are compared. Set ``ARRAYS_ROWS`` to change the table's size.
"""

from __future__ import annotations

import os

import numpy as np

import autograd as ag
from benchmarks._timing import interleaved, settle, table
from demos.out_of_core import loss_fn
from demos.out_of_core import table as make_table

ROWS = int(os.environ.get("ARRAYS_ROWS", 2_500_000))
FEATURES = 20


def by_hand(X, y, w: np.ndarray, b: float):
    """The loss and its gradients, written directly in dask: the baseline."""
    import dask
    import dask.array as da

    z = X @ w + b
    loss = da.mean(da.logaddexp(0.0, z) - y * z)
    p = 1.0 / (1.0 + da.exp(-z))
    r = (p - y) / X.shape[0]
    return dask.compute(loss, X.T @ r, r.sum())


def with_autograd(X_t, y_t, w, b):
    w.grad = b.grad = None
    loss = loss_fn(X_t, y_t, w, b)
    loss.backward()
    return ag.compute(loss, w.grad, b.grad)


def main() -> None:
    from dask.distributed import Client, LocalCluster

    X, y, _ = make_table(ROWS, FEATURES, chunk_rows=125_000)
    cluster = LocalCluster(n_workers=2, threads_per_worker=1, memory_limit="700MB",
                           processes=True, dashboard_address=None)
    client = Client(cluster)
    try:
        w0 = np.linspace(-0.3, 0.3, FEATURES)
        w = ag.tensor(w0, requires_grad=True)
        b = ag.tensor(0.1, dtype=np.float64, requires_grad=True)
        X_t, y_t = ag.tensor(X), ag.tensor(y)
        ref = by_hand(X, y, w0, 0.1)
        got = with_autograd(X_t, y_t, w, b)
        assert np.allclose(got[0].item(), ref[0]) and np.allclose(got[1].numpy(), ref[1]) \
            and np.allclose(got[2].item(), ref[2]), "autograd and the hand-written gradient differ"
        settle()
        t = interleaved({"autograd": lambda: with_autograd(X_t, y_t, w, b),
                         "by hand": lambda: by_hand(X, y, w0, 0.1)}, repeats=5)
    finally:
        client.close()
        cluster.close()
    mb = ROWS * FEATURES * 8 / 2**20
    ratio = t["autograd"] / t["by hand"]
    print(table(f"logistic loss + gradient over a {mb:,.0f} MB dask table, 2-worker "
                f"LocalCluster (700 MB each)", [
                    ("autograd (Tensors over dask)", f"{t['autograd']:.3f} s",
                     f"{ratio:.2f}x by hand (target <= 1.2x)"),
                    ("written by hand in dask", f"{t['by hand']:.3f} s", "1.00x")]))


if __name__ == "__main__":
    main()
