"""numpy code on Tensors: numpy's full call signatures reach the ops, functions without a
derivative pass through, and nothing silently drops a gradient."""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag

rng = np.random.default_rng(7)


def T(*shape, requires_grad=True):
    return ag.Tensor(rng.standard_normal(shape), requires_grad=requires_grad)


# ---------------------------------------------------------------------------- signatures

KEYWORD_CALLS = [
    ("clip a_min/a_max", lambda np_, x: np_.clip(x, a_min=-0.5, a_max=0.5)),
    ("clip a_min only", lambda np_, x: np_.clip(x, -0.3, None)),
    ("clip min/max", lambda np_, x: np_.clip(x, min=-0.5, max=0.5)),
    ("sum axis keepdims", lambda np_, x: np_.sum(x, axis=0, keepdims=True)),
    ("sum axis tuple", lambda np_, x: np_.sum(x, axis=(0, 1))),
    ("sum out=None dtype=None", lambda np_, x: np_.sum(x, axis=1, out=None, dtype=None)),
    ("mean keepdims", lambda np_, x: np_.mean(x, axis=-1, keepdims=True)),
    ("max axis", lambda np_, x: np_.max(x, axis=1)),
    ("amin keepdims", lambda np_, x: np_.amin(x, axis=0, keepdims=True)),
    ("var ddof", lambda np_, x: np_.var(x, axis=0, ddof=1)),
    ("std correction", lambda np_, x: np_.std(x, axis=1, correction=1)),
    ("reshape shape=", lambda np_, x: np_.reshape(x, shape=(4, 3))),
    ("reshape order=C", lambda np_, x: np_.reshape(x, (2, 6), order="C")),
    ("transpose axes=", lambda np_, x: np_.transpose(x, axes=(1, 0))),
    ("swapaxes", lambda np_, x: np_.swapaxes(x, axis1=0, axis2=1)),
    ("expand_dims axis=", lambda np_, x: np_.expand_dims(x, axis=(0, 2))),
    ("squeeze", lambda np_, x: np_.squeeze(np_.expand_dims(x, 0), axis=0)),
    ("broadcast_to shape=", lambda np_, x: np_.broadcast_to(x, shape=(2, 3, 4))),
    ("concatenate axis=None", lambda np_, x: np_.concatenate([x, x[:1]], axis=None)),
    ("concatenate axis=1", lambda np_, x: np_.concatenate((x, x), axis=1)),
    ("stack axis=", lambda np_, x: np_.stack([x, x], axis=-1)),
    ("split", lambda np_, x: np_.split(x, indices_or_sections=2, axis=1)[1]),
    ("where", lambda np_, x: np_.where(np.arange(4) % 2 == 0, x, 0.0)),
    ("dot", lambda np_, x: np_.dot(x, np.ones((4, 2)))),
    ("copy", lambda np_, x: np_.copy(x, order="K")),
]


@pytest.mark.parametrize("name,call", KEYWORD_CALLS, ids=[c[0] for c in KEYWORD_CALLS])
def test_numpy_keyword_calls_give_numpys_values_and_gradients(name, call):
    x = T(3, 4)
    out = call(np, x)
    assert isinstance(out, ag.Tensor) and out.requires_grad
    np.testing.assert_allclose(out.data, call(np, x.data), rtol=1e-12, atol=1e-12)
    assert ag.gradcheck(lambda t: call(np, t), (x,))


def test_numpy_argument_errors_are_numpys():
    x = T(3)
    with pytest.raises(TypeError, match="sum"):
        np.sum(x, axes=0)  # no such parameter
    with pytest.raises(TypeError, match="two values for 'min'"):
        np.clip(x, a_min=0.0, min=0.0)


def test_dtype_casts_the_result_and_the_gradient_comes_back_in_the_inputs_dtype():
    x = T(3, 4)
    s = np.sum(x, axis=0, dtype=np.float32)
    assert s.dtype == np.float32
    s.sum().backward()
    assert x.grad.dtype == np.float64 and np.all(x.grad.data == 1)
    assert np.exp(x, dtype=np.float32).dtype == np.float32
    assert np.exp(x, where=True, casting="same_kind").requires_grad  # defaults are fine


def test_np_dot_on_nd_operands_is_numpys_dot():
    for sa, sb in [((2, 3, 4), (5, 4, 6)), ((3, 4), (2, 4, 5)), ((2, 3, 4), (4, 2)),
                   ((2, 3, 4), (4,)), ((4,), (2, 4, 3)), ((), (2, 3)), ((2, 4), (4, 3))]:
        a, b = T(*sa), T(*sb)
        out = np.dot(a, b)
        np.testing.assert_allclose(out.data, np.dot(a.data, b.data), rtol=1e-12)
        assert ag.gradcheck(np.dot, (a, b))
    with pytest.raises(ValueError, match=r"\(2, 3, 4\) and \(3, 5, 2\) not aligned"):
        ag.dot(T(2, 3, 4), T(3, 5, 2))


def test_ufunc_methods():
    a, b = T(3, 4), T(2)
    np.testing.assert_allclose(np.add.reduce(a).data, a.data.sum(axis=0))
    np.testing.assert_allclose(np.add.reduce(a, axis=1, keepdims=True).data,
                               a.data.sum(axis=1, keepdims=True))
    np.testing.assert_allclose(np.maximum.reduce(a, axis=None).data, a.data.max())
    out = np.subtract.outer(b, a)
    np.testing.assert_allclose(out.data, np.subtract.outer(b.data, a.data))
    assert ag.gradcheck(lambda x, y: np.multiply.outer(x, y), (b, a))
    assert ag.gradcheck(lambda x: np.add.reduce(x, axis=1), (a,))


# ---------------------------------------------------------------------------- pass-through

PASS_THROUGH = [
    ("shape", lambda x: np.shape(x)),
    ("ndim", lambda x: np.ndim(x)),
    ("size", lambda x: np.size(x)),
    ("isnan", lambda x: np.isnan(x)),
    ("isfinite", lambda x: np.isfinite(x)),
    ("isinf", lambda x: np.isinf(x)),
    ("signbit", lambda x: np.signbit(x)),
    ("zeros_like", lambda x: np.zeros_like(x)),
    ("ones_like", lambda x: np.ones_like(x)),
    ("empty_like shape", lambda x: np.empty_like(x).shape),
    ("full_like", lambda x: np.full_like(x, 3.0)),
    ("allclose", lambda x: np.allclose(x, x)),
    ("isclose", lambda x: np.isclose(x, x + 1e-12)),
    ("array_equal", lambda x: np.array_equal(x, x)),
    ("argmax", lambda x: np.argmax(x)),
    ("argmax axis", lambda x: np.argmax(x, axis=0)),
    ("argmin", lambda x: np.argmin(x, axis=1)),
    ("argsort", lambda x: np.argsort(x, axis=-1)),
    ("nonzero", lambda x: np.nonzero(x > 0)),
    ("where(cond)", lambda x: np.where(x > 0)),
    ("where(x)", lambda x: np.where(x)),
    ("searchsorted", lambda x: np.searchsorted(np.sort(np.asarray(x)[0]), x[1])),
    ("count_nonzero", lambda x: np.count_nonzero(x > 0)),
    ("any", lambda x: np.any(x > 0)),
    ("all", lambda x: np.all(x > -10)),
    ("greater", lambda x: np.greater(x, 0)),
    ("logical_and", lambda x: np.logical_and(x > 0, x < 1)),
]


def _plain(v):
    if isinstance(v, ag.Tensor):
        return v.data
    if isinstance(v, tuple):
        return tuple(_plain(i) for i in v)
    return v


@pytest.mark.parametrize("name,call", PASS_THROUGH, ids=[c[0] for c in PASS_THROUGH])
def test_functions_without_a_derivative_return_numpys_result(name, call):
    x = T(3, 4)
    got, expected = call(x), call(x.data)
    assert not (isinstance(got, ag.Tensor) and got.requires_grad)
    if isinstance(expected, np.ndarray):
        assert isinstance(got, ag.Tensor) and got.dtype == expected.dtype
    elif isinstance(expected, tuple):
        assert type(got) is tuple and len(got) == len(expected)
    else:
        assert type(got) is type(expected)
    np.testing.assert_array_equal(_plain(got), expected)


@pytest.mark.parametrize("call,name,hint", [
    (lambda x: np.median(x), "median", "t.detach"),
    (lambda x: np.percentile(x, 50), "percentile", "t.detach"),
    (lambda x: np.average(x, weights=np.ones(4), axis=1), "average", "(w * x).sum"),
    (lambda x: np.sum(x, where=np.asarray(x) > 0), "sum with where=", "ag.sum"),
    (lambda x: np.exp(x, out=np.empty((3, 4))), "exp with out=", "ag.exp"),
    (lambda x: np.linalg.cond(x[:, :3]), "linalg.cond", "detach"),
])
def test_functions_that_would_drop_a_gradient_are_refused_by_name(call, name, hint):
    x = T(3, 4)
    with pytest.raises(TypeError, match="no gradient here") as e:
        call(x)
    assert f"numpy's {name}" in str(e.value) and hint in str(e.value)
    with ag.no_grad():  # nothing to lose: numpy's result
        assert not isinstance(call(x), ag.Tensor) or not call(x).requires_grad
    np.testing.assert_allclose(_plain(call(x.detach())), _plain(call(x.data)))


# ---------------------------------------------------------------------------- no silent loss


def test_np_asarray_of_a_tensor_is_its_data():
    x = T(2, 3)
    assert np.asarray(x) is x.data
    assert np.shares_memory(np.asarray(x), x.data)
    assert np.array(x) is not x.data and np.array_equal(np.array(x), x.data)
    assert np.asarray(x, dtype=np.float32).dtype == np.float32

    def convert(a):
        return np.asarray(a)

    assert convert(x) is x.data


@pytest.mark.parametrize("convert", [
    lambda x: np.array([x, 2 * x]),
    lambda x: np.asarray([x, x]),
    lambda x: np.asarray((x,)),
    lambda x: np.array([t for t in (x, x)]),
    lambda x: np.mean([x, x + 2]),
    lambda x: np.sum([x, x]),
    lambda x: np.std([x, x * 2], axis=0),
    lambda x: np.array(
        [x,
         x * 3]),
    lambda x: ag.tensor([x, x]),
    lambda x: np.dot([x, x], x),
    lambda x: np.array([x.sum(), (x * 2).mean()]),
    lambda x: exec(compile("np.array([x, 2 * x])", "<no source>", "exec"), {"np": np, "x": x}),
], ids=["array", "asarray", "tuple", "comprehension", "mean", "sum", "std", "multi-line",
        "ag.tensor", "dot", "method calls", "code without source"])
def test_lists_of_tensors_that_require_grad_are_not_turned_into_arrays(convert):
    x = T(3)
    with pytest.raises(RuntimeError, match=r"ag\.stack"):
        convert(x)
    with ag.no_grad():
        convert(x)  # nothing records, nothing is lost
    convert(x.detach())


def test_a_list_held_in_a_variable_is_refused_too():
    x = T(3)
    xs = [x, x * 2]
    with pytest.raises(RuntimeError, match="gradient would be silently lost"):
        np.asarray(xs)

    def to_array(a):
        return np.array(a)

    with pytest.raises(RuntimeError, match="ag.stack"):
        to_array(xs)
    assert to_array(x) is not None  # one tensor: its data
    assert np.array([len(xs), 2]).tolist() == [2, 2]  # reading xs is not converting it
    s = ag.stack(xs)
    assert s.requires_grad and np.mean(s).requires_grad


# ---------------------------------------------------------------------------- edges


@pytest.mark.parametrize("make,axis", [
    (lambda: np.full((3, 4), 2.5), None),  # constant data
    (lambda: np.full((3, 4), -1.0), 1),
    (lambda: rng.standard_normal((3, 1)), 1),  # a size-1 axis
    (lambda: np.array(1.5), None),  # a 0-d input
])
def test_std_has_zero_gradient_where_the_spread_is_zero(make, axis):
    x = ag.Tensor(make(), requires_grad=True)
    for fn in (ag.std, np.std, lambda t, axis: t.std(axis=axis)):
        x.grad = None
        fn(x, axis=axis).sum().backward()
        assert np.array_equal(x.grad.data, np.zeros(x.shape))
    (g,) = ag.grad(ag.std(x, axis=axis).sum(), x, create_graph=True)
    (gg,) = ag.grad(g.sum(), x, allow_unused=True)
    assert gg is None or np.isfinite(gg.data).all()


def test_std_gradient_elsewhere_is_pytorchs():
    x = T(3, 4)
    x.data[0] = 1.0  # one row constant: 0 there, (x - mean) / (N std) elsewhere
    np.std(x, axis=1).sum().backward()
    d = x.data - x.data.mean(axis=1, keepdims=True)
    s = x.data.std(axis=1, keepdims=True)
    expected = np.divide(d, 4 * s, out=np.zeros_like(d), where=s != 0)
    np.testing.assert_allclose(x.grad.data, expected, rtol=1e-12)


@pytest.mark.parametrize("p,derivatives", [(0, [0.0, 0.0, 0.0]), (1, [1.0, 0.0, 0.0]),
                                           (2, [0.0, 2.0, 0.0])])
def test_higher_derivatives_of_small_integer_powers_at_zero(p, derivatives):
    x = ag.tensor(0.0, dtype=np.float64, requires_grad=True)
    y = x ** p
    for expected in derivatives:
        (y,) = ag.grad(y, x, create_graph=True, allow_unused=True)
        got = 0.0 if y is None else y.item()
        assert got == expected
        if y is None or not y.requires_grad:
            break


def test_python_floats_beside_float64_stay_exact():
    t = ag.tensor(np.array(1.0), requires_grad=True)
    assert (np.dot(t, 0.1) - 0.1).item() == 0.0
    v = ag.tensor(np.array([1.0, 1.0]))
    assert np.dot(v, [0.1, 0.2]).item() == np.dot(np.ones(2), [0.1, 0.2])
    assert (v @ [0.1, 0.2]).item() == np.dot(np.ones(2), [0.1, 0.2])
    assert np.array_equal(np.outer(v, [0.1]).data, np.outer(np.ones(2), [0.1]))
    assert np.concatenate([v, [0.1]]).data[-1] == 0.1
    assert ag.stack([v, [0.1, 0.3]]).data[1, 1] == 0.3
    assert (v * [0.1, 0.3]).data[1] == 0.3
    assert ag.linalg.solve(np.eye(2), [0.1, 0.3]).dtype == np.float64
    f32 = ag.tensor([1.0, 2.0])  # float32 stays float32 (lists are weak, like numbers)
    assert (f32 * [0.5, 1.5]).dtype == np.float32 and np.dot(f32, [1, 2]).dtype == np.float32


# ---------------------------------------------------------------------------- PyTorch's names


def test_pytorch_method_names_are_aliases():
    x = T(2, 3, 4)
    assert x.argmax().item() == np.argmax(x.data)
    assert np.array_equal(x.argmax(dim=1).data, np.argmax(x.data, axis=1))
    assert x.argmin(axis=2, keepdims=True).shape == (2, 3, 1)
    assert x.argmax(dim=0, keepdim=True).shape == (1, 3, 4)
    assert not ag.argmax(x).requires_grad and ag.argmin(x).dtype == np.int64
    assert x.unsqueeze(1).shape == (2, 1, 3, 4) and x.unsqueeze(dim=-1).shape == (2, 3, 4, 1)
    assert x.permute(2, 0, 1).shape == (4, 2, 3) and x.permute((1, 0, 2)).shape == (3, 2, 4)
    with pytest.raises(RuntimeError, match="number of dims"):
        x.permute(1, 0)
    assert ag.cat([x, x], dim=1).shape == (2, 6, 4) and ag.cat is ag.concatenate
    assert ag.clamp is ag.clip and x.clamp(min=0).min().item() == 0
    assert x.clone().grad_fn.name == "CloneBackward"
    assert x.numel() == 24 and x.size == 24 and isinstance(x.size, int)
    assert x.size() == (2, 3, 4) and x.size(1) == 3 and x.size(-1) == 4
    with pytest.raises(IndexError, match="Dimension out of range"):
        x.size(3)
    assert ag.gradcheck(lambda t: t.permute(1, 2, 0).unsqueeze(0), (T(2, 2, 3),))


def test_norm_method_is_pytorchs():
    x = T(3, 4)
    assert np.isclose(x.norm().item(), np.linalg.norm(x.data))
    assert np.isclose(x.norm(2).item(), np.linalg.norm(x.data))  # all entries, not spectral
    np.testing.assert_allclose(x.norm(p=1, dim=0).data, np.abs(x.data).sum(axis=0))
    np.testing.assert_allclose(x.norm(dim=1, keepdim=True).data,
                               np.linalg.norm(x.data, axis=1, keepdims=True))
    assert np.isclose(x.norm("nuc").item(), np.linalg.norm(x.data, "nuc"))
    assert np.isclose(x.norm(float("inf")).item(), np.abs(x.data).max())


def test_format_and_round_of_one_element_tensors():
    loss = ag.tensor(np.array(0.123456789), requires_grad=True) * 2
    assert f"{loss:.4f}" == "0.2469" and f"{loss}" == "0.246913578"
    assert f"{ag.tensor([3.14159]):.2f}" == "3.14"
    assert f"{ag.tensor([1.0, 2.0])}" == str(ag.tensor([1.0, 2.0]))
    with pytest.raises(TypeError, match="one-element"):
        f"{ag.tensor([1.0, 2.0]):.2f}"
    assert round(loss, 3) == 0.247 and round(ag.tensor([2.6])) == 3
    assert type(round(loss)) is int


def test_the_percent_operator_is_remainder():
    x = ag.Tensor(rng.uniform(-5, 5, (3, 4)), requires_grad=True)
    np.testing.assert_allclose((x % 3.0).data, np.remainder(x.data, 3.0))
    m = ag.Tensor(np.array([2.0, 2.5, -3.0]))
    np.testing.assert_allclose((7.5 % m).data, np.remainder(7.5, m.data))  # __rmod__
    assert (x % 3.0).grad_fn.name == "RemainderBackward"
    b = ag.Tensor(rng.uniform(0.5, 2.0, (4,)), requires_grad=True)
    assert ag.gradcheck(lambda a, m: a % m, (x, b))
    assert ag.gradcheck(lambda m: 5.3 % m, (b,))


def test_round_of_a_bigger_tensor_rounds_each_element():
    t = ag.tensor([0.5, 1.5, 2.26])
    assert np.array_equal(round(t).data, [0.0, 2.0, 2.0])
    np.testing.assert_allclose(round(t, 1).data, [0.5, 1.5, 2.3])


def test_ufunc_reduce_and_accumulate_reach_the_reductions():
    a = T(3, 4)
    np.testing.assert_allclose(np.logaddexp.reduce(a, axis=1).data,
                               np.logaddexp.reduce(a.data, axis=1))
    np.testing.assert_allclose(np.add.accumulate(a, axis=1).data, np.cumsum(a.data, axis=1))
    np.testing.assert_allclose(np.multiply.accumulate(a).data, np.cumprod(a.data, axis=0))
    for fn in (lambda t: np.logaddexp.reduce(t, axis=0), lambda t: np.multiply.accumulate(t)):
        assert ag.gradcheck(fn, (a,))


def test_numpy_code_that_never_dispatches_does_not_drop_the_gradient():
    x = ag.tensor(np.array(2.0), requires_grad=True)
    with pytest.raises(RuntimeError, match=r"numpy's full .* ag\.broadcast_to"):
        np.full((2, 3), x)  # numpy dispatches np.full only for like=
    assert np.array_equal(np.full((2,), x.detach()), [2.0, 2.0])
    np.testing.assert_allclose(x * 2, 4.0)  # numpy.testing compares values: allowed
