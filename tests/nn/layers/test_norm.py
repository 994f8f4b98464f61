"""LayerNorm, RMSNorm and BatchNorm against numpy references from PyTorch's documented
formulas; BatchNorm's running statistics over several steps, in eval mode and through
save/load; errors that leave nothing half-applied."""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag
import nn
import nn.functional as F

rng = np.random.default_rng(2)


def test_layer_norm_matches_the_formula():
    x = rng.standard_normal((4, 3, 5)) * 3 + 1
    w, b = rng.standard_normal((3, 5)), rng.standard_normal((3, 5))
    out = F.layer_norm(ag.tensor(x), (3, 5), ag.tensor(w), ag.tensor(b), eps=1e-3)
    mean = x.mean(axis=(1, 2), keepdims=True)
    var = x.var(axis=(1, 2), keepdims=True)  # biased, as PyTorch documents
    np.testing.assert_allclose(out.data, (x - mean) / np.sqrt(var + 1e-3) * w + b, rtol=1e-12)


def test_layer_norm_module():
    ln = nn.LayerNorm(6)
    assert repr(ln) == "LayerNorm((6,), eps=1e-05, elementwise_affine=True)"
    np.testing.assert_array_equal(ln.weight.data, np.ones(6))
    np.testing.assert_array_equal(ln.bias.data, np.zeros(6))
    y = ln(ag.randn(2, 4, 6))
    assert y.dtype == np.float32
    np.testing.assert_allclose(y.data.mean(-1), 0, atol=1e-6)
    assert nn.LayerNorm(6, elementwise_affine=False).weight is None
    assert nn.LayerNorm(6, bias=False).bias is None
    with pytest.raises(RuntimeError, match=r"normalized_shape=\[6\], expected input with "
                       r"shape \[\*, 6\], but got input of size \[2, 5\]"):
        ln(ag.randn(2, 5))


def test_rms_norm_matches_the_formula():
    x, w = rng.standard_normal((3, 4)), rng.standard_normal(4)
    out = F.rms_norm(ag.tensor(x), (4,), ag.tensor(w), eps=1e-6)
    np.testing.assert_allclose(out.data, x / np.sqrt((x * x).mean(-1, keepdims=True) + 1e-6) * w,
                               rtol=1e-12)
    # eps=None is the dtype's machine epsilon
    x32 = np.float32([[1e-4, -2e-4]])
    got = nn.RMSNorm(2)(ag.tensor(x32)).data
    eps = np.finfo(np.float32).eps
    np.testing.assert_allclose(got, x32 / np.sqrt((x32 * x32).mean() + eps), rtol=1e-6)


def batch_norm_reference(xs, momentum=0.1, eps=1e-5):
    """PyTorch's BatchNorm in training over a list of batches: each output from the batch's
    statistics (biased variance); running mean and *unbiased* variance averaged with
    ``momentum``."""
    c = xs[0].shape[1]
    rm, rv = np.zeros(c), np.ones(c)
    outs = []
    for x in xs:
        axes = (0,) + tuple(range(2, x.ndim))
        shape = (1, c) + (1,) * (x.ndim - 2)
        m, v = x.mean(axis=axes), x.var(axis=axes)
        n = x.size // c
        outs.append((x - m.reshape(shape)) / np.sqrt(v.reshape(shape) + eps))
        rm = (1 - momentum) * rm + momentum * m
        rv = (1 - momentum) * rv + momentum * v * n / (n - 1)
    return outs, rm, rv


@pytest.mark.parametrize("module,shape", [(nn.BatchNorm1d, (8, 3)),
                                          (nn.BatchNorm1d, (4, 3, 5)),
                                          (nn.BatchNorm2d, (4, 3, 2, 3))])
def test_batch_norm_running_statistics_over_several_steps(module, shape):
    bn = module(3, dtype=np.float64)
    xs = [rng.standard_normal(shape) * (i + 1) + i for i in range(5)]
    outs, rm, rv = batch_norm_reference(xs)
    for x, ref in zip(xs, outs):
        np.testing.assert_allclose(bn(ag.tensor(x)).data, ref, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(bn.running_mean.data, rm, rtol=1e-12)
    np.testing.assert_allclose(bn.running_var.data, rv, rtol=1e-12)
    assert int(bn.num_batches_tracked.data) == 5
    # eval mode: the running statistics normalize, and nothing is updated
    bn.eval()
    x = rng.standard_normal(shape)
    c_shape = (1, 3) + (1,) * (len(shape) - 2)
    expect = (x - rm.reshape(c_shape)) / np.sqrt(rv.reshape(c_shape) + 1e-5)
    np.testing.assert_allclose(bn(ag.tensor(x)).data, expect, rtol=1e-10)
    np.testing.assert_allclose(bn.running_mean.data, rm, rtol=1e-12)
    assert int(bn.num_batches_tracked.data) == 5


def test_batch_norm_state_survives_save_and_load(tmp_path):
    model = nn.Sequential(nn.Linear(4, 3), nn.BatchNorm1d(3))
    for _ in range(3):
        model(ag.randn(16, 4))
    path = tmp_path / "bn.npz"
    model.save(path)
    assert {"1.running_mean", "1.running_var", "1.num_batches_tracked"} <= set(
        model.state_dict())
    fresh = nn.Sequential(nn.Linear(4, 3), nn.BatchNorm1d(3))
    fresh.load(path)
    for name in ("running_mean", "running_var", "num_batches_tracked"):
        np.testing.assert_array_equal(getattr(fresh[1], name).data, getattr(model[1], name).data)
    assert fresh[1].num_batches_tracked.dtype == np.int64
    model.eval()
    fresh.eval()
    x = ag.randn(5, 4)
    np.testing.assert_array_equal(fresh(x).data, model(x).data)
    state = model.state_dict()
    del state["1.running_var"]
    with pytest.raises((KeyError, RuntimeError), match="running_var"):
        fresh.load_state_dict(state)


def test_batch_norm_affine_parameters_and_gradients():
    bn = nn.BatchNorm1d(3, dtype=np.float64)
    assert [n for n, _ in bn.named_parameters()] == ["weight", "bias"]
    assert [n for n, _ in bn.named_buffers()] == ["running_mean", "running_var",
                                                 "num_batches_tracked"]
    x = ag.tensor(rng.standard_normal((6, 3)), requires_grad=True)
    assert ag.gradcheck(lambda t: bn(t) * ag.tensor(np.arange(18.0).reshape(6, 3)), (x,))
    y = bn(x)
    (y * y).sum().backward()
    assert bn.weight.grad.shape == (3,) and x.grad.shape == (6, 3)


def test_momentum_none_is_a_cumulative_average():
    bn = nn.BatchNorm1d(2, momentum=None, dtype=np.float64)
    xs = [rng.standard_normal((5, 2)) for _ in range(3)]
    for x in xs:
        bn(ag.tensor(x))
    np.testing.assert_allclose(bn.running_mean.data, np.mean([x.mean(0) for x in xs], axis=0))
    np.testing.assert_allclose(bn.running_var.data, np.mean([x.var(0, ddof=1) for x in xs],
                                                            axis=0))


def test_without_running_statistics_batch_statistics_always_normalize():
    bn = nn.BatchNorm2d(2, track_running_stats=False, affine=False)
    assert list(bn.state_dict()) == [] and bn.running_mean is None
    bn.eval()
    y = bn(ag.randn(4, 2, 3, 3))
    np.testing.assert_allclose(y.data.mean(axis=(0, 2, 3)), 0, atol=1e-6)


def test_one_value_per_channel_in_training_is_refused_and_changes_nothing():
    bn = nn.BatchNorm1d(10)
    with pytest.raises(ValueError, match=r"expected more than 1 value per channel when "
                       r"training, got input size \(1, 10\)"):
        bn(ag.randn(1, 10))
    assert int(bn.num_batches_tracked.data) == 0
    np.testing.assert_array_equal(bn.running_mean.data, np.zeros(10))
    np.testing.assert_array_equal(bn.running_var.data, np.ones(10))
    bn.eval()
    assert bn(ag.randn(1, 10)).shape == (1, 10)  # fine in eval mode
    with pytest.raises(ValueError, match="expected 4D input"):
        nn.BatchNorm2d(3)(ag.randn(2, 3))
    with pytest.raises(ValueError, match=r"running_mean must have shape \(3,\)"):
        F.batch_norm(ag.randn(2, 3), np.zeros(4), np.ones(3), training=True)
