"""The op registry: every op declares itself here, once, with everything anything else needs.

``@op(...)`` records an ``OpDef`` for the decorated function: the Tensor methods and operators
it is bound to, the numpy ufuncs and functions it answers to, whether its backward reads saved
values (the in-place guard's question) and its local derivative as a formula (for the
explainer). ``autograd.ops`` generates the Tensor methods, the numpy dispatch tables and the
``autograd.*`` exports from ``OPS``; tests walk it so that no op exists without a gradient case.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Callable, TypeVar, overload

_SAVES = (None, "inputs", "output", "both")


@dataclass(eq=False)
class OpDef:
    """Every fact about one op, as its declaration states it.

    Attributes
    ----------
    name : the op's name (``ag.NAME``), ``node`` the name its graph nodes show
        (``"MulBackward"``).
    fn : the op itself.
    methods : Tensor method names bound to ``fn`` (or to ``method_adapter`` when given; a
        dict ``{method: adapter}`` gives some method names an adapter of their own).
    operator, reflected : the Python operator (``"__mul__"``) and its reflected form.
    inplace : the in-place method (``"mul_"``); ``operator``'s augmented form
        (``__imul__``) is bound to it too.
    ufuncs, functions : the numpy ufuncs / functions that dispatch to ``fn`` on Tensors. A
        ufunc of an optional library is given by name (``"scipy.special.gammaln"``) and bound
        once that library is imported (``autograd.bind.resolve_pending``).
    saves : what the backward reads besides shapes: ``"inputs"``, ``"output"``, ``"both"``
        or None. The in-place guard only checks ops that save something.
    formula : the local derivative, one string per parent (``"1 - tanh²(x)"``).
    composite : built from other ops (no node of its own, its derivative comes from them).
    differentiable : False for ops with no gradient (comparisons): results never require grad.
    export : whether ``autograd`` exports ``fn`` under ``name``.
    aliases : more names ``autograd`` exports ``fn`` under (numpy's ``mod`` for ``remainder``).
    namespace : the submodule the op is exported in instead of ``autograd`` itself
        (``"linalg"``: ``ag.linalg.inv``); the registry key is then ``"linalg.inv"``.
    numpy_args : numpy's parameter names that differ from the op's, ``{numpy: op}``
        (``{"a_min": "min"}``): numpy calls are bound to numpy's signature, then renamed.
    array_api : whether the op needs nothing outside the Array API standard, forward and
        backward, so that it runs on any standard array library (the test table proves it on
        ``array-api-strict``); False for ops that need a function outside it (special
        functions, ``einsum``), which run where the backend's table has it (numpy, dask, CuPy;
        tested on dask).
    replay : the op's forward as a function of arrays, for ``ag.compile``:
        ``replay(*parent_arrays, *attrs)`` returns the result's array, computed as the op
        computes it (bit for bit), where ``attrs`` are what the op passed to ``record``. An op
        whose backward also needs values from its forward (``out._ctx``) returns
        ``(array, ctx)`` and is declared with ``context=True``. The op's backward must read
        its values only through ``out`` (``out._data``, ``out._parents``, ``out._ctx``), never
        from arrays or tensors its closure holds (shapes and constants are fine): a replay
        runs it on each call's values.
    replay_backward : the op's backward as a function of arrays, for ``ag.compile``:
        ``replay_backward(g, needs, y, ctx, *parent_arrays, *attrs)`` returns one gradient
        array per parent (None where ``needs``, a tuple of bools, says a parent takes none),
        given the result's gradient ``g``, the result ``y`` and the kernel's ``ctx`` (None
        without ``context``): bit for bit what the op's backward computes when not recording,
        which calls it too. A compiled function whose ops all have one runs its backward as
        one straight-line function of arrays.
    """

    name: str
    fn: Callable[..., Any]
    node: str
    methods: tuple = ()
    method_adapter: Callable | dict | None = None
    operator: str | None = None
    reflected: str | None = None
    inplace: str | tuple[str, ...] | None = None
    ufuncs: tuple = ()
    functions: tuple = ()
    saves: str | None = "both"
    formula: tuple = ()
    composite: bool = False
    differentiable: bool = True
    export: bool = True
    aliases: tuple = ()
    namespace: str | None = None
    numpy_args: dict = field(default_factory=dict)
    array_api: bool = True
    replay: Callable[..., Any] | None = None
    context: bool = False
    replay_backward: Callable[..., Any] | None = None
    extra: dict = field(default_factory=dict)

    def __repr__(self) -> str:
        return f"<op {self.name}>"


OPS: dict[str, OpDef] = {}


def node_name(name: str) -> str:
    """``"log_softmax"`` -> ``"LogSoftmaxBackward"``, ``"linalg.inv"`` -> ``"LinalgInvBackward"``:
    PyTorch's node naming."""
    return "".join(part.capitalize() for part in re.split(r"[_.]+", name) if part) + "Backward"


def _tuple(x) -> tuple:
    if x is None:
        return ()
    return tuple(x) if isinstance(x, (tuple, list)) else (x,)


F = TypeVar("F", bound=Callable[..., Any])


@overload
def op(fn: None = None, /, *, name: str | None = None,
       method: str | tuple[str, ...] | None = None,
       method_adapter: Callable[..., Any] | dict[str, Callable[..., Any]] | None = None,
       operator: str | None = None, reflected: str | None = None,
       inplace: str | tuple[str, ...] | None = None, ufunc: Any = None, function: Any = None,
       saves: str | None = "both", formula: str | tuple[str, ...] | None = None,
       composite: bool = False, differentiable: bool = True, export: bool = True,
       node: str | None = None, alias: str | tuple[str, ...] | None = None,
       namespace: str | None = None, numpy_args: dict[str, str] | None = None,
       array_api: bool = True, replay: Callable[..., Any] | None = None,
       context: bool = False, replay_backward: Callable[..., Any] | None = None,
       **extra: Any) -> Callable[[F], F]: ...


@overload
def op(fn: F, /, *, name: str | None = None,
       method: str | tuple[str, ...] | None = None,
       method_adapter: Callable[..., Any] | dict[str, Callable[..., Any]] | None = None,
       operator: str | None = None, reflected: str | None = None,
       inplace: str | tuple[str, ...] | None = None, ufunc: Any = None, function: Any = None,
       saves: str | None = "both", formula: str | tuple[str, ...] | None = None,
       composite: bool = False, differentiable: bool = True, export: bool = True,
       node: str | None = None, alias: str | tuple[str, ...] | None = None,
       namespace: str | None = None, numpy_args: dict[str, str] | None = None,
       array_api: bool = True, replay: Callable[..., Any] | None = None,
       context: bool = False, replay_backward: Callable[..., Any] | None = None,
       **extra: Any) -> F: ...


def op(fn: Callable[..., Any] | None = None, /, *, name: str | None = None,
       method: str | tuple[str, ...] | None = None,
       method_adapter: Callable[..., Any] | dict[str, Callable[..., Any]] | None = None,
       operator: str | None = None, reflected: str | None = None,
       inplace: str | tuple[str, ...] | None = None, ufunc: Any = None, function: Any = None,
       saves: str | None = "both", formula: str | tuple[str, ...] | None = None,
       composite: bool = False, differentiable: bool = True, export: bool = True,
       node: str | None = None, alias: str | tuple[str, ...] | None = None,
       namespace: str | None = None, numpy_args: dict[str, str] | None = None,
       array_api: bool = True, replay: Callable[..., Any] | None = None,
       context: bool = False, replay_backward: Callable[..., Any] | None = None,
       **extra: Any) -> Any:
    """Declare an op: register ``fn`` with its bindings and facts (see ``OpDef``).

    A primitive op computes its forward on numpy arrays and ends with
    ``record(data, parents, fn, backward)``, its backward right below; a ``composite`` op is
    built from other ops and gets its derivative from them.

    Examples
    --------
    >>> @ag.op(method="cube", saves="inputs", formula="3·x²")
    ... def cube(x):
    ...     x = ag.as_tensor(x)
    ...     return ag.record(x.data ** 3, (x,), cube, lambda g, out: (g * 3 * x * x,))
    >>> ag.tensor([2.0]).cube()
    Tensor([8.])
    """
    if saves not in _SAVES:
        raise ValueError(f"op: saves must be one of {_SAVES}, got {saves!r}")

    def register(f: Callable[..., Any]) -> Callable[..., Any]:
        key = name or f.__name__
        if namespace:
            key = f"{namespace}.{key}"
        if key in OPS:
            raise ValueError(f"op {key!r} is declared twice")
        d = OpDef(name=key, fn=f, node=node or node_name(key), methods=_tuple(method),
                  method_adapter=method_adapter, operator=operator, reflected=reflected,
                  inplace=inplace, ufuncs=_tuple(ufunc), functions=_tuple(function),
                  saves=saves, formula=_tuple(formula), composite=composite,
                  differentiable=differentiable, export=export, aliases=_tuple(alias),
                  namespace=namespace, numpy_args=dict(numpy_args or {}),
                  array_api=array_api, replay=replay, context=context,
                  replay_backward=replay_backward, extra=extra)
        OPS[key] = d
        f.op = d
        from . import bind  # late: bind needs the Tensor class, which imports this module

        bind.bind(d)
        return f

    return register(fn) if fn is not None else register


_adhoc: dict[str, OpDef] = {}


def opdef_of(op_or_name) -> OpDef:
    """The ``OpDef`` for what ``record`` was given: a declared op, an ``OpDef`` or a node name.

    A bare name (a user's own op that was never declared) is assumed to save its values, so
    the in-place guard always checks it, whatever it is called.
    """
    if isinstance(op_or_name, OpDef):
        return op_or_name
    d = getattr(op_or_name, "op", None)
    if isinstance(d, OpDef):
        return d
    if isinstance(op_or_name, str):
        d = _adhoc.get(op_or_name)
        if d is None:
            d = _adhoc[op_or_name] = OpDef(name=op_or_name, fn=None,  # type: ignore[arg-type]
                                           node=op_or_name, export=False)
        return d
    raise TypeError(f"record: op must be a declared op, an OpDef or a node name, "
                    f"got {type(op_or_name).__name__}")
