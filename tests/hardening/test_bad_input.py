"""Bad input gets a clear error at the call, naming what is wrong, as PyTorch does."""

import math

import numpy as np
import pytest

import autograd as ag
import nn
import nn.functional as F

NAN = float("nan")

# ---------------------------------------------------------------------------- losses, optimizers


@pytest.mark.parametrize("p, y, words", [
    ([0.5, 0.5], [1.0, 2.0], ["target", "[0, 1]", "2.0"]),
    ([0.5, 0.5], [-0.5, 1.0], ["target", "-0.5"]),
    ([0.5, 0.5], [NAN, 1.0], ["target", "nan"]),
    ([NAN, 0.5], [1.0, 0.0], ["input", "[0, 1]", "nan"]),
    ([1.5, 0.5], [1.0, 0.0], ["input", "1.5"]),
], ids=["target-2", "target-neg", "target-nan", "input-nan", "input-1.5"])
def test_binary_cross_entropy_refuses_values_outside_0_1(p, y, words):
    for call in (lambda: F.binary_cross_entropy(ag.tensor(p), ag.tensor(y)),
                 lambda: nn.BCELoss()(ag.tensor(p), ag.tensor(y))):
        with pytest.raises(ValueError) as info:
            call()
        for w in words:
            assert w in str(info.value)


def test_binary_cross_entropy_accepts_the_ends():
    loss = F.binary_cross_entropy(ag.tensor([0.0, 1.0, 0.3]), ag.tensor([0.0, 1.0, 0.5]))
    assert math.isfinite(loss.item())


def _params():
    return [nn.Parameter(np.ones(2, np.float32))]


@pytest.mark.parametrize("make, words", [
    (lambda: nn.optim.SGD(_params(), lr=NAN), ["learning rate", "nan"]),
    (lambda: nn.optim.SGD(_params(), lr=-0.1), ["learning rate", "-0.1"]),
    (lambda: nn.optim.SGD(_params(), lr=0.1, momentum=NAN), ["momentum", "nan"]),
    (lambda: nn.optim.SGD(_params(), lr=0.1, momentum=-1), ["momentum", "-1"]),
    (lambda: nn.optim.SGD(_params(), lr=0.1, weight_decay=NAN), ["weight_decay", "nan"]),
    (lambda: nn.optim.Adam(_params(), lr=NAN), ["learning rate", "nan"]),
    (lambda: nn.optim.Adam(_params(), eps=NAN), ["epsilon", "nan"]),
    (lambda: nn.optim.Adam(_params(), eps=-1e-8), ["epsilon", "-1e-08"]),
    (lambda: nn.optim.Adam(_params(), betas=(NAN, 0.999)), ["beta parameter at index 0", "nan"]),
    (lambda: nn.optim.Adam(_params(), betas=(0.9, 1.0)), ["beta parameter at index 1", "1.0"]),
    (lambda: nn.optim.Adam(_params(), betas=(-0.1, 0.9)), ["beta parameter at index 0", "-0.1"]),
    (lambda: nn.optim.Adam(_params(), weight_decay=NAN), ["weight_decay", "nan"]),
    (lambda: nn.optim.AdamW(_params(), weight_decay=-0.01), ["weight_decay", "-0.01"]),
    (lambda: nn.optim.AdamW(_params(), lr=NAN), ["learning rate", "nan"]),
], ids=lambda v: " ".join(v) if isinstance(v, list) else None)
def test_optimizer_hyperparameters_out_of_range_or_nan_raise_at_construction(make, words):
    with pytest.raises(ValueError, match="(?i)invalid") as info:
        make()
    for w in words:
        assert w in str(info.value)


# ---------------------------------------------------------------------------- Linear


def test_a_mis_sized_linear_after_the_first_layer_names_its_features():
    model = nn.Sequential(nn.Linear(3, 8), nn.ReLU(), nn.Linear(5, 2))
    for x in (ag.randn(4, 3), ag.randn(4, 3, requires_grad=True)):
        with pytest.raises(ValueError, match=r"^Linear\(5, 2\) expects inputs with 5 features, "
                                             r"got 8 \(input shape \(4, 8\)\)$"):
            model(x)


def test_linear_on_a_0d_input_says_so():
    with pytest.raises(ValueError, match=r"Linear\(3, 2\) expects inputs with 3 features, got "
                                         r"a 0-d tensor"):
        nn.Linear(3, 2)(ag.tensor(1.0))


def test_linear_refuses_an_input_of_another_dtype_naming_both_and_the_fix():
    layer = nn.Linear(3, 2)
    with pytest.raises(TypeError) as info:
        layer(ag.randn(4, 3, dtype=np.float64))
    msg = str(info.value)
    assert "float32" in msg and "float64" in msg
    assert "x.astype(np.float32)" in msg and "dtype=np.float64" in msg
    with pytest.raises(TypeError, match="int64"):
        layer(ag.tensor(np.ones((4, 3), np.int64)))
    assert nn.Linear(3, 2, dtype=np.float64)(ag.randn(4, 3, dtype=np.float64)).dtype == \
        np.float64


def test_functional_linear_refuses_mixed_dtypes_as_pytorch():
    w = ag.randn(2, 3)
    with pytest.raises(TypeError, match="input has dtype float64 but the weight has dtype "
                                        "float32"):
        F.linear(ag.randn(4, 3, dtype=np.float64), w)
    with pytest.raises(TypeError, match="bias has dtype float64"):
        F.linear(ag.randn(4, 3), w, ag.randn(2, dtype=np.float64))
    # plain arrays and lists take the weight's dtype, as a Tensor made from them would
    assert F.linear(np.ones((4, 3)), w).dtype == np.float32


# ---------------------------------------------------------------------------- complex


def test_complex_tensors_cannot_require_grad():
    for make in (lambda: ag.tensor([1 + 1j, 2.0], requires_grad=True),
                 lambda: ag.tensor(np.ones(2, np.complex128)).requires_grad_(),
                 lambda: ag.zeros(2, dtype=np.complex64, requires_grad=True)):
        with pytest.raises(TypeError, match="complex"):
            make()


def test_a_complex_value_between_real_tensors_refuses_to_give_a_wrong_gradient():
    # d|x(1+i)|/dx = sqrt(2)·sign(x) under PyTorch's convention; the engine does not implement
    # complex derivatives, so it must not return a wrong real number instead
    x = ag.tensor([1.0, -2.0], requires_grad=True)
    y = ag.abs(x * (1 + 1j)).sum()
    with pytest.raises(RuntimeError, match="complex"):
        y.backward()
    assert x.grad is None


# ---------------------------------------------------------------------------- axes

REDUCTIONS = ["sum", "mean", "max", "min", "var", "std", "logsumexp"]


@pytest.mark.parametrize("fn", REDUCTIONS + ["softmax", "log_softmax"])
@pytest.mark.parametrize("axis", [2, -3, (0, 2), (5,)])
def test_out_of_range_axes_name_the_axis_and_the_ndim(fn, axis):
    x = ag.randn(3, 4)
    if fn in ("softmax", "log_softmax") and isinstance(axis, tuple):
        axis = axis[-1]
    with pytest.raises((ValueError, IndexError)) as info:
        getattr(ag, fn)(x, axis=axis)
    bad = axis if isinstance(axis, int) else axis[-1]
    msg = str(info.value)
    assert f"axis {bad}" in msg and "2 dimension" in msg, msg


@pytest.mark.parametrize("fn", REDUCTIONS + ["softmax", "log_softmax"])
@pytest.mark.parametrize("axis", [1.0, "1", (0, 1.5), True, [0.0]])
def test_non_integer_axes_name_the_axis(fn, axis):
    x = ag.randn(3, 4)
    with pytest.raises(TypeError) as info:
        getattr(ag, fn)(x, axis=axis)
    msg = str(info.value)
    assert fn in msg and "axis" in msg and "int" in msg, msg
    assert "iterable" not in msg


def test_method_spelling_names_the_axis_too():
    x = ag.randn(3, 4)
    with pytest.raises(TypeError, match=r"sum: axis must be an int or a tuple of ints, got 1\.0"):
        x.sum(axis=1.0)
    with pytest.raises(TypeError, match=r"mean: .*got 1\.0"):
        x.mean(1.0)


def test_transpose_of_two_dims_checks_them():
    x = ag.randn(3, 4)
    with pytest.raises((ValueError, IndexError), match=r"axis 2.*2 dimension"):
        x.transpose(1, 2)
    with pytest.raises((ValueError, IndexError), match=r"axis -3.*2 dimension"):
        x.transpose(-3, 0)
    with pytest.raises((ValueError, IndexError), match=r"axis 2.*2 dimension"):
        ag.swapaxes(x, 0, 2)
    assert x.transpose(0, 1).shape == (4, 3) and x.transpose(-1, -2).shape == (4, 3)
    y = ag.randn(2, 3, 4)
    assert y.transpose(0, 2).shape == (4, 3, 2)


@pytest.mark.parametrize("call", [
    lambda x: ag.expand_dims(x, 4),
    lambda x: ag.squeeze(x, 3),
    lambda x: ag.concatenate([x, x], axis=2),
    lambda x: ag.stack([x, x], axis=4),
    lambda x: ag.split(x, 2, axis=2),
    lambda x: ag.transpose(x, (0, 2)),
    lambda x: x.flatten(0, 2),
], ids=["expand_dims", "squeeze", "concatenate", "stack", "split", "transpose", "flatten"])
def test_shape_ops_check_their_axes(call):
    with pytest.raises((ValueError, IndexError), match="axis|dim"):
        call(ag.randn(2, 4))


# ---------------------------------------------------------------------------- hooks


def test_a_leaf_hook_returning_the_wrong_shape_raises():
    x = ag.randn(3, requires_grad=True)

    def widen(g):
        return ag.ones(5)

    x.register_hook(widen)
    with pytest.raises(RuntimeError, match=r"hook 'widen' has changed the size of value"):
        (x * 2).sum().backward()
    assert x.grad is None


def test_a_non_leaf_hook_returning_the_wrong_shape_raises_instead_of_summing():
    x = ag.randn(3, requires_grad=True)
    y = x * 2
    y.register_hook(lambda g: ag.ones(2, 3))
    with pytest.raises(RuntimeError, match=r"has changed the size of value.*\(3,\).*\(2, 3\)"):
        y.sum().backward()


def test_a_hook_returning_another_dtype_raises():
    x = ag.randn(3, requires_grad=True)
    x.register_hook(lambda g: ag.ones(3, dtype=np.float64))
    with pytest.raises(RuntimeError, match=r"has changed the type of value \(was float32 got "
                                           r"float64\)"):
        (x * 2).sum().backward()


def test_a_hook_may_return_an_ndarray():
    x = ag.randn(3, requires_grad=True)
    x.register_hook(lambda g: np.full(3, 7.0, np.float32))
    y = x * 2
    y.register_hook(lambda g: np.ones(3, np.float32) * 5)
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.data, [7.0, 7.0, 7.0])
    z = ag.randn(3, requires_grad=True)
    z.register_hook(lambda g: np.ones(3, np.float32))
    (z * 3).sum().backward()
    assert isinstance(z.grad, ag.Tensor)
    np.testing.assert_array_equal(z.grad.data, 1.0)


def test_a_hook_returning_something_else_says_what_it_returned():
    x = ag.randn(3, requires_grad=True)
    x.register_hook(lambda g: "nope")
    with pytest.raises(TypeError, match=r"hook .* returned a str"):
        (x * 2).sum().backward()


# ---------------------------------------------------------------------------- named problems


def test_a_float_index_names_its_type():
    x = ag.randn(3, 4)
    with pytest.raises(IndexError) as info:
        x[1.5]
    msg = str(info.value)
    assert "got float" in msg and "out of range" not in msg
    with pytest.raises(IndexError, match="got float"):
        x[0, 1.5]
    with pytest.raises(IndexError, match="out of range"):
        x[7]


def test_grad_of_a_number_names_it():
    x = ag.randn(3, requires_grad=True)
    with pytest.raises(TypeError, match=r"grad: outputs must be Tensors, got float"):
        ag.grad(3.0, x)
    with pytest.raises(TypeError, match=r"grad: inputs must be Tensors, got float"):
        ag.grad(x.sum(), 3.0)
    with pytest.raises(TypeError, match=r"grad: outputs must be Tensors, got list"):
        ag.grad([x.sum(), [1.0]], x)


def test_value_and_tensor_do_not_mix_and_say_so():
    v, t = ag.Value(1.0), ag.randn(3)
    for call in (lambda: v + t, lambda: t + v, lambda: t * v, lambda: v * t,
                 lambda: ag.tensor([v])):
        with pytest.raises(TypeError) as info:
            call()
        msg = str(info.value)
        assert "Value" in msg and "Tensor" in msg and ".data" in msg, msg
