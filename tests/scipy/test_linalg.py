"""ag.scipy.linalg and ag.scipy.signal.convolve: values against scipy's own, gradients in every
argument and option (the op-case table checks a few to third order), and scipy's errors."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.linalg as sl
import scipy.signal as ss

import autograd as ag
import autograd.scipy.linalg as sla
import autograd.scipy.signal as sig

rng = np.random.default_rng(3)


def leaf(x):
    return ag.tensor(np.asarray(x, dtype=np.float64), requires_grad=True)


A = rng.standard_normal((4, 4)) + 4 * np.eye(4)
SPD = A @ A.T
B1 = rng.standard_normal(4)
B2 = rng.standard_normal((4, 3))


@pytest.mark.parametrize("lower", [False, True])
@pytest.mark.parametrize("trans", [0, 1, 2, "N", "T", "C"])
@pytest.mark.parametrize("unit", [False, True])
def test_solve_triangular_every_option(lower, trans, unit):
    for b in (B1, B2):
        expected = sl.solve_triangular(A, b, trans=trans, lower=lower, unit_diagonal=unit)
        out = sla.solve_triangular(leaf(A), leaf(b), trans=trans, lower=lower,
                                   unit_diagonal=unit)
        np.testing.assert_allclose(out.data, expected, rtol=1e-12)

        def f(a, bb):
            return sla.solve_triangular(a, bb, trans=trans, lower=lower, unit_diagonal=unit)

        assert ag.gradcheck(f, (leaf(A), leaf(b)))
    # the unread triangle (and a unit diagonal) gets no gradient
    a = leaf(A)
    sla.solve_triangular(a, leaf(B2), trans=trans, lower=lower, unit_diagonal=unit).sum().backward()
    unread = np.triu(np.ones((4, 4)), 1) if lower else np.tril(np.ones((4, 4)), -1)
    if unit:
        unread = unread + np.eye(4)
    assert (a.grad.data[unread == 1] == 0).all()


@pytest.mark.parametrize("lower", [False, True])
def test_cholesky_cho_factor_cho_solve(lower):
    np.testing.assert_allclose(sla.cholesky(leaf(SPD), lower=lower).data,
                               sl.cholesky(SPD, lower=lower), rtol=1e-12)
    c, low = sla.cho_factor(leaf(SPD), lower=lower)
    assert low is lower
    ref_c, _ = sl.cho_factor(SPD, lower=lower)
    tri = np.tril if lower else np.triu
    np.testing.assert_allclose(c.data, tri(ref_c), rtol=1e-12)  # scipy's other triangle: junk
    for b in (B1, B2):
        np.testing.assert_allclose(sla.cho_solve((c, low), b).data,
                                   sl.cho_solve((ref_c, lower), b), rtol=1e-12)
        # scipy's own factor (junk triangle included) works as input too
        np.testing.assert_allclose(sla.cho_solve((ref_c, lower), leaf(b)).data,
                                   sl.cho_solve((ref_c, lower), b), rtol=1e-12)

    def f(a, b):  # symmetric input: the gradient of a function of a symmetric matrix
        return sla.cho_solve(sla.cho_factor(a @ a.T, lower=lower), b)

    assert ag.gradcheck(f, (leaf(A), leaf(B2))) and ag.gradgradcheck(f, (leaf(A), leaf(B1)))


def test_cholesky_gradient_is_symmetric_and_errors():
    a = leaf(SPD)
    sla.cholesky(a, lower=True).sum().backward()
    np.testing.assert_allclose(a.grad.data, a.grad.data.T)
    with pytest.raises(np.linalg.LinAlgError, match="not positive definite"):
        sla.cholesky(leaf(-SPD))
    with pytest.raises(ValueError, match=r"expected a square matrix, got shape \(4, 3\)"):
        sla.cholesky(leaf(B2))


def test_solve_sylvester():
    a = rng.standard_normal((3, 3)) + 3 * np.eye(3)
    b = rng.standard_normal((2, 2)) + 3 * np.eye(2)
    q = rng.standard_normal((3, 2))
    out = sla.solve_sylvester(leaf(a), leaf(b), leaf(q))
    np.testing.assert_allclose(out.data, sl.solve_sylvester(a, b, q), rtol=1e-12)
    np.testing.assert_allclose(a @ out.data + out.data @ b, q, atol=1e-12)
    assert ag.gradcheck(sla.solve_sylvester, (leaf(a), leaf(b), leaf(q)))
    with pytest.raises(ValueError, match=r"q must have shape \(3, 2\)"):
        sla.solve_sylvester(leaf(a), leaf(b), leaf(q.T))


def test_sqrtm_symmetric_and_not():
    for m in (SPD, SPD + 0.7 * A):  # the second is not symmetric
        x = sla.sqrtm(leaf(m))
        np.testing.assert_allclose(x.data, sl.sqrtm(m), rtol=1e-10)
        np.testing.assert_allclose(x.data @ x.data, m, rtol=1e-10)
    f = lambda a: sla.sqrtm(a @ a.T + 0.7 * a)  # noqa: E731
    assert ag.gradcheck(f, (leaf(A),)) and ag.gradgradcheck(f, (leaf(A),))
    with pytest.raises(ValueError, match="has no real square root"):
        sla.sqrtm(leaf(-SPD))


@pytest.mark.parametrize("lu", [(1, 1), (2, 0), (0, 2), (1, 3)])
def test_solve_banded(lu):
    l, u = lu
    n = 6
    ab = rng.standard_normal((l + u + 1, n))
    ab[u] += 6.0
    for b in (rng.standard_normal(n), rng.standard_normal((n, 2))):
        np.testing.assert_allclose(sla.solve_banded(lu, leaf(ab), leaf(b)).data,
                                   sl.solve_banded(lu, ab, b), rtol=1e-12)
        f = lambda ab_, b_: sla.solve_banded(lu, ab_, b_)  # noqa: E731
        assert ag.gradcheck(f, (leaf(ab), leaf(b)))
    with pytest.raises(ValueError, match=r"ab must have shape \(l \+ u \+ 1, n\)"):
        sla.solve_banded((l + 1, u), leaf(ab), leaf(b))


# ---------------------------------------------------------------------------- convolve


SHAPES = [((7,), (3,)), ((3,), (7,)), ((4,), (4,)), ((5, 6), (2, 3)), ((2, 3), (5, 6)),
          ((4, 3), (2, 5)), ((3, 4, 2), (2, 2, 2)), ((1, 5), (3, 1))]


@pytest.mark.parametrize("s1,s2", SHAPES, ids=[f"{a}*{b}" for a, b in SHAPES])
@pytest.mark.parametrize("mode", ["full", "valid", "same"])
def test_convolve_matches_scipy_and_gradchecks(s1, s2, mode):
    a, b = rng.standard_normal(s1), rng.standard_normal(s2)
    try:
        expected = ss.convolve(a, b, mode)
    except ValueError as e:  # 'valid' where neither input covers the other
        with pytest.raises(ValueError, match="at least as large"):
            sig.convolve(leaf(a), leaf(b), mode)
        assert "at least as large" in str(e)
        return
    for method in ("auto", "direct", "fft"):
        out = sig.convolve(leaf(a), leaf(b), mode, method=method)
        assert out.shape == expected.shape
        np.testing.assert_allclose(out.data, expected, rtol=1e-10, atol=1e-12)
    f = lambda x, y: sig.convolve(x, y, mode)  # noqa: E731
    assert ag.gradcheck(f, (leaf(a), leaf(b)))


def test_convolve_errors():
    with pytest.raises(ValueError, match="same dimensionality"):
        sig.convolve(leaf(np.ones(3)), leaf(np.ones((2, 2))))
    with pytest.raises(ValueError, match="mode must be"):
        sig.convolve(leaf(np.ones(3)), leaf(np.ones(2)), "circular")
