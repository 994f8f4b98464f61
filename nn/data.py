"""Datasets and the loader that batches them, as ``torch.utils.data``.

A dataset is anything with ``__len__`` and ``__getitem__(i)`` (a ``Dataset``);
``TensorDataset(X, Y)`` pairs rows of Tensors. ``DataLoader`` yields batches collated into
Tensors, in order or shuffled (reproducibly, with a seeded ``ag.Generator``)::

    loader = nn.data.DataLoader(nn.data.TensorDataset(X, Y), batch_size=32, shuffle=True,
                                generator=ag.Generator().manual_seed(0))
    for xb, yb in loader:
        loss = F.cross_entropy(model(xb), yb)
"""

from __future__ import annotations

import math
import numbers
from typing import Any, Callable, Iterator, Mapping, Sequence

import numpy as np

import autograd as ag
from autograd import Tensor

__all__ = ["Dataset", "TensorDataset", "DataLoader", "default_collate"]


class Dataset:
    """Base class of map-style datasets: define ``__getitem__(index)`` and ``__len__()``."""

    def __getitem__(self, index: int):
        raise NotImplementedError(f"{type(self).__name__} must define __getitem__")

    def __len__(self) -> int:
        raise NotImplementedError(f"{type(self).__name__} must define __len__")


class TensorDataset(Dataset):
    """Rows of Tensors that share their first dimension: item ``i`` is
    ``(t[i] for t in tensors)``.

    Examples
    --------
    >>> ds = nn.data.TensorDataset(ag.randn(100, 3), ag.arange(100))
    >>> len(ds), [t.shape for t in ds[0]]
    (100, [(3,), ()])
    """

    def __init__(self, *tensors: Tensor) -> None:
        if not tensors:
            raise ValueError("TensorDataset needs at least one tensor")
        tensors = tuple(t if isinstance(t, Tensor) else ag.tensor(t) for t in tensors)
        for i, t in enumerate(tensors):
            if t.ndim == 0:
                raise ValueError(f"TensorDataset: tensor {i} is 0-d; each needs a first "
                                 "dimension to index")
        sizes = [t.shape[0] for t in tensors]
        if len(set(sizes)) != 1:
            raise ValueError(f"TensorDataset: size mismatch between tensors: first "
                             f"dimensions {sizes}")
        self.tensors = tensors

    def __getitem__(self, index):
        return tuple(t[index] for t in self.tensors)

    def __len__(self) -> int:
        return self.tensors[0].shape[0]


def default_collate(batch: Sequence) -> Any:
    """Stack a list of samples into a batch, as PyTorch's ``default_collate``: Tensors are
    stacked along a new first axis, numpy arrays and numbers become Tensors (Python floats
    float64, ints int64), and tuples, lists and dicts are collated field by field."""
    elem = batch[0]
    if isinstance(elem, Tensor):
        return ag.stack(list(batch))
    if isinstance(elem, (np.ndarray, np.generic)):
        return ag.tensor(np.stack([np.asarray(b) for b in batch]))
    if isinstance(elem, bool):
        return ag.tensor(np.array(batch, bool))
    if isinstance(elem, numbers.Integral):
        return ag.tensor(np.array(batch, np.int64))
    if isinstance(elem, numbers.Real):
        return ag.tensor(np.array(batch, np.float64))
    if isinstance(elem, (str, bytes)):
        return list(batch)
    if isinstance(elem, Mapping):
        return {k: default_collate([b[k] for b in batch]) for k in elem}
    if isinstance(elem, (tuple, list)):
        sizes = {len(b) for b in batch}
        if len(sizes) != 1:
            raise RuntimeError("each element in list of batch should be of equal size")
        return [default_collate(list(field)) for field in zip(*batch)]
    raise TypeError(f"default_collate: batch must contain Tensors, numpy arrays, numbers, "
                    f"dicts or lists; found {type(elem).__name__}")


class DataLoader:
    """Batches of a dataset, collated into Tensors.

    Parameters
    ----------
    dataset : Dataset
        Anything with ``__len__`` and ``__getitem__``.
    batch_size : int or None
        Samples per batch (None: the samples one by one, not collated).
    shuffle : bool
        Draw a new permutation of the samples for each pass (each ``iter``), from
        ``generator`` (or the default generator, seeded by ``ag.manual_seed``).
    drop_last : bool
        Leave out the last batch when it is smaller than ``batch_size``.
    generator : ag.Generator, optional
        The source of the shuffles: a seeded generator makes them reproducible.
    collate_fn : callable, optional
        Turns a list of samples into a batch (``default_collate``).

    Examples
    --------
    >>> loader = nn.data.DataLoader(ds, batch_size=32, shuffle=True,
    ...                             generator=ag.Generator().manual_seed(0))
    >>> xb, yb = next(iter(loader))
    """

    def __init__(self, dataset, batch_size: int | None = 1, shuffle: bool = False,
                 drop_last: bool = False, generator: ag.Generator | None = None,
                 collate_fn: Callable | None = None) -> None:
        if batch_size is not None and (isinstance(batch_size, bool)
                                       or not isinstance(batch_size, numbers.Integral)
                                       or batch_size <= 0):
            raise ValueError(f"DataLoader: batch_size should be a positive integer value, "
                             f"but got batch_size={batch_size!r}")
        if batch_size is None and drop_last:
            raise ValueError("DataLoader: batch_size=None option disables auto-batching and is "
                             "mutually exclusive with drop_last")
        if generator is not None and not isinstance(generator, ag.Generator):
            raise TypeError(f"DataLoader: generator must be an ag.Generator, got "
                            f"{type(generator).__name__}")
        self.dataset = dataset
        self.batch_size = None if batch_size is None else int(batch_size)
        self.shuffle, self.drop_last = bool(shuffle), bool(drop_last)
        self.generator = generator
        self.collate_fn = collate_fn

    def _order(self) -> np.ndarray:
        n = len(self.dataset)
        if self.shuffle:
            return np.asarray(ag.randperm(n, generator=self.generator).data)
        return np.arange(n)

    def __iter__(self) -> Iterator:
        order = self._order()
        if self.batch_size is None:
            for i in order.tolist():
                yield self.dataset[i]
            return
        bs, n = self.batch_size, len(order)
        stop = n - n % bs if self.drop_last else n
        fast = isinstance(self.dataset, TensorDataset) and self.collate_fn is None
        collate = self.collate_fn or default_collate
        for start in range(0, stop, bs):
            idx = order[start:start + bs]
            if fast:  # index each tensor once: the same batch as stacking the samples
                yield [t[idx] for t in self.dataset.tensors]
            else:
                yield collate([self.dataset[i] for i in idx.tolist()])

    def __len__(self) -> int:
        n = len(self.dataset)
        if self.batch_size is None:
            return n
        return n // self.batch_size if self.drop_last else math.ceil(n / self.batch_size)
