"""masked_fill (out of place, in place, gradients to x and to a Tensor value) and topk
(PyTorch's (values, indices), largest and smallest, gradients to the selected elements)."""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag

rng = np.random.default_rng(5)


def test_masked_fill_writes_where_the_mask_is_true_with_broadcasting():
    x = ag.tensor(np.arange(6.0).reshape(2, 3), requires_grad=True)
    mask = np.array([True, False, True])
    y = x.masked_fill(mask, -1.0)
    np.testing.assert_array_equal(y.data, [[-1, 1, -1], [-1, 4, -1]])
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.data, [[0, 1, 0], [0, 1, 0]])
    s = ag.zeros(3, 3).masked_fill(ag.tensor(np.triu(np.ones((3, 3), bool), 1)), float("-inf"))
    assert np.isneginf(s.data[0, 1]) and s.data[1, 0] == 0


def test_masked_fill_value_tensor_gets_the_sum_of_the_masked_gradients():
    x = ag.tensor(np.zeros((2, 2)), requires_grad=True)
    v = ag.tensor(2.0, requires_grad=True, dtype=np.float64)
    (x.masked_fill(np.array([[True, False], [True, True]]), v) * 3).sum().backward()
    assert v.grad.item() == 9.0


def test_masked_fill_in_place_and_errors():
    x = ag.tensor([1.0, 2.0, 3.0])
    v0 = x._version
    x.masked_fill_(np.array([False, True, False]), 0.0)
    assert x.tolist() == [1.0, 0.0, 3.0] and x._version > v0
    with pytest.raises(TypeError, match="only supports boolean masks, but got mask with dtype"):
        x.masked_fill(np.array([0, 1, 0]), 1.0)
    with pytest.raises(ValueError, match="broadcastable"):
        x.masked_fill(np.ones((2, 3), bool), 1.0)


def test_topk_matches_a_sort():
    x = rng.permutation(20).reshape(4, 5).astype(np.float64)
    values, indices = ag.topk(ag.tensor(x), 3)
    order = np.argsort(-x, axis=-1)[:, :3]
    np.testing.assert_array_equal(indices.data, order)
    np.testing.assert_array_equal(values.data, np.take_along_axis(x, order, -1))
    r = ag.tensor(x).topk(2, dim=0, largest=False)
    np.testing.assert_array_equal(r.values.data, np.sort(x, axis=0)[:2])
    assert r.indices.dtype == np.int64 and type(r).__name__ == "topk"


def test_topk_gradient_goes_to_the_selected_elements():
    x = ag.tensor(np.array([[1.0, 5.0, 3.0, 4.0]]), requires_grad=True)
    ag.topk(x, 2).values.sum().backward()
    np.testing.assert_array_equal(x.grad.data, [[0, 1, 0, 1]])


def test_topk_k_out_of_range():
    with pytest.raises(RuntimeError, match="out of range"):
        ag.topk(ag.randn(2, 3), 4)
