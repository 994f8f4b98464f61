"""ag.scipy.stats: every function's values against scipy.stats' own on the same arrays (with
broadcast parameters, outside the support, invalid parameters), gradcheck and gradgradcheck
in x and in every parameter, and the errors scipy gives."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.stats as st

import autograd as ag
from autograd.scipy import stats as S

rng = np.random.default_rng(7)


def leaf(x, dtype=np.float64):
    return ag.tensor(np.asarray(x, dtype=dtype), requires_grad=True)


X = rng.standard_normal(6) * 2
XPOS = rng.uniform(0.1, 5.0, 6)
XUNIT = rng.uniform(0.05, 0.95, 6)
P3 = rng.uniform(0.5, 3.0, (2, 1))  # a parameter broadcast against x

# (dist, functions, x, params): the params as scipy takes them, positionally
UNIVARIATE = [
    ("norm", ("pdf", "logpdf", "cdf", "logcdf", "sf", "logsf"), X, (0.3, 1.7)),
    ("norm", ("pdf", "logpdf", "cdf", "logcdf", "sf", "logsf"), X, (P3 - 1, P3)),
    ("norm", ("ppf", "isf"), XUNIT, (P3 - 1, P3)),
    ("t", ("pdf", "logpdf", "cdf", "logcdf"), X, (3.5, 0.3, 1.7)),
    ("t", ("pdf", "logpdf", "cdf", "logcdf"), X, (P3, -0.2, P3)),
    ("gamma", ("pdf", "logpdf", "cdf"), XPOS, (2.5, 0.05, 1.3)),
    ("gamma", ("pdf", "logpdf", "cdf"), XPOS, (P3, 0.0, P3)),
    ("chi2", ("pdf", "logpdf", "cdf"), XPOS, (3.0,)),
    ("chi2", ("pdf", "logpdf", "cdf"), XPOS, (P3 + 1, 0.05, 1.3)),
    ("beta", ("pdf", "logpdf", "cdf"), XUNIT, (2.5, 1.3)),
    ("beta", ("pdf", "logpdf", "cdf"), XUNIT, (P3 + 0.5, P3[::-1] + 1, -0.1, 1.3)),
]
IDS = [f"{d}-{i}" for i, (d, *_) in enumerate(UNIVARIATE)]


@pytest.mark.parametrize("dist,fns,x,params", UNIVARIATE, ids=IDS)
def test_values_match_scipy(dist, fns, x, params):
    for fn in fns:
        expected = getattr(getattr(st, dist), fn)(x, *params)
        out = getattr(getattr(S, dist), fn)(leaf(x), *params)
        assert out.shape == np.shape(expected)
        np.testing.assert_allclose(out.data, expected, rtol=1e-12, atol=1e-300, err_msg=fn)
        # all-array arguments give the same values
        out = getattr(getattr(S, dist), fn)(x, *params)
        np.testing.assert_allclose(out.data, expected, rtol=1e-12, atol=1e-300, err_msg=fn)


def _second_order(dist, fn, n_params):
    """The parameters second derivatives exist in: all, but the cdfs' shape parameters (their
    first derivative is numerical: a second one through it raises, see test_incomplete)."""
    shapes = {"t": 1, "gamma": 1, "chi2": 1, "beta": 2}.get(dist, 0)
    return [i for i in range(n_params) if fn not in ("cdf", "logcdf") or i >= shapes]


@pytest.mark.parametrize("dist,fns,x,params", UNIVARIATE, ids=IDS)
def test_gradients_in_x_and_every_parameter(dist, fns, x, params):
    for fn in fns:
        f = getattr(getattr(S, dist), fn)
        for wrt, check in [(list(range(len(params))), ag.gradcheck),
                           (_second_order(dist, fn, len(params)), ag.gradgradcheck)]:

            def call(xx, *ps, f=f, wrt=wrt):
                full = list(params)
                for i, p in zip(wrt, ps):
                    full[i] = p
                return f(xx, *full)

            inputs = (leaf(x), *(leaf(params[i]) for i in wrt))
            assert check(call, inputs), (fn, check.__name__)


def test_cdf_second_derivative_in_a_shape_parameter_raises_naming_it():
    a = leaf(2.5)
    (g,) = ag.grad(S.gamma.cdf(leaf([1.0, 2.0]), a).sum(), a, create_graph=True)
    with pytest.raises(RuntimeError, match="gammainc: second derivatives through its derivative "
                                           "in 'a'"):
        g.backward()


def test_outside_the_support_and_invalid_parameters_as_scipy():
    x = np.array([-1.0, 0.0, 0.5, 1.0, 2.0])
    for dist, params in [("gamma", (0.5,)), ("gamma", (1.0,)), ("gamma", (2.0,)),
                         ("beta", (0.5, 2.0)), ("beta", (2.0, 1.0)), ("chi2", (2.0,))]:
        for fn in ("pdf", "logpdf", "cdf"):
            expected = getattr(getattr(st, dist), fn)(x, *params)
            out = getattr(getattr(S, dist), fn)(leaf(x), *params)
            np.testing.assert_allclose(out.data, expected, rtol=1e-13, err_msg=f"{dist}.{fn}")
    # outside the support the gradient is zero, not NaN
    t = leaf([-1.0, 0.5])
    (g,) = ag.grad(S.gamma.logpdf(t, 2.0).sum(), t)
    np.testing.assert_array_equal(g.data, [0.0, 1 / 0.5 - 1])
    for dist, params in [("norm", (0.0, -1.0)), ("t", (-1.0,)), ("gamma", (-1.0,)),
                         ("beta", (1.0, 0.0)), ("chi2", (2.0, 0.0, -2.0))]:
        out = getattr(S, dist).logpdf(leaf(np.array([0.5])), *params)
        assert np.isnan(out.data).all() and np.isnan(getattr(st, dist).logpdf(0.5, *params))


def test_weak_scalars_keep_float32():
    x = leaf([0.5, 1.5], np.float32)
    for out in (S.norm.logpdf(x, 0.5, 2.0), S.t.logpdf(x, 3.0), S.gamma.logpdf(x, 2.0),
                S.beta.logpdf(x * 0.5, 2.0, 3.0), S.chi2.cdf(x, 3.0)):
        assert out.dtype == np.float32


def test_norm_tails_are_accurate():
    z = np.array([-40.0, -10.0, 10.0, 40.0])
    np.testing.assert_allclose(S.norm.logcdf(leaf(z)).data, st.norm.logcdf(z), rtol=1e-14)
    np.testing.assert_allclose(S.norm.logsf(leaf(z)).data, st.norm.logsf(z), rtol=1e-14)
    t = leaf([-40.0])
    (g,) = ag.grad(S.norm.logcdf(t).sum(), t)  # ≈ −z for z → −∞
    np.testing.assert_allclose(g.data, [40.0248], rtol=1e-4)


# ---------------------------------------------------------------------------- poisson


def test_poisson_values_and_gradient_in_mu():
    k = np.array([0, 1, 3, 7, 2.5, -1])
    mu = rng.uniform(0.5, 4.0, (3, 1))
    for fn in ("pmf", "logpmf", "cdf"):
        for loc in (0, 1):
            expected = getattr(st.poisson, fn)(k, mu, loc)
            np.testing.assert_allclose(getattr(S.poisson, fn)(k, leaf(mu), loc).data, expected,
                                       rtol=1e-12, err_msg=fn)
        f = lambda m, fn=fn: getattr(S.poisson, fn)(k[:4], m)  # noqa: E731
        assert ag.gradcheck(f, (leaf(mu),)) and ag.gradgradcheck(f, (leaf(mu),))
    m = leaf(2.0)
    S.poisson.logpmf(3, m).backward()
    assert m.grad.item() == pytest.approx(3 / 2 - 1)
    assert np.isnan(S.poisson.logpmf(1, -1.0).data)


def test_poisson_k_is_discrete():
    with pytest.raises(TypeError, match="k and loc are discrete and have no gradient"):
        S.poisson.logpmf(leaf([1.0, 2.0]), 3.0)


# ---------------------------------------------------------------------------- multivariate


def _spd(d):
    a = rng.standard_normal((d, d))
    return a @ a.T + d * np.eye(d)


MEAN = rng.standard_normal(3)
COV = _spd(3)
POINTS = rng.standard_normal((4, 2, 3))


@pytest.mark.parametrize("x", [POINTS, POINTS[0], POINTS[0, 0]], ids=["batch-4x2", "batch-2",
                                                                       "one"])
@pytest.mark.parametrize("singular", [False, True])
def test_multivariate_normal_values_match_scipy(x, singular):
    for fn in ("pdf", "logpdf"):
        expected = getattr(st.multivariate_normal, fn)(x, MEAN, COV, allow_singular=singular)
        out = getattr(S.multivariate_normal, fn)(leaf(x), MEAN, COV, allow_singular=singular)
        assert out.shape == np.shape(expected)
        np.testing.assert_allclose(out.data, expected, rtol=1e-12)


@pytest.mark.parametrize("mean,cov,x", [
    (None, 2.0, rng.standard_normal(5)),  # one dimension: x is 5 points
    (0.5, 2.0, rng.standard_normal(5)),
    (MEAN, np.diag(COV), POINTS),  # a vector: the diagonal
    (MEAN, 1.5, POINTS),  # a number: times the identity
    (None, COV, POINTS),
])
def test_multivariate_normal_takes_scipys_parameter_forms(mean, cov, x):
    expected = st.multivariate_normal.logpdf(x, mean, cov)
    out = S.multivariate_normal.logpdf(leaf(x), mean, cov)
    np.testing.assert_allclose(out.data, expected, rtol=1e-12)
    np.testing.assert_allclose(S.multivariate_normal.entropy(mean, cov).data,
                               st.multivariate_normal.entropy(mean, cov), rtol=1e-12)


def test_multivariate_normal_gradients_in_x_mean_and_cov():
    a = leaf(rng.standard_normal((3, 3)))

    def f(x, m, a, singular=False):
        return S.multivariate_normal.logpdf(x, m, a @ a.T + np.eye(3), allow_singular=singular)

    args = (leaf(POINTS), leaf(MEAN), a)
    small = (leaf(POINTS[0]), leaf(MEAN), a)
    assert ag.gradcheck(f, args) and ag.gradgradcheck(f, small)
    g = lambda x, m, a: f(x, m, a, True)  # noqa: E731
    assert ag.gradcheck(g, args) and ag.gradgradcheck(g, small)
    h = lambda a: S.multivariate_normal.entropy(None, a @ a.T + np.eye(3))  # noqa: E731
    assert ag.gradcheck(h, (a,)) and ag.gradgradcheck(h, (a,))
    p = lambda x, a: S.multivariate_normal.pdf(x, None, a @ a.T + np.eye(3))  # noqa: E731
    assert ag.gradcheck(p, (leaf(POINTS[0]), a))


def test_multivariate_normal_singular_covariance():
    b = rng.standard_normal((3, 2))
    cov = b @ b.T  # rank 2
    z = rng.standard_normal((4, 2))
    pts = np.concatenate([z @ b.T, rng.standard_normal((2, 3))])  # 4 on the support, 2 off it
    expected = st.multivariate_normal.logpdf(pts, None, cov, allow_singular=True)
    out = S.multivariate_normal.logpdf(leaf(pts), None, cov, allow_singular=True)
    np.testing.assert_allclose(out.data, expected, rtol=1e-10)
    assert np.isneginf(out.data[4:]).all()
    np.testing.assert_allclose(S.multivariate_normal.entropy(None, cov).data,
                               st.multivariate_normal.entropy(None, cov), rtol=1e-10)

    # the points move with the factor, staying on the support: a smooth function of b
    def f(bb):
        return S.multivariate_normal.logpdf(z @ bb.T, None, bb @ bb.T, allow_singular=True)

    assert ag.gradcheck(f, (leaf(b),))
    with pytest.raises(RuntimeError, match="only first derivatives in cov are available"):
        ag.gradgradcheck(f, (leaf(b),))
    # with cov constant, x's derivatives are exact to any order
    g = lambda zz: S.multivariate_normal.logpdf(zz @ b.T, None, cov, allow_singular=True)  # noqa
    assert ag.gradcheck(g, (leaf(z),)) and ag.gradgradcheck(g, (leaf(z),))
    with pytest.raises(np.linalg.LinAlgError, match="must be symmetric positive definite"):
        S.multivariate_normal.logpdf(leaf(pts), None, cov)
    with pytest.raises(ValueError, match="must be symmetric positive semidefinite"):
        S.multivariate_normal.logpdf(leaf(pts), None, -cov, allow_singular=True)


@pytest.mark.parametrize("mean,cov", [(np.zeros(2), COV), (MEAN, np.ones((3, 2))),
                                      (np.zeros((2, 2)), COV), (MEAN, np.ones((3, 3, 3)))])
def test_multivariate_normal_parameter_errors_as_scipy(mean, cov):
    with pytest.raises(ValueError) as expected:
        st.multivariate_normal.logpdf(POINTS, mean, cov)
    with pytest.raises(ValueError) as ours:
        S.multivariate_normal.logpdf(leaf(POINTS), mean, cov)
    assert str(ours.value) == str(expected.value)


def test_multivariate_normal_shape_errors():
    with pytest.raises(ValueError, match="x has 2 components on its last axis"):
        S.multivariate_normal.logpdf(leaf(np.zeros((4, 2))), MEAN, COV)


# ---------------------------------------------------------------------------- dirichlet


ALPHA = np.array([1.5, 2.0, 0.7])
XD = rng.dirichlet(ALPHA, size=4).T  # components on the first axis, as scipy's


@pytest.mark.parametrize("x", [XD, XD[:2], XD[:, 0], XD[:2, 0]], ids=["K", "K-1", "one",
                                                                      "one-K-1"])
def test_dirichlet_matches_scipy(x):
    for fn in ("pdf", "logpdf"):
        expected = getattr(st.dirichlet, fn)(x, ALPHA)
        out = getattr(S.dirichlet, fn)(leaf(x), leaf(ALPHA))
        assert out.shape == np.shape(expected)
        np.testing.assert_allclose(out.data, expected, rtol=1e-12)


def test_dirichlet_gradients():
    # x on the simplex: its K − 1 free components, the last one 1 − sum
    f = lambda x, a: S.dirichlet.logpdf(x, a)  # noqa: E731
    args = (leaf(XD[:2]), leaf(ALPHA))
    assert ag.gradcheck(f, args) and ag.gradgradcheck(f, args)


@pytest.mark.parametrize("x,alpha,match", [
    (XD, -ALPHA, "All parameters must be greater than 0"),
    (XD[:1], ALPHA, "Vector 'x' must have either the same number"),
    (XD * 2, ALPHA, "smaller or equal one"),
    (XD * 0.5, ALPHA, "must lie within the normal simplex"),
    (np.array([0.0, 0.5, 0.5]), ALPHA[::-1], "must be greater than zero if its alpha"),
])
def test_dirichlet_errors_as_scipy(x, alpha, match):
    with pytest.raises(ValueError, match=match):
        st.dirichlet.logpdf(x, alpha)
    with pytest.raises(ValueError, match=match):
        S.dirichlet.logpdf(leaf(x), alpha)


@pytest.mark.parametrize("name, args", [
    ("norm", (1.0, 2.0)), ("t", (3.0,)), ("gamma", (2.0,)), ("beta", (2.0, 3.0)),
    ("chi2", (4.0,)), ("poisson", (3.0,)),
    ("multivariate_normal", (np.zeros(2), np.eye(2))), ("dirichlet", (np.array([1.0, 2.0]),)),
])
def test_rvs_is_scipys_sampler_and_refuses_a_tensor_that_requires_grad(name, args):
    """As HIPS autograd's distributions, each offers scipy's rvs (HIPS's own tests draw their
    Dirichlet points with it): the same samples for the same random_state, Tensors taken as
    their values; a Tensor that requires grad is refused, since no gradient flows through
    a sample."""
    ours = getattr(S, name).rvs(*(ag.tensor(a) for a in args), size=3, random_state=7)
    theirs = getattr(st, name).rvs(*args, size=3, random_state=7)
    np.testing.assert_array_equal(ours, theirs)
    with pytest.raises(TypeError, match="no gradient"):
        getattr(S, name).rvs(*(ag.tensor(np.asarray(a, float), requires_grad=True)
                               for a in args), size=3)
