"""After backward(): the graph keeps its shape (ops, parents, small values), not its arrays."""

from __future__ import annotations

import gc
import tracemalloc
import weakref

import numpy as np
import pytest

import autograd as ag
from autograd import Value
from autograd.freed import FreedValue
from autograd.summary import TINY

from .svgparse import parse_svg


def name(t) -> str | None:
    return t.grad_fn.name if t.grad_fn is not None else None


def walk(fn) -> list:
    """(name, [names of next_functions]) for every node reachable through next_functions."""
    out, stack, seen = [], [fn], set()
    while stack:
        node = stack.pop()
        if node is None or id(node) in seen:
            continue
        seen.add(id(node))
        nxt = node.next_functions
        out.append((node.name, [n.name if n is not None else None for n in nxt]))
        stack.extend(nxt)
    return out


def mlp(batch=64):
    rng = np.random.default_rng(0)
    x = ag.tensor(rng.normal(size=(batch, 32)))
    w1 = ag.tensor(rng.normal(size=(32, 48)), requires_grad=True)
    w2 = ag.tensor(rng.normal(size=(48, 3)), requires_grad=True)
    h = (x @ w1).tanh()
    return x, w1, w2, h, ((h @ w2) ** 2).mean()


def test_shape_survives_backward_and_second_backward_names_retain_graph():
    x, w1, w2, h, loss = mlp()
    before = walk(loss.grad_fn)
    n_values = len(ag.topological_order([loss]))
    loss.backward()
    assert walk(loss.grad_fn) == before  # grad_fn / next_functions walk the same graph
    assert len(before) == 6 and before[0][0] == "DivBackward"
    assert loss.grad_fn.backward is None
    with pytest.raises(RuntimeError, match="retain_graph=True"):
        loss.backward()
    with pytest.raises(RuntimeError, match="retain_graph=True"):
        h.backward(ag.ones_like(h))  # an intermediate the caller holds is freed too
    # the drawing walks the same nodes before and after
    assert len(ag.topological_order([loss])) == n_values


def test_big_intermediates_become_freed_values_parameters_and_tiny_values_stay():
    x, w1, w2, h, loss = mlp()
    loss.backward()
    order = ag.topological_order([loss])
    freed = [t for t in order if isinstance(t, FreedValue)]
    # x (a constant leaf), x @ w1, its tanh (shared with the caller's h), h @ w2, its square
    assert sorted((name(f) or "leaf", f.shape) for f in freed) == sorted(
        [("leaf", (64, 32)), ("MatmulBackward", (64, 48)), ("TanhBackward", (64, 48)),
         ("MatmulBackward", (64, 3)), ("PowBackward", (64, 3))])
    assert all(f.size > TINY and f.dtype == np.float64 for f in freed)
    ids = {id(t) for t in order}
    assert id(w1) in ids and id(w2) in ids  # parameters kept as they are, with their .grad
    assert id(h) not in ids and id(x) not in ids
    tanh = next(f for f in freed if name(f) == "TanhBackward")
    assert tanh.grad_fn.name == "TanhBackward" and not tanh.is_leaf
    assert tanh.grad_fn.next_functions[0].name == "MatmulBackward"
    assert "FreedValue (64, 48) float64 TanhBackward" in repr(tanh)
    assert not hasattr(tanh, "data")
    np.testing.assert_array_equal(h.data, np.tanh(x.data @ w1.data))  # the caller's h is intact
    assert h.grad_fn.next_functions[0].name == "MatmulBackward"

    a = ag.tensor([1.0, -2.0], requires_grad=True)
    mid = a * 3.0
    out = (mid.exp() + mid).sum()  # mid is tiny and read twice: both consumers keep it
    out.backward()
    assert out.grad_fn.next_functions[0].next_functions[1] is mid.grad_fn
    assert sum(t is mid for t in ag.topological_order([out])) == 1


def test_a_shared_big_intermediate_becomes_one_freed_value():
    x = ag.tensor(np.linspace(-1, 1, 200), requires_grad=True)
    s = x.sin()
    y = (s * s + s.exp()).sum()
    y.backward()
    sins = [t for t in ag.topological_order([y]) if name(t) == "SinBackward"]
    assert len(sins) == 1 and isinstance(sins[0], FreedValue)


def test_big_arrays_are_released_while_the_output_lives():
    x = ag.tensor(np.ones(10**6), requires_grad=True)  # 8 MB per intermediate
    mid = x * 2.0
    ref = weakref.ref(mid.data)
    loss = (mid.exp() * 0.5).sum()
    del mid
    gc.collect()
    tracemalloc.start()
    try:
        loss.backward()
        gc.collect()
        held, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert ref() is None  # the array of x * 2 is gone although loss keeps the graph
    assert held < 8_000_000 + 100_000  # x.grad only (8 MB) and a few small objects
    assert [n for n, _ in walk(loss.grad_fn)] == ["SumBackward", "MulBackward", "ExpBackward",
                                                  "MulBackward"]


def test_retained_gradients_and_retain_graph():
    x = ag.tensor(np.linspace(0, 1, 100), requires_grad=True)
    h = x * 3.0
    h.retain_grad()
    y = (h ** 2).sum()
    y.backward(retain_graph=True)  # nothing freed
    assert y.grad_fn.next_functions[0].name == "PowBackward"
    assert sum(t is h for t in ag.topological_order([y])) == 1
    y.backward()
    (fh,) = [t for t in ag.topological_order([y]) if isinstance(t, FreedValue)
             and name(t) == "MulBackward"]
    assert fh.grad_summary.max_abs == pytest.approx(np.abs(h.grad.data).max())
    drawn = parse_svg(ag.draw(y).pipe(format="svg"))
    assert drawn.find(f"grad max|g| {np.abs(h.grad.data).max():.3g}")


def test_grad_frees_only_the_nodes_it_ran():
    rng = np.random.default_rng(1)
    a, b, c, d = (ag.tensor(rng.normal(size=100), requires_grad=True) for _ in range(4))
    cd = c * d
    y = (a * b + cd).sum()
    (ga,) = ag.grad(y, a)
    np.testing.assert_allclose(ga.data, b.data)
    (gc_,) = ag.grad(cd.sum(), c)  # cd did not run in the first pass: its graph is intact
    np.testing.assert_allclose(gc_.data, d.data)
    with pytest.raises(RuntimeError, match="retain_graph=True"):
        ag.grad(y, a)


def test_value_graph_keeps_data_and_grads_after_backward():
    a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    c = a * b
    c.label = "c"
    d = (c + a.tanh()).relu()
    L = d * 2.0
    L.backward()  # micrograd's order: backward, then draw
    order = ag.topological_order([L], parents=lambda v: v._parents)
    assert len(order) == 7 and L._parents[0] is d
    drawn = parse_svg(ag.draw(L).pipe(format="svg"))
    texts = sorted(n["text"] for k, n in drawn.nodes.items() if k.startswith("v"))
    assert texts == sorted(f"{v.label + ' ' if v.label else ''}data {v.data:.4g} "
                           f"grad {v.grad:.4g}" for v in order)
    with pytest.raises(RuntimeError, match="retain_graph=True"):
        L.backward()


def test_graph_after_backward_costs_little_memory_in_a_training_loop():
    import nn
    import nn.functional as F

    ag.manual_seed(0)
    model = nn.Sequential(nn.Linear(64, 256), nn.ReLU(), nn.Linear(256, 10))
    opt = nn.optim.SGD(model.parameters(), lr=0.01)
    rng = np.random.default_rng(0)
    xs = [rng.normal(size=(128, 64)).astype(np.float32) for _ in range(5)]
    ys = [rng.integers(0, 10, 128) for _ in range(5)]
    tracemalloc.start()
    try:
        for x, y in zip(xs, ys):
            loss = F.cross_entropy(model(ag.Tensor(x)), y)
            opt.zero_grad()
            loss.backward()
            opt.step()
        gc.collect()
        with_graph, _ = tracemalloc.get_traced_memory()
        del loss
        gc.collect()
        without, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # the activations (128 x 256 float32 = 128 kB each) are gone: only small objects remain
    assert with_graph - without < 4_000
