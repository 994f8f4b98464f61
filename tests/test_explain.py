"""ag.explain: its own backward pass, step by step, equal to the engine's; the page it writes.
(The page in a real browser: tests/test_explain_browser.py.)"""

from __future__ import annotations

import math
import re

import numpy as np
import pytest

import autograd as ag
import nn
import nn.functional as F
from autograd import OPS, Value
from autograd.explain import MAX_NODES


def neuron():
    """The tutorial's last neuron: C = (σ(w·a + b) - y)², float64."""
    ag.manual_seed(3)
    layer = nn.Linear(3, 1, dtype=np.float64)
    a_prev = ag.tensor(np.array([0.5, -1.0, 2.0]))
    a = layer(a_prev).sigmoid()
    return layer, a_prev, ((a - 1.0) ** 2).sum()


def test_steps_forward_then_backward_in_engine_order_then_nabla_c():
    layer, a_prev, cost = neuron()
    ex = ag.explain(cost, params=layer.named_parameters())
    values = ag.topological_order([cost])
    assert ex.values == values or all(u is v for u, v in zip(ex.values, values))
    kinds = [s.kind for s in ex.steps]
    n = len(values)
    assert kinds[:n] == ["forward"] * n and kinds[-1] == "gradient"
    backward = [s.node for s in ex.steps if s.kind == "backward"]
    # the engine's order: reversed topological order, nodes that receive a gradient
    assert backward == [i for i in range(n - 1, -1, -1) if values[i].requires_grad]
    assert ex.names[-1] == "C" and {"weight", "bias"} <= set(ex.names)
    assert [name for name, _, _ in ex.steps[-1].leaves] == ["weight", "bias"]
    assert layer.weight.grad is None  # .grad untouched
    cost.backward()
    for name, _, g in ex.steps[-1].leaves:
        np.testing.assert_allclose(g, getattr(layer, name).grad.data, rtol=1e-12)


def test_each_backward_step_is_the_chain_rule_with_the_declared_formula():
    layer, a_prev, cost = neuron()
    ex = ag.explain(cost)
    steps = {ex.names[s.node]: s for s in ex.steps if s.kind == "backward"}
    sig = steps["sigmoid₁"]
    (edge,) = sig.edges
    assert edge.formula == OPS["sigmoid"].formula[0] == "σ(x)·(1 − σ(x))"
    z = (a_prev.data @ layer.weight.data[0]) + layer.bias.data[0]
    s = 1 / (1 + math.exp(-z))
    local, grad, product = (np.asarray(a).item() for a in (edge.local, sig.grad, edge.product))
    assert local == pytest.approx(s * (1 - s), rel=1e-12)  # σ'(z)
    assert grad == pytest.approx(2 * (s - 1), rel=1e-12)  # ∂C/∂a = 2(a - y)
    assert product == pytest.approx(grad * local, rel=1e-12)
    lin = steps["linear₁"]
    (to_w,) = [e for e in lin.edges if ex.names[e.parent] == "p1".translate(
        str.maketrans("1", "₁"))]
    # ∂C/∂w = a^{L-1}·σ'(z)·2(a - y): the product sent to the weight
    np.testing.assert_allclose(to_w.product[0], a_prev.data * s * (1 - s) * 2 * (s - 1),
                               rtol=1e-12)
    assert to_w.formula == OPS["linear"].formula[1]
    assert ex.step_of("backward", layer.weight) == 1 + ex.steps.index(
        next(st for st in ex.steps if st.kind == "backward"
             and ex.values[st.node] is layer.weight))


def test_a_value_used_twice_receives_the_sum_of_both_products():
    x = ag.tensor(0.7, dtype=np.float64, requires_grad=True)
    h = x.tanh()
    y = h * h + h
    ex = ag.explain(y)
    step = next(s for s in ex.steps if s.kind == "backward" and ex.values[s.node] is h)
    assert len(step.received) == 3  # twice from the Mul, once from the Add
    assert float(step.grad) == pytest.approx(sum(float(g) for _, g in step.received))
    assert float(step.grad) == pytest.approx(2 * math.tanh(0.7) + 1)


def test_value_graphs_with_numbers_on_either_side():
    a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    c = (a * b + a.tanh()).relu() + b ** 2 - 1 / a + 3 ** a - (2 - b) + a / 4
    ex = ag.explain(c)
    assert a.grad == 0.0 and b.grad == 0.0
    c.backward()
    assert [(n, float(g)) for n, _, g in ex.steps[-1].leaves] == [("a", a.grad), ("b", b.grad)]
    formulas = {}
    for s in ex.steps:
        if s.kind == "backward" and s.edges:
            v = ex.values[s.node]
            formulas[(v._op, tuple(ex.operands[s.node]))] = [
                e.formula for e in s.edges]
    assert formulas[("/", ("1", "a"))] == ["−a/b²"]  # 1 / a: a is the divisor b
    assert formulas[("/", ("a", "4"))] == ["1/b"]
    assert formulas[("**", ("3", "a"))] == ["a^b·log(a)"]  # a is the exponent
    assert formulas[("**", ("b", "2"))] == ["b·a^(b−1)"]
    assert formulas[("-", ("2", "b"))] == ["−1"]


def test_params_as_named_parameters_a_dict_or_the_module():
    ag.manual_seed(0)
    model = nn.Sequential(nn.Linear(2, 3), nn.Tanh(), nn.Linear(3, 1))
    loss = F.mse_loss(model(ag.randn(4, 2)), ag.zeros(4, 1))
    want = [n for n, _ in model.named_parameters()]
    for params in (model.named_parameters(), dict(model.named_parameters()), model):
        ex = ag.explain(loss, params=params)
        assert [n for n, _, _ in ex.steps[-1].leaves] == want
    with pytest.raises(TypeError, match="params"):
        ag.explain(loss, params=[1, 2])


def test_a_chosen_part_of_a_big_graph():
    x = ag.tensor(np.linspace(-1, 1, 8), requires_grad=True)
    h = x
    for _ in range(200):
        h = (h * 0.9).tanh()
    cost = (h * h).sum()
    with pytest.raises(ValueError, match=r"\d{3} values, more than max_nodes=300.*inputs="):
        ag.explain(cost)
    assert MAX_NODES == 300
    (dh,) = ag.grad(cost, h, retain_graph=True)
    ex = ag.explain(cost, inputs=[h])
    assert len(ex.values) == 3 and ex.steps[-1].leaves[0][1] == 0
    np.testing.assert_allclose(ex.steps[-1].leaves[0][2], dh.data, rtol=1e-6)
    assert "v0" in ex.html()
    with pytest.raises(ValueError, match="not in the graph"):
        ag.explain(cost, inputs=[ag.tensor(1.0)])


def test_needs_the_graph_and_a_single_number():
    layer, a_prev, cost = neuron()
    cost.backward(retain_graph=True)
    ag.explain(cost)  # a retained graph is fine
    cost.backward()
    with pytest.raises(RuntimeError, match=r"before .*backward\(\).*retain_graph=True"):
        ag.explain(cost)
    with pytest.raises(ValueError, match="single number"):
        ag.explain(ag.tensor([1.0, 2.0], requires_grad=True) * 2)
    with pytest.raises(ValueError, match="does not require grad"):
        ag.explain(ag.tensor(1.0) * 2)
    with pytest.raises(TypeError, match="Tensor or a Value"):
        ag.explain(3.0)
    v = Value(1.0) * 2
    v.backward()
    with pytest.raises(RuntimeError, match="retain_graph=True"):
        ag.explain(v)


def test_the_page_is_one_self_contained_file(tmp_path):
    layer, a_prev, cost = neuron()
    ex = ag.explain(cost, params=layer.named_parameters())
    path = ex.save(tmp_path / "backprop.html")
    html = open(path, encoding="utf-8").read()
    assert html.startswith("<!DOCTYPE html>") and "<svg" in html and "<script>" in html
    # no resource from anywhere: no src/href, no import, no link; URLs only as SVG namespaces
    assert not re.search(r"\b(src|href)\s*=", html) and "<link" not in html
    assert not re.search(r"@import|url\(", html)
    urls = set(re.findall(r"https?://[^\s\"'<>)]+", html))
    assert urls <= {"http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink",
                    "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd"}
    assert ex.steps and f"{len(ex.steps)} steps" in html
    inline = ex._repr_html_()
    assert inline.startswith("<iframe srcdoc=") and "&lt;svg" in inline


def test_every_differentiable_primitive_op_declares_its_formula():
    missing = ops_without_formula(OPS)
    assert not missing, f"ops without a formula= in their declaration: {missing}"
    # the check itself fails for such an op
    bare = ag.OpDef(name="bare", fn=None, node="BareBackward")
    assert ops_without_formula({"bare": bare}) == ["bare"]
    composite = ag.OpDef(name="comp", fn=None, node="CompBackward", composite=True)
    assert ops_without_formula({"comp": composite}) == []


def ops_without_formula(ops: dict) -> list[str]:
    return sorted(name for name, d in ops.items() if d.differentiable and not d.composite
                  and not (d.formula and all(isinstance(f, str) and f.strip()
                                              for f in d.formula)))
