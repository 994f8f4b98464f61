"""Functional transforms built on ``engine.grad``: ``jacobian``, ``hessian``, ``vjp``, ``jvp``,
``hvp``.

Shapes and conventions follow ``torch.autograd.functional``: ``func`` takes one Tensor or a
tuple of them and returns a Tensor or a tuple; results mirror that structure. The inputs are
detached copies inside (so ``func`` sees fresh leaves), unless ``create_graph=True``, in which
case the results stay differentiable with respect to the original inputs.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from ._tensor import Tensor, _wrap
from .engine import grad
from .mode import enable_grad
from .ops import reshape, stack


def _as_tuple(x, what: str, fname: str) -> tuple[bool, tuple]:
    is_tuple = isinstance(x, (tuple, list))
    xs = tuple(x) if is_tuple else (x,)
    for i, t in enumerate(xs):
        if not isinstance(t, Tensor):
            raise TypeError(f"{fname}: {what} {i} must be a Tensor, got {type(t).__name__}")
    return is_tuple, xs


def _prepare(inputs, create_graph: bool, fname: str) -> tuple[bool, tuple]:
    is_tuple, xs = _as_tuple(inputs, "input", fname)
    prepared = []
    for i, x in enumerate(xs):
        if x.dtype.kind != "f":
            raise TypeError(f"{fname}: input {i} must be floating point, got dtype {x.dtype}")
        if create_graph and x.requires_grad:
            prepared.append(reshape(x, x.shape))  # a non-leaf still connected to x
        else:
            prepared.append(_wrap(x._data).requires_grad_())
    return is_tuple, tuple(prepared)


def _outputs(func: Callable, xs: tuple, fname: str) -> tuple[bool, tuple]:
    return _as_tuple(func(*xs), "output", fname)


def _zeros_for(gs, xs) -> tuple:
    return tuple(_wrap(np.zeros_like(x._data)) if g is None else g for g, x in zip(gs, xs))


def _finish(ts: tuple, create_graph: bool, is_tuple: bool):
    ts = tuple(t if create_graph else t.detach() for t in ts)
    return ts if is_tuple else ts[0]


def _cotangents(v, outs: tuple, fname: str) -> list:
    if v is None:
        for o in outs:
            if o.size != 1:
                raise RuntimeError(f"{fname}: v must be given when the output is not a single "
                                   f"element (output shape {o.shape})")
        return [None] * len(outs)
    _, vs = _as_tuple(v, "v", fname)
    if len(vs) != len(outs):
        raise ValueError(f"{fname}: got {len(vs)} vectors v for {len(outs)} outputs")
    for i, (t, o) in enumerate(zip(vs, outs)):
        if t.shape != o.shape:
            raise ValueError(f"{fname}: v {i} has shape {t.shape} but output {i} has shape "
                             f"{o.shape}")
    return list(vs)


def vjp(func: Callable, inputs, v=None, create_graph: bool = False):
    """The vector-Jacobian product ``vᵀ J`` of ``func`` at ``inputs``.

    Parameters
    ----------
    func : callable taking Tensors, returning a Tensor or a tuple of Tensors
    inputs : Tensor or tuple of Tensors
    v : Tensor or tuple shaped like the outputs (may be omitted for a single-element output)
    create_graph : keep the result differentiable with respect to ``inputs``

    Returns
    -------
    ``(outputs, vjp)``, with ``vjp`` shaped like ``inputs``.

    Examples
    --------
    >>> out, g = ag.vjp(lambda x: x ** 2, ag.tensor([1.0, 2.0]), ag.tensor([1.0, 1.0]))
    >>> g                                                    # 2x
    Tensor([2., 4.])
    """
    with enable_grad():
        in_tuple, xs = _prepare(inputs, create_graph, "vjp")
        out_tuple, outs = _outputs(func, xs, "vjp")
        vs = _cotangents(v, outs, "vjp")
        pairs = [(o, g) for o, g in zip(outs, vs) if o.requires_grad]
        gs = [None] * len(xs)
        if pairs:
            gs = grad([o for o, _ in pairs], xs, grad_outputs=[g for _, g in pairs],
                      create_graph=create_graph, allow_unused=True)
        return (_finish(outs, create_graph, out_tuple),
                _finish(_zeros_for(gs, xs), create_graph, in_tuple))


def jvp(func: Callable, inputs, v=None, create_graph: bool = False):
    """The Jacobian-vector product ``J v`` of ``func`` at ``inputs`` (forward-mode result).

    Computed by the double-vjp trick: ``g(u) = uᵀJ`` is linear in a dummy cotangent ``u``,
    so the vjp of ``g`` with ``v`` is ``J v``; two backward passes, no Jacobian.

    Parameters
    ----------
    v : Tensor or tuple shaped like ``inputs`` (may be omitted for a single-element input)

    Returns
    -------
    ``(outputs, jvp)``, with ``jvp`` shaped like the outputs.

    Examples
    --------
    >>> _, jv = ag.jvp(lambda x: x ** 2, ag.tensor([1.0, 2.0]), ag.tensor([1.0, 1.0]))
    >>> jv                                                   # 2x · v
    Tensor([2., 4.])
    """
    with enable_grad():
        in_tuple, xs = _prepare(inputs, create_graph, "jvp")
        vs = _input_directions(v, xs, "jvp")
        out_tuple, outs = _outputs(func, xs, "jvp")
        live = [o for o in outs if o.requires_grad]
        us = [_wrap(np.zeros_like(o._data)).requires_grad_() for o in live]
        result = {}
        if live:
            gs = grad(live, xs, grad_outputs=us, create_graph=True, allow_unused=True)
            pairs = [(g, t) for g, t in zip(gs, vs) if g is not None and g.requires_grad]
            if pairs:
                jv = grad([g for g, _ in pairs], us, grad_outputs=[t for _, t in pairs],
                          create_graph=create_graph, allow_unused=True)
                result = {id(o): j for o, j in zip(live, jv)}
        jvs = tuple(result.get(id(o)) for o in outs)
        return (_finish(outs, create_graph, out_tuple),
                _finish(_zeros_for(jvs, outs), create_graph, out_tuple))


def _input_directions(v, xs: tuple, fname: str) -> tuple:
    """The vectors ``v`` (one per input, each shaped like it); ones for one-element inputs."""
    if v is None:
        if any(x.size != 1 for x in xs):
            raise RuntimeError(f"{fname}: v must be given unless every input has one element")
        return tuple(_wrap(np.ones_like(x._data)) for x in xs)
    _, vs = _as_tuple(v, "v", fname)
    _check_like(vs, xs, fname)
    return vs


def _check_like(vs: tuple, xs: tuple, fname: str) -> None:
    if len(vs) != len(xs):
        raise ValueError(f"{fname}: got {len(vs)} vectors v for {len(xs)} inputs")
    for i, (t, x) in enumerate(zip(vs, xs)):
        if t.shape != x.shape:
            raise ValueError(f"{fname}: v {i} has shape {t.shape} but input {i} has shape "
                             f"{x.shape}")


def jacobian(func: Callable, inputs, create_graph: bool = False):
    """The Jacobian of ``func`` at ``inputs``: one backward pass per output element.

    Returns
    -------
    For one input and one output, a Tensor of shape ``output.shape + input.shape``; with a
    tuple of inputs and/or outputs, (nested) tuples ``J[i][j]`` for output ``i`` and input
    ``j``, as ``torch.autograd.functional.jacobian``.

    Examples
    --------
    >>> ag.jacobian(lambda x: x * x, ag.tensor([1.0, 2.0]))
    Tensor([[2., 0.],
            [0., 4.]])
    """
    with enable_grad():
        in_tuple, xs = _prepare(inputs, create_graph, "jacobian")
        out_tuple, outs = _outputs(func, xs, "jacobian")
        result = []
        for o in outs:
            rows: list[list] = [[] for _ in xs]
            for k in range(o.size if o.requires_grad else 0):
                seed = np.zeros(o.size, dtype=o.dtype)
                seed[k] = 1
                gs = grad(o, xs, grad_outputs=_wrap(seed.reshape(o.shape)), retain_graph=True,
                          create_graph=create_graph, allow_unused=True)
                for r, g in zip(rows, _zeros_for(gs, xs)):
                    r.append(g)
            blocks = []
            for r, x in zip(rows, xs):
                if r:
                    blocks.append(reshape(stack(r), o.shape + x.shape))
                else:  # the output does not depend on any input
                    blocks.append(_wrap(np.zeros(o.shape + x.shape, dtype=x.dtype)))
            result.append(_finish(tuple(blocks), create_graph, in_tuple))
        return tuple(result) if out_tuple else result[0]


def _scalar_gradient(func: Callable, fname: str) -> Callable:
    """``x -> grad(func(x), x)`` with its graph recorded, for one of the outputs being scalar."""

    def gradient(*xs):
        out_tuple, outs = _outputs(func, xs, fname)
        if out_tuple or outs[0].size != 1:
            shape = outs[0].shape if not out_tuple else f"a tuple of {len(outs)}"
            raise RuntimeError(f"{fname}: func must return a single-element Tensor, got {shape}")
        if not outs[0].requires_grad:
            return tuple(_wrap(np.zeros_like(x._data)) for x in xs)
        gs = grad(outs[0].reshape(()), xs, create_graph=True, allow_unused=True)
        return _zeros_for(gs, xs)

    return gradient


def hessian(func: Callable, inputs, create_graph: bool = False):
    """The Hessian of a scalar ``func`` at ``inputs``: the Jacobian of its gradient.

    Returns
    -------
    For one input, a Tensor of shape ``input.shape + input.shape``; for a tuple of inputs, a
    tuple of tuples ``H[i][j]`` of shape ``inputs[i].shape + inputs[j].shape``.

    Examples
    --------
    >>> ag.hessian(lambda x: (x ** 3).sum(), ag.tensor([1.0, 2.0]))   # diag(6x)
    Tensor([[ 6.,  0.],
            [ 0., 12.]])
    """
    is_tuple, xs = _as_tuple(inputs, "input", "hessian")
    gradient = _scalar_gradient(func, "hessian")
    h = jacobian(gradient, xs, create_graph=create_graph)
    return h if is_tuple else h[0][0]


def hvp(func: Callable, inputs, v=None, create_graph: bool = False):
    """The Hessian-vector product ``H v`` of a scalar ``func``, without forming ``H``.

    Two backward passes (the double-backward trick): ``g = ∇f(x)`` recorded, then
    ``∇(g · v) = H v`` (``H`` is symmetric), so the cost is a small multiple of one gradient.

    Returns
    -------
    ``(func_output, hvp)``, with ``hvp`` shaped like ``inputs``.

    Examples
    --------
    >>> _, hv = ag.hvp(lambda x: (x ** 3).sum(), ag.tensor([1.0, 2.0]), ag.tensor([1.0, 1.0]))
    >>> hv                                                     # 6x · v
    Tensor([ 6., 12.])
    """
    with enable_grad():
        in_tuple, xs = _prepare(inputs, create_graph, "hvp")
        vs = _input_directions(v, xs, "hvp")
        out_tuple, outs = _outputs(func, xs, "hvp")
        if out_tuple or outs[0].size != 1:
            raise RuntimeError(f"hvp: func must return a single-element Tensor, got shape "
                               f"{outs[0].shape if not out_tuple else 'a tuple'}")
        out = outs[0]
        hv = [None] * len(xs)
        if out.requires_grad:
            gs = grad(out.reshape(()), xs, create_graph=True, allow_unused=True)
            dot = None
            for g, t in zip(gs, vs):
                if g is not None and g.requires_grad:
                    term = (g * t).sum()
                    dot = term if dot is None else dot + term
            if dot is not None:
                hv = grad(dot, xs, create_graph=create_graph, allow_unused=True)
        return (_finish((out,), create_graph, False),
                _finish(_zeros_for(hv, xs), create_graph, in_tuple))
