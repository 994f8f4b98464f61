"""PyTorch's spelling, PyTorch's meaning (shared/API.md): a call spelled as only PyTorch
spells it behaves as PyTorch's; a call spelled as numpy (or positionally) behaves as numpy's.
One table: each row is a call, and the numpy expression that gives its expected result."""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag
import nn
import nn.functional as F

X = np.random.default_rng(0).standard_normal((3, 5, 4))
M = X[0]  # 2-D


def t(a=X):
    return ag.tensor(a)


def _lse(a, axis, keepdims=False):
    m = a.max(axis=axis, keepdims=True)
    out = np.log(np.exp(a - m).sum(axis=axis, keepdims=True)) + m
    return out if keepdims else out.squeeze(axis)


def _softmax(a, axis):
    e = np.exp(a - a.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


# (name, call, expected): a Tensor result is compared with the array; a tuple result with a
# tuple of arrays (named-tuple fields checked separately below)
TABLE = [
    # dim= / keepdim= wherever axis= / keepdims= are, same meaning
    ("sum dim", lambda: t().sum(dim=1), X.sum(axis=1)),
    ("sum dim keepdim", lambda: t().sum(dim=(0, 2), keepdim=True), X.sum((0, 2), keepdims=True)),
    ("ag.mean dim", lambda: ag.mean(t(), dim=-1, keepdim=True), X.mean(-1, keepdims=True)),
    ("logsumexp dim", lambda: t().logsumexp(dim=0), _lse(X, 0)),
    ("softmax dim", lambda: ag.softmax(t(), dim=1), _softmax(X, 1)),
    ("F.softmax dim", lambda: F.softmax(t(), dim=0), _softmax(X, 0)),
    ("F.log_softmax dim", lambda: F.log_softmax(t(), dim=-1), np.log(_softmax(X, -1))),
    ("cat dim", lambda: ag.concatenate([t(), t()], dim=2), np.concatenate([X, X], axis=2)),
    ("stack dim", lambda: ag.stack([t(), t()], dim=1), np.stack([X, X], axis=1)),
    ("squeeze dim", lambda: t(X[:, :1]).squeeze(dim=1), X[:, 0]),
    ("expand_dims dim", lambda: ag.expand_dims(t(), dim=0), X[None]),
    ("flatten start_dim", lambda: t().flatten(start_dim=1), X.reshape(3, -1)),
    ("flatten end_dim", lambda: t().flatten(end_dim=1), X.reshape(15, 4)),
    ("swapaxes dim0 dim1", lambda: ag.swapaxes(t(), dim0=0, dim1=2), X.swapaxes(0, 2)),
    ("cumsum dim", lambda: t().cumsum(dim=1), X.cumsum(axis=1)),
    ("argmax dim keepdim", lambda: t().argmax(dim=2, keepdim=True), X.argmax(2, keepdims=True)),
    ("linalg.norm dim", lambda: ag.linalg.norm(t(), dim=-1), np.linalg.norm(X, axis=-1)),
    ("prod dim keepdim", lambda: t().prod(dim=0, keepdim=True), X.prod(0, keepdims=True)),
    ("nn.Softmax dim", lambda: nn.Softmax(dim=1)(t()), _softmax(X, 1)),
    ("nn.LogSoftmax dim", lambda: nn.LogSoftmax(dim=0)(t()), np.log(_softmax(X, 0))),
    ("nn.Flatten start_dim", lambda: nn.Flatten(start_dim=0, end_dim=1)(t()), X.reshape(15, 4)),
    # max/min: PyTorch's spelling gives (values, indices); numpy's gives the values
    ("max dim", lambda: tuple(t().max(dim=1)), (X.max(1), X.argmax(1))),
    ("max dim keepdim", lambda: tuple(t().max(dim=2, keepdim=True)),
     (X.max(2, keepdims=True), X.argmax(2, keepdims=True))),
    ("max positional keepdim", lambda: tuple(t().max(0, keepdim=True)),
     (X.max(0, keepdims=True), X.argmax(0, keepdims=True))),
    ("ag.min dim", lambda: tuple(ag.min(t(), dim=-1)), (X.min(-1), X.argmin(-1))),
    ("max positional", lambda: t().max(1), X.max(1)),
    ("max axis", lambda: t().max(axis=1), X.max(1)),
    ("max all", lambda: t().max(), X.max()),
    ("min axis keepdims", lambda: t().min(axis=0, keepdims=True), X.min(0, keepdims=True)),
    ("np.max", lambda: np.max(t(), axis=2), X.max(2)),
    # var/std: PyTorch's spelling is unbiased unless told otherwise; numpy's uses ddof=0
    ("var dim", lambda: t().var(dim=0), X.var(0, ddof=1)),
    ("var dim keepdim", lambda: t().var(dim=1, keepdim=True), X.var(1, ddof=1, keepdims=True)),
    ("var positional keepdim", lambda: t().var(1, keepdim=True), X.var(1, ddof=1, keepdims=True)),
    ("var unbiased=False", lambda: t().var(unbiased=False), X.var()),
    ("var unbiased=True", lambda: t().var(unbiased=True), X.var(ddof=1)),
    ("var correction", lambda: t().var(dim=2, correction=2), X.var(2, ddof=2)),
    ("std dim", lambda: ag.std(t(), dim=(0, 1)), X.std((0, 1), ddof=1)),
    ("std correction 0", lambda: t().std(dim=0, correction=0), X.std(0)),
    ("var positional", lambda: t().var(0), X.var(0)),
    ("var axis", lambda: t().var(axis=0), X.var(0)),
    ("var axis ddof", lambda: t().var(axis=0, ddof=1), X.var(0, ddof=1)),
    ("std all", lambda: t().std(), X.std()),
    ("np.var", lambda: np.var(t(), axis=1), X.var(1)),
    # transpose: exactly two ints swap (PyTorch); none, a tuple or more ints permute (numpy)
    ("transpose two ints", lambda: t().transpose(0, 1), X.swapaxes(0, 1)),
    ("transpose -2 -1", lambda: t().transpose(-2, -1), X.swapaxes(-2, -1)),
    ("transpose 2-D 0 1", lambda: t(M).transpose(0, 1), M.T),
    ("transpose dim0 dim1", lambda: t().transpose(dim0=2, dim1=0), X.swapaxes(0, 2)),
    ("ag.transpose two ints", lambda: ag.transpose(t(), 1, 2), X.swapaxes(1, 2)),
    ("transpose three ints", lambda: t().transpose(1, 2, 0), X.transpose(1, 2, 0)),
    ("transpose tuple", lambda: t().transpose((2, 0, 1)), X.transpose(2, 0, 1)),
    ("transpose none", lambda: t().transpose(), X.transpose()),
    ("np.transpose axes", lambda: np.transpose(t(), (1, 0, 2)), X.transpose(1, 0, 2)),
    # split: PyTorch's cuts chunks of a size (or of the listed sizes); numpy's splits into
    # equal parts (or at the listed points)
    ("split size dim", lambda: t().split(2, dim=1), tuple(np.split(X, [2, 4], axis=1))),
    ("split sizes dim", lambda: t().split([1, 4], dim=1), tuple(np.split(X, [1], axis=1))),
    ("split numpy sections", lambda: tuple(t().split(3, axis=0)), tuple(np.split(X, 3, 0))),
    ("split numpy points", lambda: tuple(ag.split(t(), [1, 3], axis=1)),
     tuple(np.split(X, [1, 3], axis=1))),
    # casts as PyTorch
    ("float", lambda: t().double().float().dtype, np.dtype(np.float32)),
    ("double", lambda: t().double().dtype, np.dtype(np.float64)),
    ("long", lambda: t(M * 3).long(), (M * 3).astype(np.int64)),
    ("int", lambda: t(M * 3).int().dtype, np.dtype(np.int32)),
]


def _same(got, want):
    if isinstance(want, tuple):
        assert isinstance(got, tuple) and len(got) == len(want)
        for g, w in zip(got, want):
            _same(g, w)
        return
    if isinstance(want, np.dtype):
        assert got == want
        return
    got = got.data if isinstance(got, ag.Tensor) else got
    assert np.shape(got) == np.shape(want)
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name,call,expected", TABLE, ids=[r[0] for r in TABLE])
def test_the_spelling_decides_the_meaning(name, call, expected):
    _same(call(), expected)


def test_named_tuples_and_gradients_of_max_dim():
    x = ag.tensor(np.array([[1.0, 3.0, 3.0], [2.0, 0.0, -1.0]]), requires_grad=True)
    r = x.max(dim=1)
    assert type(r).__name__ == "max" and r._fields == ("values", "indices")
    assert r.indices.dtype == np.int64 and r.indices.tolist() == [1, 0]
    r.values.sum().backward()  # PyTorch: the gradient goes to the returned index only
    np.testing.assert_array_equal(x.grad.data, [[0, 1, 0], [1, 0, 0]])
    x.grad = None
    x.max().backward()  # numpy spelling, all elements: ties share (PyTorch's max() too)
    np.testing.assert_array_equal(x.grad.data, [[0, 0.5, 0.5], [0, 0, 0]])
    values, indices = x.min(dim=0, keepdim=True)
    assert values.shape == (1, 3) and indices.tolist() == [[0, 1, 1]]


def test_mixed_spellings_of_one_argument_are_refused():
    with pytest.raises(TypeError, match="dim= and axis="):
        t().sum(dim=0, axis=0)
    with pytest.raises(TypeError, match="unbiased= or correction="):
        t().var(dim=0, unbiased=True, correction=1)
    with pytest.raises(TypeError, match="needs dim="):
        t().max(keepdim=True)
