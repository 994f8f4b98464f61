"""ag.Function: custom ops with a numpy forward and a Tensor backward."""

import numpy as np
import pytest

import autograd as ag

rng = np.random.default_rng(5)


class Softplus(ag.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.logaddexp(0.0, x)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * ag.sigmoid(x)


class Exp(ag.Function):
    """Saves its output: backward is differentiable through it."""

    @staticmethod
    def forward(ctx, x):
        y = np.exp(x)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad):
        (y,) = ctx.saved_tensors
        return grad * y


class ScaledMul(ag.Function):
    """a * b * scale, with a Python number among the arguments and broadcasting."""

    @staticmethod
    def forward(ctx, a, b, scale):
        ctx.save_for_backward(a, b)
        ctx.scale = scale
        return a * b * scale

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        return (grad * b * ctx.scale if ctx.needs_input_grad[0] else None,
                grad * a * ctx.scale if ctx.needs_input_grad[1] else None, None)


def test_softplus_is_stable_and_recorded():
    x = ag.Tensor(np.array([-800.0, 0.0, 800.0]), requires_grad=True)
    y = Softplus.apply(x)
    assert y.grad_fn.name == "SoftplusBackward" and y.requires_grad
    np.testing.assert_allclose(y.data, [0.0, np.log(2.0), 800.0])
    y.sum().backward()
    np.testing.assert_allclose(x.grad.data, [0.0, 0.5, 1.0])


@pytest.mark.parametrize("fn", [Softplus.apply, Exp.apply, lambda t: Exp.apply(t).sin()])
@pytest.mark.parametrize("shape", [(), (2, 3)])
def test_gradcheck_and_gradgradcheck(fn, shape):
    x = ag.Tensor(np.asarray(rng.standard_normal(shape)), requires_grad=True)
    assert ag.gradcheck(fn, x)
    assert ag.gradgradcheck(fn, x)


def test_extra_arguments_and_broadcasting():
    a = ag.Tensor(rng.standard_normal((2, 3)), requires_grad=True)
    b = ag.Tensor(rng.standard_normal(3), requires_grad=True)
    assert ag.gradcheck(lambda a, b: ScaledMul.apply(a, b, 2.5), (a, b))
    assert ag.gradgradcheck(lambda a, b: ScaledMul.apply(a, b, 2.5), (a, b))
    out = ScaledMul.apply(a, b.detach(), 2.0)
    out.sum().backward()
    np.testing.assert_allclose(a.grad.data, np.broadcast_to(b.data * 2.0, (2, 3)))


def test_third_derivative_through_saved_output():
    x = ag.Tensor(np.array([0.3, -1.2]), requires_grad=True)
    y = Exp.apply(x).sum()
    (g,) = ag.grad(y, x, create_graph=True)
    (g2,) = ag.grad(g.sum(), x, create_graph=True)
    (g3,) = ag.grad(g2.sum(), x)
    np.testing.assert_allclose(g3.data, np.exp(x.data))


def test_no_grad_and_constant_inputs_record_nothing():
    x = ag.Tensor(np.array([1.0]), requires_grad=True)
    with ag.no_grad():
        assert Softplus.apply(x).grad_fn is None
    assert Softplus.apply(ag.Tensor(np.array([1.0]))).grad_fn is None
    np.testing.assert_allclose(Softplus.apply(np.array([0.0])).data, [np.log(2.0)])


def test_bad_functions_give_clear_errors():
    class TwoGrads(Softplus):
        @staticmethod
        def backward(ctx, grad):
            return grad, grad

    class ReturnsTensor(ag.Function):
        @staticmethod
        def forward(ctx, x):
            return ag.Tensor(x)

    class NoBackward(ag.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

    class WrongShape(Softplus):
        @staticmethod
        def backward(ctx, grad):
            return grad[:1]

    x = ag.Tensor(np.array([1.0, 2.0]), requires_grad=True)
    with pytest.raises(RuntimeError, match=r"shape \(1,\), but that argument has shape \(2,\)"):
        WrongShape.apply(x).sum().backward()
    with pytest.raises(RuntimeError, match="TwoGrads.backward returned 2 gradient"):
        TwoGrads.apply(x).sum().backward()
    with pytest.raises(TypeError, match="must return a numpy array"):
        ReturnsTensor.apply(x)
    with pytest.raises(NotImplementedError, match="backward"):
        NoBackward.apply(x).sum().backward()
