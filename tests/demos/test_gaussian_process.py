"""demos/gaussian_process.py: the log marginal likelihood is scipy's, its gradient is right,
and the fit raises it to a stationary point, saving the posterior plot."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import numpy as np
import scipy.stats as st

import autograd as ag

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("gaussian_process",
                                               ROOT / "demos" / "gaussian_process.py")
gp = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(gp)


def test_likelihood_is_scipys_and_its_gradient_checks():
    x, y = gp.make_data(12)
    p = np.array([0.2, -0.3, 0.1, -1.0])
    amp, length, noise = np.exp(p[1:])
    cov = amp ** 2 * np.exp(-(x[:, None] - x[None, :]) ** 2 / (2 * length ** 2))
    cov += noise ** 2 * np.eye(len(x))
    expected = st.multivariate_normal.logpdf(y, p[0] * np.ones(len(x)), cov)
    ours = gp.log_marginal_likelihood(ag.tensor(p), x, y).item()
    assert np.isclose(ours, expected, rtol=1e-12)
    f = lambda t: gp.log_marginal_likelihood(t, x, y)  # noqa: E731
    assert ag.gradcheck(f, (ag.tensor(p, requires_grad=True),))


def test_quick_run_raises_the_likelihood_to_a_stationary_point_and_plots(tmp_path, capsys):
    out = gp.main(["--quick", "--out", str(tmp_path)])
    text = capsys.readouterr().out
    assert "before:" in text and "after:" in text and "log marginal likelihood" in text
    assert out["after"] > out["before"] + 10
    t = ag.tensor(out["params"], requires_grad=True)
    (g,) = ag.grad(gp.log_marginal_likelihood(t, out["x"], out["y"]), t)
    assert np.abs(g.data).max() < 1e-3  # L-BFGS stopped where the gradient vanishes
    # the band is narrow at the data and wide in the gap between the two clusters
    sd, grid = out["sd"], out["grid"]
    assert sd[np.argmin(np.abs(grid - 0.25))] > 3 * sd[np.argmin(np.abs(grid + 2.5))]
    assert (tmp_path / "gaussian_process.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_help():
    out = subprocess.run([sys.executable, str(ROOT / "demos" / "gaussian_process.py"), "--help"],
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0 and "--quick" in out.stdout
