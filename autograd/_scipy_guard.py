"""No silent loss of a gradient inside scipy.

scipy's functions convert their arguments with ``np.asarray``: given a Tensor that requires
grad they would compute on its array and return a plain one, and the gradient would be gone
without a word. ``Tensor.__array__`` (and numpy's dispatch, where it refuses) asks here
whether the conversion comes from inside scipy; if so the conversion is refused with an error
that names the differentiable ``ag.scipy`` function to use, or says that there is none.

Only scipy's computing packages are guarded: ``scipy.optimize`` converts its ``x0`` and the
loss values it is given, which is what the user means, so it is left alone. Nothing here
imports scipy: it is only asked once scipy is in ``sys.modules``.
"""

from __future__ import annotations

import importlib
import sys

_GUARDED = {"special", "stats", "linalg", "signal", "integrate", "ndimage", "interpolate", "fft",
            "fftpack", "spatial", "sparse", "cluster"}
_WRAPPERS = {"wrapper", "inner", "decorated", "decorator", "fun", "func", "f", "<lambda>"}


def _module(frame) -> str:
    return frame.f_globals.get("__name__") or ""


def scipy_entry() -> str | None:
    """The public name (``"stats.norm.logpdf"``) of the scipy function the user called, if the
    code that called into autograd (past numpy's and autograd's own frames) runs in scipy."""
    if "scipy" not in sys.modules:
        return None
    f = sys._getframe(1)
    frames = []
    for _ in range(100):
        if f is None:
            break
        mod = _module(f)
        if mod == "scipy" or mod.startswith("scipy."):
            frames.append(f)
        elif frames:
            break  # the first frame above scipy's: the caller
        elif not (mod.startswith("numpy") or mod.startswith("autograd")):
            return None  # the user's own code converted the tensor
        f = f.f_back
    for fr in reversed(frames):  # the outermost first: the function the user called
        dist = _distribution(fr.f_locals.get("self"))
        if dist is not None:  # a distribution's method (norm.logpdf), or freezing one
            name = fr.f_code.co_name
            return f"stats.{dist}" + ("" if name.startswith("_") else f".{name}")
        found = _public_name(fr)
        if found is None:
            continue
        pkg, name = found
        return f"{pkg}.{name}" if pkg in _GUARDED else None
    return None


def _package(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def _public_name(frame) -> tuple[str, str] | None:
    """(package, function) for a frame of a public scipy function; for a decorator's wrapper
    (scipy wraps many functions: batching, nan policies), the function it wraps."""
    pkg, name = _package(_module(frame)), frame.f_code.co_name
    if not (pkg.startswith("_") or name.startswith("_") or name in _WRAPPERS
            or name.endswith("wrapper")):
        return pkg, name
    if name in _WRAPPERS or name.endswith("wrapper"):
        for value in frame.f_locals.values():
            mod = getattr(value, "__module__", None) or ""
            fname = getattr(value, "__name__", "")
            if (callable(value) and mod.startswith("scipy.") and fname
                    and not fname.startswith("_") and not _package(mod).startswith("_")):
                return _package(mod), fname
    return None


def _distribution(obj) -> str | None:
    """``"norm"`` for scipy.stats.norm (or a frozen norm), ``"multivariate_normal"`` for
    that one; None for anything else."""
    if obj is None or not type(obj).__module__.startswith("scipy.stats"):
        return None
    name = getattr(obj, "name", None) or getattr(getattr(obj, "dist", None), "name", None)
    if isinstance(name, str):
        return name
    cls = type(obj).__name__
    for suffix in ("_gen", "_frozen"):
        if cls.endswith(suffix):
            return cls[: -len(suffix)]
    return None


def _ours(path: str):
    """``ag.scipy.<path>`` if it exists, else None."""
    pkg, *rest = path.split(".")
    try:
        obj = importlib.import_module(f"autograd.scipy.{pkg}")
    except ImportError:
        return None
    for part in rest:
        obj = getattr(obj, part, None)
        if obj is None:
            return None
    return obj


def refusal(path: str) -> str:
    """The message refusing ``scipy.<path>`` a Tensor that requires grad."""
    head = (f"scipy.{path} was given a Tensor that requires grad: it would return a plain "
            "array and the gradient would be lost. ")
    ours = _ours(path)
    if callable(ours):
        return head + (f"Use ag.scipy.{path}, its differentiable version (or pass t.detach() "
                       "to get scipy's value without a gradient).")
    if ours is not None:  # a distribution, frozen with a Tensor parameter
        return head + (f"Use the functions of ag.scipy.{path}, which take the parameters as "
                       f"arguments ({', '.join(getattr(ours, '__all__', ()))}), or pass "
                       "t.detach() to get scipy's value without a gradient.")
    return head + (f"autograd has no differentiable scipy.{path}; pass t.detach() to compute "
                   "its value without a gradient.")


def check_scipy_caller() -> None:
    """Raise TypeError if the conversion under way is made by scipy."""
    path = scipy_entry()
    if path is not None:
        raise TypeError(refusal(path))


def scipy_ufunc_name(ufunc) -> str | None:
    """``"special.zeta"`` if ``ufunc`` is scipy.special's, else None."""
    sp = sys.modules.get("scipy.special")
    name = getattr(ufunc, "__name__", "")
    return f"special.{name}" if sp is not None and getattr(sp, name, None) is ufunc else None
