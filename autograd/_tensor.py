"""The Tensor: a numpy array that remembers how it was computed.

A Tensor made by an op while recording is on is a node of the graph: it holds the op's name,
its parents (an ordered tuple of Tensors) and the op's backward function, which maps the
gradient of this tensor to one gradient per parent; ``autograd.engine`` walks the nodes.
``grad_fn`` shows these fields as a ``Node``, as PyTorch users expect.

Operators and methods (``x + y``, ``x.sum()``) are bound in ``autograd.ops``, where each op is
defined once, forward and backward side by side.
"""

from __future__ import annotations

import sys
import weakref
from typing import TYPE_CHECKING, Any, Callable

import numpy as np

from ._trace import trace
from .backend import backend_of, is_array, np_dtype, to_numpy
from .mode import anywhere, recording, state
from .registry import OpDef, opdef_of
from .typing import DTypeLike
from .versions import clock, version_of

if TYPE_CHECKING:  # the methods the op registry binds at import (autograd/bind.py), typed
    from ._bound import TensorMethods
else:
    TensorMethods = object

_default_dtype = np.dtype(np.float32)


def set_default_dtype(dtype: DTypeLike) -> None:
    """Set the dtype that Python floats (and lists of them) become, ``float32`` at start."""
    global _default_dtype
    dt = np.dtype(dtype)
    if dt.kind != "f":
        raise TypeError(f"default dtype must be a floating dtype, got {dt}")
    _default_dtype = dt


def get_default_dtype() -> np.dtype:
    """Return the dtype that Python floats become (``float32`` unless changed)."""
    return _default_dtype


class Node:
    """The ``grad_fn`` of a recorded tensor: the op's ``name``, its ``parents`` and ``backward``.

    ``backward(grad, out)`` receives the gradient of the result and the result itself (so no
    closure needs to hold its own output, which would make a reference cycle) and returns one
    gradient per parent, or None where a parent needs none. After a backward pass without
    ``retain_graph`` the closure is dropped so the saved arrays can be collected.

    The fields live on the tensor itself (``_op``, its parents, ``_backward``, ...): a
    recorded op then allocates no object besides its result (not a Node, not a tuple of
    parents), which Python's cyclic collector would otherwise have to keep walking. A Node is
    a view made on first access of ``grad_fn`` and kept with the tensor; it refers back to it
    weakly, so it creates no cycle.
    """

    __slots__ = ("op", "_out", "__weakref__")

    def __init__(self, out: Any) -> None:  # a Tensor, or a freed one's stand-in (freed.py)
        self.op: OpDef = out._op  # type: ignore[assignment]  # a Node exists for recorded tensors
        self._out = weakref.ref(out)

    @property
    def name(self) -> str:
        """The node's name, PyTorch style: ``"MulBackward"``."""
        return self.op.node

    @property
    def parents(self) -> tuple:
        """The op's inputs, an ordered tuple of Tensors; after a ``backward()`` without
        ``retain_graph``, a big intermediate among them is a ``FreedValue`` (its op and
        parents, shape and dtype: see ``autograd.freed``)."""
        t = self._out()
        return t._parents if t is not None and t._op is self.op else ()

    @property
    def context(self) -> Any:
        """What the op handed ``record`` as ``ctx`` for its backward (None if nothing, and
        once the graph is freed): a backward that reads its values from here and from
        ``parents`` rather than from its closure can be replayed by ``ag.compile``."""
        t = self._out()
        return getattr(t, "_ctx", None) if t is not None and t._op is self.op else None

    @property
    def backward(self) -> Callable[..., Any] | None:
        """The backward closure, or None once the graph is freed."""
        t = self._out()
        return t._backward if t is not None and t._op is self.op else None

    @property
    def site(self) -> str | None:
        """Where the op was created (recorded only in anomaly mode)."""
        return getattr(self._out(), "_site", None)

    @property
    def next_functions(self) -> tuple:
        """The parents' nodes, as in PyTorch (None for a parent that is a leaf)."""
        return tuple(p._grad_fn for p in self.parents or ())

    def __repr__(self) -> str:
        return f"<{self.name}>"


_new = object.__new__


class Tensor(TensorMethods):
    """An n-dimensional array that records the operations applied to it.

    Parameters
    ----------
    data : array_like or Tensor
        A numpy array (kept as is, dtype included), a Python number, a nested list or a Tensor.
        Python floats become the default dtype (``float32``); Python ints stay integers.
    requires_grad : bool
        Record operations on this tensor so that ``backward()`` fills ``.grad``.
        Only floating tensors may require grad.
    dtype : numpy dtype, optional
        Convert the data to this dtype.

    Examples
    --------
    >>> x = ag.Tensor([1.0, 2.0, 3.0], requires_grad=True)
    >>> (x * x).sum().backward()
    >>> x.grad
    Tensor([2., 4., 6.])
    """

    # _op (the OpDef) is None for a leaf; a recorded tensor also has its parents (_p1, _p2,
    # _pn: see _parents), _backward and _saved_version (and _site in anomaly mode, _node once
    # grad_fn was asked for): see Node
    __slots__ = ("_data", "grad", "_requires_grad", "_op", "_p1", "_p2", "_pn", "_backward",
                 "_saved_version", "_site", "_node", "_hooks", "_retains_grad", "_ctx",
                 "__weakref__")
    __array_priority__ = 1000  # numpy defers reflected operators to us
    _p1: Any  # the first of one or two parents (a Tensor), else None
    _p2: Any  # the second of two parents, else None
    _pn: tuple | None  # the parents when not one or two, else None

    @property
    def _parents(self) -> tuple:
        """A recorded tensor's parents, the op's inputs in order.

        One or two parents (nearly every op) live in the slots ``_p1`` and ``_p2`` (None for
        one), with ``_pn`` None; more, or none, in ``_pn`` as a tuple. The tuple an op passes
        to ``record`` is then not kept: one object per recorded op instead of two, which
        halves what Python's cyclic collector walks on a long graph (a 2·10⁵-op chain's
        collections 0.7 → 0.25 s). The engine's walk reads the slots directly."""
        pn = self._pn
        if pn is not None:
            return pn
        b = self._p2
        return (self._p1,) if b is None else (self._p1, b)

    @_parents.setter
    def _parents(self, parents: tuple) -> None:
        n = len(parents)
        if n == 2:
            self._p1, self._p2 = parents
            self._pn = None
        elif n == 1:
            self._p1 = parents[0]
            self._p2 = self._pn = None
        else:
            self._pn = tuple(parents)
            self._p1 = self._p2 = None  # (nothing kept alive from parents set before)

    def __init__(self, data: Any, requires_grad: bool = False,
                 dtype: DTypeLike | None = None) -> None:
        self._data = as_array(data, dtype)
        self.grad: Tensor | None = None
        self._requires_grad = False
        self._op: OpDef | None = None
        self._hooks: dict[int, Callable[[Tensor], Tensor | None]] | None = None
        self._retains_grad = False
        if requires_grad:
            self.requires_grad = True
        if trace.on:
            trace.made(self)

    # ----------------------------------------------------------------- attributes
    @property
    def data(self) -> Any:
        """The underlying array itself (its memory, not a copy): a numpy array, or the dask,
        CuPy or other Array API array the tensor was made from.

        Editing it in place bypasses autograd and the in-place guard, as in PyTorch: use the
        in-place ops (``t += 1``, ``t.mul_(2)``, ``t[i] = v``) to have the edit counted, or
        call ``ag.increment_version(t)`` after writing the array yourself.
        """
        if trace.on:
            trace.read(".data")
        return self._data

    @data.setter
    def data(self, value) -> None:
        self._data = value._data if isinstance(value, Tensor) else as_array(value)

    @property
    def _version(self) -> int:
        """How many in-place writes this tensor's memory has had (shared by its views)."""
        return version_of(self._data)

    @property
    def requires_grad(self) -> bool:
        """Whether gradients flow to this tensor."""
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, flag: bool) -> None:
        flag = bool(flag)
        dtype = np_dtype(self._data.dtype)
        if flag and dtype.kind != "f":
            if dtype.kind == "c":
                raise TypeError(
                    f"complex tensors cannot require gradients here, got dtype "
                    f"{dtype}: autograd does not implement PyTorch's conjugate "
                    f"(Wirtinger) convention for complex derivatives; use real tensors (the "
                    f"real and imaginary parts as two)")
            raise TypeError(
                f"only floating-point tensors can require gradients, got dtype {dtype}")
        if not flag and self._op is not None:
            raise RuntimeError(
                "requires_grad can only be changed on leaf tensors; use .detach() instead")
        self._requires_grad = flag

    def requires_grad_(self, flag: bool = True) -> Tensor:
        """Set ``requires_grad`` in place and return ``self``."""
        self.requires_grad = flag
        return self

    @property
    def is_leaf(self) -> bool:
        """True for tensors not produced by a recorded op."""
        return self._op is None

    @property
    def grad_fn(self) -> Node | None:
        """The ``Node`` that produced this tensor (``.name`` like ``"MulBackward"``), or None."""
        return self._grad_fn

    @property
    def _grad_fn(self) -> Node | None:
        if self._op is None:
            return None
        try:
            return self._node
        except AttributeError:
            node = self._node = Node(self)
            return node

    @property
    def shape(self) -> tuple:
        return self._data.shape

    @property
    def ndim(self) -> int:
        return self._data.ndim

    @property
    def size(self) -> _Size:
        """The number of elements (numpy's ``size``); also callable as PyTorch's ``size()``
        (the shape) and ``size(dim)`` (one extent)."""
        return _Size(self._data)

    @property
    def dtype(self) -> np.dtype:
        """The element type, as a numpy dtype whatever the backend (``.data.dtype`` is the
        backend's own)."""
        d = self._data.dtype
        return d if d.__class__ in _NP_DTYPE_CLASSES else np_dtype(d)

    @property
    def device(self) -> Any:
        """Where the data lives: ``"cpu"`` for numpy, the backend's device otherwise."""
        if type(self._data) is np.ndarray:
            return "cpu"
        from array_api_compat import device

        return device(self._data)

    @property
    def is_lazy(self) -> bool:
        """Whether the data is a lazy array (dask): values are computed only on request."""
        return type(self._data) is not np.ndarray and backend_of(self._data).lazy

    def compute(self, **kwargs: Any) -> Tensor:
        """This tensor with its lazy (dask) data computed: a new constant Tensor over numpy.

        ``kwargs`` go to ``dask.compute`` (``scheduler=``, ...). A numpy tensor is returned
        as it is.
        """
        if type(self._data) is np.ndarray:
            return self
        if not hasattr(self._data, "compute"):
            raise TypeError(f"compute(): a {backend_of(self._data).name} array is not lazy")
        return _wrap(np.asarray(self._data.compute(**kwargs)))

    def persist(self, **kwargs: Any) -> Tensor:
        """This tensor with its dask data computed and kept in the workers' memory (or the
        local process's), still a dask array: ``dask.persist``. A new constant Tensor."""
        if not hasattr(self._data, "persist"):
            raise TypeError("persist() needs a dask array")
        return _wrap(self._data.persist(**kwargs))

    def __len__(self) -> int:
        if self._data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return len(self._data)

    # ----------------------------------------------------------------- conversion
    def item(self) -> int | float | bool:
        """The value of a one-element tensor as a Python number."""
        if trace.on:
            trace.read(".item()")
        if _size(self._data) != 1:
            raise ValueError(
                f"only one-element tensors can be converted to a Python number, "
                f"got shape {self.shape}")
        if type(self._data) is np.ndarray:
            return self._data.item()
        return to_numpy(self._data).item()  # computes a lazy array

    def numpy(self) -> np.ndarray:
        """The data as a numpy array: the array itself for numpy (shares memory, like
        ``.data``); computed for a lazy (dask) array, copied to the host for a GPU one."""
        if trace.on:
            trace.read(".numpy()")
        if type(self._data) is np.ndarray:
            return self._data
        return to_numpy(self._data)

    def tolist(self) -> Any:
        """The data as (nested) Python lists of numbers (computes a lazy array)."""
        if trace.on:
            trace.read(".tolist()")
        return self.numpy().tolist()

    def detach(self) -> Tensor:
        """A new leaf sharing this tensor's data, cut from the graph."""
        return _wrap(self._data)

    def __array__(self, dtype=None, copy=None):
        if trace.on:
            trace.read("an array of it")
        if self._requires_grad and state.grad_enabled and "scipy" in sys.modules:
            from ._scipy_guard import check_scipy_caller

            check_scipy_caller()  # scipy.stats.norm.logpdf(t) would drop the gradient
        if copy is None and self._requires_grad and state.grad_enabled:
            # np.asarray(t) is the data; np.array([x, 2 * x]) would drop x's gradient
            from .ops.conversion import conversion_refusal

            refused = conversion_refusal(self, sys._getframe(1))
            if refused:
                raise RuntimeError(refused)
        data = self._data if type(self._data) is np.ndarray else to_numpy(self._data)
        if dtype is not None and dtype != data.dtype:
            return data.astype(dtype)
        if copy:
            return data.copy()
        return data

    def __float__(self) -> float:
        if trace.on:
            trace.read("float()")
        return float(self.item())

    def __int__(self) -> int:
        if trace.on:
            trace.read("int()")
        return int(self.item())

    def __bool__(self) -> bool:
        if trace.on:
            trace.read("its truth value")
        if _size(self._data) != 1:
            raise RuntimeError(
                f"the truth value of a tensor with {self._data.size} elements is ambiguous")
        return bool(self.item())

    def __index__(self) -> int:
        if trace.on:
            trace.read("an index")
        if self.dtype.kind not in "iu" or _size(self._data) != 1:
            raise TypeError("only integer tensors of a single element can be used as an index")
        return int(self.item())

    __hash__ = object.__hash__  # type: ignore[assignment]  # == is elementwise; hash by identity

    # ----------------------------------------------------------------- autograd
    def backward(self, gradient: Any = None, retain_graph: bool | None = None,
                 create_graph: bool = False) -> None:
        """Accumulate the gradient of this tensor into the ``.grad`` of every leaf.

        Parameters
        ----------
        gradient : Tensor or array_like, optional
            The gradient of some scalar with respect to this tensor; required unless this
            tensor has a single element.
        retain_graph : bool, optional
            Keep the graph for another backward (default: ``create_graph``).
        create_graph : bool
            Record the backward pass, so that the gradients can be differentiated again.
        """
        from .engine import backward

        backward(self, gradient, retain_graph=retain_graph, create_graph=create_graph)

    def register_hook(self, fn: Callable) -> _HookHandle:
        """Call ``fn(grad)`` when this tensor's gradient is computed; a non-None return
        replaces the gradient. Returns a handle whose ``remove()`` unregisters it."""
        if not self._requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        if self._hooks is None:
            self._hooks = {}
        handle = _HookHandle(self._hooks)
        self._hooks[handle.key] = fn
        return handle

    def retain_grad(self) -> None:
        """Keep ``.grad`` on this non-leaf tensor after backward."""
        if not self._requires_grad:
            raise RuntimeError("can't retain_grad on a tensor that has requires_grad=False")
        if self._op is not None:
            self._retains_grad = True

    @property
    def retains_grad(self) -> bool:
        return self._retains_grad

    # ----------------------------------------------------------------- display
    def __repr__(self) -> str:
        dtype = self.dtype
        extra = []
        if type(self._data) is np.ndarray:
            body = np.array2string(self._data, separator=", ", prefix="Tensor(")
            if dtype != _default_dtype and dtype.kind == "f" or dtype.kind not in "fb" \
                    or self._data.size == 0:
                extra.append(f"dtype={dtype}")
        else:  # another backend: its values stay where they are (a lazy array uncomputed)
            b = backend_of(self._data)
            body = f"<{b.name}{' lazy' if b.lazy else ''} array of shape {tuple(self.shape)}>"
            extra.append(f"dtype={dtype}")
        if self._op is not None:
            extra.append(f"grad_fn=<{self._op.node}>")
        elif self._requires_grad:
            extra.append("requires_grad=True")
        return "Tensor(" + body + "".join(", " + e for e in extra) + ")"

    def __str__(self) -> str:
        return self.__repr__()


class _Size(int):
    """``t.size``: the number of elements, as numpy's attribute, that can also be called as
    PyTorch's method: ``t.size()`` is the shape, ``t.size(d)`` the extent of axis ``d``."""

    shape: tuple[int, ...]

    def __new__(cls, data: np.ndarray) -> _Size:
        self = super().__new__(cls, data.size)
        self.shape = data.shape
        return self

    def __call__(self, dim: int | None = None) -> Any:
        if dim is None:
            return self.shape
        n = len(self.shape)
        if not -n <= dim < n:
            raise IndexError(f"Dimension out of range (expected to be in range of "
                             f"[{-n}, {n - 1}], but got {dim})")
        return self.shape[dim]


class _HookHandle:
    __slots__ = ("hooks", "key")
    _next = 0

    def __init__(self, hooks: dict) -> None:
        self.hooks = hooks
        _HookHandle._next += 1
        self.key = _HookHandle._next

    def remove(self) -> None:
        self.hooks.pop(self.key, None)


def as_array(data: Any, dtype=None) -> Any:
    """Convert constructor input to an array following PyTorch's dtype rules: a numpy array,
    or the array of another backend (dask, CuPy, ...) kept as it is (``dtype`` converts it in
    its own library, lazily for dask)."""
    if isinstance(data, Tensor):
        arr = data._data
        if type(arr) is not np.ndarray:
            return arr if dtype is None else _foreign_astype(arr, dtype)
    elif isinstance(data, np.ndarray):
        arr = data
    elif isinstance(data, np.generic):
        arr = np.asarray(data)
    elif is_array(data):  # dask, CuPy, an Array API library: never converted
        return data if dtype is None else _foreign_astype(data, dtype)
    else:
        if isinstance(data, (list, tuple)) and any(isinstance(d, Tensor) for d in data):
            if state.grad_enabled:
                from .ops.conversion import holds_grad, refusal

                if holds_grad(data):
                    raise RuntimeError(refusal("ag.tensor"))
            data = [np.asarray(d) for d in data]
        arr = np.asarray(data)
        if arr.dtype == np.float64 and dtype is None:
            arr = arr.astype(_default_dtype)
        elif arr.dtype == np.complex128 and dtype is None and _default_dtype == np.float32:
            arr = arr.astype(np.complex64)
    if arr.dtype.kind in "OUSV":
        raise TypeError(f"cannot make a Tensor from data of dtype {arr.dtype}")
    if dtype is not None:
        arr = arr.astype(dtype, copy=False)
    return arr


def _foreign_astype(arr: Any, dtype: Any) -> Any:
    b = backend_of(arr)
    target = b.dtype(dtype)
    return arr if arr.dtype == target else b.astype(arr, target)


def _size(arr: Any) -> int:
    return int(np.prod(arr.shape)) if type(arr) is not np.ndarray else arr.size


_NP_DTYPE_CLASSES = frozenset(type(np.dtype(c)) for c in "?bBhHiIlLqQefdgFDGOUSV")


def _wrap(arr: Any) -> Tensor:
    """A leaf Tensor around ``arr`` (no copy, no checks): the fast path for internal use."""
    t = _new(Tensor)
    t._data = arr
    t.grad = None
    t._requires_grad = False
    t._op = None
    t._hooks = None
    t._retains_grad = False
    return t


def as_tensor(data: Any, dtype: DTypeLike | None = None) -> Tensor:
    """``data`` as a Tensor without copying where possible (a constant leaf).

    A Tensor is returned as it is; a numpy array is wrapped without a copy (its memory is
    shared, as ``torch.as_tensor`` does); anything else follows the constructor's rules.

    Examples
    --------
    >>> a = np.zeros(3)
    >>> t = ag.as_tensor(a)
    >>> t.data is a
    True
    """
    if isinstance(data, Tensor):
        return data if dtype is None or data._data.dtype == dtype else data.astype(dtype)
    if type(data) is np.ndarray and dtype is None and data.dtype.kind not in "OUSV":
        return _wrap(data)
    return _wrap(as_array(data, dtype))


def record(data: Any, parents: tuple, op: Any, backward: Callable,
           attrs: tuple | None = (), ctx: Any = None) -> Tensor:
    """Wrap an op's numpy result; make it a node of the graph if a parent requires grad.

    Every op ends with this call, and so can a user's own layer.

    Parameters
    ----------
    data : the op's result, an array computed from the parents' arrays (numpy, or their own
        backend's: see ``autograd.backend``).
    parents : tuple of Tensors, the op's inputs, in order.
    op : the op, as declared with ``ag.op`` (or its ``OpDef``); or a node name such as
        ``"MyOpBackward"`` for an op that was never declared (the in-place guard then
        assumes its backward reads its inputs and output).
    backward : ``backward(grad, out)`` returns one gradient (a Tensor, or None) per parent,
        computed with Tensor ops so that it is differentiable again.
    attrs : for an op declared with a ``replay`` kernel, the arguments besides the parents'
        arrays that the kernel takes (``ag.compile`` replays ``replay(*arrays, *attrs)``);
        None for a call that the kernel does not cover (``ag.compile`` then runs the traced
        function as written).
    ctx : anything the backward needs besides the parents and the output (read back as
        ``out.grad_fn.context``); kept until the backward pass frees the graph.

    Examples
    --------
    >>> def cube(x):
    ...     return ag.record(x.data ** 3, (x,), "CubeBackward", lambda g, out: (g * 3 * x * x,))
    >>> x = ag.tensor(2.0, requires_grad=True)
    >>> cube(x).backward(); x.grad
    Tensor(12.)
    """
    if type(data) is not np.ndarray and (isinstance(data, (np.generic, bool, int, float,
                                                            complex)) or not is_array(data)):
        data = np.asarray(data)  # numpy returns scalars for 0-d results
    t = _new(Tensor)
    t._data = data
    t.grad = None
    t._hooks = None
    t._retains_grad = False
    if ctx is not None:
        t._ctx = ctx
    if trace.on:  # ag.compile is tracing a function: it sees every op result
        trace.note(t, parents, op, backward, attrs)
    if recording():  # this thread records (see mode.py)
        for p in parents:
            if p._requires_grad:
                t._requires_grad = True
                t._op = op if type(op) is OpDef else opdef_of(op)
                t._parents = parents
                t._backward = backward
                t._saved_version = clock.now  # for the in-place guard (versions.py)
                if anywhere.anomaly and state.anomaly:
                    from .anomaly import on_record
                    on_record(t)
                return t
    t._requires_grad = False
    t._op = None
    return t


def saved(out: Tensor) -> tuple[tuple, Any]:
    """What a backward function ``backward(grad, out)`` reads besides the gradient: the op's
    inputs (its ``parents``) and the ``ctx`` its forward handed to ``record``.

    A backward that takes its values from here rather than from its closure computes from
    whatever arrays ``out`` and its inputs hold, so ``ag.compile`` can replay it. (The same
    as ``out.grad_fn.parents`` and ``.context``, without making the Node.)

    Examples
    --------
    >>> def cube(x):
    ...     return ag.record(x.data ** 3, (x,), "CubeBackward", _cube_backward)
    >>> def _cube_backward(g, out):
    ...     (x,), _ = ag.saved(out)
    ...     return (g * 3 * x * x,)
    >>> x = ag.tensor(2.0, requires_grad=True)
    >>> cube(x).backward(); x.grad
    Tensor(12.)
    """
    return out._parents, getattr(out, "_ctx", None)


def tensor(data: Any, requires_grad: bool = False, dtype: DTypeLike | None = None) -> Tensor:
    """Same as ``Tensor(data, requires_grad, dtype)``."""
    return Tensor(data, requires_grad=requires_grad, dtype=dtype)


def _cast(dtype, torch_name: str):
    dtype = np.dtype(dtype)

    def cast(self) -> Tensor:
        return self if self._data.dtype == dtype else self.astype(dtype)

    cast.__name__ = torch_name
    cast.__doc__ = (f"This tensor as {dtype} (``self`` if it already is), as PyTorch's "
                    f"``.{torch_name}()``; differentiable between floating dtypes.")
    return cast


# PyTorch's cast methods, set after the class body so that the names ``float`` and ``int``
# inside it stay the builtins
for _dtype, _torch_name in ((np.float32, "float"), (np.float64, "double"),
                            (np.float16, "half"), (np.int64, "long"), (np.int32, "int"),
                            (np.bool_, "bool")):
    setattr(Tensor, _torch_name, _cast(_dtype, _torch_name))
