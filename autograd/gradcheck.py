"""Gradient checks: analytic gradients against central finite differences in float64.

The outputs are projected on a fixed random direction ``v`` (as HIPS autograd does), so one
backward pass gives the analytic ``vᵀJ`` and two forward passes per input element give the
numeric one; a wrong derivative anywhere in ``J`` shows up in the projection almost surely.
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from ._tensor import Tensor
from .backend import backend_of, to_numpy
from .engine import grad


class GradcheckError(RuntimeError):
    """Raised by ``gradcheck`` when analytic and numeric gradients disagree."""


def _as_tuple(x) -> tuple:
    return tuple(x) if isinstance(x, (tuple, list)) else (x,)


def _to_float64(inputs) -> tuple:
    out = []
    for t in inputs:
        if isinstance(t, Tensor) and t.dtype.kind == "f":
            if type(t.data) is np.ndarray:
                data = np.array(t.data, dtype=np.float64, order="C")  # C: perturbed in place
            else:  # another backend's array stays there, in float64
                data = _from_numpy(to_numpy(t.data).astype(np.float64), t.data)
            out.append(Tensor(data, requires_grad=t.requires_grad))
        else:
            out.append(t)
    return tuple(out)


def _from_numpy(values: np.ndarray, like: Any) -> Any:
    """``values`` as an array of ``like``'s backend (numpy: as they are; dask: like's chunks)."""
    if type(like) is np.ndarray:
        return values
    b = backend_of(like)
    if b.name == "dask.array":
        return b.native.from_array(values, chunks=like.chunks)
    return b.asarray(values)


def _perturbed(xs: tuple, i: int, values: np.ndarray) -> tuple:
    """``xs`` with input ``i`` replaced by a constant of ``values`` on its own backend."""
    return xs[:i] + (Tensor(_from_numpy(values, xs[i].data)),) + xs[i + 1:]


def _differentiable(outputs) -> list:
    return [o for o in outputs if isinstance(o, Tensor) and o.requires_grad]


def _float_outputs(outputs) -> list:
    return [o for o in _as_tuple(outputs) if isinstance(o, Tensor) and o.dtype.kind == "f"]


def _fail(msg: str, raise_exception: bool) -> bool:
    if raise_exception:
        raise GradcheckError(msg)
    return False


def gradcheck(fn: Callable, inputs: Any, eps: float = 1e-6, atol: float = 1e-5, rtol: float = 1e-3,
              raise_exception: bool = True, seed: int = 0, diagnose: bool = True) -> bool:
    """Check the gradients of ``fn`` against central finite differences in float64.

    Parameters
    ----------
    fn : callable taking Tensors and returning a Tensor or a tuple of Tensors
    inputs : Tensor or tuple of Tensors; those with ``requires_grad=True`` are checked
        (floating inputs are copied to float64 first). Tensors of any backend (numpy, dask,
        CuPy, an Array API library): the function runs there, the comparison is made in numpy
        (it computes a lazy output).
    eps : finite-difference step
    atol, rtol : an element passes when ``|analytic - numeric| <= atol + rtol * |numeric|``
    raise_exception : raise ``GradcheckError`` on failure (else return False)
    diagnose : on failure, check each recorded op's backward on its own and name the wrong
        ones in the message (``autograd.diagnose``)

    Returns
    -------
    True when every checked element agrees.

    Examples
    --------
    >>> x = ag.randn(3, 4, requires_grad=True)
    >>> ag.gradcheck(lambda t: (t * t).sum(axis=0), (x,))
    True
    """
    xs = _to_float64(_as_tuple(inputs))
    wrt = [i for i, t in enumerate(xs) if isinstance(t, Tensor) and t.requires_grad]
    if not wrt:
        raise ValueError("gradcheck: no input has requires_grad=True, nothing to check")
    outputs = _float_outputs(fn(*xs))
    rng = np.random.default_rng(seed)
    directions = [rng.standard_normal(o.shape) for o in outputs]

    def projected(*args) -> float:
        outs = _float_outputs(fn(*args))  # recording stays on: fn may differentiate itself
        return float(sum(np.sum(to_numpy(o.data).astype(np.float64) * v)
                         for o, v in zip(outs, directions)))

    recorded = [(o, Tensor(_from_numpy(v, o.data))) for o, v in zip(outputs, directions)
                if o.requires_grad]
    if recorded:
        analytic = grad([o for o, _ in recorded], [xs[i] for i in wrt],
                        grad_outputs=[v for _, v in recorded], allow_unused=True)
    else:
        analytic = [None] * len(wrt)

    for k, i in enumerate(wrt):
        x = xs[i]
        ak = analytic[k]
        a = np.zeros(x.shape) if ak is None else to_numpy(ak.data).astype(np.float64)
        numeric = np.zeros(x.shape)
        if type(x.data) is np.ndarray:
            flat = x.data.reshape(-1)  # a view: writing it perturbs the input
            for j in range(flat.size):
                orig = flat[j]
                flat[j] = orig + eps
                plus = projected(*xs)
                flat[j] = orig - eps
                minus = projected(*xs)
                flat[j] = orig
                numeric.flat[j] = (plus - minus) / (2 * eps)
        else:  # another backend: each perturbed input is a new array there
            base = to_numpy(x.data).astype(np.float64)
            for j in range(base.size):
                step = np.zeros(base.size)
                step[j] = eps
                step = step.reshape(base.shape)
                plus = projected(*_perturbed(xs, i, base + step))
                minus = projected(*_perturbed(xs, i, base - step))
                numeric.flat[j] = (plus - minus) / (2 * eps)
        bad = ~np.isclose(a, numeric, rtol=rtol, atol=atol, equal_nan=True)
        if bad.any():
            idx = np.unravel_index(int(np.argmax(bad)), x.shape) if x.ndim else ()
            return _fail(
                f"gradcheck failed for input {i} (shape {x.shape}) at index {tuple(map(int, idx))}:"
                f" analytic {a[idx]:.8g}, numeric {numeric[idx]:.8g} "
                f"({int(bad.sum())} of {bad.size} elements differ; tolerance atol={atol}, "
                f"rtol={rtol})" + (_diagnosis(fn, xs, eps, atol, rtol) if diagnose else ""),
                raise_exception)
    return True


def _diagnosis(fn: Callable, xs: tuple, eps: float, atol: float, rtol: float) -> str:
    """Which recorded op's backward is wrong (``autograd.diagnose``), as report lines."""
    from .diagnose import diagnose

    try:
        report = diagnose(fn, xs, eps=eps, atol=atol, rtol=rtol)
    except Exception as e:  # best effort: never hide the gradcheck failure itself
        return f"\n(could not check the ops one by one: {e!r})"
    return "\n" + str(report)


def gradgradcheck(fn: Callable, inputs: Any, grad_outputs: Any = None, eps: float = 1e-6,
                  atol: float = 1e-5, rtol: float = 1e-3, raise_exception: bool = True,
                  seed: int = 0) -> bool:
    """Check second derivatives: ``gradcheck`` of the vector-Jacobian product of ``fn``.

    The gradients of ``fn``'s outputs (projected on ``grad_outputs``, random by default) with
    respect to the inputs are computed with ``create_graph=True`` and checked themselves
    against finite differences, with respect to both the inputs and ``grad_outputs``.
    """
    xs = _to_float64(_as_tuple(inputs))
    wrt = [t for t in xs if isinstance(t, Tensor) and t.requires_grad]
    outputs = _differentiable(_as_tuple(fn(*xs)))
    if grad_outputs is None:
        rng = np.random.default_rng(seed + 1)
        vs = [Tensor(rng.standard_normal(o.shape), requires_grad=True) for o in outputs]
    else:
        vs = [Tensor(np.array(np.asarray(v), np.float64), requires_grad=True)
              for v in _as_tuple(grad_outputs)]
    n = len(xs)

    def first_derivative(*args):
        ins, cot = args[:n], args[n:]
        outs = _differentiable(_as_tuple(fn(*ins)))
        diff = [t for t in ins if isinstance(t, Tensor) and t.requires_grad]
        gs = grad(outs, diff, grad_outputs=list(cot), create_graph=True, allow_unused=True)
        return tuple(g for g in gs if g is not None)

    if not wrt or not outputs:
        raise ValueError("gradgradcheck: nothing requires grad")
    return gradcheck(first_derivative, xs + tuple(vs), eps=eps, atol=atol, rtol=rtol,
                     raise_exception=raise_exception, seed=seed)
