"""``scipy.integrate.odeint`` on Tensors, differentiable in ``y0``, ``t`` and ``args`` by the
adjoint method.

The forward solve is scipy's ``odeint`` on ``func`` (written with Tensors, run without
recording). The backward pass solves the adjoint system backwards in time with scipy's
``odeint`` again, from each output time to the one before (Chen et al. 2018, "Neural
ordinary differential equations"; Froehlich et al. 2017): the state ``y`` (restarted from the
stored solution at each output time), the adjoint ``a`` with ``a′ = −aᵀ ∂f/∂y`` (plus the
incoming gradient at each output time) and the parameters' gradient ``−aᵀ ∂f/∂θ``. Each step
of it is one call of ``func`` and one vector-Jacobian product through the engine. Output times
whose incoming gradient is zero are crossed without a restart.

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


def odeint(func: Callable, y0, t, args: tuple = (), *, tfirst: bool = False,
           full_output: bool = False, **options):
    """Integrate ``dy/dt = func(y, t, *args)`` from ``y0`` at ``t[0]``, returning ``y`` at
    every time of ``t`` (shape ``(len(t), len(y0))``), as ``scipy.integrate.odeint``.

    ``func`` takes and returns Tensors (``y`` of shape ``(len(y0),)``, ``t`` a float). The
    result is differentiable in ``y0``, in the times ``t`` and in every Tensor of ``args``
    (also inside lists, tuples and dicts there: a network's parameters);
    ``options`` (``rtol``, ``atol``, ``hmax``, ``mxstep``, ...) go to scipy's ``odeint`` for
    both the forward and the adjoint solve.

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
        with no_grad():
            return np.asarray(_call(func, Tensor(y), tt, args, tfirst).data, dtype=np.float64)

    result = scipy.integrate.odeint(rhs, y0_np, t_np, full_output=full_output, tfirst=False,
                                    **options)
    ys_np, info = result if full_output else (result, None)
    out_dtype = y0.dtype if y0.dtype.kind == "f" else np.float64
    data = np.asarray(ys_np, dtype=out_dtype)

    def backward(g, out):
        if state.grad_enabled:
            raise RuntimeError("odeint: its gradient is computed by scipy's solver on arrays and "
                               "cannot be differentiated again (create_graph=True)")
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
    """The gradients of ``sum(g · y(ts))`` for ``y0``, each time and each parameter."""
    dim = ys.shape[1]
    need = [p.requires_grad for p in params]
    sizes = [p.size for p in params]
    total = int(np.sum([s for s, n in zip(sizes, need) if n])) if any(need) else 0

    def f_and_vjp(y, tt, a):
        """``f(y, t)`` and ``aᵀ ∂f/∂y``, ``aᵀ ∂f/∂θ`` (θ: the params that require grad)."""
        with enable_grad():
            yt = Tensor(y, requires_grad=True)
            leaves = [Tensor(p.data, requires_grad=True) if n else p
                      for p, n in zip(params, need)]
            call_args = _replace(args, {id(p): q for p, q in zip(params, leaves)})
            out = _call(func, yt, tt, call_args, tfirst)
            wrt = [yt] + [q for q, n in zip(leaves, need) if n]
            if not out.requires_grad:
                vjps = [None] * len(wrt)
            else:
                vjps = grad(out, wrt, grad_outputs=Tensor(a.astype(out.dtype)), allow_unused=True)
        flat = [np.zeros(w.size) if v is None else np.asarray(v.data, np.float64).ravel()
                for v, w in zip(vjps, wrt)]
        return np.asarray(out.data, np.float64), flat[0], flat[1:]

    def augmented(z, tt):
        y, a = z[:dim], z[dim:2 * dim]
        f, ay, ap = f_and_vjp(y, tt, a)
        return np.concatenate([f, -ay, *[-v for v in ap]])

    def f_only(y, tt):
        with no_grad():
            return np.asarray(_call(func, Tensor(y), tt, args, tfirst).data, np.float64)

    n = len(ts)
    a = g[-1].copy()
    gp = np.zeros(total)
    gt = np.zeros(n)
    i = n - 1
    while i > 0:
        if want_t and g[i].any():
            gt[i] = g[i] @ f_only(ys[i], ts[i])
        j = i - 1  # cross output times that send no gradient without restarting the solver
        while j > 0 and not g[j].any():
            j -= 1
        z0 = np.concatenate([ys[i], a, gp])
        zs, info = scipy.integrate.odeint(augmented, z0, np.array([ts[i], ts[j]]),
                                          full_output=True, **options)
        assert info is not None  # full_output=True gives it
        if info["message"] != "Integration successful.":
            raise RuntimeError(f"odeint: the adjoint solve from t = {ts[i]} to t = {ts[j]} "
                               f"failed ({info['message']}); try other rtol/atol or mxstep")
        z = zs[1]
        a = z[dim:2 * dim] + g[j]
        gp = z[2 * dim:]
        i = j
    if want_t:  # moving t₀ shifts every later output by −Φ·f(y0, t0)
        gt[0] = -(a - g[0]) @ f_only(ys[0], ts[0])
    out_params, k = [], 0
    for s, needed in zip(sizes, need):
        out_params.append(gp[k:k + s] if needed else None)
        k += s if needed else 0
    return a, gt, out_params
