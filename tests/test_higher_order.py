"""Every op's backward is itself differentiable: gradgradcheck over the whole op registry,
and third derivatives of the smooth elementwise ops against their closed forms."""

import numpy as np
import pytest

import autograd as ag
from autograd.ops import OPS

rng = np.random.default_rng(42)


def T(*shape, low=None, away=None):
    """A float64 leaf requiring grad; ``low`` shifts values to be > low, ``away`` keeps them
    at least that far from 0 (from kinks of abs/relu)."""
    x = np.asarray(rng.standard_normal(shape), dtype=np.float64)
    if away is not None:
        x = np.sign(x) * (np.abs(x) + away)
    if low is not None:
        x = np.abs(x) + low
    return ag.Tensor(x, requires_grad=True)


def distinct(*shape, shift=0.0):
    """Values with no ties, 0.7 apart (for max/min/maximum); ``shift`` 0.35 gives a second
    operand that never equals the first."""
    x = rng.permutation(np.arange(int(np.prod(shape)), dtype=np.float64)).reshape(shape)
    return ag.Tensor(x * 0.7 + 0.1 + shift, requires_grad=True)


# op name -> list of (callable, inputs). Several shapes and axes per op.
SAMPLES = {
    "add": [(ag.add, lambda: (T(2, 3), T(2, 3))), (ag.add, lambda: (T(2, 3), T(3))),
            (lambda a: a + 2.0, lambda: (T(4),))],
    "sub": [(ag.sub, lambda: (T(2, 3), T(1, 3))), (lambda a: 1.0 - a, lambda: (T(3),))],
    "mul": [(ag.mul, lambda: (T(2, 3), T(2, 3))), (ag.mul, lambda: (T(2, 1), T(3))),
            (lambda a: a * a, lambda: (T(3),))],
    "div": [(ag.div, lambda: (T(2, 3), T(2, 3, low=0.5))),
            (ag.div, lambda: (T(3), T(2, 1, low=0.5)))],
    "neg": [(ag.neg, lambda: (T(2, 3),))],
    "pow": [(ag.pow, lambda: (T(2, 3, low=0.5), T(2, 3))),
            (lambda a: a ** 3, lambda: (T(4),)),
            (lambda a: 2.0 ** a, lambda: (T(3),)),
            (ag.pow, lambda: (T(3, low=0.5), T(1)))],
    "abs": [(ag.abs, lambda: (T(2, 3, away=0.1),))],
    "exp": [(ag.exp, lambda: (T(2, 3),))],
    "log": [(ag.log, lambda: (T(2, 3, low=0.5),))],
    "sqrt": [(ag.sqrt, lambda: (T(2, 3, low=0.5),))],
    "sin": [(ag.sin, lambda: (T(2, 3),))],
    "cos": [(ag.cos, lambda: (T(2, 3),))],
    "tanh": [(ag.tanh, lambda: (T(2, 3),))],
    "sigmoid": [(ag.sigmoid, lambda: (T(2, 3),))],
    "relu": [(ag.relu, lambda: (T(2, 3, away=0.1),))],
    "maximum": [(ag.maximum, lambda: tuple(distinct(2, 6).split(2, axis=1)[:2])),
                (ag.maximum, lambda: (distinct(2, 3), ag.Tensor(rng.standard_normal(3) * 0.01
                                                                + 1.05, requires_grad=True)))],
    "minimum": [(ag.minimum, lambda: tuple(distinct(2, 6).split(2, axis=1)[:2]))],
    "clip": [(lambda a: ag.clip(a, -0.5, 0.5), lambda: (ag.Tensor(
        np.array([-2.0, -0.3, 0.1, 0.4, 1.3, 0.2]), requires_grad=True),)),
        (lambda a: ag.clip(a, min=0.25), lambda: (ag.Tensor(
            np.array([[-1.0, 0.5], [0.7, 0.1]]), requires_grad=True),))],
    "where": [(lambda a, b: ag.where(np.array([[True, False, True], [False, False, True]]),
                                     a, b), lambda: (T(2, 3), T(3))),
              (lambda a: ag.where(np.array([True, False]), a, 0.0), lambda: (T(2),))],
    "astype": [(lambda a: ag.astype(a, np.float64) * a, lambda: (T(3),))],
    "sum": [(ag.sum, lambda: (T(2, 3),)), (lambda a: a.sum(axis=0), lambda: (T(2, 3),)),
            (lambda a: a.sum(axis=(0, 2), keepdims=True), lambda: (T(2, 3, 2),)),
            (lambda a: (a * a).sum(axis=-1), lambda: (T(2, 3),))],
    "mean": [(lambda a: (a * a).mean(), lambda: (T(2, 3),)),
             (lambda a: (a * a).mean(axis=1, keepdims=True), lambda: (T(2, 3),))],
    "max": [(lambda a: a.max(), lambda: (distinct(2, 3),)),
            (lambda a: (a * a).max(axis=1), lambda: (distinct(2, 3),)),
            (lambda a: a.max(axis=0, keepdims=True) * a, lambda: (distinct(3, 2),))],
    "min": [(lambda a: a.min(axis=-1), lambda: (distinct(2, 3),)),
            (lambda a: (a * a).min(), lambda: (distinct(4),))],
    "var": [(ag.var, lambda: (T(2, 3),)), (lambda a: a.var(axis=0, ddof=1), lambda: (T(3, 2),))],
    "std": [(ag.std, lambda: (T(2, 3),)), (lambda a: a.std(axis=1, keepdims=True),
                                            lambda: (T(2, 3),))],
    "logsumexp": [(ag.logsumexp, lambda: (T(2, 3),)),
                  (lambda a: a.logsumexp(axis=1), lambda: (T(2, 3),)),
                  (lambda a: a.logsumexp(axis=(0, 1), keepdims=True), lambda: (T(2, 2, 2),))],
    "softmax": [(ag.softmax, lambda: (T(2, 3),)), (lambda a: ag.softmax(a, axis=0),
                                                    lambda: (T(3, 2),))],
    "log_softmax": [(ag.log_softmax, lambda: (T(2, 3),)),
                    (lambda a: ag.log_softmax(a, axis=0), lambda: (T(3, 2),))],
    "reshape": [(lambda a: (a * a).reshape(3, 2), lambda: (T(2, 3),)),
                (lambda a: a.reshape(-1) * a.reshape(-1), lambda: (T(2, 2),))],
    "transpose": [(lambda a: a.T * a.T, lambda: (T(2, 3),)),
                  (lambda a: ag.transpose(a * a, (1, 2, 0)), lambda: (T(2, 3, 2),))],
    "swapaxes": [(lambda a: ag.swapaxes(a * a, 0, -1), lambda: (T(2, 1, 3),))],
    "expand_dims": [(lambda a: ag.expand_dims(a * a, 1), lambda: (T(2, 3),))],
    "squeeze": [(lambda a: ag.squeeze(a * a), lambda: (T(2, 1, 3),)),
                (lambda a: ag.squeeze(a * a, 1), lambda: (T(2, 1, 1),))],
    "flatten": [(lambda a: ag.flatten(a * a), lambda: (T(2, 3),)),
                (lambda a: ag.flatten(a * a, 1), lambda: (T(2, 2, 2),))],
    "broadcast_to": [(lambda a: ag.broadcast_to(a * a, (2, 3)), lambda: (T(3),)),
                     (lambda a: ag.broadcast_to(a * a, (2, 2, 3)), lambda: (T(2, 1, 3),))],
    "concatenate": [(lambda a, b: ag.concatenate([a * b, b], axis=0), lambda: (T(2, 3), T(2, 3))),
                    (lambda a, b: ag.concatenate([a * a, b * b], axis=1),
                     lambda: (T(2, 1), T(2, 3)))],
    "stack": [(lambda a, b: ag.stack([a * b, a], axis=1), lambda: (T(2, 3), T(2, 3)))],
    "split": [(lambda a: tuple(p * p for p in ag.split(a, 2, axis=1)), lambda: (T(3, 4),)),
              (lambda a: tuple(p * p for p in ag.split(a, [1], axis=0)), lambda: (T(3, 2),))],
    "getitem": [(lambda a: (a * a)[1], lambda: (T(3, 2),)),
                (lambda a: (a * a)[:, ::2], lambda: (T(2, 3),)),
                (lambda a: (a * a)[np.array([0, 2, 0])], lambda: (T(3, 2),)),
                (lambda a: (a * a)[np.array([[True, False], [False, True]])], lambda: (T(2, 2),)),
                (lambda a: (a * a)[None, ..., 1], lambda: (T(2, 3),))],
    "index_add": [(lambda a: ag.ops.index_add((4,), np.array([0, 2, 0]), a * a),
                   lambda: (T(3),)),
                  (lambda a: ag.ops.index_add((3, 2), (slice(0, 2),), a * a),
                   lambda: (T(2, 2),))],
    "matmul": [(ag.matmul, lambda: (T(2, 3), T(3, 4))), (ag.matmul, lambda: (T(3), T(3, 2))),
               (ag.matmul, lambda: (T(2, 3), T(3))), (ag.matmul, lambda: (T(3), T(3))),
               (ag.matmul, lambda: (T(2, 2, 3), T(3, 2)))],
    "dot": [(ag.dot, lambda: (T(3), T(3))), (ag.dot, lambda: (T(2, 3), T(3, 2)))],
    "outer": [(ag.outer, lambda: (T(3), T(2)))],
}

# The systematic sweep, on top of the cases above: every elementwise op over 0-d to 3-D
# shapes and broadcasting pairs, every reduction over each axis with keepdims both ways.
SHAPES = [(), (5,), (3, 4), (2, 3, 4)]
BROADCAST = [((3, 4), (4,)), ((2, 1, 4), (3, 1)), ((3, 1), (1, 4)), ((), (2, 3)), ((4,), ())]


def _unary(fn, **kw):
    return [(fn, lambda s=s: (T(*s, **kw),)) for s in SHAPES]


def _binary(fn, a_kw=None, b_kw=None, make=T):
    return [(fn, lambda sa=sa, sb=sb: (make(*sa, **(a_kw or {})), make(*sb, **(b_kw or {}))))
            for sa, sb in BROADCAST]


def _reduction(fn, make=T):
    cases = []
    for shape in ((5,), (3, 4), (2, 3, 4)):
        axes = [None] + list(range(-len(shape), len(shape))) + ([(0, 2)] if len(shape) > 2 else [])
        for axis in axes:
            for keep in (False, True):
                cases.append((lambda x, a=axis, k=keep: fn(x, axis=a, keepdims=k),
                              lambda s=shape: (make(*s),)))
    return cases


def _along_axes(fn):
    return [(lambda x, a=a: fn(x, axis=a), lambda s=s: (T(*s),))
            for s, a in [((5,), 0), ((3, 4), -1), ((3, 4), 0), ((2, 3, 4), 1)]]


SWEEP = {
    **{name: _unary(getattr(ag, name)) for name in ("neg", "exp", "sin", "cos", "tanh",
                                                     "sigmoid")},
    "log": _unary(ag.log, low=0.5), "sqrt": _unary(ag.sqrt, low=0.5),
    "abs": _unary(ag.abs, away=0.1), "relu": _unary(ag.relu, away=0.1),
    "add": _binary(ag.add), "sub": _binary(ag.sub), "mul": _binary(ag.mul),
    "div": _binary(ag.div, b_kw={"low": 0.5}), "pow": _binary(ag.pow, a_kw={"low": 0.5}),
    "maximum": _binary(ag.maximum, b_kw={"shift": 0.35}, make=distinct),
    "minimum": _binary(ag.minimum, b_kw={"shift": 0.35}, make=distinct),
    "sum": _reduction(ag.sum), "mean": _reduction(ag.mean), "var": _reduction(ag.var),
    "std": _reduction(ag.std), "logsumexp": _reduction(ag.logsumexp),
    "max": _reduction(ag.max, distinct), "min": _reduction(ag.min, distinct),
    "softmax": _along_axes(ag.softmax), "log_softmax": _along_axes(ag.log_softmax),
}
for _name, _cases in SWEEP.items():
    SAMPLES[_name] = SAMPLES[_name] + _cases

CASES = [(name, i) for name in sorted(SAMPLES) for i in range(len(SAMPLES[name]))]


def test_every_op_has_a_second_order_sample():
    # the engine's ops; those registered by nn (when imported) are walked in tests/nn
    ops = {name for name, fn in OPS.items() if fn.__module__.startswith("autograd.")}
    assert ops <= set(SAMPLES), f"ops without a gradgradcheck: {ops - set(SAMPLES)}"


@pytest.mark.parametrize("name,i", CASES, ids=[f"{n}-{i}" for n, i in CASES])
def test_gradgradcheck(name, i):
    fn, make = SAMPLES[name][i]
    assert ag.gradgradcheck(fn, make(), atol=1e-5, rtol=1e-4)


@pytest.mark.parametrize("name,i", CASES, ids=[f"{n}-{i}" for n, i in CASES])
def test_gradcheck(name, i):
    fn, make = SAMPLES[name][i]
    assert ag.gradcheck(fn, make())


# ---------------------------------------------------------------------------- third derivatives

THIRD = [(name, i) for name in sorted(SAMPLES) for i in range(min(3, len(SAMPLES[name])))]


@pytest.mark.parametrize("name,i", THIRD, ids=[f"{n}-{i}" for n, i in THIRD])
def test_third_order_gradgradcheck(name, i):
    """gradgradcheck of the (create_graph) gradient of ``sum(v · out²)``: derivatives up to the
    third, through every op's backward of its backward (the square keeps linear ops in)."""
    fn, make = SAMPLES[name][i]

    def first_derivative(*args):
        outs = fn(*args)
        outs = outs if isinstance(outs, tuple) else (outs,)
        rng = np.random.default_rng(0)  # one fixed projection of the outputs
        s = sum((o * o * ag.Tensor(rng.standard_normal(o.shape))).sum() for o in outs)
        gs = ag.grad(s, [a for a in args if a.requires_grad], create_graph=True,
                     allow_unused=True)
        return tuple(g for g in gs if g is not None)

    assert ag.gradgradcheck(first_derivative, make(), atol=1e-5, rtol=1e-4)


def nth_derivative(f, x: np.ndarray, n: int) -> np.ndarray:
    """The n-th derivative of an elementwise f at each element of x, by repeated ag.grad."""
    t = ag.Tensor(x, requires_grad=True)
    y = f(t)
    for _ in range(n):
        (y,) = ag.grad(y.sum(), t, create_graph=True)
    return y.data


X = np.linspace(-2.0, 2.0, 9)


def test_third_derivative_tanh():
    t = np.tanh(X)
    # d³/dx³ tanh = -2 sech²x (1 - 3 tanh²x)
    np.testing.assert_allclose(nth_derivative(ag.tanh, X, 3), -2 * (1 - t**2) * (1 - 3 * t**2),
                               rtol=1e-12, atol=1e-12)


def test_third_derivative_sigmoid():
    s = 1 / (1 + np.exp(-X))
    # d³/dx³ σ = σ(1-σ)(1 - 6σ + 6σ²)
    np.testing.assert_allclose(nth_derivative(ag.sigmoid, X, 3),
                               s * (1 - s) * (1 - 6 * s + 6 * s**2), rtol=1e-10, atol=1e-12)


def test_third_derivative_exp_and_log():
    np.testing.assert_allclose(nth_derivative(ag.exp, X, 3), np.exp(X), rtol=1e-12)
    xp = X + 3.0
    np.testing.assert_allclose(nth_derivative(ag.log, xp, 3), 2 / xp**3, rtol=1e-12)
    np.testing.assert_allclose(nth_derivative(ag.log, xp, 4), -6 / xp**4, rtol=1e-12)


def test_third_derivative_softmax():
    """d³ s_i / dx_j dx_k dx_l in closed form, with δ-products expanded from ∂s_i/∂x_j =
    s_i(δ_ij - s_j): contract it with random vectors u, v, w and compare."""
    x = rng.standard_normal(4)
    s = np.exp(x - x.max())
    s /= s.sum()
    n = len(x)
    eye = np.eye(n)
    # D1[i,j] = s_i(δij - s_j)
    d1 = s[:, None] * (eye - s[None, :])
    # D2[i,j,k] = ∂D1[i,j]/∂x_k = D1[i,k](δij - s_j) - s_i D1[j,k]
    d2 = d1[:, None, :] * (eye - s[None, :])[:, :, None] - s[:, None, None] * d1[None, :, :]
    # D3[i,j,k,m] = ∂D2[i,j,k]/∂x_m
    d3 = (np.einsum("ikm,ij->ijkm", d2, eye - s[None, :]) - np.einsum("ik,jm->ijkm", d1, d1)
          - np.einsum("im,jk->ijkm", d1, d1) - np.einsum("i,jkm->ijkm", s, d2))
    u, v, c = (rng.standard_normal(n) for _ in range(3))

    t = ag.Tensor(x, requires_grad=True)
    y = (ag.softmax(t) * ag.Tensor(c)).sum()
    (g1,) = ag.grad(y, t, create_graph=True)
    (g2,) = ag.grad((g1 * ag.Tensor(u)).sum(), t, create_graph=True)
    (g3,) = ag.grad((g2 * ag.Tensor(v)).sum(), t)
    expected = np.einsum("ijkm,i,j,k->m", d3, c, u, v)
    np.testing.assert_allclose(g3.data, expected, rtol=1e-10, atol=1e-12)
