"""A Tensor over another backend's array: kept as it is, never computed behind the user's back.

The op table's run on array-api-strict and dask is ``test_backends.py``; this file covers the
Tensor itself (constructor, repr, conversions, gradient accumulation, gradcheck), the mixing
rules and the errors.
"""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag
from autograd.backend import BackendError, backend_of, namespace
from tests.test_backends import ComputedTooEarly, lazy_only

da = pytest.importorskip("dask.array")
strict = pytest.importorskip("array_api_strict")


def lazy(shape=(6, 4), chunks=3, seed=0):
    return da.from_array(np.random.default_rng(seed).standard_normal(shape), chunks=chunks)


def test_the_constructor_keeps_a_dask_array_and_computes_nothing():
    arr = lazy()
    with lazy_only():
        t = ag.tensor(arr, requires_grad=True)
        assert t.data is arr and t.is_lazy
        assert t.shape == (6, 4) and t.dtype == np.float64
        text = repr(t)
    assert text == "Tensor(<dask.array lazy array of shape (6, 4)>, dtype=float64, " \
                   "requires_grad=True)"


def test_the_lazy_guard_itself_catches_a_compute():
    with lazy_only(), pytest.raises(ComputedTooEarly):
        ag.tensor(lazy()).numpy()


def test_recording_backward_and_accumulation_stay_lazy():
    arr, w0 = lazy(), np.arange(4.0)
    x = ag.tensor(arr, requires_grad=True)
    w = ag.tensor(w0, requires_grad=True)
    with lazy_only():
        for _ in range(2):  # the second pass accumulates: replaced, never written into
            loss = ((x * w).sum(axis=1) ** 2).mean()
            loss.backward()
        assert x.grad.is_lazy and w.grad.is_lazy
    a = arr.compute()
    expected_w = 2 * 2 * ((a @ w0)[:, None] * a).mean(axis=0)
    np.testing.assert_allclose(w.grad.numpy(), expected_w)
    np.testing.assert_allclose(x.grad.numpy(), 2 * 2 * (a @ w0)[:, None] * w0 / 6)


def test_computing_is_explicit_and_returns_tensors():
    arr = lazy()
    t = ag.tensor(arr) * 2.0
    values = arr.compute() * 2
    np.testing.assert_allclose(t.numpy(), values)
    np.testing.assert_allclose(np.asarray(t), values)
    np.testing.assert_allclose(t.tolist(), values.tolist())
    assert t.sum().item() == pytest.approx(values.sum())
    c = t.compute()
    assert isinstance(c, ag.Tensor) and isinstance(c.data, np.ndarray)
    p = t.persist()
    assert isinstance(p, ag.Tensor) and backend_of(p.data).name == "dask.array"
    s, u = ag.compute(t.sum(), t)
    assert s.item() == pytest.approx(values.sum())
    np.testing.assert_allclose(u.numpy(), values)


def test_a_numpy_weight_with_a_dask_batch_gives_dask():
    batch = ag.tensor(lazy())
    weight = ag.tensor(np.ones((4, 2)), requires_grad=True)
    out = batch @ weight
    assert backend_of(out.data).name == "dask.array"
    out.sum().backward()
    assert backend_of(weight.grad.data).name == "dask.array"


def test_numpy_constants_move_to_the_tensors_backend():
    x = ag.tensor(strict.asarray([1.0, 2.0, 3.0]), requires_grad=True)
    y = x * np.array([2.0, 3.0, 4.0]) + [1.0, 1.0, 1.0]
    assert backend_of(y.data).name == "array_api_strict"
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [2.0, 3.0, 4.0])


def test_two_backends_that_cannot_mix_are_named():
    a = ag.tensor(strict.asarray([1.0, 2.0]), requires_grad=True)
    b = ag.tensor(da.ones(2), requires_grad=True)
    both = r"cannot combine (array_api_strict and {0}|{0} and array_api_strict) arrays"
    with pytest.raises(BackendError, match=both.format("dask.array")):
        a + b
    with pytest.raises(BackendError, match=both.format("numpy")):
        ag.tensor(np.ones(2), requires_grad=True) * a


def test_an_unknown_array_type_is_refused_with_its_name():
    class Frame:
        shape, dtype = (2,), np.dtype(np.float64)

        def __array__(self, dtype=None, copy=None):
            return np.zeros(2)

    with pytest.raises(BackendError, match=r"cannot hold a .*Frame: array-api-compat"):
        ag.tensor(Frame())


def test_a_missing_function_names_it_and_the_backend():
    b = namespace(strict.asarray([1.0]))
    with pytest.raises(BackendError, match="array_api_strict has no einsum"):
        _ = b.einsum
    assert b.has("exp") and not b.has("einsum")


def test_gradcheck_accepts_tensors_of_any_backend():
    x = ag.tensor(lazy((3, 2), chunks=2), requires_grad=True)
    s = ag.tensor(strict.asarray(np.linspace(0.1, 1.0, 4)), requires_grad=True)
    assert ag.gradcheck(lambda t: (t * t * 3.0).sum(axis=0), (x,))
    assert ag.gradcheck(lambda t: (t * t).sum(), (s,))

    def wrong(t):  # d(2t)/dt claimed to be 3
        return ag.record(t.data * 2.0, (t,), "WrongBackward", lambda g, out: (g * 3.0,))

    assert ag.gradcheck(wrong, (s,), raise_exception=False, diagnose=False) is False


def test_the_numpy_path_still_gives_numpy():
    x = ag.tensor(np.ones(3), requires_grad=True)
    y = (x * 2).sum()
    y.backward()
    assert type(y.data) is np.ndarray and type(x.grad.data) is np.ndarray
    assert namespace(x.data).name == "numpy"


def test_drawing_a_lazy_graph_reads_no_values():
    x = ag.tensor(lazy(), requires_grad=True)
    with lazy_only():
        y = (x * 2.0).sum()
        y.backward()
        source = ag.draw(y).source
    assert "dask.array, not read" in source and "grad dask.array, not read" in source


def test_zeros_like_and_ones_like_stay_on_the_backend():
    t = ag.tensor(lazy())
    with lazy_only():
        z, o = ag.zeros_like(t), ag.ones_like(t, dtype=np.float32)
    assert z.is_lazy and o.is_lazy and o.dtype == np.float32
    s = ag.zeros_like(ag.tensor(strict.asarray([1.0, 2.0])))
    assert backend_of(s.data).name == "array_api_strict" and s.tolist() == [0.0, 0.0]


def test_colouring_a_lazy_graph_by_gradient_reads_no_values():
    x = ag.tensor(lazy(), requires_grad=True)
    with lazy_only():
        y = (x * 2.0).sum()
        y.backward()
        assert "dask.array, not read" in ag.draw(y, color_by_grad=True).source


@pytest.mark.parametrize("make", [np.asarray, strict.asarray,
                                  lambda a: da.from_array(np.asarray(a), chunks=2)],
                         ids=["numpy", "array_api_strict", "dask"])
def test_the_tables_scatter_add_accumulates_repeats_on_every_backend(make):
    target = np.arange(12.0).reshape(4, 3)
    index = np.array([0, 2, 2, 3, 0, 0])
    values = np.random.default_rng(0).standard_normal((6, 3))
    expected = target.copy()
    np.add.at(expected, index, values)
    b = namespace(make(target))
    got = b.add_at(make(target.copy()), make(index), make(values))
    assert backend_of(got).name == b.name
    np.testing.assert_allclose(b.to_numpy(got), expected)


def test_the_table_falls_back_to_the_librarys_own_module():
    b = namespace(lazy())
    assert b.einsum is da.einsum  # not in the standard: dask.array's own
    assert b.exp is not None and b.has("einsum")
    with pytest.raises(BackendError, match="dask.array has no no_such_function"):
        _ = b.no_such_function


@pytest.mark.parametrize("make_opt", [
    lambda ps: __import__("nn").optim.SGD(ps, lr=0.1, momentum=0.9, weight_decay=0.01),
    lambda ps: __import__("nn").optim.Adam(ps, lr=0.05, amsgrad=True, weight_decay=0.01),
    lambda ps: __import__("nn").optim.AdamW(ps, lr=0.05),
], ids=["sgd", "adam", "adamw"])
@pytest.mark.parametrize("backend", ["dask", "array_api_strict"])
def test_optimizers_update_parameters_of_another_backend_as_on_numpy(make_opt, backend):
    w0 = np.random.default_rng(1).standard_normal((4, 3))
    xs = np.random.default_rng(2).standard_normal((5, 4))

    def train(to):
        w = ag.tensor(to(w0), requires_grad=True)
        opt = make_opt([w])
        for _ in range(3):
            loss = ((ag.tensor(to(xs)) @ w).tanh() ** 2).sum()
            opt.zero_grad()
            loss.backward()
            opt.step()
        return w

    ref = train(np.copy)  # (a numpy parameter is updated in place: not w0 itself)
    if backend == "dask":
        with lazy_only():  # the steps build task graphs, nothing computes
            w = train(lambda a: da.from_array(a, chunks=2))
    else:
        w = train(strict.asarray)
    assert backend_of(w.data).name == ("dask.array" if backend == "dask" else backend)
    np.testing.assert_allclose(w.numpy(), ref.numpy(), rtol=1e-12, atol=1e-14)
