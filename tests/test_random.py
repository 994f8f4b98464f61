"""Sampling: seeded generators, randn/rand/randint/randperm/multinomial as PyTorch's."""

import numpy as np
import pytest

import autograd as ag
import nn


def draws(g):
    return [ag.randn(3, 2, generator=g).data, ag.rand(4, generator=g).data,
            ag.randint(0, 10, (5,), generator=g).data, ag.randperm(6, generator=g).data,
            ag.multinomial(ag.tensor([0.2, 0.5, 0.3]), 4, replacement=True, generator=g).data,
            ag.multinomial(ag.tensor([[1.0, 2.0, 3.0], [3.0, 0.0, 1.0]]), 2, generator=g).data]


def same(a, b):
    return all(np.array_equal(x, y) for x, y in zip(a, b))


def test_same_seed_same_numbers_other_seed_others():
    g = ag.Generator()
    assert g.manual_seed(7) is g
    a = draws(g)
    b = draws(ag.Generator().manual_seed(7))
    c = draws(ag.Generator().manual_seed(8))
    assert same(a, b) and not same(a, c)
    assert same(draws(ag.Generator()), draws(ag.Generator()))  # fresh ones share a seed
    assert ag.Generator().initial_seed() == 67280421310721 and g.initial_seed() == 7


def test_default_generator_is_what_manual_seed_and_nn_use():
    assert isinstance(ag.manual_seed(3), ag.Generator)
    a = draws(None) + [nn.Linear(3, 2).weight.data,
                       nn.functional.dropout(ag.ones(20), 0.5).data]
    ag.manual_seed(3)
    b = draws(None) + [nn.Linear(3, 2).weight.data,
                       nn.functional.dropout(ag.ones(20), 0.5).data]
    assert same(a, b)
    assert isinstance(ag.default_generator(), np.random.Generator)
    ag.manual_seed(3)
    ref = ag.default_generator()  # reseeding keeps the object: a reference stays valid
    ag.manual_seed(4)
    assert ag.default_generator() is ref and ag.initial_seed() == 4
    # a private generator does not move the default stream
    ag.manual_seed(5)
    x = ag.randn(3).data
    ag.manual_seed(5)
    ag.randn(100, generator=ag.Generator().manual_seed(1))
    assert np.array_equal(ag.randn(3).data, x)


def test_state_save_and_restore():
    g = ag.Generator().manual_seed(11)
    ag.rand(5, generator=g)
    state = g.get_state()
    a = ag.rand(5, generator=g).data
    ag.rand(5, generator=g)
    assert np.array_equal(ag.rand(5, generator=g.set_state(state)).data, a)
    s = ag.get_rng_state()
    a = ag.randn(4).data
    ag.set_rng_state(s)
    assert np.array_equal(ag.randn(4).data, a)
    assert isinstance(g.seed(), int)


def test_seed_validation_and_negative_seeds_wrap():
    with pytest.raises(TypeError, match="int"):
        ag.Generator().manual_seed(1.5)
    with pytest.raises(ValueError, match="range"):
        ag.Generator().manual_seed(2 ** 64)
    a = ag.rand(3, generator=ag.Generator().manual_seed(-1)).data
    b = ag.rand(3, generator=ag.Generator().manual_seed(2 ** 64 - 1)).data
    assert np.array_equal(a, b)
    with pytest.raises(TypeError, match="ag.Generator"):
        ag.randn(2, generator=np.random.default_rng(0))


def test_randn_rand_shapes_dtypes_and_grad():
    g = ag.Generator().manual_seed(0)
    x = ag.randn((27, 27), generator=g, requires_grad=True)
    assert x.shape == (27, 27) and x.dtype == np.float32 and x.requires_grad
    assert ag.rand(2, 3, dtype=np.float64).dtype == np.float64
    u = ag.rand(10000, generator=g).data
    assert u.min() >= 0 and u.max() < 1 and abs(u.mean() - 0.5) < 0.02
    z = ag.randn(10000, generator=g).data
    assert abs(z.mean()) < 0.05 and abs(z.std() - 1) < 0.05
    assert ag.randn(generator=g).shape == ()
    with pytest.raises(TypeError, match="floating"):
        ag.randn(2, dtype=np.int64)


def test_randint_forms_and_range():
    g = ag.Generator().manual_seed(0)
    a = ag.randint(5, (1000,), generator=g)
    b = ag.randint(-3, 4, (10, 100), generator=g)
    c = ag.randint(low=2, high=3, size=(4,), generator=g)
    d = ag.randint(10, size=(3,), generator=g)
    assert a.dtype == np.int64 and set(a.tolist()) == set(range(5))
    assert b.shape == (10, 100) and b.data.min() == -3 and b.data.max() == 3
    assert c.tolist() == [2, 2, 2, 2] and d.shape == (3,)
    assert ag.randint(0, 2, (3,), dtype=np.int32).dtype == np.int32
    with pytest.raises(RuntimeError, match="low=5 >= high=5"):
        ag.randint(5, 5, (2,))
    with pytest.raises(TypeError, match="required"):
        ag.randint(5)


def test_randperm():
    p = ag.randperm(50, generator=ag.Generator().manual_seed(0))
    assert p.dtype == np.int64 and sorted(p.tolist()) == list(range(50))
    assert p.tolist() != list(range(50))
    assert ag.randperm(0).shape == (0,)
    with pytest.raises(RuntimeError, match="non-negative"):
        ag.randperm(-1)


def test_multinomial_frequencies_follow_the_weights():
    g = ag.Generator().manual_seed(0)
    w = np.array([1.0, 0.0, 3.0, 6.0])  # unnormalised, with a zero
    s = ag.multinomial(ag.tensor(w), 20000, replacement=True, generator=g)
    assert s.dtype == np.int64 and s.shape == (20000,)
    freq = np.bincount(s.data, minlength=4) / 20000
    assert freq[1] == 0 and np.allclose(freq, w / w.sum(), atol=0.015)
    # rows sample independently; the first draw without replacement follows the weights too
    rows = ag.tensor(np.array([[0.0, 1.0, 0.0], [1.0, 1.0, 2.0]]))
    out = ag.multinomial(rows, 3, replacement=True, generator=g)
    assert out.shape == (2, 3) and (out.data[0] == 1).all()
    first = [ag.multinomial(ag.tensor(w), 2, generator=g).data[0] for _ in range(4000)]
    assert np.allclose(np.bincount(first, minlength=4) / 4000, w / w.sum(), atol=0.03)


def test_multinomial_without_replacement_never_repeats_or_draws_zeros():
    g = ag.Generator().manual_seed(1)
    w = ag.tensor(np.array([[5.0, 0.0, 1.0, 1.0, 2.0]] * 50))
    s = ag.multinomial(w, 4, generator=g).data
    assert all(len(set(r)) == 4 and 1 not in r for r in s.tolist())
    full = ag.multinomial(ag.tensor([1, 2, 3]), 3, generator=g)  # integer counts accepted
    assert sorted(full.tolist()) == [0, 1, 2]


@pytest.mark.parametrize("args,kwargs,message", [
    ((np.array([0.5, -0.1]), 1), {}, "element < 0"),
    ((np.array([0.5, np.nan]), 1), {}, "nan"),
    ((np.array([np.inf, 1.0]), 1), {}, "inf"),
    ((np.zeros(3), 1), {"replacement": True}, r"sum of probabilities <= 0"),
    ((np.array([[1.0, 1.0], [0.0, 0.0]]), 1), {}, r"sum of probabilities <= 0"),
    ((np.ones(3), 4), {}, "n_sample > prob_dist.size"),
    ((np.array([1.0, 0.0, 0.0]), 2), {}, "not enough categories"),
    ((np.ones(3), 0), {}, "n_sample <= 0"),
    ((np.ones((2, 2, 2)), 1), {}, "1 or 2 dim"),
])
def test_multinomial_errors_as_pytorch(args, kwargs, message):
    with pytest.raises(RuntimeError, match=message):
        ag.multinomial(ag.tensor(args[0]), args[1], **kwargs)


def test_bigram_sampling_as_in_the_lecture():
    """makemore's loop: a seeded generator, a row of counts, multinomial one at a time."""
    counts = np.random.default_rng(0).integers(0, 20, (27, 27))
    P = ag.tensor(counts).float() + 1
    P = P / P.sum(axis=1, keepdims=True)

    def sample(seed):
        g = ag.Generator().manual_seed(seed)
        out, ix = [], 0
        for _ in range(40):
            ix = ag.multinomial(P[ix], num_samples=1, replacement=True, generator=g).item()
            out.append(ix)
        return out

    assert sample(2147483647) == sample(2147483647) != sample(1)
    assert P[0].multinomial(1, generator=ag.Generator()).shape == (1,)


def test_docstring_examples_run():
    import doctest

    import autograd.random

    result = doctest.testmod(autograd.random, extraglobs={"ag": ag, "np": np})
    assert result.attempted >= 10 and result.failed == 0
