"""No silent gradient loss when numpy turns Tensors into a plain array.

``np.asarray(t)`` gives the data of ``t`` (plotting and other numpy code rely on it). But
``np.array([x, 2 * x])`` or ``np.mean([x, x + 2])``, with ``x`` requiring grad, would build a
plain array out of values that carry a gradient, and the gradient would be silently lost:
PyTorch raises there, and so do we, pointing to ``ag.stack``.

numpy converts both through ``Tensor.__array__``, called in the same way for a Tensor inside a
list as for a bare one. What tells them apart is the call that asked for the conversion, so
``__array__`` looks at it, for Tensors that require grad and with grad mode on only: the frame
of the Python code calling into numpy, and in it the call being evaluated (its source span,
which Python 3.11+ records for each instruction; on 3.10, the calls on its line). The
conversion is one of a sequence when an argument of that call is a list or tuple display with
something computed in it (``np.array([x, 2 * x])``, a comprehension), or a name bound to a
list or tuple that holds this Tensor (``np.asarray(xs)``; numpy's ``np.mean([...])`` converts
its argument ``a`` that way). Calls whose source is not available (``python -c``) are let
through, as is autograd's own code. The analysis of a call site is cached.

numpy's own Python code converting a Tensor is refused too: numpy hands every function it
dispatches to ``__array_function__`` before running it, so its code meets a Tensor only in a
function that never dispatches (``np.full(shape, x)``, whose result would not carry the
gradient). ``numpy.testing`` is left alone: comparing values is what it is for.
"""

from __future__ import annotations

import ast
import builtins
import itertools
import linecache
from typing import Any

_SITES: dict = {}  # (code, instruction offset) -> (has a display argument, named arguments)
_UNKNOWN = (False, ())


def conversion_refusal(t: Any, frame) -> str | None:
    """Why numpy, called from ``frame``, may not turn ``t`` (which requires grad) into an
    array; None when it may (``np.asarray(t)``: the data)."""
    if frame is None:
        return None
    module = frame.f_globals.get("__name__") or ""
    if module == "autograd" or module.startswith("autograd."):
        return None
    if converted_in_a_sequence(t, frame):
        return refusal()
    if (module == "numpy" or module.startswith("numpy.")) and \
            not module.startswith("numpy.testing"):
        return (f"numpy's {frame.f_code.co_name} turns a Tensor that requires grad into a plain "
                "array and its result would not carry the gradient. Use autograd's ops (for "
                "np.full(shape, x): ag.broadcast_to(x, shape)), or pass x.detach() if no "
                "gradient is wanted.")
    return None


def converted_in_a_sequence(t: Any, frame) -> bool:
    """Whether numpy, called from ``frame``, is converting ``t`` as an element of a list."""
    key = (frame.f_code, frame.f_lasti)
    site = _SITES.get(key)
    if site is None:
        if len(_SITES) > 4096:
            _SITES.clear()
        try:
            site = _call_site(frame)
        except (SyntaxError, ValueError, IndexError, UnicodeError):
            site = _UNKNOWN
        _SITES[key] = site
    displays, names = site
    if displays:
        return True
    return any(_holds(_lookup(frame, name), t) for name in names)


def _call_site(frame) -> tuple[bool, tuple]:
    code = frame.f_code
    lines = linecache.getlines(code.co_filename, frame.f_globals)
    if not lines:
        return _UNKNOWN
    positions = None
    if hasattr(code, "co_positions"):  # Python 3.11+: the span of the instruction's expression
        positions = next(itertools.islice(code.co_positions(), frame.f_lasti // 2, None), None)
    if positions is None or None in positions:
        tree = ast.parse(lines[frame.f_lineno - 1].strip().rstrip(":"), mode="exec")
        calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call)]
    else:
        first, last, col, end_col = positions
        span = [line.encode() for line in lines[first - 1:last]]
        span[-1] = span[-1][:end_col]
        span[0] = span[0][col:]
        expr = ast.parse("(" + b"".join(span).decode() + ")", mode="eval").body
        if not isinstance(expr, ast.Call):
            return _UNKNOWN
        calls = [expr]
    displays = False
    names = []
    for call in calls:
        for arg in itertools.chain(call.args, (k.value for k in call.keywords)):
            if isinstance(arg, ast.Starred):
                arg = arg.value
            if isinstance(arg, (ast.ListComp, ast.GeneratorExp, ast.SetComp)) or \
                    isinstance(arg, (ast.List, ast.Tuple, ast.Set)) and \
                    not all(isinstance(e, ast.Constant) for e in arg.elts):
                displays = True
            dotted = _dotted(arg)
            if dotted:
                names.append(dotted)
    return displays, tuple(names)


def _dotted(node) -> tuple | None:
    """``a.b.c`` as ``("a", "b", "c")``; None for any other expression."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    parts.append(node.id)
    return tuple(reversed(parts))


def _lookup(frame, dotted: tuple):
    head, *rest = dotted
    for scope in (frame.f_locals, frame.f_globals, vars(builtins)):
        if head in scope:
            value = scope[head]
            break
    else:
        return None
    for attr in rest:
        try:
            value = getattr(value, attr)
        except Exception:
            return None
    return value


def _holds(container, t) -> bool:
    """Whether the (nested) list or tuple ``container`` holds ``t`` itself."""
    if not isinstance(container, (list, tuple)):
        return False
    stack = [container]
    while stack:
        for item in stack.pop():
            if item is t:
                return True
            if isinstance(item, (list, tuple)):
                stack.append(item)
    return False


def refusal(what: str = "numpy") -> str:
    """The message refusing to turn a list of Tensors that require grad into an array."""
    return (f"{what} was asked to turn a list holding Tensors that require grad into a plain "
            "array (as in np.array([x, 2 * x]) or np.mean([x, y])): their gradient would be "
            "silently lost. Use ag.stack([...]) to build a Tensor that keeps it (and apply the "
            "numpy function to that), or .detach() the tensors if no gradient is wanted.")
