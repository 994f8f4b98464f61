"""What a user checks before depending on the package: license, version, typing marker."""

from __future__ import annotations

import re
import sys
from importlib import metadata
from pathlib import Path

import autograd
import nn

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    tomllib = None

ROOT = Path(__file__).resolve().parents[1]


def test_version_is_written_once_and_exposed():
    text = (ROOT / "pyproject.toml").read_text()
    assert re.search(r'^dynamic = \["version"\]', text, re.M)
    assert not re.search(r"^version\s*=", text, re.M)
    assert re.search(r'^path = "autograd/__init__.py"', text, re.M)
    assert re.fullmatch(r"\d+\.\d+\.\d+", autograd.__version__)
    assert nn.__version__ == autograd.__version__
    assert metadata.version("autograd-engine") == autograd.__version__


def test_license_file_matches_the_declared_license():
    assert (ROOT / "LICENSE").read_text().startswith("MIT License\n")
    if tomllib is not None:
        project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
        assert project["license"] == "MIT" and project["license-files"] == ["LICENSE"]
    assert metadata.metadata("autograd-engine")["License-Expression"] == "MIT"


def test_both_packages_ship_the_typing_marker():
    for package in (autograd, nn):
        assert (Path(package.__file__).parent / "py.typed").is_file()


def test_readme_links_point_at_files_that_exist():
    text = (ROOT / "README.md").read_text()
    links = re.findall(r"\]\(([^)#]+)(?:#[^)]*)?\)", text)
    local = [link for link in links if "://" not in link]
    assert "docs/getting-started.md" in local and "LICENSE" in local
    for link in local:
        assert (ROOT / link).is_file(), f"README links to {link}, which does not exist"


def test_every_guide_page_is_in_the_site_navigation():
    nav = (ROOT / "mkdocs.yml").read_text()
    for page in sorted((ROOT / "docs").rglob("*.md")):
        assert f": {page.relative_to(ROOT / 'docs')}" in nav, f"{page} is not in mkdocs.yml nav"
