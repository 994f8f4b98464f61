"""gradcheck failures name the recorded op whose backward is wrong."""

import numpy as np
import pytest

import autograd as ag
import autograd.ops.elementwise as elementwise

rng = np.random.default_rng(3)


def x64(*shape):
    return ag.Tensor(rng.standard_normal(shape), requires_grad=True)


def twenty_ops(x, w):
    """A 20-op graph: matmul, broadcasting, reductions, softmax, indexing, a sin in the middle."""
    h = x @ w                        # 1 matmul
    h = h + 0.5                      # 2 add
    h = h.tanh()                     # 3 tanh
    s = h.sin()                      # 4 sin
    s = s * h                        # 5 mul
    s = s.reshape(-1)                # 6 reshape
    s = s[::2]                       # 7 getitem
    p = ag.softmax(h, axis=1)        # 8-10 logsumexp, sub, exp
    q = (p * p).sum(axis=0)          # 11 mul, 12 sum
    r = ag.exp(q) / (1.0 + q * q)    # 13 exp, 14 mul, 15 add, 16 div
    return (r.sum() + s.sum()) * x.mean()  # 17 sum, 18 sum, 19 add, 20 mean (sum, div), 21 mul


def inputs():
    return x64(3, 4), x64(4, 3)


def test_correct_graph_passes_and_every_op_checks_out():
    x, w = inputs()
    assert ag.gradcheck(twenty_ops, (x, w))
    report = ag.diagnose(twenty_ops, (x, w))
    assert len(report.checks) >= 20
    assert report.wrong == [] and not report.skipped
    assert "every op's local backward agrees" in str(report)


def test_planted_wrong_backward_is_named(monkeypatch):
    # sin's backward is g * cos(a); make cos 10% off there only (forward cos is untouched)
    good_cos = elementwise.cos

    def bad_cos(a):
        return good_cos(a) * 1.1

    bad_cos.op = good_cos.op  # the op reads its declaration through the module's name
    monkeypatch.setattr(elementwise, "cos", bad_cos)
    x, w = inputs()
    with pytest.raises(ag.GradcheckError) as info:
        ag.gradcheck(twenty_ops, (x, w))
    msg = str(info.value)
    assert "wrong backward: SinBackward" in msg
    assert "s = h.sin()" in msg and "test_diagnose.py" in msg  # where the op was created
    report = ag.diagnose(twenty_ops, inputs())
    assert [c.name for c in report.wrong] == ["SinBackward"]
    assert len(report.checks) >= 20


class Cube(ag.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x ** 3

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * 3 * x * x * 1.05   # planted: 5% off


def test_planted_wrong_custom_function_is_named():
    def f(x, w):
        return twenty_ops(Cube.apply(x) * 0.3, w)

    x, w = inputs()
    with pytest.raises(ag.GradcheckError, match="wrong backward: CubeBackward"):
        ag.gradcheck(f, (x, w))
    assert [c.name for c in ag.diagnose(f, (x, w)).wrong] == ["CubeBackward"]


class Double(ag.Function):
    """2x with a wrong backward: only visible in second derivatives of Square below."""

    @staticmethod
    def forward(ctx, x):
        return 2 * x

    @staticmethod
    def backward(ctx, grad):
        return grad * 3.0


class Square(ag.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * Double.apply(x)   # first derivative right, its derivative wrong


def test_gradgradcheck_failure_names_the_op_inside_a_backward():
    x = x64(4)
    assert ag.gradcheck(Square.apply, x)
    with pytest.raises(ag.GradcheckError, match="wrong backward: DoubleBackward"):
        ag.gradgradcheck(lambda t: Square.apply(t).sin(), x)


def test_diagnosis_can_be_turned_off_and_is_best_effort():
    x = x64(3)
    with pytest.raises(ag.GradcheckError) as info:
        ag.gradcheck(lambda t: Cube.apply(t), x, diagnose=False)
    assert "wrong backward" not in str(info.value)
    assert not ag.gradcheck(lambda t: Cube.apply(t), x, raise_exception=False)


def test_diagnose_leaves_modes_alone():
    x = x64(3)
    ag.diagnose(lambda t: (t * t).sum(), x)
    assert not ag.is_anomaly_enabled()
    y = (x * x).sum()
    assert y.grad_fn.site is None  # no site capture outside diagnose


def test_ops_that_cannot_be_replayed_are_named_as_suspects():
    from autograd import record

    def bad_sin(a):  # recorded directly, not through a registered op
        return record(np.sin(a._data), (a,), "SinBackward", lambda g, out: (g * ag.sin(a),))

    x = x64(4)
    with pytest.raises(ag.GradcheckError, match=r"could not be replayed: SinBackward"):
        ag.gradcheck(lambda t: (bad_sin(t) * t).sum(), x)
