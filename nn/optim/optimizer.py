"""The optimizer base: parameter groups, per-parameter state, ``state_dict``, ``zero_grad``.

As in PyTorch, an optimizer holds ``param_groups``: a list of dicts, each with its
``"params"`` and its own hyperparameters (``lr``, ``weight_decay``, ...; the constructor's
arguments fill in what a group leaves out). ``state`` maps each parameter to its running
state (momentum buffers, moment estimates). ``state_dict()`` has PyTorch's structure (state
keyed by parameter index, groups listing indices), so a run resumed from it continues
exactly as the uninterrupted one.

A subclass states its hyperparameters (``defaults``), checks them (``_check``), and writes
one update, ``_update(p, g, state, group)``, on numpy arrays in place; for another backend's
arrays (dask, CuPy, any Array API library) the same update is built functionally, returning the
new parameter array (dask's arrays cannot be written in place), which the base puts in the
parameter Tensor; the state holds arrays of the parameter's backend. The base runs it for
every Tensor parameter with a gradient, and once for all scalar ``ag.Value`` parameters of a
group together (gathered into float64 vectors), so a micrograd-style network trains with the
same rules at a few microseconds per scalar.
"""

from __future__ import annotations

import copy
import warnings
from typing import Any, Callable, Iterable

import numpy as np

import autograd as ag
from autograd import Tensor, Value, increment_version

from ..ops._common import namespace

__all__ = ["Optimizer", "required"]


class _Required:
    """The default of a hyperparameter that every group must state."""

    def __repr__(self) -> str:
        return "<required parameter>"


required = _Required()


def _hyper(group: dict) -> dict:
    return {k: v for k, v in group.items() if k != "params"}


class Optimizer:
    """Base class of the optimizers: parameter groups, state, ``zero_grad``, ``step``.

    Parameters
    ----------
    params : iterable of Tensors (or ``ag.Value``), or of dicts
        The parameters, or parameter groups: dicts with ``"params"`` and any per-group
        hyperparameters, e.g. ``[{"params": decay, "weight_decay": 0.1},
        {"params": no_decay, "weight_decay": 0.0}]``.
    defaults : dict
        The hyperparameters a group takes when it does not state its own.
    """

    def __init__(self, params: Iterable, defaults: dict) -> None:
        self.defaults = dict(defaults)
        self.state: dict = {}  # parameter -> its state (Tensors and Values hash by identity)
        self.param_groups: list[dict] = []
        if isinstance(params, (Tensor, Value)):
            raise TypeError(f"{type(self).__name__}: params should be an iterable of Tensors "
                            f"or dicts, but got a {type(params).__name__}")
        if isinstance(params, (set, frozenset)):
            params = {"params": params}  # refused by add_param_group, with the reason
        groups = [params] if isinstance(params, dict) else list(params)
        if not groups:
            raise ValueError(f"{type(self).__name__}: optimizer got an empty parameter list")
        if not isinstance(groups[0], dict):
            groups = [{"params": groups}]
        for group in groups:
            self.add_param_group(group)

    # ----------------------------------------------------------------- groups
    def add_param_group(self, param_group: dict) -> None:
        """Add a group of parameters with its own hyperparameters (the constructor's
        arguments fill in the rest), e.g. to train a new head at a different rate."""
        name = type(self).__name__
        if not isinstance(param_group, dict):
            raise TypeError(f"{name}: a parameter group must be a dict, got "
                            f"{type(param_group).__name__}")
        if "params" not in param_group:
            raise ValueError(f"{name}: a parameter group must have a 'params' entry")
        params = param_group["params"]
        if isinstance(params, (Tensor, Value)):
            params = [params]
        elif isinstance(params, (set, frozenset)):
            raise TypeError(f"{name}: parameters need to be organized in ordered collections, "
                            "but the ordering of tensors in sets will change between runs; "
                            "use a list")
        params = list(params)
        for i, p in enumerate(params):
            if not isinstance(p, (Tensor, Value)):
                raise TypeError(f"{name}: can only optimize Tensors (and ag.Values), but "
                                f"parameter {i} is a {type(p).__name__}")
            if not p.is_leaf:
                raise ValueError(f"{name}: can't optimize a non-leaf Tensor (parameter {i}, "
                                 "computed by an op); pass the leaf it was computed from")
        group = {**{k: v for k, v in self.defaults.items()}, **param_group, "params": params}
        for key, value in group.items():
            if value is required:
                raise ValueError(f"{name}: parameter group didn't specify a value of required "
                                 f"optimization parameter {key}")
        self._check(group)
        if len({id(p) for p in params}) != len(params):
            warnings.warn(f"{name}: a parameter group holds the same parameter more than "
                          "once; it will be updated once per occurrence", stacklevel=2)
        held = {id(p) for g in self.param_groups for p in g["params"]}
        if any(id(p) in held for p in params):
            raise ValueError(f"{name}: some parameters appear in more than one parameter group")
        param_group.clear()
        param_group.update(group)  # the caller's dict becomes the group, as in PyTorch
        self.param_groups.append(param_group)

    def _check(self, group: dict) -> None:
        """Raise ValueError naming any hyperparameter of ``group`` out of range (subclasses)."""

    @staticmethod
    def _at_least_zero(owner: str, group: dict, *names: str, what: str = "") -> None:
        for n in names:
            v = group[n]
            if not 0.0 <= v:  # also refuses NaN
                label = what or f"{n} value"
                raise ValueError(f"{owner}: invalid {label}: {n}={v!r} (must be >= 0)")

    # ----------------------------------------------------------------- stepping
    def zero_grad(self, set_to_none: bool = True) -> None:
        """Reset every parameter's gradient: to None (or to zeros with
        ``set_to_none=False``); a Value's to 0.0. (Inside a function ``ag.compile`` traces,
        every replay of it makes this call again: ``ag.replay_call``.)"""
        ag.replay_call(self._zero_grad, set_to_none, writes=False)

    def _zero_grad(self, set_to_none: bool) -> None:
        for group in self.param_groups:
            for p in group["params"]:
                if isinstance(p, Value):
                    p.grad = 0.0
                elif set_to_none:
                    p.grad = None
                elif p.grad is not None:
                    gd = p.grad.data
                    if type(gd) is np.ndarray:
                        gd[...] = 0
                    else:  # another backend's array: replaced, not written in place
                        p.grad.data = namespace(gd).zeros_like(gd)
                    increment_version(p.grad)

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Update every parameter that has a gradient. ``closure`` (optional) recomputes the
        loss with gradients enabled and returns it; ``step`` returns that loss. (Inside a
        function ``ag.compile`` traces, every replay of it makes this call again, after the
        function's ops and ``backward()``: ``ag.replay_call``.)"""
        return ag.replay_call(self._step, closure)

    def _step(self, closure: Callable[[], Any] | None) -> Any:
        loss = None
        if closure is not None:
            with ag.enable_grad():
                loss = closure()
        states = self.state  # (the updates are on arrays: nothing here is recorded)
        for group in self.param_groups:
            values, arrays, written = [], [], []
            for p in group["params"]:
                grad = p.grad
                if grad is None:
                    continue
                if isinstance(p, Value):
                    values.append(p)
                    continue
                state = states.get(p)
                if state is None:
                    state = states[p] = {}
                # the arrays themselves; the guard is told of the write once
                pd, gd = p.data, grad.data
                if pd.__class__ is np.ndarray and gd.__class__ is np.ndarray:
                    arrays.append((pd, gd, state))  # updated in place, below
                    written.append(p)
                else:  # another backend: the new array replaces the old
                    p.data = self._update(pd, gd, state, group)
                    increment_version(p)
            if arrays:
                self._update_arrays(arrays, group)
                for p in written:
                    increment_version(p)
            if values:
                self._update_values(values, group)
        return loss

    def _update(self, p: Any, g: Any, state: dict, group: dict) -> Any:
        """Update the array ``p`` from its gradient ``g`` (subclasses): a numpy ``p`` in place,
        another backend's functionally; return the updated array (``p`` itself for numpy)."""
        raise NotImplementedError

    def _update_arrays(self, arrays: list, group: dict) -> None:
        """Update a group's numpy parameters in place: ``arrays`` holds ``(p, g, state)`` for
        each. ``_update`` for each; a subclass may read the group's hyperparameters once."""
        update = self._update
        for p, g, state in arrays:
            update(p, g, state, group)

    def _update_values(self, values: list, group: dict) -> None:
        """The update for scalar Values: gathered into float64 vectors (one per state
        shape, e.g. first step or not), updated by ``_update``, scattered back."""
        batches: dict[tuple, list] = {}
        for v in values:
            state = self.state.setdefault(v, {})
            batches.setdefault(tuple(state), []).append((v, state))
        for keys, batch in batches.items():
            p = np.array([v.data for v, _ in batch], np.float64)
            g = np.array([v.grad for v, _ in batch], np.float64)
            vec = {k: np.array([s[k] for _, s in batch]) for k in keys}
            self._update(p, g, vec, group)
            for (v, _), x in zip(batch, p.tolist()):
                v.data = x
            # a state entry may come back a scalar for all (a first step's count): broadcast
            columns = {k: np.broadcast_to(a, p.shape).tolist() for k, a in vec.items()}
            for i, (_, state) in enumerate(batch):
                for k, col in columns.items():
                    state[k] = col[i]

    # ----------------------------------------------------------------- state
    def state_dict(self) -> dict:
        """The optimizer's state in PyTorch's structure, as a copy::

            {"state": {0: {"step": 3, "exp_avg": array, ...}, 1: {...}},
             "param_groups": [{"lr": 0.001, ..., "params": [0, 1]}, ...]}

        Parameters are numbered in order across the groups; ``load_state_dict`` into an
        optimizer over the same parameters (in a new process, say) continues the run exactly.
        """
        index: dict[int, int] = {}
        groups = []
        for group in self.param_groups:
            ids = []
            for p in group["params"]:
                index.setdefault(id(p), len(index))
                ids.append(index[id(p)])
            groups.append({**copy.deepcopy(_hyper(group)), "params": ids})
        state = {index[id(p)]: copy.deepcopy(s) for p, s in self.state.items()
                 if id(p) in index}
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict: dict) -> None:
        """Restore ``state_dict()``'s state and hyperparameters (the parameters stay this
        optimizer's own). Checked first; nothing changes when it does not fit."""
        name = type(self).__name__
        saved = state_dict["param_groups"]
        if len(saved) != len(self.param_groups):
            raise ValueError(f"{name}: loaded state dict has {len(saved)} parameter groups, "
                             f"the optimizer has {len(self.param_groups)}")
        params: dict[int, Any] = {}
        for i, (group, sg) in enumerate(zip(self.param_groups, saved)):
            if len(group["params"]) != len(sg["params"]):
                raise ValueError(f"{name}: loaded state dict's parameter group {i} has "
                                 f"{len(sg['params'])} parameters, the optimizer's has "
                                 f"{len(group['params'])}")
            params.update(zip(sg["params"], group["params"]))
        state = {}
        for k, s in state_dict["state"].items():
            if k not in params:
                raise ValueError(f"{name}: loaded state dict has state for parameter {k}, "
                                 "which no parameter group holds")
            state[params[k]] = self._restore(params[k], k, s)
        groups = []
        for group, sg in zip(self.param_groups, saved):
            new = {**copy.deepcopy(_hyper(sg)), "params": group["params"]}
            self._check(new)
            groups.append(new)
        self.state = state
        for group, new in zip(self.param_groups, groups):
            group.clear()
            group.update(new)

    def _restore(self, p, index: int, saved: dict) -> dict:
        """A copy of one parameter's saved state, checked and cast to the parameter's dtype."""
        out = {}
        for key, value in saved.items():
            if key == "step" and np.ndim(value) == 0 and float(value).is_integer():
                out[key] = int(value)  # a count (PyTorch keeps it as a float tensor)
                continue
            if isinstance(p, Value) or value is None or key == "step":
                out[key] = copy.deepcopy(value)
                continue
            value = value.data if isinstance(value, Tensor) else value
            arr = value if type(value) is np.ndarray or not hasattr(value, "shape") else \
                Tensor(value).numpy()
            arr = np.asarray(arr)
            if arr.shape != p.shape:
                raise ValueError(f"{type(self).__name__}: loaded state {key!r} of parameter "
                                 f"{index} has shape {arr.shape}, the parameter has shape "
                                 f"{p.shape}")
            arr = arr.astype(p.dtype if arr.dtype.kind == "f" else arr.dtype, copy=True)
            if type(p.data) is not np.ndarray:  # the state lives where the parameter does
                xp = namespace(p.data)
                arr = xp.asarray(arr, dtype=getattr(xp, arr.dtype.name))
            out[key] = arr
        return out

    def __repr__(self) -> str:
        lines = [f"{type(self).__name__} ("]
        for i, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {i}")
            lines.extend(f"    {k}: {v}" for k, v in sorted(_hyper(group).items()))
        return "\n".join(lines) + "\n)"
