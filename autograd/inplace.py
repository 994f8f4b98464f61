"""In-place ops, PyTorch's way: ``t += x``, ``t.mul_(2)``, ``t[i] = v``, ``t.zero_()``.

An in-place op is the out-of-place op of the same declaration with its result written back
into the tensor's own memory; the write bumps the memory's version (``versions``).

- Outside recording (``no_grad``, or nothing requires grad) it is a plain numpy write, through
  the op's ufunc with ``out=`` where it has one: ``with ag.no_grad(): p -= lr * p.grad``
  updates ``p`` without allocating.
- Outside ``no_grad`` it is refused on a leaf that requires grad, as in PyTorch.
- Under recording, on a non-leaf (or on a tensor that takes a value requiring grad), it is
  recorded: the tensor becomes the output of the op's node, and the node it had moves to a
  twin that is the op's input, holding the old values when the op's backward reads them.
  Nodes recorded earlier that used the tensor still send their gradient to the node it had
  then (``versions.parent_at``), and ones that saved its old values raise at backward.

Arrays of other backends (dask, array-api-strict, ...) may be immutable or lazy: there, an
in-place op computes the out-of-place result and rebinds the tensor to it (nothing is written
into an array, nothing computes). The tensor's version is bumped as for a write, so the guard
above works alike; but other tensors that shared its old array (``detach()``, views such as
``reshape``) keep the old values, where numpy's would see the write.
"""

from __future__ import annotations

import weakref
from typing import Any, Callable

import numpy as np

from ._tensor import Tensor, _new
from .backend import backend_of, is_array
from .dtypes import result_type
from .mode import no_grad, recording
from .registry import OpDef
from .versions import _base, _forget, clock, note_rebase, note_write


def inplace_method(d: OpDef, name: str) -> Callable:
    """The Tensor method ``name`` that runs op ``d`` in place."""

    def method(self, *args, **kwargs):
        apply_inplace(self, d, name, args, kwargs)
        return self

    method.__name__ = name
    method.__doc__ = (f"``{d.name}`` in place: the result is written into this tensor's memory "
                      f"and its version counter is bumped (as PyTorch's ``{name}``).")
    return method


def _requires_grad(args, kwargs) -> bool:
    for a in (*args, *kwargs.values()):
        if isinstance(a, Tensor) and a._requires_grad:
            return True
    return False


def _foreign(args, kwargs):
    """The first operand that holds an array of a backend other than numpy, or None."""
    for a in (args if not kwargs else (*args, *kwargs.values())):
        if a.__class__ in _PLAIN:
            continue
        if isinstance(a, Tensor):
            if a._data.__class__ is not np.ndarray:
                return a._data
        elif is_array(a) and not isinstance(a, np.generic):
            return a
    return None


_PLAIN = frozenset([int, float, bool, complex, np.ndarray, list, tuple, slice, type(None),
                    type(Ellipsis), str])


def apply_inplace(t: Tensor, d: OpDef, name: str, args: tuple, kwargs: dict) -> None:
    if type(t._data) is np.ndarray:
        other = _foreign(args, kwargs)
        if other is not None:
            raise RuntimeError(
                f"{name}: this tensor holds a numpy array and an operand an array of "
                f"{backend_of(other).name}; an in-place op keeps the tensor's own array, "
                f"which would mean converting the operand here. Use the out-of-place op "
                f"(its result lives on {backend_of(other).name}), or move one of them first")
    if recording():
        if t._requires_grad and t._op is None:
            raise RuntimeError(
                f"a leaf Variable that requires grad is being used in an in-place operation "
                f"({name}). Update parameters inside `with ag.no_grad():` (as an optimizer "
                f"does), or work on a copy (t.clone()).")
        if t._requires_grad or _requires_grad(args, kwargs):
            _recorded(t, d, name, args, kwargs)
            return
    if type(t._data) is not np.ndarray:  # another backend: the result is rebound (_write)
        with no_grad():
            result = d.fn(t, *args, **kwargs)
        _write(t, result, name)
        return
    unrecorded = d.extra.get("unrecorded")  # the declaration's own write (t[i] = v)
    if unrecorded is not None:
        try:
            unrecorded(t, *args, **kwargs)
        except ValueError as e:
            if not t._data.flags.writeable:  # (numpy's: other backends took the path above)
                raise _write_error(t, name, e, None) from None
            raise
        note_write(t._data)
        return
    if d.ufuncs and len(args) == 1 and not kwargs:  # the fast path: one numpy call, out=
        other = args[0]
        other = other._data if isinstance(other, Tensor) else other
        try:
            d.ufuncs[0](t._data, other, out=t._data, casting="same_kind")
        except (TypeError, ValueError) as e:
            raise _write_error(t, name, e, other) from None
        except RuntimeWarning:  # x /= 0 with warnings made errors: numpy raises after it
            pass  # has written the whole result (inf, nan), which is what PyTorch gives
        note_write(t._data)
        return
    with no_grad():
        result = d.fn(t, *args, **kwargs)
    _write(t, result, name)


def _write(t: Tensor, result: Tensor, name: str) -> None:
    if result._data.shape != t._data.shape:
        raise RuntimeError(f"{name}: output with shape {t.shape} doesn't match the broadcast "
                           f"shape {result.shape}")
    if type(t._data) is not np.ndarray:
        _rebind(t, result, name)
        return
    try:
        np.copyto(t._data, result._data, casting="same_kind")
    except (TypeError, ValueError) as e:
        raise _write_error(t, name, e, result._data) from None
    note_write(t._data)


def _rebind(t: Tensor, result: Tensor, name: str) -> None:
    """``t`` holds ``result``'s values from now on (cast to ``t``'s dtype as numpy's
    ``casting="same_kind"`` allows), and its version counts one more write."""
    data = result._data
    if result.dtype != t.dtype:
        if not np.can_cast(result.dtype, t.dtype, casting="same_kind"):
            raise RuntimeError(f"{name}: result type {result.dtype} can't be cast to the "
                               f"desired output type {t.dtype}")
        b = backend_of(data)
        data = b.astype(data, b.dtype(t.dtype))
    elif data is t._data:  # the same values; still a write, into an array of its own
        data = backend_of(data).asarray(data, copy=True)
    old = clock.written.get(id(_base(t._data)))
    t._data = data
    if old is not None:  # the version belongs to the tensor here: it moves to the new array
        key = id(data)
        try:
            clock.written[key] = [list(old[0]), old[1], weakref.ref(data, _forget(key))]
        except TypeError:  # an array that cannot be referenced weakly: a fresh count
            pass
    note_write(data)


def _write_error(t: Tensor, name: str, e: Exception, other: Any) -> RuntimeError:
    if type(t._data) is np.ndarray and not t._data.flags.writeable:
        return RuntimeError(f"{name}: this tensor's memory is read-only (a broadcast view or a "
                            f"constant); use the out-of-place op instead")
    if isinstance(e, TypeError):
        try:  # the dtype PyTorch's promotion gives, as PyTorch's message names it
            result = result_type(t, other)
        except (TypeError, ValueError):
            result = np.result_type(t._data, other)
        return RuntimeError(f"{name}: result type {result} can't be cast to the desired output "
                            f"type {t.dtype}")
    shape = np.shape(other)
    try:
        shape = np.broadcast_shapes(t.shape, shape)
    except ValueError:
        pass
    return RuntimeError(f"{name}: output with shape {t.shape} doesn't match the broadcast "
                        f"shape {shape}")


def _recorded(t: Tensor, d: OpDef, name: str, args: tuple, kwargs: dict) -> None:
    if t._op is not None and any(isinstance(p, Tensor) and p._data is not t._data and
                                 _base(p._data) is _base(t._data) for p in t._parents):
        raise RuntimeError(
            f"{name}: this tensor is a view of another tensor's memory ({t._op.node}), and "
            f"in-place ops on views are not recorded here; use the out-of-place op, or "
            f"clone() the view first")
    twin = _new(Tensor)
    # the twin is the op's input: it needs the old values only if the op's backward reads them
    # (an array of another backend is never written: the twin keeps it as it is)
    twin._data = t._data.copy() if d.saves in ("inputs", "both") and \
        type(t._data) is np.ndarray else t._data
    twin.grad = None
    twin._hooks = None
    twin._retains_grad = False
    twin._requires_grad = t._requires_grad
    twin._op = t._op
    if t._op is not None:
        twin._parents, twin._backward, twin._saved_version = (t._parents, t._backward,
                                                              t._saved_version)
        node = getattr(t, "_node", None)
        if node is not None:  # a grad_fn someone holds keeps showing the node it was
            node._out = weakref.ref(twin)
            twin._node = node
            del t._node
        if hasattr(t, "_site"):
            twin._site = t._site
    result = d.fn(twin, *args, **kwargs)
    _write(t, result, name)
    note_rebase(t, twin)
    t._requires_grad = result._requires_grad
    t._op = result._op
    if result._op is not None:
        t._parents, t._backward = result._parents, result._backward
        t._saved_version = clock.now
        if hasattr(result, "_site"):
            t._site = result._site
