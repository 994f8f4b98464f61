"""Tensor construction, dtype rules, attributes, errors, numpy interop and singular points."""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag


# ---------------------------------------------------------------- construction and dtypes
def test_python_floats_become_float32_and_default_is_changeable():
    assert ag.tensor(1.5).dtype == np.float32
    assert ag.tensor([1.0, 2]).dtype == np.float32
    ag.set_default_dtype(np.float64)
    assert ag.tensor([1.0]).dtype == np.float64
    assert ag.zeros(2).dtype == np.float64


def test_ints_bools_and_numpy_dtypes_are_kept():
    assert ag.tensor(3).dtype == np.int64
    assert ag.tensor([1, 2]).dtype == np.int64
    assert ag.tensor(True).dtype == np.bool_
    assert ag.tensor(np.float64(1.0)).dtype == np.float64
    arr = np.arange(3, dtype=np.float16)
    t = ag.Tensor(arr)
    assert t.dtype == np.float16 and np.shares_memory(t.data, arr)
    assert ag.tensor([1, 2], dtype=np.float64).dtype == np.float64
    assert ag.Tensor(ag.tensor([1.0])).dtype == np.float32


def test_requires_grad_on_integer_tensor_names_the_dtype():
    with pytest.raises(TypeError, match="int64"):
        ag.tensor([1, 2], requires_grad=True)
    with pytest.raises(TypeError, match="bool"):
        ag.tensor([True]).requires_grad_()


def test_factories():
    ag.manual_seed(3)
    a = ag.randn(2, 3)
    ag.manual_seed(3)
    b = ag.randn((2, 3))
    np.testing.assert_array_equal(a.data, b.data)
    assert a.dtype == np.float32 and a.shape == (2, 3)
    assert ag.ones(2, 2, requires_grad=True).requires_grad
    assert ag.full((2,), 7).dtype == np.int64 and ag.full((2,), 7.0).dtype == np.float32
    assert ag.arange(5).dtype == np.int64 and ag.arange(0, 1, 0.5).dtype == np.float32
    np.testing.assert_array_equal(ag.eye(2).data, np.eye(2))
    assert ag.zeros_like(a).shape == (2, 3) and ag.ones_like(a).data.sum() == 6
    assert 0 <= ag.rand(10).data.min() and ag.rand(10).data.max() < 1


def test_attributes_and_conversions():
    t = ag.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    assert t.shape == (2, 2) and t.ndim == 2 and t.size == 4 and len(t) == 2
    assert t.T.shape == (2, 2) and t.T.data[0, 1] == 3
    assert t.tolist() == [[1, 2], [3, 4]]
    assert np.shares_memory(t.numpy(), t.data)
    assert t.sum().item() == 10
    with pytest.raises(ValueError, match="one-element"):
        t.item()
    assert "requires_grad=True" in repr(t)
    assert "grad_fn=<MulBackward>" in repr(t * 2)
    t.grad = ag.tensor(np.ones((2, 2)))
    t.grad = None


def test_data_is_the_array_itself_and_edits_bypass_autograd():
    t = ag.tensor([1.0, 2.0], requires_grad=True)
    t.data[0] = 5.0
    assert t.numpy()[0] == 5.0
    assert np.shares_memory(np.asarray(t), t.data)


def test_astype():
    t = ag.tensor([1.5, 2.5])
    assert t.astype(np.float64).dtype == np.float64
    assert t.astype(np.int32).dtype == np.int32


# ---------------------------------------------------------------- errors at the call
def test_broadcast_mismatch_names_both_shapes():
    with pytest.raises(ValueError, match=r"\(2, 3\) and \(4,\)"):
        ag.ones(2, 3) * ag.ones(4)


def test_matmul_mismatch_names_both_shapes():
    with pytest.raises(ValueError, match=r"\(2, 3\) and \(4, 5\)"):
        ag.ones(2, 3) @ ag.ones(4, 5)
    with pytest.raises(ValueError, match="at least 1 dimension"):
        ag.matmul(ag.tensor(1.0), ag.ones(2))


def test_reshape_and_axis_errors():
    with pytest.raises(ValueError, match=r"\(2, 3\).*\(4,\)"):
        ag.ones(2, 3).reshape(4)
    with pytest.raises(ValueError, match="axis 2 is out of range"):
        ag.ones(2, 3).sum(axis=2)
    with pytest.raises(ValueError, match="size 3, not 1"):
        ag.ones(2, 3).squeeze(axis=1)


def test_index_out_of_range_says_so():
    with pytest.raises(IndexError, match=r"out of (range|bounds).*"):
        ag.ones(3)[5]


def test_item_assignment_writes_in_place_as_in_pytorch():
    t = ag.ones(3)
    t[0] = 2.0
    t[ag.tensor([False, True, False])] = ag.tensor(5.0)
    assert t.tolist() == [2.0, 5.0, 1.0] and t._version == 2
    with pytest.raises(IndexError, match=r"shape \(3,\)"):
        t[7] = 1.0


def test_failed_op_leaves_no_graph_behind():
    x = ag.ones(2, 3, requires_grad=True)
    with pytest.raises(ValueError):
        x * ag.ones(4)
    y = (x * 2).sum()
    assert len(ag.topological_order([y])) == 4  # x, constant 2, mul, sum


# ---------------------------------------------------------------- operators and numpy interop
def test_reflected_operators_with_numbers_and_arrays():
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    for y in (2 - x, 2 * x, 2 / x, 2 ** x, np.array([1.0, 1.0]) + x, np.ones(2) * x,
              np.ones((2, 2)) @ x):
        assert isinstance(y, ag.Tensor) and y.requires_grad
    np.testing.assert_allclose((2 - x).data, [1, 0])
    np.testing.assert_allclose((2 / x).data, [2, 1])


def test_numpy_ufuncs_return_differentiable_tensors():
    x = ag.tensor([0.5, 1.0], dtype=np.float64, requires_grad=True)
    y = np.exp(x) + np.add(x, 1) * np.sin(x)
    assert isinstance(y, ag.Tensor)
    y.sum().backward()
    expect = np.exp(x.data) + np.sin(x.data) + (x.data + 1) * np.cos(x.data)
    np.testing.assert_allclose(x.grad.data, expect)
    s = np.sum(x * x, axis=0)
    assert isinstance(s, ag.Tensor) and s.requires_grad


def test_comparisons_return_bool_tensors_without_grad():
    x = ag.tensor([1.0, 2.0, 3.0], requires_grad=True)
    for r in (x < 2, x <= 2, x > 2, x >= 2, x == 2, x != 2):
        assert r.dtype == np.bool_ and not r.requires_grad
    np.testing.assert_array_equal((x > 1.5).data, [False, True, True])


def test_unsupported_numpy_function_with_grad_is_refused():
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(TypeError, match="no gradient"):
        np.median(x)  # no derivative here: refused, not silently dropped
    assert np.allclose(ag.tensor([1.0]), 1.0)


# ---------------------------------------------------------------- values of the ops
def test_softmax_family_is_exact_for_large_inputs():
    x = ag.tensor([[1e4, 0.0, -1e4], [3.0, 3.0, 3.0]], dtype=np.float64, requires_grad=True)
    s = ag.softmax(x, axis=-1)
    np.testing.assert_allclose(s.data, [[1, 0, 0], [1 / 3, 1 / 3, 1 / 3]], atol=1e-12)
    ls = ag.log_softmax(x)
    np.testing.assert_allclose(ls.data[0], [0, -1e4, -2e4])
    lse = ag.logsumexp(x, axis=1)
    np.testing.assert_allclose(lse.data, [1e4, 3 + np.log(3)])
    (ls[0, 0] + lse.sum()).backward()
    assert np.all(np.isfinite(x.grad.data))
    x32 = ag.tensor([1e4, -1e4, 0.0], requires_grad=True)
    out = ag.log_softmax(x32)
    out.sum().backward()
    assert np.all(np.isfinite(out.data)) and np.all(np.isfinite(x32.grad.data))


def test_max_min_split_the_gradient_among_ties():
    x = ag.tensor([[1.0, 3.0, 3.0], [2.0, 0.0, 2.0]], requires_grad=True)
    x.max().backward()
    np.testing.assert_allclose(x.grad.data, [[0, 0.5, 0.5], [0, 0, 0]])
    x.grad = None
    x.min(axis=1).sum().backward()
    np.testing.assert_allclose(x.grad.data, [[1, 0, 0], [0, 1, 0]])


def test_reductions_match_numpy():
    a = np.random.default_rng(0).standard_normal((3, 4, 5))
    x = ag.tensor(a)
    for name in ("sum", "mean", "max", "min", "var", "std"):
        for axis in (None, 0, 1, -1, (0, 2)):
            for keep in (False, True):
                got = getattr(x, name)(axis=axis, keepdims=keep)
                np.testing.assert_allclose(got.data, getattr(a, name)(axis=axis, keepdims=keep))
    np.testing.assert_allclose(x.var(axis=1, ddof=1).data, a.var(axis=1, ddof=1))


def test_indexing_values_and_accumulation():
    x = ag.tensor(np.arange(12.0).reshape(3, 4), requires_grad=True)
    assert x[1, -1].item() == 7
    np.testing.assert_array_equal(x[::-1, ::2].data, np.arange(12.0).reshape(3, 4)[::-1, ::2])
    np.testing.assert_array_equal(x[None, ..., 0].shape, (1, 3))
    y = x[np.array([0, 0, 2])].sum() + x[x > 9].sum()
    y.backward()
    expect = np.zeros((3, 4))
    expect[0] += 2
    expect[2] += 1
    expect[2, 2:] += 1
    np.testing.assert_array_equal(x.grad.data, expect)


def test_split_concatenate_stack_round_trip():
    x = ag.tensor(np.arange(12.0).reshape(2, 6))
    parts = ag.split(x, 3, axis=1)
    assert [p.shape for p in parts] == [(2, 2)] * 3
    np.testing.assert_array_equal(ag.concatenate(parts, axis=1).data, x.data)
    assert ag.stack(parts, axis=0).shape == (3, 2, 2)
    with pytest.raises(ValueError, match="equal parts"):
        ag.split(x, 4, axis=1)


# ---------------------------------------------------------------- singular points as PyTorch
def grad_of(fn, *values):
    xs = [ag.tensor(np.array(v, dtype=np.float64), requires_grad=True) for v in values]
    with np.errstate(all="ignore"):
        fn(*xs).sum().backward()
    return [x.grad.data for x in xs]


def test_sqrt_and_log_at_zero():
    (g,) = grad_of(ag.sqrt, [0.0])
    assert g[0] == np.inf
    (g,) = grad_of(ag.log, [0.0])
    assert g[0] == np.inf


def test_abs_and_relu_at_zero_have_zero_gradient():
    assert grad_of(ag.abs, [0.0])[0][0] == 0
    assert grad_of(ag.relu, [0.0])[0][0] == 0


def test_pow_with_zero_base():
    ga, gb = grad_of(lambda a, b: a ** b, [0.0, 0.0, 0.0], [2.0, 0.0, 0.5])
    np.testing.assert_array_equal(ga[:2], [0.0, 0.0])  # 2·0¹ = 0; exponent 0 -> 0
    assert ga[2] == np.inf                              # 0.5·0^-0.5
    np.testing.assert_array_equal(gb, [0.0, 0.0, 0.0])  # 0^b·log(0) taken as 0
    (g,) = grad_of(lambda a: a ** 0, [0.0])
    assert g[0] == 0


def test_maximum_minimum_ties_split_evenly():
    ga, gb = grad_of(ag.maximum, [1.0, 2.0], [1.0, 1.0])
    np.testing.assert_array_equal(ga, [0.5, 1.0])
    np.testing.assert_array_equal(gb, [0.5, 0.0])
    ga, gb = grad_of(ag.minimum, [1.0], [1.0])
    assert ga[0] == gb[0] == 0.5


def test_clip_passes_gradient_inside_the_closed_interval():
    (g,) = grad_of(lambda x: ag.clip(x, 0.0, 1.0), [-0.5, 0.0, 0.5, 1.0, 1.5])
    np.testing.assert_array_equal(g, [0, 1, 1, 1, 0])


def test_pytorch_cast_methods():
    x = ag.tensor([1.5, -2.7, 0.0], requires_grad=True)
    table = [("float", np.float32), ("double", np.float64), ("half", np.float16),
             ("long", np.int64), ("int", np.int32), ("bool", np.bool_)]
    for name, dtype in table:
        y = getattr(x, name)()
        assert y.dtype == dtype
        assert np.array_equal(y.data, x.data.astype(dtype))
    assert x.float() is x  # already float32: itself, as PyTorch
    assert x.long().tolist() == [1, -2, 0] and not x.long().requires_grad  # truncates
    d = x.double()
    assert d.requires_grad and d.grad_fn is not None
    (d * d).sum().backward()
    assert x.grad.dtype == np.float32 and np.allclose(x.grad.data, 2 * x.data)
    assert ag.tensor([1, 2]).float().dtype == np.float32
    w = ag.randn(3, dtype=np.float64, requires_grad=True)
    (w.float() * 3).sum().backward()  # the gradient comes back in the input's dtype
    assert w.grad.dtype == np.float64 and np.array_equal(w.grad.data, np.full(3, 3.0))


def test_softmax_of_many_short_rows_takes_the_same_maximum_and_sums_to_rounding():
    # many short rows take their maximum down the columns of a transposed copy (the same
    # numbers as numpy's row reduction, NaN and -inf rows included) and their sums from one
    # matrix product (numpy's sums to rounding)
    from autograd.backend import sum_last
    from autograd.ops.reduce import max_kept

    rng = np.random.default_rng(7)
    x = rng.standard_normal((16, 4, 32, 32)).astype(np.float32)
    x[0, 0, 0] = -np.inf
    x[0, 0, 1, 3] = np.nan
    x[1, 2, 5, :7] = np.inf
    assert np.array_equal(max_kept(np, x, (3,)), x.max(axis=-1, keepdims=True), equal_nan=True)
    with np.errstate(invalid="ignore"):
        shifted = x - x.max(axis=-1, keepdims=True)
        expected = np.exp(shifted) / np.exp(shifted).sum(axis=-1, keepdims=True)
        got = ag.softmax(ag.tensor(x), axis=-1).data
        ls = ag.log_softmax(ag.tensor(x), axis=-1).data
    assert np.array_equal(np.isnan(got), np.isnan(expected))
    assert np.allclose(got, expected, rtol=1e-6, atol=1e-7, equal_nan=True)
    assert np.allclose(ls[3], np.log(expected[3]), atol=1e-6)
    rows = rng.standard_normal((512, 64))
    assert np.allclose(sum_last(rows), rows.sum(axis=-1, keepdims=True), rtol=1e-13)
    assert sum_last(rows.astype(np.float16)).dtype == np.float16  # numpy's own sum there


def test_normal_cdf_of_each_dtype_is_the_formula_and_stays_in_0_1():
    """autograd.backend.normal_cdf, the exact GELU's Φ: float32 by one float32 kernel, others
    through ag.erf's (float64 rounding); NaN stays NaN, ±inf gives 1 and 0, never out of
    [0, 1], and a new array each time (GELU writes into it)."""
    import math

    from autograd.backend import normal_cdf

    x = np.concatenate([np.linspace(-9, 9, 3601), [np.inf, -np.inf, np.nan]])
    exact = np.array([0.5 * math.erfc(-v / math.sqrt(2)) if not np.isnan(v) else np.nan
                      for v in x])
    wide = normal_cdf(x)
    assert wide.dtype == np.float64
    np.testing.assert_allclose(wide, exact, rtol=1e-14, atol=1e-16, equal_nan=True)
    narrow = normal_cdf(x.astype(np.float32))
    assert narrow.dtype == np.float32
    np.testing.assert_allclose(narrow, exact, rtol=0, atol=2.5e-7, equal_nan=True)
    for got in (wide, narrow):
        finite = got[:-1]
        assert (finite >= 0).all() and (finite <= 1).all() and np.isnan(got[-1])
        assert got[-3] == 1.0 and got[-2] == 0.0
    f32 = x[:5].astype(np.float32)
    assert normal_cdf(f32) is not normal_cdf(f32) and not np.shares_memory(normal_cdf(f32), f32)
