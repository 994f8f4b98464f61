"""Forward ops give IEEE results (inf, nan) without numpy's RuntimeWarnings, as PyTorch does.

numpy warns on division by zero, overflow and invalid values (``inf - inf``, ``log(-1)``);
PyTorch gives the same numbers silently. Two parts keep the ops silent, and neither costs
anything while no such value appears:

- at import, a warnings filter ignores numpy's floating-point warnings raised inside
  ``autograd`` and ``nn`` (the user's own numpy calls still warn);
- where warnings are made errors after that (``warnings.simplefilter("error")``, pytest's
  ``filterwarnings``), numpy raises the RuntimeWarning instead, and each op catches it and
  computes again with numpy's warnings off (``quietly``).

``np.errstate`` around every op would also do it, but costs about a microsecond per op (as
much as a small op itself), and setting numpy's error state directly about 150 ns. Not
covered: a filter that shows warnings, installed after ``autograd`` was imported
(``warnings.simplefilter("always")``) still shows them.
"""

from __future__ import annotations

import warnings

import numpy as np

FP_WARNING = r"(divide by zero|overflow|invalid value|underflow) encountered"
LIBRARY_MODULES = r"(autograd|nn)(\.|$)"


def ignore_fp_warnings() -> None:
    """Install the filter that silences numpy's floating-point warnings in our modules."""
    warnings.filterwarnings("ignore", message=FP_WARNING, category=RuntimeWarning,
                            module=LIBRARY_MODULES)


def quietly(fn, *args, **kwargs):
    """``fn(*args, **kwargs)`` with numpy's floating-point warnings off: the fallback of an op
    whose computation raised a RuntimeWarning because warnings are set to be errors."""
    with np.errstate(all="ignore"):
        return fn(*args, **kwargs)


def quiet_unary(ufunc, name, arr):
    """``ufunc(arr)`` for a numpy array, else the function ``name`` of ``arr``'s backend (a
    standard name, or a function ``(xp, arr)`` of standard ones): IEEE results (inf, nan)
    without numpy's warnings, as above. (Off numpy always quietly: a library over numpy, such
    as array-api-strict, warns from its own module, which the filter does not cover.)"""
    if arr.__class__ is not np.ndarray:
        from .backend import backend_of

        xp = backend_of(arr)
        if name.__class__ is str:
            return quietly(getattr(xp, name), arr)
        return quietly(name, xp, arr)
    try:
        return ufunc(arr)
    except RuntimeWarning:  # warnings made errors
        return quietly(ufunc, arr)
