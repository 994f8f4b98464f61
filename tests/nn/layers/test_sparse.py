"""Embedding and F.embedding, F.one_hot: PyTorch's lookup (weight[idx]), the gradient as a
scatter-add of rows, padding_idx, and errors that name the index."""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag
import nn
import nn.functional as F


def test_lookup_and_the_gradient_sums_repeated_rows():
    w = ag.tensor(np.arange(12.0).reshape(4, 3), requires_grad=True)
    idx = np.array([[0, 2], [2, 3]])
    out = F.embedding(idx, w)
    np.testing.assert_array_equal(out.data, w.data[idx])
    g = np.arange(12.0).reshape(2, 2, 3)
    (out * ag.tensor(g)).sum().backward()
    expect = np.zeros((4, 3))
    for (i, j), row in np.ndenumerate(idx):
        expect[row] += g[i, j]
    np.testing.assert_array_equal(w.grad.data, expect)


def test_padding_idx_row_starts_at_zero_and_gets_no_gradient():
    ag.manual_seed(3)
    emb = nn.Embedding(5, 4, padding_idx=1)
    np.testing.assert_array_equal(emb.weight.data[1], np.zeros(4))
    emb(np.array([1, 1, 2])).sum().backward()
    np.testing.assert_array_equal(emb.weight.grad.data[1], np.zeros(4))
    np.testing.assert_array_equal(emb.weight.grad.data[2], np.ones(4))
    assert repr(emb) == "Embedding(5, 4, padding_idx=1)"


def test_module_initialisation_is_standard_normal():
    ag.manual_seed(0)
    emb = nn.Embedding(1000, 50)
    assert emb.weight.dtype == np.float32 and emb.weight.shape == (1000, 50)
    assert abs(emb.weight.data.mean()) < 0.01 and abs(emb.weight.data.std() - 1) < 0.01
    assert emb(ag.tensor(np.array([[1, 2, 3]]))).shape == (1, 3, 50)
    frozen = nn.Embedding.from_pretrained(np.eye(3))
    assert not frozen.weight.requires_grad
    np.testing.assert_array_equal(frozen(np.array([2])).data, [[0, 0, 1]])


def test_an_index_out_of_range_names_the_index_and_num_embeddings():
    emb = nn.Embedding(27, 10)
    with pytest.raises(IndexError, match=r"index 30 is out of range for num_embeddings=27"):
        emb(np.array([[1, 30, 2]]))
    with pytest.raises(IndexError, match=r"index -1 is out of range"):
        emb(np.array([-1]))
    with pytest.raises(TypeError, match="integers"):
        emb(np.array([1.0]))


def test_one_hot():
    out = F.one_hot(np.array([[0, 2], [1, 1]]), 4)
    assert out.dtype == np.int64 and out.shape == (2, 2, 4)
    np.testing.assert_array_equal(out.data, np.eye(4, dtype=np.int64)[[[0, 2], [1, 1]]])
    assert F.one_hot(np.array([3, 0])).shape == (2, 4)  # num_classes from the largest index
    with pytest.raises(IndexError, match="class value 5 is out of range for num_classes=4"):
        F.one_hot(np.array([5]), 4)
