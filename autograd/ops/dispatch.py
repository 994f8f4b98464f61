"""numpy's protocols on Tensors: ``np.exp(t)``, ``np.sum(t, axis=0)``, ``np.linalg.solve(A, b)``.

A numpy call on Tensors reaches the op that declared the function (``ufunc=``/``function=``),
with the call first bound to numpy's own signature: keyword arguments, numpy's parameter names
(``a_min``, ``newshape``) and numpy-only arguments left at their defaults (``out=None``,
``order="C"``) all work, then numpy's names are renamed to the op's (``numpy_args=`` in the
declaration, where they differ). ``dtype=`` casts the result where the op has no ``dtype``.

A call the op can't take (``out=`` an array, ``where=`` a mask, ``np.where(cond)`` with one
argument) and every numpy function without an op run on the arrays instead and return numpy's
result (an array as a Tensor). Where that result is floating and some input requires grad, the
gradient would be silently lost: the call is refused, naming the function and the
differentiable way to get it. Results without a derivative (indices, booleans, shapes,
``np.zeros_like``) pass through.
"""

from __future__ import annotations

import inspect
from typing import Callable

import numpy as np

from .._scipy_guard import check_scipy_caller, scipy_ufunc_name
from .._scipy_guard import refusal as scipy_refusal
from .._tensor import Tensor, _wrap
from ..bind import EXPORTS, FUNCTIONS, PENDING, UFUNCS, resolve_pending
from ..mode import state

_EMPTY = inspect.Parameter.empty
_NO_VALUE = getattr(np, "_NoValue", object())  # numpy's "argument not given"
_CAST = "dtype "  # marker: numpy's dtype= where the op has none, applied to the result

# numpy's keyword arguments of every ufunc call, at their defaults
_UFUNC_DEFAULTS = {"out": None, "where": True, "casting": "same_kind", "order": "K",
                   "subok": True, "signature": None, "dtype": None}
# functions whose result depends only on the shape and dtype of their first argument
_VALUE_FREE = {np.zeros_like, np.ones_like, np.empty_like, np.full_like, np.shape, np.ndim,
               np.size, np.result_type}
# ufunc.reduce and ufunc.accumulate as the reduction ops they are (looked up by name)
_REDUCERS = {np.add: ("sum", "cumsum"), np.multiply: ("prod", "cumprod"),
             np.maximum: ("max", None), np.minimum: ("min", None),
             np.logaddexp: ("logsumexp", None)}
# differentiable ways to write numpy functions that have no op of their own
_ALTERNATIVES = {
    "average": "(w * x).sum(axis) / w.sum(axis)",
    "nansum": "ag.where(ag.isnan(x), 0.0, x).sum()",
    "nanmean": "the sum of ag.where(mask, x, 0.0) divided by the count",
    "ptp": "x.max(axis) - x.min(axis)",
    "array": "ag.stack([...])",
    "asarray": "ag.stack([...])",
}


class _Unsupported:
    """What made a numpy call one the op can't take (an argument name, or None)."""

    __slots__ = ("argument",)

    def __init__(self, argument: str | None) -> None:
        self.argument = argument


def _strip(x):
    """Tensors (also inside lists, tuples and dicts) replaced by their arrays."""
    if isinstance(x, Tensor):
        return x._data
    if isinstance(x, (list, tuple)):
        return type(x)(_strip(i) for i in x)
    if isinstance(x, dict):
        return {k: _strip(v) for k, v in x.items()}
    return x


def _needs_grad(values) -> bool:
    for v in values:
        if isinstance(v, Tensor):
            if v._requires_grad:
                return True
        elif isinstance(v, (list, tuple)):
            if _needs_grad(v):
                return True
        elif isinstance(v, dict):
            if _needs_grad(tuple(v.values())):
                return True
    return False


def _floating(result) -> bool:
    """Whether ``result`` holds floating (or complex) numbers: values a gradient could reach."""
    if isinstance(result, (np.ndarray, np.generic)):
        return result.dtype.kind in "fc"
    if isinstance(result, Tensor):
        return result._data.dtype.kind in "fc"
    if isinstance(result, (float, complex)):
        return True
    if isinstance(result, (list, tuple)):
        return any(_floating(r) for r in result)
    return False


def _is_default(value, default) -> bool:
    if value is default:
        return True
    if default is _EMPTY or default is _NO_VALUE:
        return False
    try:
        return type(value) is type(default) and bool(value == default)
    except Exception:  # an array compared elementwise: not a default
        return False


def refusal(name: str, argument: str | None = None) -> str:
    """The message refusing numpy's ``name`` on Tensors that require grad."""
    what = f"numpy's {name}" + (f" with {argument}=" if argument else "")
    alternative = _ALTERNATIVES.get(name)
    if alternative is None and name in EXPORTS:
        alternative = f"ag.{name}" + (" (without that argument)" if argument else "")
    use = f"Use {alternative} to keep the gradient, or compute" if alternative else "Compute"
    return (f"{what} has no gradient here: on Tensors that require grad it would return a plain "
            f"result and their gradient would be silently lost. {use} it on t.detach() (or "
            "t.data) if no gradient is wanted.")


def _pass_through(name: str, run: Callable, operands, argument: str | None = None,
                  wrap_scalars: bool = False, scipy_name: str | None = None):
    """numpy's own result on the arrays, unless it silently drops a gradient. A refusal
    inside a scipy function (or of a scipy.special ufunc, ``scipy_name``) names the
    ``ag.scipy`` function to use (``autograd._scipy_guard``)."""
    result = run()
    if state.grad_enabled and _floating(result) and _needs_grad(operands):
        check_scipy_caller()
        raise TypeError(scipy_refusal(scipy_name) if scipy_name else refusal(name, argument))
    if isinstance(result, np.ndarray) or wrap_scalars and isinstance(result, np.generic):
        return _wrap(np.asarray(result))
    return result


# ---------------------------------------------------------------------------- functions


class _Call:
    """A numpy function's call, bound to numpy's signature and renamed into the op's."""

    def __init__(self, func, fn: Callable) -> None:
        self.name = getattr(func, "__name__", repr(func))
        self.fn = fn
        d = fn.op
        try:
            self.numpy = inspect.signature(func)
        except (TypeError, ValueError):  # a C function of an older numpy: the op's is used
            self.numpy = None
        self.op_signature = inspect.signature(fn)
        self.params = list(self.op_signature.parameters.values())
        self.var = next((i for i, p in enumerate(self.params) if p.kind == p.VAR_POSITIONAL),
                        -1)  # the index of a *args parameter, if any
        names = {p.name for p in self.params}
        self.takes_kwargs = any(p.kind == p.VAR_KEYWORD for p in self.params)
        self.rename: dict[str, str | None] = {}
        for i, p in enumerate((self.numpy.parameters.values() if self.numpy else ())):
            target = d.numpy_args.get(p.name)
            if target is None:
                if p.name in names:
                    target = p.name
                elif i == 0 and self.params:  # numpy's operand: ``a``, ``x``, ``arrays``, ...
                    target = self.params[0].name
                elif p.name == "dtype":
                    target = _CAST
            self.rename[p.name] = target
        # the fast path: positional arguments that land on the op's parameters in order, and
        # keywords that are the op's own names (np.sum(t, 0), np.sum(t, axis=0))
        positional = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
        keyword = (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)
        numpy_params = list(self.numpy.parameters.values()) if self.numpy else []
        self.direct = 0
        for n, p in zip(numpy_params, self.params):
            if n.kind not in positional or self.rename.get(n.name) != p.name:
                break
            if p.kind == p.VAR_POSITIONAL:  # reshape(x, *shape): numpy's shape, as one
                self.direct += 1
                break
            if p.kind not in positional:
                break
            self.direct += 1
        self.direct_keywords = {n.name for n in numpy_params if n.kind in keyword and
                                self.rename.get(n.name) == n.name and
                                self.op_signature.parameters[n.name].kind in keyword}
        self.required = sum(1 for p in self.params
                            if p.kind in positional and p.default is p.empty)

    def __call__(self, args: tuple, kwargs: dict):
        if self.required <= len(args) <= self.direct and kwargs.keys() <= self.direct_keywords:
            return self.fn(*args, **kwargs)
        if self.numpy is None:
            kwargs = {k: v for k, v in kwargs.items() if not (k in ("out", "dtype") and v is None)}
            try:
                self.op_signature.bind(*args, **kwargs)
            except TypeError:  # a numpy-only form (np.where(cond)): numpy's own, on the data
                return _Unsupported(None)
            return self.fn(*args, **kwargs)
        try:
            bound = self.numpy.bind(*args, **kwargs)
        except TypeError as e:
            raise TypeError(f"{self.name}(): {e}") from None
        given: dict = {}
        spread = set()  # numpy's own *args (np.atleast_1d(*arys)): passed on spread out
        extra: dict = {}  # numpy's own **kwargs (np.pad's), for an op that takes them too
        cast = None
        for name, value in bound.arguments.items():
            p = self.numpy.parameters[name]
            if p.kind == p.VAR_KEYWORD and self.takes_kwargs:
                extra.update(value)
                continue
            if p.kind == p.VAR_KEYWORD:  # np.clip(..., **kwargs): ufunc keywords
                for k, v in value.items():
                    if not _is_default(v, _UFUNC_DEFAULTS.get(k, _EMPTY)):
                        return _Unsupported(k)
                continue
            target = self.rename.get(name)
            if target == _CAST:
                cast = value
            elif target is None:
                if not _is_default(value, p.default):
                    return _Unsupported(name)
            elif target in given:  # np.clip(t, a_min=0, min=0)
                raise TypeError(f"{self.name}(): got two values for {target!r} ({name}=)")
            elif not _is_default(value, _NO_VALUE):
                given[target] = value
                if p.kind == p.VAR_POSITIONAL:
                    spread.add(target)
        args_out: list = []
        kwargs_out: dict = {}
        positional = True  # the op's leading parameters go by position (reshape's *shape)
        for i, p in enumerate(self.params):
            if p.kind == p.VAR_POSITIONAL:  # reshape(x, *shape) takes numpy's shape as one
                if p.name in spread:
                    args_out.extend(given[p.name])
                elif p.name in given:
                    args_out.append(given[p.name])
                continue
            if p.kind == p.KEYWORD_ONLY:
                if p.name in given:
                    kwargs_out[p.name] = given[p.name]
                continue
            if p.kind == p.VAR_KEYWORD:
                continue
            if p.name in given:
                if positional:
                    args_out.append(given[p.name])
                else:
                    kwargs_out[p.name] = given[p.name]
            elif p.default is _EMPTY:
                return _Unsupported(None)  # a numpy-only form, e.g. np.where(cond)
            elif i < self.var:  # a default before *shape must be passed by position
                args_out.append(p.default)
            else:
                positional = False
        result = self.fn(*args_out, **kwargs_out, **extra)
        if cast is not None and isinstance(result, Tensor):
            result = result.astype(cast)
        return result


_calls: dict = {}


def _array_function(self, func, types, args, kwargs):
    fn = FUNCTIONS.get(func)
    argument = None
    if fn is not None:
        call = _calls.get(func)
        if call is None:
            call = _calls[func] = _Call(func, fn)
        result = call(args, kwargs)
        if not isinstance(result, _Unsupported):
            return result
        argument = result.argument
    operands = tuple(args) + tuple(kwargs.values())
    if func in _VALUE_FREE:  # only their first argument's shape and dtype matter
        operands = operands[1:]
    name = getattr(func, "__name__", repr(func))
    module = getattr(func, "__module__", "") or ""
    if module.startswith("numpy.linalg"):
        name = f"linalg.{name}"
    return _pass_through(name, lambda: func(*_strip(args), **_strip(kwargs)), operands,
                         argument)


# ---------------------------------------------------------------------------- ufuncs


def _ufunc_call(fn: Callable, ufunc, method: str, inputs: tuple, kwargs: dict):
    from .elementwise import astype
    from .shape import reshape

    if method == "__call__":
        if not all(_is_default(v, _UFUNC_DEFAULTS.get(k, _EMPTY)) for k, v in kwargs.items()
                   if k != "dtype"):
            return _Unsupported(next(k for k, v in kwargs.items() if k != "dtype" and
                                     not _is_default(v, _UFUNC_DEFAULTS.get(k, _EMPTY))))
        dtype = kwargs.get("dtype")
        if dtype is not None:  # the computation's dtype: cast the operands
            inputs = tuple(astype(x, dtype) if isinstance(x, Tensor) else np.asarray(x, dtype)
                           for x in inputs)
        return fn(*inputs)
    if method == "outer" and len(inputs) == 2 and not kwargs:  # np.subtract.outer(a, b)
        a, b = (x if isinstance(x, Tensor) else _wrap(np.asarray(x)) for x in inputs)
        return fn(reshape(a, a.shape + (1,) * b.ndim), b)
    names = _REDUCERS.get(ufunc)
    if names is not None and method in ("reduce", "accumulate") and len(inputs) == 1:
        op_name = names[0] if method == "reduce" else names[1]
        reducer = EXPORTS.get(op_name) if op_name else None
        if reducer is None:
            return _Unsupported(None)
        axis = kwargs.pop("axis", 0)
        keepdims = kwargs.pop("keepdims", False)
        dtype = kwargs.pop("dtype", None)
        bad = [k for k, v in kwargs.items() if not _is_default(v, _UFUNC_DEFAULTS.get(k, _EMPTY))]
        if bad:
            return _Unsupported(bad[0])
        result = reducer(inputs[0], axis=axis, keepdims=keepdims) if method == "reduce" \
            else reducer(inputs[0], axis=axis)
        return result.astype(dtype) if dtype is not None else result
    return _Unsupported(None)


def _array_ufunc(self, ufunc, method, *inputs, **kwargs):
    fn = UFUNCS.get(ufunc)
    if fn is None and PENDING and resolve_pending():  # scipy.special's, imported since
        fn = UFUNCS.get(ufunc)
    argument = None
    if fn is not None:
        if method == "__call__" and not kwargs:  # the common case, fast
            return fn(*inputs)
        result = _ufunc_call(fn, ufunc, method, inputs, dict(kwargs))
        if not isinstance(result, _Unsupported):
            return result
        argument = result.argument
    name = ufunc.__name__ + ("" if method == "__call__" else f".{method}")
    return _pass_through(name, lambda: getattr(ufunc, method)(*_strip(inputs), **_strip(kwargs)),
                         inputs + tuple(kwargs.values()), argument, wrap_scalars=True,
                         scipy_name=scipy_ufunc_name(ufunc) if fn is None else None)


Tensor.__array_ufunc__ = _array_ufunc
Tensor.__array_function__ = _array_function
