"""The README's Python blocks run when pasted one after another into a fresh interpreter.

A block that shows an error (a comment line ``# SomeError: ...``) must raise that error; an
excerpt of the source (a first line ``# path (excerpt)``) or a fragment (a first line
``# (a fragment ...)``) is only read, not run."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

RUNNER = """
import json, sys
blocks = json.load(open(sys.argv[1], encoding="utf-8"))
ns = {"__name__": "__main__"}
for n, code, expect in blocks:
    try:
        exec(compile(code, f"README block {n}", "exec"), ns)
    except Exception as e:
        if expect is None or type(e).__name__ != expect:
            raise
    else:
        if expect is not None:
            raise AssertionError(f"README block {n} shows {expect} but raised nothing")
print("ran", len(blocks), "blocks")
"""


def readme_blocks() -> list[tuple[int, str, str | None]]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"^```python\n(.*?)^```", text, flags=re.S | re.M)
    out = []
    for n, code in enumerate(blocks, 1):
        if re.match(r"# (\S+ \(excerpt\)|\(a fragment)", code):
            continue
        error = re.search(r"^# (\w+Error):", code, flags=re.M)
        out.append((n, code, error.group(1) if error else None))
    return out


def test_readme_python_blocks_run_in_order(tmp_path):
    blocks = readme_blocks()
    assert len(blocks) >= 8 and blocks[0][0] == 1
    assert any("ag.explain" in code for _, code, _ in blocks)
    (tmp_path / "blocks.json").write_text(json.dumps(blocks), encoding="utf-8")
    run = subprocess.run([sys.executable, "-c", RUNNER, str(tmp_path / "blocks.json")],
                         cwd=tmp_path, capture_output=True, text=True, timeout=300,
                         env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin",
                              "HOME": str(tmp_path)})
    assert run.returncode == 0, run.stderr[-3000:]
    assert f"ran {len(blocks)} blocks" in run.stdout
    assert (tmp_path / "backprop.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert (tmp_path / "graph.svg").exists()
