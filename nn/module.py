"""Modules: containers of Parameters (and buffers) that compute something in ``forward``.

A Module finds its Parameters and submodules by looking at its attributes (also inside lists,
tuples and dicts), in the order they were assigned, so nothing has to be registered by hand::

    class MLP(nn.Module):
        def __init__(self):
            self.layers = [nn.Linear(2, 8), nn.Linear(8, 1)]

        def forward(self, x):
            return self.layers[1](self.layers[0](x).relu())

Scalar ``ag.Value`` leaves count as parameters too, as in micrograd, so a network of Values
trains with ``nn.optim``. State that is not trained but saved with the model (BatchNorm's
running statistics, a causal mask) is registered with ``register_buffer``.
"""

from __future__ import annotations

import os
import zipfile
from collections import OrderedDict
from typing import Any, Callable, Iterator, Mapping, NamedTuple, Union

import numpy as np

from autograd import Tensor, Value, increment_version, replay_call, retrace
from autograd.typing import DTypeLike


class Parameter(Tensor):
    """A leaf Tensor that a Module trains: ``requires_grad=True`` unless told otherwise.

    Examples
    --------
    >>> w = nn.Parameter(np.zeros((2, 3), np.float32))
    >>> w.requires_grad, w.is_leaf
    (True, True)
    """

    __slots__ = ()

    def __init__(self, data: Any, requires_grad: bool = True,
                 dtype: DTypeLike | None = None) -> None:
        super().__init__(data, requires_grad=requires_grad, dtype=dtype)

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()


ParamLike = Union[Parameter, Value]


class IncompatibleKeys(NamedTuple):
    """What ``load_state_dict(..., strict=False)`` could not match."""

    missing_keys: list
    unexpected_keys: list


def _is_param(value: Any) -> bool:
    return isinstance(value, Parameter) or isinstance(value, Value) and value.is_leaf


def _members(module: Module) -> Iterator[tuple[str, Any]]:
    """The direct Parameters (and leaf Values) and submodules of ``module`` as ``(name,
    object)`` pairs.

    Lists, tuples and dicts held in attributes are searched too (``layers.0``, ``heads.out``),
    to any nesting, without recursion.
    """
    stack = list(reversed(list(module._named_attributes())))
    while stack:
        name, value = stack.pop()
        if isinstance(value, Module) or _is_param(value):
            yield name, value
        elif isinstance(value, (list, tuple)):
            stack.extend(reversed([(f"{name}.{i}", v) for i, v in enumerate(value)]))
        elif isinstance(value, dict):
            stack.extend(reversed([(f"{name}.{k}", v) for k, v in value.items()]))


def _member_objects(module: Module) -> Iterator[Any]:
    """``_members`` without the names (a micrograd network has thousands of Values)."""
    stack = [v for _, v in module._named_attributes()]
    stack.reverse()
    while stack:
        value = stack.pop()
        if isinstance(value, (Module, Parameter, Value)):
            if not isinstance(value, Value) or value.is_leaf:
                yield value
        elif isinstance(value, (list, tuple)):
            stack.extend(reversed(value))
        elif isinstance(value, dict):
            stack.extend(reversed(list(value.values())))


def _check_name(kind: str, name: Any) -> None:
    if not isinstance(name, str):
        raise TypeError(f"{kind} name should be a string, got {type(name).__name__}")
    if not name:
        raise KeyError(f'{kind} name can\'t be empty string ""')
    if "." in name:
        raise KeyError(f'{kind} name can\'t contain ".", got {name!r}')


class Module:
    """Base class of layers and models: subclass it and define ``forward``.

    Parameters and submodules are found through attributes (and lists, tuples and dicts of
    them); leaf ``ag.Value`` attributes are parameters too. ``model(x)`` calls
    ``model.forward(x)``.

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

    @property
    def training(self) -> bool:
        """Whether the module is in training mode (``train()``/``eval()`` set it). Switching
        it makes compiled functions (``ag.compile``) trace again: a trace keeps the mode's
        path (batch statistics or running ones, dropout or none)."""
        return self.__dict__.get("_training", True)  # (default: no super().__init__() needed)

    @training.setter
    def training(self, mode: bool) -> None:
        mode = bool(mode)
        if mode != self.__dict__.get("_training", True):
            retrace()
        self.__dict__["_training"] = mode

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        """The computation of this module; subclasses define it, ``module(x)`` calls it."""
        raise NotImplementedError(f"{type(self).__name__} must define forward()")

    def __call__(self, *args, **kwargs):
        return self.forward(*args, **kwargs)

    # ----------------------------------------------------------------- registration
    def register_buffer(self, name: str, tensor: Tensor | None, persistent: bool = True
                        ) -> None:
        """Add a Tensor that is part of the module's state but not trained (running
        statistics, a mask): it becomes the attribute ``name``, is listed by ``buffers()`` and,
        when ``persistent``, is saved in ``state_dict()`` under its dotted name
        (``0.running_mean``). Reassigning the attribute replaces the buffer; ``None`` is
        allowed and not saved.

        Examples
        --------
        >>> class Causal(nn.Module):
        ...     def __init__(self, n):
        ...         self.register_buffer("mask", ag.tensor(np.tril(np.ones((n, n), bool))))
        >>> list(Causal(3).state_dict())
        ['mask']
        """
        _check_name("buffer", name)
        if tensor is not None and (not isinstance(tensor, Tensor)
                                   or isinstance(tensor, Parameter)):
            raise TypeError(f"cannot assign {type(tensor).__name__!r} object to buffer "
                            f"{name!r} (a Tensor or None required)")
        flags = self.__dict__.setdefault("_buffer_flags", {})
        if name not in flags and name in vars(self):
            raise KeyError(f"attribute {name!r} already exists")
        flags[name] = bool(persistent)
        setattr(self, name, tensor)

    def register_parameter(self, name: str, param: Parameter | None) -> None:
        """Set the attribute ``name`` to ``param`` (a Parameter, or None for an absent one)."""
        _check_name("parameter", name)
        if param is not None and not isinstance(param, Parameter):
            raise TypeError(f"cannot assign {type(param).__name__!r} object to parameter "
                            f"{name!r} (an nn.Parameter or None required)")
        setattr(self, name, param)

    def add_module(self, name: str, module: Module | None) -> None:
        """Set the attribute ``name`` to the submodule ``module``."""
        _check_name("module", name)
        if module is not None and not isinstance(module, Module):
            raise TypeError(f"{type(module).__name__} is not a Module subclass")
        setattr(self, name, module)

    # ----------------------------------------------------------------- discovery
    def _named_attributes(self) -> Iterator[tuple[str, Any]]:
        """The attributes searched for Parameters and submodules (containers override)."""
        return iter(vars(self).items())

    def _own_buffers(self, persistent_only: bool = False) -> Iterator[tuple[str, Tensor]]:
        flags = self.__dict__.get("_buffer_flags", {})
        for name, persistent in flags.items():
            value = self.__dict__.get(name)
            if isinstance(value, Tensor) and (persistent or not persistent_only):
                yield name, value

    def _children(self) -> Iterator[Module]:
        for value in _member_objects(self):
            if isinstance(value, Module):
                yield value

    def named_children(self) -> Iterator[tuple[str, Module]]:
        """The direct submodules as ``(name, module)`` pairs, in assignment order."""
        for name, value in _members(self):
            if isinstance(value, Module):
                yield name, value

    def children(self) -> Iterator[Module]:
        """The direct submodules, in assignment order."""
        return self._children()

    def named_modules(self, prefix: str = "", remove_duplicate: bool = True
                      ) -> Iterator[tuple[str, Module]]:
        """This module and every submodule, depth first (pre-order); each once unless
        ``remove_duplicate=False`` (a module used twice then appears under both names)."""
        seen: set[int] = set()
        stack: list = [(prefix, self, ())]
        while stack:
            name, module, path = stack.pop()
            if remove_duplicate:
                if id(module) in seen:
                    continue
                seen.add(id(module))
            elif id(module) in path:  # a module inside itself: stop, never loop
                continue
            yield name, module
            inner = path + (id(module),)
            kids = [(f"{name}.{n}" if name else n, m, inner) for n, m in module.named_children()]
            stack.extend(reversed(kids))

    def modules(self) -> Iterator[Module]:
        """This module and every submodule, depth first (pre-order), each once."""
        for module, _ in self._walk():
            yield module

    def _walk(self, recurse: bool = True) -> Iterator[tuple[Module, list]]:
        """Each module (this one, then every submodule depth first, pre-order, each once) with
        its members other than submodules: one pass over each module's attributes."""
        seen: set[int] = set()
        stack: list = [self]
        while stack:
            module = stack.pop()
            if id(module) in seen:
                continue
            seen.add(id(module))
            children, members = [], []
            for value in _member_objects(module):
                (children if isinstance(value, Module) else members).append(value)
            yield module, members
            if recurse:
                stack.extend(reversed(children))

    def named_parameters(self, prefix: str = "", recurse: bool = True,
                         remove_duplicate: bool = True) -> Iterator[tuple[str, ParamLike]]:
        """Every Parameter (and leaf ``ag.Value``) as ``(dotted name, parameter)``, each once,
        depth first.

        Each module's own Parameters come first (in assignment order), then its submodules',
        as in PyTorch: a ``Sequential`` of Linears gives ``0.weight, 0.bias, 1.weight, ...``.
        A Parameter held by two modules (weight tying) is listed once, under its first name.
        """
        seen: set[int] = set()
        modules = self.named_modules(prefix) if recurse else [(prefix, self)]
        for mod_name, module in modules:
            for name, value in _members(module):
                if _is_param(value) and (not remove_duplicate or id(value) not in seen):
                    seen.add(id(value))
                    yield (f"{mod_name}.{name}" if mod_name else name), value

    def parameters(self, recurse: bool = True) -> Iterator[ParamLike]:
        """Every Parameter (and leaf ``ag.Value``), in the order of ``named_parameters()``.

        One walk over each module's members finds both its parameters and its submodules
        (training loops call this every step, e.g. for ``clip_grad_norm_``)."""
        seen: set[int] = set()
        for _, members in self._walk(recurse):
            for value in members:
                if id(value) not in seen:
                    seen.add(id(value))
                    yield value

    def named_buffers(self, prefix: str = "", recurse: bool = True,
                      remove_duplicate: bool = True) -> Iterator[tuple[str, Tensor]]:
        """Every buffer as ``(dotted name, Tensor)``, each once, in the order of
        ``named_modules()`` (each module's in registration order)."""
        seen: set[int] = set()
        modules = self.named_modules(prefix) if recurse else [(prefix, self)]
        for mod_name, module in modules:
            for name, value in module._own_buffers():
                if not remove_duplicate or id(value) not in seen:
                    seen.add(id(value))
                    yield (f"{mod_name}.{name}" if mod_name else name), value

    def buffers(self, recurse: bool = True) -> Iterator[Tensor]:
        """Every buffer, in the order of ``named_buffers()``."""
        for _, b in self.named_buffers(recurse=recurse):
            yield b

    # ----------------------------------------------------------------- training
    def zero_grad(self) -> None:
        """Reset every Parameter's gradient to None (PyTorch's ``set_to_none=True``) and every
        Value's to 0.0 (``ag.replay_call``: a compiled step makes it at each replay)."""
        replay_call(self._zero_grad, list(self.parameters()), writes=False)

    @staticmethod
    def _zero_grad(params: list) -> None:
        for p in params:
            p.grad = 0.0 if isinstance(p, Value) else None  # type: ignore[assignment]

    def requires_grad_(self, flag: bool = True) -> Module:
        """Set ``requires_grad`` on every Parameter (``False`` freezes them); returns ``self``.
        (Values always record, so they are left as they are.)"""
        for p in self.parameters():
            if isinstance(p, Tensor):
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

    def to(self, dtype: DTypeLike | None) -> Module:
        """Convert every floating Parameter and buffer (and gradient) to ``dtype``, keeping
        the objects; returns ``self``. Make the optimizer after converting."""
        dtype = np.dtype(dtype)
        if dtype.kind != "f":
            raise TypeError(f"Module.to: dtype must be a floating dtype, got {dtype}")
        for t in [*self.parameters(), *self.buffers()]:
            if isinstance(t, Tensor) and t.dtype.kind == "f" and t.dtype != dtype:
                t.data = t.data.astype(dtype)
                if t.grad is not None:
                    t.grad = Tensor(t.grad.data.astype(dtype))
        return self

    def double(self) -> Module:
        """``to(np.float64)``."""
        return self.to(np.float64)

    # ----------------------------------------------------------------- state
    def _state_entries(self) -> Iterator[tuple[str, ParamLike | Tensor]]:
        """What ``state_dict`` saves, PyTorch's order and names: per module (pre-order, a
        shared module under each of its names) its Parameters, then its persistent buffers."""
        for mod_name, module in self.named_modules(remove_duplicate=False):
            pre = f"{mod_name}." if mod_name else ""
            for name, value in _members(module):
                if _is_param(value):
                    yield pre + name, value
            for name, value in module._own_buffers(persistent_only=True):
                yield pre + name, value

    def state_dict(self) -> OrderedDict:
        """A copy of every Parameter's and persistent buffer's data (numpy arrays; a Value's
        as a 0-d float64 array), keyed by dotted name as in PyTorch (``0.weight``,
        ``1.running_mean``). A tied Parameter appears under each of its names."""
        return OrderedDict((name, np.array(t.data, copy=True)) for name, t in
                           self._state_entries())

    def load_state_dict(self, state_dict: Mapping[str, Any], strict: bool = True
                        ) -> IncompatibleKeys:
        """Copy arrays (or Tensors) from ``state_dict`` into the Parameters and buffers, in
        place.

        All or nothing: every entry is checked first (missing or unexpected keys unless
        ``strict=False``, shapes, numeric dtypes that convert to the target's dtype) and a
        ``RuntimeError`` names every problem before anything is copied.
        """
        targets = OrderedDict(self._state_entries())
        missing = [k for k in targets if k not in state_dict]
        unexpected = [k for k in state_dict if k not in targets]
        errors = []
        if strict and missing:
            errors.append("missing key(s): " + ", ".join(map(repr, missing)))
        if strict and unexpected:
            errors.append("unexpected key(s): " + ", ".join(map(repr, unexpected)))
        converted = {}
        for k, v in state_dict.items():
            if k in targets:
                arr, problem = _checked_entry(k, v, targets[k])
                if problem:
                    errors.append(problem)
                else:
                    converted[k] = arr
        if errors:
            raise RuntimeError(f"error(s) in loading state_dict for {type(self).__name__}:\n  "
                               + "\n  ".join(errors))
        for k, arr in converted.items():  # nothing below can fail: every entry was checked
            t = targets[k]
            if isinstance(t, Value):
                t.data = float(arr)
            else:
                np.copyto(t.data, arr)
                increment_version(t)
        return IncompatibleKeys(missing, unexpected)

    def save(self, path: str | os.PathLike) -> None:
        """Write ``state_dict()`` to a ``.npz`` file (numpy adds the suffix if missing)."""
        np.savez(path, **self.state_dict())

    def load(self, path: str | os.PathLike, strict: bool = True) -> Module:
        """Load Parameters and buffers from a ``.npz`` file written by ``save``; returns
        ``self``.

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

    # last in the class body, so that ``float`` above is the builtin
    def float(self) -> Module:
        """``to(np.float32)``."""
        return self.to(np.float32)


def _checked_entry(key: str, value: Any, target) -> tuple[np.ndarray | None, str | None]:
    """``value`` converted to the dtype of ``target`` (a Parameter, a buffer or a Value), or
    None and what is wrong with it."""
    try:
        arr = np.asarray(value.data if isinstance(value, Tensor) else value)
    except Exception as e:  # ragged lists and the like
        return None, f"{key!r} is not an array: {e}"
    is_value = isinstance(target, Value)
    shape, dtype = ((), np.dtype(np.float64)) if is_value else (target.shape, target.dtype)
    kind = "parameter" if _is_param(target) else "buffer"
    if arr.dtype.kind not in "biuf":
        what = "Python objects" if arr.dtype.kind == "O" else f"non-numeric data ({arr.dtype})"
        if arr.dtype.kind == "c":
            what = f"complex numbers ({arr.dtype})"
        return None, f"{key!r} holds {what}; the model's {kind} needs {dtype} numbers"
    if arr.shape != shape:
        return None, (f"size mismatch for {key!r}: the checkpoint has shape {arr.shape}, "
                      f"the model's {kind} has shape {shape}")
    return arr.astype(dtype, copy=False), None


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
        # our own handle: numpy leaves the file open when the archive is damaged
        with open(path, "rb") as f, np.load(f, allow_pickle=False) as archive:
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
