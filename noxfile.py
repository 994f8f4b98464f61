"""Declared support, tested: the oldest and the newest dependencies on every Python we find.

    nox -l                       # the sessions this machine can run
    nox -s tests_oldest-3.10     # the floors in pyproject.toml (numpy, graphviz, ...) on 3.10
    nox -s tests_oldest          # the floors on every Python from 3.10 up that is installed
    nox -s tests_newest          # the newest releases, every Python
    nox -s lint typecheck docs package

The floors are read from ``[project] dependencies`` in pyproject.toml, so what is declared is
what is tested: ``numpy>=2.2`` installs ``numpy==2.2`` (a marker such as
``; python_version < "3.13"`` would restrict a floor to some Pythons). Interpreters are looked
up as ``python3.X`` on PATH and, failing that, in pyenv's versions folder; nothing is
downloaded.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import nox
from packaging.markers import default_environment
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parent
nox.options.download_python = "never"
nox.options.default_venv_backend = "uv|virtualenv"  # uv when installed (the dev extra has it)
nox.options.sessions = ["tests_oldest", "tests_newest", "lint", "typecheck", "docs", "package"]
# CI sets CI=true; the suite then runs hypothesis derandomized (tests/conftest.py)
PASS_ENV = {"CI": os.environ.get("CI", "")}


def _works(exe: str) -> bool:
    try:
        return subprocess.run([exe, "-c", "import venv, ssl"], capture_output=True,
                              timeout=30).returncode == 0
    except (OSError, subprocess.SubprocessError):
        return False


def _find_pythons(minors: range = range(10, 15)) -> list[str]:
    """The ``3.X`` versions (X in ``minors``) that have a working interpreter here.

    One found outside PATH (a pyenv version that is not the global one) is linked into
    ``.nox/bin`` and that folder is put first on PATH, so nox finds it by its version.
    """
    links = ROOT / ".nox" / "bin"
    pyenv = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv")) / "versions"
    found = []
    for minor in minors:
        name = f"python3.{minor}"
        candidates = [shutil.which(name), str(links / name)]
        candidates += sorted(glob.glob(str(pyenv / f"3.{minor}.*" / "bin" / name)), reverse=True)
        exe = next((c for c in candidates if c and _works(c)), None)
        if exe is None:
            continue
        if exe != shutil.which(name):
            links.mkdir(parents=True, exist_ok=True)
            if not (links / name).exists():
                (links / name).symlink_to(exe)
        found.append(f"3.{minor}")
    os.environ["PATH"] = f"{links}{os.pathsep}{os.environ['PATH']}"
    return found


PYTHONS = _find_pythons()


def floors(python: str) -> list[str]:
    """``name==lowest`` for each runtime dependency that applies on ``python`` ("3.10")."""
    project = nox.project.load_toml(ROOT / "pyproject.toml")["project"]
    env = {**default_environment(), "python_version": python, "python_full_version": python + ".0"}
    pins = []
    for line in project["dependencies"]:
        req = Requirement(line)
        if req.marker is not None and not req.marker.evaluate(env):
            continue
        lows = [s.version for s in req.specifier if s.operator in (">=", "==", "~=")]
        if len(lows) != 1:
            raise ValueError(f"pyproject.toml: {line!r} needs exactly one lower bound (>=)")
        pins.append(f"{req.name}=={lows[0]}")
    return pins


def _pytest(session: nox.Session) -> None:
    session.run("python", "-c", "import numpy, sys; print('numpy', numpy.__version__, 'on',"
                " sys.version.split()[0])")
    session.run("python", "-m", "pytest", "-n", "2", "-p", "no:cacheprovider", *session.posargs,
                env=PASS_ENV)


@nox.session(python=PYTHONS)
def tests_oldest(session: nox.Session) -> None:
    """The whole suite on the lowest versions pyproject.toml allows for this Python."""
    pins = floors(session.python)
    session.log("floors: " + " ".join(pins))
    session.install(*pins, ".[test]")
    _pytest(session)


@nox.session(python=PYTHONS)
def tests_newest(session: nox.Session) -> None:
    """The whole suite on the newest releases of everything."""
    session.install("--upgrade", "--upgrade-strategy", "eager", ".[test]")
    _pytest(session)


@nox.session(python=False)
def lint(session: nox.Session) -> None:
    """ruff, from the environment nox runs in (the dev extra has it)."""
    session.run(sys.executable, "-m", "ruff", "check", ".")


@nox.session
def typecheck(session: nox.Session) -> None:
    """pyright over autograd/ and nn/ (settings in pyproject.toml), as a user's checker would."""
    # autograd.scipy's types come from scipy's, the dask backend's from dask's
    session.install(".[scipy,dask]", "pyright")
    session.run("pyright")


@nox.session
def docs(session: nox.Session) -> None:
    """The API reference site, with warnings as errors."""
    session.install(".[docs]")
    site = Path(session.create_tmp()) / "site"
    session.run("mkdocs", "build", "--strict", "--site-dir", str(site))


@nox.session
def package(session: nox.Session) -> None:
    """sdist and wheel build, pass ``twine check``, and the wheel holds autograd/ and nn/ only."""
    session.install("build", "twine")
    out = Path(session.create_tmp()) / "dist"
    shutil.rmtree(out, ignore_errors=True)
    session.run("python", "-m", "build", "--outdir", str(out))
    dists = sorted(str(p) for p in out.iterdir())
    session.run("twine", "check", "--strict", *dists)
    (wheel,) = out.glob("*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    tops = {n.split("/")[0] for n in names}
    extra = {t for t in tops if t not in ("autograd", "nn") and not t.endswith(".dist-info")}
    if extra:
        session.error(f"the wheel holds more than autograd/ and nn/: {sorted(extra)}")
    for marker in ("autograd/py.typed", "nn/py.typed"):
        if marker not in names:
            session.error(f"the wheel lacks {marker}")
    if not any(n.endswith("licenses/LICENSE") for n in names):
        session.error("the wheel lacks the LICENSE file")
    session.log(f"{wheel.name}: {len(names)} files, top level {sorted(tops)}")
