"""Small helpers shared by the op families: turning operands into Tensors, checking axes."""

from __future__ import annotations

import numpy as np

from .._tensor import Tensor, _wrap, as_array

_PY_SCALARS = (bool, int, float)
_constants: dict = {}  # (type, value, dtype) -> read-only 0-d constant Tensor


def lift(x, like: Tensor) -> Tensor:
    """Make a constant Tensor of ``x`` for use beside ``like``.

    A Python number takes ``like``'s floating dtype (numpy's and PyTorch's "weak scalar" rule:
    ``float32_tensor * 2.5`` stays float32); arrays and lists keep their own dtype rules.
    Scalar constants are cached: loops like ``x = x * 1.0001`` reuse one.
    """
    if isinstance(x, Tensor):
        return x
    if type(x) in _PY_SCALARS and like._data.dtype.kind == "f":
        key = (type(x), x, like._data.dtype)
        t = _constants.get(key)
        if t is None:
            if len(_constants) > 4096:
                _constants.clear()
            arr = np.asarray(x, dtype=like._data.dtype)
            arr.flags.writeable = False
            t = _constants[key] = _wrap(arr)
        return t
    return _wrap(as_array(x))


def operands(a, b) -> tuple[Tensor, Tensor]:
    """Both operands of a binary op as Tensors (one of them may arrive as a number or array)."""
    if not isinstance(a, Tensor):
        a = lift(a, b) if isinstance(b, Tensor) else _wrap(as_array(a))
    if not isinstance(b, Tensor):
        b = lift(b, a)
    return a, b


def as_tensor(x) -> Tensor:
    return x if isinstance(x, Tensor) else _wrap(as_array(x))


def broadcast_error(name: str, a: Tensor, b: Tensor) -> ValueError:
    return ValueError(
        f"{name}: shapes {tuple(a.shape)} and {tuple(b.shape)} cannot be broadcast together")


def _is_int(x) -> bool:
    return isinstance(x, (int, np.integer)) and not isinstance(x, (bool, np.bool_))


def check_axis(ax, ndim: int, name: str) -> int:
    """One axis, checked as PyTorch does (an int in ``[-ndim, ndim)``; ``-1`` and ``0`` for a
    0-d tensor), as a non-negative int."""
    if not _is_int(ax):
        raise TypeError(f"{name}: axis must be an int or a tuple of ints, got {ax!r} "
                        f"({type(ax).__name__})")
    n = ndim if ndim else 1
    if not -n <= ax < n:
        raise ValueError(f"{name}: axis {ax} is out of range for a tensor with {ndim} "
                         f"dimension(s) (expected an axis in [{-n}, {n - 1}])")
    return int(ax) % n


def normalize_axis(axis, ndim: int, name: str) -> tuple | None:
    """``axis`` (None, int or tuple, negatives allowed) as a sorted tuple of non-negative ints.

    A 0-d tensor accepts ``axis`` -1 and 0, as in PyTorch (reducing it is the identity).
    """
    if axis is None:
        return None
    if _is_int(axis):
        axes = (axis,)
    elif isinstance(axis, (tuple, list)):
        axes = tuple(axis)
    else:
        raise TypeError(f"{name}: axis must be an int or a tuple of ints, got {axis!r} "
                        f"({type(axis).__name__})")
    out = [check_axis(ax, ndim, name) for ax in axes]
    if len(set(out)) != len(out):
        raise ValueError(f"{name}: repeated axis in {axis!r}")
    if ndim == 0:
        return ()
    return tuple(sorted(out))


def kept_shape(shape: tuple, axes: tuple | None) -> tuple:
    """The shape of a reduction over ``axes`` with ``keepdims=True``."""
    if axes is None:
        return (1,) * len(shape)
    return tuple(1 if i in axes else s for i, s in enumerate(shape))
