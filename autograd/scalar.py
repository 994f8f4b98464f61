"""Value: the scalar engine. One Python float, its gradient, and how it was computed.

Every op computes its result and, right beside it, the local derivative of the result with
respect to each of its (one or two) parents, as plain floats. Backward is then the chain rule
written out: walk the graph from the output back to the inputs, and for every edge do

    parent.grad += (d out / d parent) * out.grad

A node stores its parents ``_a``, ``_b`` and those derivatives ``_da``, ``_db`` in slots: no
closure, no tuple, nothing but the Value itself per node. No node refers back to itself, so a
graph has no reference cycles and is freed by reference counting alone, and the cyclic garbage
collector has as few objects to chase as possible (micrograd spends most of its time there).
The walk order comes from the engine's iterative walk for such two-parent nodes (what
``autograd.engine.topological_order`` gives a Value graph: reachable nodes sorted by creation),
so graphs of any depth work; the same visit restarts each non-leaf gradient from zero.

>>> from autograd import Value
>>> a, b = Value(2.0), Value(-3.0)
>>> c = a * b + a.tanh()
>>> c.backward()
>>> a.grad, b.grad          # (b + 1 - tanh²(a), a)
(-2.9293491751468355, 2.0)
"""

from __future__ import annotations

import itertools
import math
import numbers
from typing import Any

import numpy as np

from .engine import _by_creation
from .mode import recording

_new = object.__new__
_next = itertools.count().__next__  # creation order: every Value comes after its parents

_FREED = ("Trying to backward through the graph a second time: the graph of this Value (op "
          "{op!r}) was freed by the previous backward(). Specify retain_graph=True if you need "
          "to backward through the graph a second time.")


def _ieee(fn, *args) -> float:
    """``fn`` on numpy float64: the IEEE answer (inf, nan) where Python's math would raise."""
    with np.errstate(all="ignore"):
        return float(fn(*(np.float64(a) for a in args)))


def _exp(x: float) -> float:
    try:
        return math.exp(x)
    except OverflowError:
        return math.inf


def _log(x: float) -> float:
    return math.log(x) if x > 0.0 else _ieee(np.log, x)  # log(0) = -inf, log(<0) = nan


def _div(a: float, b: float) -> float:
    return a / b if b else _ieee(np.divide, a, b)  # x/0 = ±inf, 0/0 = nan


def _pow(a: float, b: float) -> float:
    try:
        r = a ** b
    except (ZeroDivisionError, OverflowError):  # 0 ** -1, 10.0 ** 1000
        return _ieee(np.power, a, b)
    return r if type(r) is float else _ieee(np.power, a, b)  # (-8) ** (1/3) would be complex


def _number(x) -> float | None:
    """A Python or numpy real number as a float; None for anything else."""
    if isinstance(x, (float, int)) or isinstance(x, numbers.Real):
        return float(x)
    return None


def _dpow_base(a: float, b: float) -> float:
    """d(a^b)/da = b·a^(b-1), taken as 0 where b == 0 (as PyTorch, even at a == 0)."""
    return b * _pow(a, b - 1.0) if b != 0.0 else 0.0


def _dpow_exponent(a: float, b: float, out: float) -> float:
    """d(a^b)/db = a^b·log(a), taken as 0 where a == 0 and b >= 0 (as PyTorch)."""
    if a == 0.0 and b >= 0.0:
        return 0.0
    return out * _log(a)


def _node(data: float, op: str, a: Value, da: float, b: Value | None = None,
          db: float = 0.0) -> Value:
    """A new result ``data`` of ``op`` on parents ``a`` (and ``b``), with d(data)/da (and /db)."""
    out = _new(Value)
    out.data = data
    out.grad = 0.0
    out._op = op
    out._a = a
    out._da = da
    out._b = b
    out._db = db
    out.label = ""
    out._i = _next()
    return out if recording() else _unrecorded(out)


def _unrecorded(v: Value) -> Value:
    """``v`` as a leaf: under ``ag.no_grad()`` an op records nothing."""
    v._op = ""
    v._a = v._b = None
    v._da = v._db = 0.0
    return v


class Value:
    """A scalar that records the operations applied to it, for reverse-mode differentiation.

    Parameters
    ----------
    data : float
        The value (any real number; stored as a Python float).
    label : str, optional
        A name shown by ``repr`` and by ``ag.draw``.

    Attributes
    ----------
    data, grad : float
        The value and, after ``backward()``, d(output)/d(this value). Leaves accumulate
        ``grad`` across backward calls (set it to 0.0 to reset); a non-leaf holds the gradient
        of the latest backward pass through it.
    _parents : tuple of Value
        The operands this value was computed from, in order (``()`` for a leaf).
    _local : tuple of float
        d(data)/d(parent) for each parent, computed in the forward pass (None once freed).
    _op : str
        The op that made this value (``""`` for a leaf): ``"+" "-" "*" "/" "**" "neg" "exp"
        "log" "tanh" "relu" "sigmoid"``. A Python number operand is a constant, not a parent.

    Examples
    --------
    >>> x = Value(3.0, label="x")
    >>> y = (x ** 2 + 1).log()
    >>> y.backward()
    >>> x.grad                  # 2x / (x² + 1)
    0.6000000000000001
    >>> Value(1.0) == Value(1.0), Value(1.0) < 2     # compared as floats, hashed by identity
    (True, True)
    """

    __slots__ = ("data", "grad", "_a", "_da", "_b", "_db", "_op", "label", "_i", "__weakref__")
    __array_ufunc__ = None  # numpy scalars on the left defer to our reflected operators

    _a: Value | None
    _b: Value | None

    def __array__(self, dtype=None, copy=None):
        # what a Tensor op (or np.asarray) would call to turn a Value into data
        raise TypeError("a Value (the scalar engine) cannot be combined with a Tensor or made "
                        "into an array: the two engines' graphs do not connect. Use v.data (a "
                        "float) for a constant, or build the computation with Tensors only")

    def __init__(self, data: float, label: str = "") -> None:
        if isinstance(data, Value):
            raise TypeError("Value(x): x must be a real number, got a Value; use x.data to "
                            "copy its number into a new leaf")
        value = _number(data)
        if value is None:
            raise TypeError(f"Value(x): x must be a real number, got {type(data).__name__}")
        if not isinstance(label, str):
            raise TypeError(f"Value(x, label): label must be a str, got {type(label).__name__} "
                            "(micrograd's Value(data, _children, _op) form is internal here)")
        self.data = value
        self.grad = 0.0
        self._op = ""
        self._a = self._b = None
        self._da = self._db = 0.0
        self.label = label
        self._i = _next()

    @property
    def _parents(self) -> tuple:
        a = self._a
        if a is None:
            return ()
        b = self._b
        return (a,) if b is None else (a, b)

    @property
    def _local(self) -> tuple | None:
        if self._a is None:
            return ()
        if self._da is None:
            return None
        return (self._da,) if self._b is None else (self._da, self._db)

    @property
    def is_leaf(self) -> bool:
        """True for a Value not computed by a recorded op (an input or a weight)."""
        return not self._op

    def __repr__(self) -> str:
        name = f"label={self.label!r}, " if self.label else ""
        return f"Value({name}data={self.data!r}, grad={self.grad!r})"

    # ----------------------------------------------------------------- comparisons
    # As floats: on ``data``, with a Value or a real number, giving Python bools (nothing is
    # recorded). The hash stays the identity, so Values are distinct keys of dicts and sets
    # (the graph walks key by ``id`` and never call ``==``).

    __hash__ = object.__hash__

    def __eq__(self, other) -> bool:
        o = other.data if isinstance(other, Value) else _number(other)
        return NotImplemented if o is None else self.data == o

    def __ne__(self, other) -> bool:
        o = other.data if isinstance(other, Value) else _number(other)
        return NotImplemented if o is None else self.data != o

    def __lt__(self, other) -> bool:
        o = other.data if isinstance(other, Value) else _number(other)
        return NotImplemented if o is None else self.data < o

    def __le__(self, other) -> bool:
        o = other.data if isinstance(other, Value) else _number(other)
        return NotImplemented if o is None else self.data <= o

    def __gt__(self, other) -> bool:
        o = other.data if isinstance(other, Value) else _number(other)
        return NotImplemented if o is None else self.data > o

    def __ge__(self, other) -> bool:
        o = other.data if isinstance(other, Value) else _number(other)
        return NotImplemented if o is None else self.data >= o

    # ----------------------------------------------------------------- arithmetic
    # Each op: its result, then d(result)/d(parent) for each parent, in the same call.

    def __add__(self, other) -> Value:
        if isinstance(other, Value):  # most nodes of any network: _node inlined, for speed
            out = _new(Value)
            out.data = self.data + other.data
            out.grad = 0.0
            out._op = "+"
            out._a = self
            out._da = 1.0  # d(a+b)/da
            out._b = other
            out._db = 1.0  # d(a+b)/db
            out.label = ""
            out._i = _next()
            return out if recording() else _unrecorded(out)
        c = _number(other)
        if c is None:
            return NotImplemented
        return _node(self.data + c, "+", self, 1.0)

    __radd__ = __add__

    def __sub__(self, other) -> Value:
        if isinstance(other, Value):
            return _node(self.data - other.data, "-", self, 1.0, other, -1.0)
        c = _number(other)
        if c is None:
            return NotImplemented
        return _node(self.data - c, "-", self, 1.0)

    def __rsub__(self, other) -> Value:  # c - a
        c = _number(other)
        if c is None:
            return NotImplemented
        return _node(c - self.data, "-", self, -1.0)

    def __mul__(self, other) -> Value:
        a = self.data
        if isinstance(other, Value):  # most nodes of any network: _node inlined, for speed
            b = other.data
            out = _new(Value)
            out.data = a * b
            out.grad = 0.0
            out._op = "*"
            out._a = self
            out._da = b  # d(ab)/da
            out._b = other
            out._db = a  # d(ab)/db
            out.label = ""
            out._i = _next()
            return out if recording() else _unrecorded(out)
        c = _number(other)
        if c is None:
            return NotImplemented
        return _node(a * c, "*", self, c)

    __rmul__ = __mul__

    def __truediv__(self, other) -> Value:
        a = self.data
        if isinstance(other, Value):
            b = other.data  # d(a/b)/da = 1/b, d(a/b)/db = -a/b²
            return _node(_div(a, b), "/", self, _div(1.0, b), other, -_div(a, b * b))
        c = _number(other)
        if c is None:
            return NotImplemented
        return _node(_div(a, c), "/", self, _div(1.0, c))

    def __rtruediv__(self, other) -> Value:  # c / a, d/da = -c/a²
        c = _number(other)
        if c is None:
            return NotImplemented
        a = self.data
        return _node(_div(c, a), "/", self, -_div(c, a * a))

    def __pow__(self, other) -> Value:
        a = self.data
        if isinstance(other, Value):
            b = other.data
            out = _pow(a, b)
            return _node(out, "**", self, _dpow_base(a, b), other, _dpow_exponent(a, b, out))
        b = _number(other)
        if b is None:
            return NotImplemented
        return _node(_pow(a, b), "**", self, _dpow_base(a, b))

    def __rpow__(self, other) -> Value:  # c ** a, d/da = c^a log(c)
        c = _number(other)
        if c is None:
            return NotImplemented
        out = _pow(c, self.data)
        return _node(out, "**", self, _dpow_exponent(c, self.data, out))

    def __neg__(self) -> Value:
        return _node(-self.data, "neg", self, -1.0)

    # ----------------------------------------------------------------- functions

    def exp(self) -> Value:
        """``e ** self``."""
        out = _exp(self.data)
        return _node(out, "exp", self, out)  # d e^a/da = e^a

    def log(self) -> Value:
        """Natural logarithm; ``log(0) = -inf`` and ``log(<0) = nan``, as in PyTorch."""
        a = self.data
        return _node(_log(a), "log", self, _div(1.0, a))  # d log(a)/da = 1/a

    def tanh(self) -> Value:
        """Hyperbolic tangent."""
        t = math.tanh(self.data)
        return _node(t, "tanh", self, 1.0 - t * t)  # d tanh(a)/da = 1 - tanh²(a)

    def relu(self) -> Value:
        """``max(self, 0)``; the gradient at 0 is 0, as in PyTorch."""
        a = self.data
        if a > 0.0:
            return _node(a, "relu", self, 1.0)
        return _node(0.0 if a <= 0.0 else a, "relu", self, 0.0)  # relu(nan) is nan

    def sigmoid(self) -> Value:
        """``1 / (1 + e ** -self)``, computed so that it never overflows."""
        a = self.data
        if a >= 0.0:
            s = 1.0 / (1.0 + math.exp(-a))
        else:
            e = math.exp(a)
            s = e / (1.0 + e)
        return _node(s, "sigmoid", self, s * (1.0 - s))  # σ' = σ(1-σ)

    # ----------------------------------------------------------------- backward

    def backward(self, retain_graph: bool = False) -> None:
        """Fill ``.grad`` of every value this one depends on with d(self)/d(that value).

        Parameters
        ----------
        retain_graph : bool
            Keep the graph so that another ``backward()`` can run through it. By default each
            node drops its local derivatives, so a second pass raises, as in PyTorch; the
            graph's shape, values and gradients stay, so it can still be drawn.

        Examples
        --------
        >>> a = Value(2.0)
        >>> b = a * a + a
        >>> b.backward()
        >>> a.grad                  # 2a + 1
        5.0
        """
        # the walk readies a fresh pass as it goes: every non-leaf gradient restarts from zero,
        # and a graph freed by an earlier pass raises before anything is propagated
        order = _by_creation((self,), fresh=_FREED)
        self.grad += 1.0
        for v in reversed(order):  # each node after all the nodes that use it
            a = v._a
            if a is not None:
                g = v.grad
                a.grad += v._da * g  # the chain rule: parent.grad += d(v)/d(parent) * v.grad
                b = v._b
                if b is not None:
                    b.grad += v._db * g
                if not retain_graph:  # free what backward needed; the shape stays, as Tensor's
                    v._da = None  # (the mark a second pass checks; _db alone is one float)


_parents: Any = Value._parents.fget
_parents.pair_slots = True  # topological_order reads _a and _b directly
