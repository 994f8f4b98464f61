"""The backward walk: topological order, the chain rule, accumulation, hooks, freeing.

The engine knows no op. It sees nodes with parents; for Tensors each node's ``backward``
closure maps the node's gradient to its parents' gradients, and the engine does the rest in one
place: it sums a gradient back to its parent's shape, casts it to the parent's dtype,
accumulates gradients that meet, runs hooks and frees what the backward functions held
(``freed.keep_shape``: the graph's shape stays). ``topological_order`` is the only graph sort
in the project: ``Value`` and the visualisation use it too.

It imports the Tensor and two ops that un-broadcast and cast gradients (``sum_to_shape``,
``astype``), the grad mode, and the in-place guard (``versions``); anomaly mode is imported
only when it is on.
"""

from __future__ import annotations

from operator import attrgetter
from typing import Any, Callable, Iterable, Sequence

import numpy as np

from ._tensor import Tensor, _wrap
from ._trace import trace
from .backend import backend_of
from .freed import keep_shape
from .mode import anywhere, recording, state
from .ops.elementwise import COMPLEX_GRADIENT, astype
from .ops.shape import sum_to_shape
from .versions import check_saved, clock, parent_at


def _tensor_parents(t: Tensor) -> tuple:
    return t._parents if t._op is not None else ()


_DONE = object()  # on the walk's stack: every parent of the node just below is now placed


def topological_order(roots: Iterable, parents: Callable = _tensor_parents) -> list:
    """Every node reachable from ``roots``, each after all of its parents.

    Iterative depth-first search keyed by identity: deep graphs never touch Python's recursion
    limit, and ``==`` (elementwise on tensors) is never called. ``parents(node)`` returns a
    sequence (a tuple): the sort is generic, Tensor and Value share it. A ``parents`` function
    marked ``pair_slots = True`` says its nodes keep at most two parents in the slots ``_a``
    and ``_b`` and a creation number ``_i`` larger than their parents' (``Value``): then the
    walk only gathers the reachable nodes and sorts them by creation, which is about half the
    work of the depth-first order (no markers, no second visit).

    The stack holds only the nodes themselves and a marker, no tuple or iterator per node: on a
    graph a million deep that spares Python's cyclic garbage collector millions of live
    objects to chase (the sort runs about 5x faster there).
    """
    if getattr(parents, "pair_slots", False):
        return _by_creation(roots)
    order: list = []
    stack = list(roots)
    stack.reverse()
    push, pop, place = stack.append, stack.pop, order.append
    if parents is _tensor_parents:  # the hot path of every backward(): parents inlined, and
        seen: set = set()           # the tensors themselves kept (identity hash, no id() call)
        mark = seen.add
        while stack:
            node = pop()
            if node is _DONE:  # its parents are all in ``order``: the node can follow them
                place(pop())
                continue
            if node in seen:
                continue
            mark(node)
            push(node)
            push(_DONE)
            if node._op is not None:  # (the parents' slots read directly: Tensor._parents)
                ps = node._pn
                if ps is None:  # one or two parents; the first is explored first
                    b = node._p2
                    if b is not None and b not in seen:
                        push(b)
                    a = node._p1
                    if a not in seen:
                        push(a)
                else:
                    for p in reversed(ps) if len(ps) > 1 else ps:
                        if p not in seen:
                            push(p)
        return order
    ids: set[int] = set()  # any other node type: keyed by id, never by __eq__ or __hash__
    mark = ids.add
    while stack:
        node = pop()
        if node is _DONE:
            place(pop())
            continue
        if id(node) in ids:
            continue
        mark(id(node))
        push(node)
        push(_DONE)
        ps = parents(node)
        for p in reversed(ps) if len(ps) > 1 else ps:
            if id(p) not in ids:
                push(p)
    return order


_creation = attrgetter("_i")


def _by_creation(roots: Iterable, fresh: str | None = None) -> list:
    """The reachable nodes of a pair-slot graph, sorted by creation (parents come first).

    Such nodes hash by identity and never by value, so they are kept in a set themselves
    (no ``id()`` call per node). With ``fresh`` (the message for a freed node, formatted with
    its ``op``), the walk also readies the graph for a backward pass, in the same visit of each
    node: an interior node whose local derivatives were freed (``_da`` None) raises, and every
    other interior node's ``grad`` restarts from 0.0 (``Value.backward``)."""
    nodes = list(roots)
    seen = set(nodes)
    stack = nodes[:]
    push, pop, mark, keep = stack.append, stack.pop, seen.add, nodes.append
    while stack:
        node = pop()
        a = node._a
        if a is None:
            continue
        if fresh is not None:
            if node._da is None:
                raise RuntimeError(fresh.format(op=node._op))
            node.grad = 0.0
        if a not in seen:
            mark(a)
            push(a)
            keep(a)
        b = node._b
        if b is not None and b not in seen:
            mark(b)
            push(b)
            keep(b)
    nodes.sort(key=_creation)
    return nodes


_FREED = ("Trying to backward through the graph a second time (or directly access saved "
          "tensors after they have already been freed). The graph of {name} was freed by the "
          "previous backward(). Specify retain_graph=True if you need to backward through the "
          "graph a second time.")


def one_like(data: np.ndarray) -> np.ndarray:
    """A 1 of a one-element numpy array's dtype, in its shape: the seed of a backward pass
    (``np.ones`` and ``ones_like`` are Python functions, slower for one element)."""
    one = np.array(1, dtype=data.dtype)
    return one.reshape(data.shape) if data.ndim else one


def _seed(root: Tensor, gradient) -> Tensor:
    if gradient is None:
        if root._data.size != 1:
            raise RuntimeError(
                f"grad can be implicitly created only for scalar outputs: this output has "
                f"shape {root.shape}, so pass gradient= (a tensor of that shape)")
        data = root._data
        if type(data) is np.ndarray:
            return _wrap(one_like(data))
        return _wrap(backend_of(data).ones_like(data))
    g = gradient if isinstance(gradient, Tensor) else Tensor(gradient, dtype=root.dtype)
    if g.shape != root.shape:
        raise RuntimeError(
            f"gradient has shape {g.shape} but the output it belongs to has shape {root.shape}")
    return g


def _run(roots: Sequence[Tensor], seeds: Sequence[Tensor], *, retain_graph: bool,
         create_graph: bool, inputs: Sequence[Tensor] | None = None) -> dict[Tensor, Tensor] | None:
    """Propagate ``seeds`` from ``roots`` back through the graph.

    With ``inputs`` None, gradients accumulate into the leaves' ``.grad``; otherwise the total
    gradient of each input is returned (keyed by the input) and ``.grad`` is left alone.
    """
    if trace.on:  # (a traced backward() runs with the trace paused: a replay makes it again)
        trace.refuse("the function runs ag.grad (a backward pass other than its result's "
                     "backward())")
    r = roots[0] if len(roots) == 1 else None
    if r is not None and r._op is not None and all(p._op is None for p in r._parents):
        order = [*dict.fromkeys(r._parents), r]  # one node over leaves (a compiled step's)
    else:
        order = topological_order(roots)
    wanted: set[Tensor] | None = None
    reaches: set = set()
    captured: dict[Tensor, Tensor] = {}
    if inputs is not None:
        wanted = set(inputs)
        reaches = _reaching(order, wanted)

    grads: dict[Tensor, Tensor] = {}
    for r, s in zip(roots, seeds):
        grads[r] = grads[r] + s if r in grads else s

    ran: list[Tensor] = []  # nodes whose backward ran, to free when retain_graph is False
    prev_mode = state.grad_enabled
    state.grad_enabled = create_graph
    # inf·0 and the like in a backward step are no surprise worth a numpy warning (PyTorch
    # gives none); detect_anomaly() is the tool that finds where a NaN came from
    errstate = np.errstate(all="ignore")
    errstate.__enter__()
    try:
        for t in reversed(order):
            g = grads.pop(t, None)
            if g is None:
                continue
            if t._hooks:
                g = _run_hooks(t, g)
            leaf = t._op is None
            if wanted is not None:
                if t in wanted:
                    captured[t] = g
                if leaf or t not in reaches:
                    continue
            elif leaf:
                if t._requires_grad:
                    _accumulate(t, g, create_graph)
                continue
            if t._retains_grad and wanted is None:
                _accumulate(t, g, create_graph)
            backward = t._backward
            if backward is not None and t._saved_version == clock.now and not anywhere.anomaly:
                # nothing written in place since the node was recorded, no anomaly mode:
                # local_gradients comes down to this call
                parents = t._pn  # (Tensor._parents, without the property's call)
                if parents is None:
                    parents = (t._p1,) if t._p2 is None else (t._p1, t._p2)
                parent_grads = backward(g, t)
            else:
                parents, parent_grads = local_gradients(t, g)
            send_to_parents(grads, parents, parent_grads)
            if not retain_graph:
                ran.append(t)
    finally:
        state.grad_enabled = prev_mode
        errstate.__exit__(None, None, None)
        if ran:  # drop the backward functions, keep the graph's shape (see freed.py)
            keep_shape(ran)
    return captured if wanted is not None else None


def _reaching(order: list, wanted: set) -> set:
    """The nodes from which some wanted input can be reached (the ones to run)."""
    reaches: set = set()
    for t in order:
        if t in wanted or any(p in reaches for p in _tensor_parents(t)):
            reaches.add(t)
    return reaches


def _run_hooks(t: Tensor, g: Tensor) -> Tensor:
    """Pass ``g`` through ``t``'s hooks; a hook's non-None result (a Tensor or an ndarray of
    the same shape and dtype, as PyTorch checks) replaces it."""
    for hook in tuple(t._hooks.values()):  # type: ignore[union-attr]  # only called when set
        replaced = hook(g)
        if replaced is None:
            continue
        name = getattr(hook, "__name__", type(hook).__name__)
        if isinstance(replaced, np.ndarray):
            replaced = _wrap(replaced)
        elif not isinstance(replaced, Tensor):
            raise TypeError(f"hook '{name}' returned a {type(replaced).__name__}; a hook must "
                            f"return None, a Tensor or an ndarray (the new gradient)")
        if replaced._data.shape != g._data.shape:
            raise RuntimeError(f"hook '{name}' has changed the size of value: the gradient has "
                               f"shape {g.shape}, the hook returned shape {replaced.shape}")
        if replaced._data.dtype != g._data.dtype:
            raise RuntimeError(f"hook '{name}' has changed the type of value (was "
                               f"{g.dtype} got {replaced.dtype})")
        g = replaced
    return g


def local_gradients(t: Tensor, g: Tensor) -> tuple[tuple, tuple]:
    """Run node ``t``'s backward on its gradient ``g``: ``(parents, one gradient each)``.

    First the in-place guard: if anything was written in place since ``t`` was recorded, its
    saved tensors are checked, and parents that an in-place op rebased since are replaced by
    the twins that hold the nodes they had (``versions.parent_at``). Anomaly mode checks the
    gradients for NaN/Inf and names the op.
    """
    backward = t._backward
    if backward is None:
        raise RuntimeError(_FREED.format(name=t._op.node))  # type: ignore[union-attr]
    parents = t._parents
    time = t._saved_version
    if time != clock.now:  # something was written in place since
        check_saved(t)
        if clock.rebased > time:  # an in-place op gave some tensor a new node since
            parents = tuple(parent_at(p, time) for p in parents)
    if anywhere.anomaly and state.anomaly:
        from .anomaly import checked_backward
        return parents, checked_backward(t._grad_fn, g, t)
    return parents, backward(g, t)


def send_to_parents(grads: dict, parents: tuple, parent_grads: tuple) -> None:
    """Add each parent's gradient into ``grads`` (keyed by the parent), summed back to the
    parent's shape where broadcasting stretched it and cast to its dtype."""
    for p, pg in zip(parents, parent_grads):
        if pg is None or not p._requires_grad:
            continue
        pd, gd = p._data, pg._data
        if gd.shape != pd.shape:
            pg = sum_to_shape(pg, pd.shape)
            gd = pg._data
        if gd.dtype is not pd.dtype and gd.dtype != pd.dtype:
            if pg.dtype.kind == "c" and p.dtype.kind != "c":
                raise RuntimeError(COMPLEX_GRADIENT.format(dtype=p.dtype))
            pg = astype(pg, pd.dtype)
            gd = pg._data
        prev = grads.get(p)
        if prev is None:
            grads[p] = pg
        elif recording() or prev._data.__class__ is not gd.__class__:
            grads[p] = prev + pg  # recorded (create_graph), or two kinds of array: the op
        else:  # the arrays added as the add op would, without its dispatch (a new array)
            total = prev._data + gd
            if total.__class__ is not np.ndarray and isinstance(total, np.generic):
                total = np.asarray(total)  # numpy gives a scalar for two 0-d arrays
            grads[p] = _wrap(total)


def _accumulate(t: Tensor, g: Tensor, create_graph: bool) -> None:
    """Add ``g`` into ``t.grad``; a fresh, writable array unless the graph is recorded."""
    if create_graph:
        t.grad = g if t.grad is None else t.grad + g
        return
    data = g._data
    if type(data) is not np.ndarray:  # another backend's arrays: replaced, never written into
        t.grad = g if t.grad is None else _wrap(t.grad._data + data)
        return
    accumulate_array(t, data)


def accumulate_array(t: Tensor, data: np.ndarray) -> None:
    """Add the numpy gradient ``data`` into ``t.grad`` (not recorded)."""
    if t.grad is None:
        # copy read-only gradients (broadcast views) and slices that would pin a larger array;
        # a same-size view (a transpose) is kept as it is
        base = data.base
        if not data.flags.writeable or (base is not None and getattr(base, "nbytes", 0) >
                                        data.nbytes):
            data = data.copy()
        t.grad = _wrap(data)
    else:
        t.grad = _wrap(t.grad._data + data)


def backward(root: Tensor, gradient=None, retain_graph: bool | None = None,
             create_graph: bool = False) -> None:
    """Accumulate d(root)/d(leaf) into every leaf's ``.grad`` (see ``Tensor.backward``)."""
    if not root._requires_grad:
        raise RuntimeError("element 0 of tensors does not require grad and does not have a "
                           "grad_fn: nothing to differentiate")
    if retain_graph is None:
        retain_graph = create_graph
    seed = _seed(root, gradient)
    if trace.on and trace.event("backward", root, gradient, retain_graph, create_graph):
        thread = trace.paused()  # ag.compile replays it as one step: its inner ops unseen
        try:
            _run([root], [seed], retain_graph=retain_graph, create_graph=create_graph)
        finally:
            trace.resume(thread)
        return
    _run([root], [seed], retain_graph=retain_graph, create_graph=create_graph)


def _tensor_list(xs, what: str) -> list:
    """``xs`` (a Tensor or a sequence of Tensors) as a list; TypeError naming anything else."""
    items = [xs] if isinstance(xs, Tensor) else list(xs) if isinstance(xs, (list, tuple)) \
        else [xs]
    for x in items:
        if not isinstance(x, Tensor):
            raise TypeError(f"grad: {what} must be Tensors, got {type(x).__name__} (pass a "
                            f"Tensor or a sequence of Tensors)")
    return items


def grad(outputs: Tensor | Sequence[Tensor], inputs: Tensor | Sequence[Tensor],
         grad_outputs: Any = None, retain_graph: bool | None = None,
         create_graph: bool = False, allow_unused: bool = False) -> tuple[Tensor | None, ...]:
    """Gradients of ``outputs`` with respect to ``inputs``, as ``torch.autograd.grad``.

    Parameters
    ----------
    outputs : Tensor or sequence of Tensors
    inputs : Tensor or sequence of Tensors
    grad_outputs : the gradients of some scalar with respect to each output (ones for
        single-element outputs when omitted)
    retain_graph : keep the graph for another pass (default: ``create_graph``)
    create_graph : record the backward pass so the result can be differentiated again
    allow_unused : return None for an input the outputs do not depend on, instead of raising

    Returns
    -------
    tuple of Tensors (or None for unused inputs), one per input; ``.grad`` is left untouched.

    Examples
    --------
    >>> x = ag.tensor(3.0, requires_grad=True)
    >>> (dx,) = ag.grad(x ** 3, x, create_graph=True)   # 3x² = 27
    >>> ag.grad(dx, x)                                  # 6x = 18
    (Tensor(18.),)
    """
    outputs = _tensor_list(outputs, "outputs")
    inputs = _tensor_list(inputs, "inputs")
    if grad_outputs is None or isinstance(grad_outputs, Tensor):
        grad_outputs = [grad_outputs] * len(outputs)
    if len(grad_outputs) != len(outputs):
        raise ValueError(f"grad: {len(grad_outputs)} grad_outputs for {len(outputs)} outputs")
    for i, t in enumerate(inputs):
        if not isinstance(t, Tensor) or not t._requires_grad:
            raise RuntimeError(f"grad: input {i} does not require grad")
    roots, seeds = [], []
    for o, go in zip(outputs, grad_outputs):
        if not o._requires_grad:
            if allow_unused:
                continue
            raise RuntimeError("grad: an output does not require grad (it does not depend on "
                               "any input); pass allow_unused=True to get None")
        roots.append(o)
        seeds.append(_seed(o, go))
    if retain_graph is None:
        retain_graph = create_graph
    captured = _run(roots, seeds, retain_graph=retain_graph, create_graph=create_graph,
                    inputs=inputs) if roots else None
    captured = captured or {}
    result = []
    for i, t in enumerate(inputs):
        g = captured.get(t)
        if g is None and not allow_unused:
            raise RuntimeError(
                f"grad: input {i} was not used in the graph of the outputs; "
                "pass allow_unused=True to get None for it")
        if g is not None and not create_graph:
            g = g.detach()
        result.append(g)
    return tuple(result)
