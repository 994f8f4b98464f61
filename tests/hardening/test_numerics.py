"""Numerics: exact log-softmax at any magnitude, float16 accumulation, PyTorch's dtype rules,
no numpy warnings from forward ops, and PyTorch's results at the edges (empty, 0-d)."""

import re
import warnings

import numpy as np
import pytest

import autograd as ag
import nn
import nn.functional as F

# ---------------------------------------------------------------------------- log-softmax


def _log_softmax_ref(x: np.ndarray, axis: int = -1) -> np.ndarray:
    """PyTorch's formula, in float64: (x - max) - log(sum(exp(x - max)))."""
    x = np.asarray(x, np.float64)
    s = x - x.max(axis=axis, keepdims=True)
    return s - np.log(np.exp(s).sum(axis=axis, keepdims=True))


def _log_softmax_grad_ref(x: np.ndarray, g: np.ndarray, axis: int = -1) -> np.ndarray:
    """d/dx of sum(g * log_softmax(x)) = g - softmax(x) * sum(g)."""
    p = np.exp(_log_softmax_ref(x, axis))
    return g - p * g.sum(axis=axis, keepdims=True)


HUGE64 = np.array([[1e30, 1e30, 1.0], [-1e30, 3.0, 2.0]], np.float64)
HUGE32 = np.array([[1e5, 1e5 + 1, 1e5 - 3, 0.0], [-1e5, -1e5 + 2, 5.0, 1e5]], np.float32)


@pytest.mark.parametrize("x", [HUGE64, HUGE32], ids=["1e30-float64", "1e5-float32"])
def test_log_softmax_is_exact_at_any_magnitude(x):
    t = ag.tensor(x, requires_grad=True)
    y = ag.log_softmax(t, axis=-1)
    assert y.dtype == x.dtype
    tol = 1e-12 if x.dtype == np.float64 else 2e-6
    np.testing.assert_allclose(y.data, _log_softmax_ref(x), rtol=tol, atol=tol)
    g = np.arange(x.size, dtype=x.dtype).reshape(x.shape) / x.size
    (y * ag.tensor(g)).sum().backward()
    np.testing.assert_allclose(t.grad.data, _log_softmax_grad_ref(x, g), rtol=tol, atol=tol)


def test_log_softmax_1e30_gives_minus_log_2():
    y = ag.log_softmax(ag.tensor(np.array([[1e30, 1e30, 1.0]])), axis=-1)
    np.testing.assert_allclose(y.data, [[-np.log(2), -np.log(2), -1e30]], rtol=1e-15)


def test_log_softmax_other_axes_and_gradchecks():
    x = np.random.default_rng(0).standard_normal((3, 4, 2)) * 30 + 1e6
    for axis in (0, 1, -1):
        np.testing.assert_allclose(ag.log_softmax(ag.tensor(x), axis=axis).data,
                                   _log_softmax_ref(x, axis), rtol=1e-12, atol=1e-12)
    t = ag.tensor(np.random.default_rng(1).standard_normal((3, 4)), requires_grad=True)
    assert ag.gradcheck(lambda a: ag.log_softmax(a, axis=0), (t,))
    assert ag.gradgradcheck(lambda a: ag.log_softmax(a, axis=1), (t,))


def test_log_softmax_with_minus_inf_entries():
    x = np.array([[-np.inf, 0.0, 0.0], [-np.inf, -np.inf, 1.0]])
    y = ag.log_softmax(ag.tensor(x), axis=-1)
    np.testing.assert_allclose(y.data, [[-np.inf, -np.log(2), -np.log(2)],
                                        [-np.inf, -np.inf, 0.0]])


def test_log_softmax_module_and_functional_reach_the_exact_formula():
    for y in (nn.LogSoftmax(axis=-1)(ag.tensor(HUGE64)), F.log_softmax(ag.tensor(HUGE64))):
        np.testing.assert_allclose(y.data, _log_softmax_ref(HUGE64), rtol=1e-12)


@pytest.mark.parametrize("x", [HUGE64, HUGE32], ids=["1e30-float64", "1e5-float32"])
def test_nll_loss_on_log_softmax_and_cross_entropy_variants_are_exact(x):
    n, c = x.shape
    target = np.array([1, c - 1])
    weight = np.linspace(0.5, 2.0, c)
    logp = _log_softmax_ref(x, 1)
    tol = 1e-12 if x.dtype == np.float64 else 2e-6
    rows = np.arange(n)

    def check(loss, want, grad_want):
        t = ag.tensor(x, requires_grad=True)
        value = loss(t)
        value.backward()
        np.testing.assert_allclose(value.item(), want, rtol=tol, atol=tol)
        np.testing.assert_allclose(t.grad.data, grad_want, rtol=tol, atol=tol)

    p = np.exp(logp)
    onehot = np.eye(c)[target]
    # plain nll_loss on log_softmax, mean over the batch
    check(lambda t: F.nll_loss(F.log_softmax(t, axis=1), target),
          -logp[rows, target].mean(), (p - onehot) / n)
    # weighted cross-entropy: mean divides by the total weight of the targets
    w = weight[target]
    check(lambda t: F.cross_entropy(t, target, weight=weight.astype(x.dtype)),
          -(w * logp[rows, target]).sum() / w.sum(), (p - onehot) * (w / w.sum())[:, None])
    # ignore_index: the second row counts for nothing
    ign = np.array([target[0], -100])
    check(lambda t: F.cross_entropy(t, ign), -logp[0, target[0]],
          np.vstack([p[0] - onehot[0], np.zeros(c)]))
    # probability targets
    q = np.full((n, c), 1.0 / c)
    check(lambda t: F.cross_entropy(t, q.astype(x.dtype)), -(q * logp).sum(axis=1).mean(),
          (p - q) / n)


# ---------------------------------------------------------------------------- float16


def test_float16_mean_of_many_values_accumulates_in_float32():
    x = ag.tensor(np.full(100_000, 0.1, np.float16))
    m = x.mean()
    assert m.dtype == np.float16
    np.testing.assert_allclose(float(m.item()), 0.1, rtol=1e-3)
    np.testing.assert_allclose(float(x.sum().item()), 9997.0, rtol=2e-3)  # 0.1 in float16 ·1e5


def test_float16_var_std_and_logsumexp_accumulate_in_float32():
    data = (np.arange(60_000) % 7).astype(np.float16)
    x = ag.tensor(data)
    ref = data.astype(np.float64)
    np.testing.assert_allclose(float(x.var().item()), ref.var(), rtol=2e-3)
    np.testing.assert_allclose(float(x.std().item()), ref.std(), rtol=2e-3)
    np.testing.assert_allclose(float(ag.logsumexp(x).item()),
                               np.log(np.exp(ref - 6).sum()) + 6, rtol=2e-3)


def test_float16_mean_gradient():
    x = ag.tensor(np.ones(70_000, np.float16), requires_grad=True)
    x.mean().backward()
    assert x.grad.dtype == np.float16
    # 1/70000 is a float16 subnormal: the gradient is its nearest float16, not 0
    np.testing.assert_array_equal(x.grad.data, np.float16(1 / 70_000))


# ---------------------------------------------------------------------------- dtype rules
# PyTorch's type promotion (torch docs, "Type promotion"), default dtype float32. Each row is
# an expression on tensors written ``f32[3]`` (a dimensioned float32 tensor) or ``f64[]``
# (0-d), Python scalars, and numpy scalars, with the dtype PyTorch gives it.
DTYPE_TABLE = [
    # tensors with tensors: categories bool < integer < floating; within one, the wider
    ("f32[3] + f64[3]", "float64"),
    ("i32[3] + i64[3]", "int64"),
    ("u8[3] + i8[3]", "int16"),
    ("i64[3] + f32[3]", "float32"),  # a float of any width holds the integer category
    ("f16[3] + i64[3]", "float16"),
    ("b[3] + u8[3]", "uint8"),
    ("b[3] + i32[3]", "int32"),
    ("b[3] + b[3]", "bool"),
    # a 0-d tensor counts only when it is of a higher category than the dimensioned ones
    ("f32[3] + f64[]", "float32"),
    ("f16[3] * f32[]", "float16"),
    ("i32[3] + i64[]", "int32"),
    ("u8[3] + i8[]", "uint8"),
    ("i32[3] + f64[]", "float64"),
    ("b[3] + i64[]", "int64"),
    ("f64[] + f32[]", "float64"),  # all 0-d: the usual promotion
    # Python scalars are weak: they count only when of a higher category (then the default)
    ("f32[3] + 2.5", "float32"),
    ("f64[3] + 2.5", "float64"),
    ("f16[3] * 2.5", "float16"),
    ("i32[3] + 2", "int32"),
    ("i32[3] + 2.5", "float32"),
    ("i64[3] * 2.5", "float32"),
    ("2.5 - i32[3]", "float32"),
    ("2 ** i64[3]", "int64"),
    ("b[3] + 2", "int64"),
    ("b[3] * 2.5", "float32"),
    ("b[3] + True", "bool"),
    ("i64[] * 2.5", "float32"),
    ("f16[] + 2", "float16"),
    # numpy scalars are weak like Python scalars
    ("f32[3] * np.float64(2.0)", "float32"),
    ("f32[3] * np.sqrt(2.0)", "float32"),
    ("np.sqrt(2.0) * f32[3]", "float32"),
    ("np.float64(2.0) + f16[3]", "float16"),
    ("i32[3] * np.float64(2.0)", "float32"),
    ("i32[3] + np.int64(2)", "int32"),
    ("f16[3] + np.float32(1.0)", "float16"),
    ("b[3] * np.float32(2.0)", "float32"),
    ("np.multiply(f32[3], np.float64(3.0))", "float32"),
    # true division of integers and bools gives the default float dtype
    ("i32[3] / i32[3]", "float32"),
    ("i64[3] / 2", "float32"),
    ("b[3] / b[3]", "float32"),
    ("6 / i64[3]", "float32"),
    ("f64[3] / 2", "float64"),
    ("i32[3] / f64[]", "float64"),
    # powers
    ("i32[3] ** 2", "int32"),
    ("i32[3] ** 0.5", "float32"),
    ("f16[3] ** 2", "float16"),
    # float functions of integers and bools give the default float dtype
    ("ag.exp(i64[3])", "float32"),
    ("ag.sqrt(i32[3])", "float32"),
    ("ag.log(i64[3])", "float32"),
    ("ag.sin(b[3])", "float32"),
    ("ag.tanh(i64[3])", "float32"),
    ("ag.sigmoid(i32[3])", "float32"),
    ("ag.exp(f16[3])", "float16"),
    ("ag.abs(i32[3])", "int32"),
    ("ag.relu(i32[3])", "int32"),
    ("-i32[3]", "int32"),
    # other elementwise ops follow the same promotion
    ("ag.maximum(f32[3], f64[3])", "float64"),
    ("ag.maximum(i32[3], f32[])", "float32"),
    ("ag.where(b[3], f32[3], 1.0)", "float32"),
    ("ag.where(b[3], i64[3], 1.5)", "float32"),
    ("ag.clip(i32[3], 0.5, 2.5)", "float32"),
    ("ag.clip(f16[3], 0, 1)", "float16"),
    # comparisons give bool (and compare with the scalar's value, not a rounded one)
    ("i32[3] < 2.5", "bool"),
    ("f32[3] == f64[3]", "bool"),
    # reductions: integer and bool sums are int64
    ("i32[3].sum()", "int64"),
    ("b[3].sum()", "int64"),
    ("f16[3].sum()", "float16"),
    ("f32[3].max()", "float32"),
    ("i32[3].max()", "int32"),
    # creation: Python floats take the default dtype, ints int64, numpy keeps its dtype
    ("ag.tensor([1.0, 2.0])", "float32"),
    ("ag.tensor([1, 2])", "int64"),
    ("ag.tensor([1, 2.5])", "float32"),
    ("ag.tensor(True)", "bool"),
    ("ag.tensor(np.float64(2.0))", "float64"),
    ("ag.tensor(np.ones(2, np.float16))", "float16"),
]

# With the default dtype set to float64, the "default float" rows give float64 instead.
DTYPE_TABLE_DEFAULT_64 = [
    ("i32[3] * 2.5", "float64"),
    ("i32[3] / i32[3]", "float64"),
    ("ag.exp(i64[3])", "float64"),
    ("b[3] * np.float32(2.0)", "float64"),
    ("f32[3] * 2.5", "float32"),
    ("f32[3] * np.float64(2.0)", "float32"),
    ("ag.tensor([1.0, 2.0])", "float64"),
]

_NAMES = {"f16": np.float16, "f32": np.float32, "f64": np.float64, "i8": np.int8,
          "u8": np.uint8, "i16": np.int16, "i32": np.int32, "i64": np.int64, "b": np.bool_}


def _evaluate(expr: str):
    """Evaluate a table expression; ``i32[3]`` is a tensor of ones of that dtype and shape."""
    def tensor(match):
        shape = f"({match.group(2)},)" if match.group(2) else "()"
        return f"_t(np.dtype('{np.dtype(_NAMES[match.group(1)]).name}'), {shape})"

    code = re.sub(r"\b(f16|f32|f64|i8|u8|i16|i32|i64|b)\[(\d*)\]", tensor, expr)
    return eval(code, {"np": np, "ag": ag, "_t": lambda dt, shape: ag.tensor(np.ones(shape, dt))})


@pytest.mark.parametrize("expr, expected", DTYPE_TABLE, ids=[r[0] for r in DTYPE_TABLE])
def test_dtype_rules_are_pytorchs(expr, expected):
    result = _evaluate(expr)
    assert isinstance(result, ag.Tensor)
    assert result.dtype == np.dtype(expected), f"{expr}: {result.dtype}, PyTorch: {expected}"


@pytest.mark.parametrize("expr, expected", DTYPE_TABLE_DEFAULT_64,
                         ids=[r[0] for r in DTYPE_TABLE_DEFAULT_64])
def test_dtype_rules_with_a_float64_default(expr, expected):
    ag.set_default_dtype(np.float64)
    assert _evaluate(expr).dtype == np.dtype(expected)


def test_every_row_of_the_readme_table_is_a_tested_row():
    import pathlib

    # the table lives on the guide's engine page (the README links to it)
    readme = (pathlib.Path(__file__).parents[2] / "docs" / "engine.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\|[^|]*\| `([^`]+)` \| (\w+) \|$", readme, flags=re.M)
    assert len(rows) >= 30
    tested = dict(DTYPE_TABLE)
    for expr, dtype in rows:
        assert tested.get(expr) == dtype, f"README row {expr} -> {dtype} is not in DTYPE_TABLE"


def test_weak_scalars_keep_their_value():
    x = ag.tensor(np.array([1, 2, 3], np.int32))
    np.testing.assert_array_equal((x < 2.5).data, [True, True, False])
    np.testing.assert_allclose((x * 2.5).data, [2.5, 5.0, 7.5])
    np.testing.assert_allclose((x / 2).data, [0.5, 1.0, 1.5])


def test_gradients_keep_the_leaf_dtype_under_weak_scalars():
    x = ag.tensor(np.ones(3, np.float32), requires_grad=True)
    y = (x * np.sqrt(2.0)).sum()
    assert y.dtype == np.float32
    y.backward()
    assert x.grad.dtype == np.float32


def test_integer_mean_is_refused_as_pytorch():
    for fn in ("mean", "var", "std"):
        with pytest.raises(TypeError, match=fn + ".*floating.*int64"):
            getattr(ag.tensor([1, 2, 3]), fn)()


# ---------------------------------------------------------------------------- warnings

FORWARD_CASES = {
    "log 0 and -1": lambda x: ag.log(x),
    "sqrt -1": lambda x: ag.sqrt(x),
    "div by 0": lambda x: x / ag.tensor(np.zeros(5, np.float32)),
    "0 / 0": lambda x: ag.tensor(np.zeros(5, np.float32)) / 0.0,
    "exp overflow": lambda x: ag.exp(x * 1e30),
    "pow 0 ** -1": lambda x: x ** -1.0,
    "pow negative ** 0.5": lambda x: x ** 0.5,
    "inf - inf": lambda x: (x * 1e38 * 10) - (x * 1e38 * 10),
    "inf * 0": lambda x: (x * 1e38 * 10) * 0.0,
    "mul overflow": lambda x: x * 1e38 * 10,
    "tanh of nan": lambda x: ag.tanh(ag.log(x)),
    "sigmoid of -inf": lambda x: ag.sigmoid(ag.log(x)),
    "softmax of inf": lambda x: ag.softmax(ag.log(x) * -1.0),
    "log_softmax of nan": lambda x: ag.log_softmax(ag.sqrt(x)),
    "logsumexp of -inf": lambda x: ag.logsumexp(ag.log(x * 0.0)),
    "var of inf": lambda x: (x * 1e38 * 10).var(),
    "mean of empty": lambda x: x[:0].mean(),
    "float16 overflow": lambda x: x.astype(np.float16) * 1e5,
    "astype inf to int": lambda x: (x / 0.0).astype(np.int32),
    "cross_entropy of inf": lambda x: F.cross_entropy((x * 1e38 * 10).reshape(1, 5),
                                                      np.array([0])),
    "bce logits of inf": lambda x: F.binary_cross_entropy_with_logits(x * 1e38 * 10,
                                                                     np.ones(5, np.float32)),
    "mse of inf": lambda x: F.mse_loss(x * 1e38 * 10, ag.zeros(5)),
    "matmul overflow": lambda x: (x * 1e30).reshape(1, 5) @ (x * 1e30).reshape(5, 1),
}


@pytest.mark.parametrize("name", list(FORWARD_CASES))
def test_forward_ops_on_inf_nan_zero_leak_no_runtime_warning(name):
    x = ag.tensor(np.array([0.0, -1.0, 1.0, np.inf, np.nan], np.float32), requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        FORWARD_CASES[name](x)


SPECIAL = np.array([0.0, -1.0, 1.0, np.inf, -np.inf, np.nan, 3e38, -0.5], np.float32)


@pytest.mark.parametrize("name", sorted(ag.OPS))
def test_no_registered_op_leaks_a_numpy_warning_on_special_values(name):
    # every op of the registry, with one or two operands where its signature takes them
    fn = ag.OPS[name].fn
    x = ag.tensor(SPECIAL)
    for args in ((x,), (x, x), (x, 0.0), (0.0, x)):
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            try:
                fn(*args)
            except RuntimeWarning:
                raise
            except Exception:  # noqa: BLE001 - a signature this op does not take
                pass


# numpy-only functions keep numpy's dtype (gradient of integers is float64 in numpy)
_NUMPY_DTYPE = {"gradient"}


@pytest.mark.parametrize("name", sorted(set(ag.OPS) - _NUMPY_DTYPE))
def test_no_registered_op_turns_integers_into_float64(name):
    # a float result of integer operands is the default float dtype, as in PyTorch
    fn = ag.OPS[name].fn
    i = ag.tensor(np.arange(1, 9, dtype=np.int64))
    for args in ((i,), (i, i)):
        try:
            result = fn(*args)
        except Exception:  # noqa: BLE001 - a signature this op does not take
            continue
        for r in result if isinstance(result, (tuple, list)) else (result,):
            if isinstance(r, ag.Tensor) and r.dtype.kind == "f":
                assert r.dtype == np.float32, f"{name}{len(args)}: {r.dtype}"


def test_no_warning_under_pythons_default_filters_and_the_users_own_numpy_still_warns():
    # a fresh interpreter: Python's default warning filters, nothing set to error
    code = """if True:
        import warnings, numpy as np
        import autograd as ag, nn, nn.functional as F
        x = ag.tensor(np.array([0.0, -1.0, 1.0, np.inf, np.nan], np.float32))
        ag.log(x); x / 0.0; ag.exp(x * 1e30); (x * 1e38 * 10) - (x * 1e38 * 10)
        ag.softmax(x * 1e38 * 10); (x / 0.0).astype(np.int32); x.sum() * 1e38 * 1e38
        F.binary_cross_entropy_with_logits(x * 1e38 * 10, np.ones(5, np.float32))
        nn.Linear(5, 1)(x.reshape(1, 5) * 1e38)
        y = ag.tensor(np.ones(3, np.float32))
        y /= 0.0
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("default")
            np.log(np.zeros(1))  # the user's own numpy call keeps numpy's warning
        assert len(caught) == 1, caught
    """
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "Warning" not in done.stderr, done.stderr


def test_in_place_division_by_zero_gives_ieee_results_quietly():
    y = ag.tensor(np.array([1.0, 0.0, -1.0], np.float32))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        y /= 0.0
    np.testing.assert_array_equal(y.data, [np.inf, np.nan, -np.inf])


# ---------------------------------------------------------------------------- edges


@pytest.mark.parametrize("fn", ["max", "min"])
def test_max_min_over_a_non_empty_axis_of_an_empty_tensor_is_empty(fn):
    x = ag.zeros(0, 3, requires_grad=True)
    y = getattr(x, fn)(axis=1)
    assert y.shape == (0,)
    assert getattr(x, fn)(axis=1, keepdims=True).shape == (0, 1)
    assert getattr(ag.zeros(2, 0, 3), fn)(axis=2).shape == (2, 0)
    y.sum().backward()
    assert x.grad.shape == (0, 3)


@pytest.mark.parametrize("fn", ["max", "min"])
def test_max_min_over_an_empty_axis_still_raises_naming_it(fn):
    with pytest.raises((ValueError, IndexError), match="axis 0.*size 0|size 0.*axis 0"):
        getattr(ag.zeros(0, 3), fn)(axis=0)
    with pytest.raises((ValueError, IndexError), match="empty"):
        getattr(ag.zeros(0, 3), fn)()


def test_cross_entropy_over_an_empty_batch():
    logits = ag.zeros(0, 3, requires_grad=True)
    target = np.zeros(0, np.int64)
    assert np.isnan(F.cross_entropy(logits, target).item())
    assert F.cross_entropy(logits, target, reduction="sum").item() == 0.0
    assert F.cross_entropy(logits, target, reduction="none").shape == (0,)
    assert np.isnan(F.nll_loss(logits, target).item())
    assert np.isnan(F.cross_entropy(logits, np.zeros((0, 3), np.float32)).item())


def test_softmax_family_on_0d_tensors():
    x = ag.tensor(2.0, requires_grad=True)
    assert ag.softmax(x).shape == () and ag.softmax(x).item() == 1.0
    assert ag.log_softmax(x).item() == 0.0
    assert ag.softmax(x, axis=0).item() == 1.0
    ag.log_softmax(x, axis=-1).backward()
    assert x.grad.item() == 0.0


@pytest.mark.parametrize("fn", ["sum", "mean", "max", "min", "logsumexp"])
def test_reductions_over_axis_minus_1_or_0_of_a_0d_tensor(fn):
    x = ag.tensor(2.0, requires_grad=True)
    reduce = getattr(ag, fn)
    for axis in (-1, 0, (0,), (-1,)):
        y = reduce(x, axis=axis)
        assert y.shape == ()
        assert reduce(x, axis=axis, keepdims=True).shape == ()
    reduce(x, axis=-1).backward()
    assert x.grad.shape == ()
    with pytest.raises((ValueError, IndexError), match="axis 1"):
        reduce(x, axis=1)
