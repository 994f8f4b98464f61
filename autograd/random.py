"""Random sampling: seedable generators and the functions that draw from them, as PyTorch's.

Every sampling function takes ``generator=``: an ``ag.Generator`` (seeded with
``manual_seed``), or None for the default generator, which ``ag.manual_seed`` seeds and which
``nn.init`` and dropout draw from too. Same seed, same numbers::

    g = ag.Generator().manual_seed(2147483647)
    W = ag.randn(27, 27, generator=g)
    ix = ag.multinomial(probs, num_samples=1, replacement=True, generator=g).item()

A Generator wraps a numpy ``Generator`` (PCG64); reseeding keeps the same numpy object, so a
reference taken with ``default_generator()`` stays valid.
"""

from __future__ import annotations

import operator
from typing import Any

import numpy as np

from ._tensor import Tensor, get_default_dtype
from ._trace import trace
from .typing import DTypeLike, TensorLike

__all__ = ["Generator", "default_generator", "manual_seed", "initial_seed", "get_rng_state",
           "set_rng_state", "randn", "rand", "randint", "randperm", "multinomial"]

_DEFAULT_SEED = 67280421310721  # a fresh torch.Generator() starts from this seed too
_SEED_RANGE = (-0x8000_0000_0000_0000, 0xFFFF_FFFF_FFFF_FFFF)


def _as_seed(seed: Any) -> int:
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise TypeError(f"manual_seed: seed must be an int, got {type(seed).__name__}")
    seed = int(seed)
    if not _SEED_RANGE[0] <= seed <= _SEED_RANGE[1]:
        raise ValueError(f"manual_seed: seed must be within the range [{_SEED_RANGE[0]}, "
                         f"{_SEED_RANGE[1]}], got {seed}")
    return seed % (1 << 64)  # negative seeds wrap around, as in PyTorch


class Generator:
    """A source of random numbers that ``manual_seed`` makes reproducible (``torch.Generator``).

    A new Generator starts from PyTorch's default seed, so two fresh generators give the same
    numbers; ``manual_seed(n)`` reseeds it and returns it. ``rng`` is the numpy Generator
    behind it, for drawing anything numpy can.

    Examples
    --------
    >>> g = ag.Generator().manual_seed(42)
    >>> a = ag.rand(3, generator=g)
    >>> b = ag.rand(3, generator=ag.Generator().manual_seed(42))
    >>> a.tolist() == b.tolist()
    True
    """

    __slots__ = ("rng", "_seed")

    def __init__(self) -> None:
        self._seed = _DEFAULT_SEED
        self.rng = np.random.default_rng(_DEFAULT_SEED)

    def manual_seed(self, seed: int) -> Generator:
        """Reseed with ``seed`` (an int, negative ones wrap as in PyTorch); returns ``self``."""
        self._seed = _as_seed(seed)
        self.rng.bit_generator.state = np.random.PCG64(self._seed).state
        return self

    def seed(self) -> int:
        """Reseed from the operating system's entropy; returns the new seed."""
        seed = int(np.random.SeedSequence().entropy) % (1 << 64)  # type: ignore[arg-type]
        self.manual_seed(seed)
        return seed

    def initial_seed(self) -> int:
        """The seed this generator was last seeded with."""
        return self._seed

    def get_state(self) -> dict:
        """A copy of the generator's state (restore it with ``set_state``)."""
        return _copy_state(self.rng.bit_generator.state)  # type: ignore[arg-type]

    def set_state(self, state: dict) -> Generator:
        """Continue from a state that ``get_state`` returned; returns ``self``."""
        self.rng.bit_generator.state = _copy_state(state)
        return self

    def __repr__(self) -> str:
        return f"Generator(initial_seed={self._seed})"


def _copy_state(state: dict) -> dict:
    return {k: (_copy_state(v) if isinstance(v, dict) else v) for k, v in state.items()}


_default = Generator()
_default.seed()  # the default generator starts unseeded: call ag.manual_seed for repeatability


def default_generator() -> np.random.Generator:
    """The numpy Generator behind the default ``ag.Generator``: what ``randn``/``rand`` without
    ``generator=``, ``nn.init`` and dropout draw from, seeded by ``ag.manual_seed``. Use it in
    your own layers so that one seed reproduces a run. Reseeding keeps the object.

    Examples
    --------
    >>> _ = ag.manual_seed(0); a = ag.default_generator().random()
    >>> _ = ag.manual_seed(0); a == ag.default_generator().random()
    True
    """
    if trace.on:
        trace.refuse("the function draws random numbers")
    return _default.rng


def manual_seed(seed: int) -> Generator:
    """Seed the default generator (``randn``, ``rand``, ..., ``nn`` initialisation and
    dropout); returns it.

    Examples
    --------
    >>> _ = ag.manual_seed(0); a = ag.randn(2)
    >>> _ = ag.manual_seed(0); b = ag.randn(2)
    >>> a.tolist() == b.tolist()
    True
    """
    return _default.manual_seed(seed)


def initial_seed() -> int:
    """The seed the default generator was last seeded with."""
    return _default.initial_seed()


def get_rng_state() -> dict:
    """A copy of the default generator's state."""
    return _default.get_state()


def set_rng_state(state: dict) -> None:
    """Restore the default generator's state from ``get_rng_state()``."""
    _default.set_state(state)


def _rng(generator: Generator | None, fname: str) -> np.random.Generator:
    if trace.on:
        trace.refuse("the function draws random numbers")
    if generator is None:
        return _default.rng
    if not isinstance(generator, Generator):
        raise TypeError(f"{fname}: generator must be an ag.Generator or None, got "
                        f"{type(generator).__name__}")
    return generator.rng


def _size(size: tuple, fname: str) -> tuple:
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = tuple(size[0])
    try:
        size = tuple(operator.index(s) for s in size)
    except TypeError:
        raise TypeError(f"{fname}: size must be ints or one tuple of ints, got {size!r}") \
            from None
    if any(s < 0 for s in size):
        raise RuntimeError(f"{fname}: negative dimension in size {size}")
    return size


def _float(dtype, fname: str) -> np.dtype:
    dt = get_default_dtype() if dtype is None else np.dtype(dtype)
    if dt.kind != "f":
        raise TypeError(f"{fname}: dtype must be a floating dtype, got {dt}")
    return dt


def randn(*size: Any, generator: Generator | None = None, requires_grad: bool = False,
          dtype: DTypeLike | None = None) -> Tensor:
    """Samples of the standard normal distribution: ``ag.randn(2, 3)`` or ``ag.randn((2, 3))``.

    Examples
    --------
    >>> g = ag.Generator().manual_seed(2147483647)
    >>> ag.randn(27, 27, generator=g).shape
    (27, 27)
    """
    data = _rng(generator, "randn").standard_normal(_size(size, "randn"))
    return Tensor(data.astype(_float(dtype, "randn")), requires_grad=requires_grad)


def rand(*size: Any, generator: Generator | None = None, requires_grad: bool = False,
         dtype: DTypeLike | None = None) -> Tensor:
    """Samples of the uniform distribution on [0, 1): ``ag.rand(2, 3)`` or ``ag.rand((2, 3))``.

    Examples
    --------
    >>> ag.rand(4, generator=ag.Generator().manual_seed(0)).shape
    (4,)
    """
    data = _rng(generator, "rand").random(_size(size, "rand"))
    return Tensor(data.astype(_float(dtype, "rand")), requires_grad=requires_grad)


def randint(*args: Any, size: Any = None, low: int | None = None, high: int | None = None,
            generator: Generator | None = None,
            dtype: DTypeLike | None = np.int64) -> Tensor:
    """Integers drawn uniformly from ``[low, high)``: ``randint(high, size)`` or
    ``randint(low, high, size)``, as ``torch.randint`` (``low`` defaults to 0).

    Examples
    --------
    >>> ix = ag.randint(0, 10, (32,), generator=ag.Generator().manual_seed(0))
    >>> ix.shape, ix.dtype
    ((32,), dtype('int64'))
    """
    args = list(args)  # type: ignore[assignment]
    if size is None and args and isinstance(args[-1], (tuple, list)):
        size = args.pop()  # type: ignore[attr-defined]
    if len(args) == 2 and low is None and high is None:
        low, high = args
    elif len(args) == 1 and high is None:
        high = args[0]
    elif args:
        raise TypeError("randint(low=0, high, size): got too many positional arguments "
                        f"{tuple(args)!r}")
    if high is None or size is None:
        raise TypeError("randint(low=0, high, size): 'high' and 'size' are required")
    low = 0 if low is None else low
    try:
        low, high = operator.index(low), operator.index(high)
    except TypeError:
        raise TypeError(f"randint: low and high must be ints, got {low!r} and {high!r}") \
            from None
    if low >= high:
        raise RuntimeError(f"randint: expects 'low' to be less than 'high', but got "
                           f"low={low} >= high={high}")
    shape = _size((size,) if isinstance(size, (int, np.integer)) else tuple(size), "randint")
    data = _rng(generator, "randint").integers(low, high, shape, dtype=np.int64)
    return Tensor(data.astype(dtype, copy=False))


def randperm(n: int, generator: Generator | None = None,
             dtype: DTypeLike | None = np.int64) -> Tensor:
    """A random permutation of ``0, 1, ..., n-1``.

    Examples
    --------
    >>> sorted(ag.randperm(5, generator=ag.Generator().manual_seed(0)).tolist())
    [0, 1, 2, 3, 4]
    """
    try:
        n = operator.index(n)
    except TypeError:
        raise TypeError(f"randperm: n must be an int, got {type(n).__name__}") from None
    if n < 0:
        raise RuntimeError(f"randperm: n must be non-negative, got {n}")
    data = _rng(generator, "randperm").permutation(n)
    return Tensor(data.astype(dtype, copy=False))


def multinomial(input: TensorLike, num_samples: int, replacement: bool = False,
                generator: Generator | None = None) -> Tensor:
    """Indices drawn from the categorical distribution(s) in each row of ``input``.

    ``input`` (1-D, or 2-D with one distribution per row) holds non-negative weights, not
    necessarily summing to one. Without ``replacement`` no index repeats within a row (and a
    zero-weight category is never drawn); the samples come in the order a sequential draw
    would give them. Errors as in PyTorch: negative, infinite or NaN weights, a row of zeros,
    or more samples than categories without replacement.

    Returns an int64 Tensor of shape ``(num_samples,)`` or ``(rows, num_samples)``.

    Examples
    --------
    >>> g = ag.Generator().manual_seed(2147483647)
    >>> p = ag.tensor([0.6, 0.3, 0.1])
    >>> ag.multinomial(p, num_samples=5, replacement=True, generator=g).shape
    (5,)
    """
    w = np.asarray(input.data if isinstance(input, Tensor) else input)
    if w.dtype.kind not in "biuf":
        raise TypeError(f"multinomial: weights must be real numbers, got dtype {w.dtype}")
    w = w.astype(np.float64)
    if w.ndim not in (1, 2):
        raise RuntimeError(f"multinomial: prob_dist must be 1 or 2 dim, got {w.ndim} dims "
                           f"(shape {w.shape})")
    try:
        k = operator.index(num_samples)
    except TypeError:
        raise TypeError(f"multinomial: num_samples must be an int, got "
                        f"{type(num_samples).__name__}") from None
    n = w.shape[-1]
    if k <= 0:
        raise RuntimeError(f"multinomial: cannot sample n_sample <= 0 samples (got {k})")
    if not replacement and k > n:
        raise RuntimeError(f"multinomial: cannot sample n_sample > prob_dist.size(-1) samples "
                           f"without replacement (n_sample = {k}, {n} categories)")
    if not np.isfinite(w).all() or (w < 0).any():
        raise RuntimeError("multinomial: probability tensor contains either `inf`, `nan` or "
                           "element < 0")
    rows = w.reshape(-1, n)
    if n == 0 or (rows.sum(axis=1) <= 0).any():
        raise RuntimeError("multinomial: invalid multinomial distribution (sum of "
                           "probabilities <= 0)")
    if not replacement and ((rows > 0).sum(axis=1) < k).any():
        raise RuntimeError("multinomial: invalid multinomial distribution (with "
                           f"replacement=False, not enough categories with a positive "
                           f"probability to draw {k} samples)")
    rng = _rng(generator, "multinomial")
    out = np.empty((rows.shape[0], k), np.int64)
    for r, p in enumerate(rows):
        if replacement:  # inverse CDF: the first category whose cumulative weight exceeds u
            cdf = np.cumsum(p)
            cdf /= cdf[-1]
            out[r] = np.searchsorted(cdf, rng.random(k), side="right")
        else:  # the exponential race: the k largest p / Exp(1) are a sequential draw's order
            keys = p / rng.standard_exponential(n)
            out[r] = np.argsort(-keys, kind="stable")[:k]
    return Tensor(out.reshape(w.shape[:-1] + (k,)))


Tensor.multinomial = multinomial
