"""Docstring examples are tests: each runs in a fresh temporary folder (an example may write a
file) with ``np``, ``ag``, ``nn`` and ``F`` imported, float32 by default and the default
generator seeded, as in a user's new session."""

from __future__ import annotations

import numpy as np
import pytest
from _pytest.doctest import DoctestItem

import autograd as ag
import nn
import nn.functional as F


@pytest.fixture(autouse=True)
def _docstring_example_state(request: pytest.FixtureRequest) -> None:
    if isinstance(request.node, DoctestItem):
        request.node.dtest.globs.update(np=np, ag=ag, nn=nn, F=F)
        request.getfixturevalue("monkeypatch").chdir(request.getfixturevalue("tmp_path"))
        ag.set_default_dtype(np.float32)
        ag.manual_seed(0)
