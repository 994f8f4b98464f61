"""numpy's vocabulary on Tensors: each function gives numpy's values through ``np.NAME(t)``,
``ag.NAME`` and (where numpy or PyTorch has one) the Tensor method, and the gradients follow
PyTorch at the singular points (steps, zeros in products, ties, sorting, remainders).

The gradients themselves are checked against finite differences, first and second order, by
the op-case table (``tests/cases/``); here the values and the conventions."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import autograd as ag

rng = np.random.default_rng(7)


def arr(*shape, low=None, high=None):
    if low is not None:
        return rng.uniform(low, high, shape)
    return rng.standard_normal(shape)


def leaf(x) -> ag.Tensor:
    return ag.Tensor(np.array(x, dtype=np.float64), requires_grad=True)


def _plain(x):
    if isinstance(x, ag.Tensor):
        return x.data
    if isinstance(x, (list, tuple)):
        return type(x)(_plain(i) for i in x)
    return x


def _flat(result) -> list:
    if isinstance(result, (list, tuple)):
        return [o for r in result for o in _flat(r)]
    return [result]


# (name, args, kwargs, method): args hold numpy arrays; each array becomes a Tensor leaf.
# ``method`` names the Tensor method to check too (called with the first array as self).
CALLS = [
    *[(n, (arr(2, 3),), {}, n) for n in ("sinh", "cosh", "arctan", "arcsinh", "exp2", "expm1",
                                         "square", "deg2rad", "rad2deg", "sinc", "sign",
                                         "floor", "ceil", "trunc", "fix")],
    *[(n, (arr(2, 3),), {}, None) for n in ("rint", "fabs", "degrees", "radians")],
    ("tan", (arr(3, low=-1.2, high=1.2),), {}, "tan"),
    ("arcsin", (arr(3, low=-0.9, high=0.9),), {}, "arcsin"),
    ("arccos", (arr(3, low=-0.9, high=0.9),), {}, "arccos"),
    ("arctanh", (arr(3, low=-0.9, high=0.9),), {}, "arctanh"),
    ("arccosh", (arr(3, low=1.1, high=3.0),), {}, "arccosh"),
    ("log1p", (arr(3, low=-0.5, high=2.0),), {}, "log1p"),
    ("log2", (arr(3, low=0.1, high=2.0),), {}, "log2"),
    ("log10", (arr(3, low=0.1, high=2.0),), {}, "log10"),
    ("reciprocal", (arr(3, low=0.5, high=2.0),), {}, "reciprocal"),
    ("round", (arr(2, 3) * 10,), {"decimals": 1}, "round"),
    ("around", (arr(4) * 10,), {}, None),
    ("nan_to_num", (np.array([np.nan, np.inf, -np.inf, 1.5]),), {"posinf": 9.0}, "nan_to_num"),
    *[(n, (arr(2, 3), arr(3)), {}, n) for n in ("logaddexp", "logaddexp2", "hypot", "arctan2",
                                                "fmax", "fmin", "remainder")],
    ("mod", (arr(2, 3), arr(2, 1, low=0.5, high=2.0)), {}, None),
    ("fmax", (np.array([np.nan, 1.0, np.nan]), np.array([2.0, np.nan, np.nan])), {}, None),
    ("prod", (arr(2, 3, 4),), {"axis": (0, 2), "keepdims": True}, "prod"),
    ("prod", (arr(3, 4),), {"axis": -1}, "prod"),
    ("cumsum", (arr(3, 4),), {"axis": 0}, "cumsum"),
    ("cumsum", (arr(3, 4),), {}, "cumsum"),
    ("cumprod", (arr(3, 4),), {"axis": 1}, "cumprod"),
    ("diff", (arr(3, 5),), {"n": 2, "prepend": 1.0}, "diff"),
    ("diff", (arr(3, 4),), {"axis": 0, "append": np.zeros((1, 4))}, "diff"),
    ("gradient", (arr(4, 5),), {}, None),
    ("gradient", (arr(6),), {"edge_order": 2}, None),
    ("gradient", (arr(5), [0.0, 0.5, 1.5, 1.7, 3.0]), {"edge_order": 2}, None),
    ("gradient", (arr(3, 4), 0.5, 2.0), {}, None),
    ("sort", (arr(3, 4),), {"axis": 0}, None),
    ("sort", (arr(3, 4),), {"axis": None}, None),
    ("partition", (arr(7),), {"kth": 3}, None),
    ("flip", (arr(2, 3, 2),), {"axis": (0, 2)}, "flip"),
    ("flip", (arr(2, 3),), {}, None),
    ("fliplr", (arr(2, 3),), {}, "fliplr"),
    ("flipud", (arr(2, 3),), {}, "flipud"),
    *[("rot90", (arr(2, 3, 4),), {"k": k, "axes": (2, 0)}, "rot90") for k in range(-1, 4)],
    ("roll", (arr(3, 4),), {"shift": -5}, "roll"),
    ("roll", (arr(3, 4),), {"shift": (1, 2), "axis": (1, 0)}, "roll"),
    ("moveaxis", (arr(2, 3, 4),), {"source": (0, 2), "destination": (1, 0)}, "moveaxis"),
    *[("rollaxis", (arr(2, 3, 4),), {"axis": a, "start": s}, None)
      for a, s in [(2, 0), (0, 3), (1, 1), (-1, -2), (0, 2)]],
    ("repeat", (arr(2, 3),), {"repeats": [2, 0, 1], "axis": 1}, "repeat"),
    ("repeat", (arr(2, 3),), {"repeats": 2}, "repeat"),
    ("tile", (arr(2, 3),), {"reps": (2, 1, 3)}, "tile"),
    ("tile", (arr(2, 3),), {"reps": 2}, "tile"),
    ("ravel", (arr(2, 3),), {"order": "F"}, "ravel"),
    ("pad", (arr(2, 3),), {"pad_width": ((1, 2), (0, 1)), "constant_values": 3.0}, None),
    *[("pad", (arr(3, 4),), {"pad_width": (2, 3), "mode": m}, None)
      for m in ("edge", "reflect", "symmetric", "wrap")],
    ("tril", (arr(2, 3, 4),), {"k": 1}, "tril"),
    ("triu", (arr(4),), {"k": -1}, "triu"),
    ("take_along_axis", (arr(3, 4), np.array([[0], [3], [1]])), {"axis": 1}, None),
    ("select", ([np.array([True, False, False]), np.array([False, True, False])],
                [arr(3), arr(2, 3)]), {"default": -1.0}, None),
    ("linspace", (arr(2), arr(2), 5), {"axis": 1}, None),
    ("linspace", (arr(), arr(), 4), {"endpoint": False, "retstep": True}, None),
    ("atleast_1d", (arr(),), {}, None),
    ("atleast_2d", (arr(3),), {}, None),
    ("atleast_3d", (arr(3), arr(2, 3)), {}, None),
    ("vstack", ([arr(3), arr(2, 3)],), {}, None),
    ("row_stack", ([arr(3), arr(3)],), {}, None),
    ("hstack", ([arr(2, 1), arr(2, 3)],), {}, None),
    ("dstack", ([arr(3), arr(3)],), {}, None),
    ("column_stack", ([arr(3), arr(3, 2)],), {}, None),
    ("append", (arr(2, 3), arr(2, 3)), {}, None),
    ("append", (arr(2, 3), arr(1, 3)), {"axis": 0}, None),
    ("array_split", (arr(7, 2), 3), {}, None),
    ("array_split", (arr(2, 6), [1, 4]), {"axis": 1}, None),
    ("vsplit", (arr(4, 2), 2), {}, "vsplit"),
    ("hsplit", (arr(2, 4), [1]), {}, "hsplit"),
    ("dsplit", (arr(1, 2, 4), 2), {}, "dsplit"),
    ("einsum", ("ij,jk->ik", arr(2, 3), arr(3, 4)), {}, None),
    ("einsum", ("ii", arr(3, 3)), {}, None),
    ("einsum", ("...ij,...jk", arr(2, 1, 2, 3), arr(3, 3, 2)), {}, None),
    ("einsum", ("iij,kj->ik", arr(2, 2, 3), arr(4, 3)), {}, None),
    ("einsum", ("ba,b", arr(3, 2), arr(3)), {}, None),
    ("tensordot", (arr(2, 3, 4), arr(4, 3, 2)), {"axes": ([1, 2], [1, 0])}, None),
    ("tensordot", (arr(2, 3), arr(3, 2)), {"axes": 1}, None),
    ("inner", (arr(2, 3), arr(4, 3)), {}, "inner"),
    ("vdot", (arr(2, 3), arr(3, 2)), {}, None),
    ("kron", (arr(2, 3), arr(3)), {}, "kron"),
    ("kron", (arr(2), arr(2, 1, 2)), {}, "kron"),
    ("cross", (arr(4, 3), arr(3)), {}, "cross"),
    ("cross", (arr(3, 4), arr(2, 4)), {"axisa": 0, "axisb": 0, "axisc": 0}, None),
    ("diagonal", (arr(3, 2, 4),), {"offset": -1, "axis1": 2, "axis2": 0}, "diagonal"),
    ("diagonal", (arr(3, 4),), {"offset": 2}, "diagonal"),
    ("trace", (arr(2, 3, 3),), {"axis1": 1, "axis2": 2}, "trace"),
    ("trace", (arr(3, 4),), {"offset": -1}, "trace"),
    ("diag", (arr(3),), {"k": 1}, "diag"),
    ("diag", (arr(3, 4),), {"k": -1}, "diag"),
]


def _tensors(args):
    return type(args)(leaf(a) if isinstance(a, np.ndarray) and a.dtype.kind == "f" else
                      _tensors(a) if isinstance(a, list) else a for a in args)


@pytest.mark.parametrize("name, args, kwargs, method", CALLS,
                         ids=[f"{c[0]}-{i}" for i, c in enumerate(CALLS)])
def test_values_match_numpy_through_numpy_ag_and_the_method(name, args, kwargs, method):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # np.row_stack
        expected = _flat(getattr(np, name)(*args, **kwargs))
        routes = {"np": getattr(np, name)(*_tensors(args), **kwargs),
                  "ag": getattr(ag, name)(*_tensors(args), **kwargs)}
    if method:
        first, *rest = _tensors(args)
        routes["method"] = getattr(first, method)(*rest, **kwargs)
    for route, result in routes.items():
        got = _flat(result)
        assert len(got) == len(expected), route
        for g, e in zip(got, expected):
            assert isinstance(g, ag.Tensor), (route, type(g))
            assert g.shape == np.shape(e), (route, g.shape, np.shape(e))
            np.testing.assert_allclose(g.data, e, rtol=1e-12, atol=1e-12, err_msg=route)
            if g.dtype.kind == "f" and isinstance(e, np.ndarray):
                assert g.dtype == e.dtype, (route, g.dtype, e.dtype)


def test_numpy_aliases_are_the_same_ops():
    assert ag.mod is ag.remainder and np.mod is np.remainder
    assert ag.row_stack is ag.vstack and ag.around is ag.round
    assert ag.degrees is ag.rad2deg and ag.radians is ag.deg2rad
    x = leaf([3.5, -1.25])
    assert np.mod(x, 2.0).grad_fn.name == "RemainderBackward"
    assert np.degrees(x).grad_fn.name == "Rad2degBackward"


# ---------------------------------------------------------------------------- conventions


@pytest.mark.parametrize("name", ["sign", "floor", "ceil", "round", "trunc", "rint", "fix"])
def test_step_functions_have_zero_gradient_even_at_their_jumps(name):
    x = leaf([-1.0, 0.0, 0.5, 1.0, 2.5, -0.3])
    y = getattr(ag, name)(x)
    assert y.requires_grad and y.grad_fn is not None
    (y * leaf(np.arange(6.0))).sum().backward()
    np.testing.assert_array_equal(x.grad.data, np.zeros(6))


def _product_of_others(x: np.ndarray, axis) -> np.ndarray:
    """The brute-force derivative of prod: each element replaced by 1 in turn."""
    out = np.empty_like(x)
    axes = range(x.ndim) if axis is None else [a % x.ndim for a in np.atleast_1d(axis)]
    for idx in np.ndindex(x.shape):
        y = x.copy()
        y[idx] = 1.0
        full = np.prod(y, axis=axis, keepdims=True)
        out[idx] = full[tuple(0 if i in axes else j for i, j in enumerate(idx))]
    return out


@pytest.mark.parametrize("axis", [None, 0, 1, -1, (0, 2)])
def test_prod_with_zeros_has_the_exact_gradient_without_dividing(axis):
    x = rng.uniform(0.5, 1.5, (3, 4, 2))
    x[0, 1, 0] = x[1, :, 1] = x[2, 2, :] = 0.0  # one zero, a row of zeros, a pair of zeros
    for create_graph in (False, True):  # the numpy form and the differentiable one
        t = leaf(x)
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # no division by zero anywhere
            (g,) = ag.grad(ag.prod(t, axis=axis).sum(), t, create_graph=create_graph)
        np.testing.assert_allclose(g.data, _product_of_others(x, axis), rtol=1e-12, atol=0)


def test_prod_of_one_zero_sends_the_product_of_the_others_to_it():
    x = leaf([2.0, 0.0, 3.0, 4.0])
    x.prod().backward()
    np.testing.assert_array_equal(x.grad.data, [0.0, 24.0, 0.0, 0.0])


def _cumprod_jacobian_t_g(x: np.ndarray, g: np.ndarray) -> np.ndarray:
    """``Σ_{i≥k} g_i Π_{j≤i, j≠k} x_j`` for a 1-D x, term by term."""
    n = len(x)
    return np.array([sum(g[i] * np.prod([x[j] for j in range(i + 1) if j != k])
                         for i in range(k, n)) for k in range(n)])


@pytest.mark.parametrize("zeros", [[0], [2], [5], [1, 3], [0, 5], [1, 2, 4]])
def test_cumprod_with_zeros_has_the_exact_gradient(zeros):
    x = rng.uniform(0.5, 1.5, 6)
    x[zeros] = 0.0
    g = rng.standard_normal(6)
    expected = _cumprod_jacobian_t_g(x, g)
    for create_graph in (False, True):
        t = leaf(x)
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            (grad,) = ag.grad(ag.cumprod(t), t, grad_outputs=ag.Tensor(g),
                              create_graph=create_graph)
        np.testing.assert_allclose(grad.data, expected, rtol=1e-12, atol=1e-15)


def test_cumprod_with_zeros_second_derivative_matches_finite_differences():
    x = rng.uniform(0.5, 1.5, (2, 5))
    x[0, 1] = x[1, 3] = x[1, 0] = 0.0
    assert ag.gradgradcheck(lambda t: ag.cumprod(t, axis=1), (leaf(x),))
    assert ag.gradgradcheck(lambda t: ag.prod(t, axis=1), (leaf(x),))


def test_sort_sends_each_gradient_back_through_the_permutation():
    x = leaf([3.0, -1.0, 2.0, 0.5])
    g = np.array([10.0, 20.0, 30.0, 40.0])
    (ag.sort(x) * ag.Tensor(g)).sum().backward()
    # sorted: -1 (from 1), 0.5 (from 3), 2 (from 2), 3 (from 0)
    np.testing.assert_array_equal(x.grad.data, [40.0, 10.0, 30.0, 20.0])


def test_fmax_and_fmin_split_ties_and_skip_nan_like_maximum():
    a, b = leaf([1.0, 2.0, np.nan, 5.0]), leaf([1.0, np.nan, 3.0, 4.0])
    ag.fmax(a, b).sum().backward()
    np.testing.assert_array_equal(a.grad.data, [0.5, 1.0, 0.0, 1.0])
    np.testing.assert_array_equal(b.grad.data, [0.5, 0.0, 1.0, 0.0])
    a, b = leaf([1.0, 2.0]), leaf([1.0, 0.0])
    ag.fmin(a, b).sum().backward()
    np.testing.assert_array_equal(a.grad.data, [0.5, 0.0])
    np.testing.assert_array_equal(b.grad.data, [0.5, 1.0])


def test_remainder_gradients_are_one_and_minus_the_floored_quotient():
    a, b = leaf([5.0, -5.0, 7.5, 1.0]), leaf([3.0, 3.0, -2.0, 4.0])
    out = a % b if hasattr(ag.Tensor, "__mod__") else ag.remainder(a, b)
    np.testing.assert_array_equal(out.data, np.remainder(a.data, b.data))
    out.sum().backward()
    np.testing.assert_array_equal(a.grad.data, np.ones(4))
    np.testing.assert_array_equal(b.grad.data, -np.floor_divide(a.data, b.data))


def test_hypot_and_arctan2_at_the_origin_give_nan_gradients_as_pytorch():
    for fn in (ag.hypot, ag.arctan2):
        a, b = leaf([0.0, 3.0]), leaf([0.0, 4.0])
        with np.errstate(all="ignore"):
            fn(a, b).sum().backward()
        assert np.isnan(a.grad.data[0]) and np.isfinite(a.grad.data[1])


def test_sinc_derivative_at_zero_is_zero():
    x = leaf([0.0, 0.5])
    ag.sinc(x).sum().backward()
    assert x.grad.data[0] == 0.0
    np.testing.assert_allclose(x.grad.data[1], (np.cos(np.pi / 2) - np.sinc(0.5)) / 0.5)


def test_tril_triu_take_numpys_k_and_pytorchs_diagonal():
    x = leaf(arr(3, 4))
    np.testing.assert_array_equal(ag.tril(x, diagonal=1).data, np.tril(x.data, 1))
    np.testing.assert_array_equal(x.triu(diagonal=-1).data, np.triu(x.data, -1))
    np.testing.assert_array_equal(x.tril(1).data, np.tril(x.data, 1))
    with pytest.raises(TypeError, match="not both"):
        ag.triu(x, 1, diagonal=1)


def test_repeat_interleave_is_numpys_repeat():
    x = leaf([[1.0, 2.0], [3.0, 4.0]])
    np.testing.assert_array_equal(x.repeat_interleave(2, 0).data, np.repeat(x.data, 2, 0))


@pytest.mark.parametrize("fn", [ag.tan, ag.sinc, ag.expm1, ag.reciprocal, ag.prod, ag.cumprod,
                                lambda t: ag.logaddexp(t, 1.0), lambda t: ag.fmax(t, 0.15)],
                         ids=["tan", "sinc", "expm1", "reciprocal", "prod", "cumprod",
                              "logaddexp", "fmax"])
def test_ops_that_save_their_output_refuse_backward_after_it_is_modified_in_place(fn):
    x = leaf([0.1, 0.2, 0.3])
    y = fn(x * 1)
    y.add_(1)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.sum().backward()


@pytest.mark.parametrize("fn", [ag.arcsin, ag.log1p, ag.square, ag.sinh,
                                lambda t: ag.einsum("i,i->i", t, t),
                                lambda t: ag.remainder(1.0, t), lambda t: ag.arctan2(t, 1.0)],
                         ids=["arcsin", "log1p", "square", "sinh", "einsum", "remainder",
                              "arctan2"])
def test_ops_that_save_their_inputs_refuse_backward_after_one_is_modified_in_place(fn):
    h = leaf([0.1, 0.2, 0.3]) * 1
    y = fn(h)
    h.add_(1)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.sum().backward()


# ---------------------------------------------------------------------------- bad input


@pytest.mark.parametrize("call, error, match", [
    (lambda: ag.einsum("ij,jk->ik", leaf(arr(2, 3))), ValueError, "2 operand"),
    (lambda: ag.einsum("ijk->i", leaf(arr(2, 3))), ValueError, "operand 0 has 2 dimension"),
    (lambda: ag.einsum("ij,jk->ik", leaf(arr(2, 3)), leaf(arr(4, 2))), ValueError, "shapes"),
    (lambda: ag.einsum("i1->i", leaf(arr(2, 3))), ValueError, "invalid subscript"),
    (lambda: ag.tensordot(leaf(arr(2, 3)), leaf(arr(2, 3)), 1), ValueError, "shape mismatch"),
    (lambda: ag.inner(leaf(arr(2, 3)), leaf(arr(2))), ValueError, "last dimensions"),
    (lambda: ag.cross(leaf(arr(4)), leaf(arr(3))), ValueError, "dimension must be 2 or 3"),
    (lambda: ag.diagonal(leaf(arr(3))), ValueError, "at least 2 dimensions"),
    (lambda: ag.diag(leaf(arr(2, 2, 2))), ValueError, "1-D or 2-D"),
    (lambda: ag.pad(leaf(arr(3)), 1, mode="mean"), ValueError, "copy values"),
    (lambda: ag.fliplr(leaf(arr(3))), ValueError, "at least 2-D"),
    (lambda: ag.vsplit(leaf(arr(4)), 2), ValueError, "2 or more dimensions"),
    (lambda: ag.array_split(leaf(arr(4)), 0), ValueError, "positive"),
    (lambda: ag.repeat(leaf(arr(3)), [1, 2]), ValueError, "repeat"),
    (lambda: ag.moveaxis(leaf(arr(2, 3)), (0, 1), 0), ValueError, "same number"),
    (lambda: ag.rot90(leaf(arr(2, 3)), 1, (0, 0)), ValueError, "repeated axis"),
    (lambda: ag.select([np.array([1, 0])], [leaf(arr(2))]), TypeError, "boolean"),
    (lambda: ag.prod(leaf(arr(2, 3)), axis=2), ValueError, "out of range"),
    (lambda: ag.cumsum(leaf(arr(3)), out=np.zeros(3)), TypeError, "out="),
    (lambda: ag.gradient(leaf(arr(1))), ValueError, "at least edge_order"),
    (lambda: ag.diff(leaf(arr(3)), n=-1), ValueError, "non-negative"),
    (lambda: ag.take_along_axis(leaf(arr(2, 3)), np.array([0, 1]), 1), ValueError, "dimensions"),
])
def test_bad_input_is_refused_with_a_message_that_names_the_problem(call, error, match):
    with pytest.raises(error, match=match):
        call()
