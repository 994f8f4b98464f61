import math

import numpy as np
import pytest

import autograd as ag
import nn
from nn import init


def param(*shape):
    return nn.Parameter(np.zeros(shape, np.float32))


def test_fills_in_place_and_returns_the_tensor():
    p = param(3, 4)
    data = p.data
    assert init.ones_(p) is p and np.shares_memory(p.data, data) and (p.data == 1).all()
    assert init.zeros_(p) is p and (p.data == 0).all()
    assert (init.constant_(p, 2.5).data == 2.5).all()
    assert p.dtype == np.float32


def test_uniform_and_normal_statistics():
    p = param(200, 300)
    init.uniform_(p, -2.0, 3.0)
    assert p.data.min() >= -2 and p.data.max() < 3 and abs(p.data.mean() - 0.5) < 0.05
    init.normal_(p, 1.0, 0.5)
    assert abs(p.data.mean() - 1.0) < 0.01 and abs(p.data.std() - 0.5) < 0.01


@pytest.mark.parametrize("shape", [(300, 200), (64, 16, 3, 3)])
def test_xavier_and_kaiming_scales(shape):
    p = param(*shape)
    receptive = int(np.prod(shape[2:]))
    fan_in, fan_out = shape[1] * receptive, shape[0] * receptive
    b = math.sqrt(6 / (fan_in + fan_out))
    init.xavier_uniform_(p)
    assert np.abs(p.data).max() <= b and np.abs(p.data).max() > 0.95 * b
    init.xavier_normal_(p, gain=2.0)
    assert abs(p.data.std() - 2 * math.sqrt(2 / (fan_in + fan_out))) < 0.03 * p.data.std()
    init.kaiming_uniform_(p, nonlinearity="relu")
    bound = math.sqrt(2) * math.sqrt(3 / fan_in)
    assert np.abs(p.data).max() <= bound and np.abs(p.data).max() > 0.95 * bound
    init.kaiming_normal_(p, mode="fan_out", nonlinearity="relu")
    assert abs(p.data.std() - math.sqrt(2 / fan_out)) < 0.03 * math.sqrt(2 / fan_out)
    init.kaiming_uniform_(p, a=math.sqrt(5))  # nn.Linear's choice: bound 1/sqrt(fan_in)
    assert np.abs(p.data).max() <= 1 / math.sqrt(fan_in)


def test_gains():
    assert init.calculate_gain("linear") == 1 and init.calculate_gain("sigmoid") == 1
    assert init.calculate_gain("tanh") == pytest.approx(5 / 3)
    assert init.calculate_gain("relu") == pytest.approx(math.sqrt(2))
    assert init.calculate_gain("leaky_relu", 0.2) == pytest.approx(math.sqrt(2 / 1.04))
    with pytest.raises(ValueError, match="softsign"):
        init.calculate_gain("softsign")


def test_seeded_by_manual_seed():
    ag.manual_seed(7)
    a = init.normal_(param(5, 5)).data.copy()
    ag.manual_seed(7)
    assert np.array_equal(a, init.normal_(param(5, 5)).data)


def test_fan_needs_two_dimensions():
    with pytest.raises(ValueError, match=r"at least 2 dimensions.*\(5,\)"):
        init.xavier_uniform_(param(5))
    with pytest.raises(ValueError, match="mode"):
        init.kaiming_normal_(param(2, 2), mode="fan_avg")
