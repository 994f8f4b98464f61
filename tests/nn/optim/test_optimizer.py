"""The optimizer base: parameter groups, validation, state_dict and resuming, Values."""

import copy
import math
import pickle
import random

import numpy as np
import pytest

import autograd as ag
import nn
import nn.functional as F


def one():
    return nn.Parameter(np.ones(1))


# ---------------------------------------------------------------------------- validation

BAD = [  # (optimizer, keyword, value, words the message must contain)
    (nn.optim.SGD, "lr", -0.1, "lr=-0.1"),
    (nn.optim.SGD, "lr", math.nan, "lr=nan"),
    (nn.optim.SGD, "momentum", -0.5, "momentum=-0.5"),
    (nn.optim.SGD, "momentum", math.nan, "momentum=nan"),
    (nn.optim.SGD, "weight_decay", -1e-4, "weight_decay=-0.0001"),
    (nn.optim.SGD, "weight_decay", math.nan, "weight_decay=nan"),
    (nn.optim.Adam, "lr", -1, "learning rate"),
    (nn.optim.Adam, "lr", math.nan, "lr=nan"),
    (nn.optim.Adam, "eps", -1e-8, "eps=-1e-08"),
    (nn.optim.Adam, "eps", math.nan, "eps=nan"),
    (nn.optim.Adam, "weight_decay", -0.1, "weight_decay=-0.1"),
    (nn.optim.Adam, "betas", (0.9, 1.0), "betas[1]=1.0"),
    (nn.optim.Adam, "betas", (-0.1, 0.9), "betas[0]=-0.1"),
    (nn.optim.Adam, "betas", (math.nan, 0.9), "betas[0]=nan"),
    (nn.optim.Adam, "betas", (0.9,), "betas must be a pair"),
    (nn.optim.AdamW, "weight_decay", math.nan, "weight_decay=nan"),
    (nn.optim.AdamW, "betas", (0.9, math.nan), "betas[1]=nan"),
]


@pytest.mark.parametrize("cls,key,value,words", BAD,
                         ids=[f"{c.__name__}-{k}={v}" for c, k, v, _ in BAD])
def test_out_of_range_or_nan_hyperparameters_raise_naming_the_argument(cls, key, value, words):
    with pytest.raises(ValueError, match=f"{cls.__name__}: .*{__import__('re').escape(words)}"):
        cls([one()], **{key: value})
    with pytest.raises(ValueError, match=__import__("re").escape(words)):  # in a group too
        cls([{"params": [one()]}, {"params": [one()], key: value}])


def test_other_argument_errors():
    with pytest.raises(ValueError, match="empty parameter list"):
        nn.optim.SGD([], lr=0.1)
    with pytest.raises(ValueError, match="Nesterov"):
        nn.optim.SGD([one()], lr=0.1, nesterov=True)
    with pytest.raises(ValueError, match="Nesterov"):
        nn.optim.SGD([one()], lr=0.1, momentum=0.9, dampening=0.1, nesterov=True)
    with pytest.raises(TypeError, match="parameter 1 is a str"):
        nn.optim.SGD([one(), "w"], lr=0.1)
    with pytest.raises(ValueError, match="non-leaf"):
        nn.optim.SGD([one() * 2], lr=0.1)
    with pytest.raises(TypeError, match="sets"):
        nn.optim.SGD({one()}, lr=0.1)
    with pytest.raises(TypeError, match="iterable"):
        nn.optim.SGD(one(), lr=0.1)
    with pytest.raises(ValueError, match="more than one parameter group"):
        p = one()
        nn.optim.SGD([{"params": [p]}, {"params": [p]}], lr=0.1)
    with pytest.raises(ValueError, match="required optimization parameter lr"):
        class Needs(nn.optim.Optimizer):
            def __init__(self, params, lr=nn.optim.required):
                super().__init__(params, {"lr": lr})
        Needs([one()])
    with pytest.warns(UserWarning, match="more than once"):
        p = one()
        nn.optim.SGD([p, p], lr=0.1)
    # a leaf that does not require grad is accepted (and skipped while it has no gradient)
    frozen = ag.ones(2)
    opt = nn.optim.SGD([frozen], lr=0.1)
    opt.step()
    assert (frozen.data == 1).all()
    assert nn.optim.AdamW([one()]).defaults["weight_decay"] == 0.01


# ---------------------------------------------------------------------------- groups


def test_param_groups_take_defaults_and_their_own_values():
    a, b, c = one(), one(), one()
    groups = [{"params": [a, b], "weight_decay": 0.1}, {"params": c, "weight_decay": 0.0}]
    opt = nn.optim.AdamW(groups, lr=3e-4, betas=(0.9, 0.95))
    g0, g1 = opt.param_groups
    assert g0["params"] == [a, b] and g1["params"] == [c]  # a single Tensor becomes a list
    assert (g0["weight_decay"], g1["weight_decay"]) == (0.1, 0.0)
    assert g0["lr"] == g1["lr"] == 3e-4 and g1["betas"] == (0.9, 0.95)
    assert set(g0) == {"params", "lr", "betas", "eps", "weight_decay", "amsgrad", "maximize"}
    assert g0 is groups[0]  # the caller's dict is the group, as in PyTorch
    d = one()
    opt.add_param_group({"params": [d], "lr": 1.0})
    assert opt.param_groups[2]["lr"] == 1.0 and opt.param_groups[2]["weight_decay"] == 0.01
    with pytest.raises(ValueError, match="more than one"):
        opt.add_param_group({"params": [a]})
    with pytest.raises(ValueError, match="lr=-1"):
        opt.add_param_group({"params": [one()], "lr": -1})
    assert len(opt.param_groups) == 3
    assert "Parameter Group 2" in repr(opt) and "lr: 1.0" in repr(opt)


def test_changing_a_groups_lr_changes_its_step():
    a, b = one(), one()
    opt = nn.optim.SGD([{"params": [a]}, {"params": [b]}], lr=0.1)
    opt.param_groups[1]["lr"] = 0.5
    a.grad, b.grad = ag.Tensor(np.ones(1)), ag.Tensor(np.ones(1))
    opt.step()
    assert np.allclose(a.data, 0.9) and np.allclose(b.data, 0.5)


def test_zero_grad_none_or_zeros_and_closure():
    p = one()
    opt = nn.optim.SGD([p], lr=0.1)
    p.grad = ag.Tensor(np.full(1, 3.0))
    opt.zero_grad(set_to_none=False)
    assert p.grad is not None and (p.grad.data == 0).all()
    opt.zero_grad()
    assert p.grad is None

    def closure():
        opt.zero_grad()
        loss = (p * p).sum()
        loss.backward()
        return loss

    loss = opt.step(closure)
    assert loss.item() == 1.0 and np.allclose(p.data, 0.8)


# ---------------------------------------------------------------------------- state_dict

def _make(seed, opt_name):
    ag.manual_seed(seed)
    model = nn.Sequential(nn.Linear(4, 16), nn.Tanh(), nn.Linear(16, 3))
    decay = [p for n, p in model.named_parameters() if n.endswith("weight")]
    no_decay = [p for n, p in model.named_parameters() if n.endswith("bias")]
    groups = [{"params": decay, "weight_decay": 0.1}, {"params": no_decay, "weight_decay": 0.0}]
    if opt_name == "adamw":
        opt = nn.optim.AdamW(groups, lr=1e-2, amsgrad=True)
    elif opt_name == "adam":
        opt = nn.optim.Adam(groups, lr=1e-2)
    else:
        opt = nn.optim.SGD(groups, lr=0.05, momentum=0.9, nesterov=True)
    warmup = nn.optim.lr_scheduler.LinearLR(opt, start_factor=0.1, total_iters=3)
    cosine = nn.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=20, eta_min=1e-4)
    sched = nn.optim.lr_scheduler.SequentialLR(opt, [warmup, cosine], milestones=[3])
    return model, opt, sched


def _batch(i):
    rng = np.random.default_rng(100 + i)
    return ag.tensor(rng.normal(size=(8, 4)).astype(np.float32)), rng.integers(0, 3, 8)


def _train(model, opt, sched, steps, start=0):
    for i in range(start, start + steps):
        x, y = _batch(i)
        loss = F.cross_entropy(model(x), y)
        opt.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        sched.step()


@pytest.mark.parametrize("opt_name", ["adamw", "adam", "sgd"])
def test_resumed_run_continues_bit_for_bit(tmp_path, opt_name):
    """Train N steps, save model, optimizer and scheduler, build new ones, load, continue:
    the weights equal those of the uninterrupted run exactly."""
    model, opt, sched = _make(0, opt_name)
    _train(model, opt, sched, 12)
    reference = [p.data.copy() for p in model.parameters()]

    model, opt, sched = _make(0, opt_name)
    _train(model, opt, sched, 5)
    model.save(tmp_path / "model.npz")
    with open(tmp_path / "opt.pkl", "wb") as f:
        pickle.dump({"opt": opt.state_dict(), "sched": sched.state_dict()}, f)
    del model, opt, sched

    model, opt, sched = _make(1, opt_name)  # other initial weights: all must come from disk
    model.load(tmp_path / "model.npz")
    with open(tmp_path / "opt.pkl", "rb") as f:
        saved = pickle.load(f)
    opt.load_state_dict(saved["opt"])
    sched.load_state_dict(saved["sched"])
    _train(model, opt, sched, 7, start=5)
    for got, want in zip(model.parameters(), reference):
        assert np.array_equal(got.data, want)


def test_state_dict_has_pytorchs_structure_and_is_a_copy():
    model, opt, sched = _make(0, "adamw")
    _train(model, opt, sched, 2)
    sd = opt.state_dict()
    assert set(sd) == {"state", "param_groups"}
    assert [g["params"] for g in sd["param_groups"]] == [[0, 1], [2, 3]]
    assert sorted(sd["state"]) == [0, 1, 2, 3]
    s0 = sd["state"][0]
    assert set(s0) == {"step", "exp_avg", "exp_avg_sq", "max_exp_avg_sq"} and s0["step"] == 2
    assert s0["exp_avg"].shape == (16, 4) and s0["exp_avg"].dtype == np.float32
    assert sd["param_groups"][0]["weight_decay"] == 0.1
    assert sd["param_groups"][0]["initial_lr"] == 1e-2  # what the scheduler stored
    s0["exp_avg"][...] = 99  # a copy: the optimizer is unchanged
    first = model[0].weight
    assert not (opt.state[first]["exp_avg"] == 99).any()
    sgd = nn.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    assert sgd.state_dict()["state"] == {}


def test_load_state_dict_checks_and_changes_nothing_on_error():
    model, opt, sched = _make(0, "adam")
    _train(model, opt, sched, 2)
    good = opt.state_dict()
    before = copy.deepcopy(opt.state_dict())
    bad = copy.deepcopy(good)
    bad["param_groups"] = bad["param_groups"][:1]
    with pytest.raises(ValueError, match="1 parameter groups"):
        opt.load_state_dict(bad)
    bad = copy.deepcopy(good)
    bad["param_groups"][1]["params"] = [2]
    with pytest.raises(ValueError, match="group 1 has 1 parameters"):
        opt.load_state_dict(bad)
    bad = copy.deepcopy(good)
    bad["state"][1]["exp_avg"] = np.zeros(5)
    with pytest.raises(ValueError, match=r"'exp_avg' of parameter 1 has shape \(5,\)"):
        opt.load_state_dict(bad)
    bad = copy.deepcopy(good)
    bad["param_groups"][0]["lr"] = -1.0
    with pytest.raises(ValueError, match="lr=-1.0"):
        opt.load_state_dict(bad)
    after = opt.state_dict()
    assert after["param_groups"] == before["param_groups"]
    for k in before["state"]:
        for key, v in before["state"][k].items():
            assert np.array_equal(after["state"][k][key], v)


def test_load_state_dict_casts_to_the_parameters_dtype():
    p = nn.Parameter(np.ones(3, np.float32))
    opt = nn.optim.Adam([p])
    opt.load_state_dict({"state": {0: {"step": np.float32(4.0), "exp_avg": np.full(3, 0.5),
                                       "exp_avg_sq": ag.ones(3, dtype=np.float64)}},
                         "param_groups": [{**opt.defaults, "lr": 0.5, "params": [0]}]})
    assert opt.state[p]["exp_avg"].dtype == np.float32 and opt.state[p]["step"] == 4
    assert type(opt.state[p]["step"]) is int
    assert opt.param_groups[0]["lr"] == 0.5 and opt.param_groups[0]["params"] == [p]


# ---------------------------------------------------------------------------- Values


class Neuron(nn.Module):
    """micrograd's neuron, on nn.Module: its Values are found as parameters."""

    def __init__(self, nin, nonlin=True):
        self.w = [ag.Value(random.uniform(-1, 1)) for _ in range(nin)]
        self.b = ag.Value(0.0)
        self.nonlin = nonlin

    def __call__(self, x):
        act = sum((wi * xi for wi, xi in zip(self.w, x)), self.b)
        return act.tanh() if self.nonlin else act


class Layer(nn.Module):
    def __init__(self, nin, nout, **kw):
        self.neurons = [Neuron(nin, **kw) for _ in range(nout)]

    def __call__(self, x):
        out = [n(x) for n in self.neurons]
        return out[0] if len(out) == 1 else out


class MLP(nn.Module):
    def __init__(self, nin, nouts):
        sz = [nin] + nouts
        self.layers = [Layer(sz[i], sz[i + 1], nonlin=i != len(nouts) - 1)
                       for i in range(len(nouts))]

    def __call__(self, x):
        for layer in self.layers:
            x = layer(x)
        return x


def test_micrograd_style_scalar_mlp_trains_with_adam():
    random.seed(0)
    model = MLP(3, [4, 4, 1])
    params = list(model.parameters())
    assert len(params) == 4 * 4 + 4 * 5 + 5 and all(isinstance(p, ag.Value) for p in params)
    assert [id(p) for p in params] == [id(p) for _, p in model.named_parameters()]
    assert [id(m) for m in model.modules()] == [id(m) for _, m in model.named_modules()]
    names = [n for n, _ in model.named_parameters()]
    assert names[:5] == ["layers.0.neurons.0.w.0", "layers.0.neurons.0.w.1",
                         "layers.0.neurons.0.w.2", "layers.0.neurons.0.b",
                         "layers.0.neurons.1.w.0"]
    xs = [[2.0, 3.0, -1.0], [3.0, -1.0, 0.5], [0.5, 1.0, 1.0], [1.0, 1.0, -1.0]]
    ys = [1.0, -1.0, -1.0, 1.0]
    opt = nn.optim.Adam(model.parameters(), lr=0.05)
    losses = []
    for _ in range(60):
        loss = sum((model(x) - y) ** 2 for x, y in zip(xs, ys))
        opt.zero_grad()
        assert all(p.grad == 0.0 for p in params)
        loss.backward()
        opt.step()
        losses.append(loss.data)
    assert losses[-1] < 0.01 * losses[0]
    state = opt.state_dict()["state"]
    assert len(state) == len(params) and state[0]["step"] == 60
    assert isinstance(state[0]["exp_avg"], float)
    model.zero_grad()
    assert all(p.grad == 0.0 for p in params)


def test_value_parameters_resume_and_clip():
    random.seed(1)
    make = lambda: MLP(2, [3, 1])  # noqa: E731

    def train(model, opt, steps):
        for _ in range(steps):
            loss = (model([1.0, -2.0]) - 0.5) ** 2
            opt.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), 0.1)
            opt.step()

    a = make()
    b = copy.deepcopy(a)
    opt_a = nn.optim.SGD(a.parameters(), lr=0.1, momentum=0.9)
    train(a, opt_a, 8)
    opt_b = nn.optim.SGD(b.parameters(), lr=0.1, momentum=0.9)
    train(b, opt_b, 3)
    c = make()
    c.load_state_dict(b.state_dict())
    opt_c = nn.optim.SGD(c.parameters(), lr=0.1, momentum=0.9)
    opt_c.load_state_dict(pickle.loads(pickle.dumps(opt_b.state_dict())))
    train(c, opt_c, 5)
    assert [p.data for p in c.parameters()] == [p.data for p in a.parameters()]
