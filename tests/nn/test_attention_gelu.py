"""F.scaled_dot_product_attention against PyTorch's documented reference (softmax(q·kᵀ·scale +
mask)·v, boolean True = attend), and the exact GELU / erf against math.erf."""

from __future__ import annotations

import math

import numpy as np
import pytest

import autograd as ag
import nn
import nn.functional as F
from autograd.ops.erf_kernel import erf_array

rng = np.random.default_rng(4)


def sdpa_reference(q, k, v, bias=None, scale=None):
    scale = 1 / math.sqrt(q.shape[-1]) if scale is None else scale
    s = q @ np.swapaxes(k, -1, -2) * scale
    if bias is not None:
        s = s + bias
    p = np.exp(s - s.max(-1, keepdims=True))
    return (p / p.sum(-1, keepdims=True)) @ v


def test_attention_matches_the_reference():
    q, k, v = (rng.standard_normal((2, 3, 4, 8)) for _ in range(3))
    out = F.scaled_dot_product_attention(ag.tensor(q), ag.tensor(k), ag.tensor(v))
    np.testing.assert_allclose(out.data, sdpa_reference(q, k, v), rtol=1e-12)
    out = F.scaled_dot_product_attention(ag.tensor(q), ag.tensor(k), ag.tensor(v), scale=0.5)
    np.testing.assert_allclose(out.data, sdpa_reference(q, k, v, scale=0.5), rtol=1e-12)


def test_causal_and_boolean_and_float_masks():
    q, k, v = (rng.standard_normal((2, 5, 4)) for _ in range(3))
    causal = np.tril(np.ones((5, 5), dtype=bool))
    bias = np.where(causal, 0.0, -np.inf)
    t = [ag.tensor(a) for a in (q, k, v)]
    ref = sdpa_reference(q, k, v, bias)
    np.testing.assert_allclose(F.scaled_dot_product_attention(*t, is_causal=True).data, ref,
                               rtol=1e-12)
    np.testing.assert_allclose(F.scaled_dot_product_attention(*t, attn_mask=causal).data, ref,
                               rtol=1e-12)
    fm = rng.standard_normal((5, 5))
    np.testing.assert_allclose(F.scaled_dot_product_attention(*t, attn_mask=fm).data,
                               sdpa_reference(q, k, v, fm), rtol=1e-12)
    # the first query can only see the first key
    np.testing.assert_allclose(F.scaled_dot_product_attention(*t, is_causal=True).data[:, 0],
                               v[:, 0], rtol=1e-12)
    with pytest.raises(ValueError, match="not both"):
        F.scaled_dot_product_attention(*t, attn_mask=causal, is_causal=True)
    with pytest.raises(ValueError, match="shapes"):
        F.scaled_dot_product_attention(t[0], t[1][:, :, :3], t[2])


def test_a_mask_that_broadcasts_the_scores_up_or_promotes_them_works_as_numpy_would():
    # the scores are scaled and biased in place when the mask fits them; otherwise a new array
    q, k, v = (rng.standard_normal((5, 4)).astype(np.float32) for _ in range(3))
    t = [ag.tensor(a) for a in (q, k, v)]
    wide = rng.standard_normal((2, 3, 5, 5)).astype(np.float32)  # (batch, heads) from the mask
    out = F.scaled_dot_product_attention(*t, attn_mask=wide)
    assert out.shape == (2, 3, 5, 4)
    np.testing.assert_allclose(out.data, sdpa_reference(q, k, v, wide), rtol=1e-5)
    wider = rng.standard_normal((5, 5))  # float64 mask on float32 scores: promoted, as numpy
    out = F.scaled_dot_product_attention(*t, attn_mask=wider)
    assert out.dtype == np.float64
    np.testing.assert_allclose(out.data, sdpa_reference(q, k, v, wider), rtol=1e-6)


def test_attention_gradients_equal_the_composed_ops():
    q, k, v = (ag.tensor(rng.standard_normal((2, 4, 3)), requires_grad=True) for _ in range(3))
    g = rng.standard_normal((2, 4, 3))
    (F.scaled_dot_product_attention(q, k, v, is_causal=True) * ag.tensor(g)).sum().backward()
    fused = [t.grad.data for t in (q, k, v)]
    for t in (q, k, v):
        t.grad = None
    s = (q @ k.transpose(-2, -1)) / math.sqrt(3)
    s = s.masked_fill(~np.tril(np.ones((4, 4), dtype=bool)), float("-inf"))
    (ag.softmax(s, axis=-1) @ v * ag.tensor(g)).sum().backward()
    for a, t in zip(fused, (q, k, v)):
        np.testing.assert_allclose(a, t.grad.data, rtol=1e-10, atol=1e-12)


def test_attention_dropout_in_training():
    ag.manual_seed(0)
    q = ag.randn(1, 6, 4)
    full = F.scaled_dot_product_attention(q, q, q)
    dropped = F.scaled_dot_product_attention(q, q, q, dropout_p=0.5)
    assert dropped.shape == full.shape and not np.allclose(dropped.data, full.data)


def test_erf_is_exact_to_float64_rounding():
    x = np.concatenate([np.linspace(-7, 7, 20001), [0.0, 1e-300, 0.46875, 4.0, 6.0, np.inf]])
    ref = np.array([math.erf(v) for v in x])
    np.testing.assert_allclose(erf_array(x), ref, rtol=0, atol=5e-16)
    assert np.isnan(erf_array(np.array([np.nan]))[0])
    assert erf_array(np.float32([0.5])).dtype == np.float32


def test_erf_of_float32_is_within_8_ulp_in_float32():
    x = np.concatenate([np.linspace(-6, 6, 40001), np.logspace(-30, 0.7, 2000),
                        -np.logspace(-30, 0.7, 2000)]).astype(np.float32)
    ref = np.array([math.erf(float(v)) for v in x])
    got = ag.erf(ag.tensor(x)).data
    assert got.dtype == np.float32
    ulp = np.spacing(np.abs(ref).astype(np.float32)).astype(np.float64)
    assert np.max(np.abs(got - ref) / ulp) <= 8
    edges = ag.erf(ag.tensor(np.float32([np.inf, -np.inf, np.nan, 0.0]))).data
    assert edges[:2].tolist() == [1.0, -1.0] and np.isnan(edges[2]) and edges[3] == 0.0
    # the rational overshoots ±1 by an ulp or two just inside its clip at |x| = 4: clipped
    assert np.abs(ag.erf(ag.tensor(np.linspace(-4.5, 4.5, 200001, dtype=np.float32)))
                  .data).max() == 1.0


def test_exact_gelu_of_float32_is_within_rounding_of_the_formula_and_never_flips_sign():
    """float32 takes one kernel for Φ (erf's rational with the scalings folded in): within
    a few float32 roundings of x·Φ(x), and far out on the negative side −0 or a tiny negative
    number, never the positive speck an overshooting 1 + erf(x/√2) gives."""
    x = np.concatenate([np.linspace(-9, 9, 60001), [-1e4, -100.0, 100.0, 1e4]])
    x = x.astype(np.float32)
    exact = np.array([float(v) * 0.5 * math.erfc(-float(v) / math.sqrt(2)) for v in x])
    got = F.gelu(ag.tensor(x)).data
    assert got.dtype == np.float32
    # Φ within 2.5e-7 (two float32 roundings of 1, the granularity of 1 + erf), x·Φ to float32
    assert (np.abs(got - exact) <= 2e-6 * np.abs(exact) + 2.5e-7 * np.abs(x)).all()
    assert (got[x < 0] <= 0).all()
    t = ag.tensor(x, requires_grad=True)
    F.gelu(t).sum().backward()  # Φ(x) + x·φ(x), against the same formula in float64
    xd = x.astype(np.float64)
    slope = 0.5 * np.array([math.erfc(-v / math.sqrt(2)) for v in xd]) + xd * np.exp(
        -xd * xd / 2) / math.sqrt(2 * math.pi)
    assert (np.abs(t.grad.data - slope) <= 2e-6 * np.abs(slope) + 2.5e-7 * (1 + np.abs(x))).all()


def test_gelu_exact_and_tanh_match_their_formulas():
    x = np.linspace(-6, 6, 101)
    exact = np.array([v * 0.5 * (1 + math.erf(v / math.sqrt(2))) for v in x])
    np.testing.assert_allclose(F.gelu(ag.tensor(x)).data, exact, rtol=1e-14, atol=1e-15)
    tanh = 0.5 * x * (1 + np.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x ** 3)))
    np.testing.assert_allclose(F.gelu(ag.tensor(x), approximate="tanh").data, tanh, rtol=1e-14)
    assert nn.GELU("tanh")(ag.randn(3)).dtype == np.float32
    with pytest.raises(ValueError, match="approximate"):
        F.gelu(ag.randn(2), approximate="fast")


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("approximate", ["none", "tanh"])
def test_gelu_and_erf_of_a_0d_tensor_forward_and_backward(dtype, approximate):
    """numpy gives scalars, not arrays, for 0-d operands: the in-place kernels take them too."""
    x = ag.tensor(np.array(0.5, dtype), requires_grad=True)
    y = F.gelu(x, approximate=approximate)
    y.backward()
    assert y.shape == () and y.dtype == dtype and x.grad.dtype == dtype
    ref = F.gelu(ag.tensor(np.array([0.5], dtype), requires_grad=True), approximate=approximate)
    assert y.item() == ref.item()
    z = ag.tensor(np.array(0.5, dtype), requires_grad=True)
    e = ag.erf(z)
    e.backward()
    assert e.shape == () and abs(e.item() - math.erf(0.5)) < 1e-6
    assert abs(z.grad.item() - 2 / math.sqrt(math.pi) * math.exp(-0.25)) < 1e-6
