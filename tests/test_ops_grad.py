"""Every registered op is gradchecked (float64 central differences) over several shapes, each
reduction axis, keepdims both ways and broadcasting. A test walks the registry so that no op can
exist without a case here."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

import autograd as ag
from autograd.ops import OPS

rng = np.random.default_rng(1234)


def T(*shape, low=None, high=None):
    """A float64 leaf that requires grad; values bounded away from kinks when asked."""
    if low is not None:
        data = rng.uniform(low, high, size=shape)
    else:
        data = rng.standard_normal(shape)
    return ag.tensor(data, dtype=np.float64, requires_grad=True)


def distinct(*shape):
    """Values with no ties and no two within 0.1 of each other (safe for max/min/relu/abs)."""
    n = int(np.prod(shape)) if shape else 1
    vals = (rng.permutation(n) - n / 2 + 0.25) * 0.37
    return ag.tensor(vals.reshape(shape), dtype=np.float64, requires_grad=True)


SHAPES = [(), (5,), (3, 4), (2, 3, 4)]
BROADCAST = [((3, 4), (4,)), ((2, 1, 4), (3, 1)), ((3, 1), (1, 4)), ((), (2, 3)), ((4,), ())]


def unary(fn, make=T):
    return [(fn, (make(*s),)) for s in SHAPES]


def binary(fn, make_a=T, make_b=T):
    return [(fn, (make_a(*sa), make_b(*sb))) for sa, sb in [((3, 4), (3, 4))] + BROADCAST]


def reduction(fn, make=T, shapes=((5,), (3, 4), (2, 3, 4))):
    cases = []
    for s in shapes:
        axes = [None] + list(range(-len(s), len(s)))
        if len(s) > 2:
            axes.append((0, 2))
        for axis, keep in itertools.product(axes, (False, True)):
            cases.append((lambda x, a=axis, k=keep: fn(x, axis=a, keepdims=k), (make(*s),)))
    return cases


def positive(*shape):
    return T(*shape, low=0.5, high=2.0)


CASES: dict[str, list] = {
    "add": binary(ag.add),
    "sub": binary(ag.sub),
    "mul": binary(ag.mul),
    "div": binary(ag.div, T, positive),
    "neg": unary(ag.neg),
    "pow": binary(ag.pow, positive, T) + [(lambda x: x ** 3, (T(3, 4),)),
                                          (lambda x: 2.0 ** x, (T(3),))],
    "abs": unary(ag.abs, distinct),
    "exp": unary(ag.exp),
    "log": unary(ag.log, positive),
    "sqrt": unary(ag.sqrt, positive),
    "sin": unary(ag.sin),
    "cos": unary(ag.cos),
    "tanh": unary(ag.tanh),
    "sigmoid": unary(ag.sigmoid),
    "relu": unary(ag.relu, distinct),
    "maximum": binary(ag.maximum, distinct, distinct),
    "minimum": binary(ag.minimum, distinct, distinct),
    "clip": [(lambda x: ag.clip(x, -0.5, 0.6), (distinct(3, 4),)),
             (lambda x: ag.clip(x, min=0.05), (distinct(5),)),
             (lambda x: ag.clip(x, max=0.05), (distinct(2, 3),))],
    "where": [(lambda a, b: ag.where(a.data > 0, a, b), (T(3, 4), T(3, 4))),
              (lambda a, b: ag.where(a.data > 0, a, b), (T(3, 4), T(4))),
              (lambda a: ag.where(a.data > 0, a, 0.0), (T(2, 3),))],
    "astype": [(lambda x: ag.astype(x * x, np.float64), (T(3),))],
    "sum": reduction(ag.sum),
    "mean": reduction(ag.mean),
    "max": reduction(ag.max, distinct),
    "min": reduction(ag.min, distinct),
    "var": reduction(ag.var) + [(lambda x: ag.var(x, axis=1, ddof=1), (T(3, 4),))],
    "std": reduction(ag.std) + [(lambda x: ag.std(x, axis=0, ddof=1), (T(3, 4),))],
    "logsumexp": reduction(ag.logsumexp),
    "softmax": [(lambda x, a=a: ag.softmax(x, axis=a), (T(*s),))
                for s, a in [((5,), 0), ((3, 4), -1), ((3, 4), 0), ((2, 3, 4), 1)]],
    "log_softmax": [(lambda x, a=a: ag.log_softmax(x, axis=a), (T(*s),))
                    for s, a in [((5,), 0), ((3, 4), -1), ((3, 4), 0), ((2, 3, 4), 1)]],
    "reshape": [(lambda x: x.reshape(4, 3), (T(3, 4),)),
                (lambda x: x.reshape((-1,)), (T(2, 3),)),
                (lambda x: ag.reshape(x, (2, 1, 6)), (T(3, 4),))],
    "transpose": [(lambda x: x.T, (T(3, 4),)),
                  (lambda x: ag.transpose(x, (1, 2, 0)), (T(2, 3, 4),))],
    "swapaxes": [(lambda x: ag.swapaxes(x, 0, 2), (T(2, 3, 4),))],
    "expand_dims": [(lambda x: ag.expand_dims(x, 1), (T(3, 4),)),
                    (lambda x: ag.expand_dims(x, (0, -1)), (T(3),))],
    "squeeze": [(lambda x: ag.squeeze(x), (T(3, 1, 4, 1),)),
                (lambda x: ag.squeeze(x, axis=1), (T(3, 1, 4),))],
    "flatten": [(lambda x: ag.flatten(x), (T(2, 3, 4),)),
                (lambda x: ag.flatten(x, 1), (T(2, 3, 4),))],
    "broadcast_to": [(lambda x: ag.broadcast_to(x, (2, 3, 4)), (T(3, 1),)),
                     (lambda x: ag.broadcast_to(x, (5, 4)), (T(4),))],
    "concatenate": [(lambda a, b: ag.concatenate([a, b], axis=0), (T(2, 3), T(4, 3))),
                    (lambda a, b: ag.concatenate([a, b, a], axis=-1), (T(2, 3), T(2, 1)))],
    "stack": [(lambda a, b: ag.stack([a, b], axis=1), (T(2, 3), T(2, 3)))],
    "split": [(lambda x: ag.split(x, 3, axis=1)[1] * 2 + ag.split(x, [1], axis=0)[0].sum(),
               (T(2, 6),))],
    "getitem": [(lambda x: x[1], (T(3, 4),)),
                (lambda x: x[::-2, 1:3], (T(5, 4),)),
                (lambda x: x[..., None, -1], (T(2, 3, 4),)),
                (lambda x: x[np.array([0, 2, 0, 0])], (T(3, 4),)),
                (lambda x: x[[1, 1], [0, 3]], (T(3, 4),)),
                (lambda x: x[x.data > 0], (distinct(3, 4),)),
                (lambda x: x[:, np.array([3, 3, 1])], (T(2, 4),))],
    "index_add": [(lambda v: ag.ops.index_add((3, 4), (np.array([0, 2, 0]),), v), (T(3, 4),)),
                  (lambda v: ag.ops.index_add((5,), slice(1, 4), v), (T(3),))],
    "matmul": [(ag.matmul, (T(3, 4), T(4, 2))), (ag.matmul, (T(4), T(4, 2))),
               (ag.matmul, (T(3, 4), T(4))), (ag.matmul, (T(4), T(4))),
               (ag.matmul, (T(2, 3, 4), T(4, 5))), (ag.matmul, (T(2, 1, 3, 4), T(3, 4, 2)))],
    "dot": [(ag.dot, (T(4), T(4))), (ag.dot, (T(3, 4), T(4, 2))), (ag.dot, (T(), T(3)))],
    "outer": [(ag.outer, (T(3), T(4)))],
}


def test_astype_round_trip_through_float32_keeps_the_gradient():
    x = T(3)
    assert ag.gradcheck(lambda t: ag.astype(t * t, np.float32).astype(np.float64), (x,),
                        eps=1e-3, atol=1e-3)
    y = ag.astype(x, np.float32)
    assert y.dtype == np.float32
    y.sum().backward()
    assert x.grad.dtype == np.float64


def test_every_registered_op_has_gradient_cases():
    missing = sorted(set(OPS) - set(CASES))
    assert not missing, f"ops without a gradcheck case: {missing}"
    assert all(len(CASES[name]) >= 1 for name in OPS)


@pytest.mark.parametrize(
    "name,fn,inputs",
    [(name, fn, inputs) for name, cases in CASES.items() for fn, inputs in cases],
    ids=lambda v: v if isinstance(v, str) else "")
def test_gradcheck(name, fn, inputs):
    assert ag.gradcheck(fn, inputs)


def test_gradcheck_catches_a_wrong_backward():
    from autograd.tensor import record

    def bad_sin(a):
        return record(np.sin(a.data), (a,), "SinBackward", lambda g, out: (g * ag.sin(a),))

    x = T(4)
    assert ag.gradcheck(ag.sin, (x,))
    with pytest.raises(ag.GradcheckError, match=r"input 0 .*analytic .*numeric"):
        ag.gradcheck(lambda t: bad_sin(t).sum(), (x,))
    assert ag.gradcheck(lambda t: bad_sin(t).sum(), (x,), raise_exception=False) is False


def test_gradcheck_report_names_the_element():
    def off_by_one_element(a):
        from autograd.tensor import record

        def backward(g, out):
            bump = np.zeros(a.shape)
            bump[1, 2] = 1.0
            return (g + bump,)

        return record(a.data.copy(), (a,), "BadBackward", backward)

    with pytest.raises(ag.GradcheckError, match=r"index \(1, 2\)"):
        ag.gradcheck(off_by_one_element, (T(3, 4),))
