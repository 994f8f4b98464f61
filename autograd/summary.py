"""A few numbers that say what is in an array: what drawings show and what a freed graph keeps.

``Summary.of(arr)`` keeps the shape, the dtype and either the whole array (when it has at most
``TINY`` elements) or its mean, standard deviation and largest magnitude, with counts of NaN and
infinite elements. Drawings show it; a graph after ``backward()`` keeps the whole array of its
tiny intermediates and only the shape and dtype of the others (``Summary.freed``, see
``autograd.freed``).

The common case costs two numpy reductions, a sum and a dot product; only when those are not
finite (a NaN or an infinity somewhere) or cancel badly does it take the exact, slower route.
"""

from __future__ import annotations

import math

import numpy as np

TINY = 64  # arrays of at most this many elements are kept whole


def _num(x: float, digits: int = 4) -> str:
    return f"{x + 0.0:.{digits}g}"  # + 0.0 turns -0.0 into 0.0


class Summary:
    """Shape, dtype and a few statistics of an array (the array itself when it is tiny).

    Attributes
    ----------
    shape : tuple
    dtype : numpy dtype
    size : int
    values : ndarray or None
        A copy of the array when it has at most ``TINY`` elements, else None.
    mean, std : float or None
        Over the finite elements (None for booleans and when no element is finite).
    max_abs : float or None
        The largest magnitude, ``inf`` when some element is not finite (None when not asked).
    n_nan, n_inf, n_true : int
        NaN and infinite elements; true elements of a boolean array.
    gone : bool
        True for an array that was freed (``Summary.freed``): only shape and dtype are known.
    elsewhere : str or None
        The backend of an array whose values were not read (``"dask.array"``, ``"cupy"``).

    Examples
    --------
    >>> Summary.of(np.arange(1000.0)).text()
    'mean 500 std 289'
    """

    __slots__ = ("shape", "dtype", "size", "values", "mean", "std", "max_abs", "n_nan",
                 "n_inf", "n_true", "gone", "elsewhere")

    @classmethod
    def of(cls, arr: np.ndarray, magnitude: bool = True) -> Summary:
        """Summarise ``arr`` (any numpy array); ``magnitude=False`` skips ``max_abs``.

        Another backend's array is summarised by its shape and dtype alone: a drawing must not
        compute a lazy (dask) array or copy a GPU one.
        """
        if type(arr) is not np.ndarray and not isinstance(arr, np.generic):
            from .backend import backend_of, np_dtype

            s = cls.freed(tuple(arr.shape), np_dtype(arr.dtype))
            s.gone = False
            s.elsewhere = backend_of(arr).name
            return s
        s = cls.freed(arr.shape, arr.dtype)
        s.gone = False
        kind = arr.dtype.kind
        if arr.size == 0:
            s.max_abs = 0.0
            return s
        if arr.size <= TINY:
            s.values = np.array(arr)
        if kind == "b":
            s.n_true = int(np.count_nonzero(arr))
            s.max_abs = float(s.n_true > 0)
            return s
        if arr.size > TINY and kind == "f" and arr.itemsize >= 4:
            # the fast route: n, Σx and Σx² give the mean and variance of finite data
            flat = arr.reshape(-1)
            total = float(np.add.reduce(flat))
            squares = float(np.vdot(flat, flat))
            mean = total / arr.size
            var = squares / arr.size - mean * mean
            # unless a NaN or an infinity is there, or Σx² - n·mean² cancels most digits
            if var > 1e-4 * squares / arr.size and math.isfinite(squares):
                s.mean, s.std = mean, math.sqrt(var)
                if magnitude:
                    s.max_abs = float(max(np.max(flat), -np.min(flat)))
                return s
        s._exact(arr)
        return s

    @classmethod
    def freed(cls, shape: tuple, dtype) -> Summary:
        """The summary of an array that is gone: only its shape and dtype are known."""
        s = object.__new__(cls)
        s.gone = True
        s.shape, s.dtype, s.size = tuple(shape), np.dtype(dtype), math.prod(shape)
        s.values = s.mean = s.std = s.max_abs = s.elsewhere = None
        s.n_nan = s.n_inf = s.n_true = 0
        return s

    def _exact(self, arr: np.ndarray) -> None:
        a = arr.astype(np.complex128 if arr.dtype.kind == "c" else np.float64, copy=False)
        finite = np.isfinite(a)
        if arr.dtype.kind in "fc":
            self.n_nan = int(np.isnan(a).sum())
            self.n_inf = int(a.size - finite.sum() - self.n_nan)
        good = a[finite]
        if good.size:
            self.mean, self.std = float(np.real(good.mean())), float(good.std())
        self.max_abs = math.inf if not finite.all() else float(np.abs(a).max())

    # ------------------------------------------------------------------ text

    def text(self) -> str:
        """A few characters that say what is in the array (``[1, 2]``, ``mean 0.5 std 2``)."""
        if self.gone:
            return "values freed"
        if self.elsewhere is not None:
            return f"{self.elsewhere}, not read"
        if self.size == 0:
            return "empty"
        if self.dtype.kind == "b":
            return f"{self.n_true} of {self.size} true"
        if self.values is not None:
            if self.size == 1:
                return _num(self.values.item())
            if self.size <= 4:
                return "[" + ", ".join(_num(x, 3) for x in self.values.ravel().tolist()) + "]"
        if self.mean is None:
            return "no finite values"
        return f"mean {_num(self.mean, 3)} std {_num(self.std, 3)}"

    def grad_text(self) -> str:
        """The text for a gradient: its values when there are at most four, else max|g|."""
        if self.size <= 4 or self.elsewhere is not None:
            return "grad " + self.text()
        return f"grad max|g| {_num(self.max_abs, 3)}"

    def nonfinite(self) -> str:
        """``"2 nan, 1 inf"``, or ``""`` when every element is finite."""
        parts = [f"{n} {what}" for n, what in ((self.n_nan, "nan"), (self.n_inf, "inf")) if n]
        return ", ".join(parts)

    def header(self) -> str:
        """``"scalar float32"`` or ``"(2, 3) float32"``."""
        return f"{'scalar' if len(self.shape) == 0 else str(tuple(self.shape))} {self.dtype}"

    def __repr__(self) -> str:
        return f"<Summary {self.header()}: {self.text()}>"
