"""The incomplete gamma and beta functions' derivatives in their shape parameters (computed
numerically, autograd.ops.incomplete): against closed forms where they exist, against a
5-point finite difference of scipy's own functions elsewhere, and through the distributions'
cdfs; the second derivative through them is refused, not made up."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.special as sc

import autograd as ag
from autograd.ops.incomplete import betainc_dab_values, gammainc_da_values
from autograd.scipy import stats as S


def leaf(x):
    return ag.tensor(np.asarray(x, dtype=np.float64), requires_grad=True)


def five_point(f, v, h=1e-3):
    return (f(v - 2 * h) - 8 * f(v - h) + 8 * f(v + h) - f(v + 2 * h)) / (12 * h)


X = np.array([1e-3, 0.3, 1.0, 2.5, 7.0, 30.0, 150.0])


def test_gammainc_da_at_a_1_is_closed_form():
    # ∂P(a, x)/∂a at a = 1: −E₁(x) − e^(−x)·(log x + γ)
    expected = -sc.exp1(X) - np.exp(-X) * (np.log(X) + np.euler_gamma)
    np.testing.assert_allclose(gammainc_da_values(np.ones_like(X), X), expected, rtol=1e-12,
                               atol=1e-300)


@pytest.mark.parametrize("a", [0.05, 0.7, 2.5, 12.0, 80.0, 900.0])
def test_gammainc_da_matches_finite_differences_of_scipy(a):
    x = np.concatenate([X, [a * 0.9, a, a * 1.1, a + 1]])
    ours = gammainc_da_values(np.full_like(x, a), x)
    h = min(1e-3, a / 10)
    ref = five_point(lambda v: sc.gammainc(v, x), a, h)
    ref_q = -five_point(lambda v: sc.gammaincc(v, x), a, h)  # better where P is near 1
    ref = np.where(sc.gammainc(a, x) > 0.5, ref_q, ref)
    np.testing.assert_allclose(ours, ref, rtol=2e-7, atol=1e-14)


U = np.array([1e-3, 0.05, 0.3, 0.5, 0.7, 0.95, 0.999])


def test_betainc_derivatives_where_closed_form():
    # I_x(a, 1) = x^a: ∂/∂a = x^a log x;  I_x(1, b) = 1 − (1 − x)^b: ∂/∂b = −(1 − x)^b log(1 − x)
    for a in (0.3, 2.0, 15.0):
        ga, _ = betainc_dab_values(np.full_like(U, a), np.ones_like(U), U)
        np.testing.assert_allclose(ga, U ** a * np.log(U), rtol=1e-12)
    for b in (0.5, 3.0, 40.0):
        _, gb = betainc_dab_values(np.ones_like(U), np.full_like(U, b), U)
        np.testing.assert_allclose(gb, -(1 - U) ** b * np.log1p(-U), rtol=1e-12, atol=1e-300)


@pytest.mark.parametrize("a,b", [(0.3, 0.5), (2.5, 4.0), (10.0, 1.5), (60.0, 80.0), (0.7, 30.0)])
def test_betainc_derivatives_match_finite_differences_of_scipy(a, b):
    ga, gb = betainc_dab_values(np.full_like(U, a), np.full_like(U, b), U)
    h = min(1e-3, a / 10, b / 10)
    np.testing.assert_allclose(ga, five_point(lambda v: sc.betainc(v, b, U), a, h), rtol=1e-6,
                               atol=1e-12)
    np.testing.assert_allclose(gb, five_point(lambda v: sc.betainc(a, v, U), b, h), rtol=1e-6,
                               atol=1e-12)


def test_invalid_arguments_give_nan_and_the_ends_zero():
    assert np.isnan(gammainc_da_values(np.array([-1.0, 1.0]), np.array([1.0, -1.0]))).all()
    assert (gammainc_da_values(np.array([2.0, 2.0]), np.array([0.0, np.inf])) == 0).all()
    ga, gb = betainc_dab_values(np.array([2.0, 2.0, -1.0]), np.array([3.0, 3.0, 1.0]),
                                np.array([0.0, 1.0, 0.5]))
    assert (ga[:2] == 0).all() and (gb[:2] == 0).all() and np.isnan(ga[2]) and np.isnan(gb[2])


def test_gradients_in_the_shape_parameters_through_the_ops_and_the_cdfs():
    r = np.random.default_rng(5)
    a, b = leaf(r.uniform(0.3, 5.0, 4)), leaf(r.uniform(0.3, 5.0, 4))
    x, u = leaf(r.uniform(0.1, 6.0, 4)), leaf(r.uniform(0.05, 0.95, 4))
    assert ag.gradcheck(sc.gammainc, (a, x)) and ag.gradcheck(sc.gammaincc, (a, x))
    assert ag.gradcheck(sc.betainc, (a, b, u))
    t = leaf(np.array([-3.0, -0.5, 0.0, 0.7, 4.0]))
    df = leaf(np.array([0.7, 1.0, 3.0, 12.0, 50.0]))
    assert ag.gradcheck(sc.stdtr, (df, t))
    for dist, fn in [("gamma", lambda x, a: S.gamma.cdf(x, a, 0.1, 1.3)),
                     ("chi2", lambda x, a: S.chi2.cdf(x, a * 2)),
                     ("t", lambda x, a: S.t.cdf(x - 3, a, 0.2, 1.5)),
                     ("beta", lambda x, a: S.beta.cdf(x / 7, a, a + 1))]:
        assert ag.gradcheck(fn, (x, a)), dist


def test_second_derivatives_through_them_are_refused_and_mixed_ones_work():
    a, x = leaf([1.5, 3.0]), leaf([0.5, 4.0])
    with pytest.raises(RuntimeError, match="second derivatives through its derivative in 'a'"):
        ag.gradgradcheck(sc.gammainc, (a, x))
    with pytest.raises(RuntimeError, match="betainc: second derivatives .* in 'b'"):
        ag.gradgradcheck(lambda bb: sc.betainc(2.0, bb, leaf([0.3, 0.6]) * 1), (a,))

    def dp_dx(a_):  # ∂/∂a of ∂P/∂x: closed form, any order
        xx = x.detach().requires_grad_()
        (g,) = ag.grad(sc.gammainc(a_, xx).sum(), xx, create_graph=True)
        return g

    assert ag.gradcheck(dp_dx, (leaf([1.5, 3.0]),))
