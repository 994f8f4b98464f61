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
    (lambda: nn.optim.SGD(_params(), lr=NAN), "learning rate: nan"),
    (lambda: nn.optim.SGD(_params(), lr=-0.1), "learning rate: -0.1"),
    (lambda: nn.optim.SGD(_params(), lr=0.1, momentum=NAN), "momentum value: nan"),
    (lambda: nn.optim.SGD(_params(), lr=0.1, momentum=-1), "momentum value: -1"),
    (lambda: nn.optim.SGD(_params(), lr=0.1, weight_decay=NAN), "weight_decay value: nan"),
    (lambda: nn.optim.Adam(_params(), lr=NAN), "learning rate: nan"),
    (lambda: nn.optim.Adam(_params(), eps=NAN), "epsilon value: nan"),
    (lambda: nn.optim.Adam(_params(), eps=-1e-8), "epsilon value: -1e-08"),
    (lambda: nn.optim.Adam(_params(), betas=(NAN, 0.999)), "beta parameter at index 0: nan"),
    (lambda: nn.optim.Adam(_params(), betas=(0.9, 1.0)), "beta parameter at index 1: 1.0"),
    (lambda: nn.optim.Adam(_params(), betas=(-0.1, 0.9)), "beta parameter at index 0: -0.1"),
    (lambda: nn.optim.Adam(_params(), weight_decay=NAN), "weight_decay value: nan"),
    (lambda: nn.optim.AdamW(_params(), weight_decay=-0.01), "weight_decay value: -0.01"),
    (lambda: nn.optim.AdamW(_params(), lr=NAN), "learning rate: nan"),
], ids=lambda v: v if isinstance(v, str) else None)
def test_optimizer_hyperparameters_out_of_range_or_nan_raise_at_construction(make, words):
    with pytest.raises(ValueError, match="Invalid") as info:
        make()
    assert words in str(info.value)


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
