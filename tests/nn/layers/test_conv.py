"""Conv1d/Conv2d and F.conv1d/F.conv2d against a loop-by-loop numpy reference written from
PyTorch's documented formula: out[n, o, i, j] = b[o] + Σ_{c, p, q} w[o, c, p, q] ·
x_pad[n, g·C/G + c, i·s + p·d, j·s + q·d] over the input channels c of o's group g."""

from __future__ import annotations

import math

import numpy as np
import pytest

import autograd as ag
import nn
import nn.functional as F

rng = np.random.default_rng(0)


def conv2d_reference(x, w, b, stride, padding, dilation, groups):
    (sh, sw), (ph, pw), (dh, dw) = stride, padding, dilation
    n, c, h, wd = x.shape
    o, cg, kh, kw = w.shape
    xp = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    ho = (h + 2 * ph - dh * (kh - 1) - 1) // sh + 1
    wo = (wd + 2 * pw - dw * (kw - 1) - 1) // sw + 1
    out = np.zeros((n, o, ho, wo))
    og = o // groups
    for b_ in range(n):
        for oc in range(o):
            g = oc // og
            for i in range(ho):
                for j in range(wo):
                    total = 0.0 if b is None else b[oc]
                    for ci in range(cg):
                        for p in range(kh):
                            for q in range(kw):
                                total += w[oc, ci, p, q] * xp[b_, g * cg + ci, i * sh + p * dh,
                                                              j * sw + q * dw]
                    out[b_, oc, i, j] = total
    return out


@pytest.mark.parametrize("stride,padding,dilation,groups", [
    ((1, 1), (0, 0), (1, 1), 1),
    ((2, 1), (1, 2), (1, 1), 1),
    ((1, 2), (2, 1), (2, 1), 1),
    ((1, 1), (1, 1), (1, 1), 2),
    ((2, 2), (0, 1), (1, 2), 4),
])
def test_conv2d_matches_the_reference(stride, padding, dilation, groups):
    x = rng.standard_normal((2, 4, 7, 6))
    w = rng.standard_normal((8, 4 // groups, 3, 2))
    b = rng.standard_normal(8)
    out = F.conv2d(ag.tensor(x), ag.tensor(w), ag.tensor(b), stride, padding, dilation, groups)
    ref = conv2d_reference(x, w, b, stride, padding, dilation, groups)
    np.testing.assert_allclose(out.data, ref, rtol=1e-12, atol=1e-12)


def test_conv1d_is_conv2d_over_a_height_of_one():
    x, w, b = rng.standard_normal((3, 2, 9)), rng.standard_normal((5, 2, 4)), rng.standard_normal(5)
    out = F.conv1d(ag.tensor(x), ag.tensor(w), ag.tensor(b), stride=2, padding=3, dilation=2)
    ref = conv2d_reference(x[:, :, None], w[:, :, None], b, (1, 2), (0, 3), (1, 2), 1)[:, :, 0]
    np.testing.assert_allclose(out.data, ref, rtol=1e-12, atol=1e-12)


def test_padding_same_keeps_the_size_and_pads_the_extra_on_the_right():
    x, w = rng.standard_normal((1, 1, 5, 6)), rng.standard_normal((1, 1, 2, 4))
    out = F.conv2d(ag.tensor(x), ag.tensor(w), padding="same")
    assert out.shape == (1, 1, 5, 6)
    # PyTorch: total padding d·(k−1), the left half rounded down
    xp = np.pad(x, ((0, 0), (0, 0), (0, 1), (1, 2)))
    ref = conv2d_reference(xp, w, None, (1, 1), (0, 0), (1, 1), 1)
    np.testing.assert_allclose(out.data, ref, atol=1e-12)
    assert F.conv2d(ag.tensor(x), ag.tensor(w), padding="valid").shape == (1, 1, 4, 3)


def test_unbatched_input_gives_an_unbatched_result():
    x, w = rng.standard_normal((3, 5, 5)), rng.standard_normal((2, 3, 3, 3))
    out = F.conv2d(ag.tensor(x), ag.tensor(w))
    assert out.shape == (2, 3, 3)
    np.testing.assert_allclose(out.data, F.conv2d(ag.tensor(x[None]), ag.tensor(w)).data[0])


def test_gradients_match_the_references_adjoint():
    # the conv is linear in x: its input gradient is the transpose of the reference map
    x = ag.tensor(rng.standard_normal((1, 2, 5, 5)), requires_grad=True)
    w = ag.tensor(rng.standard_normal((3, 2, 3, 3)), requires_grad=True)
    g = rng.standard_normal((1, 3, 3, 3))
    (F.conv2d(x, w, stride=2, padding=1) * ag.tensor(g)).sum().backward()
    basis = np.eye(x.size).reshape((x.size,) + x.shape)
    cols = [conv2d_reference(e, w.data, None, (2, 2), (1, 1), (1, 1), 1).ravel() for e in basis]
    np.testing.assert_allclose(x.grad.data.ravel(), np.array(cols) @ g.ravel(), atol=1e-12)


def test_conv2d_module_initialisation_and_anatomy():
    ag.manual_seed(0)
    conv = nn.Conv2d(3, 16, 5, stride=2, padding=1)
    assert conv.weight.shape == (16, 3, 5, 5) and conv.bias.shape == (16,)
    assert conv.weight.dtype == np.float32
    bound = 1 / math.sqrt(3 * 25)  # kaiming_uniform(a=√5): U(±1/√fan_in), bias the same
    assert np.abs(conv.weight.data).max() <= bound and np.abs(conv.weight.data).max() > 0.9 * bound
    assert np.abs(conv.bias.data).max() <= bound
    assert repr(conv) == "Conv2d(3, 16, kernel_size=(5, 5), stride=(2, 2), padding=(1, 1))"
    assert conv(ag.randn(2, 3, 9, 9)).shape == (2, 16, 4, 4)
    assert [n for n, _ in conv.named_parameters()] == ["weight", "bias"]
    grouped = nn.Conv1d(4, 6, 3, groups=2, bias=False, padding="same")
    assert grouped.weight.shape == (6, 2, 3) and grouped.bias is None
    assert "groups=2" in repr(grouped) and "bias=False" in repr(grouped)
    assert grouped(ag.randn(1, 4, 7)).shape == (1, 6, 7)
    before = conv.weight.data.copy()
    conv.reset_parameters()
    assert not np.array_equal(before, conv.weight.data)


def test_wrong_channel_count_names_expected_and_got():
    conv = nn.Conv2d(3, 16, 3)
    with pytest.raises(RuntimeError, match=r"weight of size \[16, 3, 3, 3\], expected "
                       r"input\[1, 4, 8, 8\] to have 3 channels, but got 4 channels instead"):
        conv(ag.randn(1, 4, 8, 8))


@pytest.mark.parametrize("call,match", [
    (lambda: F.conv2d(ag.randn(3, 8), ag.randn(2, 3, 3, 3)), r"4-D \(batched\)"),
    (lambda: F.conv2d(ag.randn(1, 3, 2, 2), ag.randn(2, 3, 3, 3)), "Kernel size can't be"),
    (lambda: F.conv2d(ag.randn(1, 3, 5, 5), ag.randn(2, 3, 3, 3), ag.randn(3)), r"bias must"),
    (lambda: F.conv2d(ag.randn(1, 3, 5, 5), ag.randn(2, 3, 3, 3), stride=0), "stride"),
    (lambda: F.conv2d(ag.randn(1, 3, 5, 5), ag.randn(2, 3, 3, 3), stride=2, padding="same"),
     "strided"),
    (lambda: F.conv2d(ag.randn(1, 4, 5, 5), ag.randn(3, 2, 3, 3), groups=2), "divisible"),
    (lambda: nn.Conv2d(3, 4, 3, groups=2), "divisible by groups"),
])
def test_bad_arguments_are_named(call, match):
    with pytest.raises((ValueError, RuntimeError), match=match):
        call()


def test_float32_stays_float32():
    conv = nn.Conv2d(2, 3, 3)
    out = conv(ag.randn(1, 2, 5, 5))
    assert out.dtype == np.float32
    out.sum().backward()
    assert conv.weight.grad.dtype == np.float32


def test_window_geometry_is_made_once_per_plain_arguments():
    from nn.ops.conv import geometry

    geo = geometry("conv2d", (6, 6), (3, 3), 2, 1, 1)
    assert geometry("conv2d", (6, 6), (3, 3), 2, 1, 1) is geo  # the same object: cached
    assert (geo.out, geo.padded, len(geo.places)) == ((3, 3), (8, 8), 9)
    # lists (unhashable) and other spellings are described afresh, the same windows
    again = geometry("conv2d", [6, 6], [3, 3], (2, 2), [1, 1], 1)
    assert again is not geo and again == geo and again.places == geo.places
    # the cache does not let a rejected argument through on a cached equal value (1.0 == 1)
    with pytest.raises(TypeError, match="stride"):
        geometry("conv2d", (6, 6), (3, 3), 2.0, 1, 1)
    # results with a cached geometry are the same as with a fresh one
    x, w = ag.randn(2, 3, 6, 6, requires_grad=True), ag.randn(4, 3, 3, 3, requires_grad=True)
    a = F.conv2d(x, w, stride=2, padding=1)
    b = F.conv2d(x, w, stride=[2, 2], padding=[1, 1])
    assert np.array_equal(a.data, b.data)
