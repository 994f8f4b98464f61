"""How much ordinary numpy code differentiates: each function of the yardstick list is called
through plain numpy on Tensors that require grad, and counts when its value equals numpy's on
the arrays and a gradient reaches the input.

The list is what HIPS autograd's numpy wrapper differentiates (``numpy_vjps.py``, the
functions its ``numpy_wrapper.py`` builds from them, and ``linalg.py``; complex-only functions
and its internal helpers left out) together with the list of issue 10. Run:

    python benchmarks/numpy_vocabulary.py [-v]

It uses nothing but ``ag.Tensor``, numpy and ``.backward()``, so it runs on any version of the
engine (the count before and after a change).
"""

from __future__ import annotations

import sys
import warnings

import numpy as np

import autograd as ag

rng = np.random.default_rng(0)


def t(*shape, low=None, high=None, spd=False):
    """A float64 Tensor requiring grad: normal values, or uniform in [low, high)."""
    if spd:
        a = rng.standard_normal(shape)
        x = a @ a.T + shape[0] * np.eye(shape[0])
    elif low is not None:
        x = rng.uniform(low, high, shape)
    else:
        x = rng.standard_normal(shape)
    return ag.Tensor(x, requires_grad=True)


def distinct(*shape):
    x = rng.permutation(np.arange(int(np.prod(shape)), dtype=np.float64)).reshape(shape) * 0.7
    return ag.Tensor(x + 0.1, requires_grad=True)


# name -> (args, kwargs); the function is np.NAME (np.linalg.NAME for "linalg.NAME")
UNARY = {
    "sin": {}, "cos": {}, "tan": {"low": -1.2, "high": 1.2}, "arcsin": {"low": -0.9, "high": 0.9},
    "arccos": {"low": -0.9, "high": 0.9}, "arctan": {}, "sinh": {}, "cosh": {}, "tanh": {},
    "arcsinh": {}, "arccosh": {"low": 1.2, "high": 3.0}, "arctanh": {"low": -0.9, "high": 0.9},
    "exp": {}, "exp2": {}, "expm1": {}, "log": {"low": 0.5, "high": 2.0},
    "log2": {"low": 0.5, "high": 2.0}, "log10": {"low": 0.5, "high": 2.0},
    "log1p": {"low": 0.5, "high": 2.0}, "sqrt": {"low": 0.5, "high": 2.0}, "square": {},
    "reciprocal": {"low": 0.5, "high": 2.0}, "negative": {}, "abs": {}, "absolute": {},
    "fabs": {}, "sign": {}, "floor": {}, "ceil": {}, "round": {}, "around": {}, "rint": {},
    "trunc": {}, "fix": {}, "deg2rad": {}, "rad2deg": {}, "degrees": {}, "radians": {},
    "sinc": {}, "nan_to_num": {}, "ravel": {}, "sort": {}, "cumsum": {}, "cumprod": {},
    "prod": {}, "sum": {}, "mean": {}, "var": {}, "std": {}, "max": {}, "min": {}, "amax": {},
    "amin": {}, "diff": {}, "flipud": {}, "fliplr": {}, "rot90": {}, "transpose": {},
    "squeeze": {}, "atleast_1d": {}, "atleast_2d": {}, "atleast_3d": {}, "trace": {},
    "diagonal": {}, "diag": {}, "tril": {}, "triu": {}, "flip": {}, "gradient": {},
}
SPECS = {name: (lambda kw=kw: ((t(3, 4, **kw),), {})) for name, kw in UNARY.items()}
SPECS.update({
    name: (lambda: ((t(3, 4), t(3, 4)), {}))
    for name in ("add", "subtract", "multiply", "logaddexp", "logaddexp2", "hypot", "arctan2")
})
SPECS.update({
    name: (lambda: ((distinct(3, 4), distinct(4) + 0.35), {}))
    for name in ("maximum", "minimum", "fmax", "fmin")
})
SPECS.update({
    name: (lambda: ((t(3, 4), t(3, 4, low=0.5, high=2.0)), {}))
    for name in ("divide", "true_divide", "remainder", "mod")
})
SPECS.update({
    "power": lambda: ((t(3, 4, low=0.5, high=2.0), t(3, 4)), {}),
    "clip": lambda: ((t(3, 4), -0.5, 0.5), {}),
    "where": lambda: ((np.arange(12).reshape(3, 4) % 2 == 0, t(3, 4), t(3, 4)), {}),
    "reshape": lambda: ((t(3, 4), (2, 6)), {}),
    "expand_dims": lambda: ((t(3, 4), 1), {}),
    "swapaxes": lambda: ((t(3, 4), 0, 1), {}),
    "moveaxis": lambda: ((t(2, 3, 4), 0, -1), {}),
    "rollaxis": lambda: ((t(2, 3, 4), 2), {}),
    "broadcast_to": lambda: ((t(4), (3, 4)), {}),
    "roll": lambda: ((t(3, 4), 1), {}),
    "repeat": lambda: ((t(3, 4), 2), {"axis": 1}),
    "tile": lambda: ((t(3, 4), (2, 1)), {}),
    "pad": lambda: ((t(3, 4), 1), {}),
    "split": lambda: ((t(4, 3), 2), {}),
    "array_split": lambda: ((t(5, 3), 2), {}),
    "vsplit": lambda: ((t(4, 3), 2), {}),
    "hsplit": lambda: ((t(3, 4), 2), {}),
    "dsplit": lambda: ((t(2, 2, 4), 2), {}),
    "concatenate": lambda: (([t(2, 3), t(2, 3)],), {}),
    "stack": lambda: (([t(2, 3), t(2, 3)],), {}),
    "vstack": lambda: (([t(2, 3), t(2, 3)],), {}),
    "row_stack": lambda: (([t(2, 3), t(2, 3)],), {}),
    "hstack": lambda: (([t(2, 3), t(2, 3)],), {}),
    "dstack": lambda: (([t(2, 3), t(2, 3)],), {}),
    "column_stack": lambda: (([t(3), t(3)],), {}),
    "append": lambda: ((t(2, 3), t(2, 3)), {}),
    "select": lambda: (([np.arange(4) < 2, np.arange(4) > 2], [t(4), t(4)]), {}),
    "dot": lambda: ((t(3, 4), t(4, 2)), {}),
    "matmul": lambda: ((t(3, 4), t(4, 2)), {}),
    "inner": lambda: ((t(3, 4), t(2, 4)), {}),
    "outer": lambda: ((t(3), t(4)), {}),
    "tensordot": lambda: ((t(3, 4), t(4, 2)), {"axes": 1}),
    "einsum": lambda: (("ij,jk->ik", t(3, 4), t(4, 2)), {}),
    "kron": lambda: ((t(2, 3), t(2, 2)), {}),
    "cross": lambda: ((t(4, 3), t(4, 3)), {}),
    "partition": lambda: ((distinct(6), 2), {}),
    "linspace": lambda: ((t(), t(), 5), {}),
    "full": lambda: (((2, 3), t()), {}),
    "linalg.inv": lambda: ((t(3, 3, spd=True),), {}),
    "linalg.solve": lambda: ((t(3, 3, spd=True), t(3)), {}),
    "linalg.det": lambda: ((t(3, 3),), {}),
    "linalg.slogdet": lambda: ((t(3, 3, spd=True),), {}),
    "linalg.cholesky": lambda: ((t(3, 3, spd=True),), {}),
    "linalg.norm": lambda: ((t(3, 4),), {}),
    "linalg.eigh": lambda: ((t(3, 3, spd=True),), {}),
    "linalg.svd": lambda: ((t(3, 2),), {"full_matrices": False}),
    "linalg.pinv": lambda: ((t(3, 2),), {}),
})


def _plain(x):
    if isinstance(x, ag.Tensor):
        return np.asarray(x.data)
    if isinstance(x, (list, tuple)):
        return type(x)(_plain(i) for i in x)
    return x


def _outputs(result) -> list:
    if isinstance(result, (list, tuple)):
        return [o for r in result for o in _outputs(r)]
    return [result]


def works(name: str) -> tuple[bool, str]:
    """Whether ``np.NAME`` on Tensors gives numpy's value and a gradient to its input."""
    space, _, attr = name.rpartition(".")
    fn = getattr(np.linalg if space else np, attr, None)
    if fn is None:
        return False, "not in this numpy"
    args, kwargs = SPECS[name]()
    leaves = [a for a in _outputs(list(args)) if isinstance(a, ag.Tensor)]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            result = fn(*args, **kwargs)
            expected = fn(*_plain(args), **_plain(kwargs))
        outs, refs = _outputs(result), _outputs(expected)
        if len(outs) != len(refs) or not all(isinstance(o, ag.Tensor) for o in outs):
            return False, f"returns {type(result).__name__}, not Tensors"
        for o, e in zip(outs, refs):
            if not np.allclose(o.data, e, equal_nan=True):
                return False, "value differs from numpy's"
        grads = [o for o in outs if o.requires_grad and o.dtype.kind == "f"]
        if not grads:
            return False, "result does not require grad"
        total = grads[0].sum()
        for o in grads[1:]:
            total = total + o.sum()
        total.backward()
        if not any(x.grad is not None for x in leaves):
            return False, "no gradient reaches the input"
    except Exception as e:  # noqa: BLE001 - a refusal is what we count
        return False, f"{type(e).__name__}: {str(e).splitlines()[0][:80]}"
    return True, ""


def main(verbose: bool = False) -> int:
    ok = 0
    for name in sorted(SPECS):
        good, why = works(name)
        ok += good
        if verbose or not good:
            print(f"  {'ok  ' if good else 'FAIL'} np.{name}" + (f"   ({why})" if why else ""))
    print(f"{ok} of {len(SPECS)} numpy functions work on Tensors (numpy {np.__version__})")
    return ok


if __name__ == "__main__":
    main("-v" in sys.argv)
