"""Modules: containers of Parameters that compute something in ``forward``.

A Module finds its Parameters and submodules by looking at its attributes (also inside lists,
tuples and dicts), in the order they were assigned, so nothing has to be registered by hand::

    class MLP(nn.Module):
        def __init__(self):
            self.layers = [nn.Linear(2, 8), nn.Linear(8, 1)]

        def forward(self, x):
            return self.layers[1](self.layers[0](x).relu())
"""

from __future__ import annotations

import os
import zipfile
from collections import OrderedDict
from typing import Any, Callable, Iterator, Mapping, NamedTuple

import numpy as np

from autograd import Tensor, increment_version


class Parameter(Tensor):
    """A leaf Tensor that a Module trains: ``requires_grad=True`` unless told otherwise.

    Examples
    --------
    >>> w = nn.Parameter(np.zeros((2, 3), np.float32))
    >>> w.requires_grad, w.is_leaf
    (True, True)
    """

    __slots__ = ()

    def __init__(self, data: Any, requires_grad: bool = True, dtype=None) -> None:
        super().__init__(data, requires_grad=requires_grad, dtype=dtype)

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()


class IncompatibleKeys(NamedTuple):
    """What ``load_state_dict(..., strict=False)`` could not match."""

    missing_keys: list
    unexpected_keys: list


def _members(module: Module) -> Iterator[tuple[str, Any]]:
    """The direct Parameters and submodules of ``module`` as ``(name, object)`` pairs.

    Lists, tuples and dicts held in attributes are searched too (``layers.0``, ``heads.out``),
    to any nesting, without recursion.
    """
    stack = list(reversed(list(module._named_attributes())))
    while stack:
        name, value = stack.pop()
        if isinstance(value, (Parameter, Module)):
            yield name, value
        elif isinstance(value, (list, tuple)):
            stack.extend(reversed([(f"{name}.{i}", v) for i, v in enumerate(value)]))
        elif isinstance(value, dict):
            stack.extend(reversed([(f"{name}.{k}", v) for k, v in value.items()]))


class Module:
    """Base class of layers and models: subclass it and define ``forward``.

    Parameters and submodules are found through attributes (and lists, tuples and dicts of
    them). ``model(x)`` calls ``model.forward(x)``.

    Examples
    --------
    >>> class Affine(nn.Module):
    ...     def __init__(self):
    ...         self.w = nn.Parameter(np.ones(3, np.float32))
    ...         self.b = nn.Parameter(np.zeros(1, np.float32))
    ...     def forward(self, x):
    ...         return x * self.w + self.b
    >>> [name for name, _ in Affine().named_parameters()]
    ['w', 'b']
    """

    training: bool = True  # a class default, so subclasses need not call super().__init__()

    def forward(self, *args, **kwargs):
        """The computation of this module; subclasses define it, ``module(x)`` calls it."""
        raise NotImplementedError(f"{type(self).__name__} must define forward()")

    def __call__(self, *args, **kwargs):
        return self.forward(*args, **kwargs)

    # ----------------------------------------------------------------- discovery
    def _named_attributes(self) -> Iterator[tuple[str, Any]]:
        """The attributes searched for Parameters and submodules (``Sequential`` overrides)."""
        return iter(vars(self).items())

    def named_children(self) -> Iterator[tuple[str, Module]]:
        """The direct submodules as ``(name, module)`` pairs, in assignment order."""
        for name, value in _members(self):
            if isinstance(value, Module):
                yield name, value

    def children(self) -> Iterator[Module]:
        """The direct submodules, in assignment order."""
        for _, m in self.named_children():
            yield m

    def named_modules(self, prefix: str = "") -> Iterator[tuple[str, Module]]:
        """This module and every submodule, depth first (pre-order), each once."""
        seen: set[int] = set()
        stack = [(prefix, self)]
        while stack:
            name, module = stack.pop()
            if id(module) in seen:
                continue
            seen.add(id(module))
            yield name, module
            kids = [(f"{name}.{n}" if name else n, m) for n, m in module.named_children()]
            stack.extend(reversed(kids))

    def modules(self) -> Iterator[Module]:
        """This module and every submodule, depth first."""
        for _, m in self.named_modules():
            yield m

    def named_parameters(self, prefix: str = "") -> Iterator[tuple[str, Parameter]]:
        """Every Parameter as ``(dotted name, Parameter)``, each once, depth first.

        Each module's own Parameters come first (in assignment order), then its submodules',
        as in PyTorch: a ``Sequential`` of Linears gives ``0.weight, 0.bias, 1.weight, ...``.
        """
        seen: set[int] = set()
        for mod_name, module in self.named_modules(prefix):
            for name, value in _members(module):
                if isinstance(value, Parameter) and id(value) not in seen:
                    seen.add(id(value))
                    yield (f"{mod_name}.{name}" if mod_name else name), value

    def parameters(self) -> Iterator[Parameter]:
        """Every Parameter, in the order of ``named_parameters()``."""
        for _, p in self.named_parameters():
            yield p

    # ----------------------------------------------------------------- training
    def zero_grad(self) -> None:
        """Reset every Parameter's gradient to None (PyTorch's ``set_to_none=True``)."""
        for p in self.parameters():
            p.grad = None

    def requires_grad_(self, flag: bool = True) -> Module:
        """Set ``requires_grad`` on every Parameter (``False`` freezes them); returns ``self``."""
        for p in self.parameters():
            p.requires_grad = flag
        return self

    def apply(self, fn: Callable[[Module], Any]) -> Module:
        """Call ``fn(module)`` on every submodule, children before their parent and in order
        (PyTorch's post-order), then on this module; returns ``self``."""
        seen: set[int] = set()
        stack: list = [(self, False)]
        while stack:
            module, expanded = stack.pop()
            if expanded:
                fn(module)
            elif id(module) not in seen:
                seen.add(id(module))
                stack.append((module, True))
                stack.extend((m, False) for m in reversed(list(module.children())))
        return self

    def train(self, mode: bool = True) -> Module:
        """Set training mode (Dropout active) on this module and every submodule."""
        for m in self.modules():
            m.training = bool(mode)
        return self

    def eval(self) -> Module:
        """Set evaluation mode (Dropout inactive); the same as ``train(False)``."""
        return self.train(False)

    # ----------------------------------------------------------------- state
    def state_dict(self) -> OrderedDict:
        """A copy of every Parameter's data, keyed by dotted name (numpy arrays)."""
        return OrderedDict((name, p.data.copy()) for name, p in self.named_parameters())

    def load_state_dict(self, state_dict: Mapping[str, Any], strict: bool = True
                        ) -> IncompatibleKeys:
        """Copy arrays (or Tensors) from ``state_dict`` into the Parameters, in place.

        All or nothing: every entry is checked first (missing or unexpected keys unless
        ``strict=False``, shapes, numeric dtypes that convert to the Parameter's dtype) and a
        ``RuntimeError`` names every problem before anything is copied.
        """
        params = dict(self.named_parameters())
        missing = [k for k in params if k not in state_dict]
        unexpected = [k for k in state_dict if k not in params]
        errors = []
        if strict and missing:
            errors.append("missing key(s): " + ", ".join(map(repr, missing)))
        if strict and unexpected:
            errors.append("unexpected key(s): " + ", ".join(map(repr, unexpected)))
        converted = {}
        for k, v in state_dict.items():
            if k in params:
                arr, problem = _checked_entry(k, v, params[k])
                if problem:
                    errors.append(problem)
                else:
                    converted[k] = arr
        if errors:
            raise RuntimeError(f"error(s) in loading state_dict for {type(self).__name__}:\n  "
                               + "\n  ".join(errors))
        for k, arr in converted.items():  # nothing below can fail: every entry was checked
            np.copyto(params[k].data, arr)
            increment_version(params[k])
        return IncompatibleKeys(missing, unexpected)

    def save(self, path: str | os.PathLike) -> None:
        """Write ``state_dict()`` to a ``.npz`` file (numpy adds the suffix if missing)."""
        np.savez(path, **self.state_dict())

    def load(self, path: str | os.PathLike, strict: bool = True) -> Module:
        """Load Parameters from a ``.npz`` file written by ``save``; returns ``self``.

        A file that is not such an archive (text, a ``.npy``, a truncated download) raises
        ``ValueError`` naming it; nothing is loaded unless everything can be.
        """
        path = os.fspath(path)
        if not os.path.exists(path) and os.path.exists(path + ".npz"):
            path += ".npz"
        self.load_state_dict(_read_npz(path), strict=strict)
        return self

    # ----------------------------------------------------------------- display
    def extra_repr(self) -> str:
        """The text inside the parentheses of this module's repr (override to describe it)."""
        return ""

    def __repr__(self) -> str:
        lines = [f"({name}): " + repr(m).replace("\n", "\n  ")
                 for name, m in self.named_children()]
        extra = self.extra_repr()
        if not lines:
            return f"{type(self).__name__}({extra})"
        body = ([extra] if extra else []) + lines
        return f"{type(self).__name__}(\n  " + "\n  ".join(body) + "\n)"


def _checked_entry(key: str, value: Any, param: Tensor) -> tuple[np.ndarray | None, str | None]:
    """``value`` converted to ``param``'s dtype, or None and what is wrong with it."""
    try:
        arr = np.asarray(value.data if isinstance(value, Tensor) else value)
    except Exception as e:  # ragged lists and the like
        return None, f"{key!r} is not an array: {e}"
    if arr.dtype.kind not in "biuf":
        what = "Python objects" if arr.dtype.kind == "O" else f"non-numeric data ({arr.dtype})"
        if arr.dtype.kind == "c":
            what = f"complex numbers ({arr.dtype})"
        return None, (f"{key!r} holds {what}; the parameter needs {param.dtype} numbers")
    if arr.shape != param.shape:
        return None, (f"size mismatch for {key!r}: the checkpoint has shape {arr.shape}, "
                      f"the model's parameter has shape {param.shape}")
    return arr.astype(param.dtype, copy=False), None


def _read_npz(path: str) -> dict[str, np.ndarray]:
    """Every array of the ``.npz`` archive at ``path``; ``ValueError`` naming the file when it
    is not one (never numpy's advice to allow pickles)."""
    expected = "expected a .npz archive written by Module.save (numpy.savez)"
    with open(path, "rb") as f:
        head = f.read(4)
    if head == b"\x93NUM":
        raise ValueError(f"cannot load {path!r}: it holds a single .npy array; {expected}")
    if head != b"PK\x03\x04":
        raise ValueError(f"cannot load {path!r}: it is not a zip archive (it starts with "
                         f"{head!r}); {expected}")
    arrays, name = {}, None
    try:
        with np.load(path, allow_pickle=False) as archive:
            for name in archive.files:
                arrays[name] = archive[name]
    except ValueError as e:
        if "allow_pickle" not in str(e):
            raise ValueError(f"cannot load {path!r}: entry {name!r} is damaged ({e}); "
                             f"{expected}") from None
        raise ValueError(f"cannot load {path!r}: entry {name!r} holds Python objects (a "
                         "pickled array); only numeric arrays can be loaded") from None
    except (zipfile.BadZipFile, EOFError, OSError) as e:
        raise ValueError(f"cannot load {path!r}: the archive is damaged or truncated "
                         f"({type(e).__name__}: {e}); {expected}") from None
    return arrays


class Sequential(Module):
    """Modules applied one after another; indexable (``seq[0]``, ``seq[1:]``) and iterable.

    Examples
    --------
    >>> model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))
    >>> [name for name, _ in model.named_parameters()][:2]
    ['0.weight', '0.bias']
    """

    def __init__(self, *modules: Module) -> None:
        for i, m in enumerate(modules):
            if not isinstance(m, Module):
                raise TypeError(f"Sequential: argument {i} is a {type(m).__name__}, "
                                "not an nn.Module")
        self.layers = list(modules)

    def _named_attributes(self):
        return ((str(i), m) for i, m in enumerate(self.layers))

    def forward(self, x: Tensor) -> Tensor:
        """Apply each module in turn."""
        for m in self.layers:
            x = m(x)
        return x

    def append(self, module: Module) -> Sequential:
        """Add ``module`` at the end; returns ``self``."""
        if not isinstance(module, Module):
            raise TypeError(f"Sequential.append: got a {type(module).__name__}, not a Module")
        self.layers.append(module)
        return self

    def __getitem__(self, index):
        if isinstance(index, slice):
            return Sequential(*self.layers[index])
        return self.layers[index]

    def __len__(self) -> int:
        return len(self.layers)

    def __iter__(self) -> Iterator[Module]:
        return iter(self.layers)
