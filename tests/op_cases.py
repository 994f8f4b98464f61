"""The one table of op cases: every gradient test (first and second order, third order, the
registry walk, the hypothesis draws) reads its cases from here.

``CASES[name]`` lists ``Case``s for the op ``name`` of ``ag.OPS``: a function of Tensors and a
maker that builds its float64 inputs from a random generator. ``inputs(case)`` seeds that
generator from the case's own id, so a case's inputs do not depend on which tests ran before
it or on which xdist worker runs it. Adding an op is one declaration plus one entry here.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from typing import Callable

import numpy as np

import autograd as ag
import nn.functional as F
from autograd.ops import OPS


def T(r, *shape, low=None, away=None):
    """A float64 leaf requiring grad; ``low`` shifts values to be > low, ``away`` keeps them
    at least that far from 0 (from the kinks of abs/relu)."""
    x = np.asarray(r.standard_normal(shape), dtype=np.float64)
    if away is not None:
        x = np.sign(x) * (np.abs(x) + away)
    if low is not None:
        x = np.abs(x) + low
    return ag.Tensor(x, requires_grad=True)


def distinct(r, *shape, shift=0.0):
    """Values with no ties, 0.7 apart (for max/min/maximum); ``shift`` 0.35 gives a second
    operand that never equals the first."""
    x = r.permutation(np.arange(int(np.prod(shape)), dtype=np.float64)).reshape(shape)
    return ag.Tensor(x * 0.7 + 0.1 + shift, requires_grad=True)


def U(r, *shape, low=0.0, high=1.0):
    """A float64 leaf with uniform values in [low, high)."""
    return ag.Tensor(r.uniform(low, high, shape), requires_grad=True)


# op name -> (fn, make) pairs; make(rng) builds the inputs. Several shapes and axes per op.
_HAND = {
    "add": [
        (ag.add, lambda r: (T(r, 2, 3), T(r, 2, 3))),
        (ag.add, lambda r: (T(r, 2, 3), T(r, 3))),
        (lambda a: a + 2.0, lambda r: (T(r, 4),)),
    ],
    "sub": [
        (ag.sub, lambda r: (T(r, 2, 3), T(r, 1, 3))),
        (lambda a: 1.0 - a, lambda r: (T(r, 3),)),
    ],
    "mul": [
        (ag.mul, lambda r: (T(r, 2, 3), T(r, 2, 3))),
        (ag.mul, lambda r: (T(r, 2, 1), T(r, 3))),
        (lambda a: a * a, lambda r: (T(r, 3),)),
    ],
    "div": [
        (ag.div, lambda r: (T(r, 2, 3), T(r, 2, 3, low=0.5))),
        (ag.div, lambda r: (T(r, 3), T(r, 2, 1, low=0.5))),
    ],
    "neg": [(ag.neg, lambda r: (T(r, 2, 3),))],
    "pow": [
        (ag.pow, lambda r: (T(r, 2, 3, low=0.5), T(r, 2, 3))),
        (lambda a: a**3, lambda r: (T(r, 4),)),
        (lambda a: 2.0**a, lambda r: (T(r, 3),)),
        (ag.pow, lambda r: (T(r, 3, low=0.5), T(r, 1))),
    ],
    "abs": [(ag.abs, lambda r: (T(r, 2, 3, away=0.1),))],
    "exp": [(ag.exp, lambda r: (T(r, 2, 3),))],
    "log": [(ag.log, lambda r: (T(r, 2, 3, low=0.5),))],
    "sqrt": [(ag.sqrt, lambda r: (T(r, 2, 3, low=0.5),))],
    "sin": [(ag.sin, lambda r: (T(r, 2, 3),))],
    "cos": [(ag.cos, lambda r: (T(r, 2, 3),))],
    "tanh": [(ag.tanh, lambda r: (T(r, 2, 3),))],
    "sigmoid": [(ag.sigmoid, lambda r: (T(r, 2, 3),))],
    "relu": [(ag.relu, lambda r: (T(r, 2, 3, away=0.1),))],
    "maximum": [
        (ag.maximum, lambda r: tuple(distinct(r, 2, 6).split(2, axis=1)[:2])),
        (
            ag.maximum,
            lambda r: (
                distinct(r, 2, 3),
                ag.Tensor(r.standard_normal(3) * 0.01 + 1.05, requires_grad=True),
            ),
        ),
    ],
    "minimum": [(ag.minimum, lambda r: tuple(distinct(r, 2, 6).split(2, axis=1)[:2]))],
    "clip": [
        (
            lambda a: ag.clip(a, -0.5, 0.5),
            lambda r: (ag.Tensor(np.array([-2.0, -0.3, 0.1, 0.4, 1.3, 0.2]), requires_grad=True),),
        ),
        (
            lambda a: ag.clip(a, min=0.25),
            lambda r: (ag.Tensor(np.array([[-1.0, 0.5], [0.7, 0.1]]), requires_grad=True),),
        ),
    ],
    "where": [
        (
            lambda a, b: ag.where(np.array([[True, False, True], [False, False, True]]), a, b),
            lambda r: (T(r, 2, 3), T(r, 3)),
        ),
        (lambda a: ag.where(np.array([True, False]), a, 0.0), lambda r: (T(r, 2),)),
    ],
    "astype": [(lambda a: ag.astype(a, np.float64) * a, lambda r: (T(r, 3),))],
    "sum": [
        (ag.sum, lambda r: (T(r, 2, 3),)),
        (lambda a: a.sum(axis=0), lambda r: (T(r, 2, 3),)),
        (lambda a: a.sum(axis=(0, 2), keepdims=True), lambda r: (T(r, 2, 3, 2),)),
        (lambda a: (a * a).sum(axis=-1), lambda r: (T(r, 2, 3),)),
    ],
    "mean": [
        (lambda a: (a * a).mean(), lambda r: (T(r, 2, 3),)),
        (lambda a: (a * a).mean(axis=1, keepdims=True), lambda r: (T(r, 2, 3),)),
    ],
    "max": [
        (lambda a: a.max(), lambda r: (distinct(r, 2, 3),)),
        (lambda a: (a * a).max(axis=1), lambda r: (distinct(r, 2, 3),)),
        (lambda a: a.max(axis=0, keepdims=True) * a, lambda r: (distinct(r, 3, 2),)),
    ],
    "min": [
        (lambda a: a.min(axis=-1), lambda r: (distinct(r, 2, 3),)),
        (lambda a: (a * a).min(), lambda r: (distinct(r, 4),)),
    ],
    "var": [
        (ag.var, lambda r: (T(r, 2, 3),)),
        (lambda a: a.var(axis=0, ddof=1), lambda r: (T(r, 3, 2),)),
    ],
    "std": [
        (ag.std, lambda r: (T(r, 2, 3),)),
        (lambda a: a.std(axis=1, keepdims=True), lambda r: (T(r, 2, 3),)),
    ],
    "logsumexp": [
        (ag.logsumexp, lambda r: (T(r, 2, 3),)),
        (lambda a: a.logsumexp(axis=1), lambda r: (T(r, 2, 3),)),
        (lambda a: a.logsumexp(axis=(0, 1), keepdims=True), lambda r: (T(r, 2, 2, 2),)),
    ],
    "softmax": [
        (ag.softmax, lambda r: (T(r, 2, 3),)),
        (lambda a: ag.softmax(a, axis=0), lambda r: (T(r, 3, 2),)),
    ],
    "log_softmax": [
        (ag.log_softmax, lambda r: (T(r, 2, 3),)),
        (lambda a: ag.log_softmax(a, axis=0), lambda r: (T(r, 3, 2),)),
    ],
    "reshape": [
        (lambda a: (a * a).reshape(3, 2), lambda r: (T(r, 2, 3),)),
        (lambda a: a.reshape(-1) * a.reshape(-1), lambda r: (T(r, 2, 2),)),
    ],
    "transpose": [
        (lambda a: a.T * a.T, lambda r: (T(r, 2, 3),)),
        (lambda a: ag.transpose(a * a, (1, 2, 0)), lambda r: (T(r, 2, 3, 2),)),
    ],
    "swapaxes": [(lambda a: ag.swapaxes(a * a, 0, -1), lambda r: (T(r, 2, 1, 3),))],
    "expand_dims": [(lambda a: ag.expand_dims(a * a, 1), lambda r: (T(r, 2, 3),))],
    "squeeze": [
        (lambda a: ag.squeeze(a * a), lambda r: (T(r, 2, 1, 3),)),
        (lambda a: ag.squeeze(a * a, 1), lambda r: (T(r, 2, 1, 1),)),
    ],
    "flatten": [
        (lambda a: ag.flatten(a * a), lambda r: (T(r, 2, 3),)),
        (lambda a: ag.flatten(a * a, 1), lambda r: (T(r, 2, 2, 2),)),
    ],
    "broadcast_to": [
        (lambda a: ag.broadcast_to(a * a, (2, 3)), lambda r: (T(r, 3),)),
        (lambda a: ag.broadcast_to(a * a, (2, 2, 3)), lambda r: (T(r, 2, 1, 3),)),
    ],
    "concatenate": [
        (lambda a, b: ag.concatenate([a * b, b], axis=0), lambda r: (T(r, 2, 3), T(r, 2, 3))),
        (lambda a, b: ag.concatenate([a * a, b * b], axis=1), lambda r: (T(r, 2, 1), T(r, 2, 3))),
    ],
    "stack": [(lambda a, b: ag.stack([a * b, a], axis=1), lambda r: (T(r, 2, 3), T(r, 2, 3)))],
    "split": [
        (lambda a: tuple(p * p for p in ag.split(a, 2, axis=1)), lambda r: (T(r, 3, 4),)),
        (lambda a: tuple(p * p for p in ag.split(a, [1], axis=0)), lambda r: (T(r, 3, 2),)),
    ],
    "getitem": [
        (lambda a: (a * a)[1], lambda r: (T(r, 3, 2),)),
        (lambda a: (a * a)[:, ::2], lambda r: (T(r, 2, 3),)),
        (lambda a: (a * a)[np.array([0, 2, 0])], lambda r: (T(r, 3, 2),)),
        (lambda a: (a * a)[np.array([[True, False], [False, True]])], lambda r: (T(r, 2, 2),)),
        (lambda a: (a * a)[None, ..., 1], lambda r: (T(r, 2, 3),)),
    ],
    "index_add": [
        (lambda a: ag.ops.index_add((4,), np.array([0, 2, 0]), a * a), lambda r: (T(r, 3),)),
        (lambda a: ag.ops.index_add((3, 2), (slice(0, 2),), a * a), lambda r: (T(r, 2, 2),)),
    ],
    "matmul": [
        (ag.matmul, lambda r: (T(r, 2, 3), T(r, 3, 4))),
        (ag.matmul, lambda r: (T(r, 3), T(r, 3, 2))),
        (ag.matmul, lambda r: (T(r, 2, 3), T(r, 3))),
        (ag.matmul, lambda r: (T(r, 3), T(r, 3))),
        (ag.matmul, lambda r: (T(r, 2, 2, 3), T(r, 3, 2))),
    ],
    "dot": [(ag.dot, lambda r: (T(r, 3), T(r, 3))), (ag.dot, lambda r: (T(r, 2, 3), T(r, 3, 2)))],
    "outer": [(ag.outer, lambda r: (T(r, 3), T(r, 2)))],
}


_HAND["getitem"] += [
    (lambda a: a[[1, 1], [0, 1]], lambda r: (T(r, 3, 2),)),
    (lambda a: a[:, np.array([2, 2, 0])], lambda r: (T(r, 2, 3),)),
    (lambda a: a[a.data > 0.5], lambda r: (distinct(r, 3, 4),)),
]
_HAND["where"] += [(lambda a: ag.where(a.data > 0, a, 0.0), lambda r: (T(r, 2, 3),))]
_HAND["clip"] += [(lambda a: ag.clip(a, max=0.05), lambda r: (distinct(r, 2, 3),))]
_HAND["pow"] += [(lambda a: a**3, lambda r: (T(r, 3, 4),))]
_HAND["index_put"] = [
    (lambda x, v: ag.ops.index_put(x, 1, v), lambda r: (T(r, 3, 2), T(r, 2))),
    (
        lambda x, v: ag.ops.index_put(x * x, (slice(0, 2), np.array([1, 0])), v),
        lambda r: (T(r, 3, 2), T(r, 2)),
    ),
    (lambda x: ag.ops.index_put(x, np.array([True, False, True]), 0.5), lambda r: (T(r, 3),)),
]
_HAND["clone"] = [
    (ag.clone, lambda r: (T(r, 2, 3),)),
    (lambda a: a.clone() * a, lambda r: (T(r, 3),)),
]
_HAND["fill"] = [(lambda x, v: OPS["fill"].fn(x, v) * x, lambda r: (T(r, 2, 3), T(r)))]
_HAND["assign"] = [(lambda x, s: OPS["assign"].fn(x, s) * x, lambda r: (T(r, 2, 3), T(r, 3)))]

# nn's fused primitives, declared through autograd's public op API
_CLASSES = np.array([2, 0, 1, 2, 1])
_HAND.update(
    {
        "linear": [
            (F.linear, lambda r: (T(r, 4, 3), T(r, 2, 3), T(r, 2))),
            (F.linear, lambda r: (T(r, 3), T(r, 2, 3))),
            (F.linear, lambda r: (T(r, 2, 4, 3), T(r, 5, 3), T(r, 5))),
        ],
        "erf": [(F.erf, lambda r: (T(r, 6),)), (F.erf, lambda r: (T(r, 2, 3),))],
        "cross_entropy": [
            (lambda x, red=red: F.cross_entropy(x, _CLASSES, red), lambda r: (T(r, 5, 3),))
            for red in ("mean", "sum", "none")
        ],
        "binary_cross_entropy": [
            (
                lambda p, y, red=red: F.binary_cross_entropy(p, y, red),
                lambda r: (U(r, 2, 3, low=0.05, high=0.95), U(r, 2, 3)),
            )
            for red in ("mean", "sum", "none")
        ],
        "binary_cross_entropy_with_logits": [
            (
                lambda x, y, red=red: F.binary_cross_entropy_with_logits(x, y, red),
                lambda r: (T(r, 2, 3), U(r, 2, 3)),
            )
            for red in ("mean", "sum", "none")
        ],
    }
)

# The systematic sweep, on top of the cases above: every elementwise op over 0-d to 3-D
# shapes and broadcasting pairs, every reduction over each axis with keepdims both ways.
SHAPES = [(), (5,), (3, 4), (2, 3, 4)]
BROADCAST = [
    ((3, 4), (3, 4)),
    ((3, 4), (4,)),
    ((2, 1, 4), (3, 1)),
    ((3, 1), (1, 4)),
    ((), (2, 3)),
    ((4,), ()),
]


def _unary(fn, **kw):
    return [(fn, lambda r, s=s: (T(r, *s, **kw),)) for s in SHAPES]


def _binary(fn, a_kw=None, b_kw=None, make=T):
    return [
        (fn, lambda r, sa=sa, sb=sb: (make(r, *sa, **(a_kw or {})), make(r, *sb, **(b_kw or {}))))
        for sa, sb in BROADCAST
    ]


def _reduction(fn, make=T):
    cases = []
    for shape in ((5,), (3, 4), (2, 3, 4)):
        axes = [None] + list(range(-len(shape), len(shape))) + ([(0, 2)] if len(shape) > 2 else [])
        for axis in axes:
            for keep in (False, True):
                cases.append(
                    (
                        lambda x, a=axis, k=keep: fn(x, axis=a, keepdims=k),
                        lambda r, s=shape: (make(r, *s),),
                    )
                )
    return cases


def _along_axes(fn):
    return [
        (lambda x, a=a: fn(x, axis=a), lambda r, s=s: (T(r, *s),))
        for s, a in [((5,), 0), ((3, 4), -1), ((3, 4), 0), ((2, 3, 4), 1)]
    ]


_SWEEP = {
    **{name: _unary(getattr(ag, name)) for name in ("neg", "exp", "sin", "cos", "tanh", "sigmoid")},
    "log": _unary(ag.log, low=0.5),
    "sqrt": _unary(ag.sqrt, low=0.5),
    "abs": _unary(ag.abs, away=0.1),
    "relu": _unary(ag.relu, away=0.1),
    "add": _binary(ag.add),
    "sub": _binary(ag.sub),
    "mul": _binary(ag.mul),
    "div": _binary(ag.div, b_kw={"low": 0.5}),
    "pow": _binary(ag.pow, a_kw={"low": 0.5}),
    "maximum": _binary(ag.maximum, b_kw={"shift": 0.35}, make=distinct),
    "minimum": _binary(ag.minimum, b_kw={"shift": 0.35}, make=distinct),
    "sum": _reduction(ag.sum),
    "mean": _reduction(ag.mean),
    "var": _reduction(ag.var),
    "std": _reduction(ag.std),
    "logsumexp": _reduction(ag.logsumexp),
    "max": _reduction(ag.max, distinct),
    "min": _reduction(ag.min, distinct),
    "softmax": _along_axes(ag.softmax),
    "log_softmax": _along_axes(ag.log_softmax),
}


def _family_cases() -> dict[str, list]:
    """The entries of every module in ``tests/cases/`` (one per op family)."""
    import importlib
    import pkgutil

    import tests.cases

    merged: dict[str, list] = {}
    for m in sorted(pkgutil.iter_modules(tests.cases.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"tests.cases.{m.name}")
        for name, pairs in getattr(module, "CASES", {}).items():
            merged.setdefault(name, []).extend(pairs)
    return merged


@dataclass(frozen=True)
class Case:
    """One gradient case of op ``op``: ``fn(*make(rng))`` is checked."""

    op: str
    index: int
    fn: Callable
    make: Callable

    @property
    def id(self) -> str:
        return f"{self.op}-{self.index}"


def _table() -> dict[str, list[Case]]:
    table: dict[str, list[Case]] = {}
    family = _family_cases()
    for name in sorted(set(_HAND) | set(_SWEEP) | set(family)):
        pairs = _HAND.get(name, []) + _SWEEP.get(name, []) + family.get(name, [])
        table[name] = [Case(name, i, fn, make) for i, (fn, make) in enumerate(pairs)]
    return table


CASES: dict[str, list[Case]] = _table()
ALL: list[Case] = [c for cases in CASES.values() for c in cases]


def inputs(case: Case, seed: int | None = None) -> tuple:
    """The case's inputs, from a generator seeded by its own id (or by ``seed``)."""
    r = np.random.default_rng(zlib.crc32(case.id.encode()) if seed is None else seed)
    return case.make(r)


def differentiable_ops() -> set[str]:
    """Every differentiable op in the registry (autograd's and nn's)."""
    return {name for name, d in OPS.items() if d.differentiable}
