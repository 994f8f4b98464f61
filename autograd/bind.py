"""Binding each declared op where users reach it: Tensor methods and operators, numpy's
dispatch (``np.exp(t)``), and the ``autograd`` namespace (``ag.exp``).

Nothing here is written per op: ``registry.op`` calls ``bind`` with each ``OpDef`` as it is
declared, so the tables below are generated from the declarations and cannot drift from them.
"""

from __future__ import annotations

import functools
import inspect
import sys
import types
from typing import Callable

from ._tensor import Tensor
from .inplace import inplace_method
from .registry import OpDef

UFUNCS: dict = {}  # numpy ufunc -> op, for Tensor.__array_ufunc__
FUNCTIONS: dict = {}  # numpy function -> op, for Tensor.__array_function__
EXPORTS: dict[str, Callable] = {}  # name -> op, exported by ``autograd``
_BOUND: dict[str, str] = {}  # Tensor attribute -> the op that declared it
# ufuncs of an optional library, declared by name ("scipy.special.gammaln"): module name ->
# [(attribute, op)]. They are bound once that module has been imported (``resolve_pending``):
# a ufunc of it can only reach a Tensor after that, and autograd never imports it itself.
PENDING: dict[str, list] = {}
NAMESPACES: dict[str, types.ModuleType] = {}  # "linalg" -> the module ``autograd.linalg``


def namespace(name: str) -> types.ModuleType:
    """The module ``autograd.<name>`` that ops declared with ``namespace=name`` are exported
    in (``ag.linalg``), made on first use; dotted names nest (``"scipy.special"``)."""
    module = NAMESPACES.get(name)
    if module is not None:
        return module
    full = f"autograd.{name}"
    module = sys.modules.get(full)
    if module is None:
        module = types.ModuleType(full, f"``{full}``: the ops declared with namespace={name!r}.")
        module.__all__ = []
        sys.modules[full] = module
    parent_name, _, leaf = name.rpartition(".")
    parent = namespace(parent_name) if parent_name else sys.modules["autograd"]
    setattr(parent, leaf, module)
    NAMESPACES[name] = module
    return module


def _export(d: OpDef, name: str, fn: Callable) -> None:
    if d.namespace is None:
        _register(EXPORTS, name, fn, d, "the name")
        return
    module = namespace(d.namespace)
    owner = getattr(module, name, None)
    if owner is not None and owner is not fn:
        raise ValueError(f"op {d.name!r} is exported as {module.__name__}.{name}, which "
                         "another op already is")
    setattr(module, name, fn)
    module.__all__.append(name)


def _set(attr: str, value: Callable, d: OpDef) -> None:
    owner = _BOUND.get(attr)
    if owner is not None and owner != d.name:
        raise ValueError(f"op {d.name!r} binds Tensor.{attr}, which op {owner!r} already binds")
    _BOUND[attr] = d.name
    setattr(Tensor, attr, value)


def _reflected(fn: Callable, name: str) -> Callable:
    def method(self, other):
        return fn(other, self)

    method.__name__ = name
    method.__doc__ = f"Reflected ``{fn.__name__}``: ``other {name}`` ``self``."
    return method


# PyTorch's keyword -> numpy's, applied wherever the op takes numpy's (``dim=`` -> ``axis=``)
ALIASES = {"dim": "axis", "keepdim": "keepdims", "start_dim": "start_axis",
           "end_dim": "end_axis", "dim0": "axis1", "dim1": "axis2"}


def _parameters(fn: Callable) -> set:
    try:
        return set(inspect.signature(fn).parameters)
    except (TypeError, ValueError):
        return set()


def pytorch_spelling(fn: Callable, d: OpDef) -> Callable:
    """``fn`` accepting PyTorch's spelling as well as numpy's (shared/API.md's rule).

    A call with a keyword only PyTorch's form of the op takes (``dim=``, ``keepdim=``,
    ``correction=``, ...) goes to that form when the declaration gives one
    (``pytorch=``: ``max(dim=)`` returns ``(values, indices)``, ``var(dim=)`` is unbiased);
    otherwise ``dim=``/``keepdim=`` (and the other ``ALIASES``) are renamed to numpy's words.
    Calls spelled as numpy, or positionally, reach ``fn`` unchanged.
    """
    params = _parameters(fn)
    form = d.extra.get("pytorch")
    trigger = frozenset(_parameters(form) - params) if form is not None else frozenset()
    renames = {a: t for a, t in ALIASES.items() if t in params and a not in params}
    if not trigger and not renames:
        return fn

    @functools.wraps(fn)
    def call(*args, **kwargs):
        if kwargs:
            if trigger and not trigger.isdisjoint(kwargs):
                return form(*args, **kwargs)
            if not renames.keys().isdisjoint(kwargs):
                kwargs = _renamed(d.name, kwargs, renames)
        return fn(*args, **kwargs)

    return call


def _renamed(name: str, kwargs: dict, renames: dict) -> dict:
    out = {}
    for k, v in kwargs.items():
        k2 = renames.get(k, k)
        if k2 in out or k2 != k and k2 in kwargs:
            raise TypeError(f"{name}: got both {k}= and {k2}= (PyTorch's and numpy's names "
                            "for one argument)")
        out[k2] = v
    return out


def _register(table: dict, key, fn: Callable, d: OpDef, what: str) -> None:
    owner = table.get(key)
    if owner is not None and owner is not fn:
        raise ValueError(f"op {d.name!r} answers to {what} {key!r}, which another op already "
                         "answers to")
    table[key] = fn


def bind(d: OpDef) -> None:
    """Make ``d``'s op reachable under every name its declaration gives."""
    fn = d.fn
    adapter = d.method_adapter
    for name in d.methods:
        target = adapter.get(name, fn) if isinstance(adapter, dict) else adapter or fn
        _set(name, pytorch_spelling(target, d), d)
    if d.operator:
        _set(d.operator, fn, d)
    if d.reflected:
        _set(d.reflected, _reflected(fn, d.reflected), d)
    if d.inplace:
        names = (d.inplace,) if isinstance(d.inplace, str) else tuple(d.inplace)
        for name in names:
            method = inplace_method(d, name)
            _set(name, method, d)
            if d.operator and name == names[0]:  # __add__ -> __iadd__
                _set("__i" + d.operator[2:], method, d)
    for u in d.ufuncs:
        if isinstance(u, str):
            module, _, attr = u.rpartition(".")
            PENDING.setdefault(module, []).append((attr, d))
        else:
            _register(UFUNCS, u, fn, d, "ufunc")
    if PENDING:
        resolve_pending()
    for f in d.functions:
        _register(FUNCTIONS, f, fn, d, "function")
    if d.export:
        spelled = pytorch_spelling(fn, d)
        _export(d, d.name.rpartition(".")[2], spelled)
        for alias in d.aliases:
            _export(d, alias, spelled)


def resolve_pending() -> bool:
    """Bind the ufuncs declared by name whose module has been imported since; True if any.

    ``Tensor.__array_ufunc__`` calls this when it meets a ufunc it does not know, so
    ``scipy.special.gammaln(t)`` works as soon as the user has scipy imported, while
    ``import autograd`` itself never pays for importing scipy.
    """
    found = False
    for module in [m for m in PENDING if m in sys.modules]:
        mod = sys.modules[module]
        for attr, d in PENDING.pop(module):
            u = getattr(mod, attr, None)
            if u is None:
                raise ValueError(f"op {d.name!r} answers to {module}.{attr}, which does not exist")
            _register(UFUNCS, u, d.fn, d, "ufunc")
            name = f"{module}.{attr}"
            d.ufuncs = tuple(u if v == name else v for v in d.ufuncs)
            found = True
    return found
