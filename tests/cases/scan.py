"""Cases of products, running sums and products, differences and sorting
(``autograd/ops/scan.py``): every axis, keepdims both ways, and inputs holding zeros (where
the gradients of ``prod`` and ``cumprod`` must not divide by them)."""

import numpy as np

import autograd as ag
from tests.op_cases import T, U, distinct


def with_zeros(*shape, at):
    """Uniform values in [0.5, 1.5) with exact zeros at the flat positions ``at``."""
    def make(r):
        x = r.uniform(0.5, 1.5, shape)
        x.reshape(-1)[list(at)] = 0.0
        return (ag.Tensor(x, requires_grad=True),)
    return make


def reduction(fn, make=T):
    cases = []
    for shape in ((5,), (3, 4), (2, 3, 4)):
        axes = [None] + list(range(-len(shape), len(shape))) + ([(0, 2)] if len(shape) > 2 else [])
        for axis in axes:
            for keep in (False, True):
                cases.append((lambda x, a=axis, k=keep: fn(x, axis=a, keepdims=k),
                              lambda r, s=shape: (make(r, *s),)))
    return cases


def along_axes(fn, make=T):
    return [(lambda x, a=a: fn(x, axis=a), lambda r, s=s: (make(r, *s),))
            for s, a in [((5,), 0), ((3, 4), 0), ((3, 4), -1), ((3, 4), None), ((2, 3, 4), 1),
                         ((), None)]]


def _uniform(r, *shape):
    return U(r, *shape, low=0.5, high=1.5)


CASES = {
    "prod": [
        (lambda x: x.prod(axis=1), with_zeros(3, 4, at=[1, 4, 5])),  # one row with two zeros
        (lambda x: ag.prod(x * x), with_zeros(5, at=[2])),           # one zero: Π of the others
        (lambda x: x.prod(axis=(0, 2), keepdims=True), with_zeros(2, 3, 2, at=[0, 7])),
    ] + reduction(ag.prod, _uniform) + [
        (lambda x: ag.prod(x, axis=0) * x, with_zeros(3, 2, at=[0, 2, 4])),  # a column of zeros
        (lambda x: ag.prod(x), with_zeros(4, at=[0, 3])),                    # two zeros: all 0
        (lambda x: np.prod(x, axis=-1), lambda r: (T(r, 2, 3),)),
    ],
    "cumsum": along_axes(ag.cumsum) + [
        (lambda x: x.cumsum(1) * x, lambda r: (T(r, 2, 3),)),
        (lambda x: np.cumsum(x, axis=0), lambda r: (T(r, 3, 2),)),
    ],
    "cumprod": [
        (lambda x: ag.cumprod(x, axis=-1), with_zeros(2, 4, at=[1, 6])),
        (lambda x: ag.cumprod(x), with_zeros(5, at=[0, 3])),   # zeros first and later
        (lambda x: ag.cumprod(x, 0), with_zeros(4, 3, at=[3, 11])),
    ] + along_axes(ag.cumprod, _uniform) + [
        (lambda x: x.cumprod(axis=1) * x, lambda r: (T(r, 2, 3),)),
        (lambda x: ag.cumprod(x), with_zeros(4, at=[3])),    # the last one zero
    ],
    "diff": [
        (ag.diff, lambda r: (T(r, 5),)),
        (lambda x: ag.diff(x, n=2, axis=0), lambda r: (T(r, 4, 3),)),
        (lambda x: ag.diff(x, axis=1), lambda r: (T(r, 2, 4, 2),)),
        (lambda x: x.diff(n=3), lambda r: (T(r, 2, 5),)),
        (lambda x: ag.diff(x * x, prepend=0.5, append=-1.0), lambda r: (T(r, 2, 3),)),
        (lambda x, p: ag.diff(x, axis=0, prepend=p), lambda r: (T(r, 3, 2), T(r, 1, 2))),
        (lambda x: ag.diff(x, n=0) * x, lambda r: (T(r, 3),)),
    ],
    "gradient": [
        (ag.gradient, lambda r: (T(r, 6),)),
        (lambda f: ag.gradient(f, 0.5, edge_order=2), lambda r: (T(r, 5),)),
        (ag.gradient, lambda r: (T(r, 3, 4),)),  # one tensor per axis
        (lambda f: ag.gradient(f, np.array([0.0, 0.3, 1.0, 1.2, 2.0])), lambda r: (T(r, 5),)),
        (lambda f: ag.gradient(f, [0.0, 0.5, 1.5, 1.7], axis=1, edge_order=2),
         lambda r: (T(r, 2, 4),)),
        (lambda f: ag.gradient(f, 2.0, 0.5, axis=(1, 0)), lambda r: (T(r, 3, 3),)),
    ],
    "sort": [
        (ag.sort, lambda r: (distinct(r, 6),)),
        (lambda x: ag.sort(x, axis=0) * x, lambda r: (distinct(r, 3, 4),)),
        (lambda x: ag.sort(x * x, axis=None), lambda r: (distinct(r, 2, 3),)),
        (lambda x: np.sort(x, axis=1), lambda r: (distinct(r, 2, 3, 4),)),
        (lambda x: ag.sort(x)[..., -1], lambda r: (distinct(r, 3, 4),)),
    ],
    "partition": [
        (lambda x: ag.partition(x, 2), lambda r: (distinct(r, 6),)),
        (lambda x: ag.partition(x, 1, axis=0)[1] * 2, lambda r: (distinct(r, 4, 3),)),
        (lambda x: np.partition(x, (0, 3)), lambda r: (distinct(r, 2, 5),)),
    ],
}
