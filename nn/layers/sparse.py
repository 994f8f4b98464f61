"""``Embedding``: a lookup table of trainable vectors, one row per index."""

from __future__ import annotations

import numpy as np

from autograd import Tensor, get_default_dtype, no_grad
from autograd.typing import DTypeLike, TensorLike

from .. import functional as F
from .. import init
from ..module import Module, Parameter


class Embedding(Module):
    """Rows of ``weight`` (num_embeddings, embedding_dim) looked up by integer indices.

    Initialised from N(0, 1) as in PyTorch; the row ``padding_idx`` (if given) starts at zero
    and receives no gradient.

    Examples
    --------
    >>> emb = nn.Embedding(27, 10)
    >>> emb(np.array([[1, 2, 3]])).shape
    (1, 3, 10)
    """

    def __init__(self, num_embeddings: int, embedding_dim: int, padding_idx: int | None = None,
                 dtype: DTypeLike | None = None, _weight: TensorLike | None = None) -> None:
        self.num_embeddings = int(num_embeddings)
        self.embedding_dim = int(embedding_dim)
        if padding_idx is not None:
            if not -self.num_embeddings <= padding_idx < self.num_embeddings:
                raise ValueError(f"Embedding: padding_idx must be within num_embeddings="
                                 f"{self.num_embeddings}, got {padding_idx}")
            padding_idx = int(padding_idx) % self.num_embeddings
        self.padding_idx = padding_idx
        if _weight is not None:
            self.weight = Parameter(_weight)
        else:
            dtype = get_default_dtype() if dtype is None else dtype
            self.weight = Parameter(np.empty((self.num_embeddings, self.embedding_dim), dtype))
            self.reset_parameters()

    def reset_parameters(self) -> None:
        """Draw the table again from N(0, 1) (the padding row zero)."""
        init.normal_(self.weight)
        if self.padding_idx is not None:
            with no_grad():
                self.weight[self.padding_idx] = 0.0

    @classmethod
    def from_pretrained(cls, embeddings: TensorLike, freeze: bool = True,
                        padding_idx: int | None = None) -> Embedding:
        """An Embedding whose table is ``embeddings`` (2-D), frozen unless ``freeze=False``."""
        data = np.array(embeddings.data if isinstance(embeddings, Tensor) else embeddings)
        if data.ndim != 2:
            raise ValueError(f"Embedding.from_pretrained: embeddings must be 2-D, got shape "
                             f"{data.shape}")
        emb = cls(data.shape[0], data.shape[1], padding_idx, _weight=data)
        emb.weight.requires_grad = not freeze
        return emb

    def forward(self, input: TensorLike) -> Tensor:
        return F.embedding(input, self.weight, self.padding_idx)

    def extra_repr(self) -> str:
        s = f"{self.num_embeddings}, {self.embedding_dim}"
        return s if self.padding_idx is None else s + f", padding_idx={self.padding_idx}"
