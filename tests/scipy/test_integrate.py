"""ag.scipy.integrate.odeint: values as scipy's odeint, the adjoint gradient in y0, t and args
against finite differences and against differentiating through a fixed-step solver, the cost
of the gradient in function evaluations, and a neural ODE that trains."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.integrate as si
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd as ag
from autograd.scipy.integrate import odeint

rng = np.random.default_rng(11)
TIGHT = {"rtol": 1e-10, "atol": 1e-10}


def leaf(x):
    return ag.tensor(np.asarray(x, dtype=np.float64), requires_grad=True)


def lotka(y, t, theta, c):
    """Predator and prey, with a forcing term in t (a non-autonomous system)."""
    prey, pred = y[0], y[1]
    return ag.stack([theta[0] * prey - theta[1] * prey * pred,
                     -theta[2] * pred + theta[3] * prey * pred]) + c * np.sin(t)


Y0 = np.array([1.0, 0.5])
THETA = np.array([1.1, 0.4, 0.4, 0.1])
TS = np.linspace(0.0, 3.0, 6)


def test_values_are_scipys_odeint():
    ys = odeint(lotka, leaf(Y0), TS, args=(leaf(THETA), 0.1))

    def plain(y, t):
        with ag.no_grad():
            return lotka(ag.tensor(y), t, ag.tensor(THETA), 0.1).data

    np.testing.assert_allclose(ys.data, si.odeint(plain, Y0, TS), rtol=1e-12)
    assert ys.shape == (6, 2) and ys.requires_grad


@pytest.mark.parametrize("weights", ["all", "last", "some"])
def test_gradient_in_y0_t_and_args_matches_finite_differences(weights):
    w = rng.standard_normal((6, 2))
    if weights == "last":
        w[:-1] = 0
    elif weights == "some":
        w[1:4] = 0  # output times without gradient are crossed without a restart

    def loss(y0, ts, theta):
        return (odeint(lotka, y0, ts, args=(theta, 0.1), **TIGHT) * w).sum()

    assert ag.gradcheck(loss, (leaf(Y0), leaf(TS), leaf(THETA)), eps=1e-5, atol=1e-6, rtol=1e-5)


def test_backward_time_and_tfirst_and_list_results():
    ts = np.linspace(2.0, 0.0, 5)  # integrating towards the past
    w = rng.standard_normal((5, 2))

    def swapped(t, y, theta, c):  # tfirst=True, returning a list
        return list(lotka(y, t, theta, c))

    def loss(y0, theta):
        return (odeint(swapped, y0, ts, args=(theta, 0.1), tfirst=True, **TIGHT) * w).sum()

    assert ag.gradcheck(loss, (leaf(Y0), leaf(THETA)), eps=1e-5, atol=1e-6, rtol=1e-5)


def rk4(func, y0, ts, args, steps_per_interval):
    """A fixed-step RK4 written with Tensor ops: differentiable by the engine itself."""
    ys, y = [y0], y0
    for t0, t1 in zip(ts[:-1], ts[1:]):
        h = (t1 - t0) / steps_per_interval
        t = t0
        for _ in range(steps_per_interval):
            k1 = func(y, t, *args)
            k2 = func(y + k1 * (h / 2), t + h / 2, *args)
            k3 = func(y + k2 * (h / 2), t + h / 2, *args)
            k4 = func(y + k3 * h, t + h, *args)
            y = y + (k1 + k2 * 2 + k3 * 2 + k4) * (h / 6)
            t = t + h
        ys.append(y)
    return ag.stack(ys)


def test_adjoint_gradient_matches_differentiating_through_a_fixed_step_solver():
    w = ag.tensor(rng.standard_normal((6, 2)))
    grads = []
    for solve in (lambda y0, th: odeint(lotka, y0, TS, args=(th, 0.1), **TIGHT),
                  lambda y0, th: rk4(lotka, y0, TS, (th, 0.1), 100)):
        y0, th = leaf(Y0), leaf(THETA)
        (solve(y0, th) * w).sum().backward()
        grads.append((y0.grad.data, th.grad.data))
    (ay0, ath), (ry0, rth) = grads
    np.testing.assert_allclose(ay0, ry0, rtol=1e-7)
    np.testing.assert_allclose(ath, rth, rtol=1e-7)


class Counted:
    """A small network's vector field that counts its calls."""

    def __init__(self):
        self.calls = 0

    def __call__(self, y, t, w, b):
        self.calls += 1
        return ag.tanh(w @ y + b) - y * 0.1


@pytest.mark.parametrize("n_times, on", [(2, "final"), (11, "final"), (11, "every"),
                                         (51, "every")])
def test_the_gradient_costs_at_most_three_solves(n_times, on):
    """The forward solve, then the gradient for at most two more, also with a loss on every
    output time, where the adjoint jumps at each (a restarted LSODA paid 3.4 solves for 11
    outputs and 10.9 for 51). With 50 short output intervals the floor is one Runge–Kutta
    step each (six calls), about 1.9 forward solves here, so the bound is three there."""
    f = Counted()
    r = np.random.default_rng(4)
    w, b = leaf(r.standard_normal((4, 4)) * 0.8), leaf(r.standard_normal(4) * 0.3)
    y0 = leaf(r.standard_normal(4))
    ys = odeint(f, y0, np.linspace(0.0, 5.0, n_times), args=(w, b))
    forward, f.calls = f.calls, 0
    ((ys[-1] * ys[-1]).sum() if on == "final" else (ys * ys).sum()).backward()
    # each backward evaluation is one call of f and one vector-Jacobian product
    assert f.calls <= (3 if n_times > 11 else 2) * forward, (f.calls, forward)


def test_the_adjoint_crosses_output_times_without_restarting():
    """The segments of the adjoint solve: each output time with a gradient and each tcrit point
    inside the interval, in the direction of the solve; times without gradient crossed."""
    from autograd.scipy.integrate import _stops

    ts = np.array([0.0, 1.0, 2.0, 3.0, 4.0])
    g = np.ones((5, 1))
    g[2] = 0.0
    assert _stops(ts, g, None) == [(4.0, 3.0, 4, 4), (3.0, 1.0, 3, 3), (1.0, 0.0, 1, 1)]
    assert _stops(ts, g, [2.5, 3.0, 9.0]) == [(4.0, 3.0, 4, 4), (3.0, 2.5, 3, 3),
                                               (2.5, 1.0, 3, None), (1.0, 0.0, 1, 1)]
    assert _stops(ts[::-1], g, None) == [(0.0, 1.0, 4, 4), (1.0, 3.0, 3, 3), (3.0, 4.0, 1, 1)]
    assert _stops(ts[:1], g[:1], None) == []
    twice = np.array([0.0, 0.5, 0.5, 1.0, 1.0])  # a repeated time: the segment below it
    assert _stops(twice, np.ones((5, 1)), None) == [(1.0, 0.5, 3, 4), (0.5, 0.0, 1, 2)]


def test_the_solve_starts_at_the_last_output_time_that_sends_a_gradient():
    """Beyond it the adjoint is zero: nothing to integrate. A loss on y(t0) alone needs no
    solve at all."""
    from autograd.scipy.integrate import _stops

    ts = np.linspace(0.0, 4.0, 5)
    g = np.zeros((5, 2))
    g[2] = 1.0
    assert _stops(ts, g, [3.5]) == [(2.0, 0.0, 2, 2)]
    assert _stops(ts, np.eye(5, 2), None) == [(1.0, 0.0, 1, 1)]  # g[0] and g[1] only
    assert _stops(ts, np.eye(5, 1), None) == []

    f = Counted()
    r = np.random.default_rng(6)
    w, b = leaf(r.standard_normal((4, 4)) * 0.8), leaf(r.standard_normal(4) * 0.3)
    y0 = leaf(r.standard_normal(4))
    ys = odeint(f, y0, np.linspace(0.0, 5.0, 11), args=(w, b))
    f.calls = 0
    ys[0].sum().backward()
    assert f.calls == 0 and np.array_equal(y0.grad.data, np.ones(4))
    assert not w.grad.data.any() and not b.grad.data.any()

    def early(y0, theta):  # only the output at t = 1.2 of 0 ... 3: the solve starts there
        return odeint(lotka, y0, TS, args=(theta, 0.1), **TIGHT)[2].sum()

    assert ag.gradcheck(early, (leaf(Y0), leaf(THETA)), eps=1e-5, atol=1e-6, rtol=1e-5)


def test_repeated_output_times_each_send_their_gradient():
    ts = np.array([0.0, 0.5, 0.5, 1.0, 1.0])
    w = rng.standard_normal((5, 2))

    def loss(y0, theta):
        return (odeint(lotka, y0, ts, args=(theta, 0.1), **TIGHT) * w).sum()

    assert ag.gradcheck(loss, (leaf(Y0), leaf(THETA)), eps=1e-5, atol=1e-6, rtol=1e-5)


def test_tcrit_and_a_per_component_atol_reach_the_adjoint():
    """A vector field with a jump at t = 1 (declared in tcrit, as scipy asks), and a
    per-component atol: the gradient still matches finite differences."""
    def jumpy(y, t, theta):
        return -theta * y + (0.5 if t > 1.0 else 0.0)

    ts = np.linspace(0.0, 2.0, 3)
    opts = {"tcrit": [1.0], "rtol": 1e-10, "atol": np.array([1e-10, 1e-11])}

    def loss(y0, theta):
        return (odeint(jumpy, y0, ts, args=(theta,), **opts) ** 2).sum()

    assert ag.gradcheck(loss, (leaf([1.0, 2.0]), leaf([0.7, 1.3])), eps=1e-6, atol=1e-6,
                        rtol=1e-5)


def test_a_dissipative_system_restarts_the_state_from_the_stored_solution():
    """y′ = −20·y: recomputed backwards, y's errors grow by e^10 an output interval. The
    adjoint puts y back on the forward solution at each output time with a gradient."""
    def field(y, t, k):
        return -k * y + ag.sin(t * y)

    ts = np.linspace(0.0, 4.0, 9)

    def loss(y0, k):
        return odeint(field, y0, ts, args=(k,), rtol=1e-10, atol=1e-12).sum()

    assert ag.gradcheck(loss, (leaf([1.0, 2.0]), leaf(20.0)), eps=1e-6, atol=1e-7, rtol=1e-4)


def test_a_failed_forward_solve_warns_as_scipy_and_refuses_its_gradient():
    """scipy's odeint returns what it had when it fails, with a warning (here: two steps
    allowed per output interval): the values are scipy's, and the gradient is refused rather
    than computed from them."""
    theta = leaf(THETA)
    with pytest.warns(si.ODEintWarning, match="Excess work done"):
        ys, info = odeint(lotka, leaf(Y0), TS, args=(theta, 0.1), mxstep=2, full_output=True)
    assert info["message"] != "Integration successful."
    with pytest.raises(RuntimeError, match="forward solve failed"):
        ys.sum().backward()
    with pytest.warns(si.ODEintWarning):  # without full_output too
        ys = odeint(lotka, leaf(Y0), TS, args=(theta, 0.1), mxstep=2)
    with pytest.raises(RuntimeError, match="forward solve failed"):
        ys.sum().backward()


def test_a_stiff_system_whose_state_cannot_be_recomputed_backwards_says_so():
    k = leaf(1000.0)
    ys = odeint(lambda y, t, k: -k * (y - ag.cos(t * ag.ones_like(y))), leaf([0.0, 2.0]),
                [0.0, 1.0], args=(k,))
    with pytest.raises(RuntimeError, match="recomputed backwards in time"):
        ys.sum().backward()


def test_a_neural_ode_trains():
    """Fit the vector field of a two-layer network to a spiral's trajectory."""
    ts = np.linspace(0.0, 2.0, 5)
    true_a = np.array([[-0.1, 2.0], [-2.0, -0.1]])
    target = si.odeint(lambda y, t: true_a @ y, np.array([2.0, 0.0]), ts)

    def field(y, t, w1, b1, w2):
        return w2 @ ag.tanh(w1 @ y + b1)

    r = np.random.default_rng(0)
    params = [leaf(r.standard_normal((8, 2)) * 0.5), leaf(np.zeros(8)),
              leaf(r.standard_normal((2, 8)) * 0.5)]
    y0 = ag.tensor(np.array([2.0, 0.0]))
    opt_state = [np.zeros_like(p.data) for p in params] + [np.zeros_like(p.data) for p in params]
    losses = []
    for step in range(1, 41):  # Adam, written out
        ys = odeint(field, y0, ts, args=tuple(params), rtol=1e-6, atol=1e-6)
        loss = ((ys - target) ** 2).mean()
        losses.append(loss.item())
        grads = ag.grad(loss, params)
        for k, (p, g) in enumerate(zip(params, grads)):
            m, v = opt_state[k], opt_state[k + len(params)]
            m[:] = 0.9 * m + 0.1 * g.data
            v[:] = 0.999 * v + 0.001 * g.data ** 2
            with ag.no_grad():
                p -= 0.05 * (m / (1 - 0.9 ** step)) / (np.sqrt(v / (1 - 0.999 ** step)) + 1e-8)
    assert losses[-1] < 0.1 * losses[0], losses[::10]


def test_second_derivatives_are_refused():
    k = leaf(0.5)
    ys = odeint(lambda y, t, k: -k * y, ag.tensor([1.0]), [0.0, 1.0], args=(k,))
    with pytest.raises(RuntimeError, match="cannot be differentiated again"):
        ag.grad(ys.sum(), k, create_graph=True)


def test_float32_y0_full_output_and_errors():
    ys, info = odeint(lambda y, t: -y, ag.tensor([1.0, 2.0]), [0.0, 1.0], full_output=True)
    assert ys.dtype == np.float32 and info["message"] == "Integration successful."
    with pytest.raises(ValueError, match="t must be a 1-D sequence of times"):
        odeint(lambda y, t: -y, ag.tensor([1.0]), [[0.0, 1.0]])


def test_args_may_nest_the_parameters_as_hips_ode_net_does():
    """args=(params,) with params a list of (W, b) pairs, as HIPS autograd's ode_net example."""
    r = np.random.default_rng(2)
    params = [(leaf(r.standard_normal((2, 6)) * 0.3), leaf(r.standard_normal(6) * 0.1)),
              (leaf(r.standard_normal((6, 2)) * 0.3), leaf(r.standard_normal(2) * 0.1))]

    def nn_predict(inputs, t, params):
        for w, b in params:
            outputs = inputs @ w + b
            inputs = ag.tanh(outputs)  # HIPS uses ReLU: its kinks blur finite differences
        return outputs

    ts = np.linspace(0.0, 1.0, 4)
    y0 = ag.tensor(np.array([2.0, 0.0]))
    w = rng.standard_normal((4, 2))

    def loss(w0, b0, w1, b1):
        return (odeint(nn_predict, y0, ts, args=([(w0, b0), (w1, b1)],), **TIGHT) * w).sum()

    flat = [p for pair in params for p in pair]
    assert ag.gradcheck(loss, tuple(flat), eps=1e-6, atol=1e-6, rtol=1e-5)
    grads = ag.grad(loss(*flat), flat)
    assert all(g is not None and np.abs(g.data).sum() > 0 for g in grads)


def test_a_tensor_captured_by_func_instead_of_passed_in_args_is_refused():
    k = leaf(0.5)
    with pytest.raises(ValueError, match="pass it in args"):
        odeint(lambda y, t: -k * y, ag.tensor([1.0]), [0.0, 1.0])
    with ag.no_grad():  # nothing to lose
        odeint(lambda y, t: -k * y, ag.tensor([1.0]), [0.0, 1.0])


@settings(max_examples=25, deadline=None)
@given(st.data())
def test_the_gradient_of_a_linear_system_is_its_exponential_for_any_output_grid(data):
    """y′ = A·y has y(t) = exp(A(t − t₀))·y₀, so the gradient of Σ gᵢ·y(tᵢ) is known exactly:
    Σ exp(A(tᵢ − t₀))ᵀ·gᵢ in y₀, and in A the Fréchet derivatives of the exponential. Checked
    for random output grids (either direction, repeated times), gradients that are zero at
    random output times, and tcrit points."""
    from scipy.linalg import expm, expm_frechet

    r = np.random.default_rng(data.draw(st.integers(0, 2**16), label="seed"))
    n_t = data.draw(st.integers(1, 7), label="outputs")
    steps = r.choice([0.0, 0.15, 0.4, 0.9], size=n_t - 1)  # 0: a repeated time
    ts = np.concatenate([[0.0], np.cumsum(steps)])
    if data.draw(st.booleans(), label="backwards"):
        ts = ts[::-1].copy()
    g = r.standard_normal((n_t, 2))
    g[r.random(n_t) < 0.4] = 0.0
    a = np.array([[-0.3, 1.0], [-1.0, -0.2]]) + 0.2 * r.standard_normal((2, 2))
    A, y0 = leaf(a), leaf(r.standard_normal(2))
    # tcrit points (extra stops of the adjoint) as scipy's odeint takes them: forwards in
    # time, at most one inside each output interval (more, or backwards: "illegal input")
    tcrit = [lo + (hi - lo) * r.uniform(0.1, 0.9) for lo, hi in zip(ts[:-1], ts[1:])
             if lo < hi and r.random() < 0.4]
    ys = odeint(lambda y, t, A: A @ y, y0, ts, args=(A,), tcrit=tcrit or None, **TIGHT)
    (ys * g).sum().backward()
    dt = ts - ts[0]
    gy0 = sum(expm(a * d).T @ gi for d, gi in zip(dt, g))
    ga = np.array([[sum(gi @ expm_frechet(a * d, np.eye(2)[[i]].T @ np.eye(2)[[j]] * d)[1]
                        @ y0.data for d, gi in zip(dt, g)) for j in range(2)] for i in range(2)])
    np.testing.assert_allclose(y0.grad.data, gy0, rtol=1e-7, atol=1e-8)
    np.testing.assert_allclose(A.grad.data, ga, rtol=1e-7, atol=1e-8)
