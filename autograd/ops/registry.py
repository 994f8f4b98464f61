"""The op registry: every differentiable op declares itself here by decoration.

Tests walk ``OPS`` so that no op can exist without a gradient check.
"""

from __future__ import annotations

from typing import Callable

OPS: dict[str, Callable] = {}
COMPOSITE: set[str] = set()


def op(fn: Callable | None = None, *, name: str | None = None, composite: bool = False):
    """Register ``fn`` as an op under ``name`` (default: its ``__name__``).

    A primitive op defines its forward on numpy arrays and its backward closure side by side;
    a composite op is built from other ops and gets its derivative from them.
    """

    def register(f: Callable) -> Callable:
        key = name or f.__name__
        if key in OPS:
            raise ValueError(f"op {key!r} is registered twice")
        OPS[key] = f
        if composite:
            COMPOSITE.add(key)
        return f

    return register(fn) if fn is not None else register
