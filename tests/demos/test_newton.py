"""demos/newton.py runs and shows Newton's method needing far fewer steps than gradient descent."""

import importlib.util
import re
import subprocess
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]


def load_demo():
    spec = importlib.util.spec_from_file_location("newton_demo", ROOT / "demos" / "newton.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_script_prints_steps_of_both_methods():
    out = subprocess.run([sys.executable, str(ROOT / "demos" / "newton.py")], capture_output=True,
                         text=True, timeout=120, check=True).stdout
    steps = dict(re.findall(r"^(Newton|gradient descent).*?(\d+) steps", out, re.M))
    assert set(steps) == {"Newton", "gradient descent"}
    assert int(steps["Newton"]) <= 10
    assert int(steps["gradient descent"]) > 100 * int(steps["Newton"])


def test_both_methods_reach_the_minimum():
    demo = load_demo()
    p, n = demo.newton(tol=1e-10)
    np.testing.assert_allclose(p, [1.0, 1.0], atol=1e-10)
    assert n < 10
    p, n = demo.gradient_descent(start=(0.8, 0.6), tol=1e-2)
    assert np.linalg.norm(p - 1.0) < 1e-2 and n < 100_000
