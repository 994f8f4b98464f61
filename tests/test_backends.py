"""The whole op table a second time, off numpy: the boundary of every op is proven.

Each case of ``tests/op_cases.py`` runs on numpy and again on another backend, from the same
values: the results, the gradients and the second derivatives (a backward pass through the
recorded first one) must agree, and must be arrays of that backend (nothing converted to numpy
on the way):

- ops in the Array API standard's vocabulary (``OpDef.array_api``, the default) run on
  ``array-api-strict``, which rejects anything outside the standard;
- the ops listed outside it (``array_api=False`` in their declaration) run on dask, with a
  scheduler that fails the test if anything computes before the test asks for the values:
  recording, the backward walk and accumulating gradients stay lazy.
"""

from __future__ import annotations

import contextlib

import numpy as np
import pytest

import autograd as ag
from autograd.backend import backend_of
from autograd.ops import OPS
from tests.op_cases import ALL, inputs

strict = pytest.importorskip("array_api_strict")
da = pytest.importorskip("dask.array")
import dask  # noqa: E402


def backend_for(case) -> str:
    return "array_api_strict" if OPS[case.op].array_api else "dask.array"


class ComputedTooEarly(AssertionError):
    pass


def _refuse(*args, **kwargs):
    raise ComputedTooEarly("a lazy array was computed inside the engine")


@contextlib.contextmanager
def lazy_only():
    """Within: any dask compute fails the test."""
    with dask.config.set(scheduler=_refuse):
        yield


def to_backend(x, name: str):
    """A numpy-backed input (Tensor, array or other) on backend ``name``, same values."""
    if not isinstance(x, ag.Tensor):
        return x
    arr = x.numpy()
    if name == "array_api_strict":
        data = strict.asarray(arr)
    else:
        chunks = tuple(max(1, (n + 1) // 2) for n in arr.shape)  # two chunks along each axis
        data = da.from_array(arr, chunks=chunks)
    return ag.Tensor(data, requires_grad=x.requires_grad)


def _outputs(out):
    outs = out if isinstance(out, (tuple, list)) else (out,)
    return [o for o in outs if isinstance(o, ag.Tensor)]


def run(case, xs):
    """The case's outputs, and the gradients of (sum of each float output · fixed weights)."""
    outs = _outputs(case.fn(*xs))
    wrt = [x for x in xs if isinstance(x, ag.Tensor) and x.requires_grad]
    diff = [o for o in outs if o.requires_grad]
    grads = []
    if diff and wrt:
        total = None
        for o in diff:
            weights = np.linspace(0.5, 1.5, int(np.prod(o.shape))).reshape(o.shape)
            w = ag.as_tensor(weights.astype(o.dtype)) if isinstance(o.data, np.ndarray) \
                else ag.Tensor(to_backend(ag.tensor(weights, dtype=o.dtype), _name(o)))
            term = (o * w).sum()
            total = term if total is None else total + term
        grads = ag.grad(total, wrt, allow_unused=True)
    return outs, grads


def _name(t) -> str:
    return backend_of(t.data).name


@pytest.mark.parametrize("case", ALL, ids=lambda c: c.id)
def test_op_on_another_backend(case):
    name = backend_for(case)
    xs = inputs(case)
    ref_outs, ref_grads = run(case, xs)
    xb = tuple(to_backend(x, name) for x in inputs(case))
    guard = lazy_only() if name == "dask.array" else contextlib.nullcontext()
    with guard:
        outs, grads = run(case, xb)
    assert len(outs) == len(ref_outs)
    for o, r in zip(outs, ref_outs):
        if r.numel() if hasattr(r, "numel") else int(np.prod(r.shape)):
            assert _name(o) == name, f"{case.id}: a result on {_name(o)}, not {name}"
        assert o.shape == r.shape, case.id
        np.testing.assert_allclose(o.numpy(), r.numpy(), rtol=1e-7, atol=1e-9,
                                   err_msg=f"{case.id}: values on {name}")
    for g, r in zip(grads, ref_grads):
        if r is None:
            assert g is None or not np.any(g.numpy()), case.id
            continue
        assert g is not None, f"{case.id}: no gradient on {name}"
        assert _name(g) == name, f"{case.id}: a gradient on {_name(g)}, not {name}"
        np.testing.assert_allclose(g.numpy(), r.numpy(), rtol=1e-7, atol=1e-9,
                                   err_msg=f"{case.id}: gradients on {name}")


def second_order(case, xs):
    """Gradients of the squared norm of the first gradients: a second backward pass through
    the recorded first one (None when the case has nothing to differentiate twice)."""
    outs = [o for o in _outputs(case.fn(*xs)) if o.requires_grad]
    wrt = [x for x in xs if isinstance(x, ag.Tensor) and x.requires_grad]
    if not outs or not wrt:
        return None
    total = sum((o * o).sum() for o in outs)
    first = [g for g in ag.grad(total, wrt, create_graph=True, allow_unused=True)
             if g is not None and g.requires_grad]
    if not first:
        return None
    return ag.grad(sum((g * g).sum() for g in first), wrt, allow_unused=True)


@pytest.mark.parametrize("case", ALL, ids=lambda c: c.id)
def test_second_derivatives_on_another_backend(case):
    name = backend_for(case)
    ref = second_order(case, inputs(case))
    guard = lazy_only() if name == "dask.array" else contextlib.nullcontext()
    with guard:
        got = second_order(case, tuple(to_backend(x, name) for x in inputs(case)))
    if ref is None:
        assert got is None, case.id
        return
    for g, r in zip(got, ref):
        assert (g is None) == (r is None), case.id
        if r is not None:
            assert _name(g) == name, f"{case.id}: a second derivative on {_name(g)}"
            np.testing.assert_allclose(g.numpy(), r.numpy(), rtol=1e-7, atol=1e-9,
                                       err_msg=f"{case.id}: second derivatives on {name}")
