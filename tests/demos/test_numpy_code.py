"""demos/numpy_code.py: plain numpy functions differentiated unchanged, each gradient equal to
its closed form and passing gradcheck."""

import importlib.util
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "demos" / "numpy_code.py"


def load_demo():
    spec = importlib.util.spec_from_file_location("numpy_code_demo", DEMO)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_help():
    out = subprocess.run([sys.executable, str(DEMO), "--help"], capture_output=True, text=True,
                         timeout=60, check=True).stdout
    assert "usage:" in out and "--steps" in out


def test_script_prints_matching_gradients_and_passed_gradchecks():
    out = subprocess.run([sys.executable, str(DEMO), "--n", "100", "--steps", "60"],
                         capture_output=True, text=True, timeout=120, check=True).stdout
    assert out.count("ag.gradcheck                   : passed") == 2
    diffs = [float(d) for d in re.findall(r"max \|difference\| = (\S+)", out)]
    assert len(diffs) == 2 and max(diffs) < 1e-10
    numpy_value, tensor_value = re.findall(r"log-likelihood on \w+ arrays?\s*: (\S+)|"
                                           r"log-likelihood on Tensors\s*: (\S+)", out)
    assert numpy_value[0] == tensor_value[1]  # the same function, the same number


def test_the_numpy_functions_are_differentiated_unchanged():
    demo = load_demo()
    results = demo.main(["--n", "200", "--steps", "300", "--atoms", "4", "--seed", "1"])
    g, c = results["gaussian"], results["cluster"]
    assert g["gradcheck"] and c["gradcheck"]
    assert g["grad_error"] < 1e-10 and c["force_error"] < 1e-10
    assert g["mean_error"] < 1e-4 and g["cov_error"] < 1e-4  # the maximum likelihood fit
    assert c["end"] < c["start"] - 0.5  # the cluster relaxed along -grad
