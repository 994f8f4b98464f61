"""What a graph keeps after ``backward()``: its shape, not its arrays.

A backward pass without ``retain_graph`` drops every node's backward function (and with it
whatever the function kept for the pass: saved inputs, masks, contexts), so a second pass
raises. The graph's shape stays, as in PyTorch: each node keeps its op name and its parents,
so ``ag.draw(loss)`` after ``loss.backward()`` shows every op, and ``grad_fn`` and
``next_functions`` still walk the graph.

The parents would keep every intermediate array alive as long as the output lives, so each
parent with more than ``TINY`` (64) elements is replaced by a ``FreedValue``: its op, its own
(already replaced) parents, its shape and dtype, in about a hundred bytes. The intermediate
``Tensor`` itself is not touched: code that holds it still has its data. Kept as they are:
leaves that require grad (the parameters, which show their gradients), tensors of at most
``TINY`` elements (so a small network keeps every value), and nodes that this pass did not run
(their graph is still usable).

Why no statistics (mean, std) of the freed arrays: backward runs in every training step, and
two numpy reductions per intermediate cost about 15% of a step of a small MLP (64-128-64-10,
batch 32); the objects alone cost about 3%.
"""

from __future__ import annotations

import math

from ._tensor import Tensor
from .summary import TINY, Summary

__all__ = ["FreedValue", "keep_shape"]


class FreedValue:
    """A value of the graph whose array backward freed: its op, its parents, a summary.

    It answers what drawing and graph walks ask (``grad_fn``, ``is_leaf``, ``shape``,
    ``dtype``); its array is gone, so it has no ``data``.

    Examples
    --------
    >>> x, w = ag.randn(64, 100), ag.randn(100, 128, requires_grad=True)
    >>> h = (x @ w).tanh()              # (64, 128): too big to keep after backward
    >>> loss = h.sum()
    >>> loss.backward()
    >>> p = loss.grad_fn.parents[0]     # h, freed: only its summary is left
    >>> p, p.grad_fn.name
    (<FreedValue (64, 128) float32 TanhBackward>, 'TanhBackward')
    """

    __slots__ = ("_op", "_pn", "_requires_grad", "_node", "shape", "dtype",
                 "grad_summary", "__weakref__")
    # what the engine and Node read from a recorded tensor: nothing left to run; its parents
    # always as the tuple _pn (Tensor._parents)
    _p1 = _p2 = None
    _backward = None
    _hooks = None
    _retains_grad = False
    _saved_version = 0
    grad = None

    def __init__(self, t, parents: tuple) -> None:
        self._op = t._op
        self._pn = tuple(parents)
        self._requires_grad = t._requires_grad
        self.shape = t._data.shape
        self.dtype = t.dtype
        self.grad_summary = None if t.grad is None else Summary.of(t.grad._data)

    @property
    def _parents(self) -> tuple:
        return self._pn

    @property
    def summary(self) -> Summary:
        """What is left to say about the array: its shape and dtype."""
        return Summary.freed(self.shape, self.dtype)

    @property
    def is_leaf(self) -> bool:
        return self._op is None

    @property
    def requires_grad(self) -> bool:
        return self._requires_grad

    grad_fn = Tensor.grad_fn  # the same Node views as a Tensor's (made on demand, kept)
    _grad_fn = Tensor._grad_fn

    @property
    def ndim(self) -> int:
        return len(self.shape)

    @property
    def size(self) -> int:
        return math.prod(self.shape)

    def __repr__(self) -> str:
        op = f" {self._op.node}" if self._op is not None else ""
        return f"<FreedValue {self.summary.header()}{op}>"


def keep_shape(ran: list) -> None:
    """Free what backward needed of the nodes in ``ran`` and keep the graph's shape.

    ``ran`` holds the nodes whose backward function just ran, consumers before their parents
    (the order the engine walks). Each loses its backward function (and the values it kept
    for it, ``_ctx``), and each of its parents
    that is not a parameter, tiny, or a node that did not run is replaced by a
    ``FreedValue``, shared by all its consumers.
    """
    done: set | None = None  # the ids of the nodes in ran, gathered when first asked
    stand_in: dict[int, object] = {}
    get = stand_in.get
    for t in reversed(ran):  # parents before their consumers: a parent is rewritten first
        t._backward = t._ctx = None  # (_ctx: what an op's backward reads, set by some ops)
        ps = t._pn  # (Tensor._parents, without the property's call)
        if ps is None:
            ps = (t._p1,) if t._p2 is None else (t._p1, t._p2)
        new = None
        for i, p in enumerate(ps):
            if p._requires_grad and p._op is None:  # a parameter (a leaf that trains) stays
                continue
            if not p._data.size > TINY:  # small values stay (a small network keeps them all;
                continue                   # a lazy array of unknown size, nan, stays too)
            s = get(id(p))
            if s is None:
                s = p
                if p._op is not None:
                    if done is None:
                        done = set(map(id, ran))
                    if id(p) in done:
                        s = _freed(p, p._parents)
                elif not p._requires_grad:
                    s = _freed(p, ())
                stand_in[id(p)] = s
            if s is not p:
                if new is None:
                    new = list(ps)
                new[i] = s
        if new is not None:
            t._parents = tuple(new)


_new = object.__new__


def _freed(t, parents: tuple) -> FreedValue:
    # FreedValue(t, parents) without the call overhead: backward makes one per intermediate
    f = _new(FreedValue)
    f._op = t._op
    f._pn = parents
    f._requires_grad = t._requires_grad
    f.shape = t._data.shape
    f.dtype = t.dtype  # numpy's dtype, whatever the backend
    f.grad_summary = None if t.grad is None else Summary.of(t.grad._data)
    return f
