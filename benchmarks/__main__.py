"""Run the benchmarks: ``python -m benchmarks [NAME ...]``."""

from __future__ import annotations

import argparse
import ast
import pkgutil
import subprocess
import sys
import textwrap
from pathlib import Path

import benchmarks


def available() -> dict[str, str]:
    """Each ``bench_*`` module with its docstring's first paragraph (read, not imported)."""
    found = {}
    for m in sorted(pkgutil.iter_modules(benchmarks.__path__), key=lambda m: m.name):
        if m.name.startswith("bench_"):
            source = (Path(benchmarks.__path__[0]) / f"{m.name}.py").read_text(encoding="utf-8")
            doc = ast.get_docstring(ast.parse(source)) or ""
            found[m.name] = " ".join(doc.split("\n\n")[0].split())
    return found


def main(argv: list[str]) -> None:
    names = available()
    listing = "\n".join(textwrap.fill(text, 90, initial_indent=f"  {name:<14} ",
                                       subsequent_indent=" " * 17) for name, text in names.items())
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks", description=benchmarks.__doc__,
        epilog=f"benchmarks:\n{listing}\n\nBaselines (PyTorch, micrograd, MyGrad) come from the "
               "'bench' extra;\nwithout it each case runs against numpy alone.",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("names", nargs="*", metavar="NAME",
                        help="run only the benchmarks whose name contains NAME (default: all), "
                             "each in its own interpreter")
    args = parser.parse_args(argv)
    chosen = [n for n in names if not args.names or any(a in n for a in args.names)]
    if not chosen:
        parser.error(f"no benchmark matches {args.names}; have {list(names)}")
    for name in chosen:
        # each in a fresh interpreter, as a script runs: no benchmark's imports (PyTorch's
        # heap of objects, which the cyclic collector would walk) or garbage reach the next
        done = subprocess.run([sys.executable, "-m", f"benchmarks.{name}"], check=False)
        if done.returncode:
            sys.exit(f"benchmarks.{name} failed (exit status {done.returncode})")


if __name__ == "__main__":
    main(sys.argv[1:])
