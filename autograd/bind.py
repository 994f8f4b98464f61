"""Binding each declared op where users reach it: Tensor methods and operators, numpy's
dispatch (``np.exp(t)``), and the ``autograd`` namespace (``ag.exp``).

Nothing here is written per op: ``registry.op`` calls ``bind`` with each ``OpDef`` as it is
declared, so the tables below are generated from the declarations and cannot drift from them.
"""

from __future__ import annotations

import sys
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


def _register(table: dict, key, fn: Callable, d: OpDef, what: str) -> None:
    owner = table.get(key)
    if owner is not None and owner is not fn:
        raise ValueError(f"op {d.name!r} answers to {what} {key!r}, which another op already "
                         "answers to")
    table[key] = fn


def bind(d: OpDef) -> None:
    """Make ``d``'s op reachable under every name its declaration gives."""
    fn = d.fn
    for name in d.methods:
        _set(name, d.method_adapter or fn, d)
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
        EXPORTS[d.name] = fn
        for alias in d.aliases:
            _register(EXPORTS, alias, fn, d, "the name")


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
