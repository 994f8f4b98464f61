"""Small helpers shared by the op families: turning operands into Tensors, checking axes."""

from __future__ import annotations

from typing import Any

import numpy as np

from .._quiet import quietly
from .._tensor import Tensor, _wrap, as_array, get_default_dtype
from ..backend import NUMPY, Backend, BackendError, backend_of, namespace, np_dtype  # noqa: F401
from ..dtypes import WEAK_SCALARS, result_type

# scalar types that a floating tensor absorbs without promotion (the fast path of x * 2.0)
_REAL_SCALARS = frozenset([bool, int, float, np.bool_, np.float16, np.float32, np.float64,
                           np.int8, np.int16, np.int32, np.int64, np.uint8])
# the floating and complex dtypes, by dtype class: ``type(arr.dtype) in FLOATING`` is the
# cheapest such test on the hot path (``dtype.kind`` makes a new string each time)
FLOATING = frozenset(type(np.dtype(c)) for c in "efdgFDG")
_REAL_FLOAT = frozenset(type(np.dtype(c)) for c in "efdg")  # numpy's (and dask's, CuPy's)
_constants: dict = {}  # (type, value, dtype) -> read-only 0-d constant Tensor


def constant(x, dtype: np.dtype) -> Tensor:
    """A read-only 0-d Tensor of the number ``x`` in ``dtype``, cached: loops like
    ``x = x * 1.0001`` reuse one."""
    key = (type(x), x, dtype)
    t = _constants.get(key)
    if t is None:
        if len(_constants) > 4096:
            _constants.clear()
        with np.errstate(over="ignore"):  # 1e5 as float16 is inf, as in PyTorch
            arr = np.asarray(x, dtype=dtype)
        arr.flags.writeable = False
        t = _constants[key] = _wrap(arr)
    return t


def cast(x: Tensor, dtype: np.dtype) -> Tensor:
    """``x`` in ``dtype``: itself, a converted copy, or a recorded cast if it needs grad."""
    if x.dtype == dtype:
        return x
    if not x._requires_grad:
        if type(x._data) is not np.ndarray:
            b = backend_of(x._data)
            return _wrap(b.astype(x._data, b.dtype(dtype)))
        try:
            return _wrap(x._data.astype(dtype))
        except RuntimeWarning:  # past float32's range, with warnings made errors: inf, quietly
            return _wrap(quietly(x._data.astype, dtype))
    from .elementwise import astype

    return astype(x, dtype)


def promoted(x, dtype: np.dtype) -> Tensor:
    """An operand (Tensor, scalar, array or list) as a Tensor of the promoted ``dtype``."""
    if isinstance(x, Tensor):
        return cast(x, dtype)
    if isinstance(x, WEAK_SCALARS):
        return constant(x, dtype)
    return _wrap(as_array(x, dtype))


def lift(x, like: Tensor) -> Tensor:
    """A constant Tensor of ``x`` for use beside ``like``: a scalar in the dtype PyTorch's
    promotion gives the pair (``float32_tensor * 2.5`` stays float32); arrays and lists keep
    their own dtype rules. On ``like``'s backend (see ``on_backend_of``)."""
    if isinstance(x, Tensor):
        return x
    if type(like._data) is not np.ndarray:
        return on_backend_of(lift(x, _wrap(np.empty((0,) * like.ndim, like.dtype))), like)
    if type(x) in _REAL_SCALARS and like._data.dtype.kind == "f":
        return constant(x, like._data.dtype)
    if isinstance(x, WEAK_SCALARS):
        return constant(x, result_type(like, x))
    return _wrap(as_array(x))


def on_backend_of(x: Tensor, like: Tensor) -> Tensor:
    """``x`` where ``like`` lives: itself when the two backends mix (numpy joins dask), a
    constant ``x`` copied into ``like``'s backend (a numpy mask beside a CuPy tensor);
    ``BackendError`` naming both when ``x`` needs grad and cannot move."""
    xd, ld = x._data, like._data
    if xd.__class__ is ld.__class__:
        return x
    bx, bl = backend_of(xd), backend_of(ld)
    if bx is bl:
        return x
    if bx is NUMPY and not x._requires_grad:
        if bl.name == "dask.array":
            return x  # dask takes numpy operands as they are
        return _wrap(bl.constant(xd))
    if bl is NUMPY and not like._requires_grad:
        return x  # the constant ``like`` is the one to move
    namespace(xd, ld)  # raises, naming both, for pairs that cannot mix
    return x


def aligned(*tensors: Tensor) -> list:
    """The tensors on one backend: numpy constants moved to the others' (``on_backend_of``)."""
    like = None
    for t in tensors:
        if type(t._data) is not np.ndarray:
            like = t
            break
    if like is None:
        return list(tensors)
    return [on_backend_of(t, like) for t in tensors]


def xp_of(*tensors: Any) -> Backend:
    """The backend of the given Tensors' (or arrays') data: ``xp.exp(x._data)``.

    One numpy Tensor or array (the common case) costs a class test and an attribute read.
    """
    if len(tensors) == 1:
        d = tensors[0]
        if isinstance(d, Tensor):
            d = d._data
        if d.__class__ is np.ndarray:
            return NUMPY
        if d is not None and d.__class__ not in _PY_SCALARS:
            return backend_of(d)
    return namespace(*(t._data if isinstance(t, Tensor) else t for t in tensors))


_PY_SCALARS = frozenset([bool, int, float, complex])


def lift_all(items) -> list:
    """Tensors of ``items`` (tensors, arrays, numbers and lists): the constants among them in
    the dtype PyTorch's promotion gives them all (``concatenate([float64_tensor, [0.1]])``
    keeps 0.1 exact), the Tensors as they are."""
    items = list(items)
    if not any(isinstance(t, Tensor) for t in items):
        return [as_tensor(t) for t in items]
    dtype = result_type(*items)
    return aligned(*(t if isinstance(t, Tensor) else promoted(t, dtype) for t in items))


def operands(a, b) -> tuple[Tensor, Tensor]:
    """Both operands of a binary op as Tensors of one dtype: PyTorch's ``result_type`` of the
    pair (scalars are weak, 0-d tensors count only across categories; see ``dtypes``)."""
    if isinstance(a, Tensor):
        if isinstance(b, Tensor):
            if a._data.dtype is b._data.dtype:
                return a, b
        elif type(b) in _REAL_SCALARS and a._data.dtype.__class__ in _REAL_FLOAT:
            return a, constant(b, a._data.dtype)
    elif type(a) in _REAL_SCALARS and isinstance(b, Tensor) and \
            b._data.dtype.__class__ in _REAL_FLOAT:
        return constant(a, b._data.dtype), b
    dtype = result_type(a, b)
    a, b = promoted(a, dtype), promoted(b, dtype)
    if a._data.__class__ is not b._data.__class__:  # two backends: a constant moves
        a, b = aligned(a, b)
    return a, b


def floating(x: Tensor) -> Tensor:
    """``x`` itself if floating (or complex), else converted to the default float dtype: a float
    function of integers or bools gives the default float dtype, as in PyTorch."""
    if x.dtype.kind in "fc":
        return x
    return cast(x, get_default_dtype())


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


def normalize_axis(axis: Any, ndim: int, name: str) -> Any:
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
