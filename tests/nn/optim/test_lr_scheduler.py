"""Learning-rate schedulers: PyTorch's recursive forms against their closed forms."""

import math
import pickle

import numpy as np
import pytest

import nn
from nn.optim import lr_scheduler as S

BASE = [0.1, 0.02]  # two groups with different base rates: each follows its own schedule


def make_opt():
    return nn.optim.SGD([{"params": [nn.Parameter(np.ones(1))]},
                         {"params": [nn.Parameter(np.ones(1))], "lr": BASE[1]}], lr=BASE[0])


def rates(sched, epochs):
    """The rates of epochs 0..epochs-1: set at creation, then by each step()."""
    out = [sched.get_last_lr()]
    for _ in range(epochs - 1):
        sched.optimizer.step()
        sched.step()
        out.append(sched.get_last_lr())
    assert out[-1] == [g["lr"] for g in sched.optimizer.param_groups]
    return np.array(out)


def closed(fn, epochs):
    return np.array([[fn(b, e) for b in BASE] for e in range(epochs)])


def cosine(b, e, T=10, lo=1e-3):
    return lo + (b - lo) * (1 + math.cos(math.pi * e / T)) / 2


CASES = [
    ("StepLR", lambda o: S.StepLR(o, step_size=3, gamma=0.5),
     lambda b, e: b * 0.5 ** (e // 3), 12),
    ("MultiStepLR", lambda o: S.MultiStepLR(o, milestones=[2, 5, 5, 9], gamma=0.3),
     lambda b, e: b * 0.3 ** sum(m <= e for m in [2, 5, 5, 9]), 12),
    ("ExponentialLR", lambda o: S.ExponentialLR(o, gamma=0.9), lambda b, e: b * 0.9 ** e, 15),
    ("CosineAnnealingLR", lambda o: S.CosineAnnealingLR(o, T_max=10, eta_min=1e-3),
     cosine, 35),  # past T_max: back up and down again, as PyTorch's periodic form
    ("LambdaLR", lambda o: S.LambdaLR(o, lambda e: 1 / (1 + e)), lambda b, e: b / (1 + e), 10),
    ("LambdaLR per group", lambda o: S.LambdaLR(o, [lambda e: 0.5 ** e, lambda e: e + 1.0]),
     None, 8),
    ("LinearLR", lambda o: S.LinearLR(o, start_factor=0.25, end_factor=0.9, total_iters=4),
     lambda b, e: b * (0.25 + (0.9 - 0.25) * min(4, e) / 4), 10),
]


@pytest.mark.parametrize("name,make,formula,epochs", CASES, ids=[c[0] for c in CASES])
def test_scheduler_matches_its_closed_form(name, make, formula, epochs):
    got = rates(make(make_opt()), epochs)
    if formula is None:  # one lambda per group
        want = np.array([[BASE[0] * 0.5 ** e, BASE[1] * (e + 1.0)] for e in range(epochs)])
    else:
        want = closed(formula, epochs)
    assert np.allclose(got, want, rtol=1e-12, atol=1e-15)
    assert not np.allclose(got[-1], got[0])


def test_closed_form_jump_matches_the_recursion():
    for make in (lambda o: S.StepLR(o, 2, 0.5), lambda o: S.CosineAnnealingLR(o, 7),
                 lambda o: S.LinearLR(o, 0.1, total_iters=5), lambda o: S.ExponentialLR(o, .8)):
        walked = rates(make(make_opt()), 6)[-1]
        jumper = make(make_opt())
        jumper.step(5)
        assert np.allclose(jumper.get_last_lr(), walked, rtol=1e-12)


def test_sequential_warmup_then_cosine():
    opt = make_opt()
    warmup = S.LinearLR(opt, start_factor=0.01, end_factor=1.0, total_iters=5)
    decay = S.CosineAnnealingLR(opt, T_max=20, eta_min=1e-4)
    sched = S.SequentialLR(opt, [warmup, decay], milestones=[5])
    got = rates(sched, 30)

    def want(b, e):
        if e < 5:
            return b * (0.01 + 0.99 * e / 5)
        return cosine(b, e - 5, T=20, lo=1e-4)

    assert np.allclose(got, closed(want, 30), rtol=1e-12, atol=1e-15)


def test_sequential_validates():
    opt, other = make_opt(), make_opt()
    a = S.StepLR(opt, 2)
    with pytest.raises(ValueError, match="one more than the number of milestones"):
        S.SequentialLR(opt, [a, S.StepLR(opt, 3)], milestones=[])
    with pytest.raises(ValueError, match="same optimizer"):
        S.SequentialLR(opt, [a, S.StepLR(other, 3)], milestones=[2])
    with pytest.raises(ValueError, match="at least one"):
        S.SequentialLR(opt, [], milestones=[])


def test_two_schedulers_chain_on_one_optimizer():
    opt = make_opt()
    a = S.ExponentialLR(opt, gamma=0.9)
    b = S.StepLR(opt, step_size=2, gamma=0.5)
    for _ in range(6):
        opt.step()
        a.step()
        b.step()
    assert np.allclose(b.get_last_lr(), [x * 0.9 ** 6 * 0.5 ** 3 for x in BASE])


def test_state_dict_round_trip_continues_identically():
    def make(opt):
        w = S.LinearLR(opt, start_factor=0.1, total_iters=3)
        return S.SequentialLR(opt, [w, S.CosineAnnealingLR(opt, T_max=8)], milestones=[3])

    opt = make_opt()
    full = rates(make(opt), 12)
    opt = make_opt()
    sched = make(opt)
    rates(sched, 6)
    saved = pickle.loads(pickle.dumps((opt.state_dict(), sched.state_dict())))
    opt2 = make_opt()
    sched2 = make(opt2)
    opt2.load_state_dict(saved[0])
    sched2.load_state_dict(saved[1])
    rest = rates(sched2, 7)
    assert np.array_equal(rest, full[5:])


def test_lambda_state_dict_keeps_callable_objects_state():
    class Warm:
        def __init__(self):
            self.k = 2.0

        def __call__(self, e):
            return self.k * (e + 1)

    opt = make_opt()
    f = Warm()
    sched = S.LambdaLR(opt, f)
    f.k = 3.0
    sd = sched.state_dict()
    assert sd["lr_lambdas"] == [{"k": 3.0}, {"k": 3.0}]
    g = Warm()
    s2 = S.LambdaLR(make_opt(), g)
    s2.load_state_dict(sd)
    assert g.k == 3.0
    plain = S.LambdaLR(make_opt(), lambda e: 1.0).state_dict()
    assert plain["lr_lambdas"] == [None, None]


def test_initial_lr_and_resuming_checks():
    opt = make_opt()
    S.StepLR(opt, 2)
    assert [g["initial_lr"] for g in opt.param_groups] == BASE
    with pytest.raises(KeyError, match="initial_lr"):
        S.StepLR(make_opt(), 2, last_epoch=4)
    with pytest.raises(TypeError, match="not an Optimizer"):
        S.StepLR(object(), 2)
    with pytest.raises(ValueError, match="start_factor"):
        S.LinearLR(make_opt(), start_factor=0.0)
    with pytest.raises(ValueError, match="end_factor"):
        S.LinearLR(make_opt(), end_factor=1.5)
    with pytest.raises(ValueError, match="2 lr_lambdas"):
        S.LambdaLR(make_opt(), [lambda e: 1.0])
