"""The in-place guard: backward refuses to use data that was changed after it was saved.

A backward closure reads its op's inputs (and sometimes its output) when it runs, so editing
one of them in place between forward and backward would silently give a wrong gradient.
PyTorch counts versions; we keep a global write clock:

- every write through ``t.data`` ticks ``clock.now``, stamps the owning Tensor's ``_version``
  and remembers the time for the array's memory (its base), so that tensors which are views
  of the same memory (``reshape``, slices, ``detach()``) see the write too;
- ``record()`` stamps each node with ``clock.now`` (``node.saved_versions``);
- before running a node's backward, the engine compares the stamp with ``clock.now``: equal
  (nothing was written anywhere since the op was recorded, the usual case) costs one
  comparison; otherwise ``check_saved`` looks at the node's own tensors.

``Tensor.data`` returns a ``TrackedArray``: a view of the same memory (same values, dtype and
``np.shares_memory``) whose item assignment, augmented assignments (``+=``, ``*=``, ...),
ufunc ``out=`` arguments (``np.add(a, b, out=t.data)``) and ``fill/sort/put/partition`` tick
the clock, also through its views (``t.data[0][1] = x``, ``t.data.T[0] += 1``). Everything
else about it is a plain ndarray, and arithmetic on it returns plain ndarrays. Internal code
uses ``_data`` and never pays for this. Writes it cannot see: through ``np.asarray(t)``,
``t.numpy()``, the array a Tensor was built from, ``np.copyto``, ``ufunc.at`` and
``.flat[...] =``.
"""

from __future__ import annotations

import weakref

import numpy as np


class _Clock:
    __slots__ = ("now", "written")

    def __init__(self) -> None:
        self.now = 0
        self.written: dict[int, tuple] = {}  # id(base array) -> (time of last write, weakref)


clock = _Clock()


def _base(a: np.ndarray) -> np.ndarray:
    """The array that owns ``a``'s memory."""
    while isinstance(a.base, np.ndarray):
        a = a.base
    return a


def _forget(key: int):
    return lambda _ref: clock.written.pop(key, None)


def tick() -> int:
    """Advance the clock (a Tensor's data was replaced); return the new time."""
    clock.now += 1
    return clock.now


def note_write(arr: np.ndarray) -> int:
    """Record that ``arr``'s memory was written now; return the new time."""
    clock.now += 1
    base = _base(arr)
    key = id(base)
    entry = clock.written.get(key)
    ref = entry[1] if entry is not None else weakref.ref(base, _forget(key))
    clock.written[key] = (clock.now, ref)
    return clock.now


class TrackedArray(np.ndarray):
    """What ``Tensor.data`` returns: the Tensor's array, seen through a view that reports
    in-place writes to the in-place guard. Values, dtype and memory are the Tensor's own.

    Kept cheap for code that computes with ``t.data``: no Python ``__array_ufunc__`` or
    ``__array_finalize__``, only ``__array_wrap__``; results of arithmetic are plain ndarrays.
    """

    _owner = None  # the Tensor whose ``.data`` this is (views of it only mark the memory)

    def _written(self) -> None:
        now = note_write(self)
        if self._owner is not None:
            self._owner._version = now

    def __array_wrap__(self, arr, context=None, return_scalar=False):
        # numpy hands a ufunc's result here: a fresh plain array, or a tracked array given as
        # out= (``d += 1``, ``np.add(a, b, out=d)``), which was just written in place
        if type(arr) is TrackedArray:
            arr._written()
            return arr
        return arr[()] if return_scalar else arr

    def __setitem__(self, key, value) -> None:
        super().__setitem__(key, value)
        self._written()

    def fill(self, value) -> None:
        super().fill(value)
        self._written()

    def sort(self, *args, **kwargs) -> None:
        super().sort(*args, **kwargs)
        self._written()

    def put(self, *args, **kwargs) -> None:
        super().put(*args, **kwargs)
        self._written()

    def partition(self, *args, **kwargs) -> None:
        super().partition(*args, **kwargs)
        self._written()

    def copy(self, order="C") -> np.ndarray:
        return self.view(np.ndarray).copy(order)

    def astype(self, *args, **kwargs) -> np.ndarray:
        return self.view(np.ndarray).astype(*args, **kwargs)

    def __repr__(self) -> str:
        return repr(self.view(np.ndarray))

    def __reduce__(self):
        return self.view(np.ndarray).__reduce__()


def tracked_view(t) -> TrackedArray:
    """The view of ``t._data`` that ``Tensor.data`` returns."""
    if not isinstance(t._data, np.ndarray):
        return t._data  # a numpy scalar (some reductions give one): immutable anyway
    v = t._data.view(TrackedArray)
    v._owner = t
    return v


# Ops whose backward reads none of their inputs' or output's values (only shapes), so
# editing those in place cannot change the gradient: PyTorch does not complain for them either.
SAVES_NOTHING = frozenset({
    "AddBackward", "SubBackward", "NegBackward", "SumBackward", "ReshapeBackward",
    "TransposeBackward", "BroadcastToBackward", "ConcatenateBackward", "GetitemBackward",
    "IndexAddBackward", "AstypeBackward",
})


def _modified_since(t, time: int) -> bool:
    if t._version > time:
        return True
    entry = clock.written.get(id(_base(t._data)))
    return entry is not None and entry[0] > time


def check_saved(node, out) -> None:
    """Raise if a tensor that ``node``'s backward reads was written after the node was made."""
    time = node.saved_versions
    if time is None or node.name in SAVES_NOTHING:
        return
    for i, p in enumerate(node.parents):
        if _modified_since(p, time):
            _raise(node, f"its input {i}", p)
    if _modified_since(out, time):
        _raise(node, "its output", out)


def _raise(node, which: str, t) -> None:
    site = f" (created at {node.site})" if node.site else ""
    raise RuntimeError(
        f"one of the tensors needed for gradient computation has been modified in place: "
        f"{which} (shape {t.shape}, dtype {t.dtype}) of {node.name}{site} was written after "
        f"the op was recorded (through .data, or .data of a tensor sharing its memory). "
        f"Redo the forward pass after editing, or edit a copy (t.data.copy()).")
