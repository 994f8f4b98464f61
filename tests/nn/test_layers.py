import math

import numpy as np
import pytest

import autograd as ag
import nn
import nn.functional as F


def f64(*shape, seed=0, scale=1.0):
    return ag.Tensor(np.random.default_rng(seed).normal(size=shape) * scale, requires_grad=True)


# ---------------------------------------------------------------------------- Linear


def test_linear_shapes_dtype_and_value():
    layer = nn.Linear(3, 4)
    assert layer.weight.shape == (4, 3) and layer.bias.shape == (4,)
    assert layer.weight.dtype == np.float32 and layer.bias.dtype == np.float32
    x = ag.randn(5, 3)
    y = layer(x)
    assert y.shape == (5, 4) and y.dtype == np.float32
    assert np.allclose(y.data, x.data @ layer.weight.data.T + layer.bias.data, atol=1e-6)
    wide = nn.Linear(3, 2, dtype=np.float64)
    assert wide.weight.dtype == np.float64 and wide(ag.randn(2, 3, dtype=np.float64)).dtype \
        == np.float64
    assert nn.Linear(3, 2, bias=False).bias is None
    assert [n for n, _ in nn.Linear(3, 2, bias=False).named_parameters()] == ["weight"]


def test_linear_handles_1d_and_batched_nd_inputs():
    layer = nn.Linear(3, 2, dtype=np.float64)
    x = f64(3)
    assert layer(x).shape == (2,)
    assert np.allclose(layer(x).data, layer.weight.data @ x.data + layer.bias.data)
    x3 = f64(4, 5, 3)
    y3 = layer(x3)
    assert y3.shape == (4, 5, 2)
    assert np.allclose(y3.data, x3.data @ layer.weight.data.T + layer.bias.data)


def test_linear_wrong_last_dimension_names_both_sizes():
    layer = nn.Linear(3, 4)
    with pytest.raises(ValueError, match=r"expects inputs with 3 features, got 5"):
        layer(ag.randn(2, 5))
    with pytest.raises(ValueError, match=r"3.*\(7,\)"):
        layer(ag.randn(7))
    with pytest.raises(ValueError, match=r"size 5.*expects 3"):
        F.linear(ag.randn(2, 5), layer.weight)
    with pytest.raises(ValueError, match=r"bias of shape \(3,\).*4 outputs"):
        F.linear(ag.randn(2, 3), layer.weight, ag.randn(3))


def test_linear_init_is_pytorch_default_and_seeded():
    ag.manual_seed(1)
    a = nn.Linear(400, 300)
    bound = 1 / math.sqrt(400)
    for p in (a.weight, a.bias):
        assert np.abs(p.data).max() <= bound
    w = a.weight.data
    assert np.abs(w).max() > 0.98 * bound  # fills the interval ...
    assert abs(w.std() - bound / math.sqrt(3)) < 0.01 * bound  # ... uniformly
    assert abs(w.mean()) < 0.01 * bound
    ag.manual_seed(1)
    b = nn.Linear(400, 300)
    assert np.array_equal(a.weight.data, b.weight.data) and np.array_equal(a.bias.data,
                                                                           b.bias.data)
    assert not np.array_equal(nn.Linear(400, 300).weight.data, a.weight.data)


@pytest.mark.parametrize("x_shape", [(4, 3), (3,), (2, 2, 3)])
def test_linear_op_gradcheck_and_gradgradcheck(x_shape):
    x, w, b = f64(*x_shape), f64(5, 3, seed=1), f64(5, seed=2)
    assert ag.gradcheck(F.linear, (x, w, b))
    assert ag.gradgradcheck(lambda x, w, b: F.linear(x, w, b) ** 2, (x, w, b))
    assert ag.gradcheck(lambda x, w: F.linear(x, w), (x, w))


def test_linear_gradients_by_hand():
    layer = nn.Linear(3, 2, dtype=np.float64)
    x = f64(4, 3)
    g = np.random.default_rng(5).normal(size=(4, 2))
    layer(x).backward(g)
    assert np.allclose(layer.weight.grad.data, g.T @ x.data)
    assert np.allclose(layer.bias.grad.data, g.sum(axis=0))
    assert np.allclose(x.grad.data, g @ layer.weight.data)


# ---------------------------------------------------------------------------- activations


def test_activation_modules_values():
    x = ag.tensor(np.linspace(-3, 3, 13))
    xd = x.data
    sig = 1 / (1 + np.exp(-xd))
    cases = [
        (nn.ReLU(), np.maximum(xd, 0)),
        (nn.Tanh(), np.tanh(xd)),
        (nn.Sigmoid(), sig),
        (nn.LeakyReLU(0.1), np.where(xd > 0, xd, 0.1 * xd)),
        (nn.Identity(), xd),
        (nn.GELU(), xd * 0.5 * (1 + np.vectorize(math.erf)(xd / math.sqrt(2)))),
        (nn.GELU("tanh"), 0.5 * xd * (1 + np.tanh(math.sqrt(2 / math.pi)
                                               * (xd + 0.044715 * xd ** 3)))),
    ]
    for module, expected in cases:
        assert np.allclose(module(x).data, expected, atol=1e-6), module


def test_softmax_modules():
    x = ag.tensor([[1.0, 2.0, 3.0], [0.0, 0.0, 1e4]])
    p = nn.Softmax(axis=-1)(x).data
    assert np.allclose(p.sum(axis=-1), 1) and np.isfinite(p).all()
    assert np.allclose(p[0], np.exp([1, 2, 3]) / np.exp([1, 2, 3]).sum())
    assert np.allclose(nn.Softmax(axis=0)(x).data.sum(axis=0), 1)
    lp = nn.LogSoftmax()(x).data
    assert np.isfinite(lp).all() and np.allclose(lp[1], [-1e4, -1e4, 0])
    assert "axis=0" in repr(nn.Softmax(axis=0))


@pytest.mark.parametrize("fn", [
    lambda t: F.leaky_relu(t, 0.2),
    lambda t: F.gelu(t),
    lambda t: F.gelu(t, approximate="tanh"),
    lambda t: F.erf(t),
    lambda t: F.softmax(t, axis=0),
    lambda t: F.softmax(t, axis=-1),
    lambda t: F.dropout(t, 0.3, training=False),
])
def test_activation_gradients(fn):
    x = f64(3, 4, seed=3)
    assert ag.gradcheck(fn, (x,))
    assert ag.gradgradcheck(fn, (x,))


def test_leaky_relu_gradient_at_zero_is_the_slope():
    x = ag.tensor([0.0, -2.0, 2.0], requires_grad=True)
    F.leaky_relu(x, 0.1).sum().backward()
    assert np.allclose(x.grad.data, [0.1, 0.1, 1.0])


def test_gelu_rejects_unknown_approximation():
    with pytest.raises(ValueError, match="approximate"):
        F.gelu(ag.ones(2), approximate="fast")


# ---------------------------------------------------------------------------- dropout


def test_dropout_training_zeroes_and_rescales():
    drop = nn.Dropout(0.25)
    x = ag.ones(200, 100, requires_grad=True)
    y = drop(x)
    kept = y.data != 0
    assert abs(kept.mean() - 0.75) < 0.02
    assert np.allclose(y.data[kept], 1 / 0.75)
    y.sum().backward()
    assert np.array_equal(x.grad.data, y.data)  # gradient flows only where kept, same scale


def test_dropout_is_identity_in_eval_and_for_p_zero():
    x = ag.randn(4, 5)
    drop = nn.Dropout(0.9).eval()
    assert drop(x) is x
    assert nn.Dropout(0.0)(x) is x
    assert (nn.Dropout(1.0)(x).data == 0).all()


def test_dropout_is_seeded_and_validates_p():
    ag.manual_seed(3)
    a = F.dropout(ag.ones(50), 0.5).data
    ag.manual_seed(3)
    assert np.array_equal(a, F.dropout(ag.ones(50), 0.5).data)
    for p in (-0.1, 1.5):
        with pytest.raises(ValueError, match="between 0 and 1"):
            nn.Dropout(p)
        with pytest.raises(ValueError, match="between 0 and 1"):
            F.dropout(ag.ones(2), p)
