"""Array backends: the namespace through which an op reaches its arrays.

A Tensor holds the array it is given: a numpy array (the default and the fast path), a dask
array, a CuPy array, or any array that ``array-api-compat`` recognises, kept as it is and
never converted. Every op asks ``namespace(*arrays)`` for the backend of its inputs, forward
and backward, and calls its functions there: ``xp.exp(a)``, ``xp.sum(a, axis=0)``.

A ``Backend`` answers, in order:

1. the Array API standard's functions, from the ``array-api-compat`` namespace of the array
   type (for numpy, numpy's own main namespace, which has every standard name since 2.0);
2. the functions outside the standard that ops need (``einsum``, ``add_at`` for indexing's
   backward, ``elementwise`` to run a numpy function such as a special function over the
   arrays): first a small per-backend table below (``cupyx.scatter_add``, a one-hot
   contraction where a library has no scatter-add, dask's chunk-by-chunk ``elemwise``), then
   the library's own module, where dask.array and CuPy keep most of numpy's vocabulary
   (``dask.array.einsum``);
3. otherwise ``BackendError`` at the user's call: ``"dask.array has no slogdet"``.

Backends are found by array type and cached, so the numpy path costs one dict lookup.
Mixed inputs follow the array libraries' own rules: numpy arrays mix with dask (a numpy weight
with a dask batch gives dask); any other pair of backends is refused, naming both.

Nothing here computes a lazy array: ``to_numpy`` (which ``.numpy()``, ``.item()`` and
``np.asarray(t)`` use) is the one door to the values.
"""

from __future__ import annotations

from typing import Any, Callable, TypeGuard

import numpy as np

__all__ = ["Backend", "BackendError", "namespace", "backend_of", "is_numpy", "to_numpy",
           "np_dtype", "NUMPY", "compute", "sum_last", "normal_cdf"]


class BackendError(TypeError):
    """An array backend lacks a function an op needs, or two backends cannot be mixed."""


_NP_DTYPES = (np.dtype,)


class Backend:
    """One array library as the ops see it: its namespace plus the functions it lacks.

    ``name`` is what errors print (``"dask.array"``), ``lazy`` says whether its arrays are task
    graphs that compute on request, ``native`` is the library's own module.
    """

    def __init__(self, name: str, namespace: Any, native: Any, *, lazy: bool = False,
                 extras: dict[str, Callable] | None = None,
                 to_numpy: Callable[[Any], np.ndarray] = np.asarray) -> None:
        self.name = name
        self.namespace = namespace
        self.native = native
        self.lazy = lazy
        self._extras = extras or {}
        self._to_numpy = to_numpy
        self._dtypes: dict = {}

    def __getattr__(self, fn: str) -> Any:
        if fn.startswith("__"):
            raise AttributeError(fn)
        found = self._extras.get(fn)
        if found is None:
            found = getattr(self.namespace, fn, None)
        if found is None:
            found = getattr(self.native, fn, None)
        if found is None:
            raise BackendError(f"{self.name} has no {fn}: an op here needs it, and neither the "
                               f"Array API standard nor autograd's table for {self.name} has it")
        setattr(self, fn, found)  # found once; later lookups are an attribute read
        return found

    def has(self, fn: str) -> bool:
        """Whether this backend offers ``fn``."""
        try:
            getattr(self, fn)
        except BackendError:
            return False
        return True

    def dtype(self, dtype: Any) -> Any:
        """The backend's dtype for a numpy dtype (numpy, dask and CuPy use numpy's own)."""
        dtype = np.dtype(dtype)
        if self.namespace is np or self.name in _NUMPY_DTYPED:
            return dtype
        got = self._dtypes.get(dtype)
        if got is None:
            got = self._dtypes[dtype] = getattr(self.namespace, dtype.name)
        return got

    def to_numpy(self, arr: Any) -> np.ndarray:
        """The values of ``arr`` as a numpy array (computes a lazy array; copies from a GPU)."""
        return self._to_numpy(arr)

    def constant(self, arr: Any) -> Any:
        """A numpy constant (a mask, an index array, a factor) as an array of this backend,
        same dtype; the array itself on numpy, and anything not numpy as it is."""
        if self is NUMPY or arr.__class__ is not np.ndarray:
            return arr
        return self.asarray(arr, dtype=self.dtype(arr.dtype))

    def __repr__(self) -> str:
        return f"<backend {self.name}>"


_NUMPY_DTYPED = {"dask.array", "cupy"}


def _np_add_at(target, index, values):
    np.add.at(target, index, values)
    return target


def _np_elementwise(fn, *arrays, dtype=None):
    """``fn(*arrays)``: a numpy function (broadcasting as a ufunc) on numpy's arrays."""
    return fn(*arrays)


NUMPY = Backend("numpy", np, np, extras={"add_at": _np_add_at, "elementwise": _np_elementwise})
_BY_TYPE: dict[type, Backend] = {np.ndarray: NUMPY}
_BY_NAME: dict[str, Backend] = {"numpy": NUMPY}


def _settle_the_allocator(size: int = 8 << 20) -> None:
    """Free one ``size``-byte buffer, once, at import (glibc only).

    glibc serves a block above its mmap threshold (128 kB at start) with a fresh mapping, and
    returns memory to the system once more than its trim threshold (128 kB at start) lies free
    at the top of the heap. Both rise on their own, to the size of the largest mapped block a
    program frees (and twice that), but a training loop on mid-size arrays may never free one
    large enough: then every step maps, touches and unmaps its temporaries again. The GPT
    demo's step in a plain script took 1,016-1,157 page faults and 9.8-10.1 ms; after this,
    1-2 faults and 7.2-7.7 ms. Freeing one untouched 8 MB buffer moves the thresholds to 8
    and 16 MB, as glibc's own rule would after any 8 MB array (importing PyTorch does the
    same). Nothing is set: the thresholds stay dynamic, and at most 16 MB of freed memory
    stays with the process.
    """
    import os

    try:
        libc = os.confstr("CS_GNU_LIBC_VERSION") or ""
    except (AttributeError, ValueError, OSError):  # not a glibc system
        return
    if libc.startswith("glibc"):
        buffer = np.empty(size, np.uint8)  # mapped, never touched: no page is faulted in
        del buffer


_settle_the_allocator()


_ONES: dict = {}  # (length, dtype) -> the vector of ones that sums rows by a matrix product


def sum_last(x: Any) -> Any:
    """The sums of ``x`` over its last axis, that axis kept with length 1, on ``x``'s backend.

    numpy's ``sum(axis=-1)`` reduces a short last axis one row at a time (about 25 ns a row:
    13 µs for the (512, 64) rows of a small transformer's layer_norm). A float32/float64 array
    of many rows is summed instead as one matrix-vector product with a vector of ones, in
    BLAS, several times faster; the sums agree with numpy's to rounding (the additions come
    in another order). Softmax, log_softmax, logsumexp, layer_norm and attention sum their
    rows here.

    Examples
    --------
    >>> from autograd.backend import sum_last
    >>> sum_last(np.ones((3, 4)))
    array([[4.],
           [4.],
           [4.]])
    """
    if type(x) is not np.ndarray:
        return namespace(x).sum(x, axis=-1, keepdims=True)
    if x.ndim == 0 or x.dtype.char not in "fd" or not x.flags.c_contiguous or \
            x.size < 64 * x.shape[-1] or x.shape[-1] < 2:
        return np.add.reduce(x, axis=-1, keepdims=True)
    n = x.shape[-1]
    ones = _ONES.get((n, x.dtype.char))
    if ones is None:
        ones = _ONES[(n, x.dtype.char)] = np.ones(n, x.dtype)
    return (x.reshape(-1, n) @ ones).reshape(x.shape[:-1] + (1,))


def is_numpy(arr: Any) -> bool:
    """Whether ``arr`` is a numpy array (or numpy scalar)."""
    return isinstance(arr, (np.ndarray, np.generic))


def backend_of(arr: Any) -> Backend:
    """The backend of one array, found by its type (cached)."""
    b = _BY_TYPE.get(arr.__class__)
    if b is None:
        b = _BY_TYPE[arr.__class__] = _find(arr)
    return b


def namespace(*arrays: Any) -> Backend:
    """The backend shared by ``arrays`` (None and Python numbers are skipped; numpy when
    there is none). numpy arrays join a dask computation; other mixes raise, naming both."""
    chosen = None
    for a in arrays:
        if a is None or a.__class__ in _SCALARS:
            continue
        b = _BY_TYPE.get(a.__class__) or backend_of(a)
        if chosen is None or b is chosen:
            chosen = b
        elif chosen is NUMPY and b.name == "dask.array":
            chosen = b
        elif b is NUMPY and chosen.name == "dask.array":
            pass
        else:
            raise BackendError(
                f"cannot combine {chosen.name} and {b.name} arrays in one op: they live in "
                f"different array libraries; move one to the other first")
    return chosen or NUMPY


_SCALARS = frozenset([bool, int, float, complex])


def np_dtype(dtype: Any) -> np.dtype:
    """Any dtype (numpy's, a type such as ``np.float32``, a name, or another backend's such as
    ``array_api_strict.float64``) as the numpy dtype of the same name."""
    if dtype.__class__ in _NP_CLASSES:
        return dtype
    try:
        return np.dtype(dtype)
    except TypeError:
        name = str(dtype).rsplit(".", 1)[-1]
        return np.dtype(name)


_NP_CLASSES = frozenset(type(np.dtype(c)) for c in "?bBhHiIlLqQefdgFDG")


def to_numpy(arr: Any) -> np.ndarray:
    """The values of any backend's array as numpy (the one place lazy arrays compute)."""
    if isinstance(arr, np.ndarray):
        return arr
    return backend_of(arr).to_numpy(arr)


def unknown(arr: Any) -> BackendError:
    t = type(arr)
    return BackendError(
        f"a Tensor cannot hold a {t.__module__}.{t.__qualname__}: array-api-compat does not "
        f"recognise it as an array (numpy, dask, CuPy and the Array API libraries are known); "
        f"convert it to one of those first (np.asarray(x) for its values)")


def is_array(x: Any) -> TypeGuard[Any]:
    """Whether ``x`` is an array of a known backend (a Tensor keeps it as it is).

    Raises ``BackendError`` naming the type for an array-like object (one with ``shape`` and
    ``dtype``, or ``__array_namespace__``) that ``array-api-compat`` does not recognise:
    converting it behind the user's back could compute or copy it.
    """
    if x.__class__ in _BY_TYPE:
        return True
    if isinstance(x, (list, tuple, int, float, complex, bool, np.generic, str, bytes)) \
            or x is None:
        return False
    try:
        backend_of(x)
    except BackendError:
        if hasattr(x, "__array_namespace__") or hasattr(x, "shape") and hasattr(x, "dtype"):
            raise
        return False
    return True


def _find(arr: Any) -> Backend:
    if isinstance(arr, (np.ndarray, np.generic)):
        return NUMPY
    try:
        import array_api_compat as compat
    except ImportError:  # pragma: no cover - a dependency; only a broken install lacks it
        raise unknown(arr) from None
    if compat.is_dask_array(arr):
        return _dask()
    if compat.is_cupy_array(arr):
        return _cupy()
    try:
        ns = compat.array_namespace(arr)
    except TypeError:
        raise unknown(arr) from None
    name = ns.__name__.removeprefix("array_api_compat.")
    b = _BY_NAME.get(name)
    if b is None:
        b = _BY_NAME[name] = Backend(name, ns, ns, lazy=compat.is_lazy_array(arr),
                                     extras=_generic_extras(ns),
                                     to_numpy=_dlpack_to_numpy)
    return b


def _dlpack_to_numpy(arr: Any) -> np.ndarray:
    return np.asarray(np.from_dlpack(arr))


def _generic_extras(ns: Any) -> dict:
    """What a plain Array API namespace lacks, written in the standard's own functions."""

    def add_at(target, index, values):
        # scatter-add as a one-hot contraction: duplicates in ``index`` add up
        return target + _one_hot_scatter(ns, target, index, values)

    return {"add_at": add_at}


def _one_hot_scatter(ns, target, index, values):
    """``zeros_like(target)`` with ``values`` added at the integer ``index`` along axis 0."""
    n = target.shape[0]
    idx = ns.reshape(ns.asarray(index), (-1,))
    hits = ns.astype(idx[:, None] == ns.arange(n)[None, :], target.dtype)  # (k, n)
    vals = ns.reshape(ns.broadcast_to(values, tuple(idx.shape) + tuple(target.shape[1:]))
                      if values.ndim < 1 + target.ndim - 1 else values,
                      (idx.shape[0], -1))
    moved = ns.matmul(ns.matrix_transpose(hits), vals)  # (n, rest)
    return ns.reshape(moved, tuple(target.shape))


def _dask() -> Backend:
    b = _BY_NAME.get("dask.array")
    if b is None:
        import array_api_compat.dask.array as cda
        import dask.array as da

        def add_at(target, index, values):
            return target + _one_hot_scatter(cda, target, index, values)

        def elementwise(fn, *arrays, dtype=None):
            """``fn`` (a numpy function that broadcasts as a ufunc) chunk by chunk, lazily:
            what dask's ``__array_ufunc__`` does for ufuncs, for any such function."""
            from dask.array.core import elemwise

            return elemwise(fn, *arrays, **({} if dtype is None else {"dtype": dtype}))

        extras: dict = {"add_at": add_at, "elementwise": elementwise}
        b = _BY_NAME["dask.array"] = Backend("dask.array", cda, da, lazy=True, extras=extras,
                                             to_numpy=lambda a: np.asarray(a.compute()))
    return b


def _cupy() -> Backend:  # pragma: no cover - needs a GPU
    b = _BY_NAME.get("cupy")
    if b is None:
        import array_api_compat.cupy as ccp
        import cupy  # pyright: ignore[reportMissingImports]
        import cupyx  # pyright: ignore[reportMissingImports]

        def add_at(target, index, values):
            cupyx.scatter_add(target, index, values)
            return target

        extras: dict = {"add_at": add_at}
        b = _BY_NAME["cupy"] = Backend("cupy", ccp, cupy, extras=extras,
                                       to_numpy=lambda a: a.get())
    return b


def compute(*tensors: Any, **kwargs: Any) -> tuple:
    """Compute several lazy (dask) Tensors in one pass: ``loss, gw = ag.compute(loss, w.grad)``.

    One ``dask.compute`` call, so the chunks the results share (a table read from disk, say)
    are read once; ``kwargs`` go to it (``scheduler=``). Returns new constant Tensors over numpy,
    in order; numpy-backed Tensors (and None) pass through as they are.
    """
    from ._tensor import Tensor, _wrap

    lazy = [i for i, t in enumerate(tensors)
            if isinstance(t, Tensor) and type(t._data) is not np.ndarray
            and hasattr(t._data, "__dask_graph__")]
    out = list(tensors)
    if lazy:
        from dask.base import compute as dask_compute

        values = dask_compute(*(tensors[i]._data for i in lazy), **kwargs)
        for i, v in zip(lazy, values):
            out[i] = _wrap(np.asarray(v))
    for i, t in enumerate(out):
        if isinstance(t, Tensor) and type(t._data) is not np.ndarray and i not in lazy:
            out[i] = _wrap(to_numpy(t._data))
    return tuple(out)


def normal_cdf(x: np.ndarray, square: np.ndarray | None = None) -> np.ndarray:
    """The standard normal CDF ``Φ(x) = (1 + erf(x/√2))/2`` of a numpy float array, as a new
    array (the exact GELU's ``x·Φ(x)``).

    float32 takes one float32 kernel: the rational of ``ag.erf``'s float32 kernel with the
    scalings folded into its coefficients (two passes fewer than going through erf), clipped
    to [0, 1], within 2.5e-7 of Φ. Other dtypes go through ``ag.erf``'s kernel (float64
    rounding: scipy's erf where scipy is installed, else W. J. Cody's).

    Examples
    --------
    >>> from autograd.backend import normal_cdf
    >>> normal_cdf(np.float32([0.0, 1.0, -10.0]))
    array([0.5      , 0.8413447, 0.       ], dtype=float32)
    """
    from .ops.erf_kernel import ndtr_float32  # (the ops import this module)
    from .ops.special import _erf

    if x.dtype == np.float32:  # (square: x * x, if the caller has it; float32 reads it)
        return ndtr_float32(x, square)
    with np.errstate(invalid="ignore", over="ignore"):  # nan stays nan, ±inf gives 0 or 1
        cdf = np.array(_erf()(x * np.sqrt(0.5)), dtype=np.result_type(x.dtype, np.float32))
    cdf += 1
    cdf *= 0.5
    return cdf
