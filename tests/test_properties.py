"""Property-based tests: hypothesis generates shapes, axes and compositions of ops."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import autograd as ag
from tests.op_cases import ALL, inputs

FAST = settings(max_examples=25, deadline=None)


def leaf(shape, seed):
    data = np.random.default_rng(seed).uniform(0.5, 1.5, size=shape)
    return ag.tensor(data, dtype=np.float64, requires_grad=True)


@FAST
@given(shapes=hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=3, max_side=3),
       op=st.sampled_from([ag.add, ag.sub, ag.mul, ag.div, ag.pow]),
       seed=st.integers(0, 2**16))
def test_binary_ops_broadcast_and_gradients_keep_input_shapes(shapes, op, seed):
    (sa, sb), out_shape = shapes.input_shapes, shapes.result_shape
    a, b = leaf(sa, seed), leaf(sb, seed + 1)
    out = op(a, b)
    assert out.shape == out_shape
    assert ag.gradcheck(op, (a, b))
    out.sum().backward()
    assert a.grad.shape == sa and b.grad.shape == sb


@FAST
@given(shape=hnp.array_shapes(min_dims=1, max_dims=3, max_side=4),
       op=st.sampled_from(["sum", "mean", "var", "logsumexp"]),
       keepdims=st.booleans(), data=st.data(), seed=st.integers(0, 2**16))
def test_reductions_over_any_axis(shape, op, keepdims, data, seed):
    axis = data.draw(st.one_of(st.none(), st.integers(-len(shape), len(shape) - 1)))
    x = leaf(shape, seed)
    fn = getattr(ag, op)
    out = fn(x, axis=axis, keepdims=keepdims)
    if op != "logsumexp":
        expect = getattr(np, op)(x.data, axis=axis, keepdims=keepdims)
        np.testing.assert_allclose(out.data, expect, rtol=1e-10, atol=1e-12)
    assert ag.gradcheck(lambda t: fn(t, axis=axis, keepdims=keepdims), (x,))


UNARY = {
    "exp": (ag.exp, np.exp), "tanh": (ag.tanh, np.tanh), "sin": (ag.sin, np.sin),
    "sigmoid": (ag.sigmoid, lambda v: 1 / (1 + np.exp(-v))), "log": (ag.log, np.log),
    "sqrt": (ag.sqrt, np.sqrt), "neg": (ag.neg, np.negative),
    "square": (lambda t: t * t, np.square), "cos": (ag.cos, np.cos),
}


@FAST
@given(names=st.lists(st.sampled_from(sorted(UNARY)), min_size=1, max_size=6),
       shape=hnp.array_shapes(min_dims=0, max_dims=2, max_side=3), seed=st.integers(0, 2**16))
def test_compositions_match_numpy_and_gradcheck(names, shape, seed):
    def build(t, unwrap):
        for n in names:
            if n in ("log", "sqrt"):  # keep the domain positive
                t = t * t + 0.5
            if n == "exp":  # keep exp(exp(...)) within float range
                t = ag.tanh(t) if unwrap else np.tanh(t)
            t = UNARY[n][0](t) if unwrap else UNARY[n][1](t)
        return t

    x = leaf(shape, seed)
    got = build(x, True)
    np.testing.assert_allclose(got.data, build(x.data, False), rtol=1e-10)
    assert ag.gradcheck(lambda t: build(t, True), (x,))


@FAST
@given(shape=hnp.array_shapes(min_dims=2, max_dims=3, max_side=4), seed=st.integers(0, 2**16))
def test_movement_ops_round_trip_and_gradcheck(shape, seed):
    x = leaf(shape, seed)
    perm = tuple(np.random.default_rng(seed).permutation(len(shape)))
    y = ag.transpose(x, perm).reshape(-1)
    np.testing.assert_array_equal(y.data, np.transpose(x.data, perm).reshape(-1))
    assert ag.gradcheck(lambda t: ag.transpose(t, perm).reshape(-1)[::2] * 3.0, (x,))


@FAST
@given(m=st.integers(1, 4), k=st.integers(1, 4), n=st.integers(1, 4),
       batch=hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=2, max_side=3),
       seed=st.integers(0, 2**16))
def test_batched_matmul_with_broadcasting(m, k, n, batch, seed):
    (ba, bb) = batch.input_shapes
    a, b = leaf(ba + (m, k), seed), leaf(bb + (k, n), seed + 1)
    out = a @ b
    np.testing.assert_allclose(out.data, np.matmul(a.data, b.data))
    assert ag.gradcheck(ag.matmul, (a, b))


@FAST
@given(case=st.sampled_from(ALL), seed=st.integers(0, 2**32 - 1))
def test_any_case_of_the_op_table_gradchecks_on_fresh_inputs(case, seed):
    """The op table's cases with inputs hypothesis seeds: the derivative holds beyond the
    fixed inputs the table is checked on."""
    args = inputs(case, seed=seed)
    out = case.fn(*args)
    outs = out if isinstance(out, (tuple, list)) else (out,)
    assert all(o.dtype == np.float64 for o in outs)
    assert ag.gradcheck(case.fn, args)
