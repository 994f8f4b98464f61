"""The switch ``ag.compile`` turns on while it traces a function: the engine's few places that
a trace must see call in here when ``trace.on`` is set, and cost one attribute test otherwise.

- ``record`` hands over every op result (``note``);
- a tensor's value read out to Python (``.item()``, ``float(t)``, ``if t:``, ``.data``, ...),
  an in-place write, random numbers drawn, or ``backward()`` run inside the function make the
  trace unfit to replay (``read``, ``refuse``): the recorded ops alone would not reproduce what
  the function does with a value, a write or a draw on its next call.

Only the tracing thread's events count; other threads run as usual meanwhile.
"""

from __future__ import annotations

import sys
import threading
from typing import Any


class _Trace:
    __slots__ = ("on", "tracer", "thread")

    def __init__(self) -> None:
        self.on = False
        self.tracer: Any = None
        self.thread = 0

    def note(self, t, parents: tuple, op, backward, attrs: tuple | None) -> None:
        if threading.get_ident() == self.thread:
            self.tracer.note(t, parents, op, backward, attrs)

    def constant(self, t) -> None:
        """A tensor made from plain values only (``ag.zeros``, ``ag.arange``): a constant
        that a replay may keep."""
        if threading.get_ident() == self.thread and not t._requires_grad:
            self.tracer.constant(t)

    def made(self, t) -> None:
        """A tensor constructed inside the traced function (``ag.tensor(...)``)."""
        if threading.get_ident() == self.thread:
            self.tracer.made(t)

    def wrote(self, base) -> None:
        """An in-place write to the memory ``base``: replayed only if an op's kernel makes
        it (batch_norm's running statistics), which ``ag.compile`` checks at the end."""
        if threading.get_ident() == self.thread:
            self.tracer.written.add(id(base))

    def refuse(self, why: str) -> None:
        if threading.get_ident() == self.thread:
            self.tracer.refuse(why)

    def read(self, what: str, depth: int = 2) -> None:
        """A tensor's value read out as ``what``: fine from the library's own code (an op
        reading its inputs' arrays), a reason not to replay from the traced function's."""
        if threading.get_ident() != self.thread:
            return
        module = sys._getframe(depth).f_globals.get("__name__", "")
        if module.split(".")[0] not in _LIBRARY:
            self.tracer.refuse(f"the function reads a tensor's value ({what}) in Python")


_LIBRARY = frozenset({"autograd", "nn"})
trace = _Trace()
