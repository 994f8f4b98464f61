"""Every demo and ``python -m benchmarks`` answer ``--help`` with what they do and their options."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DEMOS = sorted((ROOT / "demos").glob("[!_]*.py"))


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, *args], capture_output=True, text=True, cwd=ROOT,
                          timeout=120)


@pytest.mark.parametrize("demo", DEMOS, ids=[d.stem for d in DEMOS])
def test_demo_help_says_what_it_does_and_lists_its_options(demo):
    result = _run(str(demo), "--help")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert out.startswith(f"usage: {demo.name}")
    summary = ast.get_docstring(ast.parse(demo.read_text())).splitlines()[0]
    assert summary in out
    for option in re.findall(r'add_argument\(\s*"(--[\w-]+)"', demo.read_text()):
        assert option in out, f"{demo.name} --help does not list {option}"
    assert result.stderr == ""


def test_benchmarks_help_lists_every_benchmark_without_running_any():
    result = _run("-m", "benchmarks", "--help")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("usage: python -m benchmarks")
    for module in sorted((ROOT / "benchmarks").glob("bench_*.py")):
        assert f"  {module.stem} " in result.stdout
    assert "'bench' extra" in result.stdout


def test_benchmarks_refuse_an_unknown_name_with_the_known_ones():
    result = _run("-m", "benchmarks", "no_such_case")
    assert result.returncode == 2
    assert "no benchmark matches ['no_such_case']" in result.stderr
    assert "bench_engine" in result.stderr


def test_a_demo_without_its_extra_says_how_to_install_it():
    demo = str(ROOT / "demos" / "digits.py")
    code = ("import runpy, sys; sys.modules['sklearn'] = None; "  # as if sklearn were absent
            f"sys.argv = [{demo!r}, '--epochs', '1']; "
            f"runpy.run_path({demo!r}, run_name='__main__')")
    result = _run("-c", code)
    assert result.returncode == 1
    assert "needs sklearn (the 'demos' extra)" in result.stderr
    assert "-m pip install -e '.[demos]'" in result.stderr
    assert "Traceback" not in result.stderr
