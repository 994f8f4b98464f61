"""``ag.linalg``: numpy.linalg's values, reachable the ways numpy users call them, with
PyTorch's gradient conventions at the edges (singular det, repeated eigenvalues, zero norms).
The gradients themselves are checked through the op table (tests/cases/linalg.py)."""

from __future__ import annotations

import inspect

import numpy as np
import pytest

import autograd as ag
from autograd.ops import OPS

rng = np.random.default_rng(3)
L = ag.linalg


def T(*shape, shift=0.0):
    x = rng.standard_normal(shape)
    if shift:
        x = x + shift * np.eye(shape[-1])
    return ag.Tensor(x, requires_grad=True)


def spd(*shape):
    x = rng.standard_normal(shape)
    return ag.Tensor(x @ np.swapaxes(x, -1, -2) + np.eye(shape[-1]), requires_grad=True)


def cofactor(m: np.ndarray) -> np.ndarray:
    """The cofactor matrix from minors (the gradient of det, by definition)."""
    n = len(m)
    return np.array([[(-1) ** (i + j) * np.linalg.det(np.delete(np.delete(m, i, 0), j, 1))
                      for j in range(n)] for i in range(n)])


# ---------------------------------------------------------------------------- reachability


def test_the_namespace_is_a_module_generated_from_the_declarations():
    import autograd.linalg
    from autograd.linalg import solve

    assert ag.linalg is autograd.linalg and solve is L.solve
    declared = {name.split(".", 1)[1] for name, d in OPS.items()
                if name.startswith("linalg.") and d.export}
    assert declared == set(L.__all__)
    assert {"inv", "solve", "det", "slogdet", "cholesky", "norm", "eigh", "svd"} <= declared
    for name in declared:  # the export is the op (wrapped to take PyTorch's dim=/keepdim=)
        assert inspect.unwrap(getattr(L, name)) is OPS[f"linalg.{name}"].fn
        assert getattr(ag, name, None) is not getattr(L, name)  # in ag.linalg, not in ag
    assert L.inv(T(2, 2, shift=3)).grad_fn.name == "LinalgInvBackward"


def test_numpy_calls_reach_the_ops():
    A, b = T(3, 3, shift=3), T(3)
    for got, expected in [
        (np.linalg.inv(A), np.linalg.inv(A.data)),
        (np.linalg.solve(A, b), np.linalg.solve(A.data, b.data)),
        (np.linalg.det(A), np.linalg.det(A.data)),
        (np.linalg.slogdet(A).logabsdet, np.linalg.slogdet(A.data).logabsdet),
        (np.linalg.norm(A, ord="nuc"), np.linalg.norm(A.data, ord="nuc")),
        (np.linalg.pinv(A), np.linalg.pinv(A.data)),
        (np.linalg.matrix_power(A, 3), np.linalg.matrix_power(A.data, 3)),
        (np.linalg.multi_dot([A, A, b]), np.linalg.multi_dot([A.data, A.data, b.data])),
        (np.linalg.eigvalsh(A @ A.T), np.linalg.eigvalsh(A.data @ A.data.T)),
        (np.linalg.svd(A, compute_uv=False), np.linalg.svd(A.data, compute_uv=False)),
    ]:
        assert isinstance(got, ag.Tensor) and got.requires_grad
        np.testing.assert_allclose(got.data, expected, rtol=1e-10, atol=1e-12)


def test_pytorch_style_methods():
    A = T(3, 3, shift=3)
    np.testing.assert_allclose(A.det().data, np.linalg.det(A.data))
    np.testing.assert_allclose(A.inverse().data, np.linalg.inv(A.data))
    assert A.slogdet().sign.item() == np.linalg.slogdet(A.data).sign
    S = spd(3, 3)
    np.testing.assert_allclose(S.cholesky().data, np.linalg.cholesky(S.data))


def test_multi_output_ops_are_one_node_and_diagnose_checks_it():
    A = T(3, 3)
    w, v = L.eigh(A @ A.T)
    assert w.grad_fn.next_functions[0].next_functions[0].name == "LinalgEighBackward"
    assert v.grad_fn.next_functions[0].next_functions[0] is \
        w.grad_fn.next_functions[0].next_functions[0]  # one node, two outputs

    def f(a):
        return ((L.eigh(a + a.T)[1] ** 2).sum() + L.svd(a)[0].abs().sum() + L.slogdet(a)[1]
                + L.cholesky(a @ a.T + np.eye(3)).sum() + L.det(a) + np.linalg.norm(a, 2))

    report = ag.diagnose(f, (A,))
    assert not report.wrong and not report.skipped and len(report.checks) > 20


def test_results_are_numpys_named_tuples():
    A = spd(2, 3, 3)
    sign, logabsdet = L.slogdet(A)
    assert not sign.requires_grad and logabsdet.requires_grad
    w, v = np.linalg.eigh(A)
    ref = np.linalg.eigh(A.data)
    np.testing.assert_allclose(w.data, ref.eigenvalues)
    np.testing.assert_allclose(np.abs(v.data), np.abs(ref.eigenvectors), atol=1e-12)
    assert L.eigh(A).eigenvectors.shape == (2, 3, 3)
    U, S, Vh = np.linalg.svd(T(2, 4, 3))
    assert (U.shape, S.shape, Vh.shape) == ((2, 4, 4), (2, 3), (2, 3, 3))
    r = L.svd(T(4, 3), full_matrices=False)
    assert (r.U.shape, r.S.shape, r.Vh.shape) == ((4, 3), (3,), (3, 3))
    np.testing.assert_allclose((r.U * r.S[None, :]) @ r.Vh, r.U.data @ np.diag(r.S.data)
                               @ r.Vh.data)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_dtype_is_kept_and_integers_take_the_default_float_dtype(dtype):
    A = ag.Tensor((rng.standard_normal((3, 3)) + 3 * np.eye(3)).astype(dtype))
    for fn in (L.inv, L.det, lambda a: L.solve(a, np.ones(3, dtype)), L.norm,
               lambda a: L.svd(a)[1], lambda a: L.eigh(a @ a.T)[0]):
        assert fn(A).dtype == dtype
    assert L.inv(ag.tensor([[2, 0], [0, 4]])).dtype == ag.get_default_dtype()  # PyTorch's rule


# ---------------------------------------------------------------------------- edges


def test_det_of_a_singular_matrix_has_the_cofactor_gradient():
    m = np.array([[1.0, 2.0, 3.0], [2.0, 4.0, 6.0], [1.0, 0.0, 1.0]])  # rank 2
    A = ag.Tensor(m, requires_grad=True)
    L.det(A).backward()
    np.testing.assert_allclose(A.grad.data, cofactor(m), atol=1e-12)
    low = ag.Tensor(np.outer([1.0, 2.0, 3.0], [1.0, -1.0, 2.0]), requires_grad=True)  # rank 1
    L.det(low).backward()
    np.testing.assert_allclose(low.grad.data, 0.0, atol=1e-12)  # every 2x2 minor is 0
    batch = ag.Tensor(np.stack([m, m + 3 * np.eye(3), np.zeros((3, 3))]), requires_grad=True)
    L.det(batch).sum().backward()
    for i in range(3):
        np.testing.assert_allclose(batch.grad.data[i], cofactor(batch.data[i]), atol=1e-12)
    assert ag.gradcheck(L.det, (ag.Tensor(m, requires_grad=True),))
    assert ag.gradgradcheck(L.det, (ag.Tensor(m, requires_grad=True),))


def test_slogdet_and_inv_of_a_singular_matrix():
    m = np.array([[1.0, 2.0], [2.0, 4.0]])
    sign, logabsdet = L.slogdet(m)
    assert sign.item() == 0 and logabsdet.item() == -np.inf
    with pytest.raises(np.linalg.LinAlgError, match="[Ss]ingular"):
        L.inv(ag.Tensor(m, requires_grad=True))


def test_eigvalsh_and_svdvals_with_repeated_values_have_gradients():
    eye = ag.Tensor(np.eye(3), requires_grad=True)
    L.eigvalsh(eye).sum().backward()  # d trace = I
    np.testing.assert_allclose(eye.grad.data, np.eye(3), atol=1e-12)
    eye.grad = None
    L.svdvals(eye).sum().backward()  # the nuclear norm's gradient at I: U Vᵀ = I
    np.testing.assert_allclose(eye.grad.data, np.eye(3), atol=1e-12)


def test_eigh_gradient_is_the_symmetric_one():
    A = spd(3, 3)
    w, v = L.eigh(A)
    gw, gv = rng.standard_normal(3), rng.standard_normal((3, 3))
    (ga,) = ag.grad((w * gw).sum() + (v * gv).sum(), A)
    # PyTorch's formula: V (diag(gw) + skew(Vᵀ gv) / (w_j - w_i)) Vᵀ
    W, V = np.linalg.eigh(A.data)
    vtg = V.T @ gv
    gap = W[None, :] - W[:, None] + np.eye(3)
    inner = np.diag(gw) + 0.5 * (vtg - vtg.T) / gap * (1 - np.eye(3))
    np.testing.assert_allclose(ga.data, V @ inner @ V.T, atol=1e-10)
    np.testing.assert_allclose(ga.data, ga.data.T, atol=1e-10)


def test_cholesky_gradient_is_symmetric_and_pytorchs():
    A = spd(3, 3)
    g = rng.standard_normal((3, 3))
    (ga,) = ag.grad((L.cholesky(A) * g).sum(), A)
    low = np.linalg.cholesky(A.data)
    phi = np.tril(low.T @ g)
    phi = 0.5 * (phi + np.tril(phi, -1).T)
    li = np.linalg.inv(low)
    np.testing.assert_allclose(ga.data, li.T @ phi @ li, atol=1e-10)
    np.testing.assert_allclose(ga.data, ga.data.T, atol=1e-10)


@pytest.mark.parametrize("ord", [None, 2, 1.5, 3, np.inf, 1])
def test_vector_norm_at_zero_has_zero_gradient(ord):
    x = ag.Tensor(np.zeros(4), requires_grad=True)
    L.norm(x, ord=ord).backward()
    assert np.array_equal(x.grad.data, np.zeros(4))
    y = ag.Tensor(np.array([[0.0, 0.0], [3.0, -4.0]]), requires_grad=True)
    L.norm(y, ord=ord, axis=1).sum().backward()
    assert np.isfinite(y.grad.data).all() and np.all(y.grad.data[0] == 0)


NORM_CALLS = [((5,), {}), ((5,), {"ord": 1}), ((5,), {"ord": -np.inf}), ((5,), {"ord": 0}),
              ((5,), {"ord": 0.5}), ((3, 4), {}), ((3, 4), {"ord": "fro"}),
              ((3, 4), {"ord": "nuc"}), ((3, 4), {"ord": 2}), ((3, 4), {"ord": -2}),
              ((3, 4), {"ord": 1}), ((3, 4), {"ord": -1}), ((3, 4), {"ord": np.inf}),
              ((3, 4), {"ord": -np.inf}), ((3, 4), {"axis": 0}), ((3, 4), {"axis": -1, "ord": 3}),
              ((2, 3, 4), {}), ((2, 3, 4), {"axis": (0, 2)}), ((2, 3, 4), {"axis": (2, 1),
                                                                       "ord": 1}),
              ((2, 3, 4), {"axis": (0, 1), "ord": "nuc", "keepdims": True}),
              ((2, 3, 4), {"axis": 1, "keepdims": True}), ((2, 3, 4), {"keepdims": True})]


@pytest.mark.parametrize("shape,kwargs", NORM_CALLS)
def test_norm_values_are_numpys(shape, kwargs):
    x = ag.Tensor(rng.standard_normal(shape))
    got = np.linalg.norm(x, **kwargs)
    expected = np.linalg.norm(x.data, **kwargs)
    assert got.shape == np.shape(expected)
    np.testing.assert_allclose(got.data, expected, rtol=1e-12)


def test_clear_errors():
    with pytest.raises(np.linalg.LinAlgError, match=r"inv: expected a square .* \(2, 3\)"):
        L.inv(T(2, 3))
    with pytest.raises(ValueError, match=r"\(3, 3\) and b of shape \(4,\)"):
        L.solve(T(3, 3), T(4))
    with pytest.raises(ValueError, match="batch shapes"):
        L.solve(T(2, 3, 3), T(4, 3, 1))
    with pytest.raises(ValueError, match="ord=2 needs a 1-D or 2-D"):
        L.norm(T(2, 3, 4), ord=2)
    with pytest.raises(ValueError, match="invalid norm order 'fro' for vectors"):
        L.norm(T(3), ord="fro", axis=0)
    with pytest.raises(np.linalg.LinAlgError):
        L.cholesky(ag.tensor([[1.0, 2.0], [2.0, 1.0]]))  # not positive definite


def test_a_declaration_can_export_into_a_namespace_of_its_own():
    from autograd import bind

    @ag.op(namespace="testspace.inner", differentiable=False, saves=None)
    def twice(x):
        """2x, without a gradient."""
        return ag.tensor(np.asarray(x) * 2)

    try:
        import autograd.testspace.inner as inner

        assert ag.testspace.inner is inner and inner.twice is twice
        assert "testspace.inner.twice" in OPS and inner.__all__ == ["twice"]
        assert OPS["testspace.inner.twice"].node == "TestspaceInnerTwiceBackward"
        with pytest.raises(ValueError, match="already"):
            ag.op(lambda x: x, name="other", alias="twice", namespace="testspace.inner",
                  saves=None, differentiable=False)
    finally:
        for key in [k for k in OPS if k.startswith("testspace.")]:
            del OPS[key]
        import sys

        for mod in ("autograd.testspace.inner", "autograd.testspace"):
            sys.modules.pop(mod, None)
        bind.NAMESPACES.pop("testspace.inner", None)
        bind.NAMESPACES.pop("testspace", None)
        del ag.testspace


@pytest.mark.parametrize("sa, sb", [((3, 4), (4, 5)), ((4,), (4, 5)), ((3, 4), (4,)),
                                    ((4,), (4,)), ((2, 3, 4), (4, 5)), ((4,), (2, 4, 5)),
                                    ((2, 1, 3, 4), (5, 4, 2)), ((2, 3, 4), (4,))])
def test_matmul_backward_on_numpy_is_the_recorded_backward_bit_for_bit(sa, sb):
    """matmul's backward runs on plain numpy arrays when it is not recorded; recorded
    (create_graph=True) it runs as ops. Both give the same bits, batch axes summed alike."""
    r = np.random.default_rng(5)
    a = ag.tensor(r.standard_normal(sa), requires_grad=True)
    b = ag.tensor(r.standard_normal(sb), requires_grad=True)
    out = a @ b
    g = ag.tensor(r.standard_normal(out.shape))
    fast = ag.grad(out, (a, b), grad_outputs=g, retain_graph=True)
    recorded = ag.grad(out, (a, b), grad_outputs=g, create_graph=True)
    for x, y, leaf in zip(fast, recorded, (a, b)):
        assert x.shape == leaf.shape and y.shape == leaf.shape
        np.testing.assert_array_equal(x.data, y.data)
    only_b = ag.tensor(r.standard_normal(sa))  # the operand without a gradient is skipped
    (gb,) = ag.grad(only_b @ b, b, grad_outputs=g)
    assert gb.shape == b.shape
