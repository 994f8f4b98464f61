"""The in-place guard: backward refuses to use values that were changed after they were saved.

A backward closure reads its op's inputs (and sometimes its output) when it runs, so editing
one of them in place between forward and backward would silently give a wrong gradient.
As in PyTorch, every in-place op (``t += 1``, ``t.mul_(2)``, ``t[i] = v``, an optimizer's
step through ``increment_version``) bumps the version counter of the tensor's memory:

- the counter belongs to the memory (the numpy base array), so views of the same memory
  (``reshape``, slices, ``detach()``) share it, and ``t._version`` reads it;
- a global write clock ticks on every in-place write; ``record()`` stamps each node with
  the clock (``t._saved_version``), so before running a node's backward the engine needs one
  comparison to know that nothing at all was written since (the usual case);
- otherwise ``check_saved`` looks at the node's own tensors, but only for ops whose
  declaration says their backward reads saved values (``saves=``), and names the op and both
  versions of the tensor that changed.

Writes through ``.data`` (the plain numpy array) bypass the guard, as in PyTorch.
"""

from __future__ import annotations

import bisect
import weakref
from typing import Any

import numpy as np

from ._trace import trace


class _Clock:
    __slots__ = ("now", "written", "rebased")

    def __init__(self) -> None:
        self.now = 0
        self.rebased = -1  # the time of the latest rebase (``note_rebase``); -1: none yet
        # id(base array) -> [write times (at least the last _KEEP), version, weakref to base]
        self.written: dict[int, list] = {}


clock = _Clock()
_KEEP = 256  # write times kept per memory block: enough to name the version a node saw


def _base(a) -> np.ndarray:
    """The array that owns ``a``'s memory."""
    b = getattr(a, "base", None)
    while isinstance(b, np.ndarray):
        a, b = b, b.base
    return a


def _forget(key: int):
    return lambda _ref: clock.written.pop(key, None)


def note_write(arr: np.ndarray) -> int:
    """Record that ``arr``'s memory was written in place now; return its new version."""
    clock.now += 1
    base = arr if arr.__class__ is np.ndarray and arr.base is None else _base(arr)
    if trace.on:
        trace.wrote(base)
    key = id(base)
    entry = clock.written.get(key)
    if entry is None:
        try:
            ref = weakref.ref(base, _forget(key))
        except TypeError:  # numpy scalars can't be referenced weakly, nor written
            return 0
        entry = clock.written[key] = [[], 0, ref]
    times = entry[0]
    times.append(clock.now)
    if len(times) > 2 * _KEEP:  # trimmed back to the last _KEEP now and then, not every write
        del times[: len(times) - _KEEP]
    entry[1] += 1
    return entry[1]


def version_of(arr) -> int:
    """The number of in-place writes ``arr``'s memory has had."""
    entry = clock.written.get(id(_base(arr)))
    return entry[1] if entry is not None else 0


def increment_version(t: Any) -> None:
    """Tell the in-place guard that ``t``'s array was just written in place.

    For code that writes ``t.data`` directly (an optimizer's update, an initialiser,
    ``load_state_dict``): a backward through a graph that saved the old values then raises
    instead of returning a wrong gradient. Same as PyTorch's
    ``torch.autograd.graph.increment_version``.

    Examples
    --------
    >>> w = ag.ones(3, requires_grad=True)
    >>> y = (w * w).sum()
    >>> w.data *= 2; ag.increment_version(w)
    >>> y.backward()
    Traceback (most recent call last):
    ...
    RuntimeError: one of the variables needed for gradient computation has been modified ...
    """
    note_write(t._data)


def _version_at(t, time: int) -> tuple[int, int, bool]:
    """``t``'s memory version now, when the clock read ``time``, and whether that is exact."""
    entry = clock.written.get(id(_base(t._data)))
    if entry is None:
        return 0, 0, True
    times, version = entry[0], entry[1]
    later = len(times) - bisect.bisect_right(times, time)
    exact = later < len(times) or len(times) == version
    return version, version - later, exact


def _modified_since(t, time: int) -> bool:
    entry = clock.written.get(id(_base(t._data)))
    return entry is not None and entry[0][-1] > time


def check_saved(t) -> None:
    """Raise if a tensor that the backward of node ``t`` reads was written after it was saved."""
    saves = t._op.saves
    if saves is None:
        return
    time = t._saved_version
    if saves != "output":
        for i, p in enumerate(t._parents):
            if _modified_since(p, time):
                _raise(t, f"input {i}", p, time)
    if saves != "inputs" and _modified_since(t, time):
        _raise(t, "output", t, time)


def _raise(node, which: str, t, time: int) -> None:
    now, then, exact = _version_at(t, time)
    site = f" (created at {node._site})" if getattr(node, "_site", None) else ""
    raise RuntimeError(
        f"one of the variables needed for gradient computation has been modified by an "
        f"inplace operation: the {which} of {node._op.node}{site}, a tensor of shape "
        f"{t.shape} and dtype {t.dtype}, is at version {now}; expected version "
        f"{then if exact else f'{then} or lower'} instead. Redo the forward pass after the "
        f"in-place change, or change a copy (t.clone()).")


# ---------------------------------------------------------------------------- rebased tensors
# An in-place op under recording makes its tensor the output of a new node; the node it had
# moves to a fresh twin (see ``ops.inplace``). Nodes recorded earlier that took the tensor as
# an input must still send their gradient to the node it had then: ``rebased`` remembers, per
# tensor, (time of the in-place op, twin) pairs in time order.
_rebased: dict[int, tuple] = {}  # id(tensor) -> (weakref to it, [(time, twin), ...])


def note_rebase(t, twin) -> None:
    """Record that an in-place op just gave ``t`` a new node; ``twin`` holds the old one."""
    key = id(t)
    entry = _rebased.get(key)
    if entry is None:  # keyed by id: Tensor's == is elementwise, no use to a dict
        entry = _rebased[key] = (weakref.ref(t, lambda _r: _rebased.pop(key, None)), [])
    entry[1].append((clock.now, twin))
    clock.rebased = clock.now


def parent_at(p, time: int):
    """The tensor that stood for ``p`` when the clock read ``time``: ``p`` itself, or the twin
    that took over its node when an in-place op rebased it later."""
    entry = _rebased.get(id(p))
    if entry is None or entry[0]() is not p:
        return p
    for when, twin in entry[1]:
        if when > time:
            return twin
    return p
