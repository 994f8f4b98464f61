"""Every op that nn registers (its fused primitives) is gradchecked and gradgradchecked in
float64; a test walks the registry so that no nn op can exist without a case here."""

import numpy as np
import pytest

import autograd as ag
import nn.functional as F
from autograd.ops import OPS

rng = np.random.default_rng(7)


def T(*shape, low=None, high=None):
    data = rng.standard_normal(shape) if low is None else rng.uniform(low, high, shape)
    return ag.Tensor(data, requires_grad=True)


CLASSES = np.array([2, 0, 1, 2, 1])
CASES = {
    "linear": [(F.linear, (T(4, 3), T(2, 3), T(2))), (F.linear, (T(3), T(2, 3))),
               (F.linear, (T(2, 4, 3), T(5, 3), T(5)))],
    "erf": [(F.erf, (T(6),)), (F.erf, (T(2, 3),))],
    "cross_entropy": [(lambda x: F.cross_entropy(x, CLASSES, r), (T(5, 3),))
                      for r in ("mean", "sum", "none")],
    "binary_cross_entropy": [
        (lambda p, y: F.binary_cross_entropy(p, y, r), (T(2, 3, low=0.05, high=0.95),
                                                        T(2, 3, low=0, high=1)))
        for r in ("mean", "sum", "none")],
    "binary_cross_entropy_with_logits": [
        (lambda x, y: F.binary_cross_entropy_with_logits(x, y, r), (T(2, 3),
                                                                    T(2, 3, low=0, high=1)))
        for r in ("mean", "sum", "none")],
}


def test_every_nn_op_has_gradient_cases():
    nn_ops = {name for name, fn in OPS.items() if fn.__module__.startswith("nn.")}
    assert nn_ops, "nn registers its fused ops in autograd's registry"
    missing = sorted(nn_ops - set(CASES))
    assert not missing, f"nn ops without a gradcheck case: {missing}"


@pytest.mark.parametrize(
    "name,fn,inputs",
    [(name, fn, inputs) for name, cases in CASES.items() for fn, inputs in cases],
    ids=lambda v: v if isinstance(v, str) else "")
def test_gradcheck_and_gradgradcheck(name, fn, inputs):
    assert ag.gradcheck(fn, inputs)
    assert ag.gradgradcheck(fn, inputs)


def test_gradcheck_would_catch_a_wrong_fused_backward(monkeypatch):
    # the raw-array fast path and the recorded path must agree: break one and gradcheck fails
    x, w, b = T(4, 3), T(2, 3), T(2)
    good = F._grads

    def off_by_two(*grads):
        return tuple(None if g is None else g * 2 for g in good(*grads))

    monkeypatch.setattr(F, "_grads", off_by_two)
    with pytest.raises(ag.GradcheckError):
        ag.gradcheck(F.linear, (x, w, b))
