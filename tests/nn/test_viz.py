"""nn.draw_network on stand-in modules that have the nn.Module interface (duck typing)."""

import graphviz
import numpy as np
import pytest

import nn

from ..svgparse import parse_svg


class Param:
    def __init__(self, array):
        self.data = np.asarray(array, dtype=np.float32)

    @property
    def shape(self):
        return self.data.shape


class Module:
    """children() and named_parameters() as the nn contract gives them."""

    def __init__(self):
        self._modules, self._params = [], []

    def children(self):
        return iter(self._modules)

    def named_parameters(self):
        out = list(self._params)
        for i, m in enumerate(self._modules):
            out += [(f"{i}.{n}", p) for n, p in m.named_parameters()]
        return iter(out)


class Linear(Module):
    def __init__(self, in_features, out_features, rng, bias=True):
        super().__init__()
        self.in_features, self.out_features = in_features, out_features
        self.weight = Param(rng.normal(size=(out_features, in_features)))
        self.bias = Param(rng.normal(size=out_features)) if bias else None
        self._params = [("weight", self.weight)] + ([("bias", self.bias)] if bias else [])


class Tanh(Module):
    pass


class ReLU(Module):
    pass


class Dropout(Module):
    pass


class Conv(Module):
    def __init__(self):
        super().__init__()
        self.weight = Param(np.zeros((4, 3, 3, 3)))
        self._params = [("weight", self.weight)]


class Sequential(Module):
    def __init__(self, *modules):
        super().__init__()
        self._modules = list(modules)


def drawn(model, **kwargs):
    g = nn.draw_network(model, **kwargs)
    assert isinstance(g, graphviz.Digraph)
    return g, parse_svg(g.pipe(format="svg"))


def tutorial_net(rng):
    return Sequential(Linear(3, 3, rng), Tanh(), Linear(3, 3, rng), Tanh(), Linear(3, 3, rng))


def test_small_model_is_drawn_neuron_by_neuron():
    rng = np.random.default_rng(0)
    model = tutorial_net(rng)
    g, d = drawn(model)
    neurons = [k for k in d.nodes if not k.startswith("title")]
    assert len(neurons) == 12 and len(d.edges) == 27
    texts = sorted(d.text(k) for k in neurons)
    assert texts == ["tanh"] * 6 + ["x1", "x2", "x3", "y1", "y2", "y3"]
    titles = " | ".join(d.text(k) for k in sorted(d.nodes) if k.startswith("title"))
    assert "0: Linear(3, 3) + Tanh" in titles and "4: Linear(3, 3)" in titles
    # every weight is an edge: blue when positive, red when negative
    colours = [stroke for _, _, stroke in d.edges]
    n_pos = sum(int((m.weight.data >= 0).sum()) for m in model._modules if hasattr(m, "weight"))
    assert colours.count(nn.viz.POSITIVE) == n_pos
    assert colours.count(nn.viz.NEGATIVE) == 27 - n_pos
    assert "33 parameters" not in g.source and "36 parameters" in g.source


def test_neurons_keep_their_order_and_layers_run_left_to_right():
    rng = np.random.default_rng(1)
    _, d = drawn(tutorial_net(rng))
    for k in range(4):
        ys = [d.nodes[f"l{k}n{i}"]["pos"][1] for i in range(3)]
        assert ys == sorted(ys)  # SVG y grows downwards: neuron 0 on top
    xs = [d.nodes[f"l{k}n0"]["pos"][0] for k in range(4)]
    assert xs == sorted(xs) and len(set(xs)) == 4
    _, d = drawn(tutorial_net(rng), rankdir="TB")
    ys = [d.nodes[f"l{k}n0"]["pos"][1] for k in range(4)]
    assert ys == sorted(ys) and len(set(ys)) == 4


def test_large_model_is_drawn_as_layer_boxes():
    rng = np.random.default_rng(0)
    model = Sequential(Linear(784, 128, rng), ReLU(), Linear(128, 64, rng), ReLU(),
                       Linear(64, 10, rng, bias=False))
    g, d = drawn(model)
    # input, 3 Linear boxes, 2 ReLUs, output
    assert len(d.nodes) == 7 and len(d.edges) == 6
    (first,) = d.find("0: Linear")
    assert "784 -> 128" in d.text(first) and "weight (128, 784)" in d.text(first)
    assert f"{784 * 128 + 128:,} params" in d.text(first)
    (last,) = d.find("4: Linear")
    assert "bias" not in d.text(last) and "640 params" in d.text(last)
    assert len(d.find("ReLU")) == 2 and d.find("(N, 10)")
    total = 784 * 128 + 128 + 128 * 64 + 64 + 64 * 10
    assert f"{total:,} parameters" in g.source


def test_nested_containers_and_dropout():
    rng = np.random.default_rng(0)
    model = Sequential(Sequential(Linear(2, 3, rng), Tanh(), Dropout()), Linear(3, 1, rng))
    g, d = drawn(model)
    assert len([k for k in d.nodes if not k.startswith("title")]) == 2 + 3 + 1
    assert len(d.edges) == 2 * 3 + 3
    titles = " ".join(d.text(k) for k in d.nodes if k.startswith("title"))
    assert "0.0: Linear(2, 3) + Tanh, Dropout" in titles and "1: Linear(3, 1)" in titles
    assert len(d.find("tanh")) == 3


def test_modes_and_other_layers():
    rng = np.random.default_rng(0)
    _, d = drawn(tutorial_net(rng), mode="layers")
    assert len(d.find("Linear")) == 3 and len(d.find("Tanh")) == 2
    _, d = drawn(Sequential(Linear(40, 3, rng)))
    assert len(d.nodes) == 3  # wider than max_neurons: boxes
    _, d = drawn(Sequential(Linear(40, 3, rng)), max_neurons=40)
    assert len(d.nodes) == 40 + 3 + 2
    _, d = drawn(Sequential(Conv(), ReLU()))
    (conv,) = d.find("Conv")
    assert "weight (4, 3, 3, 3)" in d.text(conv) and "108 params" in d.text(conv)
    with pytest.raises(ValueError, match="mode='layers'"):
        nn.draw_network(Sequential(Conv()), mode="neurons")
    with pytest.raises(ValueError, match="mode"):
        nn.draw_network(tutorial_net(rng), mode="boxes")
    with pytest.raises(ValueError, match="rankdir"):
        nn.draw_network(tutorial_net(rng), rankdir="up")
    with pytest.raises(TypeError, match="nn.Module"):
        nn.draw_network([1, 2])


def test_real_nn_model_network_and_graph_with_parameter_names():
    import autograd as ag

    ag.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 3), nn.Tanh(), nn.Linear(3, 3), nn.Tanh(),
                          nn.Linear(3, 3))
    d = parse_svg(nn.draw_network(model).pipe(format="svg"))
    assert len([k for k in d.nodes if not k.startswith("title")]) == 12  # 4 layers of 3 neurons
    assert len(d.edges) == 27  # 3 fully connected 3x3 layers
    loss = model(ag.randn(4, 3)).sum()
    loss.backward(retain_graph=True)
    g = parse_svg(ag.draw(loss, params=dict(model.named_parameters())).pipe(format="svg"))
    assert g.find("0.weight") and g.find("4.bias")
