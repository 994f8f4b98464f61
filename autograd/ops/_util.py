"""Small helpers shared by the op families: turning operands into Tensors, checking axes."""

from __future__ import annotations

import numpy as np

from .._tensor import Tensor, _wrap, as_array

_PY_SCALARS = (bool, int, float)
_constants: dict = {}  # (type, value, dtype) -> read-only 0-d constant Tensor


def _python_numbers(x) -> bool:
    """Whether ``x`` is a (nested) list or tuple of Python ints and floats only."""
    stack = [x]
    while stack:
        for item in stack.pop():
            if isinstance(item, (list, tuple)):
                stack.append(item)
            elif type(item) is not float and not isinstance(item, int):
                return False
    return True


def lift(x, like: Tensor) -> Tensor:
    """Make a constant Tensor of ``x`` for use beside ``like``.

    A Python number, or a list of them, takes ``like``'s floating dtype (numpy's and PyTorch's
    "weak scalar" rule: ``float32_tensor * 2.5`` stays float32, and ``np.dot(float64_tensor,
    0.1)`` is exact); arrays keep their own dtype. Scalar constants are cached: loops like
    ``x = x * 1.0001`` reuse one.
    """
    if isinstance(x, Tensor):
        return x
    # int subclasses are Python ints too (t.size, an IntEnum); numpy's integers are not ints
    if (type(x) in _PY_SCALARS or isinstance(x, int)) and like._data.dtype.kind == "f":
        key = (type(x), x, like._data.dtype)
        t = _constants.get(key)
        if t is None:
            if len(_constants) > 4096:
                _constants.clear()
            arr = np.asarray(x, dtype=like._data.dtype)
            arr.flags.writeable = False
            t = _constants[key] = _wrap(arr)
        return t
    if isinstance(x, (list, tuple)) and like._data.dtype.kind == "f" and _python_numbers(x):
        return _wrap(np.asarray(x, dtype=like._data.dtype))
    return _wrap(as_array(x))


def lift_all(items) -> list:
    """Tensors of ``items`` (a sequence of tensors, arrays, numbers and lists), the constants
    lifted beside the first Tensor among them, as ``lift`` does."""
    like = next((t for t in items if isinstance(t, Tensor)), None)
    return [as_tensor(t) if like is None else lift(t, like) for t in items]


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


def normalize_axis(axis, ndim: int, name: str) -> tuple | None:
    """``axis`` (None, int or tuple, negatives allowed) as a sorted tuple of non-negative ints."""
    if axis is None:
        return None
    axes = (axis,) if isinstance(axis, (int, np.integer)) else tuple(axis)
    out = []
    for ax in axes:
        if not isinstance(ax, (int, np.integer)):
            raise TypeError(f"{name}: axis must be an int or a tuple of ints, got {axis!r}")
        if not -ndim <= ax < max(ndim, 1) or (ndim == 0 and ax not in (0, -1)):
            raise ValueError(
                f"{name}: axis {ax} is out of range for a tensor with {ndim} dimension(s)")
        out.append(int(ax) % max(ndim, 1))
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
