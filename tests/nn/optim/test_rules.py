"""Optimizers against hand-written loops of the update rules in PyTorch's documentation.

The objective is ``f(p) = sum(w · (p - c)²)`` (gradient ``2w(p - c)``), so every step's gradient
depends on the previous updates; the engine computes it, the reference uses the formula.
``maximize`` negates the gradient before anything else, as PyTorch's implementation does (its
pseudo-code shows the sign flip at the update, which differs only with weight decay: there the
implementation keeps decaying the weights, and so do we).
"""

import math

import numpy as np
import pytest

import autograd as ag
import nn

RNG = np.random.default_rng(0)
P0 = RNG.normal(size=(3, 4))
C = RNG.normal(size=(3, 4))
W = RNG.uniform(0.5, 2.0, size=(3, 4))
STEPS = 6


def grad_of(p):
    return 2 * W * (p - C)


def run(make_opt, steps=STEPS):
    p = nn.Parameter(P0.copy())
    opt = make_opt([p])
    for _ in range(steps):
        opt.zero_grad()
        (ag.Tensor(W) * (p - C) ** 2).sum().backward()
        opt.step()
    return p.data


def sgd_reference(lr, momentum=0.0, dampening=0.0, weight_decay=0.0, nesterov=False,
                  maximize=False):
    p, buf = P0.copy(), None
    for t in range(1, STEPS + 1):
        g = -grad_of(p) if maximize else grad_of(p)
        if weight_decay:
            g = g + weight_decay * p
        if momentum:
            buf = g if t == 1 else momentum * buf + (1 - dampening) * g
            g = g + momentum * buf if nesterov else buf
        p = p - lr * g
    return p


def adam_reference(lr, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, amsgrad=False,
                   decoupled=False, maximize=False):
    b1, b2 = betas
    p = P0.copy()
    m = np.zeros_like(p)
    v = np.zeros_like(p)
    v_max = np.zeros_like(p)
    for t in range(1, STEPS + 1):
        g = -grad_of(p) if maximize else grad_of(p)
        if decoupled:
            p = p - lr * weight_decay * p
        elif weight_decay:
            g = g + weight_decay * p
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        m_hat = m / (1 - b1 ** t)
        if amsgrad:
            v_max = np.maximum(v_max, v)
            v_hat = v_max / (1 - b2 ** t)
        else:
            v_hat = v / (1 - b2 ** t)
        p = p - lr * m_hat / (np.sqrt(v_hat) + eps)
    return p


SGD_CASES = [
    dict(lr=0.1),
    dict(lr=0.05, momentum=0.9),
    dict(lr=0.05, momentum=0.9, dampening=0.3),
    dict(lr=0.05, momentum=0.8, nesterov=True),
    dict(lr=0.1, weight_decay=0.1),
    dict(lr=0.05, momentum=0.9, weight_decay=0.05, nesterov=True),
    dict(lr=0.01, momentum=0.5, maximize=True),
    dict(lr=0.01, weight_decay=0.1, maximize=True),
]


@pytest.mark.parametrize("kw", SGD_CASES, ids=lambda kw: ",".join(f"{k}={v}" for k, v in
                                                                   kw.items()))
def test_sgd_matches_pytorch_rule(kw):
    got = run(lambda ps: nn.optim.SGD(ps, **kw))
    assert np.allclose(got, sgd_reference(**kw), rtol=1e-12, atol=1e-12)
    assert not np.allclose(got, P0)


ADAM_CASES = [
    dict(lr=0.1),
    dict(lr=0.05, betas=(0.8, 0.99), eps=1e-6),
    dict(lr=0.05, weight_decay=0.1),
    dict(lr=0.05, amsgrad=True),
    dict(lr=0.05, maximize=True, weight_decay=0.01),
]


@pytest.mark.parametrize("kw", ADAM_CASES, ids=lambda kw: ",".join(f"{k}={v}" for k, v in
                                                                    kw.items()))
def test_adam_matches_pytorch_rule(kw):
    got = run(lambda ps: nn.optim.Adam(ps, **kw))
    assert np.allclose(got, adam_reference(**kw), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("kw", [dict(lr=0.1), dict(lr=0.05, weight_decay=0.2, amsgrad=True)])
def test_adamw_matches_pytorch_rule(kw):
    got = run(lambda ps: nn.optim.AdamW(ps, **kw))
    ref = adam_reference(decoupled=True, **{"weight_decay": 0.01, **kw})
    assert np.allclose(got, ref, rtol=1e-10, atol=1e-12)
    assert not np.allclose(got, adam_reference(lr=kw["lr"]))  # the decay did something


def test_adam_first_step_moves_every_weight_by_lr():
    p = nn.Parameter(np.array([1.0, -2.0, 3.0]))
    opt = nn.optim.Adam([p], lr=0.01)
    p.grad = ag.Tensor(np.array([5.0, -0.1, 1e-3]))
    opt.step()  # m̂ = g and v̂ = g², so the step is lr·sign(g) (up to eps)
    assert np.allclose(p.data, [0.99, -1.99, 2.99], atol=1e-7)


def test_float32_parameters_stay_float32_and_update_in_place():
    layer = nn.Linear(3, 2)
    data = layer.weight.data
    for opt in (nn.optim.SGD(layer.parameters(), lr=0.1, momentum=0.9),
                nn.optim.Adam(layer.parameters()), nn.optim.AdamW(layer.parameters())):
        layer(ag.randn(4, 3)).sum().backward()
        opt.step()
        opt.zero_grad()
        assert np.shares_memory(layer.weight.data, data) and layer.weight.dtype == np.float32
        assert layer.weight.grad is None


def test_step_between_forward_and_backward_is_caught_by_the_in_place_guard():
    layer = nn.Linear(3, 2)
    opt = nn.optim.SGD(layer.parameters(), lr=0.1)
    layer(ag.randn(4, 3)).sum().backward()
    loss = layer(ag.randn(4, 3)).sum()  # records the weight's current values
    opt.step()  # changes them in place
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        loss.backward()


def test_parameters_without_gradient_are_skipped():
    a, b = nn.Parameter(np.ones(2)), nn.Parameter(np.ones(2))
    opt = nn.optim.SGD([a, b], lr=0.5, momentum=0.9)
    a.grad = ag.Tensor(np.ones(2))
    opt.step()
    assert np.allclose(a.data, 0.5) and np.allclose(b.data, 1)


def test_training_a_regression_converges():
    ag.manual_seed(0)
    x = ag.randn(64, 3)
    true_w = np.array([[1.5, -2.0, 0.5]], np.float32)
    y = ag.Tensor(x.data @ true_w.T + 0.3)
    model = nn.Linear(3, 1)
    opt = nn.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    for _ in range(200):
        loss = nn.MSELoss()(model(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
    assert loss.item() < 1e-6
    assert np.allclose(model.weight.data, true_w, atol=1e-3)
    assert math.isclose(model.bias.item(), 0.3, abs_tol=1e-3)


def test_maximize_climbs():
    up = run(lambda ps: nn.optim.SGD(ps, lr=0.01, maximize=True))
    down = run(lambda ps: nn.optim.SGD(ps, lr=0.01))
    f = lambda p: (W * (p - C) ** 2).sum()  # noqa: E731
    assert f(up) > f(P0) > f(down)


@pytest.mark.parametrize("make", [
    lambda ps: nn.optim.SGD(ps, lr=0.05, momentum=0.9, nesterov=True, weight_decay=0.01),
    lambda ps: nn.optim.Adam(ps, lr=0.05, amsgrad=True, weight_decay=0.1),
    lambda ps: nn.optim.AdamW(ps, lr=0.05, maximize=True),
])
def test_per_group_hyperparameters_give_each_group_its_own_rule(make):
    """Two groups with different rates: each moves exactly as a one-group optimizer with that
    group's settings would."""
    a, b = nn.Parameter(P0.copy()), nn.Parameter(P0.copy())
    opt = make([{"params": [a]}, {"params": [b], "lr": 0.001}])
    for _ in range(STEPS):
        opt.zero_grad()
        ((ag.Tensor(W) * (a - C) ** 2).sum() + (ag.Tensor(W) * (b - C) ** 2).sum()).backward()
        opt.step()
    alone = run(make)
    opt_b = make([nn.Parameter(np.zeros(1))])
    kw = {k: v for k, v in opt_b.defaults.items()}
    slow = run(lambda ps: type(opt_b)(ps, **{**kw, "lr": 0.001}))
    assert np.array_equal(a.data, alone) and np.array_equal(b.data, slow)
    assert not np.allclose(a.data, b.data)


@pytest.mark.parametrize("make", [
    lambda ps: nn.optim.SGD(ps, lr=0.05, momentum=0.9, dampening=0.1, weight_decay=0.01),
    lambda ps: nn.optim.SGD(ps, lr=0.05, momentum=0.9, nesterov=True, maximize=True),
    lambda ps: nn.optim.Adam(ps, lr=0.05, amsgrad=True, weight_decay=0.1),
    lambda ps: nn.optim.AdamW(ps, lr=0.05, betas=(0.8, 0.9)),
])
def test_value_parameters_follow_the_same_rule_as_float64_tensors(make):
    """Scalar ag.Value parameters (a micrograd network) take the update of a float64 Tensor
    holding the same numbers, to the last bits."""
    values = [ag.Value(x) for x in P0.ravel().tolist()]
    w, c = W.ravel().tolist(), C.ravel().tolist()
    opt = make(values)
    for _ in range(STEPS):
        opt.zero_grad()
        sum(wi * (v - ci) ** 2 for v, wi, ci in zip(values, w, c)).backward()
        opt.step()
    got = np.array([v.data for v in values]).reshape(P0.shape)
    assert np.allclose(got, run(make), rtol=1e-14, atol=1e-15)
    assert not np.allclose(got, P0)
