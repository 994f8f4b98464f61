"""``scipy.integrate.odeint`` on Tensors, differentiable in ``y0``, ``t`` and ``args`` by the
adjoint method.

The forward solve is scipy's ``odeint`` (LSODA) on ``func`` (written with Tensors, run
without recording). The backward pass solves the adjoint system backwards in time, from the
last output time to the first (Chen et al. 2018, "Neural ordinary differential equations";
Froehlich et al. 2017): the state ``y``, the adjoint ``a`` with ``a′ = −aᵀ ∂f/∂y`` (which jumps
by the incoming gradient at each output time) and the parameters' gradient ``−aᵀ ∂f/∂θ``.
Each evaluation is one call of ``func`` and one vector-Jacobian product through the engine.

The jumps decide the cost. A multistep solver such as LSODA restarts at order one after each
(tens of evaluations per output time); so the adjoint is integrated as ``a = c + G``, with
``G`` the piecewise-constant sum of the gradients still ahead and ``c`` continuous, by scipy's
explicit Runge–Kutta pairs (``DOP853``, ``RK45``, ``RK23``: the one that crosses the next
segment for the fewest evaluations), which stop at each output time that receives a gradient
and go on with the step size they had, for one step at least and no restart. Where ``y``,
recomputed backwards, has drifted from the stored forward solution at such a time, it
restarts from it.

The gradient is computed by scipy on arrays: it is not differentiable again, and asking for
that (``create_graph=True``) raises. scipy's solver works on numpy arrays: Tensors of another
backend (dask, CuPy, ...) are refused rather than converted.
"""

from __future__ import annotations

from typing import Callable

import numpy as np
import scipy.integrate

from .._tensor import Tensor, as_tensor, record
from ..backend import BackendError, backend_of
from ..engine import grad
from ..mode import enable_grad, no_grad, state
from ..ops.shape import reshape, stack

__all__ = ["odeint"]

# scipy's odeint's messages for its istate 2 and 1 (t has a single time, or one repeated)
_SUCCESS = ("Integration successful.", "Nothing was done; the integration time was 0.")


def _tensors_in(obj) -> list:
    """The floating Tensors in ``obj``, looking inside lists, tuples and dicts (a network's
    parameters as a list of (W, b) pairs), in order."""
    found, stack = [], [obj]
    while stack:
        o = stack.pop()
        if isinstance(o, Tensor):
            if o.dtype.kind == "f":
                found.append(o)
        elif isinstance(o, (list, tuple)):
            stack.extend(reversed(o))
        elif isinstance(o, dict):
            stack.extend(reversed(list(o.values())))
    return found


def _replace(obj, new: dict):
    """``obj`` with each Tensor ``t`` replaced by ``new[id(t)]`` (same nesting)."""
    if isinstance(obj, Tensor):
        return new.get(id(obj), obj)
    if isinstance(obj, (list, tuple)):
        return type(obj)(_replace(o, new) for o in obj)
    if isinstance(obj, dict):
        return {k: _replace(v, new) for k, v in obj.items()}
    return obj


def _call(func: Callable, y, t, args: tuple, tfirst: bool) -> Tensor:
    out = func(t, y, *args) if tfirst else func(y, t, *args)
    if isinstance(out, (list, tuple)):
        out = stack([as_tensor(o) for o in out])
    return reshape(as_tensor(out), (-1,))


def _value(func: Callable, y, t, args: tuple, tfirst: bool) -> np.ndarray:
    """``func(y, t)`` as a float64 array, computed without recording."""
    with no_grad():
        out = _call(func, Tensor(y), t, args, tfirst)
    return np.asarray(out.data, np.float64)


def odeint(func: Callable, y0, t, args: tuple = (), *, tfirst: bool = False,
           full_output: bool = False, **options):
    """Integrate ``dy/dt = func(y, t, *args)`` from ``y0`` at ``t[0]``, returning ``y`` at
    every time of ``t`` (shape ``(len(t), len(y0))``), as ``scipy.integrate.odeint``.

    ``func`` takes and returns Tensors (``y`` of shape ``(len(y0),)``, ``t`` a float). The
    result is differentiable in ``y0``, in the times ``t`` and in every Tensor of ``args``
    (also inside lists, tuples and dicts there: a network's parameters).
    ``options`` (``rtol``, ``atol``, ``hmax``, ``tcrit``, ``mxstep``, ...) go to scipy's
    ``odeint`` for the forward solve; the adjoint solve takes the same ``rtol`` and ``atol``
    (a per-component ``atol`` at its smallest), ``hmax`` as its largest step, and stops at
    each ``tcrit`` point as the forward solve does.

    Examples
    --------
    >>> from autograd.scipy.integrate import odeint
    >>> k = ag.tensor(0.5, dtype=np.float64, requires_grad=True)
    >>> y = odeint(lambda y, t, k: -k * y, ag.tensor([1.0]), [0.0, 2.0], args=(k,),
    ...            rtol=1e-10, atol=1e-10)
    >>> y[-1, 0].backward(); round(k.grad.item(), 8)    # d/dk exp(−2k) = −2·exp(−1)
    -0.73575888
    """
    if not isinstance(args, tuple):
        args = (args,)
    y0 = as_tensor(y0)
    t = as_tensor(t)
    params = tuple({id(p): p for p in _tensors_in(args)}.values())  # each Tensor once
    for v in (y0, t, *params):
        if v._data.__class__ is not np.ndarray:
            raise BackendError(f"odeint: scipy's solver integrates numpy arrays, and got a "
                               f"{backend_of(v._data).name} array; convert it with .numpy() "
                               "(which computes a lazy one) to integrate on the CPU")
    y0_np = np.asarray(y0.data, dtype=np.float64).ravel()
    t_np = np.asarray(t.data, dtype=np.float64)
    if t_np.ndim != 1:
        raise ValueError(f"odeint: t must be a 1-D sequence of times, got shape {t_np.shape}")
    if state.grad_enabled:
        _check_closure(func, y0_np, t_np[0], args, params, tfirst)

    def rhs(y, tt):
        return _value(func, y, tt, args, tfirst)

    ys_np, info = scipy.integrate.odeint(rhs, y0_np, t_np, full_output=True, tfirst=False,
                                         **options)
    failed = info["message"] not in _SUCCESS  # (scipy has warned)
    out_dtype = y0.dtype if y0.dtype.kind == "f" else np.float64
    data = np.asarray(ys_np, dtype=out_dtype)

    def backward(g, out):
        if state.grad_enabled:
            raise RuntimeError("odeint: its gradient is computed by scipy's solver on arrays and "
                               "cannot be differentiated again (create_graph=True)")
        if failed:  # scipy returns what it had: no gradient of that is worth anything
            raise RuntimeError(f"odeint: the forward solve failed ({info['message']}), so its "
                               "values are wrong and so would be their gradient; try other "
                               "rtol/atol or mxstep (at a jump of func, LSODA's tcrit stops "
                               "there but does not restart: solve the pieces apart)")
        grads = _adjoint(func, args, params, tfirst, ys_np, t_np, np.asarray(g.data, np.float64),
                         t.requires_grad, options)
        gy0, gt, gparams = grads
        return (as_tensor(gy0.reshape(y0.shape)) if y0.requires_grad else None,
                as_tensor(gt) if t.requires_grad else None,
                *(as_tensor(gp.reshape(p.shape)) if p.requires_grad else None
                  for p, gp in zip(params, gparams)))

    ys = record(data, (y0, t, *params), "OdeintBackward", backward)
    return (ys, info) if full_output else ys


def _check_closure(func, y0, t0, args, params, tfirst) -> None:
    """Refuse a ``func`` that reads a Tensor requiring grad from outside ``args``: the solver
    runs it without recording, and that Tensor's gradient would be silently lost."""
    detached = _replace(args, {id(p): p.detach() for p in params})
    with enable_grad():
        out = _call(func, Tensor(y0), t0, detached, tfirst)
    if out.requires_grad:
        raise ValueError("odeint: func uses a Tensor that requires grad without receiving it "
                         "through args; pass it in args=(...) so that its gradient is computed")


def _adjoint(func, args, params, tfirst, ys, ts, g, want_t, options):
    """The gradients of ``sum(g · y(ts))`` for ``y0``, each time and each parameter.

    The adjoint ``a`` jumps by ``g[i]`` at each output time. Write ``a = c + G``, where ``G``
    is the sum of the incoming gradients of the output times still ahead (piecewise
    constant): ``c`` is continuous and only its derivative jumps, at the output times. A
    one-step (Runge–Kutta) solver stops there and goes on at the step size it had, its first
    stage reusing the graph of the last call of ``func`` (a second vector-Jacobian product,
    no call); a multistep solver (LSODA) would restart at order one, for tens of calls."""
    dim, n = ys.shape[1], len(ts)
    need = [p.requires_grad for p in params]
    sizes = [p.size for p in params]
    total = int(sum(s for s, k in zip(sizes, need) if k))
    last: list = []  # the last recorded call of func: (y, t, out, wrt)
    # the parameters as leaves of their own, made once: every call's graph starts from them
    leaves = [Tensor(p.data, requires_grad=True) if k else p for p, k in zip(params, need)]
    call_args = _replace(args, {id(p): q for p, q in zip(params, leaves)})
    wanted = [q for q, k in zip(leaves, need) if k]

    def vjp(y, tt, a):
        """``f(y, t)`` and ``aᵀ ∂f/∂y``, ``aᵀ ∂f/∂θ`` (θ: the params that require grad). A
        second call at the same point (the next segment's first stage) reuses the graph."""
        if last and last[1] == tt and np.array_equal(last[0], y):
            out, wrt = last[2], last[3]
        else:
            with enable_grad():
                yt = Tensor(y, requires_grad=True)
                out = _call(func, yt, tt, call_args, tfirst)
            wrt = [yt, *wanted]
            last[:] = [y.copy(), tt, out, wrt]
        vjps = (grad(out, wrt, grad_outputs=Tensor(a.astype(out.dtype)), allow_unused=True,
                     retain_graph=True) if out.requires_grad else [None] * len(wrt))
        flat = [np.zeros(w.size) if v is None else np.asarray(v.data, np.float64).ravel()
                for v, w in zip(vjps, wrt)]
        return np.asarray(out.data, np.float64), flat[0], flat[1:]

    ahead = np.cumsum(g[::-1], axis=0)[::-1]  # ahead[i] = g[i] + g[i+1] + ...
    gt = np.zeros(n)
    if want_t:
        for i in range(1, n):
            if g[i].any():
                gt[i] = g[i] @ _value(func, ys[i], ts[i], args, tfirst)
    stops = _stops(ts, g, options.get("tcrit"))
    rtol = float(np.min(options.get("rtol", 1.49012e-8)))
    atol = float(np.min(options.get("atol", 1.49012e-8)))
    # c starts at zero: its error is weighed on the scale of the adjoint (the incoming
    # gradient's), as the adjoint's own would be, not by atol alone
    scale = float(np.abs(g).max()) if g.size else 0.0
    atol = np.concatenate([np.full(dim, atol), np.full(dim + total, max(atol, rtol * scale))])
    max_step = float(options.get("hmax", 0.0)) or np.inf
    z = np.concatenate([ys[stops[0][3] if stops else -1], np.zeros(dim + total)])
    # scipy's explicit Runge–Kutta pairs, highest order first, with their evaluations per
    # step, and each one's last proposed step size (None until it has run)
    pairs = [(scipy.integrate.DOP853, 12), (scipy.integrate.RK45, 6), (scipy.integrate.RK23, 3)]
    step_of: dict = {m: None for m, _ in pairs}
    for k, (t_from, t_to, i, at) in enumerate(stops):
        G = ahead[i]
        # func may jump at a tcrit point: evaluated there, it could take the other side's
        # value, so a segment starts or ends one ulp inside it (as the forward solve would)
        if at is None:
            t_from = float(np.nextafter(t_from, t_to))
        if k + 1 < len(stops) and stops[k + 1][3] is None:
            t_to = float(np.nextafter(t_to, t_from))
        drifted = at is not None and not np.allclose(z[:dim], ys[at], rtol=10 * rtol,
                                                     atol=10 * atol[0])
        if drifted:
            # y recomputed backwards has drifted from the forward solution (a dissipative
            # system grows its errors backwards): restart it there
            z = np.concatenate([ys[at], z[dim:]])

        def augmented(tt, zz, G=G):
            y, c = zz[:dim], zz[dim:2 * dim]
            f, ay, ap = vjp(y, tt, c + G)
            return np.concatenate([f, -ay, *[-v for v in ap]])

        span = abs(t_to - t_from)
        method = _choose_pair(pairs, step_of, span)
        h = step_of[method]
        first = None if h is None else span / np.ceil(span / min(h, span))
        solver = method(augmented, t_from, z, t_to, rtol=rtol, atol=atol, max_step=max_step,
                        first_step=first)
        message = None
        while solver.status == "running":
            message = solver.step()
        if solver.status == "failed":
            raise RuntimeError(
                f"odeint: the adjoint solve from t = {t_from} to t = {t_to} failed at "
                f"t = {solver.t} ({message}). The state is recomputed backwards in time, "
                "which a stiff or strongly dissipative system does not survive between two "
                "output times that receive a gradient")
        z = np.asarray(solver.y, dtype=np.float64)
        step_of[method] = getattr(solver, "h_abs", solver.step_size)
    a = z[dim:2 * dim] + (ahead[1] if n > 1 else 0.0)
    if want_t:  # moving t₀ shifts every later output by −Φ·f(y0, t0)
        gt[0] = -a @ _value(func, ys[0], ts[0], args, tfirst)
    gp = z[2 * dim:]
    out_params, k = [], 0
    for s, needed in zip(sizes, need):
        out_params.append(gp[k:k + s] if needed else None)
        k += s if needed else 0
    return a + g[0], gt, out_params


def _choose_pair(pairs: list, step_of: dict, span: float):
    """The Runge–Kutta pair that crosses a segment ``span`` long for the fewest calls, from
    each pair's evaluations per step and last proposed step size. The first segment takes the
    highest-order pair; a lower one is tried (counted as one step) once the pair above it
    crosses segments with room to spare."""
    method, best = pairs[0][0], np.inf
    for k, (m, calls) in enumerate(pairs):
        h = step_of[m]
        if h is None:
            above = step_of[pairs[k - 1][0]] if k else None
            if above is None or above < 4 * span:
                continue
            estimate = calls
        else:
            estimate = calls * np.ceil(span / h)
        if estimate < best:
            method, best = m, estimate
    return method


def _stops(ts, g, tcrit) -> list:
    """The adjoint solve's segments, towards the first time, as ``(start, end, i, at)``: ``i``
    indexes the incoming gradient sum that holds on the segment, ``at`` the output time the
    segment starts from (None at a ``tcrit`` point). The solve starts at the last output time
    after the first that sends a gradient (before it the adjoint is zero: nothing to
    integrate; none at all: no segment), stops at every output time whose gradient is not
    zero and at every ``tcrit`` point inside (where ``func`` itself may jump), and crosses
    the other output times."""
    n = len(ts)
    sending = [i for i in range(1, n) if g[i].any()]
    if not sending:
        return []
    last = sending[-1]
    marks: list = [(ts[i], i) for i in sending[:-1]]
    lo, hi = sorted((ts[0], ts[last]))
    if tcrit is not None:
        marks += [(float(c), None) for c in np.ravel(tcrit) if lo < c < hi]
    sign = 1.0 if ts[-1] >= ts[0] else -1.0
    # in the solve's order; at one time, output times before a tcrit point, and repeated
    # output times from the last index down, so that the sum ahead ends on the first
    marks.sort(key=lambda m: (-sign * m[0], m[1] is None, -(m[1] or 0)))
    points, starts, owner, i = [ts[last]], [last], [], last
    for t_mark, j in marks:
        if t_mark != points[-1]:
            points.append(t_mark)
            starts.append(j)
            owner.append(i)
        i = j if j is not None else i
    if ts[0] != points[-1]:
        points.append(ts[0])
        owner.append(i)
    return list(zip(points[:-1], points[1:], owner, starts))
