"""Every registered op is gradchecked (float64 central differences) over several shapes, each
reduction axis, keepdims both ways and broadcasting: the cases are the one table in
``op_cases``. A test walks the registry so that no op can exist without a case."""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag
from autograd.ops import OPS
from tests.op_cases import ALL, CASES, differentiable_ops, inputs

rng = np.random.default_rng(1234)


def T(*shape):
    return ag.tensor(rng.standard_normal(shape), dtype=np.float64, requires_grad=True)


def test_astype_round_trip_through_float32_keeps_the_gradient():
    x = T(3)
    assert ag.gradcheck(lambda t: ag.astype(t * t, np.float32).astype(np.float64), (x,),
                        eps=1e-3, atol=1e-3)
    y = ag.astype(x, np.float32)
    assert y.dtype == np.float32
    y.sum().backward()
    assert x.grad.dtype == np.float64


def test_every_registered_op_has_gradient_cases():
    # autograd's ops and nn's fused ones (op_cases imports nn), all in one registry
    assert {"add", "matmul", "linear", "cross_entropy"} <= differentiable_ops()
    missing = sorted(differentiable_ops() - set(CASES))
    assert not missing, f"ops without a gradcheck case: {missing}"
    stale = sorted(set(CASES) - set(OPS))
    assert not stale, f"cases for ops that are not registered: {stale}"


def test_ops_without_a_derivative_give_results_that_do_not_require_grad():
    import inspect

    for name, d in OPS.items():
        if not d.differentiable:
            required = [p for p in inspect.signature(d.fn).parameters.values()
                        if p.default is p.empty and p.kind == p.POSITIONAL_OR_KEYWORD]
            out = d.fn(*(T(3) for _ in required))
            assert not out.requires_grad and out.grad_fn is None, name


@pytest.mark.parametrize("case", ALL, ids=lambda c: c.id)
def test_gradcheck(case):
    assert ag.gradcheck(case.fn, inputs(case))


def test_gradcheck_catches_a_wrong_backward():

    def bad_sin(a):
        return ag.record(np.sin(a.data), (a,), "SinBackward", lambda g, out: (g * ag.sin(a),))

    x = T(4)
    assert ag.gradcheck(ag.sin, (x,))
    with pytest.raises(ag.GradcheckError, match=r"input 0 .*analytic .*numeric"):
        ag.gradcheck(lambda t: bad_sin(t).sum(), (x,))
    assert ag.gradcheck(lambda t: bad_sin(t).sum(), (x,), raise_exception=False) is False


def test_gradcheck_report_names_the_element():
    def off_by_one_element(a):

        def backward(g, out):
            bump = np.zeros(a.shape)
            bump[1, 2] = 1.0
            return (g + bump,)

        return ag.record(a.data.copy(), (a,), "BadBackward", backward)

    with pytest.raises(ag.GradcheckError, match=r"index \(1, 2\)"):
        ag.gradcheck(off_by_one_element, (T(3, 4),))


@pytest.mark.parametrize("case", ALL, ids=lambda c: c.id)
def test_gradients_are_numpy_arrays_not_scalars(case):
    # numpy gives scalars for 0-d results; a gradient computed on the arrays must still be a
    # Tensor over an ndarray (the fast paths test ``type(data) is np.ndarray``)
    xs = inputs(case)
    outs = case.fn(*xs)
    outs = [o for o in (outs if isinstance(outs, tuple) else (outs,))
            if isinstance(o, ag.Tensor) and o.requires_grad]
    wrt = [x for x in xs if isinstance(x, ag.Tensor) and x.requires_grad]
    if not outs or not wrt:
        return
    total = sum(o.sum() for o in outs)
    for g in ag.grad(total, wrt, allow_unused=True):
        assert g is None or type(g.data) is np.ndarray, case.id


@pytest.mark.parametrize("fn", [lambda x: x * 2.0, lambda x: 1.0 - x * x, lambda x: x / 3.0,
                                lambda x: 3.0 / x, lambda x: -x, ag.exp, ag.log, ag.sqrt,
                                ag.tanh, ag.sigmoid, ag.relu])
def test_gradients_of_0d_tensors_are_0d_arrays(fn):
    x = ag.tensor(0.7, dtype=np.float64, requires_grad=True)
    fn(x).backward()
    assert type(x.grad.data) is np.ndarray and x.grad.shape == ()
