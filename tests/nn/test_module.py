import numpy as np
import pytest

import autograd as ag
import nn


class Block(nn.Module):
    def __init__(self):
        self.scale = nn.Parameter(np.ones(2, np.float32))
        self.inner = nn.Linear(2, 2)

    def forward(self, x):
        return self.inner(x) * self.scale


class Net(nn.Module):
    """Parameters reachable through an attribute, a list, a dict and a nested module."""

    def __init__(self):
        self.w = nn.Parameter(np.zeros((2, 2), np.float32))
        self.layers = [nn.Linear(2, 3), nn.Linear(3, 2)]
        self.heads = {"a": nn.Linear(2, 1), "b": Block()}
        self.note = "not a parameter"
        self.plain = ag.ones(2, requires_grad=True)  # a Tensor, not a Parameter: ignored

    def forward(self, x):
        x = self.layers[1](self.layers[0](x)) @ self.w
        return self.heads["a"](x) + self.heads["b"](x).sum(axis=-1, keepdims=True)


def test_parameter_is_a_leaf_that_requires_grad():
    p = nn.Parameter(np.arange(3.0))
    assert isinstance(p, ag.Tensor) and p.requires_grad and p.is_leaf
    assert p.dtype == np.float64  # a numpy array keeps its dtype
    assert nn.Parameter([1.0, 2.0]).dtype == np.float32
    assert "Parameter containing" in repr(p)
    with pytest.raises(TypeError, match="int64"):
        nn.Parameter(np.arange(3))


def test_named_parameters_through_attributes_lists_and_dicts():
    names = [n for n, _ in Net().named_parameters()]
    assert names == ["w", "layers.0.weight", "layers.0.bias", "layers.1.weight", "layers.1.bias",
                     "heads.a.weight", "heads.a.bias", "heads.b.scale", "heads.b.inner.weight",
                     "heads.b.inner.bias"]
    net = Net()
    assert [id(p) for p in net.parameters()] == [id(p) for _, p in net.named_parameters()]


def test_children_and_modules():
    net = Net()
    assert [n for n, _ in net.named_children()] == ["layers.0", "layers.1", "heads.a", "heads.b"]
    assert len(list(net.children())) == 4
    assert [n for n, _ in net.named_modules()] == ["", "layers.0", "layers.1", "heads.a",
                                                   "heads.b", "heads.b.inner"]


def test_shared_parameters_and_modules_are_listed_once():
    layer = nn.Linear(2, 2)
    model = nn.Sequential(layer, nn.ReLU(), layer)
    assert [n for n, _ in model.named_parameters()] == ["0.weight", "0.bias"]


def test_sequential_names_index_slice_iterate():
    model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))
    assert [n for n, _ in model.named_parameters()] == ["0.weight", "0.bias", "2.weight",
                                                        "2.bias"]
    assert isinstance(model[1], nn.ReLU) and model[-1] is list(model)[2]
    head = model[:2]
    assert isinstance(head, nn.Sequential) and len(head) == 2 and head[0] is model[0]
    x = ag.randn(5, 3)
    assert np.allclose(model(x).data, model[2](model[1](model[0](x))).data)
    model.append(nn.Tanh())
    assert len(model) == 4
    with pytest.raises(TypeError, match="argument 1"):
        nn.Sequential(nn.ReLU(), lambda x: x)


def test_forward_backward_reaches_every_parameter_and_zero_grad_clears():
    net = Net()
    net.w.data[...] = np.eye(2)
    net(ag.randn(4, 2)).sum().backward()
    assert all(p.grad is not None and p.grad.shape == p.shape for p in net.parameters())
    net.zero_grad()
    assert all(p.grad is None for p in net.parameters())


def test_requires_grad_freezes_and_apply_visits_every_module():
    model = nn.Sequential(nn.Linear(2, 3), nn.Sequential(nn.Linear(3, 1), nn.ReLU()))
    assert model.requires_grad_(False) is model
    assert not any(p.requires_grad for p in model.parameters())
    model.requires_grad_()
    seen = []
    model.apply(lambda m: seen.append(type(m).__name__))
    assert seen == ["Linear", "Linear", "ReLU", "Sequential", "Sequential"]  # post-order
    model.apply(lambda m: nn.init.zeros_(m.weight) if isinstance(m, nn.Linear) else None)
    assert all((m.weight.data == 0).all() for m in model.modules() if isinstance(m, nn.Linear))


def test_train_eval_propagate():
    model = nn.Sequential(nn.Linear(2, 2), nn.Sequential(nn.Dropout(0.5)))
    assert model.training and model[1][0].training
    assert model.eval() is model
    assert not any(m.training for m in model.modules())
    model.train()
    assert all(m.training for m in model.modules())


def test_forward_must_be_defined():
    class Empty(nn.Module):
        pass

    with pytest.raises(NotImplementedError, match="Empty"):
        Empty()(1)


def test_state_dict_is_a_copy_and_round_trips():
    a, b = Net(), Net()
    sd = a.state_dict()
    assert list(sd) == [n for n, _ in a.named_parameters()]
    sd["w"][...] = 7  # a copy: the model is unchanged
    assert not (a.w.data == 7).any()
    b.load_state_dict(a.state_dict())
    for (n1, p1), (n2, p2) in zip(a.named_parameters(), b.named_parameters()):
        assert n1 == n2 and np.array_equal(p1.data, p2.data) and p1 is not p2


def test_load_state_dict_accepts_tensors_and_converts_dtype():
    layer = nn.Linear(2, 3)
    weight = layer.weight  # loading writes in place: the Parameter objects stay
    layer.load_state_dict({"weight": ag.ones(3, 2, dtype=np.float64), "bias": np.zeros(3)})
    assert layer.weight is weight and layer.weight.dtype == np.float32
    assert (layer.weight.data == 1).all() and (layer.bias.data == 0).all()


def test_load_state_dict_rejects_missing_unexpected_and_misshaped():
    layer = nn.Linear(2, 3)
    before = layer.weight.data.copy()
    with pytest.raises(RuntimeError, match="missing key.*'bias'"):
        layer.load_state_dict({"weight": np.zeros((3, 2))})
    with pytest.raises(RuntimeError, match="unexpected key.*'extra'"):
        layer.load_state_dict({**layer.state_dict(), "extra": np.zeros(1)})
    with pytest.raises(RuntimeError, match=r"'weight'.*\(2, 3\).*\(3, 2\)"):
        layer.load_state_dict({"weight": np.zeros((2, 3)), "bias": np.zeros(3)})
    assert np.array_equal(layer.weight.data, before)  # nothing was copied on error
    missing, unexpected = layer.load_state_dict({"weight": np.zeros((3, 2)), "x": 1},
                                                strict=False)
    assert missing == ["bias"] and unexpected == ["x"] and (layer.weight.data == 0).all()


def test_save_and_load_npz(tmp_path):
    a, b = Net(), Net()
    a.save(tmp_path / "net.npz")
    assert b.load(tmp_path / "net.npz") is b
    for p1, p2 in zip(a.parameters(), b.parameters()):
        assert np.array_equal(p1.data, p2.data)
    a.save(tmp_path / "plain")  # numpy adds the suffix; load finds it
    c = Net().load(tmp_path / "plain")
    assert np.array_equal(c.heads["b"].inner.weight.data, a.heads["b"].inner.weight.data)
    with pytest.raises(RuntimeError, match="missing key"):
        nn.Linear(2, 2).load(tmp_path / "net.npz")


def test_deepcopy_and_pickle_give_independent_working_models():
    import copy
    import pickle

    model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))
    x = ag.randn(2, 3)
    for clone in (copy.deepcopy(model), pickle.loads(pickle.dumps(model))):
        assert isinstance(clone[0].weight, nn.Parameter) and clone[0].weight.requires_grad
        assert not np.shares_memory(clone[0].weight.data, model[0].weight.data)
        assert np.allclose(clone(x).data, model(x).data)


def test_repr_is_nested_and_readable():
    model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Sequential(nn.Dropout(0.1)),
                          nn.Linear(4, 2, bias=False))
    assert repr(model) == (
        "Sequential(\n"
        "  (0): Linear(in_features=3, out_features=4, bias=True)\n"
        "  (1): ReLU()\n"
        "  (2): Sequential(\n"
        "    (0): Dropout(p=0.1)\n"
        "  )\n"
        "  (3): Linear(in_features=4, out_features=2, bias=False)\n"
        ")")
    assert "(layers.0): Linear" in repr(Net())


# ---------------------------------------------------------------------------- buffers


class Norm(nn.Module):
    """A BatchNorm-shaped module: two Parameters, persistent buffers, a non-persistent one."""

    def __init__(self, n=3):
        self.weight = nn.Parameter(np.ones(n, np.float32))
        self.bias = nn.Parameter(np.zeros(n, np.float32))
        self.register_buffer("running_mean", ag.zeros(n))
        self.register_buffer("running_var", ag.ones(n))
        self.register_buffer("num_batches_tracked", ag.tensor(0))
        self.register_buffer("scratch", ag.zeros(n), persistent=False)

    def forward(self, x):
        self.running_mean.data[...] = 0.9 * self.running_mean.data + 0.1 * x.data.mean(0)
        self.num_batches_tracked.data[...] += 1
        return (x - self.running_mean) * self.weight + self.bias


def test_buffers_are_listed_and_saved_under_pytorchs_names():
    model = nn.Sequential(nn.Linear(3, 3), Norm(), nn.ReLU(), Norm())
    assert [n for n, _ in model.named_buffers()] == [
        "1.running_mean", "1.running_var", "1.num_batches_tracked", "1.scratch",
        "3.running_mean", "3.running_var", "3.num_batches_tracked", "3.scratch"]
    assert len(list(model.buffers())) == 8
    assert all(not b.requires_grad for b in model.buffers())
    assert list(model.state_dict()) == [
        "0.weight", "0.bias",
        "1.weight", "1.bias", "1.running_mean", "1.running_var", "1.num_batches_tracked",
        "3.weight", "3.bias", "3.running_mean", "3.running_var", "3.num_batches_tracked"]
    assert [n for n, _ in model.named_parameters()] == ["0.weight", "0.bias", "1.weight",
                                                        "1.bias", "3.weight", "3.bias"]
    assert model.state_dict()["1.num_batches_tracked"].dtype == np.int64
    assert [n for n, _ in model[1].named_buffers(recurse=False)][:1] == ["running_mean"]


def test_buffers_round_trip_through_save_and_load(tmp_path):
    a = nn.Sequential(nn.Linear(3, 3), Norm())
    for _ in range(3):
        a(ag.randn(8, 3))
    assert a[1].num_batches_tracked.item() == 3
    a.save(tmp_path / "m.npz")
    b = nn.Sequential(nn.Linear(3, 3), Norm())
    mean = b[1].running_mean
    b.load(tmp_path / "m.npz")
    assert b[1].running_mean is mean  # loaded in place
    assert np.array_equal(b[1].running_mean.data, a[1].running_mean.data)
    assert b[1].num_batches_tracked.item() == 3 and b[1].num_batches_tracked.dtype == np.int64
    x = ag.randn(4, 3)
    assert np.array_equal(a(x).data, b(x).data)


def test_missing_buffer_is_named_and_nothing_is_loaded():
    model = nn.Sequential(nn.Linear(3, 3), Norm())
    sd = model.state_dict()
    sd["0.weight"][...] = 5
    del sd["1.running_var"]
    with pytest.raises(RuntimeError, match=r"missing key\(s\): '1.running_var'"):
        model.load_state_dict(sd)
    assert not (model[0].weight.data == 5).any()
    sd = model.state_dict()
    sd["1.running_mean"] = np.zeros(4)
    with pytest.raises(RuntimeError, match=r"'1.running_mean'.*\(4,\).*buffer has shape \(3,\)"):
        model.load_state_dict(sd)
    sd = model.state_dict()
    sd["1.scratch"] = np.zeros(3)  # non-persistent: not part of the state
    with pytest.raises(RuntimeError, match=r"unexpected key\(s\): '1.scratch'"):
        model.load_state_dict(sd)


def test_buffer_reassignment_none_and_registration_errors():
    m = Norm()
    m.running_mean = ag.full((3,), 2.0)  # reassigning replaces the buffer
    assert m.state_dict()["running_mean"].tolist() == [2.0, 2.0, 2.0]
    m.running_var = None  # None: listed nowhere, not saved
    assert "running_var" not in m.state_dict()
    assert "running_var" not in dict(m.named_buffers())
    with pytest.raises(TypeError, match="buffer 'x'.*Tensor or None"):
        m.register_buffer("x", np.zeros(3))
    with pytest.raises(TypeError, match="Parameter"):
        m.register_buffer("x", nn.Parameter(np.zeros(3)))
    with pytest.raises(KeyError, match="contain"):
        m.register_buffer("a.b", ag.zeros(1))
    with pytest.raises(KeyError, match="empty"):
        m.register_buffer("", ag.zeros(1))
    with pytest.raises(TypeError, match="string"):
        m.register_buffer(3, ag.zeros(1))
    with pytest.raises(KeyError, match="'weight' already exists"):
        m.register_buffer("weight", ag.zeros(1))
    m.register_buffer("running_mean", ag.zeros(3))  # re-registering a buffer is fine


def test_register_parameter_and_add_module():
    m = nn.Module()
    m.register_parameter("w", nn.Parameter(np.ones(2)))
    m.add_module("inner", nn.Linear(2, 2))
    assert [n for n, _ in m.named_parameters()] == ["w", "inner.weight", "inner.bias"]
    with pytest.raises(TypeError, match="nn.Parameter"):
        m.register_parameter("v", ag.ones(2))
    with pytest.raises(TypeError, match="not a Module"):
        m.add_module("f", lambda x: x)


# ---------------------------------------------------------------------------- weight tying


class TiedLM(nn.Module):
    """nanoGPT's tying: the embedding table is the output layer's weight."""

    def __init__(self, vocab=7, dim=4):
        self.wte = nn.Linear(dim, vocab, bias=False)  # stands in for an embedding table
        self.lm_head = nn.Linear(dim, vocab, bias=False)
        self.wte.weight = self.lm_head.weight

    def forward(self, idx):
        x = self.wte.weight[idx]  # (B, dim): rows of the shared matrix
        return self.lm_head(x.tanh())


def test_weight_tying_counts_once_and_sums_both_gradients():
    model = TiedLM()
    params = list(model.parameters())
    assert len(params) == 1 and [n for n, _ in model.named_parameters()] == ["wte.weight"]
    assert list(model.state_dict()) == ["wte.weight", "lm_head.weight"]  # PyTorch lists both
    idx = np.array([0, 3, 3])
    model(idx).sum().backward()
    W = model.lm_head.weight.data.astype(np.float64)
    # by hand: out = tanh(W[idx]) @ W.T, so d/dW = (both uses) ones @ tanh(W[idx])
    #          + scatter of (ones @ W) * (1 - tanh²) into the rows idx
    h = np.tanh(W[idx])
    g_head = np.ones((3, 7)).T @ h
    g_rows = (np.ones((3, 7)) @ W) * (1 - h ** 2)
    g_embed = np.zeros_like(W)
    np.add.at(g_embed, idx, g_rows)
    assert np.allclose(params[0].grad.data, g_head + g_embed, rtol=1e-5, atol=1e-6)
    opt = nn.optim.SGD(model.parameters(), lr=0.1)
    opt.step()
    assert model.wte.weight is model.lm_head.weight
    clone = TiedLM()
    clone.load_state_dict(model.state_dict())
    assert clone.wte.weight is clone.lm_head.weight
    assert np.array_equal(clone.wte.weight.data, model.wte.weight.data)


# ---------------------------------------------------------------------------- Values


def test_value_attributes_are_parameters_and_state():
    class Scalar(nn.Module):
        def __init__(self):
            self.a = ag.Value(1.5)
            self.ws = [ag.Value(0.1), ag.Value(0.2)]
            self.named = {"c": ag.Value(-1.0)}
            self.inner = nn.Linear(1, 1)
            self.cached = self.a * 2  # computed, not a leaf: not a parameter

    m = Scalar()
    assert [n for n, _ in m.named_parameters()] == ["a", "ws.0", "ws.1", "named.c",
                                                    "inner.weight", "inner.bias"]
    sd = m.state_dict()
    assert sd["a"].shape == () and sd["a"].dtype == np.float64 and sd["ws.1"] == 0.2
    m2 = Scalar()
    m2.a.data = 9.0
    m2.load_state_dict(sd)
    assert m2.a.data == 1.5 and isinstance(m2.a.data, float)
    sd["ws.0"] = np.zeros(2)
    with pytest.raises(RuntimeError, match=r"'ws.0'.*\(2,\)"):
        m2.load_state_dict(sd)
    m.a.grad = 3.0
    m.zero_grad()
    assert m.a.grad == 0.0
    assert m.requires_grad_(False) is m and not m.inner.weight.requires_grad


def test_to_double_and_float_convert_parameters_and_buffers():
    m = nn.Sequential(nn.Linear(2, 2), Norm(2))
    w = m[0].weight
    m[0].weight.grad = ag.ones(2, 2)
    assert m.double() is m
    assert w is m[0].weight and w.dtype == np.float64 and w.grad.dtype == np.float64
    assert m[1].running_mean.dtype == np.float64
    assert m[1].num_batches_tracked.dtype == np.int64  # integer buffers stay
    assert m(ag.randn(3, 2, dtype=np.float64)).dtype == np.float64
    m.float()
    assert w.dtype == np.float32
    with pytest.raises(TypeError, match="floating"):
        m.to(np.int32)
