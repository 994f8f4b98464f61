"""Every op's backward is itself differentiable: gradgradcheck over the whole op registry (the
cases of ``op_cases``), and third derivatives of the smooth ops against their closed forms."""

import numpy as np
import pytest

import autograd as ag
from tests.op_cases import ALL, CASES, differentiable_ops, inputs

rng = np.random.default_rng(42)


def test_every_differentiable_op_has_a_second_order_case():
    missing = sorted(differentiable_ops() - set(CASES))
    assert not missing, f"ops without a gradgradcheck: {missing}"


@pytest.mark.parametrize("case", ALL, ids=lambda c: c.id)
def test_gradgradcheck(case):
    assert ag.gradgradcheck(case.fn, inputs(case), atol=1e-5, rtol=1e-4)


# ---------------------------------------------------------------------------- third derivatives

THIRD = [c for cases in CASES.values() for c in cases[:3]]


@pytest.mark.parametrize("case", THIRD, ids=lambda c: c.id)
def test_third_order_gradgradcheck(case):
    """gradgradcheck of the (create_graph) gradient of ``sum(v · out²)``: derivatives up to the
    third, through every op's backward of its backward (the square keeps linear ops in)."""
    fn = case.fn

    def first_derivative(*args):
        outs = fn(*args)
        outs = outs if isinstance(outs, tuple) else (outs,)
        rng = np.random.default_rng(0)  # one fixed projection of the outputs
        s = sum((o * o * ag.Tensor(rng.standard_normal(o.shape))).sum() for o in outs)
        gs = ag.grad(s, [a for a in args if a.requires_grad], create_graph=True,
                     allow_unused=True)
        return tuple(g for g in gs if g is not None)

    assert ag.gradgradcheck(first_derivative, inputs(case), atol=1e-5, rtol=1e-4)


def nth_derivative(f, x: np.ndarray, n: int) -> np.ndarray:
    """The n-th derivative of an elementwise f at each element of x, by repeated ag.grad."""
    t = ag.Tensor(x, requires_grad=True)
    y = f(t)
    for _ in range(n):
        (y,) = ag.grad(y.sum(), t, create_graph=True)
    return y.data


X = np.linspace(-2.0, 2.0, 9)


def test_third_derivative_tanh():
    t = np.tanh(X)
    # d³/dx³ tanh = -2 sech²x (1 - 3 tanh²x)
    np.testing.assert_allclose(nth_derivative(ag.tanh, X, 3), -2 * (1 - t**2) * (1 - 3 * t**2),
                               rtol=1e-12, atol=1e-12)


def test_third_derivative_sigmoid():
    s = 1 / (1 + np.exp(-X))
    # d³/dx³ σ = σ(1-σ)(1 - 6σ + 6σ²)
    np.testing.assert_allclose(nth_derivative(ag.sigmoid, X, 3),
                               s * (1 - s) * (1 - 6 * s + 6 * s**2), rtol=1e-10, atol=1e-12)


def test_third_derivative_exp_and_log():
    np.testing.assert_allclose(nth_derivative(ag.exp, X, 3), np.exp(X), rtol=1e-12)
    xp = X + 3.0
    np.testing.assert_allclose(nth_derivative(ag.log, xp, 3), 2 / xp**3, rtol=1e-12)
    np.testing.assert_allclose(nth_derivative(ag.log, xp, 4), -6 / xp**4, rtol=1e-12)


def test_third_derivative_softmax():
    """d³ s_i / dx_j dx_k dx_l in closed form, with δ-products expanded from ∂s_i/∂x_j =
    s_i(δ_ij - s_j): contract it with random vectors u, v, w and compare."""
    x = rng.standard_normal(4)
    s = np.exp(x - x.max())
    s /= s.sum()
    n = len(x)
    eye = np.eye(n)
    # D1[i,j] = s_i(δij - s_j)
    d1 = s[:, None] * (eye - s[None, :])
    # D2[i,j,k] = ∂D1[i,j]/∂x_k = D1[i,k](δij - s_j) - s_i D1[j,k]
    d2 = d1[:, None, :] * (eye - s[None, :])[:, :, None] - s[:, None, None] * d1[None, :, :]
    # D3[i,j,k,m] = ∂D2[i,j,k]/∂x_m
    d3 = (np.einsum("ikm,ij->ijkm", d2, eye - s[None, :]) - np.einsum("ik,jm->ijkm", d1, d1)
          - np.einsum("im,jk->ijkm", d1, d1) - np.einsum("i,jkm->ijkm", s, d2))
    u, v, c = (rng.standard_normal(n) for _ in range(3))

    t = ag.Tensor(x, requires_grad=True)
    y = (ag.softmax(t) * ag.Tensor(c)).sum()
    (g1,) = ag.grad(y, t, create_graph=True)
    (g2,) = ag.grad((g1 * ag.Tensor(u)).sum(), t, create_graph=True)
    (g3,) = ag.grad((g2 * ag.Tensor(v)).sum(), t)
    expected = np.einsum("ijkm,i,j,k->m", d3, c, u, v)
    np.testing.assert_allclose(g3.data, expected, rtol=1e-10, atol=1e-12)
