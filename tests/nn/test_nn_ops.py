"""nn's fused primitives: their gradient cases are in the one table (``tests/op_cases.py``),
walked with every other op's; here, a check that gradcheck sees through their fast path."""

import numpy as np
import pytest

import autograd as ag
import nn.functional as F

rng = np.random.default_rng(7)


def T(*shape, low=None, high=None):
    data = rng.standard_normal(shape) if low is None else rng.uniform(low, high, shape)
    return ag.Tensor(data, requires_grad=True)


def test_gradcheck_would_catch_a_wrong_fused_backward(monkeypatch):
    # the raw-array fast path and the recorded path must agree: break one and gradcheck fails
    x, w, b = T(4, 3), T(2, 3), T(2)
    good = F._grads

    def off_by_two(*grads):
        return tuple(None if g is None else g * 2 for g in good(*grads))

    monkeypatch.setattr(F, "_grads", off_by_two)
    with pytest.raises(ag.GradcheckError):
        ag.gradcheck(F.linear, (x, w, b))
