"""scipy.special on Tensors: values equal to scipy's own on the same arrays (through scipy's
ufuncs and through ag.scipy.special), the singular points as scipy defines them, the
non-ufuncs with scipy's signatures, and the arguments that have no derivative. The
gradients of every op are checked (first, second and third order) by the op-case table."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.special as sc

import autograd as ag
import autograd.scipy.special as S

rng = np.random.default_rng(18)


def leaf(x, dtype=np.float64):
    return ag.tensor(np.asarray(x, dtype=dtype), requires_grad=True)


POS = rng.uniform(0.2, 4.0, (3, 4))
REAL = rng.standard_normal((3, 4))
UNIT = rng.uniform(0.05, 0.95, (3, 4))
# (name, args): an argument that is an ndarray is given as a Tensor requiring grad
UNARY = [("gamma", REAL), ("gammaln", REAL), ("gammasgn", REAL), ("rgamma", REAL),
         ("digamma", REAL), ("psi", POS), ("erf", REAL), ("erfc", REAL), ("erfinv", UNIT * 2 - 1),
         ("erfcinv", UNIT * 2), ("ndtr", REAL), ("ndtri", UNIT), ("log_ndtr", REAL * 10),
         ("expit", REAL * 5), ("logit", UNIT), ("j0", REAL * 3), ("j1", REAL * 3), ("y0", POS),
         ("y1", POS), ("i0", REAL), ("i1", REAL)]
BINARY = [("beta", (POS, POS[::-1])), ("betaln", (POS, POS.T[:, :3].T)), ("xlogy", (REAL, POS)),
          ("xlog1py", (REAL, UNIT - 0.5)), ("gammainc", (2.5, POS)), ("gammaincc", (0.5, POS)),
          ("jv", (1.5, POS)), ("jn", (3, REAL)), ("yn", (2, POS)), ("iv", (np.arange(4), REAL)),
          ("ive", (2, REAL * 3)), ("stdtr", (np.array([1.0, 2.5, 4.0, 30.0]), REAL)),
          ("betainc", (2.0, np.array([0.5, 1.0, 2.0, 5.0]), UNIT))]


def _args(values):
    return [leaf(v) if isinstance(v, np.ndarray) and v.dtype.kind == "f" and v.ndim == 2
            else v for v in values]


@pytest.mark.parametrize("name,x", UNARY, ids=[u[0] for u in UNARY])
def test_unary_values_match_scipy_through_the_ufunc_and_ag_scipy(name, x):
    expected = getattr(sc, name)(x)
    t = leaf(x)
    for fn in (getattr(sc, name), getattr(S, name)):
        out = fn(t)
        assert isinstance(out, ag.Tensor) and out.requires_grad
        np.testing.assert_array_equal(out.data, expected)


@pytest.mark.parametrize("name,args", BINARY, ids=[b[0] for b in BINARY])
def test_binary_values_match_scipy(name, args):
    expected = getattr(sc, name)(*args)
    for fn in (getattr(sc, name), getattr(S, name)):
        out = fn(*_args(args))
        assert isinstance(out, ag.Tensor) and out.requires_grad
        np.testing.assert_array_equal(out.data, expected)


def test_numpys_i0_is_the_same_op():
    x = leaf(REAL)
    y = np.i0(x)
    assert y.grad_fn.name == "I0Backward"
    np.testing.assert_allclose(y.data, np.i0(REAL), rtol=1e-14)


def test_polygamma_is_a_scipy_function_not_a_ufunc_so_it_is_ag_scipy_special_polygamma():
    x = leaf(POS)
    for n in (0, 1, 2, np.array([0, 1, 2, 3])):
        np.testing.assert_allclose(S.polygamma(n, x).data, sc.polygamma(n, POS), rtol=1e-14)
    with pytest.raises(TypeError, match="Use ag.scipy.special.polygamma"):
        sc.polygamma(1, x)


def test_float32_stays_float32_and_the_gradient_follows():
    x = leaf(POS, np.float32)
    y = sc.gammaln(x)
    assert y.dtype == np.float32
    y.sum().backward()
    assert x.grad.dtype == np.float32
    np.testing.assert_allclose(x.grad.data, sc.digamma(POS), rtol=1e-5)


def test_numbers_alone_take_the_dtype_tensor_gives_them():
    """A numpy float keeps its dtype (as ag.tensor(np.float64(x)) does), a Python float takes
    the default float dtype: scipy.special.gamma(np.float64(0.4)) on its own is float64."""
    for x, dtype in [(np.float64(0.4), np.float64), (np.float32(0.4), np.float32),
                     (0.4, ag.get_default_dtype())]:
        for fn in (S.gamma, S.gammaln, S.erf, S.digamma):
            out = fn(x)
            assert out.dtype == dtype, (fn, type(x), out.dtype)
            assert abs(out.item() - getattr(sc, fn.__name__)(0.4)) < 1e-6
    assert S.beta(np.float64(0.4), 2).dtype == np.float64
    assert S.beta(0.4, 2).dtype == ag.get_default_dtype()
    # beside a Tensor a number is weak, as in arithmetic: the Tensor's dtype
    assert S.beta(ag.tensor(np.float32([0.4])), np.float64(2.0)).dtype == np.float32


def test_derivative_chain_gammaln_digamma_polygamma():
    x = leaf([0.5, 1.5, 3.0])
    (g1,) = ag.grad(sc.gammaln(x).sum(), x, create_graph=True)
    (g2,) = ag.grad(g1.sum(), x, create_graph=True)
    (g3,) = ag.grad(g2.sum(), x)
    np.testing.assert_allclose(g1.data, sc.digamma(x.data))
    np.testing.assert_allclose(g2.data, sc.polygamma(1, x.data))
    np.testing.assert_allclose(g3.data, sc.polygamma(2, x.data))


# ---------------------------------------------------------------------------- singular points


def test_poles_of_gamma_give_scipys_values_and_nonfinite_gradients():
    x = leaf([-2.0, -1.0, 0.0])
    for fn in (sc.gamma, sc.gammaln, sc.digamma, sc.gammasgn):
        np.testing.assert_array_equal(fn(x).data, fn(x.data))
    (g,) = ag.grad(sc.gammaln(x).sum(), x)
    assert not np.isfinite(g.data).any()  # ψ at a pole: log|Γ| has no derivative there


def test_rgamma_is_smooth_through_the_poles_of_gamma():
    # 1/Γ(x) near −n is (−1)ⁿ·n!·(x + n): its slope there is (−1)ⁿ·n!
    x = leaf([0.0, -1.0, -2.0, -3.0])
    np.testing.assert_array_equal(sc.rgamma(x).data, [0.0, 0.0, 0.0, 0.0])
    (g,) = ag.grad(sc.rgamma(x).sum(), x, create_graph=True)
    np.testing.assert_allclose(g.data, [1.0, -1.0, 2.0, -6.0], rtol=1e-12)
    # the second derivative there is −2·(−1)ⁿ·n!·ψ(n + 1)
    (g2,) = ag.grad(g.sum(), x)
    n = np.array([0, 1, 2, 3])
    expected = -2 * (-1.0) ** n * sc.gamma(n + 1) * sc.digamma(n + 1)
    np.testing.assert_allclose(g2.data, expected, rtol=1e-10)
    assert ag.gradcheck(sc.rgamma, (x,)) and ag.gradgradcheck(sc.rgamma, (x,))


def test_xlogy_at_zero_is_zero_with_the_gradient_along_x_equal_0():
    x = leaf([0.0, 0.0, 0.0, 2.0])
    y = leaf([0.0, 3.0, -1.0, 3.0])
    out = sc.xlogy(x, y)
    np.testing.assert_array_equal(out.data, sc.xlogy(x.data, y.data))
    assert out.data[0] == 0.0
    gx, gy = ag.grad(out.sum(), (x, y))
    # ∂x: log y, taken as 0 where x = 0 and y <= 0 (PyTorch's); ∂y: x / y, 0 where x = 0
    np.testing.assert_allclose(gx.data, [0.0, np.log(3.0), 0.0, np.log(3.0)])
    np.testing.assert_allclose(gy.data, [0.0, 0.0, 0.0, 2.0 / 3.0])
    # second order at the singular point stays finite
    gx, gy = ag.grad(sc.xlogy(x, y).sum(), (x, y), create_graph=True)
    hx, hy = ag.grad((gx + gy).sum(), (x, y))
    assert np.isfinite(hx.data[:3]).all() and np.isfinite(hy.data[1:3]).all()


def test_xlog1py_at_zero_minus_one():
    x = leaf([0.0, 0.0, 1.5])
    y = leaf([-1.0, 0.5, 0.5])
    out = sc.xlog1py(x, y)
    np.testing.assert_array_equal(out.data, [0.0, 0.0, 1.5 * np.log1p(0.5)])
    gx, gy = ag.grad(out.sum(), (x, y))
    np.testing.assert_allclose(gx.data, [0.0, np.log1p(0.5), np.log1p(0.5)])
    np.testing.assert_allclose(gy.data, [0.0, 0.0, 1.5 / 1.5])


def test_erfinv_at_the_ends_and_logit_at_0_and_1():
    x = leaf([-1.0, 1.0])
    np.testing.assert_array_equal(sc.erfinv(x).data, [-np.inf, np.inf])
    p = leaf([0.0, 1.0])
    np.testing.assert_array_equal(sc.logit(p).data, [-np.inf, np.inf])
    # (not through .sum(): -inf + inf is nan, and numpy warns about it)
    (g,) = ag.grad(sc.logit(p), p, ag.ones_like(p))
    np.testing.assert_array_equal(g.data, [np.inf, np.inf])


# ---------------------------------------------------------------------------- no derivative


@pytest.mark.parametrize("call,which", [
    (lambda v, x: sc.jv(v, x), "v"), (lambda v, x: sc.iv(v, x), "v"),
    (lambda v, x: sc.ive(v, x), "v"), (lambda n, x: sc.yn(n, x), "n"),
    (lambda n, x: S.polygamma(n, x), "n"),
])
def test_a_gradient_asked_of_an_order_raises(call, which):
    a = leaf([1.0, 2.0])
    x = leaf([0.3, 0.6])
    out = call(a, x)  # computing is fine; only the gradient is missing
    (gx,) = ag.grad(call(a.detach(), x).sum(), x)  # and the gradient in x works
    assert np.isfinite(gx.data).all()
    with pytest.raises(RuntimeError, match=f"the derivative for '{which}' is not implemented"):
        out.sum().backward()


def test_wrong_number_of_arguments():
    with pytest.raises(TypeError, match=r"takes 2 arguments \(v, x\), got 1"):
        S.jv(leaf([1.0]))


def test_a_scipy_ufunc_without_a_derivative_refuses_a_tensor_that_requires_grad():
    x = leaf([1.5, 2.5])
    with pytest.raises(TypeError, match="no differentiable scipy.special.zeta"):
        sc.zeta(x, 2.0)
    np.testing.assert_array_equal(sc.zeta(x.detach(), 2.0).data, sc.zeta(x.data, 2.0))


# ---------------------------------------------------------------------------- the non-ufuncs


X = rng.standard_normal((3, 4))
B = rng.uniform(-1.0, 2.0, (3, 4))


@pytest.mark.parametrize("kw", [{}, {"axis": 0}, {"axis": -1, "keepdims": True},
                                {"axis": (0, 1)}, {"b": B}, {"b": B[0], "axis": 1},
                                {"b": B, "axis": 0, "return_sign": True},
                                {"b": np.abs(B), "return_sign": True, "keepdims": True}])
def test_logsumexp_matches_scipy_and_gradchecks_in_a_and_b(kw):
    expected = sc.logsumexp(X, **kw)
    out = S.logsumexp(leaf(X), **kw)
    if kw.get("return_sign"):
        (out, sign), (expected, esign) = out, expected
        np.testing.assert_array_equal(sign.data, esign)
    np.testing.assert_allclose(out.data, expected, rtol=1e-13)
    assert out.shape == np.shape(expected)
    b = kw.pop("b", None)
    if b is None:
        fn = lambda a: S.logsumexp(a, **kw)  # noqa: E731
        assert ag.gradcheck(fn, (leaf(X),)) and ag.gradgradcheck(fn, (leaf(X),))
    else:
        def fn(a, bb):
            r = S.logsumexp(a, b=bb, **kw)
            return r[0] if kw.get("return_sign") else r
        # b's entries of one sign keep log(sum) defined under finite differences
        args = (leaf(X), leaf(np.abs(b) + 0.1))
        assert ag.gradcheck(fn, args) and ag.gradgradcheck(fn, args)


def test_logsumexp_edge_cases_as_scipy():
    np.testing.assert_array_equal(S.logsumexp(leaf([[-np.inf, -np.inf]]), axis=1).data, [-np.inf])
    assert np.isnan(S.logsumexp(leaf([1.0, 2.0]), b=[1.0, -2.0]).data)
    out, sign = S.logsumexp(leaf([1.0, 2.0]), b=[0.0, 0.0], return_sign=True)
    assert out.data == -np.inf and sign.data == 0.0
    out = S.logsumexp(leaf([1000.0, 1000.0]))
    np.testing.assert_allclose(out.data, 1000 + np.log(2))


@pytest.mark.parametrize("axis", [None, 0, 1, -1])
def test_softmax_and_log_softmax_use_scipys_default_axis(axis):
    kw = {} if axis is None else {"axis": axis}
    np.testing.assert_allclose(S.softmax(leaf(X), **kw).data, sc.softmax(X, **kw), rtol=1e-13)
    np.testing.assert_allclose(S.log_softmax(leaf(X), **kw).data, sc.log_softmax(X, **kw),
                               rtol=1e-13)
    for fn in (S.softmax, S.log_softmax):
        f = lambda t, fn=fn: fn(t, **kw)  # noqa: E731
        assert ag.gradcheck(f, (leaf(X),)) and ag.gradgradcheck(f, (leaf(X),))


def test_multigammaln_matches_scipy_checks_its_arguments_and_differentiates():
    a = rng.uniform(3.0, 6.0, (2, 3))
    for d in (1, 2, 5):
        np.testing.assert_allclose(S.multigammaln(leaf(a), d).data, sc.multigammaln(a, d),
                                   rtol=1e-13)
    fn = lambda t: S.multigammaln(t, 4)  # noqa: E731
    assert ag.gradcheck(fn, (leaf(a),)) and ag.gradgradcheck(fn, (leaf(a),))
    t = leaf(a)
    (g,) = ag.grad(S.multigammaln(t, 4).sum(), t)
    np.testing.assert_allclose(g.data, sum(sc.digamma(a - j / 2) for j in range(4)))
    with pytest.raises(ValueError, match="d should be a positive integer"):
        S.multigammaln(leaf(a), 2.5)
    with pytest.raises(ValueError, match=r"condition a .* > 0.5 \* \(d-1\)"):
        S.multigammaln(leaf([1.0]), 4)
