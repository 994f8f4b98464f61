"""The examples in the docstrings of autograd.scipy (and of the special-function ops) run."""

from __future__ import annotations

import doctest
import importlib

import numpy as np
import pytest

import autograd as ag

MODULES = [
    "autograd.scipy", "autograd.scipy.special", "autograd.scipy.linalg", "autograd.scipy.signal",
    "autograd.scipy.integrate", "autograd.scipy.stats", "autograd.ops.special",
    "autograd.ops.bessel", *(f"autograd.scipy.stats.{d}" for d in (
        "norm", "t", "gamma", "beta", "chi2", "poisson", "multivariate_normal", "dirichlet")),
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_run(name):
    mod = importlib.import_module(name)
    import autograd.scipy.linalg as sla
    import autograd.scipy.signal as sig

    globs = {"ag": ag, "np": np, "sla": sla, "sig": sig}
    finder = doctest.DocTestFinder()
    runner = doctest.DocTestRunner(optionflags=doctest.NORMALIZE_WHITESPACE)
    tests = [t for t in finder.find(mod, name, globs=globs, extraglobs=globs) if t.examples]
    # numpy's default print options (a demo run in-process by another test may change them)
    with np.printoptions(precision=8, suppress=False, threshold=1000, linewidth=75,
                         edgeitems=3, floatmode="maxprec", sign="-"):
        for t in tests:
            if t.name.startswith(name) or t.name.startswith(mod.__name__):
                runner.run(t)
    assert runner.summarize(verbose=False).failed == 0
