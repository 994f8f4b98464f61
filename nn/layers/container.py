"""Containers: ``Sequential`` (applies modules in turn), ``ModuleList`` and ``ModuleDict``.

Each holds its modules under string names (``"0"``, ``"1"``, ... or the dict's keys), which
are the names that ``named_parameters()`` and ``state_dict()`` show, as in PyTorch.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any, Iterable, Iterator, Mapping

from autograd import Tensor

from ..module import Module, _check_name


def _module(owner: str, module: Any, what: str = "") -> Module:
    if not isinstance(module, Module):
        raise TypeError(f"{owner}: {what or 'got'} a {type(module).__name__}, not an nn.Module")
    return module


class _Indexed(Module):
    """Modules kept in ``_modules`` under the names "0", "1", ...; renumbered after a change."""

    def _named_attributes(self):
        yield from self._modules.items()
        for name, value in vars(self).items():
            if name != "_modules":
                yield name, value

    def _like(self, modules: list[Module]):
        raise NotImplementedError

    def _items(self) -> list[Module]:
        return list(self._modules.values())

    def _renumber(self, modules: Iterable[Module]) -> None:
        self._modules = OrderedDict((str(i), m) for i, m in enumerate(modules))

    def _index(self, idx: int) -> int:
        n = len(self._modules)
        i = idx.__index__()
        if not -n <= i < n:
            raise IndexError(f"index {idx} is out of range for {type(self).__name__} of "
                             f"length {n}")
        return i % n

    def __getitem__(self, idx):
        if isinstance(idx, slice):
            return self._like(self._items()[idx])
        return self._items()[self._index(idx)]

    def __setitem__(self, idx: int, module: Module) -> None:
        items = self._items()
        items[self._index(idx)] = _module(f"{type(self).__name__}[{idx}] = ...", module)
        self._renumber(items)

    def __delitem__(self, idx) -> None:
        items = self._items()
        del items[idx if isinstance(idx, slice) else self._index(idx)]
        self._renumber(items)

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[Module]:
        return iter(self._items())

    def append(self, module: Module):
        """Add ``module`` at the end; returns ``self``."""
        _module(f"{type(self).__name__}.append", module)
        self._modules[str(len(self._modules))] = module
        return self

    def extend(self, modules: Iterable[Module]):
        """Append each of ``modules``; returns ``self``."""
        for m in list(modules):
            self.append(m)
        return self

    def insert(self, index: int, module: Module) -> None:
        """Insert ``module`` before position ``index``."""
        items = self._items()
        items.insert(index, _module(f"{type(self).__name__}.insert", module))
        self._renumber(items)


class Sequential(_Indexed):
    """Modules applied one after another; indexable (``seq[0]``, ``seq[1:]``) and iterable.

    Also ``Sequential(OrderedDict(name=module, ...))`` for named stages, as in PyTorch.

    Examples
    --------
    >>> model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))
    >>> [name for name, _ in model.named_parameters()][:2]
    ['0.weight', '0.bias']
    """

    def __init__(self, *modules: Module) -> None:
        if len(modules) == 1 and isinstance(modules[0], OrderedDict):
            self._modules = OrderedDict()
            for name, m in modules[0].items():
                _check_name("module", name)
                self._modules[name] = _module("Sequential", m, f"entry {name!r} is")
            return
        for i, m in enumerate(modules):
            _module("Sequential", m, f"argument {i} is")
        self._renumber(modules)

    def _like(self, modules: list[Module]) -> Sequential:
        return Sequential(*modules)

    def forward(self, x: Tensor) -> Tensor:
        """Apply each module in turn."""
        for m in self._modules.values():
            x = m(x)
        return x


class ModuleList(_Indexed):
    """A list of modules whose parameters the owner sees (``layers.0.weight``, ...), as
    ``torch.nn.ModuleList``: index, slice, iterate, ``append``, ``extend``, ``insert``.

    Examples
    --------
    >>> blocks = nn.ModuleList([nn.Linear(4, 4) for _ in range(3)])
    >>> len(blocks), [n for n, _ in blocks.named_parameters()][:2]
    (3, ['0.weight', '0.bias'])
    """

    def __init__(self, modules: Iterable[Module] | None = None) -> None:
        self._modules = OrderedDict()
        if modules is not None:
            self.extend(modules)

    def _like(self, modules: list[Module]) -> ModuleList:
        return ModuleList(modules)

    def __iadd__(self, modules: Iterable[Module]) -> ModuleList:
        return self.extend(modules)

    def __add__(self, other: Iterable[Module]) -> ModuleList:
        return ModuleList([*self, *other])

    def forward(self, *args, **kwargs):
        raise NotImplementedError("ModuleList has no forward(): iterate over it and call the "
                                  "modules")


class ModuleDict(Module):
    """A dict of modules (insertion ordered) whose parameters the owner sees
    (``heads.out.weight``), as ``torch.nn.ModuleDict``.

    Examples
    --------
    >>> heads = nn.ModuleDict({"mean": nn.Linear(4, 1), "logvar": nn.Linear(4, 1)})
    >>> list(heads), [n for n, _ in heads.named_parameters()][:1]
    (['mean', 'logvar'], ['mean.weight'])
    """

    def __init__(self, modules: Mapping[str, Module] | Iterable | None = None) -> None:
        self._modules: OrderedDict = OrderedDict()
        if modules is not None:
            self.update(modules)

    def _named_attributes(self):
        yield from self._modules.items()
        for name, value in vars(self).items():
            if name != "_modules":
                yield name, value

    def __getitem__(self, key: str) -> Module:
        return self._modules[key]

    def __setitem__(self, key: str, module: Module) -> None:
        _check_name("module", key)
        self._modules[key] = _module(f"ModuleDict[{key!r}] = ...", module)

    def __delitem__(self, key: str) -> None:
        del self._modules[key]

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[str]:
        return iter(self._modules)

    def __contains__(self, key: object) -> bool:
        return key in self._modules

    def keys(self):
        """The names, in insertion order."""
        return self._modules.keys()

    def values(self):
        """The modules, in insertion order."""
        return self._modules.values()

    def items(self):
        """``(name, module)`` pairs, in insertion order."""
        return self._modules.items()

    def pop(self, key: str) -> Module:
        """Remove ``key`` and return its module."""
        return self._modules.pop(key)

    def clear(self) -> None:
        """Remove every module."""
        self._modules.clear()

    def update(self, modules: Mapping[str, Module] | Iterable) -> None:
        """Add (or replace) modules from a mapping or from ``(name, module)`` pairs."""
        pairs = modules.items() if isinstance(modules, Mapping) else modules
        for i, pair in enumerate(pairs):
            if isinstance(pair, Module) or len(pair) != 2:
                raise ValueError(f"ModuleDict.update: element {i} should be a (name, module) "
                                 "pair")
            self[pair[0]] = pair[1]

    def forward(self, *args, **kwargs):
        raise NotImplementedError("ModuleDict has no forward(): index it and call the modules")
