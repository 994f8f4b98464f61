"""The losses against PyTorch's documented formulas (written out in numpy), for every reduction,
with gradients checked against finite differences."""

import numpy as np
import pytest

import autograd as ag
import nn
import nn.functional as F

RNG = np.random.default_rng(0)
N, C = 6, 4
PRED = RNG.normal(size=N)
TARGET = RNG.normal(size=N)
PROB = 1 / (1 + np.exp(-RNG.normal(size=N)))
LABEL = RNG.integers(0, 2, size=N).astype(np.float64)
SIGN = np.where(RNG.random(N) > 0.5, 1.0, -1.0)
LOGITS = RNG.normal(size=(N, C)) * 2
CLS = RNG.integers(0, C, size=N)
SOFT_TARGET = RNG.dirichlet(np.ones(C), size=N)
SIG = 1 / (1 + np.exp(-PRED))


def log_softmax(z, axis=1):
    m = z.max(axis=axis, keepdims=True)
    return z - m - np.log(np.exp(z - m).sum(axis=axis, keepdims=True))


def reduce(losses, reduction):
    return {"mean": losses.mean(), "sum": losses.sum(), "none": losses}[reduction]


def huber(d, delta):
    return np.where(np.abs(d) < delta, 0.5 * d * d, delta * (np.abs(d) - 0.5 * delta))


# (name, function(input, reduction), input array, per-element expected losses)
CASES = [
    ("mse", lambda t, r: F.mse_loss(t, TARGET, r), PRED, (PRED - TARGET) ** 2),
    ("l1", lambda t, r: F.l1_loss(t, TARGET, r), PRED, np.abs(PRED - TARGET)),
    ("bce", lambda t, r: F.binary_cross_entropy(t, LABEL, r), PROB,
     -(LABEL * np.log(PROB) + (1 - LABEL) * np.log(1 - PROB))),
    ("bce_logits", lambda t, r: F.binary_cross_entropy_with_logits(t, LABEL, r), PRED,
     -(LABEL * np.log(SIG) + (1 - LABEL) * np.log(1 - SIG))),
    ("ce_index", lambda t, r: F.cross_entropy(t, CLS, r), LOGITS,
     -log_softmax(LOGITS)[np.arange(N), CLS]),
    ("ce_prob", lambda t, r: F.cross_entropy(t, SOFT_TARGET, r), LOGITS,
     -(SOFT_TARGET * log_softmax(LOGITS)).sum(axis=1)),
    ("nll", lambda t, r: F.nll_loss(t, CLS, r), LOGITS, -LOGITS[np.arange(N), CLS]),
    ("hinge", lambda t, r: F.hinge_loss(t, SIGN, r), PRED, np.maximum(0, 1 - SIGN * PRED)),
    ("huber", lambda t, r: F.huber_loss(t, TARGET, r), PRED, huber(PRED - TARGET, 1.0)),
    ("huber_0.3", lambda t, r: F.huber_loss(t, TARGET, r, delta=0.3), PRED,
     huber(PRED - TARGET, 0.3)),
]
IDS = [c[0] for c in CASES]


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("name, fn, x, expected", CASES, ids=IDS)
def test_loss_values(name, fn, x, expected, reduction):
    out = fn(ag.Tensor(x), reduction)
    assert out.shape == np.shape(reduce(expected, reduction))
    assert np.allclose(out.data, reduce(expected, reduction), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("name, fn, x, expected", CASES, ids=IDS)
def test_loss_gradients(name, fn, x, expected, reduction):
    assert ag.gradcheck(lambda t: fn(t, reduction), (ag.Tensor(x, requires_grad=True),))


@pytest.mark.parametrize("reduction", ["mean", "none"])
@pytest.mark.parametrize("name", ["bce", "bce_logits", "ce_index"])
def test_fused_losses_second_derivatives(name, reduction):
    _, fn, x, _ = CASES[IDS.index(name)]
    assert ag.gradgradcheck(lambda t: fn(t, reduction), (ag.Tensor(x, requires_grad=True),))


def test_gradients_with_respect_to_targets():
    x = ag.Tensor(PRED, requires_grad=True)
    for fn, y in [(F.binary_cross_entropy_with_logits, LABEL * 0.8 + 0.1),
                  (F.binary_cross_entropy, LABEL * 0.8 + 0.1), (F.mse_loss, TARGET)]:
        inp = ag.Tensor(PROB, requires_grad=True) if fn is F.binary_cross_entropy else x
        assert ag.gradcheck(fn, (inp, ag.Tensor(y, requires_grad=True)))
    assert ag.gradcheck(lambda z, p: F.cross_entropy(z, p),
                        (ag.Tensor(LOGITS, requires_grad=True),
                         ag.Tensor(SOFT_TARGET, requires_grad=True)))


def test_loss_modules_match_functions():
    pairs = [(nn.MSELoss, F.mse_loss, PRED, TARGET), (nn.L1Loss, F.l1_loss, PRED, TARGET),
             (nn.BCELoss, F.binary_cross_entropy, PROB, LABEL),
             (nn.BCEWithLogitsLoss, F.binary_cross_entropy_with_logits, PRED, LABEL),
             (nn.CrossEntropyLoss, F.cross_entropy, LOGITS, CLS),
             (nn.NLLLoss, F.nll_loss, LOGITS, CLS), (nn.HingeLoss, F.hinge_loss, PRED, SIGN),
             (nn.HuberLoss, F.huber_loss, PRED, TARGET)]
    for module, fn, x, y in pairs:
        for r in ("mean", "sum", "none"):
            assert np.allclose(module(reduction=r)(ag.Tensor(x), y).data,
                               fn(ag.Tensor(x), y, r).data)
    assert np.isclose(nn.HuberLoss(delta=0.3)(ag.Tensor(PRED), TARGET).item(),
                      huber(PRED - TARGET, 0.3).mean())
    assert "delta=0.3" in repr(nn.HuberLoss(delta=0.3))


def test_integer_targets_take_the_input_dtype():
    x = ag.Tensor(PRED.astype(np.float32), requires_grad=True)
    for fn, y in [(F.mse_loss, np.arange(N)), (F.hinge_loss, SIGN.astype(int)),
                  (F.binary_cross_entropy_with_logits, LABEL.astype(int)),
                  (F.l1_loss, ag.Tensor(np.arange(N)))]:
        loss = fn(x, y)
        assert loss.dtype == np.float32, fn.__name__


def test_cross_entropy_is_nll_of_log_softmax():
    z = ag.Tensor(LOGITS)
    assert np.isclose(F.cross_entropy(z, CLS).item(),
                      F.nll_loss(F.log_softmax(z, axis=1), CLS).item())


def test_cross_entropy_on_float32_is_float32_and_accepts_tensor_targets():
    z = ag.Tensor(LOGITS.astype(np.float32), requires_grad=True)
    loss = F.cross_entropy(z, ag.Tensor(CLS))
    assert loss.dtype == np.float32
    loss.backward()
    assert z.grad.dtype == np.float32
    probs = np.exp(log_softmax(LOGITS))
    expected = (probs - np.eye(C)[CLS]) / N  # softmax(z) - onehot, averaged over the batch
    assert np.allclose(z.grad.data, expected, atol=1e-6)


def test_cross_entropy_single_sample_and_extra_dimensions():
    z = ag.Tensor(LOGITS[0], requires_grad=True)
    assert np.isclose(F.cross_entropy(z, np.array(CLS[0])).item(),
                      -log_softmax(LOGITS[:1])[0, CLS[0]])
    assert F.cross_entropy(z, np.array(CLS[0]), "none").shape == ()
    # (N, C, d) scores with (N, d) targets: the class axis is axis 1
    z3 = RNG.normal(size=(2, C, 3))
    t3 = RNG.integers(0, C, size=(2, 3))
    lp = log_softmax(z3, axis=1)
    expected = -np.take_along_axis(lp, t3[:, None], axis=1)[:, 0]
    t = ag.Tensor(z3, requires_grad=True)
    assert np.allclose(F.cross_entropy(t, t3, "none").data, expected)
    assert np.isclose(F.cross_entropy(t, t3).item(), expected.mean())
    assert ag.gradcheck(lambda s: F.cross_entropy(s, t3), (t,))
    assert np.isclose(F.nll_loss(ag.Tensor(lp), t3).item(), expected.mean())
    soft = RNG.dirichlet(np.ones(C), size=(2, 3)).transpose(0, 2, 1)
    assert np.isclose(F.cross_entropy(ag.Tensor(z3), soft).item(),
                      -(soft * lp).sum(axis=1).mean())


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_cross_entropy_and_bce_with_logits_finite_for_huge_logits(dtype):
    z = ag.Tensor(np.array([[1e4, -1e4, 0.0], [-1e4, -1e4, -1e4], [3.0, 1e4, -2.0]], dtype),
                  requires_grad=True)
    for target in (np.array([0, 2, 0]), np.eye(3, dtype=dtype)[[1, 1, 2]]):
        loss = F.cross_entropy(z, target)
        loss.backward()
        assert np.isfinite(loss.item()) and np.isfinite(z.grad.data).all()
        z.grad = None
    assert np.isclose(F.cross_entropy(z, np.array([0, 2, 0]), "none").data,
                      [0, np.log(3), 1e4 - 3], rtol=1e-6).all()
    x = ag.Tensor(np.array([1e4, -1e4, 1e4, -1e4], dtype), requires_grad=True)
    y = np.array([1, 0, 0, 1], dtype)
    loss = F.binary_cross_entropy_with_logits(x, y, "none")
    assert np.allclose(loss.data, [0, 0, 1e4, 1e4])
    loss.sum().backward()
    assert np.allclose(x.grad.data, [0, 0, 1, -1])


def test_bce_clamps_log_like_pytorch():
    p = ag.Tensor(np.array([0.0, 1.0, 0.0, 1.0]), requires_grad=True)
    y = np.array([0.0, 1.0, 1.0, 0.0])
    loss = F.binary_cross_entropy(p, y, "none")
    assert np.allclose(loss.data, [0, 0, 100, 100])  # log clamped at -100
    loss.sum().backward()
    assert np.isfinite(p.grad.data).all()


def test_loss_errors_are_clear():
    x = ag.Tensor(PRED)
    with pytest.raises(ValueError, match=r"\(6,\).*\(5,\)"):
        F.mse_loss(x, TARGET[:5])
    with pytest.raises(ValueError, match="reduction"):
        F.l1_loss(x, TARGET, reduction="avg")
    with pytest.raises(ValueError, match="reduction"):
        nn.CrossEntropyLoss(reduction="avg")
    with pytest.raises(ValueError, match="-1 or \\+1"):
        F.hinge_loss(x, LABEL)
    with pytest.raises(ValueError, match="probabilities"):
        F.binary_cross_entropy(x, LABEL)
    with pytest.raises(IndexError, match="out of bounds for 4 classes"):
        F.cross_entropy(ag.Tensor(LOGITS), np.array([0, 1, 2, 3, 4, 0]))
    with pytest.raises(ValueError, match=r"targets of shape \(6,\)"):
        F.cross_entropy(ag.Tensor(LOGITS), CLS[:3])
    with pytest.raises(ValueError, match="input's shape"):
        F.cross_entropy(ag.Tensor(LOGITS), SOFT_TARGET[:, :2])
    with pytest.raises(TypeError, match="integers"):
        F.nll_loss(ag.Tensor(LOGITS), CLS.astype(float))
    with pytest.raises(ValueError, match="delta"):
        nn.HuberLoss(delta=0)


@pytest.mark.parametrize("ignore", [-100, 7])
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_class_weights_and_ignore_index_as_pytorch(reduction, ignore):
    weight = np.array([0.5, 2.0, 1.0, 3.0])
    target = CLS.copy()
    target[[1, 4]] = ignore
    valid = target != ignore
    safe = np.where(valid, target, 0)
    w = weight[safe] * valid
    per = -log_softmax(LOGITS)[np.arange(N), safe] * w
    expected = {"mean": per.sum() / w.sum(), "sum": per.sum(), "none": per}[reduction]
    z = ag.Tensor(LOGITS, requires_grad=True)
    loss = nn.CrossEntropyLoss(weight=weight, ignore_index=ignore, reduction=reduction)(z, target)
    assert np.allclose(loss.data, expected)
    nll = F.nll_loss(ag.Tensor(log_softmax(LOGITS)), target, reduction, weight, ignore)
    assert np.allclose(nll.data, expected)
    assert ag.gradcheck(lambda t: F.cross_entropy(t, target, reduction, weight, ignore), (z,))
    unweighted = F.cross_entropy(ag.Tensor(LOGITS), target, reduction, ignore_index=ignore)
    per = -log_softmax(LOGITS)[np.arange(N), safe] * valid
    assert np.allclose(unweighted.data, {"mean": per.sum() / valid.sum(), "sum": per.sum(),
                                         "none": per}[reduction])


def test_ignore_index_is_not_a_free_pass_for_other_bad_targets():
    target = CLS.copy()
    target[0] = -100
    with pytest.raises(IndexError, match="-100 is out of bounds for 4 classes"):
        F.cross_entropy(ag.Tensor(LOGITS), target, ignore_index=7)


def test_ignored_targets_get_no_gradient_and_probability_targets_take_weights():
    z = ag.Tensor(LOGITS, requires_grad=True)
    target = CLS.copy()
    target[0] = -100
    F.cross_entropy(z, target).backward()
    assert (z.grad.data[0] == 0).all() and (z.grad.data[1:] != 0).any()
    weight = np.array([0.5, 2.0, 1.0, 3.0])
    loss = F.cross_entropy(ag.Tensor(LOGITS), SOFT_TARGET, weight=weight)
    assert np.isclose(loss.item(), -(weight * SOFT_TARGET * log_softmax(LOGITS)).sum() / N)
    with pytest.raises(ValueError, match=r"one entry per class.*\(3,\)"):
        F.cross_entropy(ag.Tensor(LOGITS), CLS, weight=np.ones(3))


@pytest.mark.parametrize("reduction", ["mean", "sum"])
def test_labels_in_range_take_a_shortcut_with_the_general_paths_numbers(reduction):
    # numpy labels in [0, C) go straight to the op; the same labels as a list take the
    # general path: the loss and the gradient are the same, bit for bit
    fast, slow = (ag.Tensor(LOGITS, requires_grad=True) for _ in range(2))
    a, b = F.cross_entropy(fast, CLS, reduction), F.cross_entropy(slow, CLS.tolist(), reduction)
    a.backward()
    b.backward()
    assert a.data.tobytes() == b.data.tobytes()
    assert fast.grad.data.tobytes() == slow.grad.data.tobytes()
    # an ignore_index inside [0, C) that some labels equal is still honoured
    ignore = int(CLS[0])
    valid = CLS != ignore
    per = -log_softmax(LOGITS)[np.arange(N), CLS] * valid
    got = F.cross_entropy(ag.Tensor(LOGITS), CLS, reduction, ignore_index=ignore)
    assert np.allclose(got.data, per.sum() / valid.sum() if reduction == "mean" else per.sum())
    with pytest.raises(ValueError, match="reduction"):
        F.cross_entropy(ag.Tensor(LOGITS), CLS, "avg")
