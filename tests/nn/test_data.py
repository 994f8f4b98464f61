"""TensorDataset and DataLoader: batches, shuffling with a seeded generator, drop_last."""

import numpy as np
import pytest

import autograd as ag
import nn

X = np.arange(30, dtype=np.float32).reshape(10, 3)
Y = np.arange(10) % 3


def test_tensor_dataset_items_and_checks():
    ds = nn.data.TensorDataset(ag.tensor(X), ag.tensor(Y))
    assert len(ds) == 10
    x, y = ds[4]
    assert np.array_equal(x.data, X[4]) and y.item() == Y[4]
    with pytest.raises(ValueError, match=r"size mismatch.*\[10, 9\]"):
        nn.data.TensorDataset(ag.tensor(X), ag.tensor(Y[:9]))
    with pytest.raises(ValueError, match="at least one"):
        nn.data.TensorDataset()


def test_loader_in_order_with_a_short_last_batch():
    loader = nn.data.DataLoader(nn.data.TensorDataset(ag.tensor(X), ag.tensor(Y)), batch_size=4)
    batches = list(loader)
    assert len(loader) == len(batches) == 3
    assert [b[0].shape for b in batches] == [(4, 3), (4, 3), (2, 3)]
    assert all(isinstance(t, ag.Tensor) for b in batches for t in b)
    assert np.array_equal(np.concatenate([b[0].data for b in batches]), X)
    assert np.array_equal(np.concatenate([b[1].data for b in batches]), Y)
    dropped = nn.data.DataLoader(loader.dataset, batch_size=4, drop_last=True)
    assert len(dropped) == 2 and [b[0].shape[0] for b in dropped] == [4, 4]


def test_shuffle_is_a_permutation_reproducible_with_a_seeded_generator():
    ds = nn.data.TensorDataset(ag.tensor(X), ag.tensor(Y))

    def epochs(seed, n=3):
        loader = nn.data.DataLoader(ds, batch_size=3, shuffle=True,
                                    generator=ag.Generator().manual_seed(seed))
        return [np.concatenate([b[0].data for b in loader]) for _ in range(n)]

    a, b, c = epochs(0), epochs(0), epochs(1)
    for e in a:  # each epoch is a permutation of the rows, rows kept whole
        assert sorted(map(tuple, e)) == sorted(map(tuple, X))
    assert all(np.array_equal(x, y) for x, y in zip(a, b))  # same seed, same order
    assert not np.array_equal(a[0], a[1])  # a new permutation each epoch
    assert not all(np.array_equal(x, y) for x, y in zip(a, c))
    # the generator's permutation is randperm's: the loader draws one per pass
    g = ag.Generator().manual_seed(0)
    assert np.array_equal(a[0], X[ag.randperm(10, generator=g).data])
    # without a generator, the default one (ag.manual_seed) decides
    loader = nn.data.DataLoader(ds, batch_size=10, shuffle=True)
    ag.manual_seed(5)
    first = next(iter(loader))[0].data
    ag.manual_seed(5)
    assert np.array_equal(next(iter(loader))[0].data, first)


def test_batches_equal_stacked_samples_for_any_dataset():
    class Squares(nn.data.Dataset):
        def __len__(self):
            return 7

        def __getitem__(self, i):
            return {"x": ag.tensor(X[i]), "n": i, "f": float(i) / 2, "a": X[i] * 2}

    loader = nn.data.DataLoader(Squares(), batch_size=3)
    batch = next(iter(loader))
    assert np.array_equal(batch["x"].data, X[:3]) and batch["x"].dtype == np.float32
    assert batch["n"].dtype == np.int64 and batch["n"].tolist() == [0, 1, 2]
    assert batch["f"].dtype == np.float64 and np.array_equal(batch["a"].data, X[:3] * 2)
    # the TensorDataset fast path gives what stacking the samples gives
    ds = nn.data.TensorDataset(ag.tensor(X), ag.tensor(Y))
    fast = next(iter(nn.data.DataLoader(ds, batch_size=4)))
    slow = nn.data.default_collate([ds[i] for i in range(4)])
    assert all(np.array_equal(f.data, s.data) and f.dtype == s.dtype
               for f, s in zip(fast, slow))
    custom = nn.data.DataLoader(ds, batch_size=4, collate_fn=lambda b: len(b))
    assert list(custom) == [4, 4, 2]
    unbatched = list(nn.data.DataLoader(ds, batch_size=None))
    assert len(unbatched) == 10 and unbatched[2][0].shape == (3,)


def test_loader_argument_checks():
    ds = nn.data.TensorDataset(ag.tensor(X))
    for bad in (0, -1, 2.5, True):
        with pytest.raises(ValueError, match="batch_size"):
            nn.data.DataLoader(ds, batch_size=bad)
    with pytest.raises(TypeError, match="ag.Generator"):
        nn.data.DataLoader(ds, shuffle=True, generator=np.random.default_rng(0))


def test_training_loop_over_a_loader():
    ag.manual_seed(0)
    rng = np.random.default_rng(0)
    x = rng.normal(size=(64, 2)).astype(np.float32)
    y = (x[:, 0] + x[:, 1] > 0).astype(np.int64)
    loader = nn.data.DataLoader(nn.data.TensorDataset(ag.tensor(x), ag.tensor(y)),
                                batch_size=16, shuffle=True,
                                generator=ag.Generator().manual_seed(0))
    model = nn.Linear(2, 2)
    opt = nn.optim.SGD(model.parameters(), lr=0.5)
    for _ in range(20):
        for xb, yb in loader:
            loss = nn.functional.cross_entropy(model(xb), yb)
            opt.zero_grad()
            loss.backward()
            opt.step()
    acc = (model(ag.tensor(x)).data.argmax(1) == y).mean()
    assert acc > 0.95
