"""numpy's floating-point warnings off while an op computes, cheaply.

PyTorch gives no warning for ``log(0)``, ``inf - inf`` or an overflow: it returns the IEEE
result. numpy warns (divide, overflow, invalid), so every op whose numpy computation can hit
one runs it between ``token = hush(QUIET)`` and ``unhush(token)``::

    token = hush(QUIET)
    try:
        data = a._data * b._data
    finally:
        unhush(token)

The user's own numpy calls keep numpy's settings. ``np.errstate`` would do the same but costs
about a microsecond per use (as much as the op itself); setting numpy's context variable with
a prepared value costs about a tenth of that. On numpy 1.x, which has no such variable, the
same two calls fall back to ``np.seterr`` (per thread there).
"""

from __future__ import annotations

import numpy as np

try:  # numpy >= 2: the floating-point error state is a context variable
    from numpy._core._ufunc_config import _extobj_contextvar as _state
except ImportError:  # pragma: no cover - numpy 1.x
    _state = None

if _state is not None:
    with np.errstate(all="ignore"):
        QUIET = _state.get()
    hush = _state.set
    unhush = _state.reset
else:  # pragma: no cover - numpy 1.x
    QUIET = None

    def hush(_quiet):
        return np.seterr(all="ignore")

    def unhush(previous) -> None:
        np.seterr(**previous)
