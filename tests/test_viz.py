"""ag.draw / ag.render_svg: rendered SVGs of known graphs, read back with xml.etree."""

import math
import os
import shutil
import time

import graphviz
import numpy as np
import pytest

import autograd as ag
from autograd import _graphviz
from autograd.viz import (
    GRAD_SCALE,
    OP,
    OUTPUT,
    PARAM,
    PLAIN,
    Digraph,
    GraphvizNotFoundError,
    draw,
    render_svg,
)

from .svgparse import parse_svg


def drawn(root, **kwargs):
    g = draw(root, **kwargs)
    return parse_svg(g.pipe(format="svg"))


def op_nodes(d):
    return sorted(k for k in d.nodes if k.startswith("o"))


def value_nodes(d):
    return sorted(k for k in d.nodes if k.startswith("v"))


# ---------------------------------------------------------------------------- Tensor graphs


def mul_sum():
    a = ag.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], requires_grad=True)
    b = ag.tensor([[0.5, -1.0, 2.0], [1.0, 0.0, -2.0]], requires_grad=True)
    return a, b, (a * b).sum()


def test_tensor_graph_nodes_edges_and_labels():
    a, b, loss = mul_sum()
    d = drawn(loss, params={"a": a, "b": b})
    # values a, b, a*b, sum; ops Mul, Sum
    assert len(value_nodes(d)) == 4 and len(op_nodes(d)) == 2
    assert len(d.edges) == 5
    assert sorted(d.text(o) for o in op_nodes(d)) == ["Mul", "Sum"]
    (va,) = d.find("a ")
    assert "(2, 3) float32" in d.text(va)
    assert d.nodes[va]["fill"] == PARAM
    (mul,) = [o for o in op_nodes(d) if d.text(o) == "Mul"]
    (vb,) = d.find("b ")
    assert {(t, h) for t, h, _ in d.edges if h == mul} == {(va, mul), (vb, mul)}
    (out,) = [v for v in value_nodes(d) if d.text(v).startswith("scalar")]
    assert d.nodes[out]["fill"] == OUTPUT
    assert d.text(out).endswith(f"{(a.data * b.data).sum():.4g}")
    assert all(d.nodes[o]["fill"] == OP for o in op_nodes(d))
    # edges run with the data: every op feeds exactly the value it made
    made = [(t, h) for t, h, _ in d.edges if t.startswith("o")]
    assert sorted(made) == sorted((o, "v" + o[1:]) for o in op_nodes(d))


def test_gradients_appear_after_backward_with_retain_graph():
    a, b, loss = mul_sum()
    assert not [k for k, v in drawn(loss).nodes.items() if "grad" in v["text"]]
    loss.backward(retain_graph=True)
    d = drawn(loss, params={"a": a})
    (va,) = d.find("a ")
    assert "grad max|g| 2" in d.text(va)  # d/da sum(a*b) = b, largest |b| = 2
    small = ag.tensor([3.0, -4.0], requires_grad=True)
    y = (small * small).sum()
    y.backward(retain_graph=True)
    d = drawn(y, params={"s": small})
    (vs,) = d.find("s ")
    assert "grad [6, -8]" in d.text(vs) and "[3, -4]" in d.text(vs)


def test_show_data_and_show_grad_off():
    a, b, loss = mul_sum()
    loss.backward(retain_graph=True)
    d = drawn(loss, show_data=False, show_grad=False)
    text = " ".join(v["text"] for v in d.nodes.values())
    assert "grad" not in text and "mean" not in text and "float32" in text


def test_reused_input_draws_two_edges():
    x = ag.tensor(3.0, requires_grad=True)
    d = drawn(x * x)
    assert len(d.nodes) == 3
    assert [(t, h) for t, h, _ in d.edges].count(("v0", "o1")) == 2


def test_graph_after_backward_draws_every_op_with_summaries_and_gradients():
    a = ag.tensor(np.arange(100.0).reshape(10, 10), requires_grad=True)
    b = ag.tensor(np.full((10, 10), 0.5), requires_grad=True)
    loss = (a * b).tanh().sum()
    before = drawn(loss)
    loss.backward()  # no retain_graph: the big intermediates are freed, their shapes stay
    d = drawn(loss, params={"a": a, "b": b})
    assert d.nodes.keys() == before.nodes.keys() and len(d.edges) == len(before.edges)
    assert sorted(d.text(o) for o in op_nodes(d)) == ["Mul", "Sum", "Tanh"]
    (vmul,) = [v for v in value_nodes(d) if d.nodes.get("o" + v[1:], {}).get("text") == "Mul"]
    assert d.text(vmul) == "(10, 10) float64 values freed"
    (va,) = d.find("a ")
    grad_a = 0.5 * (1 - np.tanh(a.data * 0.5) ** 2)
    assert d.text(va) == (f"a (10, 10) float64 mean 49.5 std 28.9 "
                          f"grad max|g| {np.abs(grad_a).max():.3g}")
    (out,) = [v for v in value_nodes(d) if d.text(v).startswith("scalar")]
    assert d.text(out) == f"scalar float64 {loss.item():.4g}"
    small = ag.tensor([0.5, -1.0], requires_grad=True)
    y = (small * 3.0).tanh().sum()  # every value tiny: all kept with their numbers
    y.backward()
    text = " ".join(v["text"] for v in drawn(y).nodes.values())
    assert "freed" not in text and "[1.5, -3]" in text and "[0.905, -0.995]" in text


def test_constants_and_nonfinite_values_are_marked():
    x = ag.tensor([1.0, -1.0, 0.0, 2.0, 5.0], requires_grad=True)
    y = x.log().sum()  # log(-1) = nan, log(0) = -inf
    with np.errstate(all="ignore"):
        d = drawn(y * 2.0)
    (const,) = [v for v in value_nodes(d) if d.text(v) == "scalar float32 2"]
    assert d.nodes[const]["fill"] == PLAIN
    (log,) = [v for v in value_nodes(d) if "1 nan, 1 inf" in d.text(v)]
    assert d.text("o" + log[1:]) == "Log"


def test_multiple_roots_and_rankdir():
    a, b, loss = mul_sum()
    other = (a + 1.0).mean()
    g = draw([loss, other], rankdir="TB")
    assert "rankdir=TB" in g.source
    d = parse_svg(g.pipe(format="svg"))
    greens = [k for k, v in d.nodes.items() if v["fill"] == OUTPUT]
    assert len(greens) == 2


def test_color_by_grad_uses_the_scale_and_draws_a_legend():
    dead, tiny, huge = (ag.tensor([1.0, 2.0], requires_grad=True) for _ in range(3))
    loss = (dead * 0.0).sum() + (tiny * 1e-8).sum() + (huge * 1e5).sum()
    loss.backward(retain_graph=True)
    d = drawn(loss, params={"dead": dead, "tiny": tiny, "huge": huge}, color_by_grad=True)
    fill = {name: d.nodes[d.find(name + " ")[0]]["fill"] for name in ("dead", "tiny", "huge")}
    by_text = {text: colour for _, colour, _, text in GRAD_SCALE}
    assert fill["dead"] == by_text["0 (dead)"]
    assert fill["tiny"] == by_text["< 1e-6 (vanishing)"]
    assert fill["huge"] == by_text[">= 1e4 or inf/nan (exploding)"]
    assert "legend" in d.nodes and "vanishing" in d.text("legend")


# ---------------------------------------------------------------------------- Value graphs


class V:
    """A stand-in for ag.Value with exactly the attributes the drawing reads."""

    def __init__(self, data, parents=(), op="", label=""):
        self.data, self.grad = float(data), 0.0
        self._parents, self._op, self.label = tuple(parents), op, label

    def __add__(self, o):
        return V(self.data + o.data, (self, o), "+")

    def __mul__(self, o):
        return V(self.data * o.data, (self, o), "*")

    def tanh(self):
        return V(math.tanh(self.data), (self,), "tanh")


def neuron():
    """micrograd's neuron: o = tanh(x1*w1 + x2*w2 + b), with its gradients filled by hand."""
    x1, x2, w1, w2 = V(2.0, label="x1"), V(0.0, label="x2"), V(-3.0, label="w1"), V(1.0, label="w2")
    b = V(6.8813735870195432, label="b")
    n = x1 * w1 + x2 * w2 + b
    o = n.tanh()
    o.label = "o"
    o.grad = 1.0
    dn = 1 - o.data ** 2
    for v, g in ((b, dn), (x1, dn * w1.data), (w1, dn * x1.data), (x2, dn * w2.data),
                 (w2, dn * x2.data)):
        v.grad = g
    return o, (x1, x2, w1, w2, b)


def test_value_graph_nodes_edges_and_labels():
    o, (x1, x2, w1, w2, b) = neuron()
    d = drawn(o)
    # 5 leaves + x1*w1, x2*w2, sum, +b, tanh = 10 values; 5 ops
    assert len(value_nodes(d)) == 10 and len(op_nodes(d)) == 5
    assert len(d.edges) == 5 + 9
    assert sorted(d.text(k) for k in op_nodes(d)) == ["*", "*", "+", "+", "tanh"]
    (vo,) = d.find("o data")
    assert d.text(vo) == f"o data {o.data:.4g} grad 1"
    (vw1,) = d.find("w1 ")
    assert d.text(vw1) == f"w1 data -3 grad {w1.grad:.4g}"
    assert d.nodes[vw1]["fill"] == PARAM and d.nodes[vo]["fill"] == OUTPUT


def test_value_without_label_and_params_names():
    a, b = V(2.0), V(3.0)
    c = a * b
    d = drawn(c, params={"weight": a}, show_grad=False)
    assert len(d.nodes) == 4 and len(d.edges) == 3
    assert d.find("weight data 2") and d.find("data 3") and d.find("data 6")


def test_micrograd_shaped_values_with_prev_sets():
    class M:
        def __init__(self, data, prev=(), op=""):
            self.data, self.grad, self._prev, self._op = data, 0.0, set(prev), op

    a, b = M(-2.0), M(0.5)
    c = M(-1.0, (a, b), "*")
    d = drawn(M(1.0, (c,), "ReLU"))
    assert len(d.nodes) == 6 and len(d.edges) == 5
    assert sorted(d.text(k) for k in op_nodes(d)) == ["*", "ReLU"]
    assert d.find("data -2 grad 0") and d.find("data 0.5")


# ---------------------------------------------------------------------------- large graphs


def chain(n):
    x = ag.tensor(1.0, requires_grad=True)
    y = x
    for i in range(n):
        y = y * 1.0001 if i % 2 else y + 0.5
    return x, y


def test_max_nodes_collapses_the_far_part_into_a_summary():
    _, y = chain(200)
    order = ag.topological_order([y])
    n_ops = sum(1 for t in order if t.grad_fn is not None)
    d = drawn(y, max_nodes=25)
    assert 24 <= len(d.nodes) <= 25
    values, ops = len(value_nodes(d)), len(op_nodes(d))
    assert f"{len(order) + n_ops - values - ops:,} more nodes" in d.text("summary")
    assert f"{len(order) - values:,} values" in d.text("summary")
    assert f"{n_ops - ops:,} ops: Add" in d.text("summary")
    assert any(t == "summary" for t, _, _ in d.edges)
    root = max(value_nodes(d), key=lambda k: int(k[1:]))
    assert int(root[1:]) == len(order) - 1  # the output is always kept
    assert len(drawn(y, max_nodes=2).nodes) == 2  # the output and the summary


def test_a_widely_shared_leaf_is_drawn_once_with_references():
    w = ag.tensor([1.0, -1.0], requires_grad=True)
    y = ag.tensor([0.5, 2.0], requires_grad=True)
    for _ in range(5):
        y = (y * w).tanh()
    d = drawn(y.sum(), params={"w": w})
    assert len(d.find("w (2,) float32")) == 1  # the full box
    refs = [k for k in d.nodes if k.startswith("r")]
    assert len(refs) == 4 and all(d.text(k) == "w" for k in refs)
    assert all(d.nodes[k]["fill"] == PARAM for k in refs)
    # each Mul reads w once: from the box (the first) or from its own reference
    (full,) = d.find("w (2,) float32")
    muls = [o for o in op_nodes(d) if d.text(o) == "Mul"]
    readers = sorted(h for t, h, _ in d.edges if t == full or t in refs)
    assert readers == sorted(muls)
    z = ag.tensor([1.0], requires_grad=True)
    assert not [k for k in drawn(z * z + z).nodes if k.startswith("r")]  # two readers: edges


def test_max_nodes_not_reached_draws_everything():
    _, y = chain(5)
    assert draw(y, max_nodes=1000).source == draw(y).source
    assert "summary" not in draw(y, max_nodes=1000).source


def test_ten_thousand_nodes_draw_in_seconds_without_recursion():
    _, y = chain(5000)  # 10,001 values and 5,000 ops
    start = time.perf_counter()
    g = draw(y, max_nodes=None)
    elapsed = time.perf_counter() - start
    assert g.source.count("->") == 5000 * 2 + 5000
    assert elapsed < 5.0
    small = draw(y, max_nodes=60)
    assert 59 <= len(parse_svg(small.pipe(format="svg")).nodes) <= 60


# ---------------------------------------------------------------------------- errors


def test_bad_arguments_are_named():
    a, b, loss = mul_sum()
    with pytest.raises(TypeError, match="Tensor or a Value"):
        draw(3.0)
    with pytest.raises(ValueError, match="rankdir"):
        draw(loss, rankdir="XY")
    with pytest.raises(ValueError, match="max_nodes"):
        draw(loss, max_nodes=1)
    with pytest.raises(TypeError, match="params"):
        draw(loss, params=[a])
    with pytest.raises(TypeError, match="one kind"):
        draw([loss, V(1.0)])
    with pytest.raises(ValueError, match="no root"):
        draw([])


# ---------------------------------------------------------------------------- rendering


def test_digraph_renders_pipes_and_displays(tmp_path):
    a, b, loss = mul_sum()
    g = ag.draw(loss)
    assert isinstance(g, graphviz.Digraph) and isinstance(g, Digraph)
    out = g.render(tmp_path / "graph", format="svg")
    assert parse_svg(open(out, "rb").read()).nodes.keys() == parse_svg(g.svg()).nodes.keys()
    bundle = g._repr_mimebundle_()
    assert bundle["image/svg+xml"].lstrip().startswith("<?xml")
    assert "<svg" in g._repr_svg_()
    assert _graphviz.dot_command.DOT_BINARY == graphviz.backend.dot_command.DOT_BINARY
    assert str(_graphviz.dot_command.DOT_BINARY) == "dot"  # put back after each call


def test_render_svg_writes_a_file(tmp_path):
    o, _ = neuron()
    path = ag.render_svg(o, str(tmp_path / "value.svg"))
    d = parse_svg(open(path, "rb").read())
    assert len(d.nodes) == 15 and len(d.edges) == 14
    a, b, loss = mul_sum()
    path = render_svg(loss, tmp_path / "tensor.svg", max_nodes=3)
    assert len(parse_svg(open(path, "rb").read()).nodes) == 3


def test_bundled_renderer_first_and_system_dot_for_the_formats_it_lacks(tmp_path, monkeypatch):
    pure = _graphviz._graphviz_pure_binary()
    assert pure is not None and os.access(pure, os.X_OK)
    fake = tmp_path / "dot"  # a "system dot" that writes a marker instead of a PDF
    fake.write_text("#!/bin/sh\necho '%PDF-fake'\n")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{tmp_path}{os.pathsep}{os.environ.get('PATH', '')}")
    assert _graphviz.dot_executable() == pure
    assert _graphviz.dot_executable("png") == pure
    assert _graphviz.dot_executable("pdf") == str(fake)
    a, b, loss = mul_sum()
    assert len(parse_svg(draw(loss).pipe(format="svg")).nodes) == 6
    assert draw(loss).pipe(format="pdf").startswith(b"%PDF-fake")


def test_wheel_binary_is_used_without_system_dot(monkeypatch):
    real_which = shutil.which
    monkeypatch.setattr(_graphviz.shutil, "which",
                        lambda name, *a, **k: None if name == "dot" else real_which(name))
    assert os.path.basename(_graphviz.dot_executable()).startswith("graphviz-pure")
    a, b, loss = mul_sum()
    assert len(parse_svg(draw(loss).pipe(format="svg")).nodes) == 6


def test_missing_graphviz_says_what_to_install(monkeypatch, tmp_path):
    monkeypatch.setattr(_graphviz.shutil, "which", lambda *a, **k: None)
    monkeypatch.setattr(_graphviz, "_graphviz_pure_binary", lambda: None)
    a, b, loss = mul_sum()
    g = draw(loss)  # building the graph needs no Graphviz
    assert "Mul" in g.source
    with pytest.raises(GraphvizNotFoundError, match="pip install graphviz-pure") as info:
        g.pipe(format="svg")
    assert isinstance(info.value, graphviz.ExecutableNotFound)
    with pytest.raises(GraphvizNotFoundError, match="system Graphviz"):
        render_svg(loss, tmp_path / "never.svg")
    assert not os.path.exists(tmp_path / "never.svg")


def test_real_value_graph_renders_with_its_numbers():
    from autograd import Value

    from .svgparse import parse_svg

    a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    c = a * b + a.tanh()
    c.backward(retain_graph=True)
    d = parse_svg(ag.draw(c).pipe(format="svg"))
    # values a, b, a*b, tanh(a), c and ops *, tanh, +
    assert len(d.nodes) == 8 and len(d.edges) == 8  # 2 + 1 + 2 + 1 + 2 arcs in and out of ops
    assert d.find("a") and d.find("-6") and d.find("grad")
