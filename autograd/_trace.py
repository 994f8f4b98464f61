"""The switch ``ag.compile`` turns on while it traces a function: the engine's few places that
a trace must see call in here when ``trace.on`` is set, and cost one attribute test otherwise.

- ``record`` hands over every op result (``note``);
- a tensor's value read out to Python (``.item()``, ``float(t)``, ``if t:``, ``.data``, ...),
  an in-place write, random numbers drawn, or ``ag.grad`` run inside the function make the
  trace unfit to replay (``read``, ``refuse``): the recorded ops alone would not reproduce what
  the function does with a value, a write or a draw on its next call;
- ``backward()`` on the function's result, and the calls made through ``ag.replay_call`` (an
  optimizer's ``step`` and ``zero_grad``), are events that a replay makes again, in order,
  after the function's ops (``event``); the trace does not look inside them (``paused``).

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

    def event(self, kind: str, *details) -> bool:
        """A backward pass or an ``ag.replay_call`` in the traced function, which a replay
        makes again; False in another thread."""
        if threading.get_ident() != self.thread:
            return False
        self.tracer.event(kind, details)
        return True

    def produced(self, t) -> None:
        """A tensor an ``ag.replay_call`` returned: its value is the call's, not the ops'."""
        if threading.get_ident() == self.thread:
            self.tracer.produced[id(t)] = t  # (kept: its id stays its own until the build)

    def paused(self) -> Any:
        """Stop seeing this thread's ops and reads (an event's own); ``resume`` with the
        result."""
        thread, self.thread = self.thread, 0
        return thread

    def resume(self, thread: Any) -> None:
        self.thread = thread

    def refuse(self, why: str) -> None:
        if threading.get_ident() == self.thread:
            self.tracer.refuse(why)

    def read(self, what: str, depth: int = 2) -> None:
        """A tensor's value read out as ``what``: fine from the library's own code (an op
        reading its inputs' arrays), a reason not to replay from the traced function's."""
        if threading.get_ident() != self.thread:
            return
        module = sys._getframe(depth).f_globals.get("__name__", "")
        if not module.startswith(_OPS) and module != "autograd":
            self.tracer.refuse(f"the function reads a tensor's value ({what}) in Python")


# the library's modules whose reads of their inputs' arrays are ops' own (not nn.utils or
# nn.optim: gradient clipping and optimizer steps go through ag.replay_call)
_OPS = ("autograd.", "nn.functional", "nn.ops.", "nn.layers.", "nn.module", "nn._sibling")
trace = _Trace()
