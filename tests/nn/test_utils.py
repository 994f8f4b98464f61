"""Gradient clipping against PyTorch's formula: total = ‖(‖g_i‖_p)_i‖_p, then every gradient
times min(1, max_norm / (total + 1e-6))."""

import math

import numpy as np
import pytest

import autograd as ag
import nn


def params_with_grads(dtype=np.float64, seed=0):
    rng = np.random.default_rng(seed)
    shapes = [(3, 4), (4,), (2, 2, 2)]
    ps = [nn.Parameter(rng.normal(size=s).astype(dtype)) for s in shapes]
    for p in ps:
        p.grad = ag.Tensor(rng.normal(scale=3.0, size=p.shape).astype(dtype))
    return ps


def reference_total(grads, p):
    flat = np.concatenate([g.ravel() for g in grads])
    if p == math.inf:
        return np.abs(flat).max()
    return (np.abs(flat) ** p).sum() ** (1 / p)


@pytest.mark.parametrize("norm_type", [2.0, 1.0, 3.0, math.inf])
@pytest.mark.parametrize("max_norm", [0.5, 1e6])
def test_clip_grad_norm_matches_the_formula(norm_type, max_norm):
    ps = params_with_grads()
    before = [p.grad.data.copy() for p in ps]
    total = nn.utils.clip_grad_norm_(ps, max_norm, norm_type=norm_type)
    want = reference_total(before, norm_type)
    assert isinstance(total, ag.Tensor) and total.shape == ()
    assert np.isclose(total.item(), want, rtol=1e-12)
    coef = min(1.0, max_norm / (want + 1e-6))  # applied even when it is 1
    for p, g in zip(ps, before):
        assert np.allclose(p.grad.data, g * coef, rtol=1e-12)
    if max_norm < want:
        after = reference_total([p.grad.data for p in ps], norm_type)
        assert np.isclose(after, max_norm, rtol=1e-5)


def test_clip_grad_norm_float32_single_tensor_no_grads_and_generators():
    ps = params_with_grads(np.float32)
    total = nn.utils.clip_grad_norm_(iter(ps), 1.0)
    assert total.dtype == np.float32 and all(p.grad.dtype == np.float32 for p in ps)
    assert np.isclose(reference_total([p.grad.data for p in ps], 2), 1.0, rtol=1e-5)
    p = nn.Parameter(np.ones(3))
    p.grad = ag.Tensor(np.full(3, 4.0))
    assert np.isclose(nn.utils.clip_grad_norm_(p, 2.0).item(), math.sqrt(48))
    empty = nn.Parameter(np.ones(3))  # no gradient: nothing to clip, total 0
    assert nn.utils.clip_grad_norm_([empty], 1.0).item() == 0.0 and empty.grad is None


def test_clip_grad_norm_nonfinite():
    ps = params_with_grads()
    ps[0].grad.data[0, 0] = np.inf
    with pytest.raises(RuntimeError, match="non-finite"):
        nn.utils.clip_grad_norm_(ps, 1.0, error_if_nonfinite=True)
    assert np.isinf(nn.utils.clip_grad_norm_(ps, 1.0).item())


def test_clip_grad_norm_tells_the_in_place_guard():
    w = nn.Parameter(np.ones(3))
    x = ag.tensor(np.ones(3), requires_grad=True)
    (w * x).sum().backward(create_graph=True)
    g = w.grad  # a recorded gradient: an op that saves it, then clip it in place
    y = (g * g).sum()
    nn.utils.clip_grad_norm_([w], 0.1)
    with pytest.raises(RuntimeError, match="modified"):
        y.backward()


def test_clip_grad_value():
    ps = params_with_grads()
    before = [p.grad.data.copy() for p in ps]
    assert nn.utils.clip_grad_value_(ps, 0.75) is None
    for p, g in zip(ps, before):
        assert np.array_equal(p.grad.data, np.clip(g, -0.75, 0.75))


def test_clipping_value_parameters():
    vs = [ag.Value(1.0) for _ in range(3)]
    for v, g in zip(vs, [3.0, -4.0, 0.0]):
        v.grad = g
    total = nn.utils.clip_grad_norm_(vs, 1.0)
    assert np.isclose(total.item(), 5.0)
    assert np.allclose([v.grad for v in vs], np.array([3.0, -4.0, 0.0]) / (5.0 + 1e-6))
    nn.utils.clip_grad_value_(vs, 0.5)
    assert [v.grad for v in vs] == [0.5, -0.5, 0.0]
    with pytest.raises(TypeError, match="parameter 0 is a str"):
        nn.utils.clip_grad_value_(["w"], 1.0)
