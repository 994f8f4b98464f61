"""Helpers shared by nn's op families: the array namespace of an op's inputs, operands and
results of backward closures, and the size arguments of convolution and pooling (an int or
one int per spatial dimension)."""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd import Tensor, as_tensor, is_grad_enabled
from autograd.backend import backend_of
from autograd.backend import namespace as backend_namespace

_SCALARS = frozenset([bool, int, float, complex])


def namespace(*arrays) -> Any:
    """The array namespace of ``arrays`` (Tensors or arrays; None, Python numbers, lists and
    numpy arrays are skipped): numpy itself when they are all numpy, else autograd's ``Backend``
    of the others (dask, CuPy, any Array API library: ``autograd.backend``), numpy arrays among
    them being constants that join it (``moved``). Two other libraries in one call raise
    ``BackendError`` naming both.

    Only the standard's functions (and the backend's table, ``add_at``) are used through it, so
    nn's ops run on every backend.
    """
    others = []
    for a in arrays:
        if isinstance(a, Tensor):
            a = a.data
        if a is None or a.__class__ is np.ndarray or a.__class__ in _SCALARS or \
                isinstance(a, np.generic) or not hasattr(a, "shape"):
            continue  # numpy, numbers, lists: constants that join any backend
        others.append(a)
    return np if not others else backend_namespace(*others)


def is_lazy(arr) -> bool:
    """Whether ``arr`` is a lazy array (dask): its values must not be read inside an op."""
    return arr.__class__ is not np.ndarray and backend_of(arr).lazy


def dtype_in(xp, dtype) -> Any:
    """The namespace's dtype of the numpy ``dtype`` (numpy's own for numpy, dask, CuPy)."""
    return getattr(xp, np.dtype(dtype).name)


def constant_in(xp, value, dtype=None) -> Any:
    """A numpy constant (or list) as an array of namespace ``xp`` (itself for numpy)."""
    if xp is np:
        return value if dtype is None else np.asarray(value, dtype=dtype)
    return xp.constant(np.asarray(value, dtype=dtype))


def moved(xp, a) -> Any:
    """``a`` in namespace ``xp``: a numpy array beside another backend's arrays is copied there
    (a constant: a class-index target, a mask); anything else is returned as it is."""
    return a if xp is np else xp.constant(a)


def tensor_of(x, like: Tensor | None = None) -> Tensor:
    """``x`` as a Tensor; arrays and lists take ``like``'s dtype when both are floating."""
    if isinstance(x, Tensor):
        return x
    arr = Tensor(x).data
    if arr.__class__ is not np.ndarray:  # another backend's array: its own astype
        t = as_tensor(arr)
        if like is not None and t.dtype.kind == "f" and like.dtype.kind == "f":
            t = as_tensor(arr, dtype=like.dtype)
        return t
    if like is not None and arr.dtype.kind == "f" and like.dtype.kind == "f":
        arr = arr.astype(like.dtype, copy=False)
    if like is not None and like.data.__class__ is not np.ndarray:  # a constant beside
        xp = namespace(like)  # another backend's tensor moves there
        arr = xp.asarray(arr, dtype=dtype_in(xp, arr.dtype))
    return as_tensor(arr)


def operands(*tensors) -> tuple:
    """What a backward closure computes with: the Tensors themselves while the backward pass is
    recorded (``create_graph=True``), else their arrays: one formula, written once, runs on
    plain numpy in training (no graph, no wrappers) and on Tensors for higher order."""
    if is_grad_enabled():
        return tensors
    return tuple([t.data if isinstance(t, Tensor) else t for t in tensors])


def outside(indices: np.ndarray, n: int) -> bool:
    """Whether any of the integer numpy ``indices`` is outside ``[0, n)``, in one pass: as
    unsigned integers (the same bytes), negative ones are huge."""
    return bool(indices.size) and \
        bool(np.maximum.reduce(indices.view(indices.dtype.char.upper()), axis=None) >= n)


def grads(*gs) -> tuple:
    """A closure's results as Tensors (arrays wrapped, None kept)."""
    return tuple([as_tensor(g) if g.__class__ is np.ndarray else _grad_tensor(g) for g in gs])


def _grad_tensor(g):
    if g is None or isinstance(g, Tensor):
        return g
    return as_tensor(np.asarray(g) if isinstance(g, (np.generic, float, int)) else g)


def ntuple(name: str, arg: str, value, d: int, minimum: int = 0) -> tuple:
    """An int or a sequence of ``d`` ints as a ``d``-tuple, each at least ``minimum``."""
    if isinstance(value, (int, np.integer)):
        out = (int(value),) * d
    else:
        try:
            out = tuple(int(v) for v in value)
        except TypeError:
            raise TypeError(f"{name}: {arg} must be an int or a tuple of {d} ints, "
                            f"got {value!r}") from None
        if len(out) != d:
            raise ValueError(f"{name}: {arg} must be an int or a tuple of {d} ints, "
                             f"got {value!r}")
    if any(v < minimum for v in out):
        raise ValueError(f"{name}: {arg} must be at least {minimum}, got {value!r}")
    return out


def moveaxis_perm(ndim: int, source: int, dest: int) -> tuple:
    """The permutation that ``np.moveaxis(a, source, dest)`` applies (for Tensor.transpose)."""
    order = [i for i in range(ndim) if i != source % ndim]
    order.insert(dest % ndim, source % ndim)
    return tuple(order)
