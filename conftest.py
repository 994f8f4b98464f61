"""Docstring examples are tests: each runs in a fresh temporary folder (an example may write a
file) with ``np``, ``ag``, ``nn`` and ``F`` imported, float32 by default and the default
generator seeded, as in a user's new session. An example that declares an op (``ag.op``) has
it removed afterwards, so the registry the other tests walk stays the library's own."""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

import numpy as np
import pytest
from _pytest.doctest import DoctestItem, DoctestModule

import autograd as ag
import nn
import nn.functional as F
from autograd import bind

ROOT = Path(__file__).resolve().parent
PRINT_OPTIONS = np.get_printoptions()  # numpy's defaults, before any test or demo changes them


@pytest.fixture(autouse=True)
def _numpy_print_options() -> Iterator[None]:
    """Every test and example sees numpy's default print options, whatever ran before it in
    the same process (a demo's ``main`` sets its own), and leaves them so."""
    np.set_printoptions(**PRINT_OPTIONS)
    yield
    np.set_printoptions(**PRINT_OPTIONS)
DOCUMENTED = ("autograd", "nn")  # the packages whose docstring examples are collected


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    """Collect the docstring examples of every module of autograd/ and nn/ (what
    ``--doctest-modules`` does, but only there: the test modules are not doctest modules)."""
    if file_path.suffix == ".py" and file_path.name != "conftest.py":
        path = file_path.resolve()
        if path.is_relative_to(ROOT) and path.relative_to(ROOT).parts[0] in DOCUMENTED:
            return DoctestModule.from_parent(parent, path=file_path)
    return None


@pytest.fixture(autouse=True)
def _docstring_example_state(request: pytest.FixtureRequest) -> Iterator[None]:
    if not isinstance(request.node, DoctestItem):
        yield
        return
    request.node.dtest.globs.update(np=np, ag=ag, nn=nn, F=F)
    request.getfixturevalue("monkeypatch").chdir(request.getfixturevalue("tmp_path"))
    ag.set_default_dtype(np.float32)
    ag.manual_seed(0)
    tables = (ag.OPS, bind._BOUND, bind.EXPORTS, bind.UFUNCS, bind.FUNCTIONS)
    before = [dict(t) for t in tables]
    tensor_attrs = set(vars(ag.Tensor))
    yield
    ag.set_grad_enabled(True)  # an example that switched recording off leaves it off otherwise
    for table, saved in zip(tables, before):
        for key in set(table) - set(saved):
            del table[key]
    for attr in set(vars(ag.Tensor)) - tensor_attrs:
        delattr(ag.Tensor, attr)
