"""Gradient cases (first and second order, via the one op-case table) for nn's lesson ops:
convolution, pooling, normalization, embedding, GELU and attention."""

from __future__ import annotations

import numpy as np

import nn.functional as F
from nn.ops.conv import col2im, geometry, im2col
from nn.ops.embedding import embedding_backward
from tests.op_cases import T, distinct

_GEO = geometry("case", (4, 5), (2, 3), (1, 2), 1, (2, 1))
_GEO1 = geometry("case", (6,), 3, 2, 0, 1)
_IDX = np.array([[0, 2, 2], [1, 0, 4]])
_RM, _RV = np.array([0.1, -0.2, 0.3]), np.array([0.5, 1.5, 2.0])
_BOOL = np.array([[True, False, True, True, False],
                  [True, True, False, False, False],
                  [False, True, True, True, True]])


def _conv2d(**kw):
    return lambda x, w, b: F.conv2d(x, w, b, **kw)


CASES = {
    "im2col": [
        (lambda x: im2col(x, _GEO), lambda r: (T(r, 2, 2, 4, 5),)),
        (lambda x: im2col(x, _GEO1), lambda r: (T(r, 1, 2, 6),)),
    ],
    "col2im": [
        (lambda c: col2im(c, _GEO), lambda r: (T(r, 2, 2, *_GEO.out, 2, 3),)),
        (lambda c: col2im(c, _GEO1), lambda r: (T(r, 1, 2, *_GEO1.out, 3),)),
    ],
    "conv2d": [
        (_conv2d(), lambda r: (T(r, 2, 3, 5, 5), T(r, 4, 3, 3, 3), T(r, 4))),
        (_conv2d(stride=2, padding=1), lambda r: (T(r, 1, 2, 5, 6), T(r, 3, 2, 3, 2), T(r, 3))),
        (_conv2d(padding=(1, 2), dilation=(2, 1), groups=2),
         lambda r: (T(r, 1, 4, 5, 6), T(r, 6, 2, 2, 3), T(r, 6))),
        (lambda x, w: F.conv2d(x, w, padding="same"), lambda r: (T(r, 3, 4, 4), T(r, 2, 3, 2, 2))),
    ],
    "conv1d": [
        (lambda x, w, b: F.conv1d(x, w, b), lambda r: (T(r, 2, 3, 7), T(r, 4, 3, 3), T(r, 4))),
        (lambda x, w: F.conv1d(x, w, stride=2, padding=2, dilation=2),
         lambda r: (T(r, 2, 2, 8), T(r, 3, 2, 3))),
        (lambda x, w: F.conv1d(x, w, padding="same", groups=3),
         lambda r: (T(r, 1, 3, 6), T(r, 3, 1, 4))),
    ],
    "max_pool2d": [
        (lambda x: F.max_pool2d(x, 2), lambda r: (distinct(r, 2, 3, 4, 4),)),
        (lambda x: F.max_pool2d(x, 3, 2, 1), lambda r: (distinct(r, 1, 2, 5, 6),)),
        (lambda x: F.max_pool2d(x, (2, 3), (1, 2), dilation=(2, 1)),
         lambda r: (distinct(r, 1, 2, 5, 6),)),
    ],
    "avg_pool2d": [
        (lambda x: F.avg_pool2d(x, 2), lambda r: (T(r, 2, 3, 4, 4),)),
        (lambda x: F.avg_pool2d(x, 3, 2, 1), lambda r: (T(r, 1, 2, 5, 6),)),
        (lambda x: F.avg_pool2d(x, 3, 2, 1, count_include_pad=False),
         lambda r: (T(r, 1, 2, 5, 6),)),
    ],
    "layer_norm": [
        (lambda x, w, b: F.layer_norm(x, (4,), w, b), lambda r: (T(r, 3, 4), T(r, 4), T(r, 4))),
        (lambda x, w, b: F.layer_norm(x, (3, 4), w, b),
         lambda r: (T(r, 2, 3, 4), T(r, 3, 4), T(r, 3, 4))),
        (lambda x: F.layer_norm(x, 5), lambda r: (T(r, 2, 2, 5),)),
    ],
    "rms_norm": [
        (lambda x, w: F.rms_norm(x, (4,), w), lambda r: (T(r, 3, 4), T(r, 4))),
        (lambda x: F.rms_norm(x, (2, 3), eps=1e-6), lambda r: (T(r, 2, 2, 3),)),
    ],
    "batch_norm": [
        (lambda x, w, b: F.batch_norm(x, None, None, w, b, training=True),
         lambda r: (T(r, 5, 3), T(r, 3), T(r, 3))),
        (lambda x, w, b: F.batch_norm(x, None, None, w, b, training=True),
         lambda r: (T(r, 3, 2, 4), T(r, 2), T(r, 2))),
        (lambda x: F.batch_norm(x, None, None, training=True), lambda r: (T(r, 2, 2, 2, 3),)),
        (lambda x, w, b: F.batch_norm(x, _RM, _RV, w, b),
         lambda r: (T(r, 4, 3, 2), T(r, 3), T(r, 3))),
    ],
    "embedding": [
        (lambda w: F.embedding(_IDX, w), lambda r: (T(r, 5, 3),)),
        (lambda w: F.embedding(_IDX, w, padding_idx=3), lambda r: (T(r, 5, 3),)),
    ],
    "embedding_backward": [
        (lambda g: embedding_backward(g, _IDX, 5), lambda r: (T(r, 2, 3, 4),)),
        (lambda g: embedding_backward(g, _IDX, 5, padding_idx=2), lambda r: (T(r, 2, 3, 4),)),
    ],
    "gelu": [
        (F.gelu, lambda r: (T(r, 3, 4),)),
        (lambda x: F.gelu(x * 3), lambda r: (T(r, 10),)),
        (lambda x: F.gelu(x, approximate="tanh"), lambda r: (T(r, 3, 4),)),
    ],
    "scaled_dot_product_attention": [
        (F.scaled_dot_product_attention, lambda r: (T(r, 2, 3, 4), T(r, 2, 5, 4), T(r, 2, 5, 2))),
        (lambda q, k, v: F.scaled_dot_product_attention(q, k, v, is_causal=True, scale=0.3),
         lambda r: (T(r, 2, 2, 4, 3), T(r, 2, 2, 4, 3), T(r, 2, 2, 4, 3))),
        (lambda q, k, v, m: F.scaled_dot_product_attention(q, k, v, attn_mask=m),
         lambda r: (T(r, 2, 3, 4), T(r, 1, 5, 4), T(r, 2, 5, 2), T(r, 3, 5))),
        (lambda q, k, v: F.scaled_dot_product_attention(q, k, v, attn_mask=_BOOL),
         lambda r: (T(r, 2, 3, 4), T(r, 2, 5, 4), T(r, 2, 5, 2))),
    ],
}
