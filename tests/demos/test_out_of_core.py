"""demos/out_of_core.py: gradient descent over a dask table on a 2-worker LocalCluster whose
memory limit per worker is below the table's size; the same gradients as numpy on a small
table."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import autograd as ag

ROOT = Path(__file__).resolve().parents[2]
pytest.importorskip("dask.distributed")
sys.path.insert(0, str(ROOT / "demos"))
from out_of_core import loss_fn, table  # noqa: E402


def test_the_gradients_on_dask_equal_numpy_on_a_small_table():
    X, y, _ = table(2_000, 5, chunk_rows=300)
    w0, b0 = np.linspace(-0.4, 0.4, 5), 0.2
    grads = {}
    for name, (xs, ys) in {"dask": (X, y), "numpy": (X.compute(), y.compute())}.items():
        w = ag.tensor(w0, requires_grad=True)
        b = ag.tensor(b0, dtype=np.float64, requires_grad=True)
        loss = loss_fn(ag.tensor(xs), ag.tensor(ys), w, b)
        loss.backward()
        assert loss.is_lazy == (name == "dask") and w.grad.is_lazy == (name == "dask")
        grads[name] = [t.numpy() for t in ag.compute(loss, w.grad, b.grad)]
    for a, b in zip(grads["dask"], grads["numpy"]):
        np.testing.assert_allclose(a, b, rtol=1e-10)


def test_a_two_worker_cluster_below_the_tables_size_fits_it():
    # a 458 MB table, workers limited to 250 MB each (500 MB in all, the pause threshold 80%)
    out = subprocess.run(
        [sys.executable, str(ROOT / "demos" / "out_of_core.py"), "--rows", "3000000",
         "--workers", "2", "--memory-limit", "250MB", "--steps", "3", "--lr", "2.0"],
        capture_output=True, text=True, timeout=300, check=True).stdout
    losses = [float(v) for v in re.findall(r"^step +\d+ +loss ([\d.]+)", out, re.M)]
    assert len(losses) == 3 and losses[0] == pytest.approx(np.log(2), abs=1e-5) and \
        losses[2] < losses[1] < losses[0]
    table_mb = float(re.search(r"the table is ([\d,]+) MB", out).group(1).replace(",", ""))
    peaks = [float(v) for v in re.findall(r"(\d+)(?:,| MB)", out.split("peak memory:")[1]
                                           .split(";")[0])]
    assert table_mb > 450 and len(peaks) == 3  # two workers, this process
    assert max(peaks) < table_mb / 2, out
    assert "the table never sat in one process" in out
