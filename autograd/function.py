"""``Function``: user-defined ops, recorded like the built-in ones.

Subclass it and declare a ``forward`` on numpy arrays and a ``backward`` in Tensor ops (so the
backward is itself differentiable and higher derivatives work); call it with ``.apply``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ._tensor import Tensor, _wrap, record


class Context:
    """The ``ctx`` passed to ``forward`` and ``backward``: a place to keep what backward needs.

    ``save_for_backward(*arrays)`` keeps arrays; in ``backward``, ``saved_tensors`` gives them
    back as Tensors, connected to the graph when they are an input's array or the output's
    (so a backward written with them is differentiable). Any other attribute may be set too.
    ``needs_input_grad`` tells, per forward argument, whether its gradient is wanted.
    """

    def __init__(self, inputs: tuple, needs_input_grad: tuple) -> None:
        self._inputs = inputs
        self._saved: tuple = ()
        self._output: Tensor | None = None
        self._raw_output = None
        self.needs_input_grad = needs_input_grad

    def save_for_backward(self, *arrays) -> None:
        """Keep ``arrays`` (inputs, the output, or anything else) for ``backward``."""
        self._saved = arrays

    @property
    def saved_tensors(self) -> tuple:
        """The saved arrays as Tensors: an input's or the output's array as that Tensor (so
        a backward computed from it is differentiable), any other array as a constant."""
        return tuple(self._as_tensor(a) for a in self._saved)

    def _as_tensor(self, a) -> Any:
        if a is None or isinstance(a, Tensor):
            return a
        for t in self._inputs:
            if isinstance(t, Tensor) and t._data is a:
                return t
        if self._output is not None and (a is self._output._data or a is self._raw_output):
            return self._output  # (numpy gives scalars for 0-d results: the raw one counts)
        return _wrap(np.asarray(a))


class Function:
    """Base class for custom differentiable ops (like ``torch.autograd.Function``).

    Define two static methods:

    - ``forward(ctx, *args)``: ``args`` are numpy arrays where Tensors were passed (other
      arguments as given); returns one numpy array.
    - ``backward(ctx, grad)``: ``grad`` is a Tensor shaped like the output; returns one
      gradient per forward argument (a Tensor, or None), computed with Tensor ops so that it
      is differentiable in turn.

    Examples
    --------
    >>> class Softplus(ag.Function):
    ...     @staticmethod
    ...     def forward(ctx, x):
    ...         ctx.save_for_backward(x)
    ...         return np.logaddexp(0.0, x)            # log(1 + e^x), no overflow
    ...     @staticmethod
    ...     def backward(ctx, grad):
    ...         (x,) = ctx.saved_tensors
    ...         return grad * ag.sigmoid(x)
    >>> x = ag.tensor([-800.0, 0.0, 800.0], requires_grad=True)
    >>> Softplus.apply(x).sum().backward(); x.grad
    Tensor([0. , 0.5, 1. ])
    """

    @staticmethod
    def forward(ctx: Context, *args: Any) -> np.ndarray:
        """Compute the result from numpy arrays (Tensor arguments arrive as their arrays)."""
        raise NotImplementedError("a Function subclass must define forward(ctx, *args)")

    @staticmethod
    def backward(ctx: Context, grad: Tensor):
        """Return one gradient per ``forward`` argument (Tensor ops, or None), given ``grad``."""
        raise NotImplementedError("a Function subclass must define backward(ctx, grad)")

    @classmethod
    def apply(cls, *args: Any) -> Tensor:
        """Run ``forward`` on the arrays of ``args`` and record the result for backward."""
        ctx = Context(args, tuple(isinstance(a, Tensor) and a._requires_grad for a in args))
        data = ctx._raw_output = cls.forward(
            ctx, *(a._data if isinstance(a, Tensor) else a for a in args))
        if isinstance(data, Tensor):
            raise TypeError(f"{cls.__name__}.forward must return a numpy array, got a Tensor "
                            "(it runs on arrays: use numpy functions inside it)")
        data = np.asarray(data)
        positions = tuple(i for i, a in enumerate(args) if isinstance(a, Tensor))
        name = cls.__name__

        def backward(g: Tensor, out: Tensor) -> tuple:
            ctx._output = out
            try:
                grads = cls.backward(ctx, g)
            finally:
                ctx._output = None  # no reference cycle out -> node -> closure -> out
            grads = grads if isinstance(grads, tuple) else (grads,)
            if len(grads) != len(ctx._inputs):
                raise RuntimeError(f"{name}.backward returned {len(grads)} gradient(s), "
                                   f"expected {len(ctx._inputs)} (one per forward argument)")
            result = []
            for i in positions:
                gi = grads[i]
                if gi is not None and not isinstance(gi, Tensor):
                    gi = _wrap(np.asarray(gi))
                if gi is not None and gi.shape != ctx._inputs[i].shape:
                    _check_shape(name, i, gi.shape, ctx._inputs[i].shape)
                result.append(gi)
            return tuple(result)

        if ctx.needs_input_grad and any(ctx.needs_input_grad) and data.dtype.kind not in "fc":
            raise TypeError(f"{name}.forward returned dtype {data.dtype}; an op with gradients "
                            "must return floating point")
        return record(data, tuple(args[i] for i in positions), name + "Backward", backward)


def _check_shape(name: str, i: int, grad_shape: tuple, input_shape: tuple) -> None:
    """A gradient may have the input's shape or a shape it broadcasts to (summed back)."""
    try:
        ok = np.broadcast_shapes(grad_shape, input_shape) == grad_shape
    except ValueError:
        ok = False
    if not ok:
        raise RuntimeError(f"{name}.backward: the gradient for argument {i} has shape "
                           f"{grad_shape}, but that argument has shape {input_shape}")
