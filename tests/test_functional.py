"""jacobian, hessian, vjp and hvp against finite differences and closed forms."""

import numpy as np
import pytest

import autograd as ag

rng = np.random.default_rng(7)


def t64(*shape):
    return ag.Tensor(rng.standard_normal(shape))


def numeric_jacobian(f, xs, eps=1e-6):
    """J[i][j] of shape out_i.shape + in_j.shape by central differences (numpy in, numpy out)."""
    outs = f(*xs)
    outs = outs if isinstance(outs, tuple) else (outs,)
    result = [[np.zeros(o.shape + x.shape) for x in xs] for o in outs]
    for j, x in enumerate(xs):
        for k in range(x.size):
            xp = [a.copy() for a in xs]
            xm = [a.copy() for a in xs]
            xp[j].flat[k] += eps
            xm[j].flat[k] -= eps
            fp, fm = f(*xp), f(*xm)
            fp = fp if isinstance(fp, tuple) else (fp,)
            fm = fm if isinstance(fm, tuple) else (fm,)
            for i in range(len(outs)):
                idx = (Ellipsis,) + np.unravel_index(k, x.shape)
                result[i][j][idx] = (fp[i] - fm[i]) / (2 * eps)
    return result


def f_tensor(x, y):
    return (x.tanh() * y.sum()), (x * x).sum(axis=0) + y.exp()


def f_numpy(x, y):
    return np.tanh(x) * y.sum(), (x * x).sum(axis=0) + np.exp(y)


def test_jacobian_single():
    x = t64(3)
    j = ag.jacobian(lambda a: a.sin() * a, x)
    xd = x.data
    np.testing.assert_allclose(j.data, np.diag(np.cos(xd) * xd + np.sin(xd)), atol=1e-12)
    assert j.shape == (3, 3) and not j.requires_grad


def test_jacobian_tuples_vs_finite_differences():
    x, y = t64(2, 3), t64(3)
    j = ag.jacobian(f_tensor, (x, y))
    num = numeric_jacobian(f_numpy, [x.data, y.data])
    assert isinstance(j, tuple) and len(j) == 2 and all(len(row) == 2 for row in j)
    for i in range(2):
        for k in range(2):
            assert j[i][k].shape == num[i][k].shape
            np.testing.assert_allclose(j[i][k].data, num[i][k], atol=1e-7)


def test_jacobian_tuple_output_single_input_and_unused():
    x = t64(2)
    j = ag.jacobian(lambda a: (a * 2, ag.Tensor(np.ones(3))), x)
    np.testing.assert_allclose(j[0].data, 2 * np.eye(2))
    np.testing.assert_array_equal(j[1].data, np.zeros((3, 2)))


def test_jacobian_matrix_input_shapes():
    a = t64(2, 3)
    w = rng.standard_normal((3, 4))
    j = ag.jacobian(lambda m: m @ ag.Tensor(w), a)
    assert j.shape == (2, 4, 2, 3)
    expected = np.einsum("ik,jl->ijkl", np.eye(2), w.T)  # d(AW)_ij / dA_kl = δ_ik W_lj
    np.testing.assert_allclose(j.data, expected, atol=1e-12)


def test_hessian_quadratic_form():
    a = rng.standard_normal((4, 4))
    h = ag.hessian(lambda x: x @ ag.Tensor(a) @ x, t64(4))
    np.testing.assert_allclose(h.data, a + a.T, atol=1e-12)


def test_hessian_tuple_inputs_vs_finite_differences():
    def f(x, y):
        return (x.exp() * y).sum() + (x * x).sum() * y.sum() ** 2

    x, y = t64(3), t64(3)
    h = ag.hessian(f, (x, y))

    def grad_np(xd, yd):
        return _np_grad(f, xd, yd)

    num = numeric_jacobian(grad_np, [x.data, y.data])
    for i in range(2):
        for k in range(2):
            assert h[i][k].shape == (3, 3)
            np.testing.assert_allclose(h[i][k].data, num[i][k], atol=1e-6)
    np.testing.assert_allclose(h[0][1].data, h[1][0].data.T, atol=1e-12)


def _np_grad(f, xd, yd):
    x, y = ag.Tensor(xd, requires_grad=True), ag.Tensor(yd, requires_grad=True)
    gx, gy = ag.grad(f(x, y), (x, y))
    return gx.data, gy.data


def test_hessian_of_linear_function_is_zero():
    c = ag.Tensor(rng.standard_normal(3))
    np.testing.assert_array_equal(ag.hessian(lambda x: (x * c).sum(), t64(3)).data,
                                  np.zeros((3, 3)))


def test_vjp():
    x, v = t64(2, 3), t64(2, 3)
    out, g = ag.vjp(lambda a: a.tanh(), x, v)
    np.testing.assert_allclose(out.data, np.tanh(x.data))
    np.testing.assert_allclose(g.data, v.data * (1 - np.tanh(x.data) ** 2), atol=1e-12)


def test_vjp_tuples_match_jacobian():
    x, y = t64(2, 3), t64(3)
    v = (t64(2, 3), t64(3))
    outs, (gx, gy) = ag.vjp(f_tensor, (x, y), v)
    j = ag.jacobian(f_tensor, (x, y))
    for k, g in enumerate((gx, gy)):
        expected = sum(np.tensordot(v[i].data, j[i][k].data, axes=v[i].ndim) for i in range(2))
        np.testing.assert_allclose(g.data, expected, atol=1e-12)
    assert len(outs) == 2


def test_vjp_needs_v_for_non_scalar_output():
    with pytest.raises(RuntimeError, match="v must be given"):
        ag.vjp(lambda a: a * 2, t64(3))
    _, g = ag.vjp(lambda a: (a * a).sum(), t64(3))  # scalar output: v defaults to 1
    assert g.shape == (3,)
    with pytest.raises(ValueError, match="shape"):
        ag.vjp(lambda a: a * 2, t64(3), t64(2))


def test_hvp_matches_hessian_and_closed_form():
    a = rng.standard_normal((5, 5))
    x, v = t64(5), t64(5)
    out, hv = ag.hvp(lambda t: t @ ag.Tensor(a) @ t, x, v)
    np.testing.assert_allclose(out.data, x.data @ a @ x.data)
    np.testing.assert_allclose(hv.data, (a + a.T) @ v.data, atol=1e-12)

    def f(t):
        return (t.sin() * t.sum()).sum()

    _, hv = ag.hvp(f, x, v)
    h = ag.hessian(f, x)
    np.testing.assert_allclose(hv.data, h.data @ v.data, atol=1e-12)


def test_hvp_tuple_inputs():
    def f(x, y):
        return (x * x * y).sum()

    x, y = t64(3), t64(3)
    vx, vy = t64(3), t64(3)
    _, (hx, hy) = ag.hvp(f, (x, y), (vx, vy))
    # H = [[diag(2y), diag(2x)], [diag(2x), 0]]
    np.testing.assert_allclose(hx.data, 2 * y.data * vx.data + 2 * x.data * vy.data)
    np.testing.assert_allclose(hy.data, 2 * x.data * vx.data)


def test_hvp_never_builds_the_hessian():
    """At n = 20000 the Hessian would hold 400M entries (3.2 GB); hvp costs two backward
    passes over n-element tensors."""
    n = 20000
    x, v = t64(n), t64(n)
    _, hv = ag.hvp(lambda t: (t.exp() * t).sum(), x, v)
    xd = x.data
    np.testing.assert_allclose(hv.data, (2 * np.exp(xd) + xd * np.exp(xd)) * v.data, rtol=1e-12)


def test_create_graph_keeps_results_differentiable():
    x = ag.Tensor(np.array([0.5, -1.0]), requires_grad=True)
    h = ag.hessian(lambda t: (t ** 4).sum(), x, create_graph=True)  # diag(12x²)
    assert h.requires_grad
    (g,) = ag.grad(h.sum(), x)
    np.testing.assert_allclose(g.data, 24 * x.data)
    _, hv = ag.hvp(lambda t: (t ** 4).sum(), x, ag.Tensor(np.ones(2)), create_graph=True)
    (g,) = ag.grad(hv.sum(), x)
    np.testing.assert_allclose(g.data, 24 * x.data)


def test_works_inside_no_grad_and_leaves_inputs_alone():
    x = ag.Tensor(np.array([1.0, 2.0]), requires_grad=True)
    with ag.no_grad():
        j = ag.jacobian(lambda t: t * t, x)
    np.testing.assert_allclose(j.data, np.diag([2.0, 4.0]))
    assert x.grad is None


def test_bad_inputs():
    with pytest.raises(TypeError, match="input 0 must be a Tensor"):
        ag.jacobian(lambda t: t, [1.0, 2.0])
    with pytest.raises(TypeError, match="floating"):
        ag.jacobian(lambda t: t, ag.Tensor([1, 2]))
    with pytest.raises(RuntimeError, match="single-element"):
        ag.hessian(lambda t: t * 2, t64(3))
    with pytest.raises(RuntimeError, match="single-element"):
        ag.hvp(lambda t: t * 2, t64(3), t64(3))


def test_jvp_matches_jacobian():
    x, y = t64(2, 3), t64(3)
    v = (t64(2, 3), t64(3))
    outs, (jx, jy) = ag.jvp(f_tensor, (x, y), v)
    j = ag.jacobian(f_tensor, (x, y))
    for i, jv in enumerate((jx, jy)):
        expected = sum(np.tensordot(j[i][k].data, v[k].data, axes=v[k].ndim) for k in range(2))
        np.testing.assert_allclose(jv.data, expected, atol=1e-12)
    _, jv = ag.jvp(lambda t: t.sin(), x, ag.Tensor(np.ones((2, 3))))
    np.testing.assert_allclose(jv.data, np.cos(x.data), atol=1e-12)
    with pytest.raises(ValueError, match="shape"):
        ag.jvp(lambda t: t * 2, t64(3), t64(2))
