"""Special functions: scipy.special's ufuncs on Tensors, each derivative declared once.

Each op answers to its scipy ufunc (``scipy.special.gammaln(t)`` dispatches here through
``Tensor.__array_ufunc__``), declared by name so that the binding is made only once scipy
is imported (``autograd.bind.resolve_pending``); ``import autograd`` never imports scipy.
The ops are also ``ag.scipy.special.NAME``. ``erf`` needs no scipy (it falls back to
a vectorized kernel, ``erf_kernel``) and is ``ag.erf`` as well.

A derivative is written with functions of the same set (gammaln → digamma → polygamma,
j1 → j0, jv), so it is differentiable again, to any order. Arguments scipy treats as orders
without a derivative (``polygamma``'s n, ``jv``'s v) raise at backward if a gradient is
asked of them, as PyTorch does. The incomplete gamma and beta functions' derivatives in their
shape parameters are computed numerically (``autograd.ops.incomplete``): first order only.

Off numpy, each function comes from its backend (``special_function``): scipy's ufunc applied
chunk by chunk on dask (lazily), ``cupyx.scipy.special`` on CuPy. The ones the Array API
standard can write (``expit``, ``logit``, ``xlogy``, ``xlog1py``) are written in it there, so
they run on any standard array library.
"""

# The fast path tests `x.__class__ is Tensor` (cheaper than isinstance), which pyright does not
# narrow on. The signatures are checked as usual.
# pyright: reportAttributeAccessIssue=false

from __future__ import annotations

import math
from typing import Any, Callable

import numpy as np

from .._quiet import quietly
from .._tensor import Tensor, _wrap, get_default_dtype, record
from ..backend import NUMPY, Backend, BackendError, is_array, np_dtype
from ..registry import node_name, op
from ..typing import TensorLike
from ._util import aligned, lift, xp_of
from .elementwise import cos, exp, log, sin, where
from .erf_kernel import erf_array, erf_float32
from .incomplete import betainc_dab, gammainc_da

_scipy_special = None


def scipy_special():
    """scipy.special, imported on first use; ImportError naming the extra if it is missing."""
    global _scipy_special
    if _scipy_special is None:
        try:
            import scipy.special
        except ImportError:
            raise ImportError("this function needs scipy: pip install 'autograd-engine[scipy]'"
                              ) from None
        _scipy_special = scipy.special
    return _scipy_special


_ON_BACKEND: dict = {}  # (backend name, function name) -> the function on its arrays


def special_function(xp: Backend, name: str, numpy_fn: Callable | None = None) -> Callable:
    """``scipy.special.NAME`` for the arrays of backend ``xp``: scipy's own on numpy, applied
    chunk by chunk on dask (lazily, broadcasting as a ufunc: ``dask.array``'s ``elemwise``),
    ``cupyx.scipy.special.NAME`` on CuPy. ``numpy_fn`` replaces scipy's function on numpy
    arrays and dask's chunks (``erf`` without scipy). ``BackendError`` on other backends, or
    where CuPy lacks the function.

    Examples
    --------
    >>> from autograd.backend import NUMPY
    >>> from autograd.ops.special import special_function
    >>> special_function(NUMPY, "gammaln")(np.array([1.0, 3.0]))
    array([0.        , 0.69314718])
    """
    key = (xp.name, name)
    found = _ON_BACKEND.get(key)
    if found is None:
        found = _ON_BACKEND[key] = _find_special(xp, name, numpy_fn)
    return found


def _find_special(xp: Backend, name: str, numpy_fn: Callable | None) -> Callable:
    if xp is NUMPY:
        return numpy_fn or getattr(scipy_special(), name)
    if xp.name == "dask.array":
        per_chunk = numpy_fn or getattr(scipy_special(), name)

        def quiet(*chunks):  # runs at compute time, outside the op: IEEE results, silently
            with np.errstate(all="ignore"):
                return per_chunk(*chunks)

        quiet.__name__ = name  # names the tasks of dask's graph
        return lambda *args: xp.elementwise(quiet, *args)
    if xp.name == "cupy":  # pragma: no cover - needs a GPU
        import cupyx.scipy.special  # pyright: ignore[reportMissingImports]

        fn = getattr(cupyx.scipy.special, name, None)
        if fn is None:
            raise BackendError(f"cupy has no {name}: cupyx.scipy.special lacks it")
        return fn
    raise BackendError(f"{xp.name} has no {name}: scipy.special's functions run on numpy, dask "
                       "and CuPy arrays (cupyx.scipy.special)")


def _operand(a, like: Tensor | None) -> Tensor:
    if isinstance(a, Tensor):
        return a
    if type(a) is float and like is not None:  # weak, like numpy's Python scalars
        return lift(a, like)
    return _wrap(a if is_array(a) else np.asarray(a))  # another backend's array as it is


def _result_dtype(inputs) -> np.dtype:
    """PyTorch's rule: the promoted float dtype of the array operands (Python numbers are
    weak), the default float dtype when none is floating (``gammaln`` of integers)."""
    floats = [a.dtype for a in inputs if isinstance(a, (Tensor, np.ndarray))
              and a.dtype.kind == "f"]  # a Tensor's dtype is numpy's on every backend
    floats += [d for d in (np_dtype(a.dtype) for a in inputs if not isinstance(
        a, (Tensor, np.ndarray)) and is_array(a)) if d.kind == "f"]  # another backend's array
    if not floats:  # numbers only: a numpy float keeps its dtype (as ag.tensor gives it)
        floats = [a.dtype for a in inputs if isinstance(a, np.floating)]
    return np.result_type(*floats) if floats else get_default_dtype()


def _compute(fn: Callable, *raw) -> np.ndarray:
    try:
        return fn(*raw)
    except RuntimeWarning:  # numpy's warnings made errors (scipy's polygamma is Python code)
        return quietly(fn, *raw)


def special(name: str, *derivatives: Callable | None, formula: Any, saves: str | None = "both",
            ufunc: str | tuple | None = "", export: bool = False, compute: Callable | None = None,
            args: tuple = ("x",), function=None, standard: Callable | None = None) -> Callable:
    """Declare the op ``name`` computing ``scipy.special.NAME``, one derivative per argument.

    ``derivatives[i](*inputs, out)`` is the local derivative in argument ``i`` (a Tensor the
    incoming gradient multiplies), or None where it has none. ``compute`` replaces the
    scipy call (``erf`` without scipy). The result has PyTorch's dtype (``_result_dtype``):
    scipy computes integers (and float16) in a wider type. Off numpy the function comes from
    the backend (``special_function``), or is ``standard(xp, *arrays)``, written in the Array
    API standard (every argument an array of the result's dtype, Python numbers too): the op
    is then declared ``array_api``; without it, ``array_api=False``.
    """
    fn_of = compute or (lambda: getattr(scipy_special(), name))
    nargs = len(derivatives)
    if ufunc == "":
        ufunc = f"scipy.special.{name}"

    def forward(*inputs: TensorLike) -> Tensor:
        if len(inputs) != nargs:
            raise TypeError(f"{name}() takes {nargs} argument{'s' * (nargs > 1)} "
                            f"({', '.join(args)}), got {len(inputs)}")
        if nargs == 1 and inputs[0].__class__ is Tensor and \
                inputs[0]._data.__class__ is np.ndarray:  # the fast path
            x = inputs[0]
            data = _compute(fn_of(), x._data)
            if data.dtype != x._data.dtype:
                data = data.astype(_result_dtype(inputs), copy=False)
            return record(data, (x,), forward.op, backward)
        like = next((a for a in inputs if isinstance(a, Tensor) and a.dtype.kind == "f"), None)
        parents = tuple(_operand(a, like) for a in inputs)
        dtype = _result_dtype(inputs)
        xp = xp_of(*parents)
        if xp is NUMPY:
            raw = [a._data if isinstance(a, Tensor) else a for a in inputs]
            data = np.asarray(_compute(fn_of(), *raw))
            if data.dtype != dtype and data.dtype.kind == "f":
                data = data.astype(dtype, copy=False)
            return record(data, parents, forward.op, backward)
        parents = tuple(aligned(*parents))  # numpy constants join the others' backend
        raw = [a if a.__class__ in _NUMBERS else p._data for a, p in zip(inputs, parents)]
        if standard is not None:
            raw = [xp.asarray(r, dtype=xp.dtype(dtype)) if r.__class__ in _NUMBERS
                   else r if p.dtype == dtype else xp.astype(r, xp.dtype(dtype))
                   for r, p in zip(raw, parents)]
            data = standard(xp, *raw)
        else:
            data = special_function(xp, name, compute and fn_of())(*raw)
        got = np_dtype(data.dtype)
        if got != dtype and got.kind == "f":
            data = xp.astype(data, xp.dtype(dtype))
        return record(data, parents, forward.op, backward)

    def backward(g, out):
        inputs = out._parents
        grads = []
        for i, (p, d) in enumerate(zip(inputs, derivatives)):
            if not p._requires_grad:
                grads.append(None)
            elif d is None:
                raise RuntimeError(f"{name}: the derivative for '{args[i]}' is not implemented "
                                   "(pass it as a constant)")
            else:
                grads.append(g * d(*inputs, out))
        return tuple(grads)

    forward.__name__ = forward.__qualname__ = name
    wrt = "" if all(derivatives) else " in " + ", ".join(a for a, d in zip(args, derivatives) if d)
    call = (f"scipy.special.{name}" if ufunc else f"ag.scipy.special.{name}") + "(" + ", ".join(
        "x" if d else "2" for d in derivatives) + ")"
    forward.__doc__ = (
        f"``scipy.special.{name}({', '.join(args)})`` on Tensors, differentiable{wrt}."
        f"\n\n    Derivative: {'; '.join(formula) if isinstance(formula, tuple) else formula}."
        "\n\n    Examples\n    --------\n    >>> import scipy.special"
        "\n    >>> x = ag.tensor([0.25, 0.5], dtype=np.float64, requires_grad=True)"
        f"\n    >>> {call}.grad_fn\n    <{node_name(name)}>\n")
    uf = () if ufunc is None else ufunc
    return op(forward, name=name, ufunc=uf, function=function, saves=saves, formula=formula,
              export=export, array_api=standard is not None)


_NUMBERS = frozenset([bool, int, float])


def _sinpi(x: Tensor) -> Tensor:
    """sin(πx), exact at the integers: the argument is first reduced by the nearest one."""
    xp = xp_of(x)
    k = xp.round(x._data)
    return sin((x - _wrap(k)) * math.pi) * _wrap(1 - 2 * (xp.abs(k) % 2))


def _cospi(x: Tensor) -> Tensor:
    xp = xp_of(x)
    k = xp.round(x._data)
    return cos((x - _wrap(k)) * math.pi) * _wrap(1 - 2 * (xp.abs(k) % 2))


# ---------------------------------------------------------------------------- error function

_TWO_OVER_SQRT_PI = 2 / math.sqrt(math.pi)
_SQRT_PI_OVER_TWO = math.sqrt(math.pi) / 2
_INV_SQRT_2PI = 1 / math.sqrt(2 * math.pi)
_SQRT_2PI = math.sqrt(2 * math.pi)
_erf_impl: Callable | None = None


def _erf():
    """float32 arrays: ``erf_kernel.erf_float32`` (float32 rounding, a dozen passes); others:
    scipy.special.erf where scipy is installed, else W. J. Cody's vectorized approximation
    (``erf_kernel``, float64 rounding)."""
    global _erf_impl
    if _erf_impl is None:
        try:
            wide = scipy_special().erf
        except ImportError:
            wide = erf_array

        def by_dtype(x, *args, **kwargs):
            if getattr(x, "dtype", None) == np.float32 and not args and not kwargs:
                return erf_float32(x)
            return wide(x, *args, **kwargs)

        _erf_impl = by_dtype
    return _erf_impl


erf = special("erf", lambda x, out: exp(-(x * x)) * _TWO_OVER_SQRT_PI, formula="2/√π·exp(−x²)",
              saves="inputs", export=True, compute=_erf)
erfc = special("erfc", lambda x, out: exp(-(x * x)) * -_TWO_OVER_SQRT_PI,
               formula="−2/√π·exp(−x²)", saves="inputs")
erfinv = special("erfinv", lambda x, out: exp(out * out) * _SQRT_PI_OVER_TWO,
                 formula="√π/2·exp(erfinv(x)²)", saves="output")
erfcinv = special("erfcinv", lambda x, out: exp(out * out) * -_SQRT_PI_OVER_TWO,
                  formula="−√π/2·exp(erfcinv(x)²)", saves="output")
ndtr = special("ndtr", lambda x, out: exp(x * x * -0.5) * _INV_SQRT_2PI,
               formula="exp(−x²/2)/√(2π)", saves="inputs")
ndtri = special("ndtri", lambda p, out: exp(out * out * 0.5) * _SQRT_2PI,
                formula="√(2π)·exp(ndtri(p)²/2)", saves="output", args=("p",))
log_ndtr = special("log_ndtr", lambda x, out: exp(x * x * -0.5 - out) * _INV_SQRT_2PI,
                   formula="exp(−x²/2 − log_ndtr(x))/√(2π)")

# ---------------------------------------------------------------------------- logistic

def _expit(xp, x):  # 1/(1 + e^−x), with e^−|x| only: no overflow
    e = xp.exp(-xp.abs(x))
    return xp.where(x >= 0, 1 / (1 + e), e / (1 + e))


def _logit(xp, x):  # log(x/(1 − x)); near ½ as 2·atanh(2x − 1), where 2x − 1 is exact
    near = xp.abs(x - 0.5) < 0.25
    return xp.where(near, xp.atanh(2 * x - 1) * 2, xp.log(x) - xp.log1p(-x))


expit = special("expit", lambda x, out: out * (1 - out), formula="expit(x)·(1 − expit(x))",
                saves="output", standard=_expit)
logit = special("logit", lambda x, out: 1 / (x * (1 - x)), formula="1/(x·(1 − x))",
                saves="inputs", standard=_logit)


# xlogy(0, y) = 0 for every y: where x = 0 the derivative in x is taken along that line (0
# when y <= 0, as PyTorch) and the derivative in y is 0 (x/y would be 0/0 at y = 0)
def _xlogy_dx(x, y, out):
    return log(where((x._data == 0) & (y._data <= 0), 1.0, y))


def _xlogy_dy(x, y, out):
    return x / where(x._data == 0, 1.0, y)


def _xlog1py_dx(x, y, out):
    return xlog1py(1.0, where((x._data == 0) & (y._data <= -1), 0.0, y))


def _xlog1py_dy(x, y, out):
    return x / (where(x._data == 0, 0.0, y) + 1)


def _xlogy(xp, x, y):  # x·log(y), 0 where x = 0 (unless y is nan), as scipy's
    zero = (x == 0) & ~xp.isnan(y)
    return x * xp.log(xp.where(zero, 1.0, y))


def _xlog1py(xp, x, y):
    zero = (x == 0) & ~xp.isnan(y)
    return x * xp.log1p(xp.where(zero, 0.0, y))


xlogy = special("xlogy", _xlogy_dx, _xlogy_dy, formula=("log(y) (0 where x = 0, y ≤ 0)",
                "x/y (0 where x = 0)"), args=("x", "y"), standard=_xlogy)
xlog1py = special("xlog1py", _xlog1py_dx, _xlog1py_dy,
                  formula=("log1p(y) (0 where x = 0, y ≤ −1)", "x/(1 + y) (0 where x = 0)"),
                  args=("x", "y"), standard=_xlog1py)

# ---------------------------------------------------------------------------- gamma family

gamma = special("gamma", lambda x, out: out * digamma(x), formula="Γ(x)·ψ(x)")
gammaln = special("gammaln", lambda x, out: digamma(x), formula="ψ(x)", saves="inputs")
gammasgn = special("gammasgn", lambda x, out: x * 0.0, formula="0", saves=None)
digamma = special("digamma", lambda x, out: polygamma(1, x), formula="ψ′(x) = polygamma(1, x)",
                  saves="inputs", ufunc=("scipy.special.digamma", "scipy.special.psi"))
def _polygamma():
    # scipy's polygamma is Python code (not a ufunc) whose (−1)^(n+1) warns for a non-integer
    # order: computed with numpy's warnings off, as the ufuncs are
    return lambda n, x: quietly(scipy_special().polygamma, n, x)


polygamma = special("polygamma", None, lambda n, x, out: polygamma(n + 1, x),
                    formula=("none (an order)", "polygamma(n + 1, x)"), saves="inputs",
                    ufunc=None, args=("n", "x"), compute=_polygamma)


def _rgamma_dx(x, out):
    # -ψ(x)/Γ(x), but finite at the poles of Γ, where 1/Γ is smooth: for x < 1/2 it is the
    # derivative of the reflection formula 1/Γ(x) = Γ(1 − x)·sin(πx)/π
    low = x._data < 0.5
    xl = where(low, x, 0.0)
    xh = where(low, 1.0, x)
    reflected = gamma(1 - xl) * (_cospi(xl) - digamma(1 - xl) * _sinpi(xl) * (1 / math.pi))
    return where(low, reflected, -digamma(xh) * rgamma(xh))


rgamma = special("rgamma", _rgamma_dx, formula="−ψ(x)/Γ(x) (finite at the poles of Γ)",
                 saves="inputs")
beta = special("beta", lambda a, b, out: out * (digamma(a) - digamma(a + b)),
               lambda a, b, out: out * (digamma(b) - digamma(a + b)),
               formula=("B(a, b)·(ψ(a) − ψ(a + b))", "B(a, b)·(ψ(b) − ψ(a + b))"),
               args=("a", "b"))
betaln = special("betaln", lambda a, b, out: digamma(a) - digamma(a + b),
                 lambda a, b, out: digamma(b) - digamma(a + b),
                 formula=("ψ(a) − ψ(a + b)", "ψ(b) − ψ(a + b)"), saves="inputs", args=("a", "b"))


def _betainc_dx(a, b, x, out):  # the beta density: x^(a−1)·(1 − x)^(b−1) / B(a, b)
    return exp(xlogy(a - 1, x) + xlog1py(b - 1, -x) - betaln(a, b))


def _gammainc_dx(a, x, out):  # the gamma density: x^(a−1)·exp(−x) / Γ(a)
    return exp(xlogy(a - 1, x) - x - gammaln(a))


# their derivatives in the parameters are computed numerically (autograd.ops.incomplete)
betainc = special("betainc", lambda a, b, x, out: betainc_dab(a, b, x, 0),
                  lambda a, b, x, out: betainc_dab(a, b, x, 1), _betainc_dx, saves="inputs",
                  formula=("∂I/∂a (continued fraction, forward mode)",
                           "∂I/∂b (continued fraction, forward mode)",
                           "x^(a−1)(1−x)^(b−1)/B(a, b)"), args=("a", "b", "x"))
gammainc = special("gammainc", lambda a, x, out: gammainc_da(a, x), _gammainc_dx,
                   saves="inputs", formula=("∂P/∂a (series or continued fraction, forward mode)",
                                            "x^(a−1)·exp(−x)/Γ(a)"), args=("a", "x"))
gammaincc = special("gammaincc", lambda a, x, out: -gammainc_da(a, x),
                    lambda a, x, out: -_gammainc_dx(a, x, out), saves="inputs",
                    formula=("−∂P/∂a", "−x^(a−1)·exp(−x)/Γ(a)"), args=("a", "x"))

def _stdtr_dt(df, t, out):  # Student's t density
    return exp(gammaln((df + 1) * 0.5) - gammaln(df * 0.5) - log(df * math.pi) * 0.5
               - xlog1py((df + 1) * 0.5, t * t / df))


def _stdtr_ddf(df, t, out):
    # stdtr = 1 − I_z(ν/2, ½)/2 for t ≥ 0 (I/2 for t < 0), z = ν/(ν + t²): through betainc
    at_zero = t._data == 0  # stdtr(ν, 0) = ½ for every ν
    ts = where(at_zero, 1.0, t)
    z = df / (df + ts * ts)
    half = df * 0.5
    dz = ts * ts / ((df + ts * ts) * (df + ts * ts))
    d_i = betainc_dab(half, lift(0.5, df), z, 0) * 0.5 + _betainc_dx(half, 0.5, z, None) * dz
    return where(at_zero, 0.0, where(t._data >= 0, -d_i, d_i) * 0.5)


stdtr = special("stdtr", _stdtr_ddf, _stdtr_dt, saves="inputs", args=("df", "t"),
                formula=("through ∂I/∂a of betainc", "the t density: Γ((ν+1)/2)/(Γ(ν/2)·√(νπ))"
                         "·(1 + t²/ν)^(−(ν+1)/2)"))
