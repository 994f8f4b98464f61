"""MaxPool2d/AvgPool2d and their functions against loop-by-loop references from PyTorch's
formulas: the max (or mean) of each window x_pad[n, c, i·s + p·d, j·s + q·d]."""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag
import nn
import nn.functional as F

rng = np.random.default_rng(1)


def pool_reference(x, k, s, p, d, reduce, fill):
    n, c, h, w = x.shape
    xp = np.pad(x, ((0, 0), (0, 0), (p[0], p[0]), (p[1], p[1])), constant_values=fill)
    ho = (h + 2 * p[0] - d[0] * (k[0] - 1) - 1) // s[0] + 1
    wo = (w + 2 * p[1] - d[1] * (k[1] - 1) - 1) // s[1] + 1
    out = np.empty((n, c, ho, wo))
    for i in range(ho):
        for j in range(wo):
            win = xp[:, :, i * s[0]:i * s[0] + d[0] * (k[0] - 1) + 1:d[0],
                     j * s[1]:j * s[1] + d[1] * (k[1] - 1) + 1:d[1]]
            out[:, :, i, j] = reduce(win.reshape(n, c, -1), axis=-1)
    return out


@pytest.mark.parametrize("k,s,p,d", [((2, 2), (2, 2), (0, 0), (1, 1)),
                                     ((3, 3), (2, 2), (1, 1), (1, 1)),
                                     ((3, 2), (1, 2), (1, 0), (2, 1))])
def test_max_pool2d_matches_the_reference(k, s, p, d):
    x = rng.standard_normal((2, 3, 7, 8))
    out = F.max_pool2d(ag.tensor(x), k, s, p, d)
    np.testing.assert_array_equal(out.data, pool_reference(x, k, s, p, d, np.max, -np.inf))


@pytest.mark.parametrize("k,s,p", [((2, 2), (2, 2), (0, 0)), ((3, 3), (2, 1), (1, 1))])
def test_avg_pool2d_matches_the_reference(k, s, p):
    x = rng.standard_normal((2, 3, 7, 8))
    out = F.avg_pool2d(ag.tensor(x), k, s, p)
    np.testing.assert_allclose(out.data, pool_reference(x, k, s, p, (1, 1), np.mean, 0.0),
                               rtol=1e-12)


def test_avg_pool2d_without_the_padding_in_the_count():
    x = rng.standard_normal((1, 2, 5, 5))
    out = F.avg_pool2d(ag.tensor(x), 3, 2, 1, count_include_pad=False)
    sums = pool_reference(x, (3, 3), (2, 2), (1, 1), (1, 1), np.sum, 0.0)
    counts = pool_reference(np.ones((1, 1, 5, 5)), (3, 3), (2, 2), (1, 1), (1, 1), np.sum, 0.0)
    np.testing.assert_allclose(out.data, sums / counts, rtol=1e-12)
    assert counts[0, 0, 0, 0] == 4  # a corner window holds four real elements
    assert np.allclose(F.avg_pool2d(ag.tensor(x), 2, divisor_override=1).data,
                       pool_reference(x, (2, 2), (2, 2), (0, 0), (1, 1), np.sum, 0.0))


def test_max_pool_gradient_goes_to_the_first_maximum_of_each_window():
    x = ag.tensor(np.array([[[[1.0, 3.0], [3.0, 0.0]]]]), requires_grad=True)
    F.max_pool2d(x, 2).sum().backward()
    np.testing.assert_array_equal(x.grad.data, [[[[0.0, 1.0], [0.0, 0.0]]]])
    # overlapping windows accumulate into the shared maximum
    x = ag.tensor(np.array([[[[0.0, 9.0, 0.0, 1.0]]]]), requires_grad=True)
    F.max_pool2d(x, (1, 2), stride=1).sum().backward()
    np.testing.assert_array_equal(x.grad.data, [[[[0.0, 2.0, 0.0, 1.0]]]])


def test_avg_pool_gradient_spreads_evenly():
    x = ag.tensor(np.zeros((1, 1, 4, 4)), requires_grad=True)
    F.avg_pool2d(x, 2).sum().backward()
    np.testing.assert_array_equal(x.grad.data, np.full((1, 1, 4, 4), 0.25))


def test_modules_and_unbatched_inputs():
    pool = nn.MaxPool2d(2)
    assert repr(pool) == "MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1)"
    assert pool(ag.randn(3, 8, 6)).shape == (3, 4, 3)
    assert nn.AvgPool2d(3, stride=1, padding=1)(ag.randn(2, 3, 5, 5)).shape == (2, 3, 5, 5)


def test_padding_more_than_half_the_kernel_is_refused():
    with pytest.raises(ValueError, match="pad should be at most half"):
        F.max_pool2d(ag.randn(1, 1, 6, 6), 2, padding=2)
    with pytest.raises(ValueError, match="expected 3-D"):
        F.avg_pool2d(ag.randn(6, 6), 2)


def test_max_pool_propagates_nan_and_sends_its_gradient_there():
    x = ag.tensor(np.array([[[[1.0, np.nan], [3.0, 0.0]]]]), requires_grad=True)
    y = F.max_pool2d(x, 2)
    assert np.isnan(y.data).all()
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.data, [[[[0.0, 1.0], [0.0, 0.0]]]])
