"""The scalar engine: every Value op against finite differences and against 0-d float64
Tensors, backward semantics (accumulation, retain_graph, freeing), depth, no reference cycles."""

from __future__ import annotations

import gc
import math
import sys
import weakref

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd as ag
from autograd import Value

# ------------------------------------------------------------------------------ helpers

# Every op, as a function of Values that reads the same on 0-d Tensors. ``x`` and ``y`` come
# from the domain given beside each op, where the op is smooth.
UNARY = {
    "neg": (lambda x: -x, (-3, 3)),
    "exp": (lambda x: x.exp(), (-3, 3)),
    "log": (lambda x: x.log(), (0.1, 5)),
    "tanh": (lambda x: x.tanh(), (-3, 3)),
    "relu": (lambda x: x.relu(), (0.05, 3)),
    "relu<0": (lambda x: x.relu(), (-3, -0.05)),
    "sigmoid": (lambda x: x.sigmoid(), (-6, 6)),
    "pow 3": (lambda x: x ** 3, (-2, 2)),
    "pow -1.5": (lambda x: x ** -1.5, (0.2, 3)),
    "pow 0.5": (lambda x: x ** 0.5, (0.1, 4)),
    "add number": (lambda x: x + 2.5, (-3, 3)),
    "radd number": (lambda x: 2.5 + x, (-3, 3)),
    "sub number": (lambda x: x - 2.5, (-3, 3)),
    "rsub number": (lambda x: 2.5 - x, (-3, 3)),
    "mul number": (lambda x: x * -1.5, (-3, 3)),
    "rmul number": (lambda x: -1.5 * x, (-3, 3)),
    "div number": (lambda x: x / 0.7, (-3, 3)),
    "rdiv number": (lambda x: 0.7 / x, (0.2, 3)),
    "rpow number": (lambda x: 1.7 ** x, (-3, 3)),
}
BINARY = {
    "add": (lambda x, y: x + y, (-3, 3), (-3, 3)),
    "sub": (lambda x, y: x - y, (-3, 3), (-3, 3)),
    "mul": (lambda x, y: x * y, (-3, 3), (-3, 3)),
    "div": (lambda x, y: x / y, (-3, 3), (0.2, 3)),
    "pow": (lambda x, y: x ** y, (0.2, 3), (-2, 2)),
}


def numeric_grads(f, xs: list[float], eps: float = 1e-6) -> list[float]:
    """Central finite differences of the float-valued ``f`` at ``xs``."""
    out = []
    for i in range(len(xs)):
        hi = list(xs)
        lo = list(xs)
        hi[i] += eps
        lo[i] -= eps
        out.append((f(*hi) - f(*lo)) / (2 * eps))
    return out


def value_grads(f, xs: list[float]) -> tuple[float, list[float]]:
    vs = [Value(x) for x in xs]
    y = f(*vs)
    y.backward()
    return y.data, [v.grad for v in vs]


def tensor_grads(f, xs: list[float]) -> tuple[float, list[float]]:
    ts = [ag.tensor(x, dtype=np.float64, requires_grad=True) for x in xs]
    y = f(*ts)
    y.backward()
    return y.item(), [t.grad.item() if t.grad is not None else 0.0 for t in ts]


def assert_engines_agree(f, xs: list[float]) -> None:
    v, vg = value_grads(f, xs)
    t, tg = tensor_grads(f, xs)
    np.testing.assert_allclose(v, t, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(vg, tg, rtol=1e-12, atol=1e-12)


# ------------------------------------------------------------------------------ each op


@pytest.mark.parametrize("name", UNARY)
@given(u=st.floats(0, 1))
@settings(max_examples=25, deadline=None)
def test_unary_op_matches_finite_differences_and_tensor(name, u):
    f, (lo, hi) = UNARY[name]
    x = lo + (hi - lo) * u
    data, (grad,) = value_grads(f, [x])
    assert isinstance(data, float) and isinstance(grad, float)
    assert data == pytest.approx(f(Value(x)).data)
    (numeric,) = numeric_grads(lambda a: f(Value(a)).data, [x])
    assert grad == pytest.approx(numeric, rel=1e-6, abs=1e-7)
    assert_engines_agree(f, [x])


@pytest.mark.parametrize("name", BINARY)
@given(u=st.floats(0, 1), w=st.floats(0, 1))
@settings(max_examples=25, deadline=None)
def test_binary_op_matches_finite_differences_and_tensor(name, u, w):
    f, (xlo, xhi), (ylo, yhi) = BINARY[name]
    x, y = xlo + (xhi - xlo) * u, ylo + (yhi - ylo) * w
    data, grads = value_grads(f, [x, y])
    numeric = numeric_grads(lambda a, b: f(Value(a), Value(b)).data, [x, y])
    np.testing.assert_allclose(grads, numeric, rtol=1e-6, atol=1e-7)
    assert_engines_agree(f, [x, y])


def test_forward_values_are_the_math():
    x, y = Value(1.5), Value(-0.5)
    assert (x + y).data == 1.0 and (x - y).data == 2.0 and (x * y).data == -0.75
    assert (x / y).data == -3.0 and (x ** 2).data == 2.25 and (-x).data == -1.5
    assert (2 ** x).data == 2 ** 1.5 and (1 - x).data == -0.5 and (3 / x).data == 2.0
    assert x.exp().data == math.exp(1.5) and x.log().data == math.log(1.5)
    assert y.tanh().data == math.tanh(-0.5) and y.relu().data == 0.0 and x.relu().data == 1.5
    assert y.sigmoid().data == pytest.approx(1 / (1 + math.exp(0.5)), rel=1e-15)


def test_op_records_its_parents_local_derivatives_and_name():
    x, y = Value(2.0, label="x"), Value(3.0)
    z = x * y
    assert z._parents == (x, y) and z._local == (3.0, 2.0) and z._op == "*"
    w = x * 4
    assert w._parents == (x,) and w._local == (4.0,)  # a number is a constant, not a parent
    assert x._parents == () and x._local == () and x._op == "" and x.label == "x"
    assert z.label == "" and (x.tanh())._op == "tanh" and (x ** y)._op == "**"
    assert {(x + 1)._op, (x - 1)._op, (x / 2)._op, (-x)._op} == {"+", "-", "/", "neg"}


def test_sigmoid_and_exp_do_not_overflow():
    assert Value(-1000.0).sigmoid().data == 0.0 and Value(1000.0).sigmoid().data == 1.0
    s = Value(-800.0)
    s.sigmoid().backward()
    assert s.grad == 0.0
    assert Value(1000.0).exp().data == math.inf


@pytest.mark.parametrize("f, x", [
    (lambda x: x.log(), 0.0), (lambda x: x.log(), -1.0), (lambda x: x / 0.0, 1.0),
    (lambda x: 1.0 / x, 0.0), (lambda x: x / x, 0.0), (lambda x: x ** 0.5, -4.0),
    (lambda x: x ** -1, 0.0), (lambda x: x ** 0, 0.0), (lambda x: x.exp(), 800.0),
    (lambda x: x ** x, 0.0), (lambda x: x ** 0.5, 0.0), (lambda x: x.relu(), 0.0),
    (lambda x: x.relu(), math.nan), (lambda x: x.sigmoid(), math.nan),
    (lambda x: x.tanh() * x, math.nan), (lambda x: x * math.inf, 0.0),
])
def test_singular_points_give_what_tensor_gives(f, x):
    """inf and nan where the math breaks, as PyTorch (and our Tensor) give them, never an error."""
    v, vg = value_grads(f, [x])
    with np.errstate(all="ignore"):
        t, tg = tensor_grads(f, [x])
    np.testing.assert_array_equal([v, vg[0]], [t, tg[0]])


# ------------------------------------------------------------------------------ random graphs

OPS = [
    lambda a, b: a + b, lambda a, b: a - b, lambda a, b: a * b,
    lambda a, b: a / (b * b + 1.0), lambda a, b: (a * a + 0.5) ** (b.tanh()),
    lambda a, b: a.tanh() * b, lambda a, b: a.sigmoid() + b, lambda a, b: a.relu() - b,
    lambda a, b: (a * 0.5).exp() - b, lambda a, b: (a * a + 0.1).log() * b,
    lambda a, b: 1.5 - a * 2.0 + b / 3.0, lambda a, b: -a + 2.0 ** b.tanh(),
    lambda a, b: (b * b + 0.3) ** -0.5 * a,
]


@st.composite
def programs(draw):
    """A random expression over 3 inputs: each step combines two earlier nodes."""
    n_inputs = 3
    steps = draw(st.lists(st.tuples(st.integers(0, len(OPS) - 1), st.integers(0, 10 ** 6),
                                    st.integers(0, 10 ** 6)), min_size=1, max_size=12))
    xs = draw(st.lists(st.floats(-2, 2), min_size=n_inputs, max_size=n_inputs))
    return steps, xs


def run_program(steps, *inputs):
    nodes = list(inputs)
    for k, i, j in steps:
        nodes.append(OPS[k](nodes[i % len(nodes)], nodes[j % len(nodes)]))
    out = nodes[-1]
    for n in nodes[len(inputs):-1]:  # every intermediate reaches the output
        out = out + n * 0.25
    return out


@given(programs())
@settings(max_examples=150, deadline=None)
def test_random_graphs_agree_with_tensor_engine(program):
    steps, xs = program
    v, vg = value_grads(lambda *a: run_program(steps, *a), xs)
    if not (math.isfinite(v) and all(math.isfinite(g) for g in vg)):
        return  # a legitimate overflow; the singular-point test covers those
    t, tg = tensor_grads(lambda *a: run_program(steps, *a), xs)
    np.testing.assert_allclose(v, t, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(vg, tg, rtol=1e-12, atol=1e-12)


@given(programs())
@settings(max_examples=60, deadline=None)
def test_random_graphs_match_finite_differences(program):
    steps, xs = program
    v, vg = value_grads(lambda *a: run_program(steps, *a), xs)
    numeric = numeric_grads(lambda *a: run_program(steps, *map(Value, a)).data, xs, eps=1e-6)
    if not all(math.isfinite(g) and abs(g) < 1e6 for g in vg + numeric):
        return
    # relu's kink at 0 makes differences meaningless: skip graphs with any value near 0
    graph = ag.topological_order([run_program(steps, *map(Value, xs))],
                                 parents=lambda n: n._parents)
    if any(abs(n.data) < 1e-4 for n in graph):
        return
    np.testing.assert_allclose(vg, numeric, rtol=1e-4, atol=1e-5)


# ------------------------------------------------------------------------------ backward


def test_shared_nodes_sum_their_gradients():
    x = Value(3.0)
    h = x * x
    y = h + h + h * x
    y.backward()
    assert x.grad == 2 * 3 * 2 + 3 * 9  # d(2x² + x³)/dx
    a = Value(-2.0)
    (a * a).backward()
    assert a.grad == -4.0


def test_leaf_gradients_accumulate_across_backward_calls():
    x = Value(2.0)
    (x * x).backward()
    (x * 3).backward()
    assert x.grad == 4.0 + 3.0
    x.grad = 0.0
    (x * 3).backward()
    assert x.grad == 3.0


def test_backward_of_a_leaf_and_seeding():
    x = Value(5.0)
    x.backward()
    assert x.grad == 1.0
    y = x * 2
    y.backward()
    assert y.grad == 1.0 and x.grad == 3.0


def test_retain_graph_allows_a_second_pass_with_the_same_gradients():
    x = Value(1.5)
    h = x.tanh()
    y = h * h + x
    y.backward(retain_graph=True)
    first = x.grad
    assert h.grad == pytest.approx(2 * math.tanh(1.5))
    y.backward()  # intermediate grads restart from zero: the second pass adds the same amount
    assert x.grad == pytest.approx(2 * first) and h.grad == pytest.approx(2 * math.tanh(1.5))


def test_second_backward_through_freed_graph_raises_naming_retain_graph():
    x = Value(1.0)
    y = (x * 2).exp()
    y.backward()
    assert y._local is None and y._op == "exp"  # freed: the local derivatives are gone ...
    (two,) = y._parents  # ... the shape stays
    assert two._op == "*" and two._parents == (x,) and two.data == 2.0
    with pytest.raises(RuntimeError, match="retain_graph=True"):
        y.backward()
    h = x * 3
    h.backward()
    with pytest.raises(RuntimeError, match="retain_graph=True"):
        (h + 1).backward()  # a new graph on top of a freed one


def test_intermediate_shared_by_two_graphs_with_retain_graph():
    x = Value(2.0)
    h = x * x
    a, b = h * 2, h * 3
    a.backward(retain_graph=True)
    b.backward()
    assert x.grad == (2 + 3) * 2 * 2.0 and h.grad == 3.0


def test_graphs_have_no_reference_cycles():
    gc.disable()
    try:
        x = Value(0.5)
        h = (x * 2).tanh()
        y = h * h + 1
        ref = weakref.ref(h)
        del h
        y.backward(retain_graph=True)  # even a retained graph is freed by refcounting alone
        del y
        assert ref() is None
        h = x.exp()
        ref = weakref.ref(h)
        (h * 3).backward()
        del h
        assert ref() is None
    finally:
        gc.enable()


def test_no_grad_records_nothing():
    x = Value(2.0)
    with ag.no_grad():
        y = x * x + 1
    assert y._parents == () and y._op == "" and y.data == 5.0
    y.backward()
    assert x.grad == 0.0


def test_million_op_chain_at_default_recursion_limit():
    assert sys.getrecursionlimit() <= 1000  # the default, untouched
    x = Value(1.0)
    y = x
    for _ in range(500_000):
        y = y * 1.000001 + 1e-7
    y.backward()  # 10^6 nodes deep
    assert x.grad == pytest.approx(1.000001 ** 500_000, rel=1e-9)
    del y  # freed graph: deallocation is not recursive either


def test_topological_order_is_shared_with_tensor():
    x = Value(1.0)
    y = x * 2 + x.exp()
    order = ag.topological_order([y], parents=lambda v: v._parents)
    position = {id(v): i for i, v in enumerate(order)}
    assert order[-1] is y and len(order) == 4
    assert all(position[id(p)] < position[id(v)] for v in order for p in v._parents)


# ------------------------------------------------------------------------------ operands


def test_numpy_scalars_on_either_side():
    x = Value(2.0)
    for c in (np.float64(3.0), np.float32(3.0), np.int64(3), 3, True):
        for z in (x * c, c * x, x + c, c + x, c - x, c / x, x ** c, c ** x):
            assert type(z) is Value and type(z.data) is float
    y = np.float64(-1.0) * x
    y.backward()
    assert x.grad == -1.0


@pytest.mark.parametrize("bad", ["3", None, [1.0], np.ones(2)])
def test_bad_operands_raise_type_error(bad):
    x = Value(1.0)
    with pytest.raises(TypeError):
        x + bad
    with pytest.raises(TypeError):
        bad * x
    with pytest.raises(TypeError, match="real number"):
        Value(bad)


def test_value_of_a_value_is_refused_with_a_hint():
    with pytest.raises(TypeError, match="x.data"):
        Value(Value(1.0))
    a = Value(1.0)
    with pytest.raises(TypeError, match="label must be a str"):
        Value(2.0, (a, a))  # micrograd's private constructor form


def test_repr_and_identity():
    x = Value(2.0, label="w")
    assert repr(x) == "Value(label='w', data=2.0, grad=0.0)"
    assert repr(Value(1)) == "Value(data=1.0, grad=0.0)"
    assert len({x, x, Value(2.0), Value(2.0)}) == 3  # hashed by identity, like micrograd
    d = {Value(1.0): "a", Value(1.0): "b"}
    assert sorted(d.values()) == ["a", "b"]


def test_values_compare_like_floats():
    a, b, c = Value(1.0), Value(1.0), Value(2.0)
    table = [
        (a == b, True), (a != b, False), (a < c, True), (a <= b, True), (c > a, True),
        (a >= c, False), (a == 1, True), (1.0 == a, True), (a < 1.5, True), (3 > c, True),
        (np.float64(0.5) < a, True), (a == np.float32(1.0), True), (a != 2, True),
    ]
    for got, want in table:
        assert type(got) is bool and got == want
    assert (a == "1.0") is False and (a != None) is True  # noqa: E711 (other types: unequal)
    with pytest.raises(TypeError):
        a < "x"  # noqa: B015
    assert max([Value(3.0), c, Value(-1.0)]).data == 3.0
    assert [v.data for v in sorted([c, Value(-1.0), a])] == [-1.0, 1.0, 2.0]
    nan = Value(float("nan"))
    assert nan != nan and not nan == nan and not nan < a  # IEEE, as floats
    y = a * c + a  # comparing records nothing and leaves the graph intact
    assert (y > 2) is True and y._op == "+"
    y.backward()
    assert (a.grad, c.grad) == (3.0, 1.0)


def test_graph_walks_do_not_rely_on_value_equality():
    # equal values, different nodes: each is visited and gets its own gradient
    xs = [Value(1.0) for _ in range(4)]
    out = xs[0] * xs[1] + xs[2] * xs[3] + xs[0]
    out.backward(retain_graph=True)
    assert [x.grad for x in xs] == [2.0, 1.0, 1.0, 1.0]
    g = ag.draw(out)
    assert g.source.count("label=<data 1<") == 6  # four distinct leaves and two products


def test_docstring_examples_run():
    import doctest

    import autograd.scalar

    result = doctest.testmod(autograd.scalar, extraglobs={"Value": Value})
    assert result.attempted >= 10 and result.failed == 0
