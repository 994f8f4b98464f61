"""Another distribution's top-level `autograd` or `nn` is refused by name, never silently used.

Each case builds a throwaway site folder (the foreign package plus its ``.dist-info``), puts it
first on ``PYTHONPATH`` and imports in a fresh interpreter, as a user's environment would.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _site(tmp_path: Path, package: str, dist: str | None, version: str = "1.7.0") -> Path:
    site = tmp_path / "site"
    (site / package).mkdir(parents=True)
    (site / package / "__init__.py").write_text(f'"""someone else\'s {package}."""\nX = 1\n')
    if dist is not None:
        info = site / f"{dist}-{version}.dist-info"
        info.mkdir()
        (info / "METADATA").write_text(
            f"Metadata-Version: 2.1\nName: {dist}\nVersion: {version}\n")
        (info / "top_level.txt").write_text(f"{package}\n")
        (info / "RECORD").write_text(f"{package}/__init__.py,,\n")
    return site


def _import(site: Path, statement: str) -> subprocess.CompletedProcess:
    env = {"PYTHONPATH": f"{site}:{ROOT}", "PATH": "/usr/bin:/bin", "PYTHONNOUSERSITE": "1"}
    return subprocess.run([sys.executable, "-c", statement], capture_output=True, text=True,
                          env=env, cwd=site, timeout=60)


def test_import_nn_with_hips_autograd_names_the_distribution_and_the_fix(tmp_path):
    site = _site(tmp_path, "autograd", "autograd")
    result = _import(site, "import nn")
    assert result.returncode != 0
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("ImportError: the top-level package 'autograd' found at")
    assert str(site / "autograd") in last
    assert "belongs to the distribution 'autograd 1.7.0'" in last
    assert "pip uninstall autograd" in last and "--force-reinstall" in last
    assert "cannot import name" not in result.stderr


def test_import_autograd_with_pypi_nn_names_the_distribution(tmp_path):
    site = _site(tmp_path, "nn", "nn", version="0.1.3")
    result = _import(site, "import autograd")
    assert result.returncode != 0
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("ImportError: the top-level package 'nn' found at")
    assert "belongs to the distribution 'nn 0.1.3'" in last
    assert "pip uninstall nn" in last


def test_a_users_own_nn_module_without_a_distribution_does_not_block_autograd(tmp_path):
    site = _site(tmp_path, "nn", dist=None)
    result = _import(site, "import autograd; print(autograd.__version__)")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == __import__("autograd").__version__


def test_nn_refuses_a_shadowing_autograd_folder_that_no_distribution_owns(tmp_path):
    site = _site(tmp_path, "autograd", dist=None)
    result = _import(site, "import nn")
    assert result.returncode != 0
    last = result.stderr.strip().splitlines()[-1]
    assert "belongs to no installed distribution" in last and "shadows ours" in last


def test_our_own_pair_imports_in_either_order(tmp_path):
    for statement in ("import nn, autograd", "import autograd, nn"):
        result = _import(tmp_path, statement + "; assert nn.Linear and autograd.Tensor")
        assert result.returncode == 0, result.stderr
