"""The backward walk: order, accumulation, freeing, hooks, retain_grad, grad(), deep graphs."""

from __future__ import annotations

import sys

import numpy as np
import pytest

import autograd as ag


def leaf(*values, dtype=np.float64):
    return ag.tensor(np.array(values, dtype=dtype), requires_grad=True)


def test_chain_rule_through_a_diamond():
    x = leaf(2.0)
    a = x * 3          # 6
    b = x.exp()        # e^2
    y = (a * b).sum()  # 3x e^x -> dy/dx = 3e^x + 3x e^x
    y.backward()
    np.testing.assert_allclose(x.grad.data, [3 * np.exp(2) * 3])


def test_deep_chain_at_default_recursion_limit():
    assert sys.getrecursionlimit() <= 10_000
    x = ag.tensor(1.0, dtype=np.float64, requires_grad=True)
    y = x
    for _ in range(100_000):
        y = y * 1.00001
    y.backward()
    np.testing.assert_allclose(x.grad.item(), 1.00001 ** 100_000, rtol=1e-9)


def test_gradients_accumulate_across_backward_calls():
    x = leaf(1.0, 2.0)
    (x * x).sum().backward()
    (x * 3).sum().backward()
    np.testing.assert_allclose(x.grad.data, [2 + 3, 4 + 3])
    x.grad = None
    (x * x).sum().backward()
    np.testing.assert_allclose(x.grad.data, [2, 4])


def test_graph_is_freed_and_reuse_names_retain_graph():
    x = leaf(1.0, 2.0)
    y = (x * x).sum()
    y.backward()
    assert y.grad_fn.backward is None  # freed; the shape stays (tests/test_freed.py)
    assert [n.name for n in y.grad_fn.next_functions] == ["MulBackward"]
    with pytest.raises(RuntimeError, match="retain_graph=True"):
        y.backward()


def test_retain_graph_allows_a_second_backward():
    x = leaf(1.0, 2.0)
    y = (x * x).sum()
    y.backward(retain_graph=True)
    y.backward()
    np.testing.assert_allclose(x.grad.data, [4, 8])


def test_freed_graph_releases_intermediate_tensors():
    import gc
    import weakref

    x = ag.tensor(np.arange(1000.0), requires_grad=True)
    mid = x * 2
    ref = weakref.ref(mid)
    y = mid.sum()
    del mid
    gc.collect()
    assert ref() is not None  # held by the graph
    y.backward()
    gc.collect()
    assert ref() is None  # freed with the graph, although y is still alive


def test_non_scalar_backward_needs_a_gradient():
    x = leaf(1.0, 2.0)
    with pytest.raises(RuntimeError, match="gradient"):
        (x * 2).backward()
    (x * 2).backward(gradient=ag.tensor([1.0, 10.0], dtype=np.float64))
    np.testing.assert_allclose(x.grad.data, [2, 20])


def test_gradient_of_wrong_shape_is_refused():
    x = leaf(1.0, 2.0)
    with pytest.raises(RuntimeError, match=r"\(3,\).*\(2,\)"):
        (x * 2).backward(gradient=np.ones(3))


def test_backward_on_a_tensor_without_grad_raises():
    with pytest.raises(RuntimeError, match="does not require grad"):
        ag.tensor([1.0]).sum().backward()


def test_leaf_grad_is_fresh_and_writable():
    x = leaf(1.0, 2.0)
    x.sum().backward()  # the gradient is a broadcast view internally
    assert x.grad.data.flags.writeable
    x.grad.data[0] = 5.0  # does not corrupt anything shared
    y = leaf(3.0, 4.0)
    y.sum().backward()
    np.testing.assert_allclose(y.grad.data, [1, 1])


@pytest.mark.parametrize("shape", [(3, 4), (70, 80)])  # filled in; a broadcast view
@pytest.mark.parametrize("axis", [None, 0, 1, (0, 1)])
@pytest.mark.parametrize("keepdims", [False, True])
def test_sum_backward_unrecorded_matches_the_recorded_ops(shape, axis, keepdims):
    # training spreads a sum's gradient without op calls; create_graph=True takes the ops:
    # the same values, and a gradient the caller may write into
    x = ag.tensor(np.arange(np.prod(shape), dtype=np.float32).reshape(shape),
                  requires_grad=True)
    w = ag.tensor(np.linspace(-1, 1, np.prod(shape), dtype=np.float32).reshape(shape))
    def f():
        s = x.sum(axis=axis, keepdims=keepdims)
        return (s * s).sum()
    f().backward()
    fast = x.grad.data.copy()
    assert x.grad.data.flags.writeable
    x.grad = None
    (slow,) = ag.grad(f(), x, create_graph=True)
    np.testing.assert_array_equal(fast, slow.data)
    x.grad = None
    (x * w).sum().backward()  # a leaf fed straight from the spread gradient
    np.testing.assert_array_equal(x.grad.data, w.data)


def test_broadcast_gradient_is_summed_to_the_input_shape():
    a = ag.tensor(np.ones((3, 1)), requires_grad=True)
    b = ag.tensor(np.arange(4.0), requires_grad=True)
    (a * b).sum().backward()
    assert a.grad.shape == (3, 1) and b.grad.shape == (4,)
    np.testing.assert_allclose(a.grad.data, [[6], [6], [6]])
    np.testing.assert_allclose(b.grad.data, [3, 3, 3, 3])


def test_float32_gradients_stay_float32():
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    (x * np.float64(2.0) + 1.5).sum().backward()
    assert x.dtype == np.float32 and x.grad.dtype == np.float32


def test_hooks_see_and_replace_the_gradient():
    x = leaf(1.0, 2.0)
    y = x * 3
    seen = []
    y.register_hook(lambda g: seen.append(g.data.copy()))
    handle = x.register_hook(lambda g: g * 10)
    y.sum().backward()
    np.testing.assert_allclose(seen[0], [1, 1])
    np.testing.assert_allclose(x.grad.data, [30, 30])
    handle.remove()
    x.grad = None
    (x * 3).sum().backward()
    np.testing.assert_allclose(x.grad.data, [3, 3])


def test_retain_grad_keeps_a_non_leaf_gradient():
    x = leaf(1.0, 2.0)
    y = x * x
    y.retain_grad()
    z = x * 5
    y.sum().backward()
    np.testing.assert_allclose(y.grad.data, [1, 1])
    assert z.grad is None
    assert y.retains_grad and not z.retains_grad


def test_grad_returns_gradients_without_touching_dot_grad():
    x, w = leaf(1.0, 2.0), leaf(3.0, 4.0)
    y = (x * w).sum()
    gx, gw = ag.grad(y, [x, w])
    np.testing.assert_allclose(gx.data, [3, 4])
    np.testing.assert_allclose(gw.data, [1, 2])
    assert x.grad is None and w.grad is None


def test_grad_with_respect_to_an_intermediate():
    x = leaf(1.0, 2.0)
    h = x * 2
    y = (h * h).sum()
    (gh,) = ag.grad(y, h)
    np.testing.assert_allclose(gh.data, [4, 8])


def test_grad_unused_input():
    x, u = leaf(1.0), leaf(2.0)
    y = (x * 2).sum()
    with pytest.raises(RuntimeError, match="allow_unused"):
        ag.grad(y, [x, u], retain_graph=True)
    gx, gu = ag.grad(y, [x, u], allow_unused=True)
    assert gu is None and gx.item() == 2


def test_create_graph_gives_differentiable_gradients():
    x = ag.tensor(3.0, dtype=np.float64, requires_grad=True)
    (d1,) = ag.grad(x ** 3, x, create_graph=True)
    assert d1.requires_grad and d1.item() == pytest.approx(27)
    (d2,) = ag.grad(d1, x, create_graph=True)
    assert d2.item() == pytest.approx(18)
    (d3,) = ag.grad(d2, x)
    assert d3.item() == pytest.approx(6)


def test_second_derivative_via_backward_create_graph():
    x = leaf(0.3, -1.2)
    y = x.tanh().sum()
    y.backward(create_graph=True)
    g = x.grad
    x.grad = None
    g.sum().backward()
    t = np.tanh(x.data)
    np.testing.assert_allclose(x.grad.data, -2 * t * (1 - t ** 2))


def test_no_grad_records_nothing_and_enable_grad_restores():
    x = leaf(1.0)
    with ag.no_grad():
        y = x * 2
        assert not ag.is_grad_enabled()
        with ag.enable_grad():
            z = x * 2
    assert ag.is_grad_enabled()
    assert y.grad_fn is None and not y.requires_grad
    assert z.grad_fn is not None


def test_no_grad_as_decorator():
    @ag.no_grad()
    def f(t):
        return t * 2

    @ag.no_grad
    def g(t):
        return t * 2

    x = leaf(1.0)
    assert not f(x).requires_grad and not g(x).requires_grad
    assert ag.is_grad_enabled()


def test_grad_fn_names_and_leaves():
    x = leaf(1.0)
    y = x * 2
    assert x.is_leaf and x.grad_fn is None
    assert not y.is_leaf and y.grad_fn.name == "MulBackward"
    assert (y + 1).grad_fn.name == "AddBackward"
    assert y.grad_fn.next_functions == (None, None)


def test_detach_cuts_the_graph():
    x = leaf(1.0)
    h = x * 2
    y = h.detach()
    assert y.is_leaf and not y.requires_grad
    assert np.shares_memory(y.data, h.data)


def test_topological_order_puts_parents_first_and_is_iterative():
    x = leaf(1.0)
    y = x
    for _ in range(50_000):
        y = y + 1.0
    order = ag.topological_order([y])
    assert order[0] is x and order[-1] is y and len(order) == 50_001 + 1  # + the constant


def test_shared_subgraph_is_visited_once():
    x = leaf(2.0)
    h = x * x
    y = h + h + h
    y.backward()
    np.testing.assert_allclose(x.grad.data, [12.0])


def test_parents_live_in_slots_and_read_back_as_a_tuple():
    # one or two parents in the slots (no tuple kept per op, for the cyclic collector), more
    # in a tuple; _parents reads them back the same either way, and a reassignment keeps
    # nothing of the parents before
    def same(ps, expected):
        return type(ps) is tuple and len(ps) == len(expected) and \
            all(p is e for p, e in zip(ps, expected))

    a, b, c = (ag.tensor([1.0, 2.0], requires_grad=True) for _ in range(3))
    one, two = a.tanh(), a * b
    three = ag.stack([a, b, c]).sum()
    assert same(one._parents, (a,)) and one._pn is None and one._p2 is None
    assert same(two._parents, (a, b)) and two._pn is None
    (s,) = three._parents  # the concatenation of a, b and c, each reshaped
    assert len(s._parents) == 3 and same(s._pn, s._parents)
    assert same(tuple(p._p1 for p in s._parents), (a, b, c))
    two._parents = (a, b, c)
    assert same(two._parents, (a, b, c)) and two._p1 is None and two._p2 is None
    two._parents = (c,)
    assert same(two._parents, (c,)) and two._pn is None
    three.backward()
    assert np.array_equal(c.grad.data, [1.0, 1.0])
