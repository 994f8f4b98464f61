"""nn, the demos and the benchmarks stand on autograd's public surface only: no name that
starts with ``_``, no private module, no ``._data``. A user's own layer can then do whatever nn
does, and autograd's internals can change without breaking nn."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

import autograd as ag

ROOT = Path(__file__).resolve().parents[1]
FILES = sorted(p for d in ("nn", "demos", "benchmarks") for p in (ROOT / d).rglob("*.py"))
PUBLIC_MODULES = {"autograd", "autograd.viz", "autograd.functional", "autograd.gradcheck",
                  "autograd.typing", "autograd.backend"}


def _public(module: str) -> bool:
    """autograd's public modules, and the optional extra's (``autograd.scipy.stats.norm``)."""
    parts = module.split(".")
    return module in PUBLIC_MODULES or (parts[:2] == ["autograd", "scipy"] and not any(
        p.startswith("_") for p in parts))


def _violations(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("autograd"):
            if not _public(node.module):
                found.append(f"line {node.lineno}: imports from {node.module}")
            found += [f"line {node.lineno}: imports {a.name}" for a in node.names
                      if a.name.startswith("_")]
        elif isinstance(node, ast.Import):
            found += [f"line {node.lineno}: imports {a.name}" for a in node.names
                      if a.name.startswith("autograd.") and not _public(a.name)]
        elif isinstance(node, ast.Attribute) and node.attr.startswith("_") and \
                not node.attr.startswith("__"):
            base = node.value
            if isinstance(base, ast.Name) and base.id in ("ag", "autograd"):
                found.append(f"line {node.lineno}: uses {base.id}.{node.attr}")
            elif node.attr in ("_data", "_version", "_op", "_parents", "_backward",
                               "_requires_grad", "_grad_fn"):
                found.append(f"line {node.lineno}: uses .{node.attr} (a Tensor internal)")
    return found


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_uses_only_autograds_public_surface(path):
    assert not _violations(path), f"{path.name}: {_violations(path)}"


def test_the_checker_catches_each_kind_of_private_use(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("from autograd.tensor import _wrap\nfrom autograd.mode import state\n"
                   "import autograd._graphviz\nimport autograd as ag\nag._x\nt._data\n"
                   "from autograd.scipy.stats._util import args\nimport autograd.scipy.stats\n")
    kinds = " ".join(_violations(bad))
    for word in ("autograd.tensor", "_wrap", "autograd.mode", "autograd._graphviz", "ag._x",
                 "._data", "autograd.scipy.stats._util"):
        assert word in kinds
    assert "line 8" not in kinds  # the optional extra's public modules are public


def test_public_names_used_by_nn_are_documented():
    for name in ("op", "record", "as_tensor", "increment_version", "default_generator",
                 "is_grad_enabled", "OpDef"):
        obj = getattr(ag, name)
        assert obj.__doc__ and len(obj.__doc__) > 40, name
        assert name in ag.__all__


def test_the_tensor_function_does_not_shadow_a_module():
    assert callable(ag.tensor) and not re.match("module", type(ag.tensor).__name__)
    assert ag.tensor([1.0]).tolist() == [1.0]
