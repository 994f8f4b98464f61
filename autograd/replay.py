"""``ag.compile``: trace a function of tensors once, then replay what it recorded.

A small network's step spends most of its time in Python around numpy: every op checks its
arguments, wraps its result and records a node, every backward sorts the graph, and the
optimizer loops over its parameters. For a function whose shapes do not change from call to
call, all of that is the same each time. ``compile`` runs the function normally once (the
trace), keeps what it recorded, and on later calls with arguments of the same signature runs
one generated function: the ops' numpy forward kernels (each op's declared ``replay``) into
one node of the graph; that node's backward, with a backward kernel for every op (its
``replay_backward``), as straight-line code on arrays, else the ops' own backward functions,
in the engine's order with its un-broadcasting, casts and sums (``engine.send_to_parents``).
Results and gradients are bit for bit those of the normal path.

A whole training step compiles too: ``backward()`` on the returned result and the calls made
through ``replay_call`` (``nn.optim``'s ``step`` and ``zero_grad``, gradient clipping, the
learning-rate schedulers) are events that each replay makes again, in order, after the ops;
the backward's gradients go straight into the leaves' ``.grad``.

What may be replayed is decided at the trace, and anything that a replay would not reproduce
makes the function run normally (for that signature) instead, with the reason kept in
``.reasons``:

- an op without a replay kernel (``replayable_ops()`` lists those with one);
- a tensor's value read in Python (``.item()``, ``float(t)``, ``if t:``, ``.data``, ...),
  since a decision or number taken from it would be frozen;
- an in-place write other than an op's own (batch_norm's running statistics, which its
  kernel updates again), random numbers drawn, or ``ag.grad`` inside the function;
- a ``backward()`` on a tensor the function does not return, with a gradient or
  ``create_graph=True``, or twice; tensor ops after the ``backward()`` or after a call that
  writes (an optimizer's step), or on what such a call returned;
- a tensor computed outside the function and not passed to it, a tensor that requires grad
  made inside it, or one made inside from an array (an array must come in as an argument;
  reshaped views of an argument, such as ``targets.reshape(-1)``, are followed);
- arrays off numpy, hooks or ``retain_grad`` on the function's intermediate results.

The call after a trace runs both ways, the replay's ops beside the function as written, and
a different result (a value the trace fixed that changes: a number computed in numpy from an
array argument, which no tensor read shows) makes the function run as written from then on.

Tensors made before the call and read by the function (parameters, buffers, constants) are
read by reference: their values afresh at each call. Tensors made inside from plain values
(``ag.arange(t)``, ``ag.zeros(n)``, a number) are constants of the trace. A kernel given
values it does not cover (labels out of range) raises ``NotReplayed``, and that call runs as
written.

The contract is the one tracing compilers have (``jax.jit``): Python values the function
reads from elsewhere than its arguments (a learning rate in a global, a flag) are fixed at
the trace, Python side effects other than ``replay_call``'s happen at the trace only, and the
tensors it reads must be the same objects from call to call; non-tensor arguments are part of
the signature, so changing one traces again, and a module's ``train()``/``eval()`` switch
makes every compiled function trace again (``retrace``).
"""

from __future__ import annotations

import builtins
import functools
import operator
import threading
from typing import Any, Callable

import numpy as np

from ._tensor import Tensor, _wrap, get_default_dtype, record
from ._trace import trace
from .engine import (
    _accumulate,
    _run_hooks,
    accumulate_array,
    one_like,
    send_to_parents,
    topological_order,
)
from .mode import anywhere, recording, state
from .ops.elementwise import COMPLEX_GRADIENT
from .ops.reduce import _sum_kernel
from .ops.shape import broadcast_axes
from .registry import OPS, OpDef, opdef_of
from .versions import _base

__all__ = ["compile", "Compiled", "replayable_ops", "NotReplayed", "retrace", "replay_call"]

_PLAIN = (bool, int, float, str, type(None))
_MAX_SIGNATURES = 16  # traces kept per function; past them, new signatures run as written
_tracing = threading.Lock()  # one trace at a time (the switch in _trace is shared)
_epoch = [0]  # bumped by retrace(): part of every signature


def retrace() -> None:
    """Make every compiled function trace again on its next call (``ag.compile``).

    For Python state that a trace keeps and its arguments do not show: ``nn.Module.train()``
    and ``eval()`` call it when a module's mode changes (a trace keeps the mode's path).

    Examples
    --------
    >>> f = ag.compile(lambda x: (x * 2.0).sum())
    >>> x = ag.ones(3)
    >>> _ = f(x); _ = f(x); ag.retrace(); f(x).item()   # traced anew, the same value
    6.0
    """
    _epoch[0] += 1


class NotReplayed(Exception):
    """Raised by a replay kernel given arguments outside what it covers (class labels out of
    range, say): the compiled function's call then runs as written instead, which handles
    them (or names what is wrong) as it always does. An op's own forward may call its kernel
    and take another path on it too."""


def replay_call(fn: Callable[..., Any], *args: Any, writes: bool = True) -> Any:
    """``fn(*args)``; inside a function that ``ag.compile`` traces, also a call that every
    replay of it makes again, at the same point among its other calls and its ``backward()``,
    after the function's ops.

    For what a training step does besides tensor ops: ``nn.optim``'s ``step`` and
    ``zero_grad`` and ``nn.utils``' gradient clipping go through it, so that a whole step
    (the loss, ``zero_grad()``, ``backward()``, clipping, ``step()``) can be compiled. The
    trace does not look inside the call; its arguments are kept as they are (pass lists, not
    iterators), and what it reads is read afresh at each replay. ``writes``: whether ``fn``
    changes values that the function's tensor ops read (an optimizer's step updates the
    parameters); no op may follow such a call in a replayed function.

    Examples
    --------
    >>> log = []
    >>> @ag.compile
    ... def f(x):
    ...     ag.replay_call(log.append, "called", writes=False)
    ...     return (x * 2.0).sum()
    >>> x = ag.ones(3)
    >>> _ = f(x); _ = f(x); _ = f(x)   # traced, checked, replayed: each call makes it
    >>> len(log)
    3
    """
    if trace.on and trace.event("call", fn, args, writes):
        thread = trace.paused()
        try:
            result = fn(*args)
        finally:
            trace.resume(thread)
        if result.__class__ is Tensor:
            trace.produced(result)
        return result
    return fn(*args)


def replayable_ops() -> list[str]:
    """The names of the ops ``ag.compile`` can replay (those declared with a ``replay``
    kernel; ``nn``'s are listed once ``nn`` is imported)."""
    return sorted(name for name, d in OPS.items() if d.replay is not None)


def compile(fn: Callable[..., Tensor] | None = None) -> Any:
    """Trace ``fn`` once per signature and replay its ops on later calls (see the module).

    ``fn`` takes Tensors, numpy arrays and plain Python values (numbers, strings, None) and
    returns one Tensor, typically a loss; it may be a whole training step (the loss, the
    optimizer's ``zero_grad()``, ``loss.backward()`` and ``step()``, returning the loss). A
    call with arguments of new shapes, dtypes or ``requires_grad`` flags, or new plain values,
    traces again. The result's gradient flows to the tensor arguments and to the leaves the
    function reads (a model's parameters), as it would without ``compile``;
    ``create_graph=True`` through it is refused.

    Examples
    --------
    >>> model = nn.Linear(3, 2)
    >>> @ag.compile
    ... def loss_fn(x, y):
    ...     return F.cross_entropy(model(x), y)
    >>> x, y = ag.randn(4, 3), np.array([0, 1, 1, 0])
    >>> loss_fn(x, y).backward()   # traced: runs as written
    >>> loss_fn(x, y).backward()   # replayed: the same numbers, less Python
    >>> loss_fn.reasons            # why a signature was not replayed (none here)
    {}
    >>> opt = nn.optim.SGD(model.parameters(), lr=0.1)
    >>> @ag.compile
    ... def train_step(x, y):      # a whole step: backward() and the optimizer's calls too
    ...     loss = F.cross_entropy(model(x), y)
    ...     opt.zero_grad()
    ...     loss.backward()
    ...     opt.step()
    ...     return loss
    >>> losses = [train_step(x, y).item() for _ in range(3)]
    >>> losses[2] < losses[0], train_step.reasons
    (True, {})
    """
    if fn is None:
        return compile
    return Compiled(fn)


class Compiled:
    """A function compiled by ``ag.compile``: call it as the function itself.

    Attributes
    ----------
    reasons : dict
        For each signature that runs as written, why it is not replayed.
    """

    def __init__(self, fn: Callable[..., Tensor]) -> None:
        self.fn = fn
        self._programs: dict = {}
        self.reasons: dict = {}
        self._epoch = _epoch[0]
        functools.update_wrapper(self, fn)  # type: ignore[arg-type]

    def __repr__(self) -> str:
        return f"<compiled {getattr(self.fn, '__qualname__', self.fn)!r}: " \
               f"{sum(isinstance(p, _Program) for p in self._programs.values())} traced>"

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if trace.on or anywhere.anomaly:  # inside another trace, or anomaly mode: as written
            return self.fn(*args, **kwargs)
        if self._epoch != _epoch[0]:  # retrace(): the traces kept so far are stale
            self._programs, self.reasons, self._epoch = {}, {}, _epoch[0]
        flat = args + tuple(kwargs.values())
        key = _signature(flat, tuple(kwargs))
        program = self._programs.get(key) if key is not None else None
        if program is not None:
            if not program.checked:
                return self._check(key, program, args, kwargs, flat)
            try:
                out = program.run(flat)
            except NotReplayed:  # values a kernel does not cover: this call as written
                return self.fn(*args, **kwargs)
            if out is not None:
                return out
            del self._programs[key]  # a parameter changed shape, dtype or requires_grad
        if key is None:
            self.reasons[None] = ("an argument is neither a Tensor, a numpy array nor a plain "
                                  "value (a number, a string, None, a tuple of them)")
            return self.fn(*args, **kwargs)
        if key in self.reasons:
            return self.fn(*args, **kwargs)
        if len(self._programs) + len(self.reasons) >= _MAX_SIGNATURES:
            self.reasons[key] = (f"more than {_MAX_SIGNATURES} signatures (a number argument "
                                 f"that changes each call?)")
            return self.fn(*args, **kwargs)
        return self._trace(key, args, kwargs, flat)

    def _check(self, key, program: _Program, args, kwargs, flat):
        """The call after the trace runs both ways: the replay, then the function as written
        (whose result is returned, the buffers a kernel updates put back in between). A
        different result means the trace fixed a value that changes, such as a number
        computed in numpy from an array argument (``np.mean(y)``), which no tensor read
        shows; the function then runs as written for that signature."""
        before = program.saved_effects()
        try:  # (the ops only: the events, an optimizer's step, are the function's to make)
            replayed = program.run(flat, events=False)
        except NotReplayed:
            return self.fn(*args, **kwargs)
        finally:
            program.restore_effects(before)
        out = self.fn(*args, **kwargs)
        if replayed is None:  # a parameter changed: the next call traces again
            self._programs.pop(key, None)
        elif _same(replayed, out):
            program.checked = True
        else:
            del self._programs[key]
            self.reasons[key] = ("the replay differed from the function on its second call: "
                                 "the trace fixed a value that changes (a number computed from "
                                 "an array argument in numpy, a global read in Python?)")
        return out

    def _trace(self, key, args, kwargs, flat):
        if not _tracing.acquire(blocking=False):  # another thread is tracing: as written
            return self.fn(*args, **kwargs)
        tracer = _Tracer()
        try:
            trace.tracer, trace.thread, trace.on = tracer, threading.get_ident(), True
            try:
                out = self.fn(*args, **kwargs)
            finally:
                trace.on, trace.tracer = False, None
        finally:
            _tracing.release()
        built = tracer.why or _build(tracer, flat, out)
        if isinstance(built, str):
            self.reasons[key] = built
        else:
            self._programs[key] = built
        return out


def _same(replayed: Tensor, out) -> bool:
    """Whether the replay's result is the function's, bit for bit (NaN equal to NaN)."""
    a, b = replayed._data, getattr(out, "_data", None)
    if type(b) is not np.ndarray or a.shape != b.shape or a.dtype != b.dtype:
        return False
    return bool(np.array_equal(a, b, equal_nan=a.dtype.kind in "fc"))


def _signature(flat: tuple, names: tuple) -> tuple | None:
    """What a trace depends on besides the function: each argument's kind and shape (or
    value), which arguments are the same object, the grad mode and the default dtype; None
    when an argument cannot be keyed."""
    parts = []
    first: dict[int, int] = {}
    for i, a in enumerate(flat):
        if a.__class__ is Tensor:
            d = a._data
            if type(d) is not np.ndarray:
                return None
            parts.append(("T", d.shape, d.dtype, a._requires_grad, first.setdefault(id(a), i)))
        elif type(a) is np.ndarray:
            parts.append(("A", a.shape, a.dtype, first.setdefault(id(a), i)))
        elif isinstance(a, _PLAIN):
            parts.append(("V", type(a), a))
        elif type(a) is tuple and all(isinstance(v, _PLAIN) for v in a):
            parts.append(("V", tuple, a))
        else:
            return None
    return tuple(parts), names, state.grad_enabled, get_default_dtype(), _epoch[0]


class _Tracer:
    """What one trace saw: every op result in order, and the first reason not to replay."""

    def __init__(self) -> None:
        self.nodes: list = []
        self.written: set[int] = set()  # the memory blocks written in place
        self.constants: list = []  # tensors made from plain values (ag.arange, ag.zeros)
        self.born: list = []  # tensors made by Tensor(...) inside the function
        self.produced: dict[int, Tensor] = {}  # id -> a tensor an ag.replay_call returned
        self.contexts: dict[int, Any] = {}  # id(op result) -> the ctx it was recorded with
        self.events: list = []  # (ops noted before it, kind, details): backward(), calls
        self.why: str | None = None

    def event(self, kind: str, details: tuple) -> None:
        self.events.append((len(self.nodes), kind, details))

    def constant(self, t) -> None:
        self.constants.append(t)  # (kept: their ids stay theirs until the build)

    def made(self, t) -> None:
        self.born.append(t)

    def note(self, t, parents: tuple, op, backward, attrs: tuple | None) -> None:
        self.nodes.append((t, parents, op, backward, attrs))
        if hasattr(t, "_ctx"):  # (as recorded: a backward() in the function frees it)
            self.contexts[id(t)] = t._ctx

    def refuse(self, why: str) -> None:
        if self.why is None:
            self.why = why


class _Arg:
    """An attribute that is an array argument, or an op's result: read from its slot at each
    call; with ``shape``, that array reshaped (a numpy view of an argument, such as
    ``targets.reshape(-1)``)."""

    __slots__ = ("slot", "shape")

    def __init__(self, slot: int, shape: tuple | None = None) -> None:
        self.slot, self.shape = slot, shape

    def code(self) -> str:
        return f"v{self.slot}" if self.shape is None else f"v{self.slot}.reshape({self.shape!r})"


def _shim(data, requires_grad: bool) -> Tensor:
    """A tensor the program owns: its backward pass runs the ops' backward functions on these,
    with each call's arrays put in."""
    t = _wrap(data)
    t._requires_grad = requires_grad
    return t


def _live(nodes: list, out) -> list:
    """The nodes the result depends on, and those with effects (an op that updates a buffer
    it gets by reference): an op's own inner ops (attention's softmax of its arrays) and
    results the function drops need no replay."""
    data_of = {id(t._data): t for t, *_ in nodes}
    live = {id(out)}
    for t, parents, _, _, attrs in reversed(nodes):
        attrs = attrs or ()
        if id(t) in live or any(isinstance(a, Tensor) for a in attrs):
            live.add(id(t))
            live.update(id(p) for p in parents)
            live.update(id(data_of[id(a)]) for a in attrs
                        if type(a) is np.ndarray and id(a) in data_of)
    return [n for n in nodes if id(n[0]) in live]


def _argument_view(a: np.ndarray, arrays: dict) -> _Arg | None:
    """``a`` as a reshaped argument (``targets.reshape(-1)``): C-contiguous, over exactly the
    memory of a C-contiguous argument (``arrays``: slot -> the argument's array), in another
    shape."""
    if not a.flags.c_contiguous:
        return None
    start = a.__array_interface__["data"][0]
    for slot, b in arrays.items():
        if b.size == a.size and b.dtype == a.dtype and b.flags.c_contiguous and \
                b.__array_interface__["data"][0] == start:
            return _Arg(slot, tuple(a.shape))
    return None


def _build(tracer: _Tracer, flat: tuple, out) -> _Program | str:
    """The replay program of a trace, or why there is none."""
    if out.__class__ is not Tensor:
        return f"the function returns a {type(out).__name__}, not one Tensor"
    nodes, written = _live(tracer.nodes, out), tracer.written
    made = {id(t) for t in tracer.constants}
    born = {id(t) for t in tracer.born}
    made_arrays = {id(t._data): t._data for t in tracer.constants}
    slot_of: dict[int, int] = {}      # id(traced tensor) -> slot
    array_slot: dict[int, int] = {}   # id(array argument, or a tensor argument's) -> slot
    array_arg: dict[int, int] = {}    # the same arrays -> the argument's index
    shims: list[Tensor] = []
    inputs: list[tuple] = []          # (slot, index of the argument)
    params: list[tuple] = []          # (slot, tensor read by reference, shape, dtype, grad)
    constants: list[tuple] = []       # (slot, array)

    def new_slot(data, requires_grad: bool) -> int:
        shims.append(_shim(data, requires_grad))
        return len(shims) - 1

    for i, a in enumerate(flat):
        if a.__class__ is Tensor:
            if id(a) not in slot_of:
                slot_of[id(a)] = s = new_slot(a._data, a._requires_grad)
                array_slot.setdefault(id(a._data), s)  # its array, as an op's attribute
                array_arg.setdefault(id(a._data), i)
                inputs.append((s, i))
        elif type(a) is np.ndarray and id(a) not in array_slot:
            array_slot[id(a)] = s = new_slot(a, False)
            array_arg[id(a)] = i
            inputs.append((s, i))

    def leaf_slot(p: Tensor) -> int | str:
        d = p._data
        if id(p) in tracer.produced:
            return ("the function computes with what an ag.replay_call returned (its value "
                    "is the call's at each replay, not the trace's)")
        if type(d) is not np.ndarray:
            return "a tensor off numpy"
        if p._op is not None:
            return ("a tensor computed outside the function (not an argument) is used in it; "
                    "pass it as an argument")
        if p._requires_grad and id(p) in born:
            return ("the function makes a tensor that requires grad; make it outside and "
                    "pass it (or use it as a parameter)")
        if not p._requires_grad and id(d) in array_arg:  # an argument's array wrapped anew
            s = new_slot(d, False)  # (ag.as_tensor): each call's array, no gradient through
            inputs.append((s, array_arg[id(d)]))
            return s
        if id(p) in made or id(p) in born and d.ndim == 0:  # made from plain values
            s = new_slot(d, False)  # (ag.arange(t), ag.tensor(0.5)): a constant
            constants.append((s, d))
            return s
        if id(p) in born:
            return (f"the function makes a tensor of shape {d.shape} from an array; pass the "
                    f"array as an argument")
        # made before the call (a parameter, a buffer, a constant the function reads) or a
        # number the ops wrapped: read by reference, its value afresh at each call
        s = new_slot(d, p._requires_grad)
        params.append((s, p, d.shape, d.dtype, p._requires_grad))
        return s

    # the writes in place must all be ops' own, made again by their kernels (batch_norm's
    # running statistics: buffers it gets as attributes, by reference)
    kept_tensors = {id(_base(a._data)) for *_, attrs in nodes for a in attrs or ()
                    if isinstance(a, Tensor)}
    if not written <= kept_tensors:
        return "the function writes a tensor in place"
    steps = []
    node_slot: dict[int, int] = {}  # id(an op result's array) -> its slot
    for t, parents, op_, backward, attrs in nodes:
        d = op_ if type(op_) is OpDef else opdef_of(op_)
        if d.replay is None:
            return f"op {d.name!r} has no replay kernel"
        if attrs is None:
            return f"op {d.name!r} is not replayed for these arguments"
        if type(t._data) is not np.ndarray:
            return "a tensor off numpy"
        ins = []
        for p in parents:
            s = slot_of.get(id(p))
            if s is None:
                s = leaf_slot(p)
                if isinstance(s, str):
                    return s
                slot_of[id(p)] = s
            ins.append(s)
        kept = []
        for a in attrs:
            if type(a) is np.ndarray:
                if id(a) in array_slot:
                    kept.append(_Arg(array_slot[id(a)]))
                elif id(a) in node_slot:  # an earlier op's result
                    kept.append(_Arg(node_slot[id(a)]))
                elif id(a) in made_arrays:  # made from plain values: a constant
                    kept.append(a)
                else:
                    view = _argument_view(a, {s: flat[i] if type(flat[i]) is np.ndarray
                                                  else flat[i]._data for s, i in inputs})
                    if view is None:
                        return (f"op {d.name!r} reads an array (shape {a.shape}) that is not "
                                f"an argument of the function")
                    kept.append(view)
            elif isinstance(a, Tensor):  # a buffer the kernel reads or updates by reference
                if a._op is not None or type(a._data) is not np.ndarray:
                    return f"op {d.name!r} reads a tensor that is not one of its inputs"
                kept.append(a)
            else:
                kept.append(a)
        s = new_slot(t._data, t._requires_grad)
        slot_of[id(t)] = s
        node_slot[id(t._data)] = s
        sh = shims[s]
        if t._op is not None:  # a node of the graph: its backward runs on the shims
            if t._hooks or t._retains_grad:
                return "a hook or retain_grad() on a tensor inside the function"
            sh._op, sh._backward = t._op, backward
            sh._parents = tuple(shims[i] for i in ins)
        if not d.context and id(t) in tracer.contexts:  # a constant ctx (sum's axes); a
            sh._ctx = tracer.contexts[id(t)]             # kernel's comes with each call
        steps.append((s, d.replay, tuple(ins), tuple(kept), d.context, d.replay_backward))
    s = slot_of.get(id(out))
    if s is None or s not in {step[0] for step in steps}:
        return "the function returns one of its inputs, not an op's result"
    events = []
    for noted, kind, details in tracer.events:
        writes = kind == "backward" or details[2]  # (a call's details: fn, args, writes)
        if noted < len(tracer.nodes) and writes:
            return ("the function computes with tensors after its backward() or after an "
                    "ag.replay_call that writes (an optimizer's step): a replay makes those "
                    "after all of the function's ops")
        if kind == "backward":
            root, gradient, retain_graph, create_graph = details
            if root is not out:
                return "the function runs backward() on a tensor it does not return"
            if gradient is not None or create_graph or \
                    any(k == "backward" for k, *_ in events):
                return ("the function runs backward() with a gradient, with "
                        "create_graph=True, or twice")
            events.append(("backward", retain_graph, None))
        else:
            fn, args, _ = details
            events.append(("call", fn, args))
    # the engine's order, over the parents as recorded (a backward() inside the function has
    # freed the graph since: its parents are summaries now)
    recorded = {id(t): parents for t, parents, *_ in nodes}
    order = [slot_of[id(t)] for t in reversed(topological_order(
        [out], lambda t: recorded.get(id(t), ()) if t._op is not None else ()))
        if t._op is not None]
    # each slot's shape and dtype, for the backward's un-broadcasting and casts
    kinds = [(sh._data.shape, sh._data.dtype) for sh in shims]
    for sh in shims:  # the trace's arrays are not kept: each call puts in its own
        sh._data = None
    tensors = tuple(a.__class__ is Tensor for a in flat)
    return _Program(shims, steps, inputs, params, constants, s, order, kinds, events, tensors)


class _Program:
    """One signature's replay: the forward kernels as straight-line code, and the backward
    order of the nodes."""

    def __init__(self, shims, steps, inputs, params, constants, out, order, kinds,
                 events, tensors) -> None:
        self.shims, self.inputs, self.params, self.out = shims, inputs, params, out
        self.events = events  # backward() and ag.replay_call's calls, made after the ops
        self.checked = False  # replayed once beside the function (Compiled._check)
        self.contexts = [shims[s] for s, _, _, _, context, _ in steps if context]
        # the buffers kernels update (batch_norm's running statistics): put back when a call
        # that updated them must not count (a kernel bails out; the check beside the function)
        effects: dict[int, Tensor] = {}
        for step in steps:
            for a in step[3]:
                if isinstance(a, Tensor):
                    effects[id(a)] = a
        self.effects = tuple(effects.values())
        # the backward walk: each node's shim and backward function, in the engine's order
        self.plan = [(shims[s], shims[s]._backward) for s in order]
        # the result's parents: the arguments that require grad, then the parameters
        self.grad_inputs = tuple(i for s, i in inputs if shims[s]._requires_grad)
        self.param_tensors = tuple(p for _, p, _, _, grad in params if grad)
        self.leaves = [s for s, _ in inputs if shims[s]._requires_grad] + \
            [s for s, _, _, _, grad in params if grad]
        self.lock = threading.Lock()
        # with a backward kernel for every node: the whole backward as one function of arrays
        by_slot = {step[0]: step for step in steps}
        self.array_backward: Callable | None = None
        if all(by_slot[s][5] is not None for s in order):
            plan = [by_slot[s] + (tuple(shims[i]._requires_grad for i in by_slot[s][2]),)
                    for s in order]
            # first with its gradients' kinds checked and noted, then without the checks
            # that the kernels' results (the same shapes and dtypes at every call) never need
            self._backward_plan: tuple[Any, ...] | None = (plan, out, self.leaves, kinds,
                                                           len(shims))
            self._noting: Callable | None = _backward_code(plan, out, self.leaves, kinds,
                                                           len(shims), note=True)
            self.array_backward = self._first_backward
        self.run = self._run_code(steps, constants, tensors)

    def _run_code(self, steps: list, constants: list, tensors: tuple) -> Callable:
        """``run`` as one straight-line function for this signature (``tensors``: which
        arguments are Tensors): the arguments' arrays and the guarded parameters' in local
        variables, each op's kernel ``v_out = kernel(v_in..., attrs...)`` (a kernel that also
        returns a context puts it in ``C``), the result's node, then the events; no loop,
        list access or argument list per op."""
        names: dict[str, Any] = {"ndarray": np.ndarray, "asarray": np.asarray, "wrap": _wrap,
                                 "record": record, "partial": functools.partial,
                                 "errstate": np.errstate, "NotReplayed": NotReplayed,
                                 "state": state, "OP": _COMPILED, "self": self,
                                 "BW": self.backward if self.array_backward is None
                                 else self.backward_arrays}
        lines = ["def run(flat, events=True):",
                 f"    ({''.join(f'arg{i}, ' for i in range(len(tensors)))}) = flat"]
        for s, i in self.inputs:
            lines.append(f"    v{s} = arg{i}._data" if tensors[i] else f"    v{s} = arg{i}")
        for k, (s, p, shape, dtype, grad) in enumerate(self.params):
            names[f"P{k}"], names[f"S{k}"], names[f"D{k}"] = p, shape, dtype
            lines += [f"    v{s} = P{k}._data",  # a parameter changed: None (a new trace)
                      f"    if v{s}.__class__ is not ndarray or v{s}.shape != S{k} or "
                      f"v{s}.dtype is not D{k} and v{s}.dtype != D{k} or "
                      f"P{k}._requires_grad is not {grad}:",
                      "        return None"]
        for s, value in constants:
            names[f"K{s}"] = value
            lines.append(f"    v{s} = K{s}")
        lines.append("    C = {}")
        indent = "        "
        if self.effects:  # put back if a kernel bails out after one updated a buffer
            lines += ["    before = self.saved_effects()", "    try:"]
            indent += "    "
        lines.append(f"{indent[4:]}with errstate(all='ignore'):  # IEEE results, quietly")
        for n, (s, kernel, ins, attrs, context, _) in enumerate(steps):
            infix = None if attrs or context else \
                next((code for k, code in _INFIX if k is kernel), None)
            if infix is not None and len(ins) == infix.count("{}"):  # v3 = v1 * v2: the
                lines.append(f"{indent}v{s} = " +  # operator itself, without a call
                             infix.format(*(f"v{i}" for i in ins)))
                continue
            names[f"k{n}"] = kernel
            target = f"v{s}, C[{s}]" if context else f"v{s}"
            lines.append(f"{indent}{target} = k{n}({_arguments(n, ins, attrs, names)})")
        if self.effects:
            lines += ["    except NotReplayed:", "        self.restore_effects(before)",
                      "        raise"]
        lines += [f"    V = [{', '.join(f'v{i}' for i in range(len(self.shims)))}]",
                  f"    data = v{self.out}",
                  "    if data.__class__ is not ndarray:",
                  "        data = asarray(data)  # numpy gives scalars for 0-d results"]
        names["PT"] = self.param_tensors
        leaves = "PT" if not self.grad_inputs else \
            f"({''.join(f'arg{i}, ' for i in self.grad_inputs)}) + PT"
        if not self.grad_inputs and not self.param_tensors:
            lines.append("    out = wrap(data)")
        else:
            lines += ["    if not state.grad_enabled:", "        out = wrap(data)", "    else:",
                      f"        out = record(data, {leaves}, OP, partial(BW, V, C))"]
        if self.events:
            lines.append("    if events:")
            for n, (kind, a, b) in enumerate(self.events):
                if kind == "call":
                    names[f"E{n}"], names[f"EA{n}"] = a, b
                    lines.append(f"        E{n}(*EA{n})")
                else:
                    lines.append(f"        self.backward_now(out, V, C, {a})")
        lines.append("    return out")
        return _function("\n".join(lines), names, "run")

    def backward_now(self, out: Tensor, values: list, ctx: dict, retain_graph: bool) -> None:
        """``out.backward(retain_graph=...)`` made inside the function: with a backward
        function of arrays, its gradients go straight to the leaves (as the engine would
        accumulate them, hooks run), without the engine's walk."""
        if self.array_backward is None:
            out.backward(retain_graph=retain_graph)
            return
        with np.errstate(all="ignore"):  # (the seed: the engine's)
            grads = self.array_backward(values, ctx, one_like(out._data))
        for p, gd in zip(out._parents, grads):
            if gd is None:
                continue
            if p._hooks:  # run as the engine runs them: not recorded
                prev, state.grad_enabled = state.grad_enabled, False
                try:
                    _accumulate(p, _run_hooks(p, _wrap(gd)), False)
                finally:
                    state.grad_enabled = prev
            else:
                accumulate_array(p, gd)
        if not retain_graph:  # (keep_shape: its parents are the leaves, which stay)
            out._backward = None

    def saved_effects(self) -> list:
        """Copies of the arrays of the buffers kernels update."""
        return [t._data.copy() for t in self.effects]

    def restore_effects(self, saved: list) -> None:
        for t, old in zip(self.effects, saved):
            t._data = old

    def _first_backward(self, values: list, ctx: dict, g: np.ndarray) -> tuple:
        """The array backward's first call: checked, its gradients' kinds noted, then the
        backward made again without the checks they never need."""
        noting, plan = self._noting, self._backward_plan
        if noting is None or plan is None:  # another thread has made it meanwhile
            made = self.array_backward
            assert made is not None
            return made(values, ctx, g)
        seen: list = []
        grads = noting(values, ctx, g, seen)
        self.array_backward = _backward_code(*plan, seen=seen)
        self._noting = self._backward_plan = None  # (the plan holds the trace's kernels)
        return grads

    def backward_arrays(self, values: list, ctx: dict, g: Tensor, out: Tensor) -> tuple:
        """The result's backward when every op has a backward kernel: one generated function
        of this call's arrays (``_backward_code``)."""
        if recording():
            raise RuntimeError(_RECORDED)
        if self.array_backward is None:  # (taken away since: the ops' backward functions)
            return self.backward(values, ctx, g, out)
        return tuple([None if a is None else _wrap(a)
                      for a in self.array_backward(values, ctx, g._data)])

    def backward(self, values: list, ctx: dict, g: Tensor, out: Tensor) -> tuple:
        """The result's backward: each node's own backward function on the shims (holding
        this call's arrays), in the engine's order; the engine's ``send_to_parents``
        un-broadcasts, casts and sums each parent's gradients."""
        if recording():
            raise RuntimeError(_RECORDED)
        shims = self.shims
        with self.lock:  # the shims take this call's arrays while its backward runs
            for sh, v in zip(shims, values):
                sh._data = v
            for s, c in ctx.items():
                shims[s]._ctx = c
            grads: dict = {shims[self.out]: g}  # by shim, as the engine keys its tensors
            pop = grads.pop
            for sh, backward in self.plan:
                gs = pop(sh, None)
                if gs is not None:
                    send_to_parents(grads, sh._parents, backward(gs, sh))
            found = tuple(grads.get(shims[s]) for s in self.leaves)
            for sh in shims:  # keep no call's arrays past its backward
                sh._data = None
            for sh in self.contexts:
                sh._ctx = None
        return found


_CODE: dict[str, Any] = {}  # generated source -> its compiled code (the same for two
_CODE_KEPT = 256            # signatures of one structure: shapes are names, not literals)


def _function(source: str, names: dict, name: str) -> Callable:
    """The function ``name`` that ``source`` (generated here, from slot numbers) defines, its
    globals ``names``; Python compiles each source once per process."""
    code = _CODE.get(source)
    if code is None:
        if len(_CODE) >= _CODE_KEPT:
            _CODE.clear()
        code = _CODE[source] = builtins.compile(source, f"<ag.compile {name}>", "exec")
    namespace = dict(names)
    exec(code, namespace)  # noqa: S102
    return namespace[name]


_COMPILED = opdef_of("CompiledBackward")  # the op of a replay's result node
_RECORDED = ("a compiled function's backward is not recorded: create_graph=True needs the "
             "function itself, not compiled")


# kernels that are Python's operators, written as the operator in a generated replay (the same
# array method numpy runs, bit for bit, without the call to ``operator.add``)
_INFIX = ((operator.add, "{} + {}"), (operator.sub, "{} - {}"), (operator.mul, "{} * {}"),
          (operator.truediv, "{} / {}"), (operator.neg, "-{}"))


def _arguments(n: int, ins: tuple, attrs: tuple, names: dict) -> str:
    """Step ``n``'s kernel arguments as code: its inputs' slots, then its attributes (an
    argument's slot, or a constant put in ``names``)."""
    args = [f"v{i}" for i in ins]
    for j, a in enumerate(attrs):
        if a.__class__ is _Arg:
            args.append(a.code())
        else:
            names[f"a{n}_{j}"] = a
            args.append(f"a{n}_{j}")
    return ", ".join(args)


def _unbroadcast(gd: np.ndarray, shape: tuple) -> np.ndarray:
    """``sum_to_shape`` on an array: bit for bit the engine's un-broadcasting."""
    axes = broadcast_axes(gd.shape, shape)
    if axes:
        gd = _sum_kernel(gd, axes, True)
    return gd.reshape(shape) if gd.shape != shape else gd


def _cast(gd: np.ndarray, dtype: np.dtype) -> np.ndarray:
    """A gradient cast to its parent's dtype, as the engine casts (``astype``)."""
    if gd.dtype == dtype:
        return gd
    if gd.dtype.kind == "c" and dtype.kind != "c":
        raise RuntimeError(COMPLEX_GRADIENT.format(dtype=dtype))
    return gd.astype(dtype)


def _backward_code(plan: list, out: int, leaves: list, kinds: list, size: int,
                   note: bool = False, seen: list | None = None) -> Callable:
    """The backward of a program whose ops all have backward kernels, as one straight-line
    function ``backward(V, C, g)`` returning the leaves' gradients: for each node in the
    engine's order, its kernel on the node's gradient and this call's arrays, then each
    parent's gradient un-broadcast, cast and summed as ``engine.send_to_parents`` does, in
    the same order (so bit for bit the same sums), with no Tensor, dict or call per parent.

    With ``note``, it takes a fourth argument, a list, and appends each parent gradient's
    kind to it (a numpy array of the parent's shape and dtype, or not); with ``seen`` (such a
    list, from a first call), a
    gradient that was of its parent's kind is taken as it comes (the kernels' results have
    the same shapes and dtypes at every call of one signature)."""
    names: dict[str, Any] = {"ndarray": np.ndarray, "asarray": np.asarray,
                             "unbroadcast": _unbroadcast, "cast": _cast}
    k = 0  # the parent gradients so far
    lines = ["def backward(V, C, g, O):" if note else "def backward(V, C, g):",
             f"    ({', '.join(f'v{i}' for i in range(size))},) = V",
             f"    g{out} = g"]
    arrived = {out}
    for n, (s, _, ins, attrs, context, kernel, needs) in enumerate(plan):
        names[f"b{n}"], names[f"n{n}"] = kernel, needs
        lines.append(f"    r = b{n}(g{s}, n{n}, v{s}, {f'C[{s}]' if context else 'None'}, "
                     f"{_arguments(n, ins, attrs, names)})")
        for j, p in enumerate(ins):
            if not needs[j]:
                continue
            shape, dtype = kinds[p]
            names[f"S{p}"], names[f"D{p}"] = shape, dtype
            lines.append(f"    x = r[{j}]")
            if note:
                lines.append(f"    O.append(x.__class__ is ndarray and x.shape == S{p} and "
                             f"x.dtype is D{p})")
            if seen is None or not seen[k]:
                if shape == ():  # numpy gives scalars for 0-d results
                    lines.append("    if x.__class__ is not ndarray: x = asarray(x)")
                lines.append(f"    if x.shape != S{p}: x = unbroadcast(x, S{p})")
                lines.append(f"    if x.dtype is not D{p}: x = cast(x, D{p})")
            k += 1
            if p in arrived:
                lines.append(f"    g{p} = g{p} + x")
                if shape == ():
                    lines.append(f"    if g{p}.__class__ is not ndarray: g{p} = asarray(g{p})")
            else:
                lines.append(f"    g{p} = x")
                arrived.add(p)
    lines.append(f"    return ({''.join(f'g{s}, ' if s in arrived else 'None, ' for s in leaves)})")
    return _function("\n".join(lines), names, "backward")
