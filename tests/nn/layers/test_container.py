"""Sequential, ModuleList and ModuleDict with PyTorch's semantics and names."""

from collections import OrderedDict

import numpy as np
import pytest

import autograd as ag
import nn


def test_module_list_names_index_and_mutation():
    a, b, c = nn.Linear(2, 2), nn.Tanh(), nn.Linear(2, 3)
    ml = nn.ModuleList([a, b])
    assert len(ml) == 2 and ml[0] is a and ml[-1] is b and list(ml) == [a, b]
    ml.append(c)
    assert [n for n, _ in ml.named_parameters()] == ["0.weight", "0.bias", "2.weight",
                                                     "2.bias"]
    part = ml[1:]
    assert isinstance(part, nn.ModuleList) and list(part) == [b, c]
    ml.insert(0, nn.ReLU())
    assert [type(m).__name__ for m in ml] == ["ReLU", "Linear", "Tanh", "Linear"]
    del ml[0]
    assert [n for n, _ in ml.named_children()] == ["0", "1", "2"] and ml[0] is a  # renumbered
    ml[1] = nn.Sigmoid()
    assert isinstance(ml[1], nn.Sigmoid)
    ml += [nn.Identity()]
    ml.extend([nn.Identity()])
    assert len(ml) == 5 and len(ml + nn.ModuleList([nn.ReLU()])) == 6
    with pytest.raises(IndexError, match="out of range"):
        ml[7]
    with pytest.raises(TypeError, match="not an nn.Module"):
        ml.append(lambda x: x)
    with pytest.raises(NotImplementedError, match="iterate"):
        ml(ag.ones(2))
    assert nn.ModuleList() is not None and len(nn.ModuleList()) == 0


def test_module_list_inside_a_model_and_its_state():
    class Blocks(nn.Module):
        def __init__(self):
            self.blocks = nn.ModuleList([nn.Linear(3, 3) for _ in range(2)])
            self.head = nn.Linear(3, 1)

        def forward(self, x):
            for blk in self.blocks:
                x = blk(x).relu()
            return self.head(x)

    m = Blocks()
    assert list(m.state_dict()) == ["blocks.0.weight", "blocks.0.bias", "blocks.1.weight",
                                    "blocks.1.bias", "head.weight", "head.bias"]
    m(ag.randn(4, 3)).sum().backward()
    assert all(p.grad is not None for p in m.parameters())
    assert "(blocks): ModuleList(\n    (0): Linear" in repr(m)
    n = Blocks()
    n.load_state_dict(m.state_dict())
    x = ag.randn(2, 3)
    assert np.array_equal(n(x).data, m(x).data)


def test_module_dict():
    heads = nn.ModuleDict({"mean": nn.Linear(4, 1), "logvar": nn.Linear(4, 1)})
    assert list(heads) == ["mean", "logvar"] and len(heads) == 2 and "mean" in heads
    assert [n for n, _ in heads.named_parameters()] == ["mean.weight", "mean.bias",
                                                        "logvar.weight", "logvar.bias"]
    heads["extra"] = nn.ReLU()
    assert list(heads.keys()) == ["mean", "logvar", "extra"]
    assert isinstance(heads.pop("extra"), nn.ReLU) and "extra" not in heads
    heads.update([("scale", nn.Linear(4, 4))])
    assert [k for k, _ in heads.items()] == ["mean", "logvar", "scale"]
    assert all(isinstance(v, nn.Module) for v in heads.values())
    del heads["scale"]
    assert len(heads) == 2
    with pytest.raises(TypeError, match="string"):
        heads[1] = nn.ReLU()
    with pytest.raises(KeyError, match="contain"):
        heads["a.b"] = nn.ReLU()
    with pytest.raises(TypeError, match="not an nn.Module"):
        heads["f"] = lambda x: x
    with pytest.raises(ValueError, match="pair"):
        heads.update([nn.ReLU()])
    with pytest.raises(NotImplementedError):
        heads(ag.ones(4))
    heads.clear()
    assert len(heads) == 0


def test_sequential_from_ordered_dict_and_mutation():
    model = nn.Sequential(OrderedDict([("fc", nn.Linear(2, 3)), ("act", nn.Tanh()),
                                       ("out", nn.Linear(3, 1))]))
    assert [n for n, _ in model.named_parameters()] == ["fc.weight", "fc.bias", "out.weight",
                                                        "out.bias"]
    assert isinstance(model[1], nn.Tanh)
    assert model(ag.ones(5, 2)).shape == (5, 1)
    model[1] = nn.ReLU()  # PyTorch renumbers after assignment by index too
    assert isinstance(model[1], nn.ReLU)
    seq = nn.Sequential(nn.Linear(2, 2), nn.ReLU(), nn.Linear(2, 2))
    del seq[1]
    assert len(seq) == 2 and [n for n, _ in seq.named_children()] == ["0", "1"]
    seq.insert(1, nn.Tanh())
    assert isinstance(seq[1], nn.Tanh)
    with pytest.raises(TypeError, match="entry 'x' is a function"):
        nn.Sequential(OrderedDict([("x", lambda t: t)]))


def test_docstring_examples_run():
    import doctest

    import nn.layers.container
    import nn.module

    for mod in (nn.layers.container, nn.module):
        result = doctest.testmod(mod, extraglobs={"ag": ag, "np": np, "nn": nn})
        assert result.attempted >= 3 and result.failed == 0
